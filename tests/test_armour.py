"""Armour losses at formation level: knocked out at the formation's personnel loss share
times the QJM multiplier and the enemy's anti-tank means, split into destroyed and
damaged, damaged vehicles back after the repair delay unless their unit is cut off."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.engagement import Engagement, Force, engagement_dict
from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.engine.state import draw_world
from nomonhan_sim.experiment.outcomes import batch_outcomes
from nomonhan_sim.model import armour
from nomonhan_sim.scenario.loader import scenario_from_dict
from nomonhan_sim.simulation import run_batch

FIXED = {"dupuy_attacker_rate": 0.03, "dupuy_defender_rate": 0.03, "casualty_rate_multiplier": 1.0,
         "armour_antitank_weight_guns": 0.5, "armour_destroyed_share": 0.4}


def _scenario(tanks=250.0, guns=40.0, at_guns=20.0, days=4.0, **params):
    """A tank brigade (3,200 men) attacking an infantry force (8,000 men) on one place."""
    values = {**FIXED, **params}
    e = Engagement(name="armour test", attacker=Force("Tank brigade", 3200.0, tanks=tanks),
                   defender=Force("Infantry", 8000.0, guns=guns), duration_days=days,
                   posture="hasty", terrain="rolling_bare",
                   parameters={k: {"value": v, "unit": "-", "source": "test"} for k, v in values.items()})
    d = engagement_dict(e)
    if at_guns:
        d["units"][1]["equipment"]["anti_tank_guns"] = float(at_guns)
    return compile_scenario(scenario_from_dict(d, "<armour test>"))


def _k(c, cls):
    return c.equipment_classes.index(cls)


def _f_at(w, rho):
    p = {k: v[0] for k, v in w.params.items()}
    return float(np.clip((rho / p["armour_antitank_reference"]) ** p["armour_antitank_exponent"],
                         p["armour_antitank_factor_min"], p["armour_antitank_factor_max"]))


# -- the formation rule in a whole engagement ------------------------------------------------

def test_a_brigade_whose_side_loses_a_fifth_of_its_men_loses_far_fewer_than_three_quarters_of_its_tanks():
    # an infantry force with few guns and no anti-tank guns, as the Japanese in August 1939
    c = _scenario(guns=20.0, at_guns=0.0, armour_repair_hours=36.0, days=8.0)
    res = run_batch(c, 1, np.random.SeedSequence(0), stochastic=False, trace_worlds=[0])
    w, tr = res.world, res.trace
    att, dfd, T, G = 0, 1, _k(c, "tanks"), _k(c, "guns")
    pers = np.concatenate([w.pers0[None, 0], tr.array("pers")[:, 0]])          # (steps + 1, U)
    equip = np.concatenate([w.equip0[None, 0], tr.array("equip")[:, 0]])       # (steps + 1, U, K)
    lost_men = 1.0 - pers[:, att] / pers[0, att]
    fifth = int(np.argmax(lost_men >= 0.2))                                    # the step the side has lost 20 %
    assert 0.2 <= lost_men[fifth] < 0.21
    share = 1.0 - pers[1:fifth + 1, att] / pers[:fifth, att]                   # the side's share, per step

    # the expectation, step by step: knocked out = tanks x min(1, share x 6 x f_AT(enemy means / tanks)),
    # the damaged (1 - destroyed share) back after the repair delay
    p = {k: v[0] for k, v in w.params.items()}
    delay = int(np.ceil(p["armour_repair_hours"]))
    tanks, ko = equip[0, att, T], np.zeros(share.size)
    expected = []
    for t, s in enumerate(share):
        means = p["armour_antitank_weight_guns"] * equip[t, dfd, G]
        ko[t] = tanks * min(1.0, s * p["tank_loss_multiplier_attacker"] * _f_at(w, means / tanks))
        back = (1.0 - p["armour_destroyed_share"]) * ko[t - delay] if t >= delay else 0.0
        tanks = tanks - ko[t] + back
        expected.append(tanks)
    np.testing.assert_allclose(equip[1:fifth + 1, att, T], expected, rtol=1e-9)
    assert ko.sum() > 0.3 * equip[0, att, T]                                   # a real fight for the tanks

    lost_tanks = 1.0 - expected[-1] / equip[0, att, T]                         # destroyed + under repair
    qjm_per_step = 1.0 - np.prod(1.0 - np.minimum(1.0, 6.0 * share))        # the former per-unit rule, ~74 %
    assert qjm_per_step > 0.7
    assert lost_tanks < 0.45


def test_tanks_lost_in_the_outcomes_are_destroyed_plus_under_repair_at_the_end():
    c = _scenario(armour_repair_hours=36.0)
    res = run_batch(c, 1, np.random.SeedSequence(0), stochastic=False)
    acc = armour.armour_accounts(c, res.world, res.hours)
    T = _k(c, "tanks")
    lost = batch_outcomes(res)["equipment_lost.attacker.tanks"][0]
    assert acc["under_repair"][0, 0, T] > 0 and acc["repaired"][0, 0, T] > 0
    assert lost == pytest.approx(acc["destroyed"][0, 0, T] + acc["under_repair"][0, 0, T], rel=1e-12)
    assert lost < acc["knocked_out"][0, 0, T] - 1.0


def test_more_enemy_anti_tank_means_knock_out_more_armour():
    # one combat step, anti-tank guns without combat-power weight: the men lost are the
    # same, only f_AT changes
    def knocked_out(at_guns):
        c = _scenario(at_guns=at_guns, days=1 / 24, weight_anti_tank_guns=0.0)
        res = run_batch(c, 1, np.random.SeedSequence(0), stochastic=False)
        acc = armour.armour_accounts(c, res.world, res.hours)
        return acc["knocked_out"][0, 0, _k(c, "tanks")], res.world.cas[0, 0]

    (few, men_few), (many, men_many) = knocked_out(0.0), knocked_out(100.0)
    assert men_few == pytest.approx(men_many, rel=1e-12) and men_few > 0
    # 40 guns at 0.5 = 20 anti-tank means against 250 tanks, or 20 + 100 anti-tank guns = 120
    assert many / few == pytest.approx((120.0 / 20.0) ** 0.3, rel=1e-9)


def test_knocked_out_equals_destroyed_plus_repaired_plus_under_repair():
    c = _scenario(armour_repair_hours=6.0, days=3.0)
    res = run_batch(c, 400, np.random.SeedSequence(3), stochastic=True)
    w = res.world
    acc = armour.armour_accounts(c, w, res.hours)
    T = _k(c, "tanks")
    ko, gone, back, pending = (acc[k][:, 0, T] for k in ("knocked_out", "destroyed", "repaired", "under_repair"))
    np.testing.assert_array_equal(ko, gone + back + pending)
    assert (gone > 0).mean() > 0.9 and (back > 0).mean() > 0.9 and pending.sum() > 0
    np.testing.assert_array_equal(ko, np.round(ko))                     # whole vehicles in stochastic mode
    lost = batch_outcomes(res)["equipment_lost.attacker.tanks"]
    np.testing.assert_array_equal(lost, gone + pending)                 # lost = not serviceable at the end
    assert gone.sum() / ko.sum() == pytest.approx(0.4, abs=0.02)        # armour_destroyed_share


# -- one combat step at a time ----------------------------------------------------------------

def _world(R=1, **params):
    c = _scenario(**{"armour_antitank_factor_min": 1.0, "armour_antitank_factor_max": 1.0, **params})
    return c, draw_world(c, R, np.random.SeedSequence(0))


def _combat(c, w, now, share, rng=None):
    """One call of equipment_losses in which the attacking side loses ``share`` of its men."""
    R, obj = w.R, c.place_ids.index("objective")
    men = np.zeros((R, c.S, c.P))
    for u in range(c.U):
        men[:, c.unit_side[u], obj] += w.pers[:, u]
    loss = np.zeros_like(men)
    loss[:, 0, obj] = share * men[:, 0, obj]
    defending = np.broadcast_to(c.unit_side == 1, (R, c.U))
    armour.equipment_losses(c, w, np.zeros((R, c.U)), defending, rng, now=float(now), dt=1.0,
                            in_fight=np.ones((R, c.U), bool), side_loss=loss, side_men=men,
                            contested=np.ones((R, c.P), bool))


def test_damaged_vehicles_come_back_after_the_repair_delay():
    c, w = _world(armour_repair_hours=5.0)
    T = _k(c, "tanks")
    _combat(c, w, 0, 0.05)                                  # 250 x 0.05 x 6 = 75 knocked out, 30 destroyed
    assert w.equip[0, 0, T] == pytest.approx(175.0)
    for hour in range(1, 5):
        _combat(c, w, hour, 0.0)
        assert w.equip[0, 0, T] == pytest.approx(175.0)     # still in the shops
    _combat(c, w, 5, 0.0)
    assert w.equip[0, 0, T] == pytest.approx(220.0)         # the 45 damaged are back
    acc = armour.armour_accounts(c, w, 5.0)
    assert acc["repaired"][0, 0, T] == pytest.approx(45.0) and acc["under_repair"][0, 0, T] == 0.0


def test_damaged_vehicles_of_an_encircled_unit_do_not_come_back():
    c, w = _world(armour_repair_hours=5.0)
    T = _k(c, "tanks")
    _combat(c, w, 0, 0.05)
    w.encircled[:, 0] = True
    for hour in range(1, 8):
        _combat(c, w, hour, 0.0)
    assert w.equip[0, 0, T] == pytest.approx(175.0)
    acc = armour.armour_accounts(c, w, 7.0)
    assert acc["destroyed"][0, 0, T] == pytest.approx(75.0)  # written off with the 30 destroyed
    assert acc["repaired"][0, 0, T] == 0.0
    w.encircled[:, 0] = False                                # a later relief does not bring them back
    _combat(c, w, 8, 0.0)
    assert w.equip[0, 0, T] == pytest.approx(175.0)


def test_a_unit_that_broke_and_withdrew_gets_its_repaired_vehicles_back():
    c, w = _world(armour_repair_hours=5.0)
    T = _k(c, "tanks")
    _combat(c, w, 0, 0.05)
    w.broken[:, 0] = True
    _combat(c, w, 5, 0.0)
    assert w.equip[0, 0, T] == pytest.approx(220.0)


def test_repairs_due_after_the_last_combat_step_count_as_serviceable_at_the_end():
    c, w = _world(armour_repair_hours=5.0)
    T = _k(c, "tanks")
    _combat(c, w, 0, 0.05)                                   # no combat step after this one
    assert armour.serviceable_at_end(c, w, 4.0)[0, 0, T] == pytest.approx(175.0)
    assert armour.serviceable_at_end(c, w, 10.0)[0, 0, T] == pytest.approx(220.0)
    assert w.equip[0, 0, T] == pytest.approx(175.0)          # reading the end state changes nothing


def test_deterministic_mode_gives_the_expected_values_of_the_stochastic_draws():
    share = 0.02
    kw = {"armour_antitank_factor_min": 0.25, "armour_antitank_factor_max": 2.0}
    c, w = _world(**kw)
    T, G = _k(c, "tanks"), _k(c, "guns")
    f = _f_at(w, (20.0 + 0.5 * 40.0) / 250.0)               # 20 anti-tank guns + 40 guns at 0.5, per tank
    ko = 250.0 * share * 6.0 * f
    _combat(c, w, 0, share)
    acc = armour.armour_accounts(c, w, 0.0)
    assert acc["knocked_out"][0, 0, T] == pytest.approx(ko, rel=1e-12)
    assert acc["destroyed"][0, 0, T] == pytest.approx(0.4 * ko, rel=1e-12)
    assert w.equip[0, 0, T] == pytest.approx(250.0 - ko, rel=1e-12)
    assert w.equip[0, 1, G] == 40.0                          # the defender lost no men

    cs, ws = _world(R=20000, **kw)
    _combat(cs, ws, 0, share, rng=np.random.default_rng(7))
    draws = armour.armour_accounts(cs, ws, 0.0)
    k, d = draws["knocked_out"][:, 0, T], draws["destroyed"][:, 0, T]
    assert k.mean() == pytest.approx(ko, abs=4 * k.std() / np.sqrt(k.size))
    assert d.mean() == pytest.approx(0.4 * ko, abs=4 * d.std() / np.sqrt(d.size))


def test_guns_lose_the_formation_share_times_the_gun_multiplier_for_good():
    c, w = _world(gun_loss_multiplier=1.5)
    G = _k(c, "guns")
    obj = c.place_ids.index("objective")
    R = w.R
    men = np.zeros((R, c.S, c.P))
    men[:, 0, obj], men[:, 1, obj] = w.pers[:, 0], w.pers[:, 1]
    loss = np.zeros_like(men)
    loss[:, 1, obj] = 0.1 * men[:, 1, obj]
    defending = np.broadcast_to(c.unit_side == 1, (R, c.U))
    for hour in range(4):
        armour.equipment_losses(c, w, np.zeros((R, c.U)), defending, None, now=float(hour), dt=1.0,
                                in_fight=np.ones((R, c.U), bool), side_loss=loss if hour == 0 else 0 * loss,
                                side_men=men, contested=np.ones((R, c.P), bool))
    assert w.equip[0, 1, G] == pytest.approx(40.0 * (1.0 - 0.1 * 1.5))
