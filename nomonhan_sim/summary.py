"""Summary table: each outcome's simulated median and 90% interval beside the record.

Event times that did not happen within the run (the ring never closed) are
censored at the end of the run: they count as "later than the end" (+inf) in
the quantiles, so a median of "> end" means it failed to happen in most
worlds. The share of worlds where it happened is shown beside the interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .outcome_names import describe
from .scenario.loader import LoadedScenario
from .scenario.schema import CompareTarget


@dataclass
class Row:
    outcome: str
    unit: str
    n_defined: int
    n: int
    median: float
    q05: float
    q95: float
    target: CompareTarget | None = None

    @property
    def verdict(self) -> str:
        t = self.target
        if t is None:
            return ""
        if self.n_defined == 0:
            return "outside: never happens in the model"
        if t.high < self.q05 and self.q05 == math.inf:
            return f"outside: happens within the run in only {self.n_defined / self.n:.0%} of worlds"
        if t.high < self.q05:
            return f"outside: record {_fmt(self.q05 - t.high)} below the 5th percentile"
        if t.low > self.q95:
            return f"outside: record {_fmt(t.low - self.q95)} above the 95th percentile"
        return "inside 90% interval"

    def p_in_range(self, values: np.ndarray) -> float:
        """Share of all worlds whose value falls in the historical range."""
        t = self.target
        v = values[np.isfinite(values)]
        return float(((v >= t.low) & (v <= t.high)).sum() / max(self.n, 1))


def _fmt(x: float) -> str:
    if x == math.inf:
        return "> end"
    if not math.isfinite(x):
        return "-"
    ax = abs(x)
    if ax >= 100:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def summarise(df: pd.DataFrame, scenario: LoadedScenario | None = None) -> list[tuple[Row, float | None]]:
    """One row per outcome column (compared outcomes first)."""
    targets = {t.outcome: t for t in (scenario.model.compare if scenario else [])}
    skip = {"replicate", "seed", "chunk"}
    cols = [c for c in df.columns if c not in skip and ":" not in c]
    cols = [c for c in targets if c in df.columns] + [c for c in cols if c not in targets]
    rows = []
    for col in cols:
        v = df[col].to_numpy(float)
        fin = v[np.isfinite(v)]
        if col.endswith("_day"):  # event time: not happening = later than the end of the run
            q05, med, q95 = np.quantile(np.where(np.isnan(v), np.inf, v), [0.05, 0.5, 0.95], method="lower")
        else:
            q05, med, q95 = (np.quantile(fin, [0.05, 0.5, 0.95]) if fin.size else (np.nan,) * 3)
        row = Row(col, describe(col)[0], int(fin.size), int(v.size), float(med), float(q05), float(q95),
                  targets.get(col))
        rows.append((row, row.p_in_range(v) if row.target else None))
    for name, t in targets.items():
        if name not in df.columns:
            rows.append((Row(name, describe(name)[0], 0, len(df), np.nan, np.nan, np.nan, t), 0.0))
    return rows


def format_table(rows, title: str = "") -> str:
    """A plain-text table with the record's sources as numbered notes."""
    head = f"{'outcome':34} {'unit':6} {'median':>9} {'90% interval':>21} {'record':>15} {'P(record)':>9}  verdict"
    lines = [title, head, "-" * len(head)] if title else [head, "-" * len(head)]
    notes = []
    for row, p in rows:
        interval = f"{_fmt(row.q05)} – {_fmt(row.q95)}"
        if row.n_defined < row.n:
            interval += f" [{row.n_defined / row.n:.0%} happen]"
        rec, pr = "", ""
        if row.target is not None:
            t = row.target
            rec = _fmt(t.low) if t.low == t.high else f"{_fmt(t.low)}–{_fmt(t.high)}"
            notes.append(t.source)
            rec += f" [{len(notes)}]"
            pr = f"{p:.2f}"
        lines.append(f"{row.outcome:34} {row.unit:6} {_fmt(row.median):>9} {interval:>21} {rec:>15} {pr:>9}  {row.verdict}")
    if notes:
        lines.append("")
        lines.append("Sources of the record:")
        lines += [f"  [{i}] {s}" for i, s in enumerate(notes, 1)]
    lines.append("")
    lines.append("[x% happen] = share of worlds where the event happened within the run; "
                 "\"> end\" = later than the end of the run (it did not happen).")
    lines.append("P(record) = share of all simulated worlds whose value lies in the record's range.")
    return "\n".join(lines)
