"""Rail legs: every unit at rail_speed_kmh; a line's men per day make the next unit wait;
advance_km measures how far a unit got (nomonhan_sim.model.rail)."""

from __future__ import annotations

import pytest

from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.experiment.outcomes import batch_outcomes
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from conftest import run
from test_movement import arrivals, march_dict
from test_scenario_errors import dump_toml

RAIL_SPEED = 12.5  # package default, km/h (nomonhan_sim/data/default_parameters.toml)


def rail_dict(capacity: float | None = None, second: bool = False) -> dict:
    """The march fixture of tests/test_movement.py with blue_base - crossroads (10 km) a railway."""
    d = march_dict()
    d["units"][0] |= {"personnel": 3000}
    if second:
        d["units"].insert(1, d["units"][0] | {"id": "blue_2", "name": "Blue second", "type": "rifle",
                                              "personnel": 2000})
        d["orders"].insert(1, {"unit": "blue_2", "task": "move", "objective": "crossroads"})
    d["places"][1]["holder"] = "blue"  # trains run only between places the side holds
    d["routes"][0]["road"] = "rail"
    if capacity is not None:
        d["routes"][0]["rail_capacity_men_per_day"] = capacity
    return d


def test_rail_leg_runs_at_the_rail_speed_for_any_unit_type():
    res = run(scenario_from_dict(rail_dict(), "rail"), log_events=True)
    t_rail = 10.0 / RAIL_SPEED              # 0.8 h, whatever the tank's own 10 km/h
    assert arrivals(res, 0) == [(pytest.approx(t_rail), "crossroads"), (pytest.approx(t_rail + 1.0), "red_base")]


def test_rail_speed_is_a_parameter():
    d = rail_dict()
    d["parameters"]["rail_speed_kmh"] = {"value": 40.0, "source": "test"}
    res = run(scenario_from_dict(d, "rail"), log_events=True)
    assert arrivals(res, 0)[0] == (pytest.approx(0.25), "crossroads")


def test_capacity_makes_the_second_unit_wait_until_the_first_is_through():
    cap = 24_000.0  # men per day: 1,000 men an hour
    res = run(scenario_from_dict(rail_dict(capacity=cap, second=True), "rail"), log_events=True)
    load_1 = 24.0 * 3000 / cap  # 3 h to entrain the 3,000 men of blue_1
    load_2 = 24.0 * 2000 / cap  # 2 h for blue_2's 2,000, after blue_1 is through
    assert arrivals(res, 0)[0] == (pytest.approx(load_1 + 10.0 / RAIL_SPEED), "crossroads")
    assert arrivals(res, 1) == [(pytest.approx(load_1 + load_2 + 10.0 / RAIL_SPEED), "crossroads")]


def test_without_a_capacity_nobody_waits():
    res = run(scenario_from_dict(rail_dict(second=True), "rail"), log_events=True)
    assert arrivals(res, 0)[0][0] == arrivals(res, 1)[0][0] == pytest.approx(10.0 / RAIL_SPEED)


def test_each_world_keeps_its_own_queue():
    res = run(scenario_from_dict(rail_dict(capacity=24_000.0, second=True), "rail"), R=3, log_events=True)
    second = [e[0] for e in res.log.records() if e[3] == "arrived" and e[2] == 1]
    assert second == pytest.approx([5.0 + 10.0 / RAIL_SPEED] * 3)


@pytest.mark.parametrize("mutate, field, words", [
    (lambda d: d["routes"][0].update(rail_capacity_men_per_day=-5.0),
     "routes[0].rail_capacity_men_per_day", ["greater than 0", "-5"]),
    (lambda d: d["routes"][1].update(rail_capacity_men_per_day=1000.0),
     "routes[1].rail_capacity_men_per_day", ["rail routes only", "track"]),
    (lambda d: d["routes"][0].update(road="railway"), "routes[0].road", ["'rail'", "'railway'"]),
])
def test_a_bad_rail_field_is_one_line_naming_file_and_field(tmp_path, mutate, field, words):
    d = rail_dict()
    mutate(d)
    path = tmp_path / "rail.toml"
    path.write_text(dump_toml(d), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: {field}: "), msg
    assert all(w in msg for w in words), msg


def test_advance_outcome_is_the_farthest_straight_line_distance_by_the_day():
    d = rail_dict()
    d["engine"]["duration_hours"] = 48
    d["compare"] = [{"outcome": "advance_km.blue_1.day1", "low": 0.0, "high": 100.0, "source": "test"},
                    {"outcome": "advance_km.blue_1.day0.05", "low": 0.0, "high": 100.0, "source": "test"},
                    {"outcome": "advance_km.blue_1.day3", "low": 0.0, "high": 100.0, "source": "test"}]
    sc = scenario_from_dict(d, "rail")
    res = run(sc)
    out = batch_outcomes(res)
    assert out["advance_km.blue_1.day1"] == pytest.approx([20.0])          # at red_base by hour 1.8
    # hour 1.2: crossroads (10 km) reached at 0.8 h, then 0.4 h into the 1 h track leg to red_base
    assert out["advance_km.blue_1.day0.05"] == pytest.approx([10.0 + 10.0 * (1.2 - 0.8)])
    assert out["advance_km.blue_1.day3"] == pytest.approx([20.0])          # after the run: taken at its end
    assert compile_scenario(sc).advance_targets == ((0, 1.0), (0, 0.05), (0, 3.0))


def test_advance_columns_exist_only_when_compare_names_them():
    out = batch_outcomes(run(scenario_from_dict(rail_dict(), "rail")))
    assert not [k for k in out if k.startswith("advance_km.")]


def test_no_train_runs_into_a_place_the_side_does_not_hold():
    d = rail_dict()
    d["routes"][1]["road"] = "rail"  # crossroads (blue) - red_base (red): marched as a track
    d["routes"][0]["road"] = "track"
    d["places"][1].pop("holder")
    res = run(scenario_from_dict(d, "rail"), log_events=True)
    assert arrivals(res, 0) == [(pytest.approx(1.0), "crossroads"), (pytest.approx(2.0), "red_base")]


@pytest.mark.parametrize("name", ["advance_km.blue_1.day3.0", "advance_km.blue_1.dayx", "advance_km.day3"])
def test_a_misspelt_advance_outcome_is_refused_in_compare(name):
    d = rail_dict()
    d["compare"] = [{"outcome": name, "low": 0.0, "high": 1.0, "source": "test"}]
    with pytest.raises(ScenarioError, match=r"compare\[0\]\.outcome"):
        scenario_from_dict(d, "rail")
