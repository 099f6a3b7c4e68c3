"""Scores of the CDB90 suite: the model, the regression reference and the loss-rate baseline.

Works on the per-battle table of :func:`nomonhan_sim.validation.cdb90_suite.predictions`
(columns ``observed_<s>``, ``<predictor>_median_<s>`` or ``baseline_<s>``,
``crps_<predictor>_<s>``, ``pit_<predictor>_<s>``, ``winner_<predictor>``; ``s`` = ``a``
attacker, ``d`` defender). Casualties in men, CRPS on log(1 + men).

Skill is 1 − CRPS(predictor) / CRPS(baseline), averaged over the battles; its 90 %
interval comes from a bootstrap over battles (the same resampled battles for the
predictor and the baseline, :data:`BOOTSTRAP` resamples, seeded): with 86 held-out battles
a skill of a few hundredths is not distinguishable from zero, and the interval says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..record import scores as sc

SIDES = {"a": "attacker", "d": "defender"}
#: Predictors in table order; ``regression`` only where the table has its columns.
PREDICTORS = ("model", "regression", "baseline")
#: Bootstrap resamples of the battles for the skill interval.
BOOTSTRAP = 2000
#: Duration classes (days of fighting) for the error-by-group table.
DURATION_BINS = (0.0, 1.0, 3.0, 10.0, float("inf"))
DURATION_LABELS = ("up to 1 day", "1-3 days", "3-10 days", "over 10 days")


@dataclass
class Score:
    """Scores of one predictor for one side over a set of battles; ``skill_q05`` and
    ``skill_q95`` bound the bootstrap 90 % interval of ``skill``."""

    predictor: str
    side: str
    n: int
    median_ratio: float
    within_2: float
    crps: float
    skill: float
    coverage_90: float
    skill_q05: float = float("nan")
    skill_q95: float = float("nan")


def predictors_in(pred: pd.DataFrame) -> list[str]:
    """The predictors whose columns ``pred`` holds, in :data:`PREDICTORS` order."""
    return [p for p in PREDICTORS if f"crps_{p}_a" in pred]


def _median_column(name: str, s: str) -> str:
    return f"baseline_{s}" if name == "baseline" else f"{name}_median_{s}"


def skill_interval(crps: np.ndarray, base: np.ndarray, seed: int = 0, level: float = 0.90) -> tuple[float, float]:
    """Bootstrap interval (over battles, paired) of 1 − mean(crps) / mean(base)."""
    n = len(crps)
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 91]))
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    s = 1.0 - crps[idx].mean(axis=1) / base[idx].mean(axis=1)
    lo, hi = np.quantile(s, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def scores(pred: pd.DataFrame) -> list[Score]:
    """Scores per predictor and side over the battles of ``pred``: median predicted/observed,
    share within a factor of 2, mean CRPS on log casualties, CRPS skill against the baseline
    with its bootstrap 90 % interval, share of observed values inside the 90 % interval."""
    out = []
    for s, label in SIDES.items():
        obs = pred[f"observed_{s}"].to_numpy(float)
        base = pred[f"crps_baseline_{s}"].to_numpy(float)
        for name in predictors_in(pred):
            med = pred[_median_column(name, s)].to_numpy(float)
            crps = pred[f"crps_{name}_{s}"].to_numpy(float)
            p = pred[f"pit_{name}_{s}"].to_numpy(float)
            mean_crps = float(crps.mean())
            lo, hi = skill_interval(crps, base) if name != "baseline" else (0.0, 0.0)
            out.append(Score(name, label, len(pred), sc.median_ratio(med, obs), sc.share_within_factor(med, obs),
                             mean_crps, float(sc.skill(mean_crps, float(base.mean()))),
                             float(np.mean((p >= 0.05) & (p <= 0.95))) if len(p) else float("nan"), lo, hi))
    return out


def winner_scores(pred: pd.DataFrame) -> dict[str, sc.WinnerAccuracy]:
    """Winner accuracy of each predictor (draws and unknown WINA left out)."""
    return {name: sc.winner_accuracy(pred[f"winner_{name}"], pred["wina"]) for name in predictors_in(pred)}


def format_scores(pred: pd.DataFrame, title: str) -> str:
    """A text table of :func:`scores` and :func:`winner_scores` for ``pred``."""
    head = (f"{'predictor':10} {'side':9} {'n':>4} {'median pred/obs':>16} {'within x2':>10} "
            f"{'CRPS(log)':>10} {'skill':>7} {'skill 90% (bootstrap)':>22} {'in 90%':>7}")
    lines = [title, head, "-" * len(head)]
    for r in scores(pred):
        ci = f"{r.skill_q05:+.2f} to {r.skill_q95:+.2f}" if r.predictor != "baseline" else "-"
        lines.append(f"{r.predictor:10} {r.side:9} {r.n:>4} {r.median_ratio:>16.2f} {r.within_2:>10.2f} "
                     f"{r.crps:>10.3f} {r.skill:>7.2f} {ci:>22} {r.coverage_90:>7.2f}")
    for name, w in winner_scores(pred).items():
        lines.append(f"winner right ({name}): {w.share:.2f} of {w.n} battles (draws and unknowns left out)")
    if "regression" in predictors_in(pred):
        lines.append("regression: ridge / logistic fits of the calibration half from the engagement inputs "
                     "(nomonhan_sim.validation.reference_fit): what a fitted statistical predictor reaches, "
                     "not a rival model")
    return "\n".join(lines)


#: Groups (e.g. nationalities) with fewer battles than this are pooled as "other" by :func:`pooled`.
MIN_GROUP_BATTLES = 3


def pooled(pred: pd.DataFrame, column: str) -> pd.DataFrame:
    """``pred`` with the values of ``column`` held by fewer than :data:`MIN_GROUP_BATTLES`
    of its battles replaced by "other" (a copy)."""
    out = pred.copy()
    counts = out[column].map(out[column].value_counts())
    out[column] = out[column].where(counts >= MIN_GROUP_BATTLES, "other")
    return out


def by_group(pred: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median log10(model median / observed) per side and group of ``column`` (era,
    post1, ...), with the battle count: where the model's error lies."""
    rows = []
    for key, g in pred.groupby(column, dropna=False):
        row = {column: key, "n": len(g)}
        for s, label in SIDES.items():
            r = np.log10(g[f"model_median_{s}"].to_numpy(float) / g[f"observed_{s}"].to_numpy(float))
            row[f"log10_ratio_{label}"] = float(np.median(r[np.isfinite(r)])) if np.isfinite(r).any() else float("nan")
        rows.append(row)
    out = pd.DataFrame(rows)
    if column == "duration_class" and len(out):  # shortest first, not alphabetical
        order = {k: i for i, k in enumerate(DURATION_LABELS)}
        out = out.sort_values(column, key=lambda c: c.map(lambda k: order.get(k, len(order)))).reset_index(drop=True)
    return out


__all__ = ["MIN_GROUP_BATTLES", "PREDICTORS", "Score", "by_group", "format_scores", "pooled", "predictors_in",
           "scores", "skill_interval", "winner_scores"]
