"""Orders a researcher needs: date, event and relative triggers; pause and pull_back.

Each trigger and task runs in a tiny scenario built here from the fixtures
(``duel.toml``: blue_base - crossroads - red_base, 10 km legs; ``pocket.toml``: two
pincers closing behind a defended centre) and fires at the step that sees its
condition; each bad form is rejected with one line naming the order and the field.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from conftest import fixture_dict, run
from nomonhan_sim.cli import main
from nomonhan_sim.engine.compiled import TRIG_TIME, compile_scenario
from nomonhan_sim.engine.state import OUT
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.vocabulary.classes import POSTURE_LEVEL
from test_scenario_errors import dump_toml, load_error

START = dt.datetime(1939, 8, 20, 6, 0)  # engine.start of both fixtures


def march_dict() -> dict:
    """duel.toml with Blue's tank unit at blue_base (10 km/h: 1 h a leg) and Red out of the way."""
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["engine"]["duration_hours"] = 30
    d["units"] = [d["units"][0] | {"start": "blue_base", "type": "tank"}, d["units"][1] | {"start": "red_base"}]
    d["orders"] = [{"unit": "red_1", "task": "withdraw"}]
    d["parameters"] = {"speed_motor_kmh": {"value": 10.0, "source": "test"}}
    return d


def pocket_dict(relief_trigger: dict) -> dict:
    """pocket.toml, deterministic, with a Red relief brigade at e_base ordered to attack the gap."""
    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["engine"]["stochastic"] = False
    d["units"].append({"id": "red_relief", "side": "red", "name": "Red relief", "type": "tank",
                       "echelon": "brigade", "personnel": 2000, "posture": "reserve", "start": "e_base",
                       "group": "red_flank", "source": "test"})
    d["units"][4]["group"] = "red_flank"  # red_screen: encircled with the main body
    d["orders"].append({"unit": "red_relief", "task": "attack", "objective": "gap", "trigger": relief_trigger})
    return d


def order_times(res, unit: str) -> list[float]:
    ui = res.compiled.unit_ids.index(unit)
    return [e[0] for e in res.log.records() if e[3] == "order" and e[2] == ui and e[1] == 0]


def arrivals(res, unit: str) -> list[tuple[float, str]]:
    ui = res.compiled.unit_ids.index(unit)
    return [(e[0], res.compiled.place_ids[e[4]]) for e in res.log.records()
            if e[3] == "arrived" and e[2] == ui and e[1] == 0]


def next_step(t: float) -> float:
    """The first combat step (hourly) at or after hour ``t``: the one that sees what happened at ``t``."""
    return float(math.ceil(t - 1e-9))


def first_step(res, name: str, where) -> float:
    """The first traced hour at which ``where(snapshot of world 0)`` holds."""
    holds = [bool(where(s)) for s in res.trace.array(name)[:, 0]]
    assert any(holds), f"{name}: the condition never holds"
    return res.trace.t[holds.index(True)]


def rejected(tmp_path: Path, d: dict) -> str:
    """Write ``d`` as TOML, load it: the one-line message (checked by load_error)."""
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(d), encoding="utf-8")
    return load_error(path)[len(f"{path}: "):]


# --- date triggers -------------------------------------------------------------------------------

@pytest.mark.parametrize("at", [START + dt.timedelta(hours=5, minutes=30), "1939-08-20T11:30"])
def test_date_trigger_compiles_to_the_same_hour_and_outcomes_as_at_hour(at) -> None:
    by_hour, by_date = march_dict(), march_dict()
    by_hour["engine"]["stochastic"] = by_date["engine"]["stochastic"] = True
    by_hour["orders"].append({"unit": "blue_1", "task": "move", "objective": "red_base",
                              "trigger": {"at_hour": 5.5}})
    by_date["orders"].append({"unit": "blue_1", "task": "move", "objective": "red_base", "trigger": {"at": at}})
    a, b = (compile_scenario(scenario_from_dict(x, "march")) for x in (by_hour, by_date))
    assert a.orders[0][0].trigger == b.orders[0][0].trigger == TRIG_TIME
    assert a.orders[0][0].trig_time == b.orders[0][0].trig_time == 5.5
    assert a.orders == b.orders
    ra, rb = (run(scenario_from_dict(x, "march"), R=8, seed=11, log_events=True) for x in (by_hour, by_date))
    assert ra.log.records() == rb.log.records()
    np.testing.assert_array_equal(ra.world.pers, rb.world.pers)
    assert order_times(rb, "blue_1") == [pytest.approx(6.0)]  # first combat step at or after 5.5


def test_date_trigger_written_as_a_toml_date_time_loads(tmp_path: Path) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1", "task": "move", "objective": "red_base",
                        "trigger": {"at": dt.datetime(1939, 8, 21, 6, 0)}})
    path = tmp_path / "dated.toml"
    path.write_text(dump_toml(d), encoding="utf-8")
    assert "at = 1939-08-21T06:00:00" in path.read_text()
    assert compile_scenario(load_scenario(path)).orders[0][0].trig_time == 24.0


@pytest.mark.parametrize("at", [dt.datetime(1939, 8, 20, 5, 0), dt.datetime(1939, 8, 21, 12, 0)],
                         ids=["before_start", "after_end"])
def test_date_trigger_outside_the_simulated_span_is_rejected(tmp_path: Path, at) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1", "task": "move", "objective": "red_base", "trigger": {"at": at}})
    msg = rejected(tmp_path, d)
    assert msg.startswith("orders[1].trigger.at: order for unit 'blue_1': "), msg
    assert "engine.start (1939-08-20T06:00:00)" in msg and at.isoformat() in msg


def test_at_and_at_hour_together_are_rejected(tmp_path: Path) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1", "task": "move", "objective": "red_base",
                        "trigger": {"at_hour": 1.0, "at": START}})
    msg = rejected(tmp_path, d)
    assert msg.startswith("orders[1].trigger: needs exactly one of") and "found at_hour, at" in msg, msg


# --- event triggers -------------------------------------------------------------------------------

def test_encircled_unit_triggers_a_relief_attack_from_outside_the_pocket() -> None:
    res = run(scenario_from_dict(pocket_dict({"when": "encircled:red_main"}), "pocket"),
              log_events=True, trace_worlds=[0])
    main_ = res.compiled.unit_ids.index("red_main")
    t = first_step(res, "encircled", lambda enc: enc[main_])
    assert order_times(res, "red_relief") == [t]
    assert arrivals(res, "red_relief")  # it set off toward the gap


def test_encircled_group_fires_when_any_of_its_units_is_encircled() -> None:
    # red_flank = red_screen (inside the ring) + red_relief itself (outside, never encircled)
    res = run(scenario_from_dict(pocket_dict({"when": "encircled:red_flank"}), "pocket"),
              log_events=True, trace_worlds=[0])
    screen = res.compiled.unit_ids.index("red_screen")
    assert order_times(res, "red_relief") == [first_step(res, "encircled", lambda enc: enc[screen])]


def test_ring_closed_triggers_at_the_hour_the_ring_closed() -> None:
    res = run(scenario_from_dict(pocket_dict({"when": "ring_closed"}), "pocket"), log_events=True)
    assert not np.isnan(res.world.ring_closed_t[0])
    assert order_times(res, "red_relief") == [res.world.ring_closed_t[0]]


def broken_dict(trigger: dict) -> dict:
    """duel.toml: Blue attacks Red's weak defence (breaks at 3% lost); Red's reserve at red_base."""
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["units"][1].update(breakpoint=0.03, group="red_front")
    d["units"].append(d["units"][1] | {"id": "red_2", "name": "Red reserve", "start": "red_base",
                                       "posture": "reserve", "group": None, "breakpoint": 1.0})
    d["orders"] = [{"unit": "blue_1", "task": "attack", "objective": "crossroads"},
                   {"unit": "red_1", "task": "defend"},
                   {"unit": "red_2", "task": "attack", "objective": "crossroads", "trigger": trigger}]
    return d


@pytest.mark.parametrize("trigger", [{"when": "broken:red_1"}, {"when": "broken:red_front"},
                                     {"unit_broken": "red_1"}], ids=["unit", "group", "old_key"])
def test_broken_triggers_at_the_step_the_unit_breaks(trigger) -> None:
    res = run(scenario_from_dict(broken_dict(trigger), "duel"), log_events=True, trace_worlds=[0])
    red_1 = res.compiled.unit_ids.index("red_1")
    t = first_step(res, "broken", lambda b: b[red_1])
    assert order_times(res, "red_2") == [t]


@pytest.mark.parametrize("trigger", [{"when": "arrived:blue_1:red_base"}, {"when": "arrived:blue_wing:red_base"},
                                     {"unit_arrived": "blue_1", "place": "red_base"}],
                         ids=["unit", "group", "old_keys"])
def test_arrived_triggers_at_the_step_after_the_arrival(trigger) -> None:
    d = march_dict()
    d["units"][0]["group"] = "blue_wing"
    d["units"].append(d["units"][0] | {"id": "blue_2", "name": "Blue second echelon", "posture": "reserve",
                                       "group": None})
    d["orders"] += [{"unit": "blue_1", "task": "move", "objective": "red_base"},
                    {"unit": "blue_2", "task": "move", "objective": "crossroads", "trigger": trigger}]
    res = run(scenario_from_dict(d, "march"), log_events=True)
    t, place = arrivals(res, "blue_1")[-1]
    assert place == "red_base"
    assert order_times(res, "blue_2") == [next_step(t)]
    assert [p for _, p in arrivals(res, "blue_2")] == ["crossroads"]


def test_captured_fires_when_the_enemy_holds_the_place() -> None:
    d = march_dict()
    d["units"][1]["posture"] = "reserve"
    d["orders"] = [{"unit": "blue_1", "task": "defend", "objective": "crossroads"},
                   {"unit": "red_1", "task": "attack", "objective": "crossroads",
                    "trigger": {"when": "captured:crossroads"}}]
    res = run(scenario_from_dict(d, "march"), log_events=True, trace_worlds=[0])
    c = res.compiled
    cross, blue = c.place_ids.index("crossroads"), c.side_ids.index("blue")
    t = first_step(res, "control", lambda ctrl: ctrl[cross] == blue)
    assert t >= 1.0  # Blue reaches the crossroads after 1 h
    assert order_times(res, "red_1") == [t]


def test_captured_of_a_place_the_enemy_holds_at_hour_0_is_rejected(tmp_path: Path) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1", "task": "move", "objective": "crossroads",
                        "trigger": {"when": "captured:red_base"}})
    msg = rejected(tmp_path, d)
    assert msg.startswith("orders[1].trigger.when: order for unit 'blue_1': "), msg
    assert "'red_base' held by 'red' at hour 0" in msg


@pytest.mark.parametrize(("when", "words"), [
    ("flanked:red_1", ["expected an event encircled:<unit id or group name>", "ring_closed", "'flanked:red_1'"]),
    ("encircled:ghost", ["unit id or group name after 'encircled:'", "'ghost'"]),
    ("broken:ghosts", ["unit id or group name after 'broken:'", "'ghosts'"]),
    ("captured:nowhere", ["place id", "'nowhere'"]),
    ("arrived:red_1", ["expected arrived:<unit id or group name>:<place id>", "'arrived:red_1'"]),
    ("arrived:red_1:nowhere", ["place id", "'nowhere'"]),
    ("ring_closed:now", ["expected ring_closed", "'ring_closed:now'"]),
    ("encircled:", ["expected encircled:<unit id or group name>", "'encircled:'"]),
])
def test_unknown_event_kind_or_name_is_one_line(tmp_path: Path, when: str, words: list[str]) -> None:
    d = march_dict()
    d["units"][0]["group"] = "blue_wing"
    d["orders"].append({"group": "blue_wing", "task": "move", "objective": "crossroads", "trigger": {"when": when}})
    msg = rejected(tmp_path, d)
    assert msg.startswith("orders[1].trigger.when: order for group 'blue_wing': "), msg
    for word in words:
        assert word in msg, (word, msg)


# --- relative timing ------------------------------------------------------------------------------

def test_after_hours_counts_from_the_start_of_the_previous_order() -> None:
    d = march_dict()
    d["orders"] += [{"unit": "blue_1", "task": "move", "objective": "crossroads", "trigger": {"at_hour": 2.0}},
                    {"unit": "blue_1", "task": "move", "objective": "red_base", "trigger": {"after_hours": 6}},
                    {"unit": "blue_1", "task": "move", "objective": "crossroads", "trigger": {"after_hours": 1.5}}]
    res = run(scenario_from_dict(d, "march"), log_events=True)
    assert order_times(res, "blue_1") == [2.0, 8.0, 10.0]  # 9.5 is seen at the 10 h combat step
    assert arrivals(res, "blue_1")[0][1] == "crossroads"


@pytest.mark.parametrize(("orders", "words"), [
    ([{"unit": "blue_1", "task": "move", "objective": "crossroads", "trigger": {"after_hours": 2}}],
     ["unit 'blue_1' has none before this one"]),
    ([{"unit": "blue_1", "task": "defend"},
      {"unit": "blue_1", "task": "move", "objective": "crossroads", "trigger": {"after_hours": 0}}],
     ["hours > 0", "found 0"]),
], ids=["first_order", "zero_hours"])
def test_bad_after_hours_is_rejected(tmp_path: Path, orders: list, words: list[str]) -> None:
    d = march_dict()
    d["orders"] += orders
    msg = rejected(tmp_path, d)
    assert msg.startswith(f"orders[{len(orders)}].trigger.after_hours: order for unit 'blue_1': "), msg
    for word in words:
        assert word in msg, (word, msg)


# --- pause and pull_back --------------------------------------------------------------------------

def test_pause_stands_in_hasty_defence_for_its_hours_then_the_next_order_starts() -> None:
    d = march_dict()
    d["orders"] += [{"unit": "blue_1", "task": "move", "objective": "crossroads"},
                    {"unit": "blue_1", "task": "pause", "hours": 3},
                    {"unit": "blue_1", "task": "move", "objective": "red_base"}]
    res = run(scenario_from_dict(d, "march"), log_events=True)
    (t, place), *_ = arrivals(res, "blue_1")
    assert place == "crossroads"
    assert order_times(res, "blue_1") == [0.0, next_step(t), next_step(t) + 3.0]
    assert [p for _, p in arrivals(res, "blue_1")] == ["crossroads", "red_base"]

    d["engine"]["duration_hours"] = next_step(t) + 2.5  # stop during the pause
    w, c = (lambda r: (r.world, r.compiled))(run(scenario_from_dict(d, "march")))
    ui = c.unit_ids.index("blue_1")
    assert w.loc[0, ui] == c.place_ids.index("crossroads") and not w.order_done[0, ui]
    assert w.posture[0, ui] == POSTURE_LEVEL["hasty"]


def test_pause_ends_after_its_hours_even_in_contact_with_the_enemy() -> None:
    d = copy.deepcopy(fixture_dict("duel.toml"))  # both units start at the crossroads, in contact
    d["orders"] = [{"unit": "red_1", "task": "hold"},
                   {"unit": "blue_1", "task": "pause", "hours": 2.5},
                   {"unit": "blue_1", "task": "withdraw"}]
    res = run(scenario_from_dict(d, "duel"), log_events=True)
    assert order_times(res, "blue_1") == [0.0, 3.0]  # 2.5 h is seen at the 3 h combat step
    assert arrivals(res, "blue_1")[0][1] == "blue_base"


def pull_back_dict(task: str) -> dict:
    """duel.toml: Red holds the crossroads; Blue starts beyond it at red_base and goes back to blue_base."""
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["units"][0].update(start="red_base", type="tank")
    d["orders"] = [{"unit": "red_1", "task": "hold"},
                   {"unit": "blue_1", "task": task, "objective": "blue_base", "trigger": {"at_hour": 1.0}}]
    d["parameters"] = {"speed_motor_kmh": {"value": 10.0, "source": "test"}}
    return d


def test_pull_back_passes_enemy_held_places_without_halting_and_stands_at_the_objective() -> None:
    res = run(scenario_from_dict(pull_back_dict("pull_back"), "duel"), log_events=True)
    w, c = res.world, res.compiled
    ui = c.unit_ids.index("blue_1")
    assert [p for _, p in arrivals(res, "blue_1")] == ["crossroads", "blue_base"]
    assert w.loc[0, ui] == c.place_ids.index("blue_base") and w.order_done[0, ui]
    assert w.mode[0, ui] != OUT and w.posture[0, ui] == POSTURE_LEVEL["hasty"]  # it stays in the battle
    moved = run(scenario_from_dict(pull_back_dict("move"), "duel"), log_events=True)
    assert [p for _, p in arrivals(moved, "blue_1")] == ["crossroads"]  # a move halts to fight there


@pytest.mark.parametrize(("order", "field", "words"), [
    ({"task": "pause"}, "hours", ["task 'pause' needs hours > 0", "found none"]),
    ({"task": "pause", "hours": 0}, "hours", ["task 'pause' needs hours > 0", "found 0"]),
    ({"task": "pause", "hours": 2, "objective": "crossroads"}, "objective", ["no objective", "'crossroads'"]),
    ({"task": "defend", "hours": 2}, "hours", ["only task 'pause' takes hours", "'defend'"]),
    ({"task": "pull_back"}, "objective", ["task 'pull_back' needs objective", "found none"]),
])
def test_bad_pause_or_pull_back_is_one_line_naming_order_and_field(tmp_path: Path, order, field, words) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1"} | order)
    msg = rejected(tmp_path, d)
    assert msg.startswith(f"orders[1].{field}: order for unit 'blue_1': "), msg
    for word in words:
        assert word in msg, (word, msg)


def test_cli_validate_rejects_a_bad_order_with_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    d = march_dict()
    d["orders"].append({"unit": "blue_1", "task": "move", "objective": "crossroads",
                        "trigger": {"when": "surrounded:red_1"}})
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(d), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith(f"{path}: orders[1].trigger.when: order for unit 'blue_1': ")
    with pytest.raises(ScenarioError):
        load_scenario(path)
