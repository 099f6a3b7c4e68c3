"""Figures of a validation suite: predicted against observed casualties, PIT histograms,
and the error by group.

They take the per-battle predictions table of
:func:`nomonhan_sim.validation.cdb90_suite.predictions` (columns ``observed_a``,
``model_median_a``, ``model_q05_a``, ``model_q95_a``, ``baseline_a``, ``pit_model_a``,
``pit_baseline_a`` and the same with ``_d``; men, PIT values 0-1).
"""

from __future__ import annotations

import numpy as np

from .style import BAND, RECORD, SIM

_SIDES = (("a", "attacker"), ("d", "defender"))
#: CDB90 defender posture codes (post1) spelled out for axis labels.
POSTURE_NAMES = {"HD": "HD hasty", "PD": "PD prepared", "FD": "FD fortified", "DL": "DL delay",
                 "WD": "WD withdrawal", "nan": "unknown"}
#: CDB90 designation prefixes (first word of NAMA / NAMD) as shown on the error plot
NATION_NAMES = {"US": "US", "GER": "GER German", "SOV": "SOV Soviet", "BR": "BR British", "JAP": "JAP Japanese",
                "FR": "FR French", "IT": "IT Italian", "ISR": "ISR Israeli", "other": "other (fewer than 3)"}


def predicted_vs_observed(pred, title: str):
    """Log-log scatter per side: the model's median (with its 90 % interval), the baseline
    and (when ``pred`` has it) the regression reference's median against CDB90's recorded
    casualties, with y = x and a factor-2 band."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2), constrained_layout=True)
    for ax, (s, label) in zip(axes, _SIDES):
        obs = pred[f"observed_{s}"].to_numpy(float)
        med = pred[f"model_median_{s}"].to_numpy(float)
        lo, hi = pred[f"model_q05_{s}"].to_numpy(float), pred[f"model_q95_{s}"].to_numpy(float)
        base = pred[f"baseline_{s}"].to_numpy(float)
        vals = np.concatenate([obs, med, base])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        span = (max(vals.min() / 2, 1.0), vals.max() * 2) if vals.size else (1.0, 1e5)
        x = np.geomspace(*span, 50)
        ax.fill_between(x, x / 2, x * 2, color=BAND, alpha=0.35, label="within a factor of 2")
        ax.plot(x, x, color="0.3", lw=1, label="predicted = observed")
        ax.errorbar(obs, np.maximum(med, 0.5), yerr=[np.maximum(med - lo, 0), np.maximum(hi - med, 0)],
                    fmt="o", ms=4, color=SIM, ecolor=SIM, elinewidth=0.6, alpha=0.8,
                    label="model median (90% interval)")
        ax.plot(obs, base, "x", ms=4, color=RECORD, alpha=0.8, label="loss-rate baseline")
        if f"regression_median_{s}" in pred:
            ax.plot(obs, np.maximum(pred[f"regression_median_{s}"].to_numpy(float), 0.5), "^", ms=3.5, mfc="none",
                    color="#3A8E3A", alpha=0.8, label="regression reference (median)")
        ax.set(xscale="log", yscale="log", xlim=span, ylim=span,
               xlabel=f"observed {label} casualties, CDB90 (men)",
               ylabel=f"predicted {label} casualties (men)", title=f"{label.capitalize()} casualties")
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(title)
    return fig


def pit_histograms(pred, title: str, bins: int = 10):
    """PIT histograms per side, model and baseline: a calibrated predictor gives a flat
    histogram (the dashed line); a U shape means intervals too narrow."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True, sharey=True)
    edges = np.linspace(0, 1, bins + 1)
    for ax, (s, label) in zip(axes, _SIDES):
        for col, name, colour in ((f"pit_model_{s}", "model", SIM), (f"pit_baseline_{s}", "baseline", RECORD)):
            ax.hist(pred[col].to_numpy(float), bins=edges, histtype="step", lw=1.8, color=colour, label=name)
        ax.axhline(len(pred) / bins, color="0.3", ls="--", lw=1, label="calibrated (uniform)")
        ax.set(xlabel="PIT: share of simulated worlds below the observed casualties",
               ylabel="battles", title=f"{label.capitalize()} casualties")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return fig


def error_by_group(groups: dict, title: str):
    """Median log10(model / observed) per side for each grouping (e.g. era, posture):
    ``groups`` maps a grouping name to the table of
    :func:`nomonhan_sim.validation.cdb90_suite.by_group`."""
    import matplotlib.pyplot as plt

    ncols = 2 if len(groups) == 4 else min(3, len(groups))
    nrows = -(-len(groups) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(max(5.5 * ncols, 10), 4.4 * nrows), constrained_layout=True,
                             squeeze=False)
    for ax in axes.flat[len(groups):]:
        ax.axis("off")
    for ax, (name, g) in zip(axes.flat, groups.items()):
        labels = [f"{POSTURE_NAMES.get(k, NATION_NAMES.get(k, k))} (n={n})"
                  for k, n in zip(g.iloc[:, 0].astype(str), g["n"])]
        y = np.arange(len(g))
        ax.barh(y - 0.2, g["log10_ratio_attacker"], height=0.4, color=SIM, label="attacker")
        ax.barh(y + 0.2, g["log10_ratio_defender"], height=0.4, color=RECORD, label="defender")
        ax.axvline(0, color="0.3", lw=1)
        ax.set_yticks(y, labels)
        ax.set(xlabel="median log10(model median / observed casualties)", title=f"Error by {name}")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return fig
