"""Pockets (nomonhan_sim.model.pockets): broken encircled units are reduced over time, men
are conserved, and casualties are counted by kind."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from nomonhan_sim import simulation
from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.engine.eventlog import EventLog
from nomonhan_sim.engine.state import MOVING, OUT, draw_world
from nomonhan_sim.experiment.outcomes import batch_outcomes
from nomonhan_sim.model.movement import Movement
from nomonhan_sim.model.pockets import reduce_pockets
from nomonhan_sim.scenario import scenario_from_dict
from conftest import run

INEFFECTIVE = simulation.COMBAT_INEFFECTIVE_SHARE


def _pocket_world(pocket_dict, R: int, seed: int, stochastic: bool, ring_shut: bool = True):
    """The pocket fixture's Red main body broken and encircled at the centre from hour 0,
    Blue's fixing force beside it; with ``ring_shut`` Blue's northern pincer stands on the
    gap, the only way out to Red's base."""
    pocket_dict["engine"]["stochastic"] = stochastic
    c = compile_scenario(scenario_from_dict(pocket_dict, "pocket"))
    w = draw_world(c, R, np.random.SeedSequence(seed))
    u = c.unit_ids.index("red_main")
    if ring_shut:
        w.loc[:, c.unit_ids.index("blue_north")] = c.place_ids.index("gap")
    w.broken[:, u] = True
    w.encircled[:, u] = True
    w.encircled_since[:, u] = 0.0
    rng = np.random.Generator(np.random.PCG64(seed)) if stochastic else None
    move = Movement(simpy.Environment(), c, w, rng, stochastic, EventLog(False), resolution=0.25)
    return c, w, u, rng, move


def _supply(w, supplied: bool) -> None:
    """Stand in for the supply model's effects: full, or out of ammunition and food."""
    w.extra["firepower_factor"] = np.full(w.pers.shape, 1.0 if supplied else 0.2)
    w.extra["cohesion_factor"] = np.full(w.pers.shape, 1.0 if supplied else 0.5)


def _captured_by_hour(pocket_dict, supplied: bool, R: int, seed: int, stochastic: bool, hours: int = 48):
    c, w, u, rng, move = _pocket_world(pocket_dict, R, seed, stochastic)
    _supply(w, supplied)
    out = []
    for t in range(hours):
        reduce_pockets(c, w, float(t), 1.0, rng, EventLog(False), move, INEFFECTIVE)
        out.append(w.captured[:, u] / w.pers0[:, u])
    return np.array(out)  # (hours, R) share of initial men captured


def test_a_pocket_without_supply_surrenders_sooner_than_one_with_supply(pocket_dict):
    # expected values: at every hour the pocket out of supply has surrendered more men
    dry = _captured_by_hour(pocket_dict, supplied=False, R=4, seed=1, stochastic=False)
    wet = _captured_by_hour(pocket_dict, supplied=True, R=4, seed=1, stochastic=False)
    assert (dry > wet).all()
    # paired stochastic worlds (same seed: same drawn inputs): the hour a pocket has
    # surrendered 1 % of its men comes sooner without supply
    dry = _captured_by_hour(pocket_dict, supplied=False, R=200, seed=7, stochastic=True)
    wet = _captured_by_hour(pocket_dict, supplied=True, R=200, seed=7, stochastic=True)
    when = lambda share: np.where((share >= 0.01).any(axis=0), (share >= 0.01).argmax(axis=0), share.shape[0])
    assert (when(dry) <= when(wet)).mean() > 0.9
    assert np.median(when(dry)) < np.median(when(wet))


def test_a_broken_unit_with_an_escape_path_gets_a_share_out_and_withdraws(pocket_dict):
    c, w, u, rng, move = _pocket_world(pocket_dict, R=3, seed=2, stochastic=False, ring_shut=False)
    before = w.pers[:, u].copy()
    reduce_pockets(c, w, 0.0, 1.0, rng, EventLog(False), move, INEFFECTIVE)
    share = w.params["pocket_open_path_escape_share"]
    np.testing.assert_allclose(w.escaped[:, u], before * share)  # no filtering while the path is open
    assert (w.mode[:, u] == MOVING).all() and not w.destroyed[:, u].any()
    # the break-out happens once: the next step adds no second share
    escaped = w.escaped[:, u].copy()
    reduce_pockets(c, w, 1.0, 1.0, rng, EventLog(False), move, INEFFECTIVE)
    np.testing.assert_allclose(w.escaped[:, u], escaped)


def test_a_pocket_with_no_way_out_only_filters_out(pocket_dict):
    c, w, u, rng, move = _pocket_world(pocket_dict, R=3, seed=2, stochastic=False)
    before = w.pers[:, u].copy()
    reduce_pockets(c, w, 0.0, 1.0, rng, EventLog(False), move, INEFFECTIVE)
    assert (w.escaped[:, u] > 0).all() and (w.escaped[:, u] < 0.01 * before).all()
    assert (w.mode[:, u] != MOVING).all()


def test_stochastic_pockets_move_whole_men(pocket_dict):
    c, w, u, rng, move = _pocket_world(pocket_dict, R=50, seed=3, stochastic=True)
    for t in range(24):
        reduce_pockets(c, w, float(t), 1.0, rng, EventLog(False), move, INEFFECTIVE)
    for a in (w.pers, w.killed, w.wounded, w.captured, w.escaped, w.pocket_cas):
        assert (a == np.round(a)).all()
    assert (w.pocket_cas[:, u] > 0).all()


def test_a_unit_below_the_ineffective_share_is_destroyed_and_its_remnant_escapes_or_is_captured(pocket_dict):
    c, w, u, rng, move = _pocket_world(pocket_dict, R=2, seed=4, stochastic=False)
    w.pers[:, u] = 0.05 * w.pers0[:, u]
    w.cas[:, u] = w.pers0[:, u] - w.pers[:, u]
    w.extra["cas_split"] = w.cas.copy()  # those losses count as already split
    left = w.pers[:, u].copy()
    reduce_pockets(c, w, 0.0, 1.0, rng, EventLog(False), move, INEFFECTIVE)
    assert w.destroyed[:, u].all() and (w.mode[:, u] == OUT).all() and (w.pers[:, u] == 0).all()
    assert (w.equip[:, u] == 0).all()
    np.testing.assert_allclose(w.escaped[:, u] + w.captured[:, u], left)
    np.testing.assert_allclose(w.escaped[:, u], left * w.params["pocket_breakout_share"])


# -- whole runs of the pocket fixture ----------------------------------------------------------

def _fixture(pocket_dict, stochastic: bool):
    pocket_dict["engine"]["stochastic"] = stochastic
    for u in pocket_dict["units"]:
        if u["id"] == "red_main":
            u["breakpoint"] = 0.05  # breaks while encircled
    return scenario_from_dict(pocket_dict, "pocket")


def _check_conservation(w) -> None:
    joined = w.extra.get("replaced_men", 0.0)  # men who joined as replacements, if any
    np.testing.assert_allclose(w.pers + w.cas + w.pocket_cas + w.escaped, w.pers0 + joined, rtol=0, atol=1e-6)
    np.testing.assert_allclose(w.killed + w.wounded + w.captured, w.cas + w.pocket_cas, rtol=0, atol=1e-6)
    assert (w.pers >= -1e-9).all()


@pytest.mark.parametrize("stochastic", [False, True])
def test_men_are_conserved_at_every_step(pocket_dict, monkeypatch, stochastic):
    steps = []
    record = simulation.Trace.record

    def checked(self, now, w):
        _check_conservation(w)
        steps.append(now)
        record(self, now, w)

    monkeypatch.setattr(simulation.Trace, "record", checked)
    res = run(_fixture(pocket_dict, stochastic), R=8, seed=5, trace_worlds=[0])
    assert len(steps) > 100
    u = res.compiled.unit_ids.index("red_main")
    assert (res.world.pocket_cas[:, u] > 0).mean() > 0.5 and (res.world.escaped[:, u] > 0).mean() > 0.5


@pytest.mark.parametrize("stochastic", [False, True])
def test_killed_wounded_and_captured_add_up_to_casualties(pocket_dict, stochastic):
    res = run(_fixture(pocket_dict, stochastic), R=8, seed=6)
    o = batch_outcomes(res)
    for side in ("blue", "red"):
        np.testing.assert_allclose(o[f"killed.{side}"] + o[f"wounded.{side}"] + o[f"captured.{side}"],
                                   o[f"casualties.{side}"], rtol=0, atol=1e-6)
        assert (o[f"killed.{side}"] > 0).all() and (o[f"wounded.{side}"] > 0).all()
    assert (o["captured.red"] > 0).mean() > 0.5 and (o["escaped_from_pockets.red"] > 0).mean() > 0.5
    w = res.world
    np.testing.assert_allclose(o["casualties_in_pockets.red"], w.pocket_cas[:, res.compiled.unit_side == 1].sum(axis=1))


def test_no_pocket_is_erased_at_once(pocket_dict):
    res = run(_fixture(pocket_dict, False), R=1, seed=0, trace_worlds=[0], log_events=True)
    c, tr = res.compiled, res.trace
    u = c.unit_ids.index("red_main")
    t_broke = [e[0] for e in res.log.records() if e[3] == "broke" and e[2] == u]
    assert t_broke
    k = tr.t.index(t_broke[0])
    pers, mode, enc = tr.array("pers")[:, 0, u], tr.array("mode")[:, 0, u], tr.array("encircled")[:, 0, u]
    pers0 = res.world.pers0[0, u]
    assert enc[k] and pers[k] >= INEFFECTIVE * pers0
    # it keeps men for more than one step after breaking, and loses them step by step
    assert mode[k] != OUT and mode[k + 1] != OUT and pers[k + 1] > INEFFECTIVE * pers0
    assert (np.diff(pers[k:]) <= 1e-9).all() and pers[k + 1] < pers[k]
