"""Supply: truck columns from railheads to depots, issue to units, consumption, shortage.

Tons (t) throughout; hours for times; consumption given in t per 1,000 men per
day. All state is batched over the R worlds:

* ``depot`` stock ``(R, D, 4)`` for the classes ammunition, fuel, food_water, other;
* each fleet's columns ``(R, C)``: trucks running, trucks under repair, cargo ``(R, C, 4)``;
* each unit's stock ``(R, U, 4)`` and its capacity (its basic load).

Processes: one per fleet (the column cycle: load → drive loaded → unload →
drive back, per-world times through :class:`WorldClock`), and one hourly
``logistics`` process (consumption by activity, issue from the nearest depot the
unit can reach through places the enemy does not hold, interdiction, the stock
timeline). Accounting per world: loaded = delivered + in transit + lost.

Effects (read by combat, movement and breakpoints): firepower × the QJM
ammunition-supply factor of the unit's ammunition stock share; motorised speed
falls linearly from 1 at ``fuel_slow_share`` of a full load to 0 at
``fuel_halt_share``; every day without food and water lowers the unit's
breakpoint by ``hunger_breakpoint_loss_per_day`` (relative, at most halving it).
"""

from __future__ import annotations

import numpy as np
import simpy

from .convoys import make_fleet, run_fleet
from ..engine.compiled import Compiled
from ..engine.state import MOVING, OUT, World
from ..engine.eventlog import EventLog
from .control import passable_for
from .movement import standing
from ..engine.network import ComponentCache, NearestTarget, ReachCache, reachable
from .qjm_tables import ammunition_factor
from ..scenario import quantity as qty
from ..scenario.logistics import SUPPLY_CLASSES

AMMO, FUEL, FOOD, OTHER = range(4)
MOTORISED = {"tank", "motor_rifle", "motor_armoured", "reconnaissance"}
SHORT_SHARE = 0.2  # "short" of a class: below 20 % of the basic load (QJM firepower factor <= 0.65)
TIMELINE_STEP = 6.0  # hours between stock-timeline samples
FEW_DEPOTS = 2  # up to this many depots (a side's, or used in a step): one pass per depot (as quick)


def _as_slice(idx: np.ndarray) -> np.ndarray | slice:
    """``idx`` (sorted unit indices) as a slice when it is a run of consecutive indices
    (views instead of copies), else itself."""
    if idx.size and idx[-1] - idx[0] + 1 == idx.size:
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def _sum_over_units(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=1)`` of an ``(R, n, 4)`` array, unit after unit: the order in which numpy
    adds along that axis (so the same bits), without its slow inner loop of length 4.

    The units are moved to the front of a contiguous copy, whose sum over the first axis
    numpy adds row after row (pairwise summation applies only along the last axis)."""
    R, n, k = x.shape
    return np.ascontiguousarray(x.transpose(1, 0, 2)).reshape(n, R * k).sum(axis=0).reshape(R, k)


class Supply:
    """Batched logistics for one run; attach with ``Supply(env, c, w, rng, ...)``."""

    def __init__(self, env: simpy.Environment, c: Compiled, w: World, rng: np.random.Generator,
                 stochastic: bool, log: EventLog, t_start: float):
        lg = c.scenario.model.logistics
        self.env, self.c, self.w, self.rng, self.stochastic, self.log = env, c, w, rng, stochastic, log
        R, U, D = w.R, c.U, len(lg.depots)
        self.R, self.D = R, D
        draw = w.extra["draw"]  # named input streams (common random numbers across variants)
        side_idx = {s: i for i, s in enumerate(c.side_ids)}
        place_idx = {p: i for i, p in enumerate(c.place_ids)}
        self.depot_ids = tuple(d.id for d in lg.depots)
        self.depot_side = np.array([side_idx[d.side] for d in lg.depots])
        self.depot_place = np.array([place_idx[d.place] for d in lg.depots])
        self.railhead = np.array([d.kind == "railhead" for d in lg.depots])
        self.stock = np.zeros((R, D, 4))
        for i, d in enumerate(lg.depots):
            for k, cls in enumerate(SUPPLY_CLASSES):
                if cls in d.stock:
                    self.stock[:, i, k] = draw(f"depot:{d.id}.{cls}", d.stock[cls])
        self.issue_per_h = np.stack([
            draw(f"depot:{d.id}.issue_tons_per_day", d.issue_tons_per_day) / 24.0
            if d.issue_tons_per_day is not None else np.full(R, np.inf)
            for d in lg.depots], axis=1)

        # consumption rates, t per man per hour, by activity: (3, U, 4)
        self.rate = np.zeros((3, U, 4))
        basic_days = np.zeros((R, U))
        rows = {t: row for row in lg.consumption for t in row.unit_types}
        row_no = {id(row): i for i, row in enumerate(lg.consumption)}
        for ui, u in enumerate(c.scenario.model.units):
            row = rows.get(u.type, rows.get("*"))
            for a, table in enumerate((row.combat, row.moving, row.idle)):
                for k, cls in enumerate(SUPPLY_CLASSES):
                    if cls in table:
                        self.rate[a, ui, k] = qty.nominal(table[cls]) / 1000.0 / 24.0
            basic_days[:, ui] = draw(f"consumption:{row_no[id(row)]}.basic_load_days", row.basic_load_days)
        self.motorised = np.array([u.type in MOTORISED for u in c.scenario.model.units])
        self.capacity = self.rate[0][None, :, :] * 24.0 * basic_days[:, :, None] * w.pers0[:, :, None]
        start_days = draw("logistics:unit_stock_days", lg.unit_stock_days)
        self.ustock = np.minimum(self.capacity, self.rate[0][None] * 24.0 * start_days[:, None, None] * w.pers0[:, :, None])

        self.loaded = np.zeros((R, 4))
        self.delivered = np.zeros((R, c.S, 4))
        self.lost = np.zeros((R, 4))
        self.destroyed = np.zeros((R, 4))
        self.issued = np.zeros((R, c.S, 4))
        self.short_hours = np.zeros((R, U, 2))     # ammunition, fuel
        self.short_from = np.full((R, U, 2), np.nan)  # first hour short, from H-hour on (_consume)
        self.hungry_hours = np.zeros((R, U))
        self.stock_at_h = np.full((R, c.S), np.nan)
        self.timeline_t: list[float] = []
        self.timeline: list[np.ndarray] = []        # each (R, S) tons in depots + units

        self.fleets = [make_fleet(self, f, side_idx, place_idx, draw, t_start) for f in lg.fleets]
        fleet_idx = {f.name: i for i, f in enumerate(self.fleets)}
        self.interdictions = []
        for x in lg.interdictions:
            self.interdictions.append(dict(kind=x.kind, at=x.at_hour, per_day=x.per_day,
                                           depot=self.depot_ids.index(x.depot) if x.depot else -1,
                                           fleet=fleet_idx.get(x.fleet, -1),
                                           share=draw(f"interdiction:{len(self.interdictions)}.share", x.share),
                                           hours=draw(f"interdiction:{len(self.interdictions)}.hours", x.hours),
                                           done=False))
        self._side_units = [_as_slice(np.nonzero(c.unit_side == s)[0]) for s in range(c.S)]
        self._side_depots = [np.nonzero((self.depot_side == s) & ~self.railhead)[0] for s in range(c.S)]
        self._depot_src = np.zeros((D, c.P), bool)
        self._depot_src[np.arange(D), self.depot_place] = True
        self._reach = [ReachCache(c.adj, self._depot_src[d]) for d in range(D)]  # per depot
        self._effects()
        for f in self.fleets:
            env.process(run_fleet(self, f))
        env.process(self._run_logistics(t_start))

    # -- hourly: consumption, issue, interdiction, timeline ------------------------------
    def _run_logistics(self, t_start: float):
        env, dt = self.env, 1.0
        next_sample = t_start
        while True:
            now = env.now
            self._interdict(now, dt)
            self._consume(dt)
            self._issue(dt)
            self._effects()
            if self.stock_at_h[0, 0] != self.stock_at_h[0, 0] and now >= 0:
                self.stock_at_h = self.side_stock()
            if now >= next_sample:
                self.timeline_t.append(now)
                self.timeline.append(self.side_stock())
                next_sample += TIMELINE_STEP
            yield env.timeout(dt)

    def side_stock(self) -> np.ndarray:
        """(R, S) tons held by each side in depots (not railheads) and units."""
        c, w = self.c, self.w
        out = np.zeros((self.R, c.S))
        for s in range(c.S):
            dep = (self.depot_side == s) & ~self.railhead
            out[:, s] = self.stock[:, dep, :].sum(axis=(1, 2))
            mine = (c.unit_side == s)[None, :] & (w.mode != OUT)
            out[:, s] += (self.ustock * mine[..., None]).sum(axis=(1, 2))
        return out

    def _activity(self) -> np.ndarray:
        """(R, U) activity index: 0 combat, 1 moving, 2 idle."""
        w = self.w
        in_combat = w.extra.get("in_combat", np.zeros_like(w.broken))
        return np.where(in_combat, 0, np.where(w.mode == MOVING, 1, 2))

    def _consume(self, dt: float) -> None:
        w = self.w
        act = self._activity()
        rate = np.take(self.rate.reshape(-1, 4), act * self.c.U + np.arange(self.c.U), axis=0)  # rate[act, u]: (R, U, 4)
        need = rate * w.pers[:, :, None] * dt * ((w.mode != OUT)[:, :, None])
        self.ustock = np.maximum(self.ustock - need, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(self.capacity > 0, self.ustock / self.capacity, 1.0)
        alive = (w.mode != OUT)
        short = np.stack([alive & (share[:, :, AMMO] < SHORT_SHARE),
                          alive & self.motorised[None, :] & (share[:, :, FUEL] < SHORT_SHARE)], axis=2)
        self.short_hours += dt * short
        self._first_short(short)
        hungry = alive & (self.capacity[:, :, FOOD] > 0) & (self.ustock[:, :, FOOD] <= 1e-9)
        self.hungry_hours = np.where(hungry, self.hungry_hours + dt, np.maximum(self.hungry_hours - dt, 0.0))

    def _first_short(self, short: np.ndarray) -> None:
        """Record in ``short_from`` (R, U, 2) the hour of the step (``env.now``, hours after
        H-hour) in which each unit is first short of ammunition / fuel: the step's consumption
        leaves it alive below ``SHORT_SHARE`` of its basic load (fuel: motorised units only),
        the test ``short_hours`` counts. Only from H-hour on: the clock reads below 0 during a
        supply build-up (``buildup_start``), whose shortages ``short_hours`` counts but this
        does not. NaN while never short."""
        now = self.env.now
        if now >= 0:
            first = short & np.isnan(self.short_from)
            self.short_from[first] = now

    def _issue(self, dt: float) -> None:
        """Units draw up to their basic load from the nearest depot they can reach."""
        c, w = self.c, self.w
        demand = np.maximum(self.capacity - self.ustock, 0.0) * (w.mode != OUT)[:, :, None]
        pres, men = standing(c, w)
        lines = passable_for(c, w, pres, men=men)
        for s in range(c.S):
            # as for encirclement: places no enemy force holds or screens, or where own units stand
            passable = lines[:, s, :]
            units = self._side_units[s]  # a side draws only from its own depots
            loc = w.loc[:, units]
            best = self._nearest_depot(s, passable, loc)
            used = np.nonzero(np.bincount(best[best >= 0], minlength=self.D))[0]
            beyond = self._beyond_limited_routes(passable, best, used, loc)
            side_demand = demand[:, units, :]
            if beyond is None and used.size > FEW_DEPOTS:
                self._issue_side(s, units, best, used, side_demand, dt)
                continue
            for d in used:
                # demand and stock >= 0, so leaving out the other side's units (who draw
                # nothing here) leaves every sum below exactly as it was
                take = (best == d)[:, :, None] * side_demand                  # (R, Us, 4)
                want = _sum_over_units(take)                                  # (R, 4)
                cap = self.issue_per_h[:, d][:, None] * dt
                limit = np.where(np.isfinite(cap), np.where(np.isfinite(cap), cap, 0.0) * self._class_share(want), np.inf)
                avail = np.minimum(self.stock[:, d, :], limit)
                with np.errstate(divide="ignore", invalid="ignore"):
                    frac = np.where(want > 0, np.minimum(1.0, avail / want), 0.0)
                got = take * frac[:, None, :]
                if beyond is not None:  # capacity-limited routes (river crossings) cap what passes them
                    past = np.zeros((self.R, c.U), bool)
                    past[:, units] = beyond[d]
                    full = np.zeros((self.R, c.U, 4))
                    full[:, units] = got
                    through = (full * past[:, :, None]).sum(axis=(1, 2))          # (R,), over all units
                    room = self.route_cap_per_h * dt
                    scale = np.where(through > room, room / np.maximum(through, 1e-12), 1.0)
                    got = np.where(beyond[d][:, :, None], got * scale[:, None, None], got)
                self.ustock[:, units] += got
                issued = _sum_over_units(got)
                self.stock[:, d, :] -= issued
                self.issued[:, s, :] += issued

    def _nearest_depot(self, s: int, passable: np.ndarray, loc: np.ndarray) -> np.ndarray:
        """``(R, Us)`` the depot (index, -1: none) each unit of side ``s`` (at ``loc``) draws from:
        of the side's depots (not railheads) it can reach through ``passable`` places, the
        nearest by km, ties to the lowest index. The depot's own place must be passable too: a
        depot the enemy holds (and stands on or screens) issues nothing. One component
        labelling per side and step, not a reachability per depot (but for a few depots)."""
        ds = self._side_depots[s]
        if ds.size <= FEW_DEPOTS:
            best, best_km = np.full(loc.shape, -1), np.full(loc.shape, np.inf)
            for d in ds:
                ok = np.take_along_axis(self._reach[d](passable), loc, axis=1)
                km = self._km_to(self.depot_place[d])[loc]
                better = ok & (km < best_km)
                best, best_km = np.where(better, d, best), np.where(better, km, best_km)
            return best
        if not hasattr(self, "_near"):
            self._comp = [ComponentCache(self.c.adj) for _ in range(self.c.S)]
            self._near = [NearestTarget(self.depot_place[ds], self.c.path_km[:, self.depot_place[ds]])
                          for ds in self._side_depots]
        pick = self._near[s](self._comp[s](passable), loc)
        return np.where(pick >= 0, self._side_depots[s][np.maximum(pick, 0)], -1)

    def _issue_side(self, s: int, units, best: np.ndarray, used: np.ndarray, side_demand: np.ndarray,
                    dt: float) -> None:
        """The issue of side ``s`` when no route limits capacity: the same sums, in the same
        order (unit after unit, then depot after depot), as one pass over all depots
        instead of one over the units per depot (bincount adds in its input order)."""
        R, D = self.R, self.D
        bi = np.where(best >= 0, best, D)                                     # (R, Us); D: none
        idx = ((bi * R + np.arange(R)[:, None])[:, :, None] * 4 + np.arange(4)).ravel()
        n = (D + 1) * R * 4
        want_all = np.bincount(idx, weights=side_demand.ravel(), minlength=n).reshape(D + 1, R, 4)
        frac_all = np.zeros((D + 1, R, 4))
        for d in used:
            want = want_all[d]
            cap = self.issue_per_h[:, d][:, None] * dt
            limit = np.where(np.isfinite(cap), np.where(np.isfinite(cap), cap, 0.0) * self._class_share(want), np.inf)
            avail = np.minimum(self.stock[:, d, :], limit)
            with np.errstate(divide="ignore", invalid="ignore"):
                frac_all[d] = np.where(want > 0, np.minimum(1.0, avail / want), 0.0)
        got = side_demand * frac_all[bi, np.arange(R)[:, None]]                 # (R, Us, 4)
        self.ustock[:, units] += got
        issued_all = np.bincount(idx, weights=got.ravel(), minlength=n).reshape(D + 1, R, 4)
        for d in used:
            self.stock[:, d, :] -= issued_all[d]
            self.issued[:, s, :] += issued_all[d]

    def _beyond_limited_routes(self, passable: np.ndarray, best: np.ndarray, used: np.ndarray,
                               loc: np.ndarray):
        """Per depot in ``used``, ``(R, Us)`` units (of ``best`` and ``loc``, one side's) that can
        be reached only over capacity-limited routes.

        The capacity of all such routes (tons/day, summed) is shared by the units beyond
        them; ``None`` when the scenario limits no route.
        """
        c = self.c
        limited = np.isfinite(c.capacity)
        if not limited.any():
            return None
        if not hasattr(self, "route_cap_per_h"):
            self.route_cap_per_h = np.triu(np.where(limited, c.capacity, 0.0)).sum() / 24.0
        adj_free = c.adj & ~limited
        out = {}
        for d in used:
            src = self._depot_src[d]
            near = np.take_along_axis(reachable(adj_free, src, passable), loc, axis=1)
            out[d] = (best == d) & ~near
        return out

    @staticmethod
    def _class_share(want: np.ndarray) -> np.ndarray:
        tot = want.sum(axis=1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(tot > 0, want / tot, 0.0)

    def _km_to(self, place: int) -> np.ndarray:
        return self.c.path_km[:, place]

    def _interdict(self, now: float, dt: float) -> None:
        for x in self.interdictions:
            if x["at"] is not None:
                if x["done"] or now + 1e-9 < x["at"]:
                    continue
                x["done"] = True
                hit = np.ones(self.R, bool)
            else:
                lam = x["per_day"] * dt / 24.0
                hit = (self.rng.random(self.R) < -np.expm1(-lam)) if self.stochastic else np.zeros(self.R, bool)
            if not hit.any():
                continue
            if x["kind"] == "destroy_stock":
                gone = self.stock[:, x["depot"], :] * (x["share"] * hit)[:, None]
                self.stock[:, x["depot"], :] -= gone
                self.destroyed += gone
            else:
                f = self.fleets[x["fleet"]]
                f.cut_until = np.where(hit, np.maximum(f.cut_until, now + x["hours"]), f.cut_until)

    # -- effects read by the rest of the engine --------------------------------------------
    def _effects(self) -> None:
        w, p = self.w, self.w.params
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(self.capacity > 0, self.ustock / self.capacity, 1.0)
        w.extra["firepower_factor"] = ammunition_factor(share[:, :, AMMO])
        slow, halt = p["fuel_slow_share"][:, None], p["fuel_halt_share"][:, None]
        fuel = np.clip((share[:, :, FUEL] - halt) / np.maximum(slow - halt, 1e-9), 0.0, 1.0)
        w.extra["speed_factor"] = np.where(self.motorised[None, :], fuel, 1.0)
        days = self.hungry_hours / 24.0
        w.extra["cohesion_factor"] = np.maximum(0.5, 1.0 - days * p["hunger_breakpoint_loss_per_day"][:, None])

    def in_transit(self) -> np.ndarray:
        """(R, 4) tons on trucks now."""
        return sum((f.cargo.sum(axis=1) for f in self.fleets), np.zeros((self.R, 4)))
