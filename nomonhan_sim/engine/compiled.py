"""Compile a validated scenario into index arrays the batched engine works on.

Names become indices (sides 0..S-1, places 0..P-1, units 0..U-1, equipment
classes 0..K-1); the graph becomes a ``(P, P)`` km matrix. Nothing here is
random: drawing uncertain values per world happens in :mod:`.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..scenario.loader import LoadedScenario
from ..scenario.order_schema import hours_after, parse_event
from ..scenario.phase_schema import phase_end_hours
from ..vocabulary.classes import EQUIPMENT_CLASSES, FORTIFICATION_LEVEL, POSTURE_LEVEL, TERRAINS
from ..vocabulary.outcome_names import parse_advance_column
from .network import all_pairs_next_hop

TASKS = ("move", "attack", "defend", "hold", "withdraw", "pause", "pull_back")
TASK = {t: i for i, t in enumerate(TASKS)}
ROADS = ("road", "track", "cross_country", "rail")
RAIL = ROADS.index("rail")

# Trigger kinds (TRIG_AFTER: trig_time hours after the unit's previous order started)
(TRIG_NONE, TRIG_TIME, TRIG_ARRIVED, TRIG_ENEMY_AT, TRIG_BROKEN, TRIG_ENCIRCLED, TRIG_CAPTURED,
 TRIG_RING_CLOSED, TRIG_AFTER) = range(9)
#: ``trigger.when`` event kind -> trigger kind
EVENT_TRIGGER = {"encircled": TRIG_ENCIRCLED, "broken": TRIG_BROKEN, "captured": TRIG_CAPTURED,
                 "arrived": TRIG_ARRIVED, "ring_closed": TRIG_RING_CLOSED}
#: tasks whose default posture is attack (the others default to hasty defence)
_ATTACK_POSTURE_TASKS = ("attack", "move", "withdraw")

#: unit type -> speed parameter name
SPEED_CLASS = {
    "infantry": "speed_foot_kmh", "rifle": "speed_foot_kmh", "machine_gun": "speed_foot_kmh",
    "airborne": "speed_foot_kmh", "engineer": "speed_foot_kmh", "border_guard": "speed_foot_kmh",
    "cavalry": "speed_cavalry_kmh", "artillery": "speed_artillery_kmh",
    "motor_rifle": "speed_motor_kmh", "tank": "speed_motor_kmh", "motor_armoured": "speed_motor_kmh",
    "reconnaissance": "speed_motor_kmh",
}
SPEED_PARAMS = tuple(sorted(set(SPEED_CLASS.values())))
ARMOUR_CLASSES = ("tanks", "armoured_cars")


@dataclass(frozen=True)
class CompiledOrder:
    """One order of one unit as indices: task (index into TASKS), waypoints (place
    indices: via then objective), posture level 0..3, trigger kind (TRIG_*) with its
    hour (TRIG_TIME: hours after the start; TRIG_AFTER: hours after the previous order
    started), units (the trigger fires when any of them meets it; ``trig_unit`` is the
    first) and place index, the pause length in hours, and the text the event log shows."""

    task: int
    waypoints: tuple[int, ...]   # via + objective (place indices)
    posture: int                 # posture level 0..3
    trigger: int
    trig_time: float = 0.0
    trig_unit: int = -1
    trig_place: int = -1
    text: str = ""
    trig_units: tuple[int, ...] = ()
    hours: float = 0.0           # pause: how long, hours


@dataclass(frozen=True)
class CompiledConditions:
    """The scenario's ``[conditions]`` as indices (the QJM factor values are looked up by
    :mod:`nomonhan_sim.model.conditions`, a higher layer): weather and season row names,
    the side index with air superiority (-1: equality), the side index achieving surprise
    (-1: none) with its level, window (start and length, hours) and decay, and the CEV of
    each side (empty: 1 for every side)."""

    weather: str = "dry_sunshine_temperate"
    season: str | None = None
    air_superiority: int = -1
    surprise_side: int = -1
    surprise_level: str = "none"
    surprise_start_hour: float = 0.0
    surprise_hours: float = 0.0
    surprise_decay: bool = True
    cev: tuple[float, ...] = ()

    @property
    def neutral(self) -> bool:
        """True when every condition is the neutral one (all factors 1)."""
        return self == CompiledConditions() or self == CompiledConditions(cev=(1.0,) * len(self.cev))


def compile_conditions(sc: LoadedScenario, side_ids: tuple[str, ...]) -> CompiledConditions:
    """The ``[conditions]`` table of ``sc`` as :class:`CompiledConditions`."""
    cond = sc.model.conditions
    if cond is None:
        return CompiledConditions()
    s_idx = {s: i for i, s in enumerate(side_ids)}
    sur = cond.surprise
    return CompiledConditions(
        weather=cond.weather, season=cond.season,
        air_superiority=s_idx[cond.air_superiority] if cond.air_superiority is not None else -1,
        surprise_side=s_idx[sur.side] if sur is not None else -1,
        surprise_level=sur.level if sur is not None else "none",
        surprise_start_hour=float(sur.start_hour) if sur is not None else 0.0,
        surprise_hours=float(sur.hours) if sur is not None else 0.0,
        surprise_decay=sur is None or sur.decay == "daily_thirds",
        cev=tuple(float(cond.cev.get(s, 1.0)) for s in side_ids) if cond.cev else (),
    )


@dataclass(frozen=True)
class Compiled:
    """A scenario as index arrays: S sides, P places, U units, K equipment classes.

    Distances in km, route capacities in supply tons per day; shapes as commented
    on each field. Built by :func:`compile_scenario`; shared by every world.
    """

    scenario: LoadedScenario
    side_ids: tuple[str, ...]
    place_ids: tuple[str, ...]
    unit_ids: tuple[str, ...]
    xy: np.ndarray               # (P, 2) km
    km: np.ndarray               # (P, P) km, inf where no route (and on the diagonal)
    adj: np.ndarray              # (P, P) bool
    crossing: np.ndarray         # (P, P) bool: the leg crosses the river
    capacity: np.ndarray         # (P, P) supply tons/day the route can pass (inf: no limit)
    road_class: np.ndarray       # (P, P) int index into ROADS (-1 no route)
    rail_capacity: np.ndarray    # (P, P) men/day a rail route carries each way (inf: no limit or not rail)
    rail_leg: np.ndarray         # (P, P) int index of each directed rail leg 0..2E-1 (-1: not rail)
    next_hop: np.ndarray         # (P, P) static shortest-path next hop
    path_km: np.ndarray          # (P, P) km of the shortest path over routes (inf: none; 0 on the diagonal)
    terrain: np.ndarray          # (P,) index into vocabulary.TERRAINS (factors: model.qjm_tables)
    fort_level: np.ndarray       # (P,) 0..3
    disputed: np.ndarray         # (P,) bool
    initial_holder: np.ndarray   # (P,) side index or -1
    sources: np.ndarray          # (S, P) bool supply sources
    rear: np.ndarray             # (S,) place index
    unit_side: np.ndarray        # (U,) side index
    unit_start: np.ndarray       # (U,) place index
    unit_posture: np.ndarray     # (U,) posture level at start
    unit_reserve: np.ndarray     # (U,) bool: waits for an order
    unit_speed_param: tuple[str, ...]
    unit_front: np.ndarray       # (U,) bool
    frontage_km: np.ndarray      # (P,) km of front at each place (inf: no density limit)
    place_km: np.ndarray         # (P, P) straight-line distance between places, km
    orders: tuple[tuple[CompiledOrder, ...], ...]  # per unit
    equipment_classes: tuple[str, ...] = EQUIPMENT_CLASSES
    conditions: CompiledConditions = CompiledConditions()   # weather, surprise, air, CEV
    phase_ids: tuple[str, ...] = ()                        # [[phases]], in time order
    phase_end_h: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_phases,) hours after hour 0
    #: ``advance_km.<unit>.day<d>`` outcomes the scenario's [[compare]] names, as (unit index, day)
    advance_targets: tuple[tuple[int, float], ...] = ()

    @property
    def n_rail_legs(self) -> int:
        """Number of directed rail legs (twice the rail routes)."""
        return int(self.rail_leg.max()) + 1 if self.rail_leg.size else 0

    @property
    def S(self) -> int:
        """Number of sides (2)."""
        return len(self.side_ids)

    @property
    def P(self) -> int:
        """Number of places."""
        return len(self.place_ids)

    @property
    def U(self) -> int:
        """Number of units."""
        return len(self.unit_ids)

    @property
    def K(self) -> int:
        """Number of equipment classes."""
        return len(self.equipment_classes)


def _compile_trigger(t, start, u_idx, p_idx, groups) -> tuple[int, float, tuple[int, ...], int]:
    """A validated trigger as (kind, hours, unit indices, place index); names of units
    or groups become the indices of their units (a unit id first, else a group name)."""
    def units(name: str) -> tuple[int, ...]:
        return (u_idx[name],) if name in u_idx else tuple(groups[name])

    if t is None:
        return TRIG_NONE, 0.0, (), -1
    if t.at_hour is not None:
        return TRIG_TIME, float(t.at_hour), (), -1
    if t.at is not None:
        return TRIG_TIME, hours_after(start, t.at), (), -1
    if t.after_hours is not None:
        return TRIG_AFTER, float(t.after_hours), (), -1
    if t.unit_arrived is not None:
        return TRIG_ARRIVED, 0.0, units(t.unit_arrived), p_idx[t.place]
    if t.enemy_at is not None:
        return TRIG_ENEMY_AT, 0.0, (), p_idx[t.enemy_at]
    if t.unit_broken is not None:
        return TRIG_BROKEN, 0.0, units(t.unit_broken), -1
    kind, names = parse_event(t.when)
    if kind == "captured":
        return TRIG_CAPTURED, 0.0, (), p_idx[names[0]]
    if kind == "arrived":
        return TRIG_ARRIVED, 0.0, units(names[0]), p_idx[names[1]]
    return EVENT_TRIGGER[kind], 0.0, units(names[0]) if names else (), -1


def compile_scenario(sc: LoadedScenario) -> Compiled:
    """Turn a validated scenario into the index arrays of :class:`Compiled` (nothing random)."""
    m = sc.model
    side_ids = tuple(m.sides)
    s_idx = {s: i for i, s in enumerate(side_ids)}
    place_ids = tuple(p.id for p in m.places)
    p_idx = {p: i for i, p in enumerate(place_ids)}
    unit_ids = tuple(u.id for u in m.units)
    u_idx = {u: i for i, u in enumerate(unit_ids)}
    P = len(place_ids)

    km = np.full((P, P), np.inf)
    crossing = np.zeros((P, P), bool)
    capacity = np.full((P, P), np.inf)
    road = np.full((P, P), -1, int)
    rail_cap = np.full((P, P), np.inf)
    rail_leg = np.full((P, P), -1, int)
    for r in m.routes:
        a, b = p_idx[r.from_], p_idx[r.to]
        km[a, b] = km[b, a] = r.km
        crossing[a, b] = crossing[b, a] = r.river_crossing
        if r.capacity_tons_per_day is not None:
            capacity[a, b] = capacity[b, a] = r.capacity_tons_per_day
        road[a, b] = road[b, a] = ROADS.index(r.road)
        if r.road == "rail":
            n = int(rail_leg.max()) + 1
            rail_leg[a, b], rail_leg[b, a] = n, n + 1
            if r.rail_capacity_men_per_day is not None:
                rail_cap[a, b] = rail_cap[b, a] = r.rail_capacity_men_per_day
    path_km, next_hop = all_pairs_next_hop(km)

    sources = np.zeros((len(side_ids), P), bool)
    for s, side in m.sides.items():
        for src in side.supply_sources:
            sources[s_idx[s], p_idx[src]] = True

    orders: list[list[CompiledOrder]] = [[] for _ in unit_ids]
    groups: dict[str, list[int]] = {}
    for i, u in enumerate(m.units):
        if u.group:
            groups.setdefault(u.group, []).append(i)
    for o in m.orders:
        targets = [u_idx[o.unit]] if o.unit else groups[o.group]
        wps = tuple(p_idx[v] for v in o.via) + ((p_idx[o.objective],) if o.objective else ())
        kind, tt, tus, tp = _compile_trigger(o.trigger, m.engine.start, u_idx, p_idx, groups)
        default_posture = "attack" if o.task in _ATTACK_POSTURE_TASKS else "hasty"
        for ui in targets:
            orders[ui].append(CompiledOrder(
                task=TASK[o.task], waypoints=wps,
                posture=POSTURE_LEVEL[o.posture or default_posture],
                trigger=kind, trig_time=tt, trig_unit=tus[0] if tus else -1, trig_place=tp,
                text=o.note or f"{o.task} {o.objective or ''}".strip(),
                trig_units=tus, hours=float(o.hours or 0.0),
            ))

    xy = np.array([[p.x_km, p.y_km] for p in m.places], float).reshape(P, 2)
    return Compiled(
        scenario=sc, side_ids=side_ids, place_ids=place_ids, unit_ids=unit_ids,
        xy=xy,
        km=km, adj=np.isfinite(km), crossing=crossing, capacity=capacity, road_class=road, next_hop=next_hop, path_km=path_km,
        rail_capacity=rail_cap, rail_leg=rail_leg,
        terrain=np.array([TERRAINS.index(p.terrain) for p in m.places], int),
        fort_level=np.array([FORTIFICATION_LEVEL[p.fortification] for p in m.places]),
        disputed=np.array([p.disputed for p in m.places], bool),
        initial_holder=np.array([s_idx[p.holder] if p.holder else -1 for p in m.places]),
        sources=sources,
        rear=np.array([p_idx[m.sides[s].rear] for s in side_ids]),
        unit_side=np.array([s_idx[u.side] for u in m.units]),
        unit_start=np.array([p_idx[u.start] for u in m.units]),
        unit_posture=np.array([POSTURE_LEVEL[u.posture] for u in m.units]),
        unit_reserve=np.array([u.posture == "reserve" for u in m.units]),
        unit_speed_param=tuple(SPEED_CLASS[u.type] for u in m.units),
        unit_front=np.array([u.front_force for u in m.units], bool),
        frontage_km=np.array([np.inf if p.frontage_km is None else p.frontage_km for p in m.places], float),
        place_km=np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)),
        orders=tuple(tuple(o) for o in orders),
        conditions=compile_conditions(sc, side_ids),
        phase_ids=tuple(ph.id for ph in m.phases),
        phase_end_h=np.array(phase_end_hours(m), float),
        advance_targets=_advance_targets(m, u_idx),
    )


def _advance_targets(m, u_idx) -> tuple[tuple[int, float], ...]:
    """(unit index, day) of every ``advance_km.<unit>.day<d>`` outcome named in [[compare]]
    (only those are tracked, so a scenario that names none runs exactly as before)."""
    out = []
    for t in m.compare:
        parsed = parse_advance_column(t.outcome)
        if parsed is not None and parsed[0] in u_idx and (u_idx[parsed[0]], parsed[1]) not in out:
            out.append((u_idx[parsed[0]], parsed[1]))
    return tuple(out)

