"""Timelines over the battle: supply stock per side (median and band over worlds)."""

from __future__ import annotations

import numpy as np

from .style import MEDIAN, RECORD, SIDE_COLOURS, SIM


#: runs shorter than this (days) get date and clock time on the x ticks (several ticks a day)
CLOCK_TICKS_DAYS = 5.0


def _date_axis(ax, t=None) -> None:
    """Dates every few days as '21 Aug' (no crowded month-start ticks); for a run shorter than
    :data:`CLOCK_TICKS_DAYS` days (dates ``t``), date and time as '28 May 16:00'; the x label
    says the year(s); thousands separators on y."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    loc = mdates.AutoDateLocator(minticks=4, maxticks=9, interval_multiples=False)
    ax.xaxis.set_major_locator(loc)
    short = t is not None and len(t) > 1 and (t[-1] - t[0]).total_seconds() < CLOCK_TICKS_DAYS * 86400
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%H:%M" if short else "%d %b"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if t is not None and len(t):
        years = sorted({t[0].year, t[-1].year})
        ax.set_xlabel(f"date ({'–'.join(map(str, years))})")


def supply_timeline(ax, res, sides=None) -> None:
    """Tons held by each side (depots + units) over time: median and 5–95 % band over worlds.

    ``res`` is a :class:`~nomonhan_sim.engine.simulation.BatchResult` of a scenario
    with ``[logistics]``; H-hour (hour 0) is marked.
    """
    import datetime as _dt

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
    _date_axis(ax, t)
    ax.set_ylabel("stock held in depots and units (t)")
    ax.set_title(f"Supply held by each side in depots and units: median and 90% of {res.world.R} worlds")
    ax.legend(fontsize=7)


def strength_timeline(ax, res, what: str = "personnel") -> None:
    """Strength per side over time (men, or tanks): median with 50 % and 90 % bands.

    ``res`` must come from ``run_batch(..., trace_worlds=[...])``; the bands are over
    the traced worlds.
    """
    import datetime as _dt

    if res.trace is None:
        raise ValueError("strength_timeline needs a result run with trace_worlds=[...]")
    c = res.compiled
    if what == "personnel":
        data = res.trace.array("pers")                       # (T, n, U)
        unit = "men"
    elif what == "tanks":
        k = c.equipment_classes.index("tanks")
        data = res.trace.array("equip")[..., k]
        unit = "tanks"
    else:
        raise ValueError(f"what must be 'personnel' or 'tanks', found {what!r}")
    start = c.scenario.model.engine.start
    t = [start + _dt.timedelta(hours=h) for h in res.trace.t]
    for s, sid in enumerate(c.side_ids):
        side = data[..., c.unit_side == s].sum(axis=-1)     # (T, n)
        q = np.quantile(side, [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        col = SIDE_COLOURS[s % len(SIDE_COLOURS)]
        ax.fill_between(t, q[0], q[4], color=col, alpha=0.15, label=f"{sid}: 90% of worlds")
        ax.fill_between(t, q[1], q[3], color=col, alpha=0.3, label=f"{sid}: 50% of worlds")
        ax.plot(t, q[2], color=col, lw=1.8, label=f"{sid}: median")
    _date_axis(ax, t)
    ax.set_ylabel(f"strength in the field ({unit})")
    ax.set_title(f"{unit.capitalize()} per side over time: median, 50% and 90% of {data.shape[1]} worlds")
    ax.legend(fontsize=7)


def ring_closed_share(ax, days: np.ndarray, record: tuple[float, float] | None = None,
                      end_day: float | None = None, source: str = "", title: str | None = None,
                      start=None) -> None:
    """Share of worlds in which the ring has closed by each day, with the record's dates.

    ``days``: the ``ring_closed_day`` outcome (NaN: never closed); ``record``: (low,
    high) in days after the start, drawn as a band labelled with ``source``;
    ``title``: the axes title (default: says what is shown, and "vs the record" only
    with a record); ``start``: the date-time of day 0, named in the x label.
    """
    days = np.asarray(days, float)
    end = end_day if end_day is not None else (np.nanmax(days) if np.isfinite(days).any() else 1.0)
    grid = np.linspace(0.0, end, 400)
    share = (days[None, :] <= grid[:, None]).mean(axis=1)
    ax.plot(grid, share, color=SIM, lw=2, label=f"simulated ({days.size} worlds)")
    if record is not None:
        ax.axvspan(record[0], record[1], color=RECORD, alpha=0.3,
                   label=f"ring closed historically{': ' + source if source else ''}")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days after the scenario start" + (f" ({start:%d %b %Y %H:%M})" if start is not None else ""))
    ax.set_ylabel("share of worlds with the ring closed (0–1)")
    ax.set_title(title or ("Ring closed: share of worlds by day" + (", vs the record" if record is not None else "")))
    ax.legend(fontsize=8)
