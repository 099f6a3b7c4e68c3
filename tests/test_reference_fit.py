"""The regression reference of the CDB90 suite: fitted on calibration battles only, from
inputs only, recovering what it is given, and scored beside the model and the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nomonhan_sim.record import cdb90
from nomonhan_sim.validation import cdb90_scores as scs
from nomonhan_sim.validation.reference_fit import FEATURES, OUTCOME_FIELDS, features, fit_reference


@pytest.fixture(scope="module")
def battles():
    return cdb90.usable(cdb90.load_engagements())


@pytest.fixture(scope="module")
def calibration_fit(battles):
    cal = cdb90.calibration(battles)
    return fit_reference(cal[cal["era"] == "1939-1945"])


def test_features_do_not_change_when_the_outcome_fields_do(battles):
    some = battles.iloc[:40]
    scrambled = some.copy()
    rng = np.random.default_rng(3)
    for col in OUTCOME_FIELDS & set(some.columns):
        scrambled[col] = rng.permutation(scrambled[col].to_numpy())
    pd.testing.assert_frame_equal(features(some), features(scrambled))
    assert list(features(some).columns) == list(FEATURES)
    assert np.isfinite(features(battles).to_numpy(float)).all()


def test_fitting_on_holdout_or_reference_battles_is_refused(battles):
    with pytest.raises(ValueError, match="calibration battles only"):
        fit_reference(battles[battles["split"] == "holdout"].iloc[:50])
    mixed = pd.concat([cdb90.calibration(battles).iloc[:50], battles.loc[[260]]])
    with pytest.raises(ValueError, match="calibration battles only"):
        fit_reference(mixed)


def test_the_fit_uses_only_the_battles_it_is_given(calibration_fit, battles):
    fitted = set(calibration_fit.fitted_on)
    assert fitted and all(cdb90.split(i) == "calibration" for i in fitted)
    assert not fitted & cdb90.REFERENCE
    assert not fitted & set(battles.index[battles["split"] == "holdout"])


def test_the_ridge_fit_recovers_known_elasticities_on_synthetic_battles(battles):
    """Casualties generated from the real calibration inputs with known log-linear effects
    of strength and duration: the fit gets them back (per standardised feature)."""
    cal = cdb90.calibration(battles).copy()
    x = features(cal)
    rng = np.random.default_rng(11)
    for s, (b_str, b_dur) in {"a": (0.8, 0.5), "d": (0.9, 0.3)}.items():
        mu = -2.0 + b_str * x[f"log_strength_{s}"] + b_dur * x["log_duration_days"]
        cal[f"casualties_{s}"] = np.expm1(mu + 0.05 * rng.standard_normal(len(cal)))
    fit = fit_reference(cal)
    for s, (b_str, b_dur) in {"a": (0.8, 0.5), "d": (0.9, 0.3)}.items():
        coef = fit.coefficients(s)
        scale = x.std(ddof=0)
        assert coef[f"log_strength_{s}"] / scale[f"log_strength_{s}"] == pytest.approx(b_str, rel=0.1)
        assert coef["log_duration_days"] / scale["log_duration_days"] == pytest.approx(b_dur, rel=0.1)
        other = coef.drop([f"log_strength_{s}", "log_duration_days"]).abs()
        assert other.max() < 0.05  # nothing else carries the signal
        assert fit.sigma[s] == pytest.approx(0.05, rel=0.3)  # out-of-fold spread ≈ the noise


def test_ensembles_are_capped_at_strength_and_reproducible(calibration_fit, battles):
    hold = battles[(battles["split"] == "holdout") & (battles["era"] == "1939-1945")]
    one = calibration_fit.ensemble(hold, 50, np.random.default_rng(5))
    two = calibration_fit.ensemble(hold, 50, np.random.default_rng(5))
    for s in "ad":
        assert np.array_equal(one[s], two[s])
        assert (one[s] >= 0).all() and (one[s] <= hold[f"strength_{s}"].to_numpy(float)[:, None]).all()
    assert set(np.unique(calibration_fit.predicted_winner(hold))) <= {-1.0, 1.0}


def test_skill_interval_brackets_the_point_skill_and_shrinks_with_more_battles():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.5, 1.5, 400)
    crps = base * rng.uniform(0.6, 1.0, 400)
    point = 1 - crps.mean() / base.mean()
    lo, hi = scs.skill_interval(crps, base)
    lo40, hi40 = scs.skill_interval(crps[:40], base[:40])
    assert lo < point < hi
    assert hi - lo < hi40 - lo40


def test_suite_scores_the_regression_beside_the_model_and_baseline(battles, calibration_fit):
    from nomonhan_sim.record import scores as sc
    from nomonhan_sim.validation.cdb90_suite import predictions

    hold = battles[(battles["split"] == "holdout") & (battles["era"] == "1939-1945")].iloc[:12]
    fake_model = {s: np.tile(hold[f"casualties_{s}"].to_numpy(float)[:, None], (1, 30)) * 1.5 for s in "ad"}
    sigma = sc.baseline_dispersion(cdb90.calibration(battles))
    pred = predictions(hold, fake_model, sigma, seed=1, reference=calibration_fit)
    assert scs.predictors_in(pred) == ["model", "regression", "baseline"]
    rows = {(r.predictor, r.side): r for r in scs.scores(pred)}
    assert rows[("model", "attacker")].median_ratio == pytest.approx(1.5)
    assert np.isfinite(rows[("regression", "defender")].skill)
    text = scs.format_scores(pred, "t")
    assert "winner right (regression)" in text and "skill 90% (bootstrap)" in text
    without = predictions(hold, fake_model, sigma, seed=1)
    assert scs.predictors_in(without) == ["model", "baseline"]
    # the regression has its own random stream: the model's and baseline's columns are unchanged
    pd.testing.assert_frame_equal(without, pred[without.columns])
