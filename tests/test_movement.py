"""Movement takes the time the speeds imply; orders start on their triggers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nomonhan_sim.scenario import scenario_from_dict
from conftest import fixture_dict, run


def march_dict():
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["engine"]["duration_hours"] = 30
    d["units"] = [d["units"][0] | {"start": "blue_base", "type": "tank"}, d["units"][1] | {"start": "red_base"}]
    d["orders"] = [{"unit": "blue_1", "task": "move", "objective": "red_base"},
                   {"unit": "red_1", "task": "withdraw"}]
    # no contact delay on entering the enemy's zone of control (tests/test_control.py checks it)
    d["parameters"] = {"speed_motor_kmh": {"value": 10.0, "source": "test"},
                       "zoc_delay_hours": {"value": 0.0, "source": "test"},
                       "motor_deployment_hours": {"value": 0.0, "source": "test"}}
    return d


def arrivals(res, unit):
    return [(e[0], res.compiled.place_ids[e[4]]) for e in res.log.records() if e[3] == "arrived" and e[2] == unit]


def test_deterministic_march_takes_km_over_speed():
    res = run(scenario_from_dict(march_dict(), "march"), log_events=True)
    # 10 km track legs at 10 km/h; terrain rolling_bare has mobility factor 1.0
    assert arrivals(res, 0) == [(pytest.approx(1.0), "crossroads"), (pytest.approx(2.0), "red_base")]


def test_road_class_and_river_crossing_change_leg_time():
    d = march_dict()
    d["routes"][0].update(road="road", river_crossing=True)
    d["parameters"]["river_crossing_hours"] = {"value": 3.0, "source": "test"}
    res = run(scenario_from_dict(d, "march"), log_events=True)
    t_cross = 10.0 / (10.0 * 1.25) + 3.0   # road factor 1.25, plus the crossing
    assert arrivals(res, 0)[0] == (pytest.approx(t_cross), "crossroads")


def test_stochastic_delays_scatter_arrivals_around_the_nominal_time():
    d = march_dict()
    d["engine"]["stochastic"] = True
    res = run(scenario_from_dict(d, "march"), R=400, seed=3, log_events=True)
    first = np.array([e[0] for e in res.log.records() if e[3] == "arrived" and e[2] == 0
                      and res.compiled.place_ids[e[4]] == "crossroads"])
    assert first.size == 400
    assert first.std() > 0.05
    # lognormal(0, 0.2) multiplier: median 1 hour
    assert np.median(first) == pytest.approx(1.0, rel=0.05)


def test_time_trigger_starts_a_reserve():
    d = march_dict()
    d["units"][0]["posture"] = "reserve"
    d["orders"][0]["trigger"] = {"at_hour": 5.0}
    res = run(scenario_from_dict(d, "march"), log_events=True)
    assert arrivals(res, 0)[0] == (pytest.approx(6.0), "crossroads")


def test_arrival_trigger_chains_units():
    d = march_dict()
    d["units"].append(d["units"][0] | {"id": "blue_2", "name": "Blue second echelon", "posture": "reserve"})
    d["orders"].append({"unit": "blue_2", "task": "move", "objective": "crossroads",
                        "trigger": {"unit_arrived": "blue_1", "place": "red_base"}})
    res = run(scenario_from_dict(d, "march"), log_events=True)
    # blue_1 reaches red_base at 2.0 h; the trigger is seen at the 2 h combat step
    t, place = arrivals(res, 2)[0]
    assert place == "crossroads" and t == pytest.approx(3.0)


def test_attacker_halts_at_defended_place_and_fights():
    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["engine"]["stochastic"] = False
    res = run(scenario_from_dict(d, "pocket"), log_events=True)
    w, c = res.world, res.compiled
    fix = c.unit_ids.index("blue_fix")
    assert w.loc[0, fix] == c.place_ids.index("centre")
    assert w.cas[0, fix] > 0 and w.cas[0, c.unit_ids.index("red_main")] > 0


def test_withdraw_order_disengages_from_a_contested_place():
    d = copy.deepcopy(fixture_dict("duel.toml"))  # both units start at the crossroads, in contact
    d["orders"] = [{"unit": "blue_1", "task": "hold"},
                   {"unit": "red_1", "task": "hold"},
                   {"unit": "red_1", "task": "withdraw", "trigger": {"at_hour": 3.0}}]
    d["parameters"] = {"speed_foot_kmh": {"value": 4.0, "source": "test"},
                       "zoc_delay_hours": {"value": 1.25, "source": "test"}}
    res = run(scenario_from_dict(d, "duel"), log_events=True)
    # red_base is next to Blue at the crossroads: the leg ends in Blue's zone of control
    assert arrivals(res, 1) == [(pytest.approx(3.0 + 10.0 / 4.0 + 1.25), "red_base")]
