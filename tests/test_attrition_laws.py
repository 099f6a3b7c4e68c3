"""Each attrition law against its analytic solution or invariant."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.model import attrition
from conftest import duel, run


def integrate(law, a0, b0, ka, kb, hours, dt=1.0, p=1.0, q=1.0):
    p, q = attrition.exponents(law, p, q)
    a, b = np.array(a0, float), np.array(b0, float)
    traj = [(a.copy(), b.copy())]
    for _ in range(int(hours / dt)):
        a, b = attrition.lanchester_step(a, b, ka, kb, p, q, dt)
        traj.append((a.copy(), b.copy()))
    return traj


def test_square_law_matches_closed_form():
    a0, b0, ka, kb = 3000.0, 2000.0, 0.015, 0.01
    traj = integrate("square", a0, b0, ka, kb, hours=40)
    g = np.sqrt(ka * kb)
    for t, (a, b) in enumerate(traj):
        exact_a = a0 * np.cosh(g * t) - np.sqrt(ka / kb) * b0 * np.sinh(g * t)
        exact_b = b0 * np.cosh(g * t) - np.sqrt(kb / ka) * a0 * np.sinh(g * t)
        assert a == pytest.approx(exact_a, rel=1e-9)
        assert b == pytest.approx(exact_b, rel=1e-9)


def test_square_law_invariant_is_constant():
    traj = integrate("square", 3000.0, 2000.0, 0.015, 0.01, hours=40)
    inv = [attrition.square_law_invariant(a, b, 0.015, 0.01) for a, b in traj]
    assert np.ptp(inv) / abs(inv[0]) < 1e-9


def test_linear_law_invariant_and_logistic_solution():
    a0, b0, ka, kb = 3000.0, 2000.0, 2e-6, 3e-6
    traj = integrate("linear", a0, b0, ka, kb, hours=100)
    inv0 = attrition.linear_law_invariant(a0, b0, ka, kb)
    for t, (a, b) in enumerate(traj):
        assert attrition.linear_law_invariant(a, b, ka, kb) == pytest.approx(inv0, rel=1e-9)
        # dA/dt = -A (kb A - C): logistic with C = kb A0 - ka B0
        exact = inv0 / (kb + (inv0 / a0 - kb) * np.exp(-inv0 * t))
        assert a == pytest.approx(exact, rel=1e-8)


def test_logarithmic_law_is_exponential_decay():
    a0, b0, ka, kb = 3000.0, 2000.0, 0.004, 0.006
    traj = integrate("logarithmic", a0, b0, ka, kb, hours=50)
    for t, (a, b) in enumerate(traj):
        assert a == pytest.approx(a0 * np.exp(-ka * t), rel=1e-9)
        assert b == pytest.approx(b0 * np.exp(-kb * t), rel=1e-9)


def test_power_law_matches_ode_solver():
    from scipy.integrate import solve_ivp

    ka, kb, p, q = 3e-4, 2e-4, 0.4, 0.75
    traj = integrate("power", 3000.0, 2000.0, ka, kb, hours=48, p=p, q=q)
    sol = solve_ivp(lambda t, y: [-ka * y[1] ** p * y[0] ** q, -kb * y[0] ** p * y[1] ** q],
                    (0, 48), [3000.0, 2000.0], rtol=1e-11, atol=1e-9, t_eval=[48])
    assert traj[-1][0] == pytest.approx(sol.y[0, -1], rel=1e-8)
    assert traj[-1][1] == pytest.approx(sol.y[1, -1], rel=1e-8)


def test_strength_never_goes_negative_and_fire_stops_with_the_enemy():
    traj = integrate("square", 3000.0, 500.0, 0.01, 0.01, hours=200)
    a, b = traj[-1]
    assert b == 0.0
    assert a > 0.0
    assert a == pytest.approx(traj[-2][0])  # no further losses once B is gone


def test_dupuy_loss_is_exponential_in_time():
    n = np.array(10000.0)
    n1 = n - attrition.dupuy_loss(n, 0.03, 24.0)
    assert n1 == pytest.approx(10000 * np.exp(-0.03))
    # two half-days equal one day
    half = n - attrition.dupuy_loss(n, 0.03, 12.0)
    assert half - attrition.dupuy_loss(half, 0.03, 12.0) == pytest.approx(n1)


# ---- through the engine: the duel scenario reproduces the laws ------------------

@pytest.mark.parametrize("q_red", [1.0, 1.5])
def test_engine_square_law_keeps_invariant(q_red):
    k = 0.01
    sc = duel("square", q_red=q_red, params={"square_coefficient": k}, hours=40)
    w = run(sc).world
    a, b = w.pers[0]
    ka, kb = k * q_red, k * 1.0  # Blue's losses carry Red's quality
    assert attrition.square_law_invariant(a, b, ka, kb) == pytest.approx(
        attrition.square_law_invariant(3000, 2000, ka, kb), rel=1e-9)
    assert b < 1500  # a real fight happened


def test_engine_linear_law_keeps_invariant():
    k = 3e-6
    sc = duel("linear", params={"linear_coefficient": k}, hours=40)
    a, b = run(sc).world.pers[0]
    assert attrition.linear_law_invariant(a, b, k, k) == pytest.approx(
        attrition.linear_law_invariant(3000, 2000, k, k), rel=1e-9)
    assert 3000 - a == pytest.approx(2000 - b)  # equal rates: equal losses


def test_engine_logarithmic_law_decays_exponentially():
    k = 0.005
    sc = duel("logarithmic", params={"logarithmic_coefficient": k}, hours=40)
    a, b = run(sc).world.pers[0]
    assert a == pytest.approx(3000 * np.exp(-k * 40), rel=1e-9)
    assert b == pytest.approx(2000 * np.exp(-k * 40), rel=1e-9)


# ---- stochastic mode converges to the deterministic solution ---------------------

@pytest.mark.parametrize("law,coef", [("square", ("square_coefficient", 0.01)),
                                      ("linear", ("linear_coefficient", 3e-6)),
                                      ("logarithmic", ("logarithmic_coefficient", 0.005)),
                                      ("dupuy", ("dupuy_attacker_rate", 0.04))])
def test_stochastic_mean_converges_to_deterministic(law, coef):
    """Mean losses over 2,000 worlds lie within 1 % of the deterministic losses.

    Tolerance: the Monte Carlo standard error of the mean is ~0.1 % of the
    losses here; 1 % leaves room for the small tau-leaping bias.
    """
    params = {coef[0]: coef[1], "dupuy_defender_rate": 0.03, "model_form_multiplier": 1.0}  # no per-world draw
    det = run(duel(law, params=params, hours=30)).world
    sto = run(duel(law, params=params, hours=30, stochastic=True), R=2000, seed=7).world
    det_loss = det.cas[0]
    mean_loss = sto.cas.mean(axis=0)
    assert np.all(det_loss > 100)
    np.testing.assert_allclose(mean_loss, det_loss, rtol=0.01)
    assert sto.cas.std(axis=0).min() > 0  # it really is stochastic


def test_dupuy_size_basis_engagement_punishes_small_engagements_more():
    """QJM size factor per engagement: a 600-man screen fighting alone on a ridge loses
    faster than when its size factor is taken from all Red men in combat (the screen and
    the 2,000 men at the crossroads, both in contact from hour 0)."""
    import copy

    from conftest import fixture_dict
    from nomonhan_sim.scenario import scenario_from_dict

    base = copy.deepcopy(fixture_dict("duel.toml"))
    base["engine"].update(attrition_law="dupuy", stochastic=False, duration_hours=8)
    base["places"].append({"id": "ridge", "name": "Ridge", "x_km": 10.0, "y_km": 5.0, "source": "test"})
    base["routes"] += [{"from": "blue_base", "to": "ridge", "km": 11.0, "source": "test"},
                       {"from": "ridge", "to": "red_base", "km": 11.0, "source": "test"}]
    for uid, side, men in (("blue_2", "blue", 1000), ("red_2", "red", 600)):
        base["units"].append({"id": uid, "side": side, "name": uid, "type": "rifle", "echelon": "battalion",
                              "personnel": men, "posture": "attack", "breakpoint": 1.0, "start": "ridge",
                              "source": "test"})
        base["orders"].append({"unit": uid, "task": "hold"})
    losses = {}
    for basis in ("engagement", "side"):
        d = copy.deepcopy(base)
        d["engine"]["size_basis"] = basis
        res = run(scenario_from_dict(d, "two fights"))
        losses[basis] = res.world.cas[0, res.compiled.unit_ids.index("red_2")]
    assert losses["engagement"] > 1.5 * losses["side"] > 0
