"""Movement along the graph: legs between adjacent places, for all worlds at once.

A unit moves leg by leg. Leg time (hours) = km / (speed × road factor × terrain
mobility of the destination), times a lognormal delay in stochastic mode, plus
``river_crossing_hours`` on legs that cross the river. A unit that is at a
place holding enemy units halts there (it fights) and moves on once the place
is clear. Arriving does not take a place: control needs a force that stays
(:mod:`nomonhan_sim.model.control`), so an ``attack`` order is complete only when its
objective is its side's: until then the unit stands on it (consolidates). A leg into an enemy zone of control costs the
contact delay of :func:`~nomonhan_sim.model.control.contact_delay_hours`. Broken units
withdraw toward their side's rear by the shortest path through places whose enemy holder
does not hold or screen them; they stop to rally at the first place out of every enemy
zone of control (:mod:`nomonhan_sim.model.rally`); with no path they stay put.

Rail legs (``road = "rail"``, :mod:`nomonhan_sim.model.rail`) between two places the
unit's side holds: every unit moves at ``rail_speed_kmh`` (no road factor, terrain
mobility, night slowing or fuel stop), after waiting for the line and entraining at its
``rail_capacity_men_per_day``; the lognormal delay applies to the running time only. Into
or out of a place its side does not hold, a unit marches along the railway as on a track.

One SimPy process handles all arrivals of all units in all worlds, using
:class:`~nomonhan_sim.engine.clock.WorldClock` for the per-world times.
"""

from __future__ import annotations

import numpy as np
import simpy

from ..engine.clock import WorldClock
from ..engine.compiled import RAIL, TASK, Compiled
from ..engine.state import HALTED, IDLE, MOVING, OUT, World
from ..engine.eventlog import EventLog
from ..engine.network import next_hop_toward
from . import control, daylight, rail, rally
from .control import presence, standing  # noqa: F401 (re-exported: callers import them from here)
from .orders import order_tables
from .qjm_tables import terrain_factors


def _pairs(worlds: np.ndarray, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.nonzero`` of an ``(R, U)`` mask that is ``sub`` on the rows ``worlds`` and false
    elsewhere: ``(r, u)`` in the same (row-major) order."""
    i, u = np.nonzero(sub)
    return worlds[i], u


class Movement:
    """The SimPy process that moves every unit of every world leg by leg (see the
    module docstring); ``resolution`` is its time grid in hours."""

    def __init__(self, env: simpy.Environment, c: Compiled, w: World, rng, stochastic: bool,
                 log: EventLog, resolution: float):
        self.env, self.c, self.w, self.rng, self.stochastic, self.log = env, c, w, rng, stochastic, log
        self.clock = WorldClock(env, (w.R, c.U), resolution)
        p = w.params
        # speed multiplier per road class index (road, track, cross_country, rail)
        self.terrain_mobility = terrain_factors(c.terrain)[0]  # (P,) r_m
        # (rail: a placeholder, rail legs run at rail_speed_kmh)
        self.road_factor = np.stack([p["road_factor_road"], np.ones(w.R), p["road_factor_cross_country"],
                                     np.ones(w.R)], 1)
        self._orders = order_tables(c)
        self._distances: dict = {}  # next_hop_toward's cache of distances to the rear
        self.has_rail = bool((c.road_class == RAIL).any())
        self.rail_queue = rail.RailQueue(c, w.R) if self.has_rail else None
        self.proc = env.process(self._run())
        if c.advance_targets:  # only when [[compare]] names an advance_km outcome
            env.process(rail.track_advance(env, c, w, c.scenario.model.engine.duration_hours))

    # -- the process ---------------------------------------------------------
    def _run(self):
        w, _c = self.w, self.c
        while True:
            due, times = yield from self.clock.next_due()
            due &= w.mode == MOVING
            if not due.any():
                continue
            w.loc[due] = w.leg_to[due]
            w.leg_to[due] = -1
            w.mode[due] = IDLE
            r, u = np.nonzero(due)
            w.visited[r, u, w.loc[r, u]] = True
            self.log.add_mask(times, due, "arrived", w.loc)
            self.plan(due, times)

    # -- planning ------------------------------------------------------------
    def plan(self, mask: np.ndarray, t0) -> None:
        """Decide the next leg for the units in ``mask`` (``(R, U)``), starting at ``t0``.

        ``t0`` is a scalar hour or an ``(R, U)`` array of hours.
        """
        w, _c = self.w, self.c
        mask = mask & (w.mode != OUT) & (w.mode != MOVING)
        worlds = np.nonzero(mask.any(axis=1))[0]
        if worlds.size == 0:
            return
        t0 = np.broadcast_to(np.asarray(t0, float), mask.shape)
        # one snapshot of who stands where for the whole call, so that the legs planned do
        # not depend on the order in which units are planned; only the worlds planned in
        # are counted (the other rows of the snapshot are 0 and never read)
        self._pres, self._men = standing(_c, w, worlds)
        self._zoc = np.zeros(self._pres.shape, bool)
        self._zoc[worlds] = control.zone_of_control(_c, self._pres[worlds])
        sub = mask[worlds]
        broken = w.broken[worlds]
        self._plan_withdrawal(_pairs(worlds, sub & broken), t0)
        self._plan_orders(_pairs(worlds, sub & ~broken), t0)

    def _plan_withdrawal(self, pairs, t0):
        """Broken units ``pairs = (r, u)``: stop to rally out of enemy zones of control, else
        fall back one leg."""
        w, c = self.w, self.c
        r, u = pairs
        if r.size == 0:
            return
        rest = rally.can_rest_at(c, w, r, u, self._zoc)
        rally.start_rest_at(w, r[rest], u[rest], t0[r[rest], u[rest]])
        r, u = r[~rest], u[~rest]
        if r.size == 0:
            return
        side = c.unit_side[u]
        here = w.loc[r, u]
        nxt = np.full(r.size, -1)
        worlds, row = np.unique(r, return_inverse=True)
        passable = control.passable_for(c, w, self._pres, self._zoc, self._men, rows=worlds)
        for s in range(c.S):
            sel = side == s
            if sel.any():
                nxt[sel] = next_hop_toward(c.km, here[sel], int(c.rear[s]), passable[row[sel], s],
                                           self._distances)
        at_rear = nxt == here
        if at_rear.any():
            w.mode[r[at_rear], u[at_rear]] = OUT
            self.log.add(t0[r[at_rear], u[at_rear]], r[at_rear], u[at_rear], "withdrawn", here[at_rear])
        go = (nxt >= 0) & ~at_rear
        self._start_legs(r[go], u[go], nxt[go], t0[r[go], u[go]])

    def _plan_orders(self, pairs, t0):
        """Units ``pairs = (r, u)`` with an order: skip the waypoints reached, then halt (enemy here), stand
        (order done, or consolidating an attack) or set off toward the next waypoint.

        All units at once, in the order unit, order, world (that of the event log and of
        the march-delay draws)."""
        w, c, tab = self.w, self.c, self._orders
        r, u = pairs
        k = w.order_idx[r, u]
        keep = k >= 0
        r, u, k = r[keep], u[keep], k[keep]
        task = tab["task"][u, k]
        keep = task != TASK["pause"]  # stays put; complete after its hours (model.orders)
        r, u, k, task = r[keep], u[keep], k[keep], task[keep]
        turn = np.lexsort((r, k, u))
        r, u, k, task = r[turn], u[turn], k[turn], task[turn]
        n = tab["n_wps"][u, k]
        empty = n == 0
        w.order_done[r[empty], u[empty]] = True
        keep = ~empty
        r, u, k, task, n = r[keep], u[keep], k[keep], task[keep], n[keep]
        if r.size == 0:
            return
        wps = tab["wps"][u, k]                         # (n, W) waypoints of each unit's order
        side = c.unit_side[u]
        here = w.loc[r, u]
        pos = w.path_pos[r, u]
        row = np.arange(r.size)
        for _ in range(wps.shape[1]):  # skip waypoints already reached
            at = wps[row, np.minimum(pos, n - 1)]
            pos = pos + ((pos < n) & (at == here))
        w.path_pos[r, u] = pos
        done = pos >= n
        target = wps[row, np.minimum(pos, n - 1)]
        nxt = c.next_hop[here, target]
        done |= nxt < 0
        objective = wps[row, n - 1]
        # an attack is done when the objective is taken: until then its units stand on it
        consolidating = (task == TASK["attack"]) & (pos >= n) & (w.control[r, objective] != side)
        done &= ~consolidating
        w.order_done[r[done], u[done]] = True
        out = done & (task == TASK["withdraw"]) & (here == c.rear[side])
        w.mode[r[out], u[out]] = OUT
        self.log.add(t0[r[out], u[out]], r[out], u[out], "withdrawn", w.loc[r[out], u[out]])
        go = ~done & ~consolidating
        disengage = (task == TASK["withdraw"]) | (task == TASK["pull_back"])  # they do not halt to fight
        blocked = self._pres[r, 1 - side, here] > 0  # an enemy unit stands here
        halt = go & blocked & ~disengage
        w.mode[r[halt], u[halt]] = HALTED
        go &= ~halt
        self._start_legs(r[go], u[go], nxt[go], t0[r[go], u[go]])

    def _start_legs(self, r, u, nxt, t0) -> None:
        if r.size == 0:
            return
        w, c = self.w, self.c
        fuel = w.extra.get("speed_factor")
        on_rail = None
        if self.has_rail:  # trains run only between places the unit's side holds (model.rail)
            here0, side = w.loc[r, u], c.unit_side[u]
            on_rail = ((c.road_class[here0, nxt] == RAIL) & (w.control[r, here0] == side)
                       & (w.control[r, nxt] == side))
        if fuel is not None:  # out of fuel: stay put, the battle step retries every step
            f = fuel[r, u]
            keep = f > 0
            if on_rail is not None:
                keep |= on_rail  # trains do not burn the unit's fuel
                on_rail = on_rail[keep]
            w.mode[r[~keep], u[~keep]] = IDLE
            r, u, nxt, t0, f = r[keep], u[keep], nxt[keep], np.asarray(t0)[keep], f[keep]
            if r.size == 0:
                return
        here = w.loc[r, u]
        speed = w.speed[r, u] * self.road_factor[r, c.road_class[here, nxt]] * self.terrain_mobility[nxt]
        if fuel is not None:
            speed = speed * f
        if on_rail is not None:
            speed = np.where(on_rail, w.params["rail_speed_kmh"][r], speed)
        hours = c.km[here, nxt] / speed
        if self.stochastic:
            sigma = w.params["march_delay_sigma"][r]
            hours = hours * np.exp(self.rng.normal(0.0, 1.0, r.size) * sigma)
        if on_rail is not None:
            t0a = np.broadcast_to(np.asarray(t0, float), r.shape)
            day = daylight.leg_hours(c, w.params, r, u, t0a, hours)
            wait, load = self.rail_queue.depart(c, r[on_rail], here[on_rail], nxt[on_rail],
                                                w.pers[r[on_rail], u[on_rail]], t0a[on_rail])
            hours = np.where(on_rail, hours, day)
            hours[on_rail] += wait + load
        else:
            hours = daylight.leg_hours(c, w.params, r, u, np.asarray(t0, float), hours)
        hours = hours + np.where(c.crossing[here, nxt], w.params["river_crossing_hours"][r], 0.0)
        hours = hours + control.contact_delay_hours(c, w, r, u, nxt, self._zoc)
        w.leg_to[r, u] = nxt
        w.mode[r, u] = MOVING
        leg = w.extra.get("leg_times")  # (start, arrival) hours
        if leg is None:
            leg = w.extra["leg_times"] = np.full((2, w.R, c.U), np.nan)
        leg[0, r, u] = t0
        leg[1, r, u] = t0 + hours
        self.clock.schedule_at((r, u), t0 + hours)
