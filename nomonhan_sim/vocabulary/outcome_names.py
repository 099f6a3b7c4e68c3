"""Names of the per-replicate outcomes, shared by the scenario layer and the engine.

Side-specific outcomes are named ``<outcome>.<side id>``; equipment losses
``equipment_lost.<side id>.<class>``. Units: men, pieces, days after the
scenario start (hour 0 = day 0.0), shares 0-1.
"""

from __future__ import annotations

from typing import Iterable

from .classes import EQUIPMENT_CLASSES

#: outcome -> (unit, description)
GLOBAL_OUTCOMES = {
    "front_force_share_lost": ("share", "Share of the front force's initial personnel lost (killed, wounded, missing, captured)"),
    "ring_closed_day": ("days", "Time the encirclement of the front force closed (NaN: never)"),
    "resistance_ended_day": ("days", "Time organised resistance of the front force ended (NaN: not within the run)"),
}
SIDE_OUTCOMES = {
    "casualties": ("men", "Personnel lost: killed, wounded, missing and captured"),
    "casualties_in_pockets": ("men", "Personnel lost when encircled units were destroyed"),
    "disputed_zone_share": ("share", "Share of disputed-zone places the side holds at the end"),
    "personnel_start": ("men", "Initial personnel (drawn)"),
    "supply_delivered": ("t", "Tons trucks delivered to the side's depots (build-up and battle)"),
    "stock_at_h_hour": ("t", "Tons held in depots and by units at H-hour"),
}
SUPPLY_SHORT = ("ammunition", "fuel")


def outcome_names(sides: Iterable[str]) -> set[str]:
    names = set(GLOBAL_OUTCOMES)
    for s in sides:
        names |= {f"{o}.{s}" for o in SIDE_OUTCOMES}
        names |= {f"equipment_lost.{s}.{k}" for k in EQUIPMENT_CLASSES}
        names |= {f"short_unit_hours.{s}.{k}" for k in SUPPLY_SHORT}
    return names


def describe(name: str) -> tuple[str, str]:
    """(unit, description) of an outcome name."""
    if name in GLOBAL_OUTCOMES:
        return GLOBAL_OUTCOMES[name]
    head, _, rest = name.partition(".")
    if head == "short_unit_hours":
        side, _, cls = rest.partition(".")
        return "unit-hours", f"Unit-hours {side} units spent short of {cls} (below 20 % of a basic load)"
    if head == "equipment_lost":
        side, _, cls = rest.partition(".")
        return "pieces", f"{cls.replace('_', ' ')} lost by {side}"
    unit, text = SIDE_OUTCOMES[head]
    return unit, f"{text} ({rest})"
