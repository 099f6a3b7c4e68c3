"""Names of the per-replicate outcomes, shared by the scenario layer and the engine.

Side-specific outcomes are named ``<outcome>.<side id>``; equipment losses
``equipment_lost.<side id>.<class>``. Units: men, pieces, days after the
scenario start (hour 0 = day 0.0), shares 0-1. Column names use dots only.

Besides the outcomes, an outcomes table has identifier columns (``replicate``,
``seed``, ``chunk``), a boolean ``<event>_happened`` beside every event time
``<event>_day``, per-unit detail ``unit.<unit id>.<quantity>.<class>`` and the
drawn inputs ``input.<scenario path>``; :func:`is_outcome` tells them apart.
Every column is listed in ``docs/results.md``.
"""

from __future__ import annotations

import re
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
    "casualties_in_pockets": ("men", "Personnel lost in pockets: killed, wounded and captured while encircled and broken"),
    "killed": ("men", "Personnel killed, in combat and in pockets"),
    "wounded": ("men", "Personnel wounded, in combat and in pockets"),
    "captured": ("men", "Personnel captured: surrendered in pockets, or the remnant of a destroyed pocket"),
    "escaped_from_pockets": ("men", "Personnel who got out of pockets (left the battle, not casualties)"),
    "disputed_zone_share": ("share", "Share of disputed-zone places the side holds at the end"),
    "personnel_start": ("men", "Initial personnel (drawn)"),
    "supply_delivered": ("t", "Tons trucks delivered to the side's depots (build-up and battle)"),
    "stock_at_h_hour": ("t", "Tons held in depots and by units at H-hour"),
}
SUPPLY_SHORT = ("ammunition", "fuel")
#: when a shortage began (supply.Supply.short_from, from H-hour on): the first time any of
#: the side's units, or one unit, was short of a class: ``shortage.<side>.<class>.started_day``,
#: ``unit.<unit id>.shortage.<class>.started_day`` (event times: NaN never, with a flag beside)
SHORTAGE = "shortage"
SHORTAGE_STARTED = "started_day"
#: Per-unit losses (men): all kinds, and killed, wounded, captured (``unit.<id>.<kind>``).
UNIT_LOSS_KINDS = ("casualties", "killed", "wounded", "captured")

ID_COLUMNS = ("replicate", "seed", "chunk")
#: drawn inputs: ``input.`` + the scenario path of the drawn field
INPUT_PREFIX = "input."
#: per-unit detail: ``unit.<unit id>.<quantity>.<class>``
UNIT_DETAIL_PREFIX = "unit."
HAPPENED_SUFFIX = "_happened"
DAY_SUFFIX = "_day"


def happened_column(day_column: str) -> str:
    """``ring_closed_day`` -> ``ring_closed_happened``: the flag beside an event time."""
    return day_column.removesuffix(DAY_SUFFIX) + HAPPENED_SUFFIX


def shortage_started_column(side: str, cls: str) -> str:
    """``("soviet", "fuel")`` -> ``shortage.soviet.fuel.started_day``."""
    return f"{SHORTAGE}.{side}.{cls}.{SHORTAGE_STARTED}"


def unit_shortage_started_column(unit: str, cls: str) -> str:
    """``("gta6_7mc", "fuel")`` -> ``unit.gta6_7mc.shortage.fuel.started_day``."""
    return f"{UNIT_DETAIL_PREFIX}{unit}.{SHORTAGE}.{cls}.{SHORTAGE_STARTED}"


def _describe_shortage(name: str) -> tuple[str, str] | None:
    """(unit, description) of a shortage start time or its flag; None for other names."""
    parts = name.split(".")
    if parts[0] == "unit" and len(parts) == 5 and parts[2] == SHORTAGE:
        who, cls, event = f"unit {parts[1]}", parts[3], parts[4]
    elif parts[0] == SHORTAGE and len(parts) == 4:
        who, cls, event = f"the first of the {parts[1]} units", parts[2], parts[3]
    else:
        return None
    what = f"{who} was short of {cls} (below 20 % of a basic load{'; motorised units only' if cls == 'fuel' else ''})"
    if event == SHORTAGE_STARTED:
        return "days", f"Time {what}, from H-hour on (NaN: never)"
    if event == happened_column(SHORTAGE_STARTED):
        return "bool", f"Whether {what} within the run"
    return None


#: Armour accounts reported per side and armour class (nomonhan_sim.model.armour).
ARMOUR_OUTCOMES = {
    "armour_knocked_out": "knocked out in combat (cumulative; repaired vehicles can be knocked out again)",
    "armour_destroyed": "destroyed (irrecoverable, damaged vehicles of encircled or destroyed units included)",
}
ARMOUR_OUTCOME_CLASSES = ("tanks", "armoured_cars")


def is_outcome(column: str) -> bool:
    """Whether a column of an outcomes table is an outcome to summarise and compare
    (not an identifier, a ``_happened`` flag, per-unit detail or a drawn input)."""
    return not (column in ID_COLUMNS or column.endswith(HAPPENED_SUFFIX)
                or column.startswith((INPUT_PREFIX, UNIT_DETAIL_PREFIX)))


#: per-place event time: ``place.<place id>.captured_day`` (disputed places held at hour 0)
PLACE_PREFIX = "place."
PLACE_CAPTURED = "captured_day"


def place_captured_column(place: str) -> str:
    """``sands`` -> ``place.sands.captured_day``."""
    return f"{PLACE_PREFIX}{place}.{PLACE_CAPTURED}"


#: casualties by phase: ``phase_casualties.<phase id>.<side id>`` (``[[phases]]``)
PHASE_CASUALTIES = "phase_casualties"


def phase_casualties_column(phase: str, side: str) -> str:
    """``("breakthrough", "soviet")`` -> ``phase_casualties.breakthrough.soviet``."""
    return f"{PHASE_CASUALTIES}.{phase}.{side}"


#: how far a unit got: ``advance_km.<unit id>.day<d>`` (only when ``[[compare]]`` names it)
ADVANCE = "advance_km"
_ADVANCE_RE = re.compile(r"^advance_km\.([a-z][a-z0-9_]*)\.day(\d+(?:\.\d+)?)$")


def advance_column(unit: str, day: float) -> str:
    """``("gta6", 3)`` -> ``advance_km.gta6.day3`` (``day3.5`` for a fractional day)."""
    return f"{ADVANCE}.{unit}.day{float(day):g}"


def parse_advance_column(name: str) -> tuple[str, float] | None:
    """``advance_km.gta6.day3`` -> ``("gta6", 3.0)``; None for any other name."""
    m = _ADVANCE_RE.match(name)
    if m is None or advance_column(m.group(1), float(m.group(2))) != name:  # one spelling per column
        return None
    return m.group(1), float(m.group(2))


class OutcomeNames(set):
    """A set of outcome names that also contains every ``advance_km.<unit>.day<d>``: those
    columns exist for any unit and day, and are computed for the ones ``[[compare]]`` names."""

    def __contains__(self, name) -> bool:
        return set.__contains__(self, name) or (isinstance(name, str) and parse_advance_column(name) is not None)


def outcome_names(sides: Iterable[str], places: Iterable[str] = (), phases: Iterable[str] = (),
                  units: Iterable[str] = (), supply: bool = True) -> set[str]:
    """Every outcome name of a scenario with these side ids (what ``[[compare]]`` may name);
    ``places``: ids of the disputed places held at hour 0 (their ``captured_day``);
    ``phases``: ids of the scenario's ``[[phases]]`` (casualties by phase); ``units``: unit
    ids (``unit.<id>.casualties``, ``.killed``, ``.wounded``, ``.captured`` and, with
    ``supply`` (the scenario has ``[logistics]``), ``unit.<id>.short_hours.<class>``,
    ``unit.<id>.shortage.<class>.started_day``, ``short_unit_hours.<side>.<class>`` and
    ``shortage.<side>.<class>.started_day``). ``in`` also accepts
    ``advance_km.<unit>.day<d>`` (:class:`OutcomeNames`)."""
    sides = list(sides)
    names = OutcomeNames(GLOBAL_OUTCOMES) | {place_captured_column(p) for p in places}
    names = OutcomeNames(names)
    names |= {phase_casualties_column(ph, s) for ph in phases for s in sides}
    for s in sides:
        names |= {f"{o}.{s}" for o in SIDE_OUTCOMES}
        names |= {f"equipment_lost.{s}.{k}" for k in EQUIPMENT_CLASSES}
        names |= {f"{o}.{s}.{k}" for o in ARMOUR_OUTCOMES for k in ARMOUR_OUTCOME_CLASSES}
        if supply:
            names |= {f"short_unit_hours.{s}.{k}" for k in SUPPLY_SHORT}
            names |= {shortage_started_column(s, k) for k in SUPPLY_SHORT}
    for u in units:
        names |= {f"unit.{u}.{kind}" for kind in UNIT_LOSS_KINDS}
        if supply:
            names |= {f"unit.{u}.short_hours.{k}" for k in SUPPLY_SHORT}
            names |= {unit_shortage_started_column(u, k) for k in SUPPLY_SHORT}
    return names


def describe(name: str) -> tuple[str, str]:
    """(unit, description) of an outcome name."""
    if name in GLOBAL_OUTCOMES:
        return GLOBAL_OUTCOMES[name]
    if (shortage := _describe_shortage(name)) is not None:
        return shortage
    if name.endswith(HAPPENED_SUFFIX):
        event = name.removesuffix(HAPPENED_SUFFIX)
        return "bool", f"Whether {event.replace('_', ' ')} happened within the run ({event}_day is NaN when not)"
    if name.startswith(INPUT_PREFIX):
        return "", f"Value drawn for the scenario's {name.removeprefix(INPUT_PREFIX)} (unit of that field)"
    head, _, rest = name.partition(".")
    if head == "place":
        pid, _, what = rest.partition(".")
        if what == PLACE_CAPTURED:
            return "days", f"Time {pid} first passed from its hour-0 holder to the other side (NaN: never)"
        if what == "captured_happened":
            return "bool", f"Whether {pid} passed from its hour-0 holder to the other side within the run"
    if head == ADVANCE:
        uid, _, day = rest.rpartition(".")
        return "km", f"Straight-line advance of {uid} from its start by day {day.removeprefix('day')}"
    if head == PHASE_CASUALTIES:
        phase, _, side = rest.partition(".")
        return "men", f"Personnel {side} lost in phase {phase} (all kinds; [[phases]] gives its dates)"
    if head == "unit":
        uid, _, detail = rest.partition(".")
        what, _, cls = detail.partition(".")
        if what == "short_hours":
            return "hours", f"Hours unit {uid} spent short of {cls} (below 20 % of a basic load)"
        if what in UNIT_LOSS_KINDS:
            return "men", f"Men of unit {uid} {'lost (all kinds)' if what == 'casualties' else what}"
    if head == "short_unit_hours":
        side, _, cls = rest.partition(".")
        return "unit-hours", f"Unit-hours {side} units spent short of {cls} (below 20 % of a basic load)"
    if head == "equipment_lost":
        side, _, cls = rest.partition(".")
        return "pieces", f"{cls.replace('_', ' ')} lost by {side} (armour: not serviceable at the end)"
    if head in ARMOUR_OUTCOMES:
        side, _, cls = rest.partition(".")
        return "vehicles", f"{cls.replace('_', ' ')} of {side} {ARMOUR_OUTCOMES[head]}"
    unit, text = SIDE_OUTCOMES[head]
    return unit, f"{text} ({rest})"
