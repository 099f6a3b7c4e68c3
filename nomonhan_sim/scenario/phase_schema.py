"""The ``[[phases]]`` table: named periods of the battle, for casualties by phase.

A phase runs from the end of the previous one (the first from hour 0, H-hour) to its
``end``, a date-time in the scenario's local time. The phases must be in time order;
the last may omit ``end`` and then runs to the end of the simulated span. The engine
records each side's cumulative casualties (men) at every phase end, and the outcomes
table reports ``phase_casualties.<phase id>.<side id>``: men lost in that phase.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .limits import DateTime, Id


class Phase(BaseModel):
    """One named period of the battle (``[[phases]]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id = Field(description="Phase id (lower case, digits, underscores): the outcome column's middle part.")
    end: DateTime | None = Field(
        None, description="Date-time the phase ends (local time, after engine.start and not after the end of "
        "the simulated span); the last phase may omit it and then ends with the run.")
    description: str = Field("", description="What happened in the phase, by the record.")
    source: str = Field("", description="Where the phase's dates come from (source tags).")


def check_phases(sc, fail) -> None:
    """Cross-checks of ``[[phases]]`` against the engine span (``sc``: a Scenario;
    ``fail(field_path, what)`` raises): unique ids, ends after hour 0, in time order,
    within the run, and only the last without an end."""
    from .order_schema import hours_after

    seen: set[str] = set()
    last = 0.0
    span = sc.engine.duration_hours
    for i, ph in enumerate(sc.phases):
        if ph.id in seen:
            fail(f"phases[{i}].id", f"duplicate phase id {ph.id!r}")
        seen.add(ph.id)
        if ph.end is None:
            if i != len(sc.phases) - 1:
                fail(f"phases[{i}].end", "expected an end date-time (only the last phase may omit it), found none")
            continue
        if (ph.end.tzinfo is None) != (sc.engine.start.tzinfo is None):
            fail(f"phases[{i}].end", "expected a date-time in the same form as engine.start (both with or "
                 f"both without a time zone), found {ph.end.isoformat()}")
        h = hours_after(sc.engine.start, ph.end)
        if not (last < h <= span):
            fail(f"phases[{i}].end", f"expected a date-time after the previous phase's end and within the run "
                 f"({sc.engine.start.isoformat()} + {span:g} h), found {ph.end.isoformat()}")
        last = h


def phase_end_hours(sc) -> list[float]:
    """Hours after engine.start at which each phase ends (the last: the run's end)."""
    from .order_schema import hours_after

    return [sc.engine.duration_hours if ph.end is None else hours_after(sc.engine.start, ph.end)
            for ph in sc.phases]
