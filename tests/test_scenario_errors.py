"""Every mistake a user can make in a scenario file gives one clear line.

Each bad scenario is built from the valid fixture ``duel.toml``: parse it,
change one thing, write it back to ``tmp_path`` and load it. The message must
be a single line ``FILE: FIELD.PATH: what was expected, what was found``.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

import pytest

from nomonhan_sim.scenario import ScenarioError, load_scenario
from fuzz.data import dump_toml  # the tiny TOML writer (other test files import it from here)

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "duel.toml"
BASE: dict[str, Any] = tomllib.loads(FIXTURE.read_text("utf-8"))


# --- mutations of the parsed fixture ---

Mutation = Callable[[dict[str, Any]], None]


def _parent(d: Any, path: tuple) -> Any:
    for k in path[:-1]:
        d = d[k]
    return d


def set_(*path_and_value: Any) -> Mutation:
    *path, value = path_and_value

    def mutate(d: dict[str, Any]) -> None:
        _parent(d, tuple(path))[path[-1]] = value

    return mutate


def del_(*path: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        del _parent(d, path)[path[-1]]

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        for m in mutations:
            m(d)

    return mutate


def append(key: str, item: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        d.setdefault(key, []).append(item)

    return mutate


def write_scenario(tmp_path: Path, mutate: Mutation) -> Path:
    data = copy.deepcopy(BASE)
    mutate(data)
    path = tmp_path / "broken.toml"
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    """Load ``path``, expect a ScenarioError and return its one-line message."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg and "\r" not in msg, msg
    assert msg.startswith(f"{path}: "), msg
    assert "Traceback" not in msg and "pydantic" not in msg.lower(), msg
    return msg


def test_tiny_writer_round_trips_the_fixture(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, lambda d: None)
    assert tomllib.loads(path.read_text("utf-8")) == BASE
    load_scenario(path)  # and the rewritten file is still valid


# --- reading the file ---

def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "no_such_scenario.toml"
    msg = load_error(path)
    assert "not found" in msg


def test_directory_instead_of_file_is_reported(tmp_path: Path) -> None:
    msg = load_error(tmp_path)
    assert "cannot read" in msg


def test_non_utf8_file_names_the_file_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(FIXTURE.read_text("utf-8").replace("Blue force", "Blå styrke").encode("latin-1"))
    msg = load_error(path)
    assert "UTF-8" in msg and "0xe5" in msg


def test_invalid_toml_syntax_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text(FIXTURE.read_text("utf-8").replace("[engine]", "[engine"), encoding="utf-8")
    msg = load_error(path)
    assert "invalid TOML" in msg and "line" in msg


def test_wrong_type_by_text_substitution_names_unit_field(tmp_path: Path) -> None:
    path = tmp_path / "text.toml"
    path.write_text(FIXTURE.read_text("utf-8").replace("personnel = 3000", 'personnel = "many"'),
                    encoding="utf-8")
    msg = load_error(path)
    assert msg.startswith(f"{path}: units[0].personnel: ")
    assert "'many'" in msg and "number" in msg


# --- one field at a time: (mutation, field path, words the rest of the line must contain) ---

UNIFORM = {"dist": "uniform", "low": 1000.0, "high": 2000.0}

CASES: list[Any] = [
    # missing / unknown fields, wrong types
    pytest.param(del_("engine"), "engine", ["missing"], id="missing_engine_section"),
    pytest.param(del_("scenario"), "scenario", ["missing"], id="missing_scenario_section"),
    pytest.param(del_("units", 0, "personnel"), "units[0].personnel", ["missing"],
                 id="unit_without_personnel"),
    pytest.param(del_("places", 1, "source"), "places[1].source", ["missing"], id="place_without_source"),
    pytest.param(set_("units", 0, "personel", 3000), "units[0].personel", ["unknown field"],
                 id="typo_in_unit_field"),
    pytest.param(set_("engine", "duraton_hours", 5), "engine.duraton_hours", ["unknown field"],
                 id="typo_in_engine_field"),
    pytest.param(set_("egnine", {"start": BASE["engine"]["start"]}), "egnine", ["unknown field"],
                 id="typo_in_section_name"),
    pytest.param(set_("units", 0, "personnel", "many"), "units[0].personnel", ["number", "'many'"],
                 id="personnel_is_text"),
    pytest.param(set_("places", 0, "x_km", "far"), "places[0].x_km", ["number", "'far'"],
                 id="coordinate_is_text"),
    pytest.param(set_("engine", "start", "tomorrow"), "engine.start", ["datetime", "'tomorrow'"],
                 id="start_is_not_a_datetime"),
    pytest.param(set_("orders", 0, "via", "crossroads"), "orders[0].via", ["list", "'crossroads'"],
                 id="via_is_not_a_list"),
    pytest.param(del_("sides", "red"), "sides", ["at least 2"], id="only_one_side"),
    pytest.param(set_("places", 0, "id", "Blue Base"), "places[0].id", ["'Blue Base'"],
                 id="place_id_not_an_identifier"),
    # numbers out of range
    pytest.param(set_("units", 0, "personnel", -3000), "units[0].personnel", ["> 0", "-3000"],
                 id="negative_personnel"),
    pytest.param(set_("units", 0, "personnel", 0), "units[0].personnel", ["> 0", "found 0"],
                 id="zero_personnel"),
    pytest.param(set_("units", 0, "personnel", {"dist": "uniform", "low": -10.0, "high": 10.0}),
                 "units[0].personnel", ["> 0", "-10"], id="personnel_distribution_reaching_below_zero"),
    pytest.param(set_("units", 0, "breakpoint", 0.0), "units[0].breakpoint", ["(0, 1]", "found 0"],
                 id="breakpoint_zero"),
    pytest.param(set_("units", 0, "breakpoint", 1.5), "units[0].breakpoint", ["(0, 1]", "1.5"],
                 id="breakpoint_above_one"),
    pytest.param(set_("units", 0, "breakpoint", {"dist": "uniform", "low": 0.5, "high": 1.2}),
                 "units[0].breakpoint", ["(0, 1]", "1.2"], id="breakpoint_distribution_above_one"),
    pytest.param(set_("units", 1, "equipment", {"tanks": -5}), "units[1].equipment.tanks",
                 [">= 0", "-5"], id="negative_equipment"),
    pytest.param(set_("units", 1, "equipment", {"guns": 4, "tankz": 5}), "units[1].equipment.tankz",
                 ["'tanks'", "'tankz'"], id="unknown_equipment_class"),
    pytest.param(set_("engine", "duration_hours", 0), "engine.duration_hours", ["greater than 0", "0"],
                 id="zero_duration"),
    pytest.param(set_("engine", "duration_hours", -48), "engine.duration_hours", ["greater than 0", "-48"],
                 id="negative_duration"),
    pytest.param(set_("routes", 0, "km", 0), "routes[0].km", ["greater than 0"], id="zero_route_length"),
    # distributions
    pytest.param(set_("units", 0, "personnel", {"dist": "gamma", "low": 1.0, "high": 2.0}),
                 "units[0].personnel.dist", ["'uniform'", "'gamma'"], id="unknown_distribution"),
    pytest.param(set_("units", 0, "personnel", {"dist": "uniform", "low": 4000.0, "high": 3000.0}),
                 "units[0].personnel", ["low <= high", "4000", "3000"], id="uniform_low_above_high"),
    pytest.param(set_("units", 0, "personnel",
                      {"dist": "triangular", "low": 1000.0, "mode": 5000.0, "high": 3000.0}),
                 "units[0].personnel", ["low <= mode <= high", "5000"], id="triangular_mode_outside"),
    pytest.param(set_("units", 0, "personnel", {"dist": "uniform", "low": 1000.0}),
                 "units[0].personnel", ["needs high"], id="distribution_missing_parameter"),
    pytest.param(set_("units", 0, "personnel", {"dist": "normal", "mean": 3000.0}),
                 "units[0].personnel", ["needs sd"], id="normal_missing_sd"),
    pytest.param(set_("units", 0, "personnel", {"low": 1000.0, "high": 2000.0}),
                 "units[0].personnel.dist", ["missing"], id="distribution_without_dist"),
    pytest.param(set_("units", 0, "personnel", {**UNIFORM, "hihg": 3.0}),
                 "units[0].personnel.hihg", ["unknown field"], id="distribution_typo"),
    # enumerations
    pytest.param(set_("places", 1, "terrain", "jungle"), "places[1].terrain", ["'rolling_bare'", "'jungle'"],
                 id="unknown_terrain"),
    pytest.param(set_("routes", 0, "road", "highway"), "routes[0].road", ["'track'", "'highway'"],
                 id="unknown_road_class"),
    pytest.param(set_("units", 0, "type", "dragoon"), "units[0].type", ["'infantry'", "'dragoon'"],
                 id="unknown_unit_type"),
    pytest.param(set_("units", 1, "posture", "asleep"), "units[1].posture", ["'attack'", "'asleep'"],
                 id="unknown_posture"),
    pytest.param(set_("engine", "attrition_law", "cubic"), "engine.attrition_law", ["'dupuy'", "'cubic'"],
                 id="unknown_attrition_law"),
    pytest.param(set_("orders", 0, "task", "charge"), "orders[0].task", ["'attack'", "'charge'"],
                 id="unknown_task"),
    # duplicates and references between places, routes, sides and units
    pytest.param(set_("places", 2, "id", "blue_base"), "places[2].id", ["duplicate", "'blue_base'"],
                 id="duplicate_place_id"),
    pytest.param(set_("units", 1, "id", "blue_1"), "units[1].id", ["duplicate", "'blue_1'"],
                 id="duplicate_unit_id"),
    pytest.param(append("routes", {"from": "red_base", "to": "crossroads", "km": 12.0, "source": "t"}),
                 "routes[2]", ["duplicate route", "'red_base'", "'crossroads'"], id="duplicate_route"),
    pytest.param(set_("routes", 1, "to", "nowhere"), "routes[1].to", ["place id", "'nowhere'"],
                 id="route_to_unknown_place"),
    pytest.param(set_("routes", 1, "from", "nowhere"), "routes[1].from", ["place id", "'nowhere'"],
                 id="route_from_unknown_place"),
    pytest.param(set_("routes", 1, "to", "crossroads"), "routes[1].to", ["different places", "'crossroads'"],
                 id="self_loop_route"),
    pytest.param(set_("units", 0, "start", "nowhere"), "units[0].start", ["place id", "'nowhere'"],
                 id="unit_starts_at_unknown_place"),
    pytest.param(set_("units", 1, "side", "green"), "units[1].side", ["side id", "blue", "'green'"],
                 id="unit_on_unknown_side"),
    pytest.param(set_("places", 0, "holder", "green"), "places[0].holder", ["side id", "'green'"],
                 id="place_held_by_unknown_side"),
    pytest.param(set_("sides", "blue", "supply_sources", ["blue_base", "nowhere"]),
                 "sides.blue.supply_sources[1]", ["place id", "'nowhere'"], id="supply_source_unknown"),
    pytest.param(set_("sides", "blue", "supply_sources", []), "sides.blue.supply_sources", ["at least 1"],
                 id="no_supply_source"),
    pytest.param(set_("sides", "blue", "rear", "nowhere"), "sides.blue.rear", ["place id", "'nowhere'"],
                 id="side_rear_unknown"),
    # orders
    pytest.param(set_("orders", 0, "group", "left_wing"), "orders[0]", ["exactly one of unit, group", "both"],
                 id="order_with_unit_and_group"),
    pytest.param(del_("orders", 0, "unit"), "orders[0]", ["exactly one of unit, group", "neither"],
                 id="order_with_neither_unit_nor_group"),
    pytest.param(set_("orders", 0, "unit", "ghost"), "orders[0].unit", ["unit id", "'ghost'"],
                 id="order_for_unknown_unit"),
    pytest.param(both(del_("orders", 0, "unit"), set_("orders", 0, "group", "ghosts")), "orders[0].group",
                 ["group", "'ghosts'"], id="order_for_unknown_group"),
    pytest.param(set_("orders", 1, "task", "attack"), "orders[1]", ["'attack' needs objective"],
                 id="attack_without_objective"),
    pytest.param(both(set_("orders", 0, "task", "attack"), set_("orders", 0, "objective", "nowhere")),
                 "orders[0].objective", ["place id", "'nowhere'"], id="objective_unknown_place"),
    pytest.param(both(set_("orders", 0, "task", "move"), set_("orders", 0, "objective", "red_base"),
                      set_("orders", 0, "via", ["blue_base", "red_base"])),
                 "orders[0].via[0]", ["no route", "'blue_base'", "'red_base'"], id="via_places_not_joined"),
    pytest.param(both(set_("orders", 0, "task", "move"), set_("orders", 0, "objective", "red_base"),
                      set_("orders", 0, "via", ["blue_base"])),
                 "orders[0].via[0]", ["no route", "'blue_base'", "'red_base'"],
                 id="last_via_not_joined_to_objective"),
    pytest.param(both(set_("orders", 0, "task", "move"), set_("orders", 0, "objective", "red_base"),
                      set_("orders", 0, "via", ["crossroads", "nowhere"])),
                 "orders[0].via[1]", ["place id", "'nowhere'"], id="via_unknown_place"),
    pytest.param(set_("orders", 0, "trigger", {"at_hour": 2.0, "enemy_at": "crossroads"}), "orders[0].trigger",
                 ["exactly one", "at_hour, enemy_at"], id="trigger_with_two_conditions"),
    pytest.param(set_("orders", 0, "trigger", {}), "orders[0].trigger", ["exactly one", "none"],
                 id="trigger_without_condition"),
    pytest.param(set_("orders", 0, "trigger", {"unit_broken": "ghost"}), "orders[0].trigger.unit_broken",
                 ["unit id", "'ghost'"], id="trigger_unknown_unit"),
    pytest.param(set_("orders", 0, "trigger", {"unit_arrived": "ghost", "place": "crossroads"}),
                 "orders[0].trigger.unit_arrived", ["unit id", "'ghost'"], id="trigger_arrival_of_unknown_unit"),
    pytest.param(set_("orders", 0, "trigger", {"enemy_at": "nowhere"}), "orders[0].trigger.enemy_at",
                 ["place id", "'nowhere'"], id="trigger_unknown_place"),
    pytest.param(set_("orders", 0, "trigger", {"unit_arrived": "red_1", "place": "nowhere"}),
                 "orders[0].trigger.place", ["place id", "'nowhere'"], id="trigger_arrival_at_unknown_place"),
    pytest.param(set_("orders", 0, "trigger", {"unit_arrived": "red_1"}), "orders[0].trigger",
                 ["unit_arrived needs place"], id="unit_arrived_without_place"),
    pytest.param(set_("orders", 0, "trigger", {"at_hour": -1.0}), "orders[0].trigger.at_hour",
                 ["greater than or equal to 0", "-1"], id="trigger_at_negative_hour"),
    # parameters
    pytest.param(set_("parameters", {"foo": {"value": 1.0, "source": "t"}}), "parameters.foo",
                 ["unknown parameter", "square_coefficient"], id="unknown_parameter_name"),
    pytest.param(set_("parameters", {"casualty_rate_multiplier": {"green": {"value": 2.0, "source": "t"}}}),
                 "parameters.casualty_rate_multiplier.green", ["side id", "'green'"],
                 id="per_side_parameter_for_unknown_side"),
    pytest.param(set_("parameters", {"casualty_rate_multiplier": {"value": 2.0}}),
                 "parameters.casualty_rate_multiplier.source", ["missing"], id="parameter_without_source"),
    pytest.param(set_("parameters", {"casualty_rate_multiplier": {"blue": {"value": 2.0}}}),
                 "parameters.casualty_rate_multiplier.blue.source", ["missing"],
                 id="per_side_parameter_without_source"),
    pytest.param(set_("parameters", {"casualty_rate_multiplier": {"value": "double", "source": "t"}}),
                 "parameters.casualty_rate_multiplier.value", ["number", "'double'"],
                 id="parameter_value_is_text"),
    pytest.param(set_("parameters", {"square_coefficient": {
                     "value": {"dist": "uniform", "low": 2.0, "high": 1.0}, "source": "t"}}),
                 "parameters.square_coefficient.value", ["low <= high"], id="parameter_distribution_low_above_high"),
    # conditions (weather, season, air superiority, surprise, CEV)
    pytest.param(set_("conditions", {"weather": "monsoon", "source": "t"}), "conditions.weather",
                 ["'dry_sunshine_temperate'", "'monsoon'"], id="unknown_weather_row"),
    pytest.param(set_("conditions", {"air_superiority": "green", "source": "t"}), "conditions.air_superiority",
                 ["side id", "blue", "'green'"], id="air_superiority_for_unknown_side"),
    pytest.param(set_("conditions", {"surprise": {"side": "green", "level": "minor"}, "source": "t"}),
                 "conditions.surprise.side", ["side id", "'green'"], id="surprise_by_unknown_side"),
    pytest.param(set_("conditions", {"surprise": {"side": "blue", "level": "total"}, "source": "t"}),
                 "conditions.surprise.level", ["'substantial'", "'total'"], id="unknown_surprise_level"),
    pytest.param(set_("conditions", {"surprise": {"side": "blue", "level": "minor", "hours": 0.0},
                                     "source": "t"}),
                 "conditions.surprise.hours", ["greater than 0"], id="surprise_lasting_no_time"),
    pytest.param(set_("conditions", {"cev": {"green": 1.2}, "source": "t"}), "conditions.cev.green",
                 ["side id", "'green'"], id="cev_for_unknown_side"),
    pytest.param(set_("conditions", {"cev": {"blue": -1.0}, "source": "t"}), "conditions.cev.blue",
                 ["greater than 0", "-1"], id="negative_cev"),
    pytest.param(set_("conditions", {"air_superiority": "blue"}), "conditions",
                 ["expected source", "found none"], id="conditions_without_source"),
    # comparison targets
    pytest.param(set_("compare", [{"outcome": "casualties.green", "low": 1.0, "high": 2.0, "source": "t"}]),
                 "compare[0].outcome", ["outcome name", "'casualties.green'"], id="compare_unknown_outcome"),
    pytest.param(set_("compare", [{"outcome": "casualties.blue", "low": 900.0, "high": 100.0, "source": "t"}]),
                 "compare[0]", ["low <= high", "900", "100"], id="compare_low_above_high"),
]


@pytest.mark.parametrize(("mutate", "field", "words"), CASES)
def test_bad_field_names_file_field_and_value(
    tmp_path: Path, mutate: Mutation, field: str, words: list[str]
) -> None:
    path = write_scenario(tmp_path, mutate)
    msg = load_error(path)
    assert msg.startswith(f"{path}: {field}: "), msg
    rest = msg[len(f"{path}: {field}: "):]
    for word in words:
        assert word in rest, f"{word!r} not in {msg!r}"


def test_several_errors_report_the_first_and_count_the_rest(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, both(set_("units", 0, "personnel", "many"),
                                         set_("units", 1, "type", "dragoon")))
    msg = load_error(path)
    assert msg.startswith(f"{path}: units[0].personnel: ")
    assert "(and 1 more error)" in msg


def _cli_available() -> bool:
    return (importlib.util.find_spec("nomonhan_sim.__main__") is not None
            and importlib.util.find_spec("nomonhan_sim.cli") is not None)


@pytest.mark.skipif(not _cli_available(), reason="nomonhan_sim CLI (__main__.py, cli.py) not written yet")
def test_cli_validate_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, set_("units", 0, "personnel", -5))
    expected = load_error(path)
    proc = subprocess.run(
        [sys.executable, "-m", "nomonhan_sim", "validate", str(path)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    err = proc.stderr.strip()
    assert "\n" not in err, err
    assert expected in err
    assert "units[0].personnel" in err and str(path) in err
