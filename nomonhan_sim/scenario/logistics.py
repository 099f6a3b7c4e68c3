"""Scenario schema for supply: railheads, depots, truck fleets, consumption, interdiction.

Units: stocks and loads in tons (t), distances in km, speeds in km/h, times in
hours (repair in days), consumption in t per 1,000 men per day, rates as stated.
Supply classes: ammunition, fuel, food_water, other.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary.classes import SUPPLY_CLASSES, SupplyClass  # noqa: F401
from .limits import (CONSUMPTION, DAYS, DAYS_POSITIVE, DISTANCE, HOURS, MAX_BUILDUP_DAYS, MAX_DURATION_HOURS,
                     MAX_EVENTS_PER_DAY, MAX_TONS, PAYLOAD, SHARE, SPEED, TONS, TONS_PER_DAY, TRUCKS, Count,
                     DateTime, Id, Number, Ranged)

Activity = Literal["combat", "moving", "idle"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Depot(_Model):
    """A railhead (fed by rail: never runs out) or a depot (holds what trucks bring)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Identifier used by fleets and interdictions.")
    side: str = Field(description="Side id.")
    place: str = Field(description="Place id where it stands.")
    kind: Literal["railhead", "depot"] = Field(
        description="railhead: fed by rail, never runs out (fleets load here); depot: holds what the "
        "trucks bring and issues it to the side's units.")
    stock: dict[SupplyClass, Ranged(TONS)] = Field(
        default_factory=dict, description="Tons of each supply class at the start of the supply clock "
        f"(logistics.buildup_start, else engine.start; each {TONS.condition()}).")
    issue_tons_per_day: Ranged(TONS_PER_DAY) | None = Field(
        None, description=f"Most tons a depot can issue to units per day ({TONS_PER_DAY.condition()}; "
        "none: no limit).")
    source: str = Field(description="Where the figures come from.")


class Fleet(_Model):
    """Trucks shuttling from a railhead to a depot in ``columns`` convoys.

    A column loads (``load_hours``), drives ``km`` loaded, unloads, drives back
    empty, and starts again. Each leg some trucks break down (``breakdown_per_1000km``
    of the column per 1,000 km); their load is lost and they rejoin after
    ``repair_days``. Tankers carry fuel; cargo trucks carry the other classes in
    ``cargo_mix`` proportions.
    """

    side: str = Field(description="Side id.")
    name: Id = Field(description="Identifier used by interdictions (``fleet``).")
    origin: str = Field(description="Depot id of the railhead.")
    destination: str = Field(description="Depot id the fleet delivers to.")
    via: list[str] = Field(default_factory=list, description="Places the road passes (for cuts and enemy control).")
    km: Ranged(DISTANCE) = Field(description=f"One-way distance, km ({DISTANCE.condition()}).")
    trucks: Ranged(TRUCKS) = Field(description="Trucks in the fleet at the start (count, split over the columns; "
                                   f"{TRUCKS.condition()}).")
    tanker_share: Ranged(SHARE) = Field(0.0, description="Share of the trucks that are fuel tankers (0-1).")
    payload_tons: Ranged(PAYLOAD) = Field(description=f"Load of one truck, t ({PAYLOAD.condition()}).")
    speed_loaded_kmh: Ranged(SPEED) = Field(description="Average speed loaded, km/h (halts and nights included; "
                                            f"{SPEED.condition()}).")
    speed_empty_kmh: Ranged(SPEED) = Field(description="Average speed empty, km/h (halts and nights included; "
                                           f"{SPEED.condition()}).")
    load_hours: Ranged(HOURS) = Field(2.0, description="Hours a column takes to load at the railhead "
                                      f"({HOURS.condition()}).")
    unload_hours: Ranged(HOURS) = Field(2.0, description="Hours a column takes to unload at the depot "
                                        f"({HOURS.condition()}).")
    breakdown_per_1000km: Ranged(SHARE) = Field(
        0.0, description="Share of a column's trucks that break down per 1,000 km driven (0-1; their load is lost).")
    repair_days: Ranged(DAYS_POSITIVE) = Field(3.0, description="Days until a broken-down truck rejoins its "
                                               f"column ({DAYS_POSITIVE.condition()}).")
    columns: Count = Field(20, ge=1, le=500, description="Number of convoys the fleet runs in (a whole number "
                           "from 1 to 500).")
    cargo_mix: dict[SupplyClass, Annotated[Number, Field(ge=0, le=1)]] = Field(
        default_factory=lambda: {"ammunition": 0.7, "food_water": 0.15, "other": 0.15},
        description="Shares of the cargo trucks' load by supply class (no fuel; shares add up to 1).")
    source: str = Field(description="Where the figures come from.")

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
    combat: dict[SupplyClass, Ranged(CONSUMPTION)] = Field(
        default_factory=dict, description="t per 1,000 men per day while fighting, by supply class "
        f"({CONSUMPTION.condition()}).")
    moving: dict[SupplyClass, Ranged(CONSUMPTION)] = Field(
        default_factory=dict, description="t per 1,000 men per day while on the move, by supply class "
        f"({CONSUMPTION.condition()}).")
    idle: dict[SupplyClass, Ranged(CONSUMPTION)] = Field(
        default_factory=dict, description="t per 1,000 men per day otherwise, by supply class "
        f"({CONSUMPTION.condition()}).")
    basic_load_days: Ranged(DAYS_POSITIVE) = Field(3.0, description="A unit carries this many days of combat "
                                                   f"consumption ({DAYS_POSITIVE.condition()}).")
    source: str = Field(description="Where the rates come from.")


class Interdiction(_Model):
    """A scheduled (``at_hour``) or random (``per_day``) blow against supply.

    ``destroy_stock``: the ``share`` of a depot's stock is destroyed.
    ``cut_route``: a fleet's road is impassable for ``hours``.
    """

    kind: Literal["destroy_stock", "cut_route"] = Field(description="What the blow does (see above).")
    at_hour: Number | None = Field(None, ge=-24.0 * MAX_BUILDUP_DAYS, le=MAX_DURATION_HOURS,
                                   description="Hour of a single event, hours after engine.start "
                                   f"(negative: during the build-up; from -{24 * MAX_BUILDUP_DAYS} to "
                                   f"{MAX_DURATION_HOURS:g}).")
    per_day: Number | None = Field(None, ge=0, le=MAX_EVENTS_PER_DAY, description="Poisson rate of such "
                                   f"events per day (stochastic mode only; 0 to {MAX_EVENTS_PER_DAY:g}).")
    depot: str | None = Field(None, description="Depot id whose stock is hit (destroy_stock).")
    fleet: str | None = Field(None, description="Fleet name whose road is cut.")
    share: Ranged(SHARE) = Field(0.5, description="Share of the depot's stock destroyed per event (0-1).")
    hours: Ranged(HOURS) = Field(24.0, description=f"Hours the road stays cut per event ({HOURS.condition()}).")
    source: str = Field(description="Where the event comes from.")

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

    side: str = Field(description="Side id.")
    tons: Number = Field(gt=0, le=MAX_TONS, description="Tons required in hand at H-hour (all supply classes; "
                         f"> 0 and <= {MAX_TONS:,.0f} t).")
    source: str = Field(description="Where the requirement comes from.")
    claims: list[str] = Field(default_factory=list, description="Claim ids of the record it rests on.")


class Logistics(_Model):
    """Supply for both sides. ``buildup_start`` (before ``engine.start``, the H-hour)
    starts the trucks early so that the stock at H-hour is an outcome; without it the
    depots hold their given ``stock`` at H-hour."""

    buildup_start: DateTime | None = Field(
        None, description="Date-time the supply clock (trucks, consumption) starts, before engine.start and "
        f"at most {MAX_BUILDUP_DAYS} days before it; none: at engine.start.")
    unit_stock_days: Ranged(DAYS) = Field(
        1.0, description="Units start with this many days of combat consumption (capped at their basic load; "
        f"{DAYS.condition()}).")
    depots: list[Depot] = Field(min_length=1, description="Railheads and depots of both sides.")
    fleets: list[Fleet] = Field(default_factory=list, description="Truck fleets, railhead to depot.")
    consumption: list[Consumption] = Field(min_length=1, description="Consumption rows by unit type.")
    interdictions: list[Interdiction] = Field(default_factory=list, description="Blows against supply.")
    requirements: list[Requirement] = Field(default_factory=list,
                                            description="Tons needed at H-hour, compared with the simulated stock.")
    source: str = Field("", description="Where the section's figures come from.")
