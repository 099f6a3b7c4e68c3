"""Control needs presence; zones of control delay columns; broken units rally and return."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.scenario import scenario_from_dict
from conftest import run


def _line(n: int = 5, km: float = 10.0) -> dict:
    """Places p0..p{n-1} on a line ``km`` apart; blue's base p0, red's base the last."""
    places = [{"id": f"p{i}", "name": f"Place {i}", "x_km": i * km, "y_km": 0.0, "source": "test"}
              for i in range(n)]
    places[0]["holder"], places[-1]["holder"] = "blue", "red"
    return {
        "scenario": {"name": "line", "description": "test: a line of places"},
        "engine": {"start": "1939-08-20T06:00:00", "duration_hours": 60, "combat_step_hours": 1.0,
                   "attrition_law": "dupuy", "stochastic": False},
        "sides": {"blue": {"name": "Blue", "supply_sources": ["p0"], "rear": "p0"},
                  "red": {"name": "Red", "supply_sources": [f"p{n - 1}"], "rear": f"p{n - 1}"}},
        "places": places,
        "routes": [{"from": f"p{i}", "to": f"p{i + 1}", "km": km, "source": "test"} for i in range(n - 1)],
        "units": [], "orders": [],
        "parameters": {name: {"value": v, "source": "test"} for name, v in
                       {"control_min_men": 100.0, "control_min_hours": 3.0, "zoc_delay_hours": 0.0,
                        "motor_deployment_hours": 0.0, "speed_motor_kmh": 10.0, "speed_foot_kmh": 5.0,
                        "rally_hours": 10.0}.items()},
    }


def _unit(uid: str, side: str, start: str, men: float, utype: str = "rifle", **more) -> dict:
    return {"id": uid, "side": side, "name": uid, "type": utype, "echelon": "battalion",
            "personnel": men, "posture": "hasty", "breakpoint": 1.0, "start": start,
            "source": "test"} | more


def _params(d: dict, **values) -> dict:
    for name, v in values.items():
        d["parameters"][name] = {"value": v, "source": "test"}
    return d


def _events(res, kind: str):
    return [e for e in res.log.records() if e[3] == kind]


def _captures(res, place: str):
    c = res.compiled
    return [e[0] for e in _events(res, "captured") if c.place_ids[e[4]] == place]


def _arrivals(res, unit: int):
    c = res.compiled
    return [(e[0], c.place_ids[e[4]]) for e in _events(res, "arrived") if e[2] == unit]


def _march_scenario(utype: str = "tank") -> dict:
    d = _line(5)
    d["units"] = [_unit("column", "blue", "p0", 500, utype),
                  _unit("enemy", "red", "p4", 500, "infantry")]
    d["orders"] = [{"unit": "column", "task": "defend", "objective": "p3", "via": ["p1", "p2"]},
                   {"unit": "enemy", "task": "defend"}]
    return d


def test_a_column_passing_an_empty_place_does_not_take_it():
    res = run(scenario_from_dict(_march_scenario(), "line"), log_events=True)
    c, w = res.compiled, res.world
    assert [p for _, p in _arrivals(res, 0)] == ["p1", "p2", "p3"]
    for passed in ("p1", "p2"):
        assert w.control[0, c.place_ids.index(passed)] == -1
        assert _captures(res, passed) == []


def test_holding_a_place_for_the_minimum_time_takes_it():
    res = run(scenario_from_dict(_march_scenario(), "line"), log_events=True)
    c, w = res.compiled, res.world
    arrived = _arrivals(res, 0)[-1][0]                  # 3 legs of 10 km at 10 km/h
    assert arrived == pytest.approx(3.0)
    # held from the first combat step at or after arrival, for control_min_hours = 3
    assert _captures(res, "p3") == [pytest.approx(np.ceil(arrived) + 3.0)]
    assert w.control[0, c.place_ids.index("p3")] == c.side_ids.index("blue")


def test_too_small_a_detachment_does_not_take_a_place():
    d = _params(_march_scenario(), control_min_men=600.0)
    res = run(scenario_from_dict(d, "line"), log_events=True)
    assert _captures(res, "p3") == []


@pytest.mark.parametrize("utype, extra", [("tank", 1.5 + 0.7), ("rifle", 1.5)])
def test_a_zone_of_control_delays_a_column_by_the_documented_time(utype, extra):
    d = _params(_march_scenario(utype), zoc_delay_hours=1.5, motor_deployment_hours=0.7)
    res = run(scenario_from_dict(d, "line"), log_events=True)
    speed = 10.0 if utype == "tank" else 5.0
    leg = 10.0 / speed
    # p1 and p2 are out of the enemy's zone (it stands at p4); p3 is next to it
    assert _arrivals(res, 0) == [(pytest.approx(leg), "p1"), (pytest.approx(2 * leg), "p2"),
                                 (pytest.approx(3 * leg + extra), "p3")]


def test_an_exit_is_cut_only_by_a_force_that_holds_or_screens_it():
    """Red at p2 traces supply to p4 through p3; Blue took p3 and left: p3 is Blue's but
    cuts nothing until a Blue force stands on it or next to it."""
    d = _line(5)
    d["places"][3]["holder"] = "blue"          # taken earlier, now empty
    d["units"] = [_unit("red_main", "red", "p2", 1000, "infantry"),
                  _unit("blue_far", "blue", "p0", 200)]
    d["orders"] = [{"unit": "red_main", "task": "defend"}, {"unit": "blue_far", "task": "defend"}]
    d["engine"]["duration_hours"] = 3
    res = run(scenario_from_dict(d, "line"))
    assert not res.world.encircled[0, 0]
    d["units"][1]["start"] = "p3"              # now a force holds it
    res = run(scenario_from_dict(d, "line"))
    assert res.world.encircled[0, 0]


def _rally_scenario() -> dict:
    """Red attacks Blue's dug-in battalion at p1, breaks, falls back, rallies and attacks again."""
    d = _line(6)
    d["engine"]["duration_hours"] = 90
    d["units"] = [_unit("blue_hold", "blue", "p1", 3000, posture="prepared"),
                  _unit("red_atk", "red", "p1", 2000, "infantry", breakpoint=0.05, posture="attack")]
    d["orders"] = [{"unit": "blue_hold", "task": "hold"},
                   {"unit": "red_atk", "task": "attack", "objective": "p1"}]
    return d


def test_a_broken_unit_falls_back_out_of_contact_rallies_and_returns_to_the_fight():
    res = run(scenario_from_dict(_rally_scenario(), "line"), log_events=True, trace_worlds=[0])
    c = res.compiled
    red = c.unit_ids.index("red_atk")
    broke = [e[0] for e in _events(res, "broke") if e[2] == red]
    rallied = [(e[0], c.place_ids[e[4]]) for e in _events(res, "rallied") if e[2] == red]
    assert broke and rallied
    # it fell back past p2 (next to Blue at p1, in its zone of control) and rested at p3
    assert rallied[0][1] == "p3"
    arrive_p3 = [t for t, p in _arrivals(res, red) if p == "p3" and t < rallied[0][0]][-1]
    assert rallied[0][0] - arrive_p3 == pytest.approx(10.0, abs=1.0)   # rally_hours
    # after rallying it went back to p1 and fought again: its losses went on growing
    back = [t for t, p in _arrivals(res, red) if p == "p1" and t > rallied[0][0]]
    assert back
    tr = res.trace
    t = np.asarray(tr.t)
    cas = tr.array("pers")[:, 0, red]
    at_rally = cas[np.searchsorted(t, rallied[0][0])]
    assert cas[-1] < at_rally                          # fewer men: losses continued
    assert len(broke) >= 2 and broke[1] > back[0]      # and it broke again on its new reference


def test_men_are_conserved_at_every_step_through_break_and_rally():
    res = run(scenario_from_dict(_rally_scenario(), "line"), log_events=True, trace_worlds=[0])
    w, tr = res.world, res.trace
    pers = tr.array("pers")[:, 0, :]
    # men only ever leave a unit (no replacements here) and end as pers + casualties
    assert (np.diff(pers, axis=0) <= 1e-9).all()
    np.testing.assert_allclose(w.pers + w.cas + w.pocket_cas, w.pers0)


@pytest.mark.parametrize("utype, arrival", [("tank", 13.0 + 0.5 + 0.5 / 0.5), ("rifle", 13.0 + 2.0)])
def test_a_motorised_column_marching_into_the_night_goes_at_the_night_factor(utype, arrival):
    d = _params(_line(5), night_march_speed_factor=0.5)
    d["engine"]["night"] = ["19:30", "05:00"]          # hour 0 = 06:00, so dusk is hour 13.5
    d["units"] = [_unit("column", "blue", "p0", 500, utype, posture="reserve"),
                  _unit("enemy", "red", "p4", 500, "infantry")]
    d["orders"] = [{"unit": "column", "task": "move", "objective": "p1", "trigger": {"at_hour": 13.0}},
                   {"unit": "enemy", "task": "defend"}]
    res = run(scenario_from_dict(d, "line"), log_events=True)
    assert _arrivals(res, 0) == [(pytest.approx(arrival), "p1")]


def test_night_march_hours_across_dawn_and_over_a_whole_night():
    from nomonhan_sim.model.daylight import march_hours
    window = (6.0, 19.5, 5.0)                          # hour 0 at 06:00; dark 19:30-05:00
    t0 = np.array([13.0, 22.0, 10.0])                   # 19:00, 04:00 next day, 16:00
    day = np.array([1.0, 2.0, 8.0])
    got = march_hours(window, t0, day, np.full(3, 0.5))
    # 0.5 h light + 0.5 h of work at half speed; 1 h dark (0.5 done) then 1.5 h light;
    # 3.5 h light (3.5 done), then the 4.5 h left take 9 h of the 9.5 h night
    np.testing.assert_allclose(got, [0.5 + 1.0, 1.0 + 1.5, 3.5 + 9.0])
    # a longer march runs into the next day: 8 + 0.5 h -> 0.25 h after dawn at full speed
    assert march_hours(window, t0[2:], np.array([8.5]), np.array([0.5]))[0] == pytest.approx(3.5 + 9.5 + 0.25)


@pytest.mark.parametrize("night", [[3600, 18000], [True, "05:00"], [68400.0, "05:00"]])
def test_night_times_given_as_numbers_are_refused_with_one_clear_line(night):
    """A number is not a clock time (pydantic would read it as seconds after midnight, UTC)."""
    from nomonhan_sim.scenario import ScenarioError

    d = _line(5)
    d["engine"]["night"] = night
    with pytest.raises(ScenarioError, match=r"engine\.night\[0\]: expected a clock time such as 19:30") as e:
        scenario_from_dict(d, "line")
    assert "\n" not in str(e.value)


def _replacement_scenario(**rep) -> dict:
    d = _rally_scenario()
    d["replacements"] = [{"unit": "red_atk", "at_hour": 20.0, "men": 500.0, "source": "test"} | rep]
    return d


def test_replacements_join_at_their_hour_and_men_are_conserved():
    res = run(scenario_from_dict(_replacement_scenario(), "line"), log_events=True, trace_worlds=[0])
    c, w, tr = res.compiled, res.world, res.trace
    red = c.unit_ids.index("red_atk")
    joined = [e[0] for e in _events(res, "replaced") if e[2] == red]
    assert joined == [pytest.approx(20.0)]
    t = np.asarray(tr.t)
    pers = tr.array("pers")[:, 0, red]
    i = int(np.searchsorted(t, 20.0))
    assert pers[i] > pers[i - 1]                       # the only rise of the whole run
    assert (np.diff(pers) > 0).sum() == 1
    np.testing.assert_allclose(w.pers + w.cas + w.pocket_cas, w.pers0 + w.extra["replaced_men"])
    assert w.extra["replaced_men"][0, red] == 500.0


def test_a_replacement_for_an_unknown_unit_is_rejected_with_one_clear_line():
    from nomonhan_sim.scenario import ScenarioError
    with pytest.raises(ScenarioError, match=r"replacements\[0\]\.unit: expected a unit id, found 'nobody'"):
        scenario_from_dict(_replacement_scenario(unit="nobody"), "line")
    with pytest.raises(ScenarioError, match=r"replacements\[0\]\.equipment\.tanks: unit 'red_atk' has no tanks"):
        scenario_from_dict(_replacement_scenario(equipment={"tanks": 5}), "line")


def test_an_attack_order_stands_on_its_objective_until_it_is_taken():
    """Attack p2, then move on to p1: the unit waits at p2 for control_min_hours first."""
    d = _line(5)
    d["units"] = [_unit("column", "blue", "p0", 500, "tank"), _unit("enemy", "red", "p4", 500, "infantry")]
    d["orders"] = [{"unit": "column", "task": "attack", "objective": "p2"},
                   {"unit": "column", "task": "move", "objective": "p1"},
                   {"unit": "enemy", "task": "defend"}]
    res = run(scenario_from_dict(d, "line"), log_events=True)
    arr = _arrivals(res, 0)
    assert [p for _, p in arr] == ["p1", "p2", "p1"]
    taken = _captures(res, "p2")
    assert taken == [pytest.approx(np.ceil(arr[1][0]) + 3.0)]
    # the order is seen complete when the unit is planned at the end of that step, and the
    # next order starts at the next combat step (1 h later); then 10 km at 10 km/h
    assert arr[2][0] == pytest.approx(taken[0] + 1.0 + 1.0)
