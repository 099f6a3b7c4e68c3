"""Run one batch of R replicate worlds in one SimPy environment.

Processes (per activity, each acting on all worlds at once):

* ``movement`` — arrivals at places (per-world times via ``WorldClock``);
* ``battle`` — every combat step: control and encirclement, combat,
  breakpoints and pockets, triggers of new orders, the ring/resistance clocks.

Randomness: one ``numpy.random.Generator`` per batch, split into independent
streams for the inputs (parameter and unit draws) and for the dynamics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import simpy

from .engine.clock import LateTimeout
from .engine.compiled import Compiled
from .engine.eventlog import EventLog
from .engine.state import MOVING, OUT, World, draw_world
from .model import combat
from .model import control, phases, pockets, rally, replacements
from .model.encirclement import encircled_units
from .model.movement import Movement, presence, standing
from .model.orders import holding, ready_to_plan, start_due_orders
from .model.supply import Supply

#: Re-exported from :mod:`nomonhan_sim.model.rally` (a unit below it leaves the battle).
COMBAT_INEFFECTIVE_SHARE = rally.COMBAT_INEFFECTIVE_SHARE


@dataclass
class BatchResult:
    """A simulated batch: the compiled scenario, the final world state of its R worlds,
    the event log, the simulated span (``hours``) and, if asked for, a :class:`Trace`."""

    compiled: Compiled
    world: World
    log: EventLog
    hours: float
    trace: "Trace | None" = None


@dataclass
class Trace:
    """Snapshots of some worlds at every combat step, for maps and timelines.

    ``t`` hours ``(T,)``; per snapshot, for the traced worlds ``(n, ...)``: ``loc``,
    ``leg_to``, ``progress`` (share of the current leg done, 0 when standing),
    ``mode``, ``pers``, ``equip`` ``(n, U, K)``, ``encircled``, ``broken``,
    ``control`` ``(n, P)``.
    """

    worlds: np.ndarray
    t: list = field(default_factory=list)
    snaps: dict = field(default_factory=dict)

    def record(self, now: float, w: World) -> None:
        """Snapshot the traced worlds of ``w`` at simulated hour ``now``."""
        k = self.worlds
        leg = w.extra.get("leg_times")
        if leg is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                prog = np.clip((now - leg[0][k]) / (leg[1][k] - leg[0][k]), 0.0, 1.0)
            prog = np.where(w.mode[k] == MOVING, np.nan_to_num(prog), 0.0)
        else:
            prog = np.zeros((k.size, w.loc.shape[1]))
        self.t.append(now)
        for name, value in (("loc", w.loc[k]), ("leg_to", w.leg_to[k]), ("progress", prog),
                            ("mode", w.mode[k]), ("pers", w.pers[k]), ("equip", w.equip[k]),
                            ("encircled", w.encircled[k]), ("broken", w.broken[k]),
                            ("control", w.control[k])):
            self.snaps.setdefault(name, []).append(value.copy())

    def array(self, name: str) -> np.ndarray:
        """``(T, n, ...)`` array of one recorded variable."""
        return np.stack(self.snaps[name], axis=0)


def run_batch(c: Compiled, R: int, seed_seq: np.random.SeedSequence,
              log_events: bool = False, stochastic: bool | None = None,
              trace_worlds: list[int] | None = None,
              progress: Callable[[float], None] | None = None) -> BatchResult:
    """Simulate ``R`` worlds to the end of the scenario; returns the final state.

    ``trace_worlds``: indices of worlds to snapshot at every combat step (for maps).
    ``progress``: called as the simulated clock advances with the share (0-1) of
    the batch's whole span (supply build-up included) done since the last call;
    the shares add up to 1. It observes only: outcomes are the same with or without it.
    """
    eng = c.scenario.model.engine
    stochastic = eng.stochastic if stochastic is None else stochastic
    input_ss, dyn_ss = seed_seq.spawn(2)
    w = draw_world(c, R, input_ss)
    rng = np.random.Generator(np.random.PCG64(dyn_ss))
    lg = c.scenario.model.logistics
    t_start = 0.0  # hour 0 is engine.start (H-hour); a supply build-up starts earlier
    if lg is not None and lg.buildup_start is not None:
        t_start = -(eng.start - lg.buildup_start).total_seconds() / 3600.0
    env = simpy.Environment(initial_time=t_start)
    log = EventLog(log_events)
    dt = eng.combat_step_hours
    supply = Supply(env, c, w, rng, stochastic, log, t_start) if lg is not None else None
    w.extra["supply"] = supply
    move = Movement(env, c, w, rng, stochastic, log, resolution=dt / 4.0)
    trace = Trace(np.asarray(trace_worlds, int)) if trace_worlds is not None else None
    env.process(_battle(env, c, w, move, log, dt, eng, rng if stochastic else None, t_start, trace))
    if progress is not None:
        env.process(_report_progress(env, t_start, eng.duration_hours, progress))
    env.run(until=eng.duration_hours)
    if progress is not None:
        progress(1.0 / PROGRESS_TICKS)
    return BatchResult(compiled=c, world=w, log=log, hours=eng.duration_hours, trace=trace)


#: Progress reports per batch (the clock is sampled this many times over the span).
PROGRESS_TICKS = 100


def _report_progress(env, t_start: float, t_end: float, progress: Callable[[float], None]):
    """Call ``progress`` with 1/PROGRESS_TICKS of the span [t_start, t_end] hours at each tick."""
    span = t_end - t_start
    step = span / PROGRESS_TICKS
    for _ in range(PROGRESS_TICKS - 1):  # the last share is reported when env.run returns
        yield env.timeout(step)
        progress(1.0 / PROGRESS_TICKS)


def _update_control(c: Compiled, w: World, now: float, pres: np.ndarray, men: np.ndarray,
                    log: EventLog) -> None:
    """Advance control by presence (:mod:`nomonhan_sim.model.control`) and log the captures.
    ``pres``, ``men``: :func:`~nomonhan_sim.model.movement.standing`."""
    changed = control.update_control(c, w, now, pres, men)
    for s, sid in enumerate(c.side_ids):
        r, p = np.nonzero(changed & (w.control == s))
        log.add(now, r, -1, "captured", p, c.scenario.model.sides[sid].name)


def _battle(env, c: Compiled, w: World, move: Movement, log: EventLog, dt, eng, rng, t_start: float = 0.0,
            trace: Trace | None = None):
    if t_start < 0:
        yield env.timeout(-t_start)  # the battle begins at H-hour, after the supply build-up
    front = c.unit_front
    front_men0 = (w.pers0 * front).sum(axis=1)
    rows = np.arange(w.R)[:, None]
    while True:
        now = env.now
        phases.record_phase_ends(c, w, now)  # losses so far, at each [[phases]] end
        replacements.apply_due(c, w, now, log)
        pres, men = standing(c, w)
        _update_control(c, w, now, pres, men, log)  # changes control only: pres, men still hold

        moving = w.mode == MOVING  # in transit: keep the status it had when it set off
        enc = np.where(moving, w.encircled, encircled_units(c, w, pres, men))
        newly = enc & ~w.encircled
        w.encircled_since[newly] = now
        w.encircled_since[~enc] = np.nan
        w.encircled = enc
        log.add_mask(now, newly, "encircled", w.loc)

        combat.combat_step(c, w, now, dt, eng.attrition_law, rng, eng.size_basis)

        # breakpoints and pockets
        lost = rally.loss_since_reformed(w)  # since the unit formed or last rallied
        cohesion = w.extra.get("cohesion_factor", 1.0)  # hunger lowers the breakpoint
        breaks = w.active & (((lost >= w.breakpoint * cohesion) & ~holding(w)) | rally.ineffective(w))
        w.broken |= breaks
        log.add_mask(now, breaks, "broke", w.loc)
        # broken encircled units: reduced over time (model.pockets); casualties by kind
        doomed = pockets.reduce_pockets(c, w, now, dt, rng, log, move, COMBAT_INEFFECTIVE_SHARE)
        retreat = breaks & ~doomed
        if retreat.any():
            move.plan(retreat, now)

        # ring and resistance clocks (front force)
        in_play = front[None, :] & (w.mode != OUT)
        men = (w.pers * in_play).sum(axis=1)
        enc_men = (w.pers * (in_play & w.encircled)).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            closed = (men > 0) & (enc_men / men >= eng.ring_closed_share)
        first = closed & np.isnan(w.ring_closed_t)
        w.ring_closed_t[first] = now
        log.add(now, np.nonzero(first)[0], -1, "ring_closed")
        resisting = (w.pers * (front[None, :] & w.active)).sum(axis=1)
        ended = resisting <= (1.0 - eng.resistance_ended_share) * front_men0
        first = ended & np.isnan(w.resistance_end_t) & (front_men0 > 0)
        w.resistance_end_t[first] = now
        log.add(now, np.nonzero(first)[0], -1, "resistance_ended")

        # broken units at rest: pursued ones fall back, rested ones rally
        pursued, _ = rally.rally_step(c, w, now, presence(c, w), log)
        if pursued.any():
            move.plan(pursued, now)

        # orders, and units that can move on
        pres, men = standing(c, w)
        _update_control(c, w, now, pres, men, log)
        started = start_due_orders(c, w, now, pres, log)
        enemy_here = pres[rows, 1 - c.unit_side[None, :], w.loc] > 0
        unblocked = ready_to_plan(w) & ~w.order_done & ~enemy_here
        move.plan((started | unblocked) & w.active, now)
        if trace is not None:
            trace.record(now, w)

        yield LateTimeout(env, dt)  # arrivals due at the same instant land first
