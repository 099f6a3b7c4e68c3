"""Statistical reference predictors for the CDB90 suite: how much the inputs can tell.

The model's CRPS skill over the loss-rate baseline says how much better than two fixed
daily rates the attrition core predicts. It does not say how much better *any* predictor
could do from the same inputs: CDB90 casualties scatter by a factor of several around
anything a battle's recorded strengths, equipment, posture and duration determine. This
module fits plain regressions on the calibration half, from the engagement inputs only,
and scores them on the held-out half beside the model and the baseline: a ceiling
estimate (what a fitted statistical predictor reaches), not a rival model.

Predictors (scikit-learn, fitted on the CALIBRATION half only, never the holdout or the
reference battles 256–260, asserted in :func:`fit_reference`):

* casualties per side: ridge regression of ``log(1 + casualties)`` on the features below
  (standardised; the penalty chosen by 5-fold cross-validation on the calibration half);
  the predictive distribution is Gaussian on that log scale with the spread of the
  *out-of-fold* residuals (cross-validated, so it is not the in-sample, too-narrow
  spread), sampled and capped at the strength like the baseline's ensemble;
* winner: L2 logistic regression of ``WINA == 1`` (attacker wins; draws and unknown WINA
  left out of the fit), its strength by 5-fold cross-validated log loss; attacker predicted when the
  fitted probability is at least 0.5.

Features (:data:`FEATURES`; from what is known before the battle, or fixed by its
description): log strength of each side (the log force ratio is their difference, so a
linear fit needs no separate term), log(1 + tanks) and
log(1 + guns) of each side with a missing flag each, log duration (days), log front width
of each side (km) with a missing flag, defender posture (``post1``: HD, PD, FD, DL, WD,
unknown), surprise (``surpa``, signed code −3…3) and air superiority (``aeroa``, −1…1) with
missing flags, the relief class of ``terrain1`` (rugged, rolling, flat, unknown) and the
year. Never a field the battle's result shapes (:data:`OUTCOME_FIELDS`: casualties, final
strengths, tank losses, reinforcements, the later posture ``post2``, and the judgement
codes CEA, CRIT, KMDA, WINA); :func:`features` refuses to read them and a test checks
that changing them changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..record import cdb90

#: Fields shaped by the battle's result (or a judgement of it): never features.
OUTCOME_FIELDS = frozenset({
    "casualties_a", "casualties_d", "final_a", "final_d", "tank_losses_a", "tank_losses_d",
    "reinforcements_a", "reinforcements_d", "post2", "cea", "crit", "kmda", "wina",
    "casualties_exceed_strength",
})
#: The CDB90 columns :func:`features` reads.
INPUT_FIELDS = ("strength_a", "strength_d", "tanks_a", "tanks_d", "artillery_a", "artillery_d",
                "duration_days", "front_km_a", "front_km_d", "post1", "surpa", "aeroa", "terrain1", "year")
POSTURES = ("HD", "PD", "FD", "DL", "WD")
RELIEF = {"G": "rugged", "R": "rolling", "F": "flat"}
#: Feature names in column order.
FEATURES = ("log_strength_a", "log_strength_d", "log_tanks_a", "tanks_a_missing",
            "log_tanks_d", "tanks_d_missing", "log_guns_a", "guns_a_missing", "log_guns_d", "guns_d_missing",
            "log_duration_days", "log_front_a", "front_a_missing", "log_front_d", "front_d_missing",
            *(f"post1_{p}" for p in POSTURES), "post1_unknown", "surpa", "surpa_missing", "aeroa",
            "aeroa_missing", *(f"relief_{r}" for r in RELIEF.values()), "relief_unknown", "year")
CV_FOLDS = 5
ALPHAS = tuple(np.logspace(-2, 3, 26))


def features(df: pd.DataFrame) -> pd.DataFrame:
    """The feature matrix (rows as ``df``, columns :data:`FEATURES`) from :data:`INPUT_FIELDS` only."""
    assert not OUTCOME_FIELDS & set(INPUT_FIELDS)
    x = df.loc[:, list(INPUT_FIELDS)]
    out = pd.DataFrame(index=df.index)
    sa, sd = (x[f"strength_{s}"].astype(float) for s in "ad")
    out["log_strength_a"], out["log_strength_d"] = np.log(sa), np.log(sd)
    for what, col in (("tanks", "tanks"), ("guns", "artillery")):
        for s in "ad":
            v = x[f"{col}_{s}"].astype(float)
            out[f"log_{what}_{s}"] = np.log1p(v.fillna(0.0).clip(lower=0.0))
            out[f"{what}_{s}_missing"] = v.isna().astype(float)
    out["log_duration_days"] = np.log(x["duration_days"].astype(float))
    for s in "ad":
        v = x[f"front_km_{s}"].astype(float)
        ok = v > 0
        out[f"log_front_{s}"] = np.where(ok, np.log(v.where(ok, 1.0)), 0.0)
        out[f"front_{s}_missing"] = (~ok).astype(float)
    post = x["post1"].astype("string")
    for p in POSTURES:
        out[f"post1_{p}"] = (post == p).fillna(False).astype(float)
    out["post1_unknown"] = (~post.isin(POSTURES)).fillna(True).astype(float)
    for code in ("surpa", "aeroa"):
        v = x[code].astype(float)
        out[code] = v.fillna(0.0)
        out[f"{code}_missing"] = v.isna().astype(float)
    relief = x["terrain1"].astype("string").str[0].map(RELIEF)
    for r in RELIEF.values():
        out[f"relief_{r}"] = (relief == r).fillna(False).astype(float)
    out["relief_unknown"] = relief.isna().astype(float)
    out["year"] = x["year"].astype(float)
    return out[list(FEATURES)]


def _target(df: pd.DataFrame, side: str) -> np.ndarray:
    return np.log1p(df[f"casualties_{side}"].to_numpy(float))


def _ridge():
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS))


def _logistic():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # plain L2 logistic regression, C by cross-validated log loss (GridSearchCV rather than
    # LogisticRegressionCV, whose penalty arguments change between scikit-learn versions)
    return GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
                        {"logisticregression__C": list(np.logspace(-3, 2, 16))}, scoring="neg_log_loss",
                        cv=StratifiedKFold(CV_FOLDS, shuffle=True, random_state=0))


def _check_calibration_only(df: pd.DataFrame) -> None:
    bad = sorted(int(i) for i in df.index if cdb90.split(int(i)) != "calibration")
    if bad:
        raise ValueError(f"the reference predictors are fitted on calibration battles only; "
                         f"found {len(bad)} others (isqno {bad[:5]}...)")
    assert not cdb90.REFERENCE & {int(i) for i in df.index}


@dataclass
class ReferenceFit:
    """Fitted reference predictors: ``casualties[side]`` (ridge pipelines on log(1 + men)),
    ``sigma[side]`` (out-of-fold residual spread, log units), ``winner`` (logistic
    pipeline), the calibration battles' isqno and the chosen penalties."""

    casualties: dict
    sigma: dict[str, float]
    winner: object
    fitted_on: tuple[int, ...]

    def coefficients(self, side: str) -> pd.Series:
        """Ridge coefficients of ``side`` per standardised feature (log units per s.d.)."""
        return pd.Series(self.casualties[side][-1].coef_, index=list(FEATURES))

    def alphas(self) -> dict[str, float]:
        """The ridge penalty chosen by cross-validation per side."""
        return {s: float(m[-1].alpha_) for s, m in self.casualties.items()}

    def median(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """Predicted median casualties per side (men, capped at the strength)."""
        x = features(df).to_numpy(float)
        return {s: np.minimum(np.expm1(m.predict(x)).clip(min=0.0), df[f"strength_{s}"].to_numpy(float))
                for s, m in self.casualties.items()}

    def ensemble(self, df: pd.DataFrame, n_samples: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Samples per side {"a": (n, n_samples), "d": ...}: Gaussian on log(1 + men) around
        the fit with the out-of-fold spread, back-transformed, floored at 0 and capped at
        the strength."""
        x = features(df).to_numpy(float)
        out = {}
        for s, m in self.casualties.items():
            mu = m.predict(x)[:, None]
            z = rng.standard_normal((len(df), n_samples))
            strength = df[f"strength_{s}"].to_numpy(float)[:, None]
            out[s] = np.minimum(np.expm1(mu + self.sigma[s] * z).clip(min=0.0), strength)
        return out

    def predicted_winner(self, df: pd.DataFrame) -> np.ndarray:
        """1 (attacker) where the fitted P(attacker wins) >= 0.5, else -1."""
        p = self.winner.predict_proba(features(df).to_numpy(float))[:, 1]
        return np.where(p >= 0.5, 1.0, -1.0)


def fit_reference(calibration_df: pd.DataFrame) -> ReferenceFit:
    """Fit the reference predictors on ``calibration_df`` (calibration battles only:
    anything else raises ``ValueError``). Deterministic: fixed folds, no random state."""
    from sklearn.model_selection import KFold, cross_val_predict

    _check_calibration_only(calibration_df)
    x = features(calibration_df).to_numpy(float)
    folds = KFold(CV_FOLDS, shuffle=True, random_state=0)
    models, sigma = {}, {}
    for s in "ad":
        y = _target(calibration_df, s)
        oof = cross_val_predict(_ridge(), x, y, cv=folds)
        sigma[s] = float(np.sqrt(np.mean((y - oof) ** 2)))
        models[s] = _ridge().fit(x, y)
    w = calibration_df["wina"].to_numpy(float)
    decided = np.isin(w, (1.0, -1.0))
    winner = _logistic().fit(x[decided], (w[decided] == 1.0).astype(int))
    return ReferenceFit(models, sigma, winner, tuple(int(i) for i in calibration_df.index))


__all__ = ["FEATURES", "INPUT_FIELDS", "OUTCOME_FIELDS", "ReferenceFit", "features", "fit_reference"]
