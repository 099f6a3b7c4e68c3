"""Narration: one world's event log as readable text with dates."""

from __future__ import annotations

import datetime as dt

from ..simulation import BatchResult

_VERB = {
    "order": "starts order: {detail}", "arrived": "arrives at {place}", "broke": "breaks at {place}",
    "encircled": "is encircled at {place}", "destroyed": "is destroyed in the pocket at {place}",
    "withdrawn": "has withdrawn to {place}", "captured": "{place} passes to {holder}",
    "ring_closed": "the ring around the front force has closed",
    "resistance_ended": "organised resistance of the front force has ended",
    "halted": "halts at {place}",
    "delivered": "a truck column of {detail} unloads at {place}",
}


def narrate(res: BatchResult, world: int = 0, kinds: set[str] | None = None) -> str:
    """Text of the events of ``world``, one line each: date-time, D+day, what happened."""
    c, _w = res.compiled, res.world
    start = c.scenario.model.engine.start
    names = {i: u.name for i, u in enumerate(c.scenario.model.units)}
    places = {i: p.name for i, p in enumerate(c.scenario.model.places)}
    lines = []
    for hour, wi, ui, kind, place, detail in res.log.records():
        if wi != world or (kinds and kind not in kinds):
            continue
        when = start + dt.timedelta(hours=hour)
        text = _VERB[kind].format(place=places.get(place, "-"), detail=detail, holder=detail)
        who = names.get(ui, "") if ui >= 0 else ""
        lines.append(f"{when:%d %b %H:%M}  D+{hour / 24:5.2f}  {who + ' ' if who else ''}{text}")
    return "\n".join(lines)
