"""Frontage and fire support: stacking men on a narrow front stops paying beyond the
density limit, and guns within range of a contested place support it."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.engagement import Engagement, Force, engagement_dict, run_engagement
from nomonhan_sim.experiment.runner import run_experiment
from nomonhan_sim.model.frontage import engaged_share
from nomonhan_sim.scenario.loader import scenario_from_dict

LIMIT = 2000.0   # men per km
DEPTH = 0.5


def _params(**more):
    p = {"engaged_men_per_km": {"value": LIMIT, "unit": "men/km", "source": "test"},
         "depth_power_share": {"value": DEPTH, "unit": "share", "source": "test"},
         "dupuy_attacker_rate": {"value": 0.03, "unit": "share/day", "source": "test"},
         "dupuy_defender_rate": {"value": 0.03, "unit": "share/day", "source": "test"}}
    p.update({k: {"value": v, "unit": "-", "source": "test"} for k, v in more.items()})
    return p


def _defender_loss(attacker_men: float, front_km: float | None, hours: float = 1.0) -> float:
    e = Engagement(name="crest", attacker=Force("A", attacker_men), defender=Force("D", 1500.0),
                   duration_days=hours / 24.0, posture="hasty", terrain="rolling_bare",
                   front_km=front_km, parameters=_params())
    out = run_engagement(e, replicates=2, seed=1, stochastic=False)
    return float(out["casualties.defender"].iloc[0])


def test_engaged_share_counts_men_beyond_the_limit_at_the_depth_weight():
    men = np.array([1000.0, 2000.0, 4000.0, 8000.0])
    e = engaged_share(men, 1.0, LIMIT, DEPTH)
    np.testing.assert_allclose(men * e, [1000.0, 2000.0, 3000.0, 5000.0])
    assert engaged_share(np.array([5000.0]), np.inf, LIMIT, DEPTH)[0] == 1.0  # no frontage: no limit


def test_doubling_men_beyond_the_density_limit_raises_losses_inflicted_by_less_than_without_it():
    free = _defender_loss(8000, None) / _defender_loss(4000, None)
    limited = _defender_loss(8000, 1.0) / _defender_loss(4000, 1.0)
    assert 1.0 < limited < free
    # on 1 km the 8,000 bring the power of 2,000 + 0.5 x 6,000 = 5,000 men, the 4,000 that of 3,000:
    # the defender loses what it would lose against 5,000 and 3,000 men on an unlimited front
    assert _defender_loss(8000, 1.0) == pytest.approx(_defender_loss(5000, None), rel=1e-9)
    assert _defender_loss(4000, 1.0) == pytest.approx(_defender_loss(3000, None), rel=1e-9)


def test_men_in_depth_are_less_exposed_to_loss():
    """A garrison of 8,000 on 1 km: only 5,000 man-equivalents are exposed, so it loses
    5/8 of what the same garrison loses on an unlimited front at the same loss rate."""
    def attacker_loss(front):
        e = Engagement(name="crest", attacker=Force("A", 8000.0), defender=Force("D", 8000.0),
                       duration_days=1 / 24, posture="hasty", front_km=front, parameters=_params())
        return float(run_engagement(e, replicates=2, seed=1, stochastic=False)["casualties.attacker"].iloc[0])
    # both sides equally limited: the power ratio is unchanged, the exposed men are 5/8
    assert attacker_loss(1.0) == pytest.approx(attacker_loss(None) * 5000 / 8000, rel=1e-9)


def _with_battery(range_km: float) -> dict:
    e = Engagement(name="supported", attacker=Force("A", 3000.0), defender=Force("D", 1500.0),
                   duration_days=6 / 24, posture="hasty", parameters=_params(artillery_support_range_km=range_km))
    d = engagement_dict(e)
    d["units"].append({"id": "battery", "side": "attacker", "name": "Battery", "type": "artillery",
                       "echelon": "battalion", "personnel": 300.0, "equipment": {"guns": 36.0},
                       "posture": "hasty", "start": "attacker_rear", "source": "test"})
    d["orders"].append({"unit": "battery", "task": "hold"})
    return d


def _run(d):
    return run_experiment(scenario_from_dict(d, "<test>"), replicates=2, seed=1, chunk_size=2,
                          workers=1, stochastic=False).outcomes.iloc[0]


def test_guns_in_range_of_a_contested_place_support_it_and_out_of_range_do_not():
    near, far = _run(_with_battery(6.0)), _run(_with_battery(4.0))   # the rear is 5 km from the objective
    no_battery = _with_battery(6.0)
    no_battery["units"].pop()
    no_battery["orders"].pop()
    alone = _run(no_battery)
    assert near["casualties.defender"] > 1.2 * far["casualties.defender"]
    assert far["casualties.defender"] == pytest.approx(alone["casualties.defender"], rel=1e-9)


def test_supporting_guns_take_no_losses():
    from nomonhan_sim.engine.compiled import compile_scenario
    from nomonhan_sim.simulation import run_batch

    c = compile_scenario(scenario_from_dict(_with_battery(6.0), "<test>"))
    w = run_batch(c, 2, np.random.SeedSequence(1), stochastic=False).world
    battery, force = c.unit_ids.index("battery"), c.unit_ids.index("attacker_force")
    assert w.cas[0, force] > 0
    assert w.cas[0, battery] == 0
    assert w.equip[0, battery, c.equipment_classes.index("guns")] == 36.0
