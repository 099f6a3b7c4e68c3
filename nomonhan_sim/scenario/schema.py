"""The scenario data model: what a scenario TOML file may contain.

All models are frozen (immutable) and reject unknown fields. Units of measure:
distances in km, coordinates in km on a local grid, durations in hours,
personnel in men, equipment in pieces, rates as stated per field.
Cross-references (a route's places, a unit's start place, an order's unit)
are checked in :mod:`nomonhan_sim.scenario.loader`, which also turns every
validation error into one line naming the file and the field.

Physical limits (:mod:`nomonhan_sim.scenario.limits`): every number is finite (TOML's
``nan`` and ``inf`` are refused) and a number (``true``/``false`` and texts such as
``"3000"`` are not); every true/false field takes only ``true`` or ``false``; each
number lies in the range its field states (a distribution over everything it can
draw). Ids of sides, places, units, depots, fleets and groups are lower case letters,
digits and ``_``, starting with a letter. All date-times are written alike: without
a UTC offset, or all with the same one. The ground graph must join what is used:
routes when there is more than one place, a route at every place a unit or order
uses, each side's supply sources and rear reachable from its units. Size caps: a
file of at most 4 MiB (4,194,304 bytes), tables and arrays nested at most 32 deep,
at most 1,000 places, 5,000 routes, 1,000 units, 10,000 orders and 10,000 entries in
any other list. Parameters: shares and rates in [0, 1], speeds > 0, hours >= 0,
other values >= 0 (``limits.parameter_range``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..vocabulary.classes import EQUIPMENT_CLASSES, EquipmentClass, Fortification, Posture, Terrain  # noqa: F401
from .logistics import Logistics
from .order_schema import Order, Task, Trigger  # noqa: F401 (orders live in their own module)
from .phase_schema import Phase
from .limits import (MAX_MEN_PER_UNIT, MAX_COMBAT_STEP_HOURS, MAX_DURATION_HOURS, MAX_KM, MAX_MULTIPLIER, MAX_TONS, MEN, MEN_JOINING,
                     MIN_COMBAT_STEP_HOURS, MULTIPLIER, PIECES, SHARE_POSITIVE, ClockTime, DateTime, Flag, Id, Number, Ranged)
from .quantity import Distribution, Quantity, _num

RoadClass = Literal["road", "track", "cross_country", "rail"]
UnitType = Literal[
    "infantry", "rifle", "motor_rifle", "tank", "motor_armoured", "cavalry",
    "artillery", "machine_gun", "airborne", "engineer", "reconnaissance", "border_guard",
]
Echelon = Literal["company", "battalion", "regiment", "brigade", "division", "corps", "army"]
AttritionLaw = Literal["square", "linear", "logarithmic", "power", "dupuy"]


def _range_text(q: Quantity) -> tuple[float, float, str]:
    """(lowest, highest, how to show q in a message)."""
    if isinstance(q, Distribution):
        lo, hi = q.bounds
        return lo, hi, f"a {q.dist} distribution from {_num(lo)} to {_num(hi)}"
    return float(q), float(q), _num(q)


_Pieces = Ranged(PIECES)
_Hours = Annotated[Number, Field(ge=0, le=MAX_DURATION_HOURS)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ScenarioInfo(_Model):
    """The ``[scenario]`` table: what the scenario is."""

    name: str = Field(description="Short name (shown in tables, reports and the results manifest).")
    description: str = Field("", description="What the scenario represents, in prose (forces, dates, hour 0).")
    compare_scope: str = Field(
        "", description="What the historical comparison covers (dates, forces)."
    )
    question: str = Field(
        "", description="The question the scenario asks, in one line (shown by `python -m nomonhan_sim list`)."
    )

    @field_validator("question")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("expected one line, found a line break")
        return v


class EngineSettings(_Model):
    """The ``[engine]`` table: the simulated span, the combat step and the model's switches."""

    start: DateTime = Field(description="Date-time of hour 0 (local time; a year from 1000 to 2999). "
                            "Every date-time of the file (logistics.buildup_start, trigger at, phase "
                            "ends) must be written like it: all without a UTC offset, or all with the same.")
    duration_hours: Number = Field(gt=0, le=MAX_DURATION_HOURS,
                                   description=f"Simulated span in hours (> 0, at most {MAX_DURATION_HOURS:g} h "
                                   "= 366 days).")
    combat_step_hours: Number = Field(
        1.0, ge=MIN_COMBAT_STEP_HOURS, le=MAX_COMBAT_STEP_HOURS,
        description=f"Combat adjudication step, hours ({MIN_COMBAT_STEP_HOURS:g} to {MAX_COMBAT_STEP_HOURS:g} h).")
    attrition_law: AttritionLaw = Field(
        "dupuy",
        description="How losses at a contested place are computed: Lanchester square, linear, logarithmic "
        "or general power law (coefficients from the parameters), or Dupuy (QJM) daily casualty rates.")
    stochastic: Flag = Field(
        True,
        description="Poisson (tau-leaping) losses, binomial equipment losses and lognormal travel delays; "
        "false: expected values throughout (uncertain inputs are still drawn per world).")
    size_basis: Literal["engagement", "side"] = Field(
        "engagement",
        description="Men counted for the Dupuy size factor: the side's men at the contested place "
        "(each place is one engagement) or all its men in combat anywhere.",
    )
    ring_closed_share: Number = Field(
        0.5, gt=0, le=1,
        description="Share of the front force's personnel that must be encircled for the ring to count as closed.",
    )
    resistance_ended_share: Number = Field(
        0.9, gt=0, le=1,
        description="Organised resistance has ended when at least this share of the front force's "
        "initial personnel is lost, broken or encircled-and-broken.",
    )
    night: tuple[ClockTime, ClockTime] | None = Field(
        None,
        description="Local clock times [dusk, dawn] between which it is dark (e.g. [\"19:30\", "
        "\"05:00\"]); motorised columns march at ``night_march_speed_factor`` of their speed in "
        "the dark (clock times without a UTC offset). None: no night effect.",
    )

    @field_validator("start")
    @classmethod
    def _year(cls, v: _dt.datetime) -> _dt.datetime:
        if not 1000 <= v.year <= 2999:
            raise ValueError(f"expected a year from 1000 to 2999, found {v.isoformat()}")
        return v

    @field_validator("night")
    @classmethod
    def _naive(cls, v):
        for t in v or ():
            if t.tzinfo is not None:
                raise ValueError(f"expected a clock time without a UTC offset, found {t.isoformat()}")
        return v


class Side(_Model):
    """One of the two ``[sides.<id>]`` tables; the id is the table's key (e.g. ``soviet``)."""

    name: str = Field(description="Display name.")
    supply_sources: list[str] = Field(min_length=1, description="Place ids of the side's supply sources "
                                      "(each joined by routes to the places the side's units stand at).")
    rear: str = Field(description="Place id that broken units withdraw toward (joined by routes to the "
                      "places the side's units stand at).")
    source: str = Field("", description="Where the side's figures come from (source tags).")


class Place(_Model):
    """A node of the ground graph (``[[places]]``): a height, a crossing, a base."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$",
                    description="Identifier used by routes, units, orders and depots.")
    name: str = Field(description="Display name.")
    x_km: Number = Field(ge=-MAX_KM, le=MAX_KM, description="East coordinate on the scenario's local grid, km "
                         f"(from -{MAX_KM:g} to {MAX_KM:g}).")
    y_km: Number = Field(ge=-MAX_KM, le=MAX_KM, description="North coordinate on the scenario's local grid, km "
                         f"(from -{MAX_KM:g} to {MAX_KM:g}).")
    terrain: Terrain = Field(
        "rolling_bare", description="QJM terrain class: the defender's terrain factor, the casualty "
        "factor and the mobility of units entering the place.")
    fortification: Fortification = Field(
        "none", description="Works at the place; units of its hour-0 holder defend at least at this "
        "posture level.")
    disputed: Flag = Field(False, description="Part of the disputed zone east of the river.")
    frontage_km: Number | None = Field(
        None, gt=0, le=MAX_KM, description="Width of front a force at the place fights on, km (> 0): men beyond "
        "engaged_men_per_km per km of it stand in depth (their power counts at depth_power_share, "
        "and so does their exposure to loss); none: no density limit.")
    holder: str | None = Field(None, description="Side id controlling the place at hour 0.")
    source: str = Field(description="Where the position and figures come from (source tags, "
                        "'derived: ...' or 'estimate: ...').")


class Route(_Model):
    """An undirected road or track between two places (``[[routes]]``)."""

    from_: str = Field(alias="from", description="Place id at one end (written ``from``).")
    to: str = Field(description="Place id at the other end.")
    km: Number = Field(gt=0, le=MAX_KM, description=f"Length, km (> 0, at most {MAX_KM:g}).")
    road: RoadClass = Field(
        "track", description="Road class: speed × road_factor_road on a road, × 1 on a track, "
        "× road_factor_cross_country across country; on a railway (``rail``) every unit moves at "
        "rail_speed_kmh, whatever its type, terrain or fuel.")
    river_crossing: Flag = Field(
        False, description="The route crosses a river: each passage takes river_crossing_hours more.")
    capacity_tons_per_day: Number | None = Field(
        None, gt=0, le=MAX_TONS, description="Most supply tons per day that can pass this route to units beyond it "
        "(a bridge's or ferry's capacity); none: no limit.")
    rail_capacity_men_per_day: Number | None = Field(
        None, gt=0, le=MAX_MEN_PER_UNIT, description="Rail routes only: men per day the line carries in each "
        "direction; a unit of m men holds the line for 24 m / capacity hours and the next unit waits until "
        "it is through; none: no limit.")
    source: str = Field(description="Where the length and road class come from.")

    @field_validator("rail_capacity_men_per_day")
    @classmethod
    def _rail_only(cls, v, info):
        road = info.data.get("road", "track")
        if v is not None and road != "rail":
            raise ValueError(f"expected no rail capacity on a road = \"{road}\" route (rail routes only)")
        return v


class Unit(_Model):
    """A regiment, brigade or smaller force (``[[units]]``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$",
                    description="Identifier used by orders, triggers and outcome columns.")
    side: str = Field(description="Side id.")
    name: str = Field(description="Display name.")
    type: UnitType = Field(description="Unit type: sets the speed class (foot, cavalry, motor, "
                           "artillery) and the consumption row.")
    echelon: Echelon = Field(description="Size class, shown on the map symbol (no effect on the model).")
    personnel: Ranged(MEN) = Field(description=f"Men at hour 0 (> 0; from 1 to {MAX_MEN_PER_UNIT:,}).")
    equipment: dict[EquipmentClass, _Pieces] = Field(
        default_factory=dict,
        description=f"Pieces of each equipment class at hour 0 (each {PIECES.condition()}), e.g. {{ tanks = 40 }}; "
        "a class left out is none.",
    )
    quality: Ranged(MULTIPLIER) = Field(1.0, description="Multiplier of the unit's combat power (1 = average; "
                                        f"no unit; > 0 and <= {MAX_MULTIPLIER:g}).")
    posture: Posture = Field(
        "hasty", description="Posture at hour 0: attack (meeting engagement), hasty, prepared or "
        "fortified defence, or reserve (not yet committed; meeting-engagement level).")
    breakpoint: Ranged(SHARE_POSITIVE) = Field(
        0.5, description="Share of initial personnel lost at which the unit breaks (0-1]."
    )
    start: str = Field(description="Place id where the unit stands at hour 0.")
    group: Id | None = Field(None, description="Name of a group of units that orders can address "
                             "together (``group`` of an order).")
    front_force: Flag = Field(
        False, description="Counts toward the 'front force' whose share lost is reported."
    )
    source: str = Field(description="Where the figures come from (source tags, 'derived: ...' or "
                        "'estimate: ...').")



class Replacement(_Model):
    """Men (and equipment) joining a unit at a scheduled hour (``[[replacements]]``): march
    companies, returning wounded, a battalion attached. New units arriving are written as
    units in reserve with a timed order instead."""

    unit: str = Field(description="Unit id the men join.")
    at_hour: _Hours = Field(description="Hours after the scenario start (>= 0, within the run).")
    men: Ranged(MEN_JOINING) = Field(description=f"Men who join ({MEN_JOINING.condition()}).")
    equipment: dict[EquipmentClass, _Pieces] = Field(
        default_factory=dict, description=f"Pieces of each equipment class that join (each {PIECES.condition()}).")
    source: str = Field(description="Where the figures come from (source tags, 'derived: ...' or "
                        "'estimate: ...').")


class Parameter(_Model):
    """A model parameter with its source; ``value`` may be a distribution.

    ``claims`` names the record's claim ids the value rests on (empty for
    estimates, whose ``source`` starts with "estimate").
    """

    value: Quantity = Field(description="The value, in ``unit``; within the parameter's range "
                            "(nomonhan_sim.scenario.limits.parameter_range: shares and rates in [0, 1], "
                            "speeds > 0, hours >= 0, other values >= 0).")
    unit: str = Field("", description="Unit of measure, as text (e.g. 'km/h', 'share of personnel per day').")
    source: str = Field(description="Source tags, 'derived: ...' or 'estimate: ...'.")
    claims: list[str] = Field(default_factory=list, description="Claim ids of the record the value rests on.")


class CompareTarget(_Model):
    """An outcome compared with the historical record.

    ``claims`` names claim ids of the record (``nomonhan_sim/record/data``); the
    historical range is the union of their ranges (dates become days after
    ``engine.start``) unless ``low``/``high`` state it (needed when the claims are
    statements, e.g. who held the ground). ``value`` is the central value (default:
    the range's midpoint). A target without claims must give low, high and source.
    """

    outcome: str = Field(description="Outcome name: casualties.<side>, ring_closed_day, ... "
                         "(docs/results.md lists them).")
    claims: list[str] = Field(default_factory=list, description="Claim ids of the record.")
    low: Number | None = Field(None, description="Lowest value of the historical range, in the outcome's "
                              "unit (days after engine.start for times).")
    high: Number | None = Field(None, description="Highest value of the historical range, in the outcome's unit.")
    value: Number | None = Field(None, description="Central historical value, in the outcome's unit "
                                "(default: the middle of the range).")
    unit: str = Field("", description="Unit shown in tables (men, days, share, t).")
    source: str = Field("", description="Source of low and high when no claims give them.")
    note: str = Field("", description="Scope and derivation of the historical value.")

    @model_validator(mode="after")
    def _range(self) -> "CompareTarget":
        if (self.low is None) != (self.high is None):
            raise ValueError("expected both low and high, or neither")
        if self.low is not None and self.low > self.high:
            raise ValueError(f"expected low <= high, found low = {_num(self.low)}, high = {_num(self.high)}")
        if not self.claims and (self.low is None or not self.source):
            raise ValueError("expected claims (record claim ids), or low, high and source")
        return self


WeatherRow = Literal[
    "dry_sunshine_temperate", "dry_sunshine_extreme_heat", "dry_sunshine_extreme_cold",
    "dry_overcast_temperate", "dry_overcast_extreme_heat", "dry_overcast_extreme_cold",
    "wet_light_temperate", "wet_light_extreme_heat", "wet_light_extreme_cold",
    "wet_heavy_temperate", "wet_heavy_extreme_heat", "wet_heavy_extreme_cold",
]
SeasonRow = Literal[
    "winter_jungle", "winter_desert", "winter_temperate", "spring_jungle", "spring_desert",
    "spring_temperate", "summer_jungle", "summer_desert", "summer_temperate", "fall_jungle",
    "fall_desert", "fall_temperate",
]
SurpriseLevel = Literal["minor", "substantial", "complete"]


class Surprise(_Model):
    """The ``[conditions.surprise]`` table: one side achieves surprise (QJM surprise factors)."""

    side: str = Field(description="Side id that achieves surprise; the other side is surprised.")
    level: SurpriseLevel = Field(
        description="QJM surprise level: while it lasts the surprised side's casualty rate is "
        "multiplied by its vulnerability factor (minor 1.2, substantial 2, complete 3) and the "
        "surpriser's by its own (0.9, 0.6, 0.4).")
    start_hour: _Hours = Field(0.0, description="Hour (after engine.start) at which surprise is achieved (>= 0).")
    hours: Number = Field(
        72.0, gt=0, le=MAX_DURATION_HOURS,
        description="How long the effect lasts, hours (> 0; default 72: the QJM's three days).")
    decay: Literal["daily_thirds", "none"] = Field(
        "daily_thirds", description="daily_thirds: the QJM's fading - the factors' excess over 1 falls in "
        "equal steps each 24 h (with 72 h: full, 2/3, 1/3) and is gone when the window ends; none: full "
        "effect for the whole window.")


class Conditions(_Model):
    """The ``[conditions]`` table: weather, season, air superiority, surprise and combat
    effectiveness (CEV) of the scenario, as QJM factors (nomonhan_sim.model.conditions).
    Leaving it out means the neutral conditions: dry, sunny, temperate, no season
    factors, no air superiority, no surprise, CEV 1."""

    weather: WeatherRow = Field(
        "dry_sunshine_temperate",
        description="QJM weather row (precipitation and sky, then temperature): the attacker's power "
        "x h_ua, tanks' and armoured cars' x h_wt, guns' x h_wg, both sides' casualty rates x h_c.")
    season: SeasonRow | None = Field(
        None, description="QJM season and climate row ('jungle' = tropical): the attacker's power x z_u, "
        "guns' x z_wg; none: no season factors.")
    air_superiority: str | None = Field(
        None, description="Side id with air superiority (its guns x 1.1, its casualty rate x 0.9; the "
        "other side's guns x 0.9, casualty rate x 1.1); none: air equality.")
    surprise: Surprise | None = Field(None, description="Surprise achieved by one side (none: no surprise).")
    cev: dict[str, Annotated[Number, Field(gt=0, le=MAX_MULTIPLIER)]] = Field(
        default_factory=dict,
        description=f"Combat effectiveness value by side id (> 0 and <= {MAX_MULTIPLIER:g}): multiplies the combat power of all the "
        "side's units, on top of each unit's quality; a side left out has 1.")
    source: str = Field("", description="Where the conditions come from (source tags, 'derived: ...' or "
                        "'estimate: ...'); required when any condition is set.")

    @model_validator(mode="after")
    def _sourced(self) -> "Conditions":
        set_ = (self.weather != "dry_sunshine_temperate" or self.season is not None
                or self.air_superiority is not None or self.surprise is not None or bool(self.cev))
        if set_ and not self.source.strip():
            raise ValueError("expected source (where the conditions come from) when any condition is set, "
                             "found none")
        return self


class Scenario(_Model):
    """A whole scenario file: the tables below, validated and cross-checked on loading."""

    scenario: ScenarioInfo = Field(description="Name and description.")
    engine: EngineSettings = Field(description="Simulated span and model switches.")
    sides: dict[Id, Side] = Field(min_length=2, max_length=2,
                                  description="The two sides, by id (lower case, digits, underscores).")
    places: list[Place] = Field(min_length=1, description="Nodes of the ground graph.")
    routes: list[Route] = Field(default_factory=list, description="Edges of the ground graph.")
    units: list[Unit] = Field(min_length=1, description="The forces at hour 0.")
    orders: list[Order] = Field(default_factory=list, description="Each unit's orders, in file order.")
    replacements: list[Replacement] = Field(
        default_factory=list, description="Men and equipment joining units at scheduled hours; a unit "
        "out of the battle (withdrawn or destroyed) by then gets none.")
    parameters: dict[str, Parameter | dict[str, Parameter]] = Field(
        default_factory=dict,
        description="Model parameters overriding the package defaults, by name "
        "(``[parameters.<name>]``) or per side (``[parameters.<name>.<side>]``); the names are those of "
        "nomonhan_sim/data/default_parameters.toml.")
    compare: list[CompareTarget] = Field(default_factory=list,
                                         description="Outcomes compared with the historical record.")
    logistics: Logistics | None = Field(None, description="Supply (none: no supply model; encircled "
                                        "units lose power by isolation_power_halflife_hours).")
    conditions: Conditions | None = Field(None, description="Weather, season, air superiority, surprise "
                                          "and CEV (none: neutral conditions).")
    phases: list[Phase] = Field(default_factory=list, description="Named periods of the battle in time "
                                "order, for casualties by phase (none: no phase outcomes).")
