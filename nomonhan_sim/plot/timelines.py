"""Timelines over the battle: supply stock per side (median and band over worlds)."""

from __future__ import annotations

import numpy as np

from .style import MEDIAN, RECORD, SIDE_COLOURS


def supply_timeline(ax, res, sides=None) -> None:
    """Tons held by each side (depots + units) over time: median and 5–95 % band over worlds.

    ``res`` is a :class:`~nomonhan_sim.engine.simulation.BatchResult` of a scenario
    with ``[logistics]``; H-hour (hour 0) is marked.
    """
    import datetime as _dt

    import matplotlib.dates as mdates

    sup = res.world.extra.get("supply")
    if sup is None or not sup.timeline:
        raise ValueError("this result has no supply timeline (scenario without [logistics])")
    c = res.compiled
    start = c.scenario.model.engine.start
    t = [start + _dt.timedelta(hours=h) for h in sup.timeline_t]
    data = np.stack(sup.timeline, axis=0)  # (T, R, S)
    for s, sid in enumerate(c.side_ids):
        if sides and sid not in sides:
            continue
        q05, q50, q95 = np.quantile(data[:, :, s], [0.05, 0.5, 0.95], axis=1)
        col = SIDE_COLOURS[s % len(SIDE_COLOURS)]
        ax.fill_between(t, q05, q95, color=col, alpha=0.25, label=f"{sid}: 90% of worlds")
        ax.plot(t, q50, color=col, lw=1.8, label=f"{sid}: median")
    ax.axvline(start, color=MEDIAN, lw=1, ls="--", label="H-hour")
    for req in c.scenario.model.logistics.requirements:
        tag = req.source.split(":")[0]
        ax.axhline(req.tons, color=RECORD, lw=1.2, ls=":", label=f"{req.side} requirement {req.tons:,.0f} t [{tag}]")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.set_xlabel("date (1939)")
    ax.set_ylabel("stock held in depots and units (t)")
    ax.set_title(f"Supply held by each side in depots and units: median and 90% of {res.world.R} worlds")
    ax.legend(fontsize=7)
