"""Scenario schema for supply: railheads, depots, truck fleets, consumption, interdiction.

Units: stocks and loads in tons (t), distances in km, speeds in km/h, times in
hours (repair in days), consumption in t per 1,000 men per day, rates as stated.
Supply classes: ammunition, fuel, food_water, other.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary.classes import SUPPLY_CLASSES, SupplyClass  # noqa: F401
from .quantity import Quantity

Activity = Literal["combat", "moving", "idle"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Depot(_Model):
    """A railhead (fed by rail: never runs out) or a depot (holds what trucks bring)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    side: str
    place: str
    kind: Literal["railhead", "depot"]
    stock: dict[SupplyClass, Quantity] = Field(default_factory=dict, description="Tons at the start.")
    issue_tons_per_day: Quantity | None = Field(
        None, description="Most tons a depot can issue to units per day (None: no limit).")
    source: str


class Fleet(_Model):
    """Trucks shuttling from a railhead to a depot in ``columns`` convoys.

    A column loads (``load_hours``), drives ``km`` loaded, unloads, drives back
    empty, and starts again. Each leg some trucks break down (``breakdown_per_1000km``
    of the column per 1,000 km); their load is lost and they rejoin after
    ``repair_days``. Tankers carry fuel; cargo trucks carry the other classes in
    ``cargo_mix`` proportions.
    """

    side: str
    name: str
    origin: str = Field(description="Depot id of the railhead.")
    destination: str = Field(description="Depot id the fleet delivers to.")
    via: list[str] = Field(default_factory=list, description="Places the road passes (for cuts and enemy control).")
    km: Quantity = Field(description="One-way distance, km.")
    trucks: Quantity
    tanker_share: Quantity = 0.0
    payload_tons: Quantity
    speed_loaded_kmh: Quantity
    speed_empty_kmh: Quantity
    load_hours: Quantity = 2.0
    unload_hours: Quantity = 2.0
    breakdown_per_1000km: Quantity = 0.0
    repair_days: Quantity = 3.0
    columns: int = Field(20, ge=1, le=500)
    cargo_mix: dict[SupplyClass, float] = Field(
        default_factory=lambda: {"ammunition": 0.7, "food_water": 0.15, "other": 0.15})
    source: str

    @field_validator("cargo_mix")
    @classmethod
    def _mix(cls, mix: dict) -> dict:
        if "fuel" in mix:
            raise ValueError("expected no fuel (tankers carry fuel), found fuel")
        total = sum(mix.values())
        if not (0.999 <= total <= 1.001) or min(mix.values(), default=0) < 0:
            raise ValueError(f"expected shares >= 0 adding up to 1, found a total of {total:g}")
        return mix


class Consumption(_Model):
    """Consumption of one group of unit types, t per 1,000 men per day, by activity."""

    unit_types: list[str] = Field(min_length=1, description="Unit types this row covers, or ['*'] for the rest.")
    combat: dict[SupplyClass, Quantity] = Field(default_factory=dict)
    moving: dict[SupplyClass, Quantity] = Field(default_factory=dict)
    idle: dict[SupplyClass, Quantity] = Field(default_factory=dict)
    basic_load_days: Quantity = Field(3.0, description="A unit carries this many days of combat consumption.")
    source: str


class Interdiction(_Model):
    """A scheduled (``at_hour``) or random (``per_day``) blow against supply.

    ``destroy_stock``: the ``share`` of a depot's stock is destroyed.
    ``cut_route``: a fleet's road is impassable for ``hours``.
    """

    kind: Literal["destroy_stock", "cut_route"]
    at_hour: float | None = None
    per_day: float | None = Field(None, ge=0, description="Poisson rate of such events per day.")
    depot: str | None = None
    fleet: str | None = Field(None, description="Fleet name whose road is cut.")
    share: Quantity = 0.5
    hours: Quantity = 24.0
    source: str

    @model_validator(mode="after")
    def _check(self) -> "Interdiction":
        if (self.at_hour is None) == (self.per_day is None):
            raise ValueError("needs exactly one of at_hour, per_day")
        if self.kind == "destroy_stock" and not self.depot:
            raise ValueError("destroy_stock needs depot")
        if self.kind == "cut_route" and not self.fleet:
            raise ValueError("cut_route needs fleet")
        return self


class Requirement(_Model):
    """Tons a side needed in hand at H-hour, to set the simulated stock against."""

    side: str
    tons: float = Field(gt=0)
    source: str
    claims: list[str] = Field(default_factory=list)


class Logistics(_Model):
    """Supply for both sides. ``buildup_start`` (before ``engine.start``, the H-hour)
    starts the trucks early so that the stock at H-hour is an outcome; without it the
    depots hold their given ``stock`` at H-hour."""

    buildup_start: _dt.datetime | None = None
    unit_stock_days: Quantity = Field(
        1.0, description="Units start with this many days of combat consumption (capped at their basic load).")
    depots: list[Depot] = Field(min_length=1)
    fleets: list[Fleet] = Field(default_factory=list)
    consumption: list[Consumption] = Field(min_length=1)
    interdictions: list[Interdiction] = Field(default_factory=list)
    requirements: list[Requirement] = Field(default_factory=list)
    source: str = ""
