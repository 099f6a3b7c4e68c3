"""Outcome distributions beside the historical record (matplotlib).

Every figure: a title that says what is shown, axes labelled with units, the
historical range drawn as a band with its sources in the legend, and a
colour-blind-safe palette (Paul Tol's "bright").
"""

from __future__ import annotations

import math
import re
import textwrap

import numpy as np

from ..vocabulary.outcome_names import describe
from ..record.compare import Comparison
from .style import BAND, MEDIAN, RECORD, SIM


UNIT_LABEL = {"men": "men", "share": "share, 0–1", "t": "t",
              "days": "days after the scenario start", "pieces": "pieces"}


SHORT = {
    "ring_closed_day": "Ring around the front force closed",
    "resistance_ended_day": "Organised resistance of the front force ended",
    "front_force_share_lost": "Front force lost, as a share of its initial men",
    "casualties": "Casualties, {side}",
    "casualties_in_pockets": "Men lost in destroyed pockets, {side}",
    "disputed_zone_share": "Disputed places held by {side} at the end",
    "personnel_start": "Initial strength, {side}",
}


def _num(x: float) -> str:
    """Readable number: thousands separators, no exponent."""
    if not np.isfinite(x):
        return "> end" if x > 0 else "-"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _short(name: str) -> str:
    """A display name without its bracketed asides: 'Azuma detachment (23rd ...)' -> 'Azuma detachment'."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def display_names(sc) -> dict[str, str]:
    """{unit or place id: its name without bracketed asides}, for axis labels."""
    m = sc.model
    return {**{p.id: _short(p.name) for p in m.places}, **{u.id: _short(u.name) for u in m.units}}


#: outcome families whose second dotted part is a unit or place id (named on the axis)
NAMED_PARTS = ("unit", "place", "advance_km")
#: axis labels longer than this many characters are wrapped (they would run into the next panel)
LABEL_WIDTH = 80


def _label(outcome: str, names: dict[str, str] | None = None) -> str:
    """Short axis label with unit, e.g. 'Casualties, soviet (men)'; wrapped onto a second
    line when longer than :data:`LABEL_WIDTH` characters.

    ``names``: display names of unit and place ids ({id: name}); the id in
    ``unit.<id>.*``, ``place.<id>.*`` and ``advance_km.<id>.*`` is replaced by its name."""
    unit, text = describe(outcome)
    head, _, rest = outcome.partition(".")
    if outcome in SHORT:
        text = SHORT[outcome]
    elif head in SHORT:
        text = SHORT[head].format(side=rest)
    text = text.replace(" (NaN: never)", "")
    ident = rest.split(".")[0]
    if head in NAMED_PARTS and names and ident in names:
        text = text.replace(ident, names[ident], 1)
    return "\n".join(textwrap.wrap(f"{text} ({UNIT_LABEL.get(unit, unit)})", LABEL_WIDTH))


def plot_outcome(ax, values: np.ndarray, comp: Comparison | None = None, outcome: str = "",
                 end_day: float | None = None, names: dict[str, str] | None = None) -> None:
    """Histogram of one outcome over worlds, with the record's range as a band.

    For event times, worlds where the event did not happen within the run are
    counted in a separate bar at the right edge labelled "not by end".
    ``names``: display names of the unit and place ids in outcome names, for the axis label.
    """
    outcome = comp.outcome if comp else outcome
    v = np.asarray(values, float)
    happened = v[np.isfinite(v)]
    missing = v.size - happened.size
    if happened.size:
        lo, hi = np.min(happened), np.max(happened)
        if comp is not None:
            lo, hi = min(lo, comp.low), max(hi, comp.high)
        pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1.0) * 0.05
        bins = np.linspace(lo - pad, hi + pad, 31)
        ax.hist(happened, bins=bins, color=SIM, alpha=0.8, label=f"simulated ({happened.size} worlds)")
        if comp is not None:  # the comparison's quantiles (event times never reached count as later)
            q05, q50, q95 = comp.q05, comp.median, comp.q95
        else:
            q05, q50, q95 = np.quantile(happened, [0.05, 0.5, 0.95])
        edge = end_day if end_day is not None else hi
        ax.axvspan(q05 if np.isfinite(q05) else edge, q95 if np.isfinite(q95) else edge,
                   color=BAND, alpha=0.35, zorder=0, label=f"simulated 90% interval {_num(q05)} – {_num(q95)}")
        if np.isfinite(q50):
            ax.axvline(q50, color=MEDIAN, lw=1.5, label=f"simulated median {_num(q50)}")
        else:
            ax.plot([], [], " ", label="simulated median: later than the end")
    if missing and outcome.endswith("_day"):
        x = end_day if end_day is not None else (np.max(happened) if happened.size else 1.0)
        ax.bar([x], [missing], width=max(0.02 * x, 0.1), color="#CCBB44",
               label=f"did not happen by the end ({missing} worlds)")
    if comp is not None:
        lo, hi = comp.low, comp.high
        if hi - lo < 1e-9:
            ax.axvline(lo, color=RECORD, lw=3, alpha=0.8, label=f"record {_num(lo)}")
        else:
            ax.axvspan(lo, hi, color=RECORD, alpha=0.35, zorder=1, label=f"record {_num(lo)} – {_num(hi)}")
        first = True
        for a, b in comp.hdr.intervals:  # the 90 % highest-density region as bars under the histogram
            ax.plot([a, b] if b > a else [a - 0.003 * abs(a or 1), a + 0.003 * abs(a or 1)], [0, 0],
                    color=MEDIAN, lw=6, solid_capstyle="butt", clip_on=False, zorder=3,
                    label=f"simulated 90% highest-density region" if first else None)
            first = False
        src = "; ".join(sorted({c.source.label for c in comp.claims})) or comp.sources
        ax.plot([], [], " ", label="sources: " + "\n".join(textwrap.wrap(src, 45)))
    ax.set_xlabel(_label(outcome, names))
    ax.set_ylabel("worlds (count)")
    ax.legend(fontsize=7, loc="best")


def scenario_page(df, comparisons: list[Comparison], title: str, end_day: float | None = None,
                  names: dict[str, str] | None = None):
    """One-page figure: every compared outcome's distribution against the record.

    ``names``: display names of the unit and place ids in outcome names (axis labels)."""
    import matplotlib.pyplot as plt

    n = max(len(comparisons), 1)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 3.8 * rows), squeeze=False,
                             constrained_layout=True)
    for ax, comp in zip(axes.flat, comparisons):
        plot_outcome(ax, df[comp.outcome].to_numpy(float) if comp.outcome in df else np.array([]),
                     comp, end_day=end_day, names=names)
        verdict = "inside" if comp.inside else "OUTSIDE"
        ax.set_title(f"{comp.outcome}: record {verdict} the 90% HDR, P(range) = {comp.p_range:.2f}",
                     fontsize=9)
    for ax in list(axes.flat)[len(comparisons):]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11)
    return fig

