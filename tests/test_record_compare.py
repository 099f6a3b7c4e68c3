"""Comparison arithmetic on synthetic outcomes with known answers."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from nomonhan_sim.record.claims import Claim, Record
from nomonhan_sim.record.compare import claim_range, compare_outcomes, crps_ensemble, overall_score
from nomonhan_sim.scenario import scenario_from_dict
from conftest import fixture_dict


def test_crps_matches_hand_computation():
    # E|X-y| = 2/3, E|X-X'| = 8/9  ->  CRPS = 2/3 - 4/9 = 2/9
    assert crps_ensemble(np.array([1.0, 2.0, 3.0]), 2.0) == pytest.approx(2 / 9)
    assert crps_ensemble(np.array([5.0]), 2.0) == pytest.approx(3.0)  # one sample: absolute error
    # against the closed form for a normal distribution (Gneiting & Raftery 2007)
    from scipy.stats import norm
    x = np.random.default_rng(0).normal(0.0, 1.0, 200_000)
    z = 0.7
    exact = z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi)
    assert crps_ensemble(x, z) == pytest.approx(exact, rel=5e-3)


def scenario_with(targets):
    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["compare"] = targets
    return scenario_from_dict(d, "pocket")


def test_distribution_that_contains_the_range():
    sc = scenario_with([{"outcome": "casualties.red", "low": 40, "high": 60, "source": "synthetic"}])
    df = pd.DataFrame({"casualties.red": np.arange(1, 101, dtype=float)})  # 1..100
    (r,) = compare_outcomes(df, sc, Record(()))
    assert r.inside and r.verdict == "inside the 90% HDR"
    assert r.p_range == pytest.approx(21 / 100)        # 40..60 inclusive
    assert r.percentile == pytest.approx(50 / 100)      # central value 50
    assert (r.q05, r.median, r.q95) == pytest.approx((5.95, 50.5, 95.05))  # linear interpolation
    assert r.crps == pytest.approx(crps_ensemble(df["casualties.red"].to_numpy(), 50.0))


def test_distribution_that_misses_the_range():
    sc = scenario_with([{"outcome": "casualties.red", "low": 500, "high": 600, "value": 550, "source": "synthetic"}])
    df = pd.DataFrame({"casualties.red": np.arange(1, 101, dtype=float)})
    (r,) = compare_outcomes(df, sc, Record(()))
    assert not r.inside
    assert r.p_range == 0.0 and r.percentile == 1.0
    top = r.hdr.intervals[-1][1]
    # a uniform 1..100 smoothed by the kernel; casualties cannot be negative, so the density is
    # reflected at 0 and the region starts there: the 10 % it leaves out is taken from the top
    assert r.hdr.intervals[0][0] == 0.0 and 88 < top < 100
    assert r.verdict == f"outside: record {500 - top:,.0f} above the 90% HDR"
    assert r.crps == pytest.approx(np.mean(550 - np.arange(1, 101)) - 0.5 * crps_spread(np.arange(1, 101)))
    s = overall_score([r])
    assert s["share_inside"] == 0.0 and s["mean_relative_crps"] == pytest.approx(r.crps / 550)


def crps_spread(x):
    x = np.asarray(x, float)
    return np.abs(x[:, None] - x[None, :]).mean()


def test_event_that_never_happens_is_censored_not_dropped():
    sc = scenario_with([{"outcome": "ring_closed_day", "low": 3, "high": 5, "source": "synthetic"}])
    v = np.array([4.0] * 10 + [np.nan] * 90)   # happened in 10 % of worlds
    (r,) = compare_outcomes(pd.DataFrame({"ring_closed_day": v}), sc, Record(()))
    assert r.p_range == pytest.approx(0.10)
    assert r.median == np.inf and r.q05 == 4.0
    end = 120 / 24  # the fixture runs 120 h; censored worlds score as the end of the run
    assert r.crps == pytest.approx(crps_ensemble(np.where(np.isnan(v), end, v), 4.0))


def date_claim(cid, lo, hi):
    return Claim.model_validate({
        "id": cid, "quantity": "event.test", "kind": "date", "date_low": lo, "date_high": hi,
        "scope": "test", "source": {"dataset": "synthetic"}, "reliability": {"grade": "B", "reason": "test"}})


def test_dates_become_days_after_the_scenario_start():
    start = dt.datetime(1939, 8, 20, 5, 45)
    lo, hi = claim_range([date_claim("a", "1939-08-23", "1939-08-25")], start)
    assert lo == pytest.approx(2 + 18.25 / 24)      # 23 Aug 00:00
    assert hi == pytest.approx(5 + 18.25 / 24)      # 26 Aug 00:00 (end of 25 Aug)
    lo2, hi2 = claim_range([date_claim("a", "1939-08-23", "1939-08-23"),
                            date_claim("b", "1939-08-25", "1939-08-25")], start)
    assert (lo2, hi2) == pytest.approx((lo, hi))    # union of the claims


def test_target_range_comes_from_cited_claims(monkeypatch):
    import nomonhan_sim.record as record_pkg

    rec = Record(record_pkg.load_record().claims + (date_claim("c1", "1939-08-23", "1939-08-25"),))
    monkeypatch.setattr(record_pkg, "load_record", lambda: rec)  # the loader checks claim ids against it
    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["engine"]["start"] = dt.datetime(1939, 8, 20, 5, 45)
    d["compare"] = [{"outcome": "ring_closed_day", "claims": ["c1"]}]
    sc = scenario_from_dict(d, "pocket")
    (r,) = compare_outcomes(pd.DataFrame({"ring_closed_day": np.full(10, 4.0)}), sc, rec)
    assert r.low == pytest.approx(2 + 18.25 / 24) and r.high == pytest.approx(5 + 18.25 / 24)
    assert r.inside and r.p_range == 1.0


def test_unknown_claim_id_is_a_scenario_error():
    from nomonhan_sim.scenario import ScenarioError

    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["compare"] = [{"outcome": "ring_closed_day", "claims": ["no.such.claim"]}]
    with pytest.raises(ScenarioError, match=r"compare\[0\]\.claims\[0\]: expected a claim id"):
        scenario_from_dict(d, "pocket")


def test_a_unit_outcome_can_be_compared_and_an_unknown_unit_or_class_is_refused():
    """``unit.<id>.casualties`` (and killed, wounded, captured) are comparable; a unit the
    scenario does not have, or short hours in a scenario without [logistics], are one line."""
    from nomonhan_sim.experiment import run_experiment
    from nomonhan_sim.scenario import ScenarioError

    unit = fixture_dict("pocket.toml")["units"][0]["id"]
    sc = scenario_with([{"outcome": f"unit.{unit}.casualties", "low": 10, "high": 100, "source": "synthetic"},
                        {"outcome": f"unit.{unit}.killed", "low": 1, "high": 50, "source": "synthetic"}])
    df = run_experiment(sc, replicates=20, seed=3, workers=1).outcomes
    rows = compare_outcomes(df, sc, Record(()))
    assert [r.outcome for r in rows] == [f"unit.{unit}.casualties", f"unit.{unit}.killed"]
    assert all(np.isfinite(r.median) for r in rows)
    for bad in ("unit.nobody.casualties", f"unit.{unit}.short_hours.fuel", f"unit.{unit}.morale"):
        with pytest.raises(ScenarioError, match=r"compare\[0\]\.outcome: expected an outcome name"):
            scenario_with([{"outcome": bad, "low": 1, "high": 2, "source": "synthetic"}])
