"""Truck convoys: columns shuttling between a railhead and a depot, for all worlds at once.

A fleet is split into ``columns`` convoys. Each column cycles: load at the
railhead (``load_hours``) → drive loaded (``km`` / ``speed_loaded_kmh``, lognormal
delay in stochastic mode) → unload at the depot → drive back empty → load again.
Tankers carry fuel, cargo trucks the other classes in ``cargo_mix`` shares; the
load is whole trucks × ``payload_tons``. Breakdowns strike each leg at
``breakdown_per_1000km`` (share of the column's trucks per 1,000 km); a broken
truck's load is lost, and broken trucks rejoin at the railhead after a repair
time drawn around ``repair_days``. A column whose road is cut (interdiction) or
passes a place the enemy holds waits at the railhead and tries again every 6 h;
cargo unloaded at a depot the enemy holds is lost. Tons in t, times in hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.clock import WorldClock
from .scenario.logistics import SUPPLY_CLASSES

AMMO, FUEL, FOOD, OTHER = range(4)
LOADING, OUTBOUND, UNLOADING, RETURNING, WAITING = range(5)


@dataclass
class FleetState:
    name: str
    side: int
    origin: int          # depot index
    dest: int
    via: np.ndarray      # place indices the road passes
    km: np.ndarray       # (R,)
    tanker_share: np.ndarray
    payload: np.ndarray
    v_loaded: np.ndarray
    v_empty: np.ndarray
    load_h: np.ndarray
    unload_h: np.ndarray
    breakdown: np.ndarray
    repair_h: np.ndarray
    mix: np.ndarray      # (4,) shares of cargo trucks' loads
    trucks: np.ndarray   # (R, C) running
    broken: np.ndarray   # (R, C) under repair
    cargo: np.ndarray    # (R, C, 4)
    phase: np.ndarray    # (R, C)
    last_visit: np.ndarray  # (R, C) hour last at the railhead
    cut_until: np.ndarray   # (R,) road impassable until this hour
    clock: WorldClock | None = None


def make_fleet(sup, f, side_idx, place_idx, draw, t_start) -> FleetState:
    """Draw a fleet's figures and put its columns at the railhead, staggered over one cycle."""
    R, C = sup.R, f.columns

    def fd(field):
        return draw(f"fleet:{f.name}.{field}", getattr(f, field))

    trucks = fd("trucks")
    per_col = np.repeat((trucks / C)[:, None], C, axis=1)
    if sup.stochastic:  # whole trucks: spread the remainder over the first columns
        per_col = np.floor(per_col)
        rest = np.round(trucks - per_col.sum(axis=1)).astype(int)
        per_col += np.arange(C)[None, :] < rest[:, None]
    fs = FleetState(
        name=f.name, side=side_idx[f.side], origin=sup.depot_ids.index(f.origin),
        dest=sup.depot_ids.index(f.destination), via=np.array([place_idx[p] for p in f.via], int),
        km=fd("km"), tanker_share=fd("tanker_share"), payload=fd("payload_tons"),
        v_loaded=fd("speed_loaded_kmh"), v_empty=fd("speed_empty_kmh"),
        load_h=fd("load_hours"), unload_h=fd("unload_hours"),
        breakdown=fd("breakdown_per_1000km"), repair_h=fd("repair_days") * 24.0,
        mix=np.array([f.cargo_mix.get(k, 0.0) for k in SUPPLY_CLASSES]),
        trucks=per_col, broken=np.zeros((R, C)), cargo=np.zeros((R, C, 4)),
        phase=np.full((R, C), LOADING), last_visit=np.full((R, C), t_start), cut_until=np.full(R, -np.inf),
    )
    fs.clock = WorldClock(sup.env, (R, C), resolution=0.25)
    cycle = 2 * fs.km / fs.v_loaded + fs.load_h + fs.unload_h  # stagger columns over one cycle
    offsets = (np.arange(C)[None, :] / C) * cycle[:, None]
    fs.clock.schedule(np.ones((R, C), bool), t_start + offsets + fs.load_h[:, None])
    return fs



def _leg_hours(sup, f: FleetState, speed: np.ndarray, mask: np.ndarray) -> np.ndarray:
    h = np.broadcast_to((f.km / speed)[:, None], mask.shape).copy()
    if sup.stochastic:
        h *= np.exp(sup.rng.normal(0.0, 1.0, mask.shape) * sup.w.params["march_delay_sigma"][:, None])
    return h

def _break(sup, f: FleetState, mask: np.ndarray) -> np.ndarray:
    """Trucks lost to breakdown on one leg (only where ``mask``); returns (R, C) counts."""
    p = -np.expm1(-f.breakdown * f.km / 1000.0)[:, None] * np.ones_like(f.trucks)
    n = np.where(mask, f.trucks, 0.0)
    if sup.stochastic:
        out = sup.rng.binomial(n.astype(np.int64), p).astype(float)
    else:
        out = n * p
    return out

def road_open(sup, f: FleetState, now: float) -> np.ndarray:
    """(R,) the road is passable: not cut, and no place on it held by the enemy."""
    ok = f.cut_until <= now
    if f.via.size:
        ctrl = sup.w.control[:, f.via]
        ok &= ((ctrl == f.side) | (ctrl < 0)).all(axis=1)
    return ok


def run_fleet(sup, f: FleetState):
    """SimPy process: every column of fleet ``f`` cycles load → out → unload → back."""
    env = sup.env
    while True:
        due, times = yield from f.clock.next_due()
        now = env.now
        t = np.where(due, times, now)
        phase = f.phase.copy()  # each column takes one step per event
        # loading done (or waiting for the road): load and set off if the road is open
        m = due & ((phase == LOADING) | (phase == WAITING))
        if m.any():
            fresh = m & (phase == LOADING)
            if fresh.any():
                tank = np.round(f.trucks * f.tanker_share[:, None]) if sup.stochastic else f.trucks * f.tanker_share[:, None]
                cargo_trucks = f.trucks - tank
                load = np.zeros_like(f.cargo)
                load[..., FUEL] = tank * f.payload[:, None]
                load += (cargo_trucks * f.payload[:, None])[..., None] * f.mix[None, None, :]
                load = np.where(fresh[..., None], load, 0.0)
                f.cargo += load
                sup.loaded += load.sum(axis=1)
            open_ = road_open(sup, f, now)[:, None] & m
            go = open_
            wait = m & ~open_
            f.phase[wait] = WAITING
            f.clock.schedule(wait, np.where(wait, now + 6.0, np.inf))
            f.phase[go] = OUTBOUND
            f.clock.schedule(go, t + _leg_hours(sup, f, f.v_loaded, go))
        # arrived at the depot: breakdowns on the way lose their loads; unload
        m = due & (phase == OUTBOUND)
        if m.any():
            broke = _break(sup, f, m)
            with np.errstate(divide="ignore", invalid="ignore"):
                share = np.where(f.trucks > 0, broke / f.trucks, 0.0)
            lost = f.cargo * share[..., None]
            f.cargo -= lost
            sup.lost += lost.sum(axis=1)
            f.trucks -= broke
            f.broken += broke
            f.phase[m] = UNLOADING
            f.clock.schedule(m, t + np.broadcast_to(f.unload_h[:, None], m.shape))
        # unloaded: the cargo lands in the depot (unless the enemy holds it)
        m = due & (phase == UNLOADING)
        if m.any():
            cargo = np.where(m[..., None], f.cargo, 0.0).sum(axis=1)          # (R, 4)
            place = sup.depot_place[f.dest]
            held = (sup.w.control[:, place] != f.side) & (sup.w.control[:, place] >= 0)
            got = np.nonzero(m.any(axis=1) & ~held)[0]
            sup.log.add(now, got, -1, "delivered", place, f.name)
            sup.stock[:, f.dest, :] += np.where(held[:, None], 0.0, cargo)
            sup.delivered[:, f.side, :] += np.where(held[:, None], 0.0, cargo)
            sup.lost += np.where(held[:, None], cargo, 0.0)
            f.cargo[m] = 0.0
            f.phase[m] = RETURNING
            f.clock.schedule(m, t + _leg_hours(sup, f, f.v_empty, m))
        # back at the railhead: breakdowns on the way back; repaired trucks rejoin; load
        m = due & (phase == RETURNING)
        if m.any():
            broke = _break(sup, f, m)
            f.trucks -= broke
            f.broken += broke
            elapsed = np.where(m, t - f.last_visit, 0.0)
            p = -np.expm1(-elapsed / f.repair_h[:, None])
            back = sup.rng.binomial(f.broken.astype(np.int64), p).astype(float) if sup.stochastic else f.broken * p
            back = np.where(m, back, 0.0)
            f.broken -= back
            f.trucks += back
            f.last_visit = np.where(m, t, f.last_visit)
            f.phase[m] = LOADING
            f.clock.schedule(m, t + np.broadcast_to(f.load_h[:, None], m.shape))

