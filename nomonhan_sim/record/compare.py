"""Compare simulated outcomes with the historical record.

For every outcome a scenario compares (its ``[[compare]]`` entries, each naming
the claims it rests on):

* the historical range (union of the claims' ranges, or the range the scenario
  states) and a central value (stated, or the range's midpoint);
* the simulated median and 90 % interval;
* ``P(range)`` — the share of simulated worlds whose value lies in the range;
* the percentile of the historical central value in the simulated distribution;
* the 90 % highest-density region (HDR, :mod:`nomonhan_sim.record.hdr`): the values
  of highest simulated density holding 90 % of the worlds, which leaves out a trough
  between two modes;
* the verdict: *inside* when the record range shares a value with the 90 % HDR, else
  *outside*, saying where (above, below, or in a low-density trough between modes) —
  a record in a trough is a miss even when it lies between the 5th and 95th
  percentiles;
* the CRPS of the ensemble against the central value (Gneiting & Raftery 2007):
  ``CRPS = E|X − y| − ½ E|X − X'|``, in the outcome's unit.

Dates become days after the scenario start: a claim dated 23–25 Aug spans from
23 Aug 00:00 to 26 Aug 00:00. Event times that did not happen in a world
(``NaN``) count as later than any time (for the quantiles, ``P(range)`` and the
percentile) and as the end of the run for the CRPS (censored).

Overall score: the share of ranges inside the 90 % HDR, and the mean
relative CRPS (CRPS divided by the central value) — lower is better.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..vocabulary.numbers import fmt as _fmt
from ..vocabulary.numbers import quantiles
from ..vocabulary.outcome_names import describe
from .claims import Claim, Record
from .hdr import Region, highest_density_region


def crps_ensemble(x: np.ndarray, y: float) -> float:
    """CRPS of the empirical distribution of samples ``x`` at observation ``y``.

    Uses the sorted-sample identity E|X − X'| = (2 / n²) Σ_i (2i − n − 1) x_(i).
    """
    x = np.sort(np.asarray(x, dtype=float))
    n = x.size
    if n == 0:
        return float("nan")
    term1 = np.abs(x - y).mean()
    i = np.arange(1, n + 1)
    term2 = (2.0 / n**2) * np.sum((2 * i - n - 1) * x)
    return float(term1 - 0.5 * term2)


def _claim_interval_days(c: Claim, start: dt.datetime) -> tuple[float, float]:
    lo = c.date_low or c.date
    hi = c.date_high or c.date
    t_lo = dt.datetime.combine(lo, dt.time())
    t_hi = dt.datetime.combine(hi, dt.time()) + dt.timedelta(days=1)
    return (t_lo - start).total_seconds() / 86400.0, (t_hi - start).total_seconds() / 86400.0


def claim_range(claims: list[Claim], start: dt.datetime) -> tuple[float, float] | None:
    """Union of the claims' ranges in outcome units (dates as days after ``start``)."""
    spans = []
    for c in claims:
        if c.kind == "date":
            spans.append(_claim_interval_days(c, start))
        elif c.kind == "figure":
            spans.append(c.interval)
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans)


@dataclass
class Comparison:
    """One outcome against the record: the historical range ``low``-``high`` and central
    ``value`` (in ``unit``; times in days after the scenario start), the simulated
    median and 5th/95th percentiles over ``n`` worlds (``n_happened`` with the event
    within the run), ``P(range)``, the record's percentile and the CRPS."""

    outcome: str
    unit: str
    claims: list[Claim]
    low: float
    high: float
    value: float
    n: int
    n_happened: int
    median: float
    q05: float
    q95: float
    p_range: float
    percentile: float
    crps: float
    note: str = ""
    extra_sources: list[str] = field(default_factory=list)
    hdr: Region = field(default_factory=Region)

    @property
    def inside(self) -> bool:
        """The record range shares a value with the simulated 90 % highest-density region."""
        return self.hdr.overlaps(self.low, self.high)

    @property
    def inside_interval(self) -> bool:
        """The record range overlaps the 5–95 % interval (the weaker, older test)."""
        return self.low <= self.q95 and self.high >= self.q05

    @property
    def verdict(self) -> str:
        """``inside the 90% HDR``, or ``outside: ...`` saying where the record lies (gaps
        in the outcome's unit)."""
        if self.n_happened == 0:
            return "outside: never happens in the model"
        if self.inside:
            return "inside the 90% HDR"
        iv = self.hdr.intervals
        if not iv:
            return f"outside: happens within the run in only {self.n_happened / self.n:.0%} of worlds"
        lo, hi = iv[0][0], iv[-1][1]
        if self.high < lo:
            return f"outside: record {_fmt(lo - self.high)} below the 90% HDR"
        if self.low > hi:
            return f"outside: record {_fmt(self.low - hi)} above the 90% HDR"
        return f"outside: in a low-density trough between modes (90% HDR {self.hdr.text(_fmt)})"

    @property
    def sources(self) -> str:
        """The claims' citations and values, then any sources the scenario states."""
        return "; ".join([f"{c.source.label} {c.shown}" for c in self.claims] + self.extra_sources)




#: Units whose values cannot be negative (men, pieces, vehicles, tons, hours, unit-hours, days after the
#: start, straight-line km from a start); shares also cannot exceed 1.
NON_NEGATIVE_UNITS = frozenset({"men", "pieces", "vehicles", "t", "hours", "unit-hours", "days", "km", "share"})


def outcome_bounds(outcome: str) -> tuple[float, float]:
    """The values ``outcome`` can take, from its unit: (0, 1) for a share, (0, inf) for
    counts, tons, distances and event days, (-inf, inf) otherwise."""
    unit = describe(outcome)[0]
    if unit == "share":
        return 0.0, 1.0
    return (0.0, np.inf) if unit in NON_NEGATIVE_UNITS else (-np.inf, np.inf)


def compare_outcomes(df: pd.DataFrame, scenario, record: Record) -> list[Comparison]:
    """One :class:`Comparison` per ``[[compare]]`` entry of the scenario."""
    m = scenario.model
    start = m.engine.start
    end_day = m.engine.duration_hours / 24.0
    out = []
    for t in m.compare:
        claims = [record.get(cid) for cid in t.claims]
        rng = claim_range(claims, start)
        low = t.low if t.low is not None else rng[0]
        high = t.high if t.high is not None else rng[1]
        value = t.value if t.value is not None else 0.5 * (low + high)
        if t.outcome in df.columns:
            v = df[t.outcome].to_numpy(float)
        else:
            v = np.full(len(df), np.nan)
        happened = np.isfinite(v)
        is_time = t.outcome.endswith("_day")
        ranked = np.where(happened, v, np.inf) if is_time else v[happened]
        q05, med, q95 = quantiles(t.outcome, v) if v.size else (float("nan"),) * 3
        in_range = (ranked >= low) & (ranked <= high)
        p_range = float(in_range.sum() / max(len(v), 1))
        percentile = float((ranked <= value).sum() / max(ranked.size, 1))
        scored = np.where(happened, v, end_day) if is_time else v[happened]
        crps = crps_ensemble(scored, value)
        out.append(Comparison(
            outcome=t.outcome, unit=describe(t.outcome)[0], claims=claims, low=float(low), high=float(high),
            value=float(value), n=len(v), n_happened=int(happened.sum()), median=float(med),
            q05=float(q05), q95=float(q95), p_range=p_range, percentile=percentile, crps=crps,
            note=t.note, extra_sources=[t.source] if t.source else [],
            hdr=highest_density_region(np.where(happened, v, np.inf) if is_time else v[happened],
                                       bounds=outcome_bounds(t.outcome)),
        ))
    return out


def overall_score(rows: list[Comparison]) -> dict[str, float]:
    """Share of record ranges inside the 90 % HDR and mean relative CRPS."""
    if not rows:
        return {"share_inside": float("nan"), "mean_relative_crps": float("nan"), "n": 0}
    rel = [r.crps / abs(r.value) for r in rows if r.value != 0 and math.isfinite(r.crps)]
    return {"share_inside": sum(r.inside for r in rows) / len(rows),
            "mean_relative_crps": float(np.mean(rel)) if rel else float("nan"), "n": len(rows)}


def format_comparison(rows: list[Comparison], title: str = "", notes: bool = True) -> str:
    """The comparison as a text table, with each record value's sources (and, if
    ``notes``, the record's note on its scope and derivation)."""
    wid = max([28] + [len(r.outcome) for r in rows])
    head = (f"{'outcome':{wid}} {'unit':6} {'record':>15} {'median':>8} {'90% interval':>19} "
            f"{'P(range)':>8} {'pctile':>6} {'CRPS':>8}  verdict")
    lines = ([title] if title else []) + [head, "-" * len(head)]
    for r in rows:
        rec = _fmt(r.low) if r.low == r.high else f"{_fmt(r.low)}–{_fmt(r.high)}"
        iv = f"{_fmt(r.q05)} – {_fmt(r.q95)}"
        lines.append(f"{r.outcome:{wid}} {r.unit:6} {rec:>15} {_fmt(r.median):>8} {iv:>19} "
                     f"{r.p_range:>8.2f} {r.percentile:>6.2f} {_fmt(r.crps):>8}  {r.verdict}")
    s = overall_score(rows)
    lines += ["", f"Record ranges inside the simulated 90% highest-density region (HDR): "
                  f"{s['share_inside']:.0%} of {s['n']}; "
                  f"mean relative CRPS (CRPS / record value, lower is better): {s['mean_relative_crps']:.3f}",
              "", "Sources of the record:"]
    for r in rows:
        lines.append(f"  {r.outcome}: {r.sources}")
        if r.note and notes:
            lines.append(f"      note: {r.note}")
    lines.append("P(range) = share of simulated worlds in the record's range; pctile = share of worlds at or below "
                 "the record's central value; event times that never happened count as later than the run "
                 "(censored at its end for the CRPS).")
    return "\n".join(lines)
