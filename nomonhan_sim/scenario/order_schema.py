"""Scenario schema for orders: ``[[orders]]`` and their triggers (re-exported by
:mod:`nomonhan_sim.scenario.schema`).

Durations and times in hours after ``engine.start``; dates as local date-times.
Cross-references (units, groups, places, event names, dates inside the simulated
span) are checked in :mod:`nomonhan_sim.scenario.order_checks`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..vocabulary.classes import Posture
from .limits import MAX_DURATION_HOURS, DateTime, Number

Task = Literal["move", "attack", "defend", "hold", "withdraw", "pause", "pull_back"]

#: Event kinds of ``trigger.when`` -> the names each takes after its ``:`` (what they are).
EVENTS: dict[str, tuple[str, ...]] = {
    "encircled": ("unit id or group name",),
    "broken": ("unit id or group name",),
    "captured": ("place id",),
    "arrived": ("unit id or group name", "place id"),
    "ring_closed": (),
}

_TRIGGER_KEYS = ("at_hour", "at", "after_hours", "when", "unit_arrived", "enemy_at", "unit_broken")


def parse_event(text: str) -> tuple[str, tuple[str, ...]]:
    """``"arrived:mrr_24:remizov"`` -> ``("arrived", ("mrr_24", "remizov"))``.

    Raises ValueError (a message ending in what was found) for an unknown kind or
    the wrong number of names; whether the names exist is checked by the loader.
    """
    kind, *names = text.split(":")
    if kind not in EVENTS:
        raise ValueError(f"expected an event {', '.join(_form(k) for k in EVENTS)}; found {text!r}")
    if len(names) != len(EVENTS[kind]) or not all(names):
        raise ValueError(f"expected {_form(kind)}; found {text!r}")
    return kind, tuple(names)


def _form(kind: str) -> str:
    return ":".join((kind,) + tuple(f"<{what}>" for what in EVENTS[kind]))


def hours_after(start: _dt.datetime, at: _dt.datetime) -> float:
    """Hours from ``start`` to ``at`` (exact for whole seconds: 1939-08-21T06:00 is 24.0
    hours after 1939-08-20T06:00, the same float as ``at_hour = 24``)."""
    return (at - start).total_seconds() / 3600.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Trigger(_Model):
    """When an order starts. Exactly one condition; checked every combat step (an
    order whose condition holds starts at the first combat step that sees it).

    Events of ``when`` (a group name fires when ANY of its units meets the
    condition; name one unit for that unit alone):

    * ``encircled:<unit or group>``: the unit is encircled at that step (and not out of
      the battle);
    * ``broken:<unit or group>``: the unit is broken;
    * ``captured:<place>``: the enemy of the ordered unit's side holds the place (it
      must not be the enemy's at hour 0);
    * ``arrived:<unit or group>:<place>``: the unit has been at the place;
    * ``ring_closed``: the ring round the front force has closed (``ring_closed_share``).
    """

    at_hour: Number | None = Field(None, ge=0, le=MAX_DURATION_HOURS,
                                   description=f"Hours after the scenario start (0 to {MAX_DURATION_HOURS:g}).")
    at: DateTime | None = Field(
        None, description="Date-time (local, like engine.start; a TOML date-time or a text such as "
        "\"1939-08-24T06:00\"): the same as at_hour with the hours after engine.start; must fall in "
        "the simulated span.")
    after_hours: Number | None = Field(
        None, le=MAX_DURATION_HOURS,
        description=f"Hours (> 0, at most {MAX_DURATION_HOURS:g}) after the unit's previous order started (assault waves); "
        "not for a unit's first order.")
    when: str | None = Field(
        None, description="An event: encircled:<unit or group>, broken:<unit or group>, "
        "captured:<place>, arrived:<unit or group>:<place> or ring_closed (see above; a group: any "
        "of its units).")
    unit_arrived: str | None = Field(None, description="Unit id; fires when it reaches `place` "
                                     "(the same as when = \"arrived:<unit>:<place>\").")
    enemy_at: str | None = Field(None, description="Place id; fires when an enemy unit is there.")
    unit_broken: str | None = Field(None, description="Unit id; fires when it breaks "
                                    "(the same as when = \"broken:<unit>\").")
    place: str | None = Field(None, description="Place id that ``unit_arrived`` waits for.")

    @model_validator(mode="after")
    def _one(self) -> "Trigger":
        set_ = [k for k in _TRIGGER_KEYS if getattr(self, k) is not None]
        if len(set_) != 1:
            raise ValueError(f"needs exactly one of {', '.join(_TRIGGER_KEYS)}; found "
                             + (", ".join(set_) or "none"))
        if self.unit_arrived is not None and self.place is None:
            raise ValueError("unit_arrived needs place; found none")
        return self


class Order(_Model):
    """A time-phased task for a unit or a named group.

    * ``move``/``attack``: follow ``via`` (place ids, consecutive ones joined by
      routes) then go on to ``objective``; fight wherever enemies are met.
    * ``defend``: go to ``objective`` (or stay) and defend in ``posture``.
    * ``hold``: as defend, but the unit does not break (fights to destruction).
    * ``withdraw``: move to the side's rear place.
    * ``pause``: stay where the unit is, in hasty defence (or ``posture``), for
      ``hours``; then the order is complete. A unit on a leg finishes the leg first;
      the hours count from the order's start.
    * ``pull_back``: go to ``objective`` (after ``via``) by the shortest route without
      halting where enemy units stand (it disengages, as ``withdraw`` does), then stand
      there in hasty defence (or ``posture``); complete on arrival.

    Each order supersedes the unit's previous one when its trigger fires; an
    order without trigger starts when the previous one is complete.

    Assault waves are written with these primitives, one order after the other
    for the same unit or group: ``attack`` the objective (trigger ``at`` or
    ``at_hour``), then ``pull_back`` to the start line with trigger
    ``{ after_hours = 6 }`` (six hours after the attack began, whether or not it
    got there), then ``pause`` with ``hours = 4`` and no trigger (rest and regroup
    once back), then ``attack`` again with no trigger (the next wave starts when
    the pause is over).
    """

    unit: str | None = Field(None, description="Unit id the order is for (give unit or group).")
    group: str | None = Field(None, description="Group name (a unit's ``group``): every unit of it "
                              "gets the order.")
    task: Task = Field(description="What to do (see above).")
    objective: str | None = Field(None, description="Place id to go to (required for move, attack "
                                  "and pull_back; not for pause).")
    via: list[str] = Field(default_factory=list, description="Place ids passed on the way, in order; "
                           "consecutive ones (and the last and the objective) must be joined by routes.")
    posture: Posture | None = Field(None, description="Posture while carrying out the order (default: "
                                    "attack for move, attack and withdraw; hasty for defend, hold, pause "
                                    "and pull_back).")
    hours: Number | None = Field(None, le=MAX_DURATION_HOURS,
                                 description=f"How long a pause lasts, hours (> 0, at most {MAX_DURATION_HOURS:g}; required for "
                                "pause, only for pause).")
    trigger: Trigger | None = Field(None, description="When the order starts (none: when the unit's "
                                    "previous order is complete).")
    note: str = Field("", description="Free text: the order's date, source, reasoning.")

    @model_validator(mode="after")
    def _who(self) -> "Order":
        if (self.unit is None) == (self.group is None):
            found = "neither" if self.unit is None else f"both (unit {self.unit!r}, group {self.group!r})"
            raise ValueError(f"needs exactly one of unit, group; found {found}")
        if self.task in ("move", "attack") and self.objective is None:
            raise ValueError(f"task '{self.task}' needs objective; found none")
        return self
