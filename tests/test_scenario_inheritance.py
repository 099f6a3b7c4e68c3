"""Scenario inheritance: a variant names a ``base`` and states only what differs.

The bundled variants are checked against their base field by field: the expected
scenario is built here from the August file's raw table by applying each variant's
stated differences by hand (not by the merge code), and the variant must load to it
exactly, and differ from its base in those fields only. The merge rules, ``[remove]``,
chains and every error are checked on the small fixtures of ``tests/fixtures/inherit``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.scenario.bundled import bundled_scenarios
from nomonhan_sim.scenario.inherit import MAX_BASES
from conftest import FIXTURES, SCENARIOS

INHERIT = FIXTURES / "inherit"
AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"
DELETE = object()


def raw(path: Path) -> dict:
    return tomllib.loads(path.read_text("utf-8"))


# --- the expected variant, by hand: the base's raw table with the stated differences -------

@dataclass(frozen=True)
class By:
    """A part of a path that selects the one list item whose ``key`` is ``value``."""

    key: str
    value: str

    def pick(self, items: list) -> dict:
        found = [it for it in items if it.get(self.key) == self.value]
        assert len(found) == 1, self
        return found[0]


def _put(d: dict, path: tuple, value: Any) -> None:
    """Set (or with DELETE remove) ``value`` at ``path``; :class:`By` parts select a list item."""
    for part in path[:-1]:
        d = part.pick(d) if isinstance(part, By) else d[part]
    if value is DELETE:
        del d[path[-1]]
    else:
        d[path[-1]] = value


def expected(base: dict, stated: dict[tuple, Any], orders_of: dict[str, list] | None = None) -> dict:
    """``base`` with each stated field set, and (``orders_of``) the orders of those units replaced
    by the given ones, as one block where the first of them stood."""
    out = copy.deepcopy(base)
    for path, value in stated.items():
        _put(out, path, value)
    if orders_of:
        first = next(i for i, o in enumerate(out["orders"]) if o["unit"] in orders_of)
        kept = [o for o in out["orders"] if o["unit"] not in orders_of]
        before = sum(1 for o in out["orders"][:first] if o["unit"] not in orders_of)
        new = [o for unit_orders in orders_of.values() for o in unit_orders]
        out["orders"] = kept[:before] + new + kept[before:]
    return out


def differences(a: Any, b: Any, path: tuple = ()) -> set[tuple]:
    """Paths where two dumped scenarios differ; list items matched by id or name when they have
    one; a distribution is one value."""
    if isinstance(a, dict) and isinstance(b, dict) and not ("dist" in a or "dist" in b):
        return {p for k in set(a) | set(b) for p in differences(a.get(k, DELETE), b.get(k, DELETE), path + (k,))}
    if isinstance(a, list) and isinstance(b, list) and a and all(isinstance(x, dict) for x in a + b):
        key = next((k for k in ("id", "name", "outcome") if all(k in x for x in a + b)), None)
        if key is not None:
            ia, ib = {x[key]: x for x in a}, {x[key]: x for x in b}
            return {p for k in set(ia) | set(ib)
                    for p in differences(ia.get(k, DELETE), ib.get(k, DELETE), path + (f"{key}={k}",))}
    return set() if a == b else {path}


def orders_by_unit(dump: dict) -> dict[str, list]:
    out: dict[str, list] = {}
    for o in dump["orders"]:
        out.setdefault(o["unit"], []).append(o)
    return out


@pytest.fixture(scope="module")
def august():
    return load_scenario(AUGUST), raw(AUGUST)


def _variant(name: str):
    path = SCENARIOS / f"khalkhin_gol_1939_august_{name}.toml"
    return path, load_scenario(path), raw(path)


SCENARIO_TEXTS = {("scenario", "name"), ("scenario", "question"), ("scenario", "description")}


def _check(august, name: str, stated: dict[tuple, Any], orders_of=None, differing: set | None = None):
    base, base_raw = august
    path, variant, var_raw = _variant(name)
    stated = {**{p: var_raw["scenario"][p[1]] for p in SCENARIO_TEXTS}, **stated}
    want = scenario_from_dict(expected(base_raw, stated, orders_of), "expected")
    assert variant.model.model_dump(mode="json") == want.model.model_dump(mode="json")
    assert variant.sha256 == want.sha256 and dict(variant.parameters) == dict(want.parameters)
    assert variant.bases == (str(AUGUST),) and var_raw["base"] == "khalkhin_gol_1939_august"
    assert var_raw["scenario"]["name"] == path.stem
    got = differences(base.model.model_dump(mode="json"), variant.model.model_dump(mode="json"))
    assert got == differing, "the variant differs from its base elsewhere than it states"
    return base, variant


def test_half_trucks_differs_from_august_only_in_the_soviet_trucks(august):
    fleet = ("logistics", "fleets", By("name", "soviet_trucks"))
    src = _variant("half_trucks")[2]["logistics"]["fleets"][0]["source"]
    assert src.startswith("variant half_trucks: trucks halved, 2,636 / 2 = 1,318 to 4,000 / 2 = 2,000. km - derived")
    base, v = _check(august, "half_trucks", {
        fleet + ("trucks",): {"dist": "uniform", "low": 1318.0, "high": 2000.0}, fleet + ("source",): src},
        differing=SCENARIO_TEXTS | {("logistics", "fleets", "name=soviet_trucks", f) for f in ("trucks", "source")})
    assert base.model.logistics.fleets[0].trucks.low == 2636.0 and v.model.logistics.fleets[0].trucks.high == 2000.0


def test_japanese_trucks_differs_from_august_only_in_the_japanese_trucks(august):
    fleet = ("logistics", "fleets", By("name", "japanese_trucks"))
    src = _variant("japanese_trucks")[2]["logistics"]["fleets"][0]["source"]
    assert src.startswith("variant japanese_trucks: trucks = the Soviet fleet's range, 2,636 [VORO-18] to 4,000")
    _check(august, "japanese_trucks", {
        fleet + ("trucks",): {"dist": "uniform", "low": 2636.0, "high": 4000.0}, fleet + ("source",): src},
        differing=SCENARIO_TEXTS | {("logistics", "fleets", "name=japanese_trucks", f) for f in ("trucks", "source")})


def test_stocks_given_differs_from_august_only_in_the_build_up_and_the_depot_stocks(august):
    var = _variant("stocks_given")[2]
    sov, jap = By("id", "tamsag_bulak_depot"), By("id", "japanese_rear_depot")
    u = lambda low, high: {"dist": "uniform", "low": low, "high": high}  # noqa: E731
    stated = {
        ("logistics", "buildup_start"): DELETE,
        ("logistics", "source"): var["logistics"]["source"],
        ("logistics", "depots", sov, "stock"): {"ammunition": 24500.0, "fuel": 7500.0, "food_water": 4000.0,
                                                "other": 3000.0},
        ("logistics", "depots", sov, "source"): var["logistics"]["depots"][0]["source"],
        ("logistics", "depots", jap, "stock"): {"ammunition": u(7200.0, 14300.0), "fuel": u(510.0, 1010.0),
                                                "food_water": u(1100.0, 2200.0), "other": u(690.0, 1380.0)},
        ("logistics", "depots", jap, "source"): var["logistics"]["depots"][1]["source"],
    }
    assert "[NOVIKOV-5]" in var["logistics"]["depots"][0]["source"]
    depot = lambda i, f: ("logistics", "depots", f"id={i}", f)  # noqa: E731
    classes = ("ammunition", "fuel", "food_water", "other")
    _, v = _check(august, "stocks_given", stated, differing=SCENARIO_TEXTS | {
        ("logistics", "buildup_start"), ("logistics", "source"),
        depot("tamsag_bulak_depot", "source"), depot("japanese_rear_depot", "source"),
        *(depot(d, "stock") + (c,) for d in ("tamsag_bulak_depot", "japanese_rear_depot") for c in classes)})
    assert v.model.logistics.buildup_start is None


FRONTAL_UNITS = ["rr_80", "rd57_r2", "rd57_r3", "ar185", "mcd_2", "mab8", "tb6", "rr_601", "mcd_6", "tb11",
                 "mab7", "mab9"]


def test_frontal_differs_from_august_only_in_the_orders_of_the_flank_groups(august):
    base, base_raw = august
    var = _variant("frontal")[2]
    assert list(dict.fromkeys(o["unit"] for o in var["orders"])) == FRONTAL_UNITS
    given = {u: [o for o in var["orders"] if o["unit"] == u] for u in FRONTAL_UNITS}
    _, v = _check(august, "frontal", {}, orders_of=given, differing=SCENARIO_TEXTS | {("orders",)})
    was, now = orders_by_unit(base.model.model_dump(mode="json")), orders_by_unit(v.model.model_dump(mode="json"))
    assert {u for u in set(was) | set(now) if was.get(u) != now.get(u)} == set(FRONTAL_UNITS)
    assert set(was) == set(now)  # every unit keeps orders; the others' are the base's


def test_no_surprise_differs_from_august_only_in_having_no_surprise(august):
    base, v = _check(august, "no_surprise", {("conditions", "surprise"): DELETE},
                     differing=SCENARIO_TEXTS | {("conditions", "surprise")})
    assert base.model.conditions.surprise is not None and v.model.conditions.surprise is None


def test_air_parity_differs_from_august_only_in_the_air_superiority(august):
    src = _variant("air_parity")[2]["conditions"]["source"]
    assert src.startswith("variant air_parity: no air superiority (parity) - counterfactual, no source")
    base, v = _check(august, "air_parity", {("conditions", "air_superiority"): DELETE, ("conditions", "source"): src},
                     differing=SCENARIO_TEXTS | {("conditions", "air_superiority"), ("conditions", "source")})
    assert base.model.conditions.air_superiority == "soviet" and v.model.conditions.air_superiority is None


def test_7th_division_differs_from_august_only_by_one_added_unit_and_its_orders(august):
    base, base_raw = august
    var = _variant("7th_division")[2]
    (unit,) = var["units"]
    assert unit["id"] == "ir7_rest" and unit["personnel"] == 8000 and "[KAMIIE-15]" in unit["source"]
    assert {o["unit"] for o in var["orders"]} == {"ir7_rest"}
    want = copy.deepcopy(base_raw)
    want["units"].append(unit)        # a new id goes to the end of the list
    want["orders"] += var["orders"]   # orders of a unit the base has none for go at the end
    for k in ("name", "question", "description"):
        want["scenario"][k] = var["scenario"][k]
    path, v, _ = _variant("7th_division")
    assert v.model.model_dump(mode="json") == scenario_from_dict(want, "expected").model.model_dump(mode="json")
    got = differences(base.model.model_dump(mode="json"), v.model.model_dump(mode="json"))
    assert got == SCENARIO_TEXTS | {("units", "id=ir7_rest"), ("orders",)}
    assert len(v.model.orders) == len(base.model.orders) + 2


@pytest.mark.parametrize("s", [s for s in bundled_scenarios() if "base" in raw(s.path)], ids=lambda s: s.short_name)
def test_every_inheriting_bundled_variant_is_short_and_says_what_differs(s):
    text = s.path.read_text("utf-8")
    base = raw(s.path)["base"]
    assert len(text.splitlines()) < 400 and text.startswith(f"# VARIANT of {base}.toml")
    assert "What differs from the base" in text and "How this file inherits" in text
    assert s.load().bases


# --- the merge rules, on the fixtures -----------------------------------------------------

@pytest.fixture(scope="module")
def small():
    return load_scenario(INHERIT / "base_three.toml").model, load_scenario(INHERIT / "variant_small.toml").model


def test_a_table_merges_key_by_key(small):
    base, v = small
    assert v.engine.duration_hours == 24 and base.engine.duration_hours == 12
    assert v.engine.model_dump(exclude={"duration_hours"}) == base.engine.model_dump(exclude={"duration_hours"})
    assert v.scenario.description == base.scenario.description and v.scenario.name == "variant_small"


def test_an_item_with_a_known_id_merges_its_keys_and_a_new_id_is_appended(small):
    base, v = small
    assert [u.id for u in v.units] == [u.id for u in base.units] + ["red_reserve"]
    hold, was = v.units[0], base.units[0]
    assert hold.personnel == 2500 and hold.equipment == {"tanks": 50, "guns": 12}  # tanks changed, guns kept
    assert hold.model_dump(exclude={"personnel", "equipment"}) == was.model_dump(exclude={"personnel", "equipment"})
    assert v.units[2] == base.units[2]


def test_a_distribution_is_replaced_whole(small):
    base, v = small
    p = v.units[1].personnel
    assert base.units[1].personnel.dist == "uniform"
    assert (p.dist, p.mean, p.sd, p.low, p.high) == ("normal", 1000, 50, 700, None)  # no high left from the base


def test_a_units_orders_replace_all_its_base_orders_in_place(small):
    base, v = small
    assert [(o.unit, o.task) for o in base.orders] == [("blue_hold", "hold"), ("blue_march", "move"),
                                                      ("blue_march", "defend"), ("red_hold", "hold")]
    assert [(o.unit, o.task) for o in v.orders] == [("blue_hold", "hold"), ("blue_march", "attack"),
                                                   ("red_reserve", "hold"), ("red_hold", "hold")]
    assert v.orders[0] == base.orders[0] and v.orders[3] == base.orders[3]


def test_compare_merges_by_outcome_routes_by_their_places_other_lists_whole(small):
    base, v = small
    assert [(c.outcome, c.low, c.high) for c in v.compare] == [("casualties.blue", 100, 300),
                                                               ("casualties.red", 50, 200)]
    assert len(v.routes) == 2 and (v.routes[0].from_, v.routes[0].to, v.routes[0].km) == ("middle", "west", 12.0)
    assert v.routes[0].source == base.routes[0].source and v.routes[1] == base.routes[1]
    assert base.sides["blue"].supply_sources == ["west"] and v.sides["blue"].supply_sources == ["middle"]
    assert v.phases == base.phases and v.places == base.places


def test_a_parameters_value_changes_and_its_source_is_inherited(small):
    base, v = small
    p, q = base.parameters["dupuy_attacker_rate"], v.parameters["dupuy_attacker_rate"]
    assert (q.value, q.unit, q.source) == (0.04, p.unit, p.source) and p.value == 0.03


def test_remove_drops_items_orders_and_keys_of_the_base():
    base = load_scenario(INHERIT / "base_three.toml")
    v = load_scenario(INHERIT / "variant_remove.toml")
    assert [u.id for u in v.model.units] == ["blue_hold", "red_hold"]
    assert [o.unit for o in v.model.orders] == ["blue_hold", "red_hold"]
    assert [p.id for p in v.model.phases] == ["first"] and [c.outcome for c in v.model.compare] == ["casualties.blue"]
    assert v.model.parameters == {} and v.parameters["dupuy_attacker_rate"] != base.parameters["dupuy_attacker_rate"]
    assert v.model.scenario.question == "" and base.model.scenario.question


def test_a_chain_of_bases_merges_from_the_farthest():
    v = load_scenario(INHERIT / "variant_chain.toml")
    assert v.bases == (str(INHERIT / "variant_small.toml"), str(INHERIT / "base_three.toml"))
    assert v.model.engine.duration_hours == 36 and v.model.units[0].personnel == 2500
    assert v.model.units[-1].id == "red_reserve" and v.model.units[-1].personnel == 800


def test_the_hash_covers_the_merged_content_so_a_changed_base_changes_the_variant(tmp_path):
    for name in ("base_three.toml", "variant_small.toml"):
        shutil.copyfile(INHERIT / name, tmp_path / name)
    before = load_scenario(tmp_path / "variant_small.toml")
    assert before.sha256 == load_scenario(INHERIT / "variant_small.toml").sha256
    base = tmp_path / "base_three.toml"
    base.write_text(base.read_text("utf-8").replace("km = 11.2", "km = 11.5"), encoding="utf-8")
    after = load_scenario(tmp_path / "variant_small.toml")
    assert after.sha256 != before.sha256 and after.model.routes[1].km == 11.5


def test_the_merged_scenario_as_data_needs_no_base_and_keeps_its_hash():
    v = load_scenario(INHERIT / "variant_small.toml")
    d = v.to_dict()
    assert "base" not in d and "remove" not in d
    again = scenario_from_dict(json.loads(json.dumps(d)), "copy")
    assert again.sha256 == v.sha256 and again.bases == ()
    assert v.with_changes({"engine.duration_hours": 30}).model.engine.duration_hours == 30


def test_a_dict_built_in_python_may_name_a_base():
    d = {"base": "base_three.toml", "engine": {"duration_hours": 24}}
    v = scenario_from_dict(d, "built", folder=INHERIT)
    assert v.model.engine.duration_hours == 24 and d == {"base": "base_three.toml", "engine": {"duration_hours": 24}}
    frontal = scenario_from_dict({"base": "august_frontal"}, "built")  # a bundled short name
    assert frontal.model == load_scenario(SCENARIOS / "khalkhin_gol_1939_august_frontal.toml").model


# --- errors: one line, naming the file, the line and the field ----------------------------

def _variant_file(tmp_path: Path, text: str) -> Path:
    shutil.copyfile(INHERIT / "base_three.toml", tmp_path / "base_three.toml")
    (tmp_path / "v.toml").write_text(text, encoding="utf-8")
    return tmp_path / "v.toml"


def _error(path: Path) -> str:
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


B = 'base = "base_three.toml"\n'


@pytest.mark.parametrize("text, want", [
    # schema errors in keys the variant gives: the variant's file, line and own field path
    (B + '\n[[units]]\nid = "blue_hold"\npersonnel = -5\n', "{v}:5: units[0].personnel: expected a number of men > 0"),
    (B + '[engine]\nfoo = 1\n', "{v}:3: engine.foo: unknown field"),
    (B + '\n[[units]]\nid = "new_unit"\nside = "blue"\n', "{v}:3: units[0].name: required field is missing"),
    (B + '[[orders]]\nunit = "blue_march"\ntask = "attack"\nobjective = "nowhere"\n',
     "{v}:5: orders[0].objective: expected a place id, found 'nowhere'"),
    (B + '[[units]]\nid = "blue_hold"\n[[units]]\nid = "blue_hold"\n',
     "{v}:4: units[1]: the unit 'blue_hold' is given twice in this file (first as units[0])"),
    # the base
    ('base = "base_thre.toml"\n', "{v}:1: base: no file 'base_thre.toml' in {d} (this file's folder) and no bundled "
     "scenario of that name; did you mean 'base_three.toml'?"),
    ('base = "augst"\n', "{v}:1: base: no file 'augst' in {d} (this file's folder) and no bundled scenario of that "
     "name; did you mean 'august'?"),
    ('base = "./missing.toml"\n', "{v}:1: base: file not found ({d}/missing.toml)"),
    ('base = 3\n', "{v}:1: base: expected a bundled scenario name or a path relative to this file's folder, found 3"),
    ('base = "v.toml"\n', "{v}:1: base: a cycle of bases: {v} -> {v}"),
    ('base = "broken.toml"\n', "{v}:1: base: the base does not load: {d}/broken.toml: invalid TOML"),
    # remove
    (B + 'remove = { units = ["blue_hol"] }\n',
     "{v}:2: remove.units[0]: the base has no unit 'blue_hol' to remove; did you mean 'blue_hold'?"),
    (B + 'remove = { orders = ["red_reserve"] }\n',
     "{v}:2: remove.orders[0]: the base has no orders for unit 'red_reserve' to remove"),
    (B + 'remove = { units = [3] }\n', "{v}:2: remove.units[0]: expected the id of a unit, found 3"),
    (B + 'remove = { compare = ["casualties.green"] }\n', "{v}:2: remove.compare[0]: the base has no compare "
     "target 'casualties.green' to remove; did you mean 'casualties.red'?"),
    (B + '[remove]\nengine.nothing = true\n', "{v}:3: remove.engine.nothing: the base has no engine.nothing to remove"),
    (B + '[remove]\nengine.duration_hours = false\n', "{v}:3: remove.engine.duration_hours: expected true, found False"),
    (B + '[remove]\nroutes = ["west"]\n', "{v}:3: remove.routes[0]: expected a pair of place ids [from, to]"),
    (B + 'remove = "units"\n', "{v}:2: remove: expected a table of what to remove from the base"),
    ('remove = { units = ["a"] }\n', "{v}:1: remove: remove needs a base"),
    # a key the variant removes that the base still uses: the base's file and line, inherited by the variant
    (B + 'remove = { units = ["blue_hold"] }\n',
     "{d}/base_three.toml:92 (inherited by {v}): orders[0].unit: expected a unit id, found 'blue_hold'"),
])
def test_an_error_is_one_line_naming_the_file_its_line_and_the_field(tmp_path, text, want):
    path = _variant_file(tmp_path, text)
    (tmp_path / "broken.toml").write_text("[scenario\n")
    msg = _error(path)
    assert msg.startswith(want.format(v=path, d=tmp_path)), msg


def test_an_error_inherited_from_the_base_names_the_base_file_and_line(tmp_path):
    path = _variant_file(tmp_path, B + '[scenario]\nname = "v"\n')
    base = tmp_path / "base_three.toml"
    base.write_text(base.read_text("utf-8").replace("personnel = 2000\nstart = \"east\"",
                                                    "personnel = -1\nstart = \"east\""), encoding="utf-8")
    line = base.read_text("utf-8").splitlines().index("personnel = -1") + 1
    assert _error(path).startswith(f"{base}:{line} (inherited by {path}): units[2].personnel: expected a number")


def test_a_cycle_of_bases_is_refused():
    msg = _error(INHERIT / "cycle_a.toml")
    assert "a cycle of bases: " in msg and msg.count("cycle_a.toml") == 3 and "cycle_b.toml" in msg


def test_a_chain_deeper_than_the_cap_is_refused(tmp_path):
    shutil.copyfile(INHERIT / "base_three.toml", tmp_path / "f0.toml")
    for i in range(1, MAX_BASES + 2):
        (tmp_path / f"f{i}.toml").write_text(f'base = "f{i - 1}.toml"\n')
    assert load_scenario(tmp_path / f"f{MAX_BASES}.toml").bases[-1] == str(tmp_path / "f0.toml")
    msg = _error(tmp_path / f"f{MAX_BASES + 1}.toml")
    assert re.search(rf"base: expected a chain of at most {MAX_BASES} bases, found a longer one", msg)


def test_validate_names_the_variants_file_and_line_and_exits_2(tmp_path, capsys):
    path = _variant_file(tmp_path, B + '\n[engine]\nduration_hours = "long"\n')
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"{path}:4: engine.duration_hours: ")
    assert main(["validate", "august_frontal"]) == 0
    assert capsys.readouterr().out.startswith("OK august_frontal: ")


# --- a results folder of a variant --------------------------------------------------------

def test_a_results_folder_of_a_variant_keeps_the_merged_scenario_and_compares(tmp_path, capsys):
    out = tmp_path / "X"
    assert main(["run", "august_frontal", "-n", "4", "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario_file"] == "scenario.json" and not (out / "scenario.toml").exists()
    copy_ = load_scenario(out / "scenario.json")  # self-contained: no base left in it
    assert copy_.bases == () and copy_.sha256 == manifest["scenario_sha256"]
    assert copy_.sha256 == load_scenario(SCENARIOS / "khalkhin_gol_1939_august_frontal.toml").sha256
    moved = tmp_path / "moved"
    out.rename(moved)
    capsys.readouterr()
    assert main(["compare", str(moved)]) == 0
    assert "khalkhin_gol_1939_august_frontal: 4 replicates" in capsys.readouterr().out


# --- the documentation's examples ----------------------------------------------------------

def test_the_examples_of_docs_scenarios_load():
    text = (SCENARIOS.parent / "docs" / "scenarios.md").read_text("utf-8")
    variant, removal = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(variant.strip().splitlines()) == 5
    v = scenario_from_dict(tomllib.loads(variant), "docs example")
    tb11 = next(u for u in v.model.units if u.id == "tb11")
    assert (tb11.equipment["tanks"].low, tb11.equipment["tanks"].high) == (50, 91) and tb11.personnel == 3200
    r = scenario_from_dict(tomllib.loads('base = "august"\n' + removal), "docs removal")
    assert "mcd_6" not in {u.id for u in r.model.units} and r.model.logistics.buildup_start is None
    assert not {frozenset((x.from_, x.to)) for x in r.model.routes} & {frozenset(("noro", "remizov"))}


def test_validate_names_the_base_a_variant_inherits_from(capsys):
    assert main(["validate", "august_frontal"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("OK august_frontal: ") and out.endswith("; inherits from khalkhin_gol_1939_august.toml")
    assert main(["validate", "august"]) == 0
    assert "inherits" not in capsys.readouterr().out
