"""The scenario data model: what a scenario TOML file may contain.

All models are frozen (immutable) and reject unknown fields. Units of measure:
distances in km, coordinates in km on a local grid, durations in hours,
personnel in men, equipment in pieces, rates as stated per field.
Cross-references (a route's places, a unit's start place, an order's unit)
are checked in :mod:`nomonhan_sim.scenario.loader`, which also turns every
validation error into one line naming the file and the field.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary.classes import EQUIPMENT_CLASSES, EquipmentClass, Fortification, Posture, Terrain  # noqa: F401
from .logistics import Logistics
from .quantity import Distribution, Quantity, _num

RoadClass = Literal["road", "track", "cross_country"]
UnitType = Literal[
    "infantry", "rifle", "motor_rifle", "tank", "motor_armoured", "cavalry",
    "artillery", "machine_gun", "airborne", "engineer", "reconnaissance", "border_guard",
]
Echelon = Literal["company", "battalion", "regiment", "brigade", "division", "corps", "army"]
AttritionLaw = Literal["square", "linear", "logarithmic", "power", "dupuy"]
Task = Literal["move", "attack", "defend", "hold", "withdraw"]


def _range_text(q: Quantity) -> tuple[float, float, str]:
    """(lowest, highest, how to show q in a message)."""
    if isinstance(q, Distribution):
        lo, hi = q.bounds
        return lo, hi, f"a {q.dist} distribution from {_num(lo)} to {_num(hi)}"
    return float(q), float(q), _num(q)


def _non_negative(q: Quantity) -> Quantity:
    lo, _, shown = _range_text(q)
    if lo < 0:
        raise ValueError(f"expected a count >= 0, found {shown}")
    return q


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioInfo(_Model):
    name: str
    description: str = ""
    compare_scope: str = Field(
        "", description="What the historical comparison covers (dates, forces)."
    )


class EngineSettings(_Model):
    start: _dt.datetime = Field(description="Date-time of hour 0 (local time).")
    duration_hours: float = Field(gt=0, description="Simulated span in hours.")
    combat_step_hours: float = Field(1.0, gt=0, le=24, description="Combat adjudication step, hours.")
    attrition_law: AttritionLaw = "dupuy"
    stochastic: bool = True
    size_basis: Literal["engagement", "side"] = Field(
        "engagement",
        description="Men counted for the Dupuy size factor: the side's men at the contested place "
        "(each place is one engagement) or all its men in combat anywhere.",
    )
    ring_closed_share: float = Field(
        0.5, gt=0, le=1,
        description="Share of the front force's personnel that must be encircled for the ring to count as closed.",
    )
    resistance_ended_share: float = Field(
        0.9, gt=0, le=1,
        description="Organised resistance has ended when at least this share of the front force's "
        "initial personnel is lost, broken or encircled-and-broken.",
    )


class Side(_Model):
    name: str
    supply_sources: list[str] = Field(min_length=1, description="Place ids of the side's supply sources.")
    rear: str = Field(description="Place id that broken units withdraw toward.")
    source: str = ""


class Place(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    x_km: float
    y_km: float
    terrain: Terrain = "rolling_bare"
    fortification: Fortification = "none"
    disputed: bool = Field(False, description="Part of the disputed zone east of the river.")
    holder: str | None = Field(None, description="Side id controlling the place at hour 0.")
    source: str


class Route(_Model):
    from_: str = Field(alias="from")
    to: str
    km: float = Field(gt=0)
    road: RoadClass = "track"
    river_crossing: bool = False
    capacity_tons_per_day: float | None = Field(
        None, gt=0, description="Most supply tons per day that can pass this route to units beyond it "
        "(a bridge's or ferry's capacity); None: no limit.")
    source: str


class Unit(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    side: str
    name: str
    type: UnitType
    echelon: Echelon
    personnel: Quantity
    equipment: dict[EquipmentClass, Annotated[Quantity, AfterValidator(_non_negative)]] = Field(
        default_factory=dict
    )
    quality: Quantity = 1.0
    posture: Posture = "hasty"
    breakpoint: Quantity = Field(
        0.5, description="Share of initial personnel lost at which the unit breaks (0-1]."
    )
    start: str
    group: str | None = None
    front_force: bool = Field(
        False, description="Counts toward the 'front force' whose share lost is reported."
    )
    source: str

    @field_validator("personnel")
    @classmethod
    def _positive(cls, v: Quantity) -> Quantity:
        lo, _, shown = _range_text(v)
        if lo <= 0:
            raise ValueError(f"expected a number of men > 0, found {shown}")
        return v

    @field_validator("breakpoint")
    @classmethod
    def _fraction(cls, v: Quantity) -> Quantity:
        lo, hi, shown = _range_text(v)
        if not (0 < lo and hi <= 1):
            raise ValueError(f"expected a share in (0, 1], found {shown}")
        return v


class Trigger(_Model):
    """When an order starts. Exactly one condition; checked every combat step."""

    at_hour: float | None = Field(None, ge=0, description="Hours after the scenario start.")
    unit_arrived: str | None = Field(None, description="Unit id; fires when it reaches `place`.")
    enemy_at: str | None = Field(None, description="Place id; fires when an enemy unit is there.")
    unit_broken: str | None = Field(None, description="Unit id; fires when it breaks.")
    place: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "Trigger":
        set_ = [k for k in ("at_hour", "unit_arrived", "enemy_at", "unit_broken")
                if getattr(self, k) is not None]
        if len(set_) != 1:
            raise ValueError(
                "needs exactly one of at_hour, unit_arrived, enemy_at, unit_broken; found "
                + (", ".join(set_) or "none")
            )
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

    Each order supersedes the unit's previous one when its trigger fires; an
    order without trigger starts when the previous one is complete.
    """

    unit: str | None = None
    group: str | None = None
    task: Task
    objective: str | None = None
    via: list[str] = Field(default_factory=list)
    posture: Posture | None = None
    trigger: Trigger | None = None
    note: str = ""

    @model_validator(mode="after")
    def _who(self) -> "Order":
        if (self.unit is None) == (self.group is None):
            found = "neither" if self.unit is None else f"both (unit {self.unit!r}, group {self.group!r})"
            raise ValueError(f"needs exactly one of unit, group; found {found}")
        if self.task in ("move", "attack") and self.objective is None:
            raise ValueError(f"task '{self.task}' needs objective; found none")
        return self


class Parameter(_Model):
    """A model parameter with its source; ``value`` may be a distribution.

    ``claims`` names the record's claim ids the value rests on (empty for
    estimates, whose ``source`` starts with "estimate").
    """

    value: Quantity
    unit: str = ""
    source: str
    claims: list[str] = Field(default_factory=list)


class CompareTarget(_Model):
    """An outcome compared with the historical record.

    ``claims`` names claim ids of the record (``nomonhan_sim/record/data``); the
    historical range is the union of their ranges (dates become days after
    ``engine.start``) unless ``low``/``high`` state it (needed when the claims are
    statements, e.g. who held the ground). ``value`` is the central value (default:
    the range's midpoint). A target without claims must give low, high and source.
    """

    outcome: str
    claims: list[str] = Field(default_factory=list)
    low: float | None = None
    high: float | None = None
    value: float | None = None
    unit: str = ""
    source: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _range(self) -> "CompareTarget":
        if (self.low is None) != (self.high is None):
            raise ValueError("expected both low and high, or neither")
        if self.low is not None and self.low > self.high:
            raise ValueError(f"expected low <= high, found low = {_num(self.low)}, high = {_num(self.high)}")
        if not self.claims and (self.low is None or not self.source):
            raise ValueError("expected claims (record claim ids), or low, high and source")
        return self


class Scenario(_Model):
    scenario: ScenarioInfo
    engine: EngineSettings
    sides: dict[str, Side] = Field(min_length=2, max_length=2)
    places: list[Place] = Field(min_length=1)
    routes: list[Route] = Field(default_factory=list)
    units: list[Unit] = Field(min_length=1)
    orders: list[Order] = Field(default_factory=list)
    parameters: dict[str, Parameter | dict[str, Parameter]] = Field(default_factory=dict)
    compare: list[CompareTarget] = Field(default_factory=list)
    logistics: Logistics | None = None
