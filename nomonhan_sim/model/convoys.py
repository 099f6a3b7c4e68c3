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

from ..engine.clock import WorldClock
from ..scenario.logistics import SUPPLY_CLASSES

AMMO, FUEL, FOOD, OTHER = range(4)
LOADING, OUTBOUND, UNLOADING, RETURNING, WAITING = range(5)


@dataclass
class FleetState:
    """One truck fleet in all worlds: its drawn figures (``(R,)`` arrays of km, km/h,
    hours, t and shares) and its columns' state (``(R, C)`` trucks running and under
    repair, cargo in t by supply class, phase, hour last at the railhead)."""

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
    fs.clock = WorldClock(sup.env, (R, C), resolution=1.0)  # hour grid: trips take days
    cycle = 2 * fs.km / fs.v_loaded + fs.load_h + fs.unload_h  # stagger columns over one cycle
    offsets = (np.arange(C)[None, :] / C) * cycle[:, None]
    fs.clock.schedule(np.ones((R, C), bool), t_start + offsets + fs.load_h[:, None])
    return fs



def _leg_hours(sup, f: FleetState, speed: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Hours for one leg of the columns in worlds ``r`` (lognormal delay in stochastic mode)."""
    h = f.km[r] / speed[r]
    if sup.stochastic:
        h = h * np.exp(sup.rng.normal(0.0, 1.0, r.size) * sup.w.params["march_delay_sigma"][r])
    return h


def _break(sup, f: FleetState, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Trucks of columns (r, c) that break down on one leg."""
    p = -np.expm1(-f.breakdown[r] * f.km[r] / 1000.0)
    n = f.trucks[r, c]
    if sup.stochastic:
        return sup.rng.binomial(n.astype(np.int64), p).astype(float)
    return n * p


def road_open(sup, f: FleetState, now: float) -> np.ndarray:
    """(R,) the road is passable: not cut, and no place on it held by the enemy."""
    ok = f.cut_until <= now
    if f.via.size:
        ctrl = sup.w.control[:, f.via]
        ok &= ((ctrl == f.side) | (ctrl < 0)).all(axis=1)
    return ok


def run_fleet(sup, f: FleetState):
    """SimPy process: every column of fleet ``f`` cycles load → out → unload → back.

    Each event handles only the columns due (index arrays), one step each.
    """
    env, clock = sup.env, f.clock
    while True:
        due, times = yield from clock.next_due()
        now = env.now
        r_all, c_all = np.nonzero(due)
        t_all = times[r_all, c_all]
        ph = f.phase[r_all, c_all]

        # loading done (or waiting for the road): load, then set off if the road is open
        sel = (ph == LOADING) | (ph == WAITING)
        if sel.any():
            r, c, t = r_all[sel], c_all[sel], t_all[sel]
            fresh = ph[sel] == LOADING
            if fresh.any():
                rf, cf = r[fresh], c[fresh]
                trucks = f.trucks[rf, cf]
                tank = trucks * f.tanker_share[rf]
                if sup.stochastic:
                    tank = np.round(tank)
                load = ((trucks - tank) * f.payload[rf])[:, None] * f.mix[None, :]
                load[:, FUEL] += tank * f.payload[rf]
                f.cargo[rf, cf] += load
                np.add.at(sup.loaded, rf, load)
            open_ = road_open(sup, f, now)[r]
            f.phase[r[~open_], c[~open_]] = WAITING
            clock.due[r[~open_], c[~open_]] = now + 6.0
            go_r, go_c = r[open_], c[open_]
            f.phase[go_r, go_c] = OUTBOUND
            clock.due[go_r, go_c] = t[open_] + _leg_hours(sup, f, f.v_loaded, go_r)

        # arrived at the depot: breakdowns on the way lose their loads; unload
        sel = ph == OUTBOUND
        if sel.any():
            r, c, t = r_all[sel], c_all[sel], t_all[sel]
            broke = _break(sup, f, r, c)
            trucks = f.trucks[r, c]
            share = np.divide(broke, trucks, out=np.zeros_like(broke), where=trucks > 0)
            lost = f.cargo[r, c] * share[:, None]
            f.cargo[r, c] -= lost
            np.add.at(sup.lost, r, lost)
            f.trucks[r, c] -= broke
            f.broken[r, c] += broke
            f.phase[r, c] = UNLOADING
            clock.due[r, c] = t + f.unload_h[r]

        # unloaded: the cargo lands in the depot (unless the enemy holds it)
        sel = ph == UNLOADING
        if sel.any():
            r, c, t = r_all[sel], c_all[sel], t_all[sel]
            place = sup.depot_place[f.dest]
            ctrl = sup.w.control[r, place]
            held = (ctrl != f.side) & (ctrl >= 0)
            cargo = f.cargo[r, c]
            if sup.log.enabled:
                sup.log.add(now, np.unique(r[~held]), -1, "delivered", place, f.name)
            np.add.at(sup.stock[:, f.dest, :], r[~held], cargo[~held])
            np.add.at(sup.delivered[:, f.side, :], r[~held], cargo[~held])
            np.add.at(sup.lost, r[held], cargo[held])
            f.cargo[r, c] = 0.0
            f.phase[r, c] = RETURNING
            clock.due[r, c] = t + _leg_hours(sup, f, f.v_empty, r)

        # back at the railhead: breakdowns on the way back; repaired trucks rejoin; load again
        sel = ph == RETURNING
        if sel.any():
            r, c, t = r_all[sel], c_all[sel], t_all[sel]
            broke = _break(sup, f, r, c)
            f.trucks[r, c] -= broke
            f.broken[r, c] += broke
            p = -np.expm1(-(t - f.last_visit[r, c]) / f.repair_h[r])
            pool = f.broken[r, c]
            back = sup.rng.binomial(pool.astype(np.int64), p).astype(float) if sup.stochastic else pool * p
            f.broken[r, c] -= back
            f.trucks[r, c] += back
            f.last_visit[r, c] = t
            f.phase[r, c] = LOADING
            clock.due[r, c] = t + f.load_h[r]
