"""Number formatting and the quantiles every table and comparison uses.

Event times that did not happen within a run (NaN in an ``*_day`` column) count
as later than the end of the run (+inf) in the quantiles.
"""

from __future__ import annotations

import math

import numpy as np


def fmt(x: float) -> str:
    """Compact number: thousands separators for large values, '> end' for +inf."""
    if x == math.inf:
        return "> end"
    if not math.isfinite(x):
        return "-"
    ax = abs(x)
    return f"{x:,.0f}" if ax >= 100 else f"{x:.1f}" if ax >= 10 else f"{x:.2f}"


def quantiles(col: str, v: np.ndarray) -> tuple[float, float, float]:
    """5 %, 50 %, 95 % quantiles of outcome ``col``; event times that never happened count as +inf."""
    if col.endswith("_day"):
        return tuple(np.quantile(np.where(np.isnan(v), np.inf, v), [0.05, 0.5, 0.95], method="lower"))
    fin = v[np.isfinite(v)]
    return tuple(np.quantile(fin, [0.05, 0.5, 0.95])) if fin.size else (np.nan,) * 3
