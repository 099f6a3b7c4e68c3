"""Scores of probabilistic predictions against CDB90, and the loss-rate baseline."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from nomonhan_sim.record import cdb90
from nomonhan_sim.record import scores as s


@pytest.fixture(scope="module")
def usable():
    return cdb90.usable(cdb90.load_engagements())


def test_crps_of_a_point_mass_is_the_absolute_error():
    obs = np.array([3.0, 10.0, 0.0])
    point = np.array([[5.0], [4.0], [0.0]])
    assert s.crps_ensemble(point, obs) == pytest.approx([2.0, 6.0, 0.0])
    assert s.crps_log(point, obs) == pytest.approx(np.abs(np.log1p(point[:, 0]) - np.log1p(obs)))


def test_crps_matches_the_pairwise_formula():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(4, 7)), rng.normal(size=4)
    direct = np.abs(x - y[:, None]).mean(1) - 0.5 * np.abs(x[:, :, None] - x[:, None, :]).mean((1, 2))
    assert s.crps_ensemble(x, y) == pytest.approx(direct)


def test_crps_of_the_true_distribution_beats_a_shifted_one():
    rng = np.random.default_rng(11)
    obs = rng.lognormal(8.0, 1.0, size=400)
    true = rng.lognormal(8.0, 1.0, size=(400, 500))
    assert s.crps_log(true, obs).mean() < s.crps_log(true * np.e, obs).mean()
    assert s.crps_log(true, obs).mean() < s.crps_log(true / np.e, obs).mean()


def test_pit_of_samples_from_the_true_distribution_is_uniform():
    rng = np.random.default_rng(20260)
    obs = rng.poisson(30, size=2000).astype(float)  # discrete: ties must be broken at random
    samples = rng.poisson(30, size=(2000, 200)).astype(float)
    u = s.pit(samples, obs, np.random.default_rng(7))
    assert ((u > 0) & (u < 1)).all()
    assert stats.kstest(u, "uniform").pvalue > 0.01


def test_pit_of_a_too_narrow_ensemble_piles_up_at_the_ends():
    rng = np.random.default_rng(5)
    obs = rng.normal(size=2000)
    u = s.pit(rng.normal(scale=0.3, size=(2000, 100)), obs, np.random.default_rng(1))
    assert stats.kstest(u, "uniform").pvalue < 1e-6
    assert np.mean((u < 0.1) | (u > 0.9)) > 0.5


def test_skill_of_a_score_against_itself_is_zero_and_of_a_perfect_score_one():
    assert s.skill(0.8, 0.8) == 0.0
    assert s.skill(0.0, 0.8) == 1.0
    assert s.skill(1.6, 0.8) == pytest.approx(-1.0)


def test_median_ratio_and_share_within_a_factor():
    obs = np.array([100.0, 100.0, 100.0, 100.0])
    pred = np.array([50.0, 100.0, 250.0, 400.0])
    assert s.median_ratio(pred, obs) == pytest.approx(1.75)
    assert s.share_within_factor(pred, obs, 2.0) == pytest.approx(0.5)


def test_winner_accuracy_leaves_out_draws_and_unknowns():
    wina = np.array([1, -1, 0, np.nan, 1, 1])
    pred = np.array([1, 1, 1, 1, -1, 1])
    acc = s.winner_accuracy(pred, wina)
    assert acc.n == 4 and acc.share == pytest.approx(2 / 4)


def test_baseline_loses_the_cdb90_daily_rates_capped_at_strength(usable):
    b = s.baseline_casualties(usable.loc[[260, 304]])
    assert b.loc[260, "casualties_a"] == pytest.approx(0.0139 * 57000 * 12)
    assert b.loc[260, "casualties_d"] == pytest.approx(0.0403 * 30000 * 12)
    assert b.loc[304, "casualties_d"] == usable.loc[304, "strength_d"]  # 92+24 days: capped


def test_baseline_scored_against_itself_has_zero_skill(usable):
    cal, hold = cdb90.calibration(usable), cdb90.holdout(usable)
    sigma = s.baseline_dispersion(cal)
    ens = s.baseline_ensemble(hold, sigma, 200, np.random.default_rng(0))
    c = s.crps_log(ens["a"], hold["casualties_a"]).mean()
    assert s.skill(c, c) == 0.0
    point = s.baseline_casualties(hold)["casualties_a"].to_numpy()[:, None]
    assert s.crps_log(ens["a"], hold["casualties_a"]).mean() < s.crps_log(point, hold["casualties_a"]).mean()


def test_baseline_dispersion_refuses_holdout_battles(usable):
    with pytest.raises(ValueError, match="calibration"):
        s.baseline_dispersion(usable)
    with pytest.raises(ValueError, match="calibration"):
        s.baseline_dispersion(cdb90.holdout(usable))


def test_baseline_winner_is_the_side_with_the_smaller_loss_share(usable):
    w = s.baseline_winner(usable)
    assert set(np.unique(w)) <= {1.0, -1.0}
    acc = s.winner_accuracy(w, usable["wina"])
    assert acc.n == usable["wina"].isin([1, -1]).sum()
    assert acc.share == pytest.approx((usable["wina"] == 1).sum() / acc.n)  # attacker always
