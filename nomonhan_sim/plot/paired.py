"""Paired comparison of two scenario variants run with common random numbers.

Two variants run with the same seed draw the same inputs in world ``i`` (every
random input has its own named stream, see :mod:`nomonhan_sim.engine.state`),
so world ``i`` of one variant is paired with world ``i`` of the other. The
difference ``b_i - a_i`` isolates the effect of what differs between the
variants (here: the orders) from the input spread the two share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .style import BAND, MEDIAN, SIDE_COLOURS, SIM


@dataclass(frozen=True)
class PairedSummary:
    """Paired differences ``b - a`` over worlds where both values are finite."""

    n: int                  # pairs used
    median_diff: float      # median of b_i - a_i
    ci_low: float           # 95 % bootstrap interval of the median difference
    ci_high: float
    share_b_greater: float  # share of pairs with b_i > a_i
    wilcoxon_p: float       # two-sided Wilcoxon signed-rank p-value (NaN if all differences are 0)


def paired_summary(a, b, seed: int = 0, n_boot: int = 2000) -> PairedSummary:
    """Median paired difference ``b - a`` with a bootstrap 95 % interval and a Wilcoxon test.

    ``seed`` seeds the bootstrap's own generator (no global random state).
    """
    from scipy import stats

    a = np.asarray(a, float)
    b = np.asarray(b, float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples must have the same shape, found {a.shape} and {b.shape}")
    ok = np.isfinite(a) & np.isfinite(b)
    d = b[ok] - a[ok]
    if d.size == 0:
        raise ValueError("no world has a finite value in both variants")
    rng = np.random.default_rng(seed)
    boot = np.median(d[rng.integers(0, d.size, size=(n_boot, d.size))], axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    p = float(stats.wilcoxon(d).pvalue) if np.any(d != 0) else float("nan")
    return PairedSummary(n=int(d.size), median_diff=float(np.median(d)), ci_low=float(lo), ci_high=float(hi),
                         share_b_greater=float(np.mean(d > 0)), wilcoxon_p=p)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def plot_paired(axes, a, b, label_a: str, label_b: str, quantity: str, unit: str) -> PairedSummary:
    """Two panels for one outcome of two variants run with common random numbers.

    ``axes``: two matplotlib axes. Left: each world's value under ``label_a``
    (x) against its value under ``label_b`` (y), with the line of no
    difference. Right: histogram of the paired differences ``b - a`` with their
    median and its 95 % bootstrap interval. ``quantity``/``unit`` name the
    outcome for the axis labels, e.g. ``("Soviet casualties", "men")``.
    Returns the :class:`PairedSummary` drawn.
    """
    ax1, ax2 = axes
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    s = paired_summary(a, b)
    ok = np.isfinite(a) & np.isfinite(b)
    ax1.scatter(a[ok], b[ok], s=10, alpha=0.55, color=SIM, edgecolor="none", label=f"one world ({s.n} pairs)")
    lo = float(min(a[ok].min(), b[ok].min()))
    hi = float(max(a[ok].max(), b[ok].max()))
    ax1.plot([lo, hi], [lo, hi], color=MEDIAN, lw=1, ls="--", label="no difference (y = x)")
    if hi >= 1000:  # thousands separators on count axes
        for axis in (ax1.xaxis, ax1.yaxis, ax2.xaxis):
            axis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax1.set_xlabel(f"{quantity}, {label_a} ({unit})")
    ax1.set_ylabel(f"{quantity}, {label_b} ({unit})")
    ax1.set_title(f"{quantity}: each world under both variants", fontsize=10)
    ax1.legend(fontsize=7, loc="upper left")

    d = b[ok] - a[ok]
    ax2.hist(d, bins=30, color=SIDE_COLOURS[1], alpha=0.75, label="paired difference, one per world")
    ax2.axvspan(s.ci_low, s.ci_high, color=BAND, alpha=0.5, zorder=0,
                label=f"95% interval of the median {_fmt(s.ci_low)} – {_fmt(s.ci_high)}")
    ax2.axvline(s.median_diff, color=MEDIAN, lw=1.6, label=f"median difference {_fmt(s.median_diff)}")
    ax2.axvline(0, color=SIDE_COLOURS[0], lw=1, ls=":", label="no difference")
    p = "n/a" if not np.isfinite(s.wilcoxon_p) else (f"{s.wilcoxon_p:.1e}" if s.wilcoxon_p < 1e-3 else f"{s.wilcoxon_p:.3f}")
    ax2.plot([], [], " ", label=f"{label_b} higher in {s.share_b_greater:.0%} of worlds; Wilcoxon p = {p}")
    ax2.set_xlabel(f"{quantity}: {label_b} minus {label_a} ({unit})")
    ax2.set_ylabel("worlds (count)")
    ax2.set_title(f"{quantity}: paired difference, common random numbers", fontsize=10)
    ax2.legend(fontsize=7, loc="best")
    return s
