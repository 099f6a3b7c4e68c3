"""Rail movement with a line capacity, and how far a unit has advanced.

Rail legs (routes with ``road = "rail"``) between two places the unit's side holds at the
leg's start: every unit type moves at ``rail_speed_kmh`` (km/h, halts included), whatever
the terrain, the night or its own fuel (into or out of a place its side does not hold, no
train runs: the unit marches along the line as on a track). A line carries
``rail_capacity_men_per_day`` men a day in each direction, as a continuous flow: a unit of
``m`` men holds the directed leg for ``24 m / capacity`` hours (entraining, in trains one
after another) and arrives when its last train does, so a leg started at hour ``t0`` on a
free line takes ``24 m / capacity + km / rail_speed_kmh`` hours. A unit that sets off while
the line is held waits until the one before it is through (first come, first served; in
one planning step, in the order units are planned). Without a capacity the line is never
held. Capacities are per world: each world keeps its own queue.

Advance: :func:`advance_km` is the straight-line distance (km, on the scenario's grid) of a
unit from its start place to the farthest point it has reached: the places it has been at
and, while under way, its point along the current leg (linear in time between the leg's
start and arrival hours). The ``advance_km.<unit>.day<d>`` outcomes sample it at hour 24 d.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.state import MOVING, World


class RailQueue:
    """When each directed rail leg of each world is free again (hours), ``(R, 2E)``."""

    def __init__(self, c: Compiled, R: int):
        self.free_at = np.full((R, max(c.n_rail_legs, 1)), -np.inf)

    def depart(self, c: Compiled, r: np.ndarray, here: np.ndarray, nxt: np.ndarray, men: np.ndarray,
               t0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Hours (wait, loading) of rail legs ``here -> nxt`` of ``men`` men in worlds ``r``
        asked for at hours ``t0`` (1-D arrays of one length); the legs hold their lines."""
        wait = np.zeros(r.size)
        load = 24.0 * men / c.rail_capacity[here, nxt]  # 0 where the line has no capacity limit
        limited = np.isfinite(c.rail_capacity[here, nxt])
        if not limited.any():
            return wait, load
        idx = np.flatnonzero(limited)
        leg = c.rail_leg[here[idx], nxt[idx]]
        key = r[idx] * self.free_at.shape[1] + leg
        order = np.argsort(key, kind="stable")            # groups of one world and leg, in call order
        first = np.r_[True, key[order][1:] != key[order][:-1]]
        start_of_group = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
        rank = np.empty(order.size, int)
        rank[order] = np.arange(order.size) - start_of_group
        flat = self.free_at.reshape(-1)
        t0 = np.asarray(t0, float)
        for k in range(int(rank.max()) + 1):              # one unit per (world, leg) at a time
            sel = idx[rank == k]
            kk = key[rank == k]
            begin = np.maximum(t0[sel], flat[kk])
            wait[sel] = begin - t0[sel]
            flat[kk] = begin + load[sel]
        return wait, load


def advance_km(c: Compiled, w: World, unit: int, t: float) -> np.ndarray:
    """``(R,)`` km: farthest straight-line distance of ``unit`` from its start place by hour
    ``t`` (see the module docstring)."""
    d_from_start = c.place_km[c.unit_start[unit]]               # (P,)
    far = np.where(w.visited[:, unit, :], d_from_start[None, :], 0.0).max(axis=1)
    leg = w.extra.get("leg_times")
    moving = (w.mode[:, unit] == MOVING) & (w.leg_to[:, unit] >= 0)
    if leg is not None and moving.any():
        rr = np.flatnonzero(moving)
        t0, t1 = leg[0, rr, unit], leg[1, rr, unit]
        f = np.clip((t - t0) / np.maximum(t1 - t0, 1e-9), 0.0, 1.0)
        a, b = c.xy[w.loc[rr, unit]], c.xy[w.leg_to[rr, unit]]
        point = a + f[:, None] * (b - a)
        far[rr] = np.maximum(far[rr], np.hypot(*(point - c.xy[c.unit_start[unit]]).T))
    return far


def track_advance(env, c: Compiled, w: World, end_hour: float):
    """SimPy process: sample :func:`advance_km` for ``c.advance_targets`` at hour 24 d into
    ``w.extra["advance_km"]`` (``(R, n_targets)``; days at or after ``end_hour`` are taken at
    the end, by :func:`finish_advance`)."""
    out = w.extra["advance_km"] = np.full((w.R, len(c.advance_targets)), np.nan)
    for j in sorted(range(len(c.advance_targets)), key=lambda j: c.advance_targets[j][1]):
        unit, day = c.advance_targets[j]
        t = 24.0 * day
        if t >= end_hour:
            continue
        if t > env.now:
            yield env.timeout(t - env.now)
        out[:, j] = advance_km(c, w, unit, t)


def finish_advance(c: Compiled, w: World, end_hour: float) -> np.ndarray:
    """``(R, n_targets)`` advances, the days the run did not reach sampled at its end."""
    out = w.extra.get("advance_km")
    if out is None:
        out = np.full((w.R, len(c.advance_targets)), np.nan)
    for j, (unit, day) in enumerate(c.advance_targets):
        if 24.0 * day >= end_hour:
            out[:, j] = advance_km(c, w, unit, end_hour)
    return out
