"""Scores of probabilistic predictions of battles against the record (pure numpy/scipy).

Conventions: ``samples`` is an ``(n_battles, n_samples)`` array (one ensemble per battle,
e.g. simulated casualties of one side), ``observed`` an ``(n_battles,)`` array. Lower CRPS
is better; the other scores are read as stated in each docstring.

The baseline (:func:`baseline_casualties`, :func:`baseline_ensemble`,
:func:`baseline_winner`) is the CDB90 loss-rate rule of ``combat_models.md`` §3.3: the
attacker loses 1.39 % and the defender 4.03 % of its strength per day of battle (medians
of the WWII battles of CDB90). It takes a frame shaped like
:func:`nomonhan_sim.record.cdb90.load_engagements`.

Two caveats of the baseline. The rates were computed (research notes) from *all* WWII
battles of CDB90, calibration and holdout alike, so on WWII battles the baseline is not an
out-of-sample forecast; a model that beats it there beats an in-sample rule. And they were
computed with the midpoint of ``duration_min``/``duration_max``, while ``duration_days``
is ``duration_max``: on WWII battles the baseline therefore over-predicts by about a
quarter (median predicted/observed ≈ 1.25–1.3 on the holdout, ≈ 0.96–0.99 with midpoints).
The rates are kept as published (they are the issue's baseline), not refitted.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

ATTACKER_RATE_PER_DAY = 0.0139
DEFENDER_RATE_PER_DAY = 0.0403


def _2d(samples) -> np.ndarray:
    x = np.asarray(samples, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError("samples must be an (n_battles, n_samples) array")
    return x


def crps_ensemble(samples, observed) -> np.ndarray:
    """CRPS of each battle's ensemble at its observation, one value per battle.

    CRPS(F, y) = ∫ (F(x) − 1{x ≥ y})² dx, and for the empirical distribution of m samples
    x₁ … x_m (Gneiting & Raftery 2007, eq. 21)::

        CRPS = (1/m) Σᵢ |xᵢ − y| − (1/(2m²)) Σᵢ Σⱼ |xᵢ − xⱼ|

    The double sum is computed from the sorted samples x₍₁₎ ≤ … ≤ x₍ₘ₎ as
    Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σₖ (2k − m − 1) x₍ₖ₎. With one sample (a point forecast) the CRPS
    is the absolute error |x − y|. Unit: the unit of the values.
    """
    x = np.sort(_2d(samples), axis=1)
    y = np.asarray(observed, dtype=float).reshape(-1)
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{x.shape[0]} ensembles but {y.shape[0]} observations")
    m = x.shape[1]
    k = np.arange(1, m + 1)
    spread = 2.0 * ((2 * k - m - 1) * x).sum(axis=1) / m**2
    return np.abs(x - y[:, None]).mean(axis=1) - 0.5 * spread


def crps_log(samples, observed) -> np.ndarray:
    """CRPS on log(1 + casualties): :func:`crps_ensemble` of ``log1p(samples)`` at
    ``log1p(observed)``, one value per battle (unit: natural-log units; a CRPS of 0.3 is an
    error of about a factor e^0.3 ≈ 1.35). Casualties must be ≥ 0. The log scale keeps the
    few battles with 10⁵–10⁶ casualties from dominating the mean over battles."""
    x, y = _2d(samples), np.asarray(observed, dtype=float)
    if (x < 0).any() or (y < 0).any():
        raise ValueError("casualties must be >= 0")
    return crps_ensemble(np.log1p(x), np.log1p(y))


def median_ratio(pred_median, observed) -> float:
    """median over battles of predicted / observed (1 is unbiased; > 1 over-predicts).
    Battles with an observed value of 0 are left out (the ratio is undefined)."""
    p, o = np.asarray(pred_median, dtype=float), np.asarray(observed, dtype=float)
    keep = o > 0
    return float(np.median(p[keep] / o[keep]))


def share_within_factor(pred, observed, factor: float = 2.0) -> float:
    """Share of battles with 1/factor ≤ predicted / observed ≤ factor (observed > 0 only)."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    p, o = np.asarray(pred, dtype=float), np.asarray(observed, dtype=float)
    keep = o > 0
    r = p[keep] / o[keep]
    return float(np.mean((r >= 1.0 / factor) & (r <= factor)))


def pit(samples, observed, rng: np.random.Generator) -> np.ndarray:
    """Randomized probability integral transform of each observation in its ensemble.

    With L = #{xᵢ < y}, E = #{xᵢ = y} among m samples and V ~ U(0, 1)::

        PIT = (L + V · (E + 1)) / (m + 1)

    i.e. the observation's rank among the m + 1 values, uniform over the ranks it ties
    with, spread uniformly inside the rank's bin. If the observation is drawn from the same
    distribution as the samples, PIT is uniform on (0, 1) — also for discrete values, which
    is why ties are broken at random. A histogram that is ∪-shaped means too narrow
    ensembles, ∩-shaped too wide, sloped biased.
    """
    x = _2d(samples)
    y = np.asarray(observed, dtype=float).reshape(-1)[:, None]
    less = (x < y).sum(axis=1)
    equal = (x == y).sum(axis=1)
    v = rng.uniform(size=less.shape)
    return (less + v * (equal + 1)) / (x.shape[1] + 1)


def skill(score, baseline_score):
    """Skill score 1 − score / baseline_score (for a negatively oriented score such as the
    CRPS: 0 = as good as the baseline, 1 = perfect, < 0 = worse than the baseline)."""
    return 1.0 - np.asarray(score, dtype=float) / np.asarray(baseline_score, dtype=float)


class WinnerAccuracy(NamedTuple):
    """Winner accuracy: the share right and the number of battles it is over."""

    share: float
    """share of battles whose predicted winner is the recorded one"""
    n: int
    """battles counted: recorded WINA of 1 or −1 (draws 0 and unknowns NaN left out)"""


def winner_accuracy(pred_winner, wina) -> WinnerAccuracy:
    """Share of battles whose predicted winner (1 attacker, −1 defender) is the recorded
    WINA; battles recorded as a draw (WINA 0) or unknown (NaN) are excluded, and the number
    of battles used is returned with the share. A predicted draw (0) counts as wrong."""
    p, w = np.asarray(pred_winner, dtype=float), np.asarray(wina, dtype=float)
    keep = np.isin(w, (1.0, -1.0))
    n = int(keep.sum())
    return WinnerAccuracy(float(np.mean(p[keep] == w[keep])) if n else float("nan"), n)


# ---------------------------------------------------------------------------- baseline

def _battle_days(df: pd.DataFrame) -> np.ndarray:
    # The rates were derived with sub-day battles counted as one day (combat_models.md
    # §3.3), so they are applied the same way.
    return np.maximum(df["duration_days"].to_numpy(float), 1.0)


def baseline_casualties(df: pd.DataFrame) -> pd.DataFrame:
    """Expected casualties per side: rate × strength × max(duration_days, 1), capped at
    the strength (attacker rate 1.39 %/day, defender 4.03 %/day). Columns ``casualties_a``
    and ``casualties_d`` (men), same index as ``df``."""
    days = _battle_days(df)
    out = {}
    for side, rate in (("a", ATTACKER_RATE_PER_DAY), ("d", DEFENDER_RATE_PER_DAY)):
        strength = df[f"strength_{side}"].to_numpy(float)
        out[f"casualties_{side}"] = np.minimum(rate * strength * days, strength)
    return pd.DataFrame(out, index=df.index)


def baseline_dispersion(calibration_df: pd.DataFrame) -> dict[str, float]:
    """Log-scale spread σ per side of the baseline's ensemble, fitted on the CALIBRATION
    half only (pass ``cdb90.calibration(cdb90.usable(df))``; never the holdout).

    σ = sqrt(mean(r²)), r = log(observed / baseline) over the battles: the maximum-
    likelihood σ of a lognormal whose median is fixed at the baseline value. (It includes
    the baseline's bias, so the ensemble is wide enough to cover it.)"""
    from .cdb90 import split

    if any(split(i) != "calibration" for i in calibration_df.index):
        raise ValueError("baseline_dispersion is fitted on calibration battles only")
    pred = baseline_casualties(calibration_df)
    out = {}
    for side in ("a", "d"):
        r = np.log(calibration_df[f"casualties_{side}"].to_numpy(float)
                   / pred[f"casualties_{side}"].to_numpy(float))
        out[side] = float(np.sqrt(np.mean(r[np.isfinite(r)] ** 2)))
    return out


def baseline_ensemble(df: pd.DataFrame, sigma: dict[str, float], n_samples: int,
                      rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Ensembles of casualties per side for the CRPS and the PIT: lognormal around the
    baseline, baseline × exp(σ · Z) with Z ~ N(0, 1), capped at the strength; ``sigma``
    from :func:`baseline_dispersion`. Returns {"a": (n, n_samples), "d": (n, n_samples)}."""
    pred = baseline_casualties(df)
    out = {}
    for side in ("a", "d"):
        centre = pred[f"casualties_{side}"].to_numpy(float)[:, None]
        strength = df[f"strength_{side}"].to_numpy(float)[:, None]
        z = rng.standard_normal((len(df), n_samples))
        out[side] = np.minimum(centre * np.exp(sigma[side] * z), strength)
    return out


def baseline_winner(df: pd.DataFrame) -> np.ndarray:
    """The baseline's winner: the side that loses the smaller share of its strength wins
    (1 attacker, −1 defender); equal shares (both capped at 100 %) go to the attacker.
    With the fixed rates the attacker's share is always the smaller, so this rule is
    "the attacker wins" — the base-rate forecast a model must beat."""
    pred = baseline_casualties(df)
    share_a = pred["casualties_a"].to_numpy(float) / df["strength_a"].to_numpy(float)
    share_d = pred["casualties_d"].to_numpy(float) / df["strength_d"].to_numpy(float)
    return np.where(share_a <= share_d, 1.0, -1.0)


__all__ = ["ATTACKER_RATE_PER_DAY", "DEFENDER_RATE_PER_DAY", "WinnerAccuracy", "baseline_casualties",
           "baseline_dispersion", "baseline_ensemble", "baseline_winner", "crps_ensemble", "crps_log",
           "median_ratio", "pit", "share_within_factor", "skill", "winner_accuracy"]
