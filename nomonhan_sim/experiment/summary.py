"""Summary table of every outcome: simulated median and 90% interval.

Event times that did not happen within the run (the ring never closed) are
censored at the end of the run: they count as "later than the end" (+inf) in
the quantiles, so a median of "> end" means it failed to happen in most
worlds. The share of worlds where it happened is shown beside the interval.
The comparison with the historical record is :mod:`nomonhan_sim.record.compare`;
formatting and quantiles are :mod:`nomonhan_sim.vocabulary.numbers`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..vocabulary import describe, fmt, quantiles
from ..vocabulary.outcome_names import ID_COLUMNS as _IDS
from ..vocabulary.outcome_names import is_outcome

ID_COLUMNS = set(_IDS)


@dataclass
class Row:
    """One outcome's summary: its unit, the worlds where it happened out of all, and
    the median and 5 %/95 % quantiles (in the outcome's unit; +inf = later than the end)."""

    outcome: str
    unit: str
    n_happened: int
    n: int
    median: float
    q05: float
    q95: float


def summarise(df: pd.DataFrame) -> list[Row]:
    """One row per outcome column (identifiers, ``_happened`` flags, per-unit detail
    ``unit.*`` and drawn inputs ``input.*`` left out)."""
    rows = []
    for col in df.columns:
        if not is_outcome(col):
            continue
        v = df[col].to_numpy(float)
        q05, med, q95 = quantiles(col, v)
        rows.append(Row(col, describe(col)[0], int(np.isfinite(v).sum()), int(v.size),
                        float(med), float(q05), float(q95)))
    return rows


def format_table(rows: list[Row], title: str = "") -> str:
    """The summary rows as a text table (median and 90 % interval, share of worlds where
    an event happened)."""
    head = f"{'outcome':38} {'unit':6} {'median':>9} {'90% interval':>21}"
    lines = ([title] if title else []) + [head, "-" * len(head)]
    for r in rows:
        interval = f"{fmt(r.q05)} – {fmt(r.q95)}"
        if r.n_happened < r.n:
            interval += f" [{r.n_happened / r.n:.0%} happen]"
        lines.append(f"{r.outcome:38} {r.unit:6} {fmt(r.median):>9} {interval:>21}")
    if any(r.n_happened < r.n for r in rows):
        lines.append("[x% happen] = share of worlds where the event happened within the run; "
                     "\"> end\" = later than the end of the run.")
    return "\n".join(lines)
