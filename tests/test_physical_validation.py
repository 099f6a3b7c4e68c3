"""Physical validation of scenario files (issue 12, part 1): every example of the issue
is refused on loading with one line naming the file and the field.

Finite numbers only, ranges with units, strict types (no true/false for a number, no
text for true/false), distribution parameters, date-times in one zone, ids, the ground
graph, size caps, special files, deep nesting; the same for claim files. The caps and
ranges are in nomonhan_sim/scenario/limits.py; the fuzz corpus (tests/test_fuzz_corpus.py)
tries hundreds of variations of these.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from pathlib import Path

import pytest

from nomonhan_sim.record import RecordError, load_record
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.scenario import limits, schema
from nomonhan_sim.scenario.limits import parameter_range
from nomonhan_sim.scenario.quantity import Distribution

FIXTURES = Path(__file__).parent / "fixtures"
DUEL = (FIXTURES / "duel.toml").read_text("utf-8")
SUPPLY = (FIXTURES / "supply.toml").read_text("utf-8")


def refused(tmp_path: Path, text: str | bytes, field: str, *words: str, suffix: str = ".toml") -> str:
    """Write ``text``, load it, and check the one-line error names the file and ``field``."""
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: "), msg
    assert f": {field}" in msg, msg
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"
    return msg


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# --- numbers: finite, in range, of the right type ---------------------------------------

@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("personnel = 3000", "personnel = nan", "units[0].personnel", ["finite", "nan"]),
    ("personnel = 3000", "personnel = inf", "units[0].personnel", ["finite", "inf"]),
    ("personnel = 3000", "personnel = 1e308", "units[0].personnel", ["5000000"]),
    ("personnel = 3000", "personnel = 0.5", "units[0].personnel", [">= 1"]),
    ("personnel = 3000", "personnel = true", "units[0].personnel", ["expected a number", "true"]),
    ("personnel = 3000", 'personnel = "3000"', "units[0].personnel", ["'3000'"]),
    ("personnel = 3000", "personnel = 3000\nquality = -1", "units[0].quality", ["> 0", "-1"]),
    ("personnel = 3000", "personnel = 3000\nquality = nan", "units[0].quality", ["finite"]),
    ("personnel = 3000", "personnel = 3000\nequipment = { tanks = inf }", "units[0].equipment.tanks", ["finite"]),
    ("personnel = 3000", "personnel = 3000\nequipment = { tanks = 1e7 }", "units[0].equipment.tanks",
     ["1000000 pieces"]),
    ("personnel = 3000", 'personnel = { dist = "uniform", low = nan, high = 2000 }', "units[0].personnel.low",
     ["finite"]),
    ("personnel = 3000", 'personnel = { dist = "normal", mean = 3000, sd = nan }', "units[0].personnel.sd",
     ["finite"]),
    ("personnel = 3000", 'personnel = { dist = "normal", mean = 3000, sd = 10 }', "units[0].personnel",
     ["> 0", "-inf"]),
    ("personnel = 3000", 'personnel = { dist = "lognormal", median = 3000, sigma = 40 }', "units[0].personnel",
     ["sigma"]),
    ("personnel = 3000", 'personnel = { dist = "uniform", low = true, high = 2000 }', "units[0].personnel.low",
     ["true"]),
    ("stochastic = false", 'stochastic = "yes"', "engine.stochastic", ["true or false", "'yes'"]),
    ("stochastic = false", "stochastic = 1", "engine.stochastic", ["true or false"]),
    ("duration_hours = 48", "duration_hours = inf", "engine.duration_hours", ["finite"]),
    ("duration_hours = 48", "duration_hours = 1e7", "engine.duration_hours", ["8784"]),
    ("combat_step_hours = 1.0", "combat_step_hours = 1e-6", "engine.combat_step_hours", ["0.05"]),
    ("x_km = 10.0", "x_km = -inf", "places[1].x_km", ["finite"]),
    ("breakpoint = 1.0\nstart = \"crossroads\"\nsource = \"test fixture\"\n\n[[units]]\nid = \"red_1\"",
     "breakpoint = 3\nstart = \"crossroads\"\nsource = \"test fixture\"\n\n[[units]]\nid = \"red_1\"",
     "units[0].breakpoint", ["(0, 1]"]),
])
def test_bad_numbers_in_the_duel(tmp_path, old, new, field, words):
    refused(tmp_path, edit(DUEL, old, new), field, *words)


@pytest.mark.parametrize(("old", "new", "field", "words"), [
    ("trucks = 100", "trucks = -1", "logistics.fleets[0].trucks", [">= 0"]),
    ("payload_tons = 2.0", "payload_tons = -1", "logistics.fleets[0].payload_tons", ["> 0"]),
    ("speed_loaded_kmh = 20", "speed_loaded_kmh = -1", "logistics.fleets[0].speed_loaded_kmh", ["> 0"]),
    ("speed_loaded_kmh = 20", "speed_loaded_kmh = 0", "logistics.fleets[0].speed_loaded_kmh", ["> 0"]),
    ("tanker_share = 0.3", "tanker_share = 3", "logistics.fleets[0].tanker_share", ["[0, 1]"]),
    ("columns = ", "columns = true #", "logistics.fleets[0].columns", ["true"]),
])
def test_bad_numbers_in_the_supply_fixture(tmp_path, old, new, field, words):
    refused(tmp_path, edit(SUPPLY, old, new), field, *words)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("pocket_breakout_share", "3", ["share", "[0, 1]"]),
    ("killed_share", "-0.1", ["[0, 1]"]),
    ("speed_foot_kmh", "0", ["> 0"]),
    ("power_p", "50", ["<= 4"]),
    ("casualty_rate_multiplier", "nan", ["finite"]),
])
def test_parameters_outside_their_range(tmp_path, name, value, words):
    text = DUEL + f'\n[parameters.{name}]\nvalue = {value}\nsource = "estimate: test"\n'
    refused(tmp_path, text, f"parameters.{name}.value", *words)


def test_every_default_parameter_is_inside_its_range():
    from nomonhan_sim.scenario.loader import _default_parameters

    for name, p in _default_parameters().items():
        entries = [p] if "value" in p else list(p.values())
        for e in entries:
            v = e["value"]
            parameter_range(name).check(Distribution.model_validate(v) if isinstance(v, dict) else float(v))


def test_a_distribution_without_upper_bound_is_judged_by_its_far_tail():
    assert limits.MEN.check(Distribution(dist="lognormal", median=1500.0, sigma=0.2, low=100.0))
    with pytest.raises(ValueError, match="once in a billion"):
        limits.MEN.check(Distribution(dist="lognormal", median=1500.0, sigma=3.0, low=100.0))
    with pytest.raises(ValueError, match="> 0"):  # below: exact, a normal without low can go negative
        limits.MEN.check(Distribution(dist="normal", mean=3000.0, sd=1.0))


# --- dates and time zones -----------------------------------------------------------------

def test_an_aware_start_beside_a_naive_buildup_is_one_line_not_a_type_error(tmp_path):
    text = edit(SUPPLY, "start = 1939-08-20T00:00:00", "start = 1939-08-20T00:00:00+08:00")
    text = edit(text, "[logistics]", "[logistics]\nbuildup_start = 1939-08-10T00:00:00")
    refused(tmp_path, text, "logistics.buildup_start", "same zone", "+0800")


def test_date_times_in_two_zones_are_refused(tmp_path):
    text = edit(DUEL, "start = 1939-08-20T06:00:00", "start = 1939-08-20T06:00:00+08:00")
    text = edit(text, 'unit = "red_1"\ntask = "hold"', 'unit = "red_1"\ntask = "hold"\ntrigger = { at = 1939-08-20T09:00:00+09:00 }')
    refused(tmp_path, text, "orders[1].trigger.at", "same zone")


def test_the_same_zone_everywhere_is_fine(tmp_path):
    text = edit(SUPPLY, "start = 1939-08-20T00:00:00", "start = 1939-08-20T00:00:00+08:00")
    text = edit(text, "[logistics]", "[logistics]\nbuildup_start = 1939-08-10T00:00:00+08:00")
    path = tmp_path / "ok.toml"
    path.write_text(text, "utf-8")
    load_scenario(path)


@pytest.mark.parametrize(("value", "words"), [("0001-01-01T00:00:00", ["400 days"]),
                                              ("1939-08-25T00:00:00", ["before engine.start"])])
def test_a_buildup_far_before_or_after_the_start(tmp_path, value, words):
    text = edit(SUPPLY, "[logistics]", f"[logistics]\nbuildup_start = {value}")
    refused(tmp_path, text, "logistics.buildup_start", *words)


@pytest.mark.parametrize(("value", "words"), [("0", ["date-time", "found 0"]), ("9999-12-31T00:00:00", ["year"])])
def test_a_start_that_is_a_number_or_out_of_the_calendar(tmp_path, value, words):
    refused(tmp_path, edit(DUEL, "start = 1939-08-20T06:00:00", f"start = {value}"), "engine.start", *words)


# --- ids ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ['"sov.iet"', '""', "Red", '"a:b"'])
def test_side_ids_that_would_make_ambiguous_column_names(tmp_path, bad):
    refused(tmp_path, edit(DUEL, "[sides.red]", f"[sides.{bad}]"), "sides.", "pattern")


def test_group_names_are_ids(tmp_path):
    text = edit(DUEL, 'personnel = 3000', 'personnel = 3000\ngroup = "left.wing"')
    refused(tmp_path, text, "units[0].group", "pattern")


# --- the ground graph -------------------------------------------------------------------------

ISLAND = '\n[[places]]\nid = "island"\nname = "Island"\nx_km = 99.0\ny_km = 99.0\nsource = "test"\n'


def test_no_routes_between_several_places():
    d = tomllib.loads(DUEL)
    for routes in ([], None):
        if routes is None:
            del d["routes"]
        else:
            d["routes"] = routes
        with pytest.raises(ScenarioError, match=r"^<scenario>: routes: expected routes joining the 3 places, found none$"):
            scenario_from_dict(d)


def test_a_supply_source_no_route_reaches(tmp_path):
    text = edit(DUEL, 'supply_sources = ["red_base"]', 'supply_sources = ["island"]')
    refused(tmp_path, text.replace("[[routes]]", ISLAND + "\n[[routes]]", 1), "sides.red.supply_sources[0]",
            "'island'", "reachable")


def test_a_rear_no_route_reaches(tmp_path):
    text = edit(DUEL, 'rear = "red_base"', 'rear = "island"')
    refused(tmp_path, text.replace("[[routes]]", ISLAND + "\n[[routes]]", 1), "sides.red.rear", "'island'")


def test_a_unit_on_an_isolated_place(tmp_path):
    text = edit(DUEL, 'start = "crossroads"', 'start = "island"')
    refused(tmp_path, text.replace("[[routes]]", ISLAND + "\n[[routes]]", 1), "units[0].start", "no route")


def test_an_objective_out_of_reach(tmp_path):
    text = DUEL.replace("[[routes]]", ISLAND + "\n[[routes]]\nfrom = \"island\"\nto = \"lagoon\"\nkm = 1.0\n"
                        "source = \"t\"\n\n[[places]]\nid = \"lagoon\"\nname = \"L\"\nx_km = 98.0\ny_km = 98.0\n"
                        "source = \"t\"\n\n[[routes]]", 1)
    text = edit(text, 'unit = "blue_1"\ntask = "hold"', 'unit = "blue_1"\ntask = "move"\nobjective = "island"')
    refused(tmp_path, text, "orders[0].objective", "'blue_1'", "'island'")


def test_a_depot_off_the_road_net_is_allowed():
    """A railhead or a depot is reached by its fleet's own km, not by routes (the supply
    tests cut Blue's supply this way)."""
    d = tomllib.loads(SUPPLY)
    d["logistics"]["depots"][1]["place"] = "rail"
    scenario_from_dict(d)


# --- sizes, special files, nesting, encodings ------------------------------------------------

def test_a_60000_place_file_is_refused_before_it_is_parsed(tmp_path):
    places = "".join(f'\n[[places]]\nid = "p{k}"\nname = "P"\nx_km = 0.0\ny_km = 0.0\nsource = "t"\n'
                     for k in range(60_000))
    msg = refused(tmp_path, DUEL + places, "file too large")
    assert f"{limits.MAX_FILE_BYTES:,}" in msg


def test_too_many_places_in_a_small_file_or_a_mapping(tmp_path):
    d = tomllib.loads(DUEL)
    d["places"] += [{"id": f"p{k}"} for k in range(limits.MAX_PLACES)]
    with pytest.raises(ScenarioError, match=r"<scenario>: places: expected at most 1,000 places, found 1,003"):
        scenario_from_dict(d)


def test_dev_zero_and_a_fifo_are_refused_without_reading(tmp_path):
    import os

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for path, what in ((fifo, "FIFO"), (Path("/dev/zero"), "character device")):
        if path.exists():
            with pytest.raises(ScenarioError, match=f"{re.escape(str(path))}: cannot read file .*{what}"):
                load_scenario(path)


@pytest.mark.parametrize("depth", [40, 1_000, 5_000])
def test_deep_nesting_is_one_line(tmp_path, depth):
    for inner in ("[" * depth + "1" + "]" * depth, "{ a = " * depth + "1" + " }" * depth):
        text = edit(DUEL, "personnel = 3000", f"personnel = {inner}")
        refused(tmp_path, text, "units[0].personnel", "nested at most 32 deep")


def test_deep_nesting_in_json_is_one_line(tmp_path):
    text = '{"scenario": {"name": ' + "[" * 5000 + "]" * 5000 + "}}"
    refused(tmp_path, text, "scenario.name", "nested", suffix=".json")


def test_json_nan_is_refused(tmp_path):
    import json

    d = json.loads(json.dumps(tomllib.loads(DUEL), default=str))
    d["units"][0]["personnel"] = math.nan
    refused(tmp_path, json.dumps(d), "units[0].personnel", "finite", suffix=".json")


# --- the documented caps are the enforced ones ------------------------------------------------

def test_the_schema_docstring_states_the_caps():
    doc = " ".join(schema.__doc__.split())
    for n in (limits.MAX_FILE_BYTES, limits.MAX_DEPTH, limits.MAX_PLACES, limits.MAX_ROUTES, limits.MAX_UNITS,
              limits.MAX_ORDERS, limits.MAX_LIST_ITEMS):
        assert f"{n:,}" in doc, n


def test_caps_leave_room_for_every_cdb90_battle():
    from nomonhan_sim.record import cdb90

    df = cdb90.usable(cdb90.load_engagements())
    assert df[["strength_a", "strength_d"]].max().max() <= limits.MAX_MEN_PER_UNIT
    assert df[["tanks_a", "tanks_d", "artillery_a", "artillery_d"]].max().max() <= limits.MAX_PIECES_PER_CLASS
    assert df["duration_days"].max() * 24 <= limits.MAX_DURATION_HOURS
    assert df["front_km_d"].max() <= limits.MAX_KM and df["year"].min() >= limits.YEARS[0]


def test_python_ints_are_numbers_and_the_model_is_unchanged():
    d = tomllib.loads(DUEL)
    d["units"][0]["personnel"] = 3000  # int, as TOML gives it
    sc = scenario_from_dict(copy.deepcopy(d))
    assert sc.model.units[0].personnel == 3000.0 and isinstance(sc.model.units[0].personnel, float)
    assert scenario_from_dict(sc.to_dict()).sha256 == sc.sha256


def test_with_changes_refuses_bool_and_nan(tmp_path):
    sc = load_scenario(FIXTURES / "duel.toml")
    for value in (True, math.nan, math.inf):
        with pytest.raises(ScenarioError, match=r"units\[0\]\.personnel"):
            sc.with_changes({"units.blue_1.personnel": value})


# --- claim files ---------------------------------------------------------------------------

CLAIM = '''[[claims]]
id = "t.one"
quantity = "t.quantity"
kind = "figure"
{value}
unit = "men"
scope = "a test claim"
source = {{ dataset = "test" }}
reliability = {{ grade = "B", reason = "test" }}
'''


@pytest.mark.parametrize(("value", "field", "words"), [
    ("value = nan", "claims[0].value", ["finite"]),
    ("value = inf", "claims[0].value", ["finite"]),
    ("value = true", "claims[0].value", ["valid number"]),
    ('value = "12"', "claims[0].value", ["'12'"]),
    ("low = 5.0\nhigh = 1.0", "claims[0]", ["low <= high"]),
    ("value = 9.0\nlow = 1.0\nhigh = 5.0", "claims[0]", ["low <= value <= high"]),
])
def test_bad_claim_files(tmp_path, value, field, words):
    (tmp_path / "bad.toml").write_text(CLAIM.format(value=value), "utf-8")
    with pytest.raises(RecordError) as info:
        load_record(tmp_path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{tmp_path / 'bad.toml'}: {field}"), msg
    for w in words:
        assert w in msg, msg


def test_a_claim_date_that_is_a_number(tmp_path):
    text = CLAIM.format(value="").replace('kind = "figure"', 'kind = "date"\ndate = 19390820')
    (tmp_path / "bad.toml").write_text(text, "utf-8")
    with pytest.raises(RecordError, match=r"claims\[0\]\.date: expected a date"):
        load_record(tmp_path)


def test_a_claim_file_not_utf8(tmp_path):
    (tmp_path / "bad.toml").write_bytes(CLAIM.format(value="value = 1.0").replace("test claim", "tést").encode("latin-1"))
    with pytest.raises(RecordError, match="UTF-8"):
        load_record(tmp_path)

