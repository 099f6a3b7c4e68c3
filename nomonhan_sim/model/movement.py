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

One SimPy process handles all arrivals of all units in all worlds, using
:class:`~nomonhan_sim.engine.clock.WorldClock` for the per-world times.
"""

from __future__ import annotations

import numpy as np
import simpy

from ..engine.clock import WorldClock
from ..engine.compiled import TASK, Compiled
from ..engine.state import HALTED, IDLE, MOVING, OUT, World
from ..engine.eventlog import EventLog
from ..engine.network import next_hop_toward
from . import control, daylight, rally
from .qjm_tables import terrain_factors


def presence(c: Compiled, w: World) -> np.ndarray:
    """``(R, S, P)`` count of active units standing (not moving) at each place."""
    stand = w.active & (w.mode != MOVING)
    idx = (np.arange(w.R)[:, None] * c.S + c.unit_side[None, :]) * c.P + w.loc
    return np.bincount(idx[stand], minlength=w.R * c.S * c.P).reshape(w.R, c.S, c.P).astype(float)


def enemy_present_at_unit(c: Compiled, w: World, pres: np.ndarray) -> np.ndarray:
    """``(R, U)`` bool: an enemy unit stands at the unit's place."""
    enemy_side = 1 - c.unit_side  # two sides
    r = np.arange(w.R)[:, None]
    return pres[r, enemy_side[None, :], w.loc] > 0


class Movement:
    """The SimPy process that moves every unit of every world leg by leg (see the
    module docstring); ``resolution`` is its time grid in hours."""

    def __init__(self, env: simpy.Environment, c: Compiled, w: World, rng, stochastic: bool,
                 log: EventLog, resolution: float):
        self.env, self.c, self.w, self.rng, self.stochastic, self.log = env, c, w, rng, stochastic, log
        self.clock = WorldClock(env, (w.R, c.U), resolution)
        p = w.params
        # speed multiplier per road class index (road, track, cross_country)
        self.terrain_mobility = terrain_factors(c.terrain)[0]  # (P,) r_m
        self.road_factor = np.stack([p["road_factor_road"], np.ones(w.R), p["road_factor_cross_country"]], 1)
        self.proc = env.process(self._run())

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
        if not mask.any():
            return
        t0 = np.broadcast_to(np.asarray(t0, float), mask.shape)
        # one snapshot of who stands where for the whole call, so that the legs planned do
        # not depend on the order in which units are planned
        self._pres = presence(_c, w)
        self._zoc = control.zone_of_control(_c, self._pres)
        self._plan_withdrawal(mask & w.broken, t0)
        self._plan_orders(mask & ~w.broken, t0)

    def _plan_withdrawal(self, mask, t0):
        """Broken units: stop to rally out of enemy zones of control, else fall back one leg."""
        w, c = self.w, self.c
        if not mask.any():
            return
        pres = self._pres
        resting = mask & rally.can_rest_here(c, w, pres, self._zoc)
        rally.start_rest(w, resting, t0)
        mask = mask & ~resting
        if not mask.any():
            return
        r, u = np.nonzero(mask)
        side = c.unit_side[u]
        here = w.loc[r, u]
        nxt = np.full(r.size, -1)
        passable = control.passable_for(c, w, pres, self._zoc)
        for s in range(c.S):
            sel = side == s
            if sel.any():
                nxt[sel] = next_hop_toward(c.km, here[sel], int(c.rear[s]), passable[r[sel], s])
        at_rear = nxt == here
        if at_rear.any():
            w.mode[r[at_rear], u[at_rear]] = OUT
            self.log.add(t0[r[at_rear], u[at_rear]], r[at_rear], u[at_rear], "withdrawn", here[at_rear])
        go = (nxt >= 0) & ~at_rear
        self._start_legs(r[go], u[go], nxt[go], t0[r[go], u[go]])

    def _plan_orders(self, mask, t0):
        w, c = self.w, self.c
        pres = self._pres
        blocked = enemy_present_at_unit(c, w, pres)
        for ui in np.nonzero(mask.any(axis=0))[0]:
            col = mask[:, ui]
            ks = w.order_idx[col, ui]
            for k in ((ks[0],) if (ks == ks[0]).all() else np.unique(ks)):  # usually one order
                rows = np.nonzero(col & (w.order_idx[:, ui] == k))[0]
                if k < 0:
                    continue
                order = c.orders[ui][k]
                if order.task == TASK["pause"]:  # stays put; complete after its hours (model.orders)
                    continue
                if order.task == TASK["withdraw"]:
                    wps = np.array([c.rear[c.unit_side[ui]]])
                else:
                    wps = np.array(order.waypoints, dtype=int)
                if wps.size == 0:
                    w.order_done[rows, ui] = True
                    continue
                here = w.loc[rows, ui]
                pos = w.path_pos[rows, ui]
                for _ in range(wps.size):  # skip waypoints already reached
                    reached = (pos < wps.size) & (wps[np.minimum(pos, wps.size - 1)] == here)
                    pos = pos + reached
                w.path_pos[rows, ui] = pos
                done = pos >= wps.size
                target = wps[np.minimum(pos, wps.size - 1)]
                nxt = c.next_hop[here, target]
                done |= nxt < 0
                consolidating = np.zeros(rows.size, bool)
                if order.task == TASK["attack"]:  # an attack is done when the objective is taken
                    taken = w.control[rows, wps[-1]] == c.unit_side[ui]
                    consolidating = (pos >= wps.size) & ~taken
                    done &= ~consolidating
                w.order_done[rows[done], ui] = True
                if order.task == TASK["withdraw"]:
                    out = rows[done & (here == c.rear[c.unit_side[ui]])]
                    w.mode[out, ui] = OUT
                    self.log.add(t0[out, ui], out, ui, "withdrawn", w.loc[out, ui])
                go = ~done & ~consolidating  # consolidating units stand on the objective until it is theirs
                disengage = order.task in (TASK["withdraw"], TASK["pull_back"])  # they do not halt to fight
                halt = go & blocked[rows, ui] & (not disengage)
                w.mode[rows[halt], ui] = HALTED
                go &= ~halt
                g = rows[go]
                if g.size:
                    self._start_legs(g, np.full(g.size, ui), nxt[go], t0[g, ui])

    def _start_legs(self, r, u, nxt, t0) -> None:
        if r.size == 0:
            return
        w, c = self.w, self.c
        fuel = w.extra.get("speed_factor")
        if fuel is not None:  # out of fuel: stay put, the battle step retries every step
            f = fuel[r, u]
            keep = f > 0
            w.mode[r[~keep], u[~keep]] = IDLE
            r, u, nxt, t0, f = r[keep], u[keep], nxt[keep], np.asarray(t0)[keep], f[keep]
            if r.size == 0:
                return
        here = w.loc[r, u]
        speed = w.speed[r, u] * self.road_factor[r, c.road_class[here, nxt]] * self.terrain_mobility[nxt]
        if fuel is not None:
            speed = speed * f
        hours = c.km[here, nxt] / speed
        if self.stochastic:
            sigma = w.params["march_delay_sigma"][r]
            hours = hours * np.exp(self.rng.normal(0.0, 1.0, r.size) * sigma)
        hours = daylight.leg_hours(c, w.params, r, u, np.asarray(t0, float), hours)
        hours = hours + np.where(c.crossing[here, nxt], w.params["river_crossing_hours"][r], 0.0)
        hours = hours + control.contact_delay_hours(c, w, r, u, nxt, self._zoc)
        w.leg_to[r, u] = nxt
        w.mode[r, u] = MOVING
        leg = w.extra.setdefault("leg_times", np.full((2, w.R, c.U), np.nan))  # (start, arrival) hours
        leg[0, r, u] = t0
        leg[1, r, u] = t0 + hours
        m = np.zeros_like(self.clock.due, dtype=bool)
        m[r, u] = True
        due = np.zeros_like(self.clock.due)
        due[r, u] = t0 + hours
        self.clock.schedule(m, due)
