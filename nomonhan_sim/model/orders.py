"""Orders: time-phased tasks that start on triggers, per world.

Each unit works through its orders in file order. The next order starts when
its trigger fires (then it supersedes the current one) or, if it has no
trigger, when the current order is complete. Triggers are checked every combat
step: a time (hours after the start), hours after the unit's current order
started, another unit (any unit of a group) having reached a place, being
encircled or being broken, an enemy standing at a place, a place held by the
enemy, or the ring having closed. A ``pause`` is complete once its hours have
passed since it started (checked first, so an untriggered order after it starts
at the same step). Broken and destroyed units take no new orders.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import (
    TASK, TRIG_AFTER, TRIG_ARRIVED, TRIG_BROKEN, TRIG_CAPTURED, TRIG_ENCIRCLED, TRIG_ENEMY_AT, TRIG_NONE,
    TRIG_RING_CLOSED, TRIG_TIME, CompiledOrder, Compiled,
)
from ..engine.state import HALTED, IDLE, OUT, World
from ..engine.eventlog import EventLog

_EPS = 1e-9


def _fired(c: Compiled, w: World, now: float, pres: np.ndarray, ui: int, o: CompiledOrder) -> np.ndarray:
    """``(R,)`` bool: the trigger of order ``o`` of unit ``ui`` holds at hour ``now``."""
    if o.trigger == TRIG_NONE:
        return w.order_done[:, ui]
    if o.trigger == TRIG_TIME:
        return np.full(w.R, now + _EPS >= o.trig_time)
    if o.trigger == TRIG_AFTER:  # nan (no order yet) compares false
        return now + _EPS >= w.order_start[:, ui] + o.trig_time
    units = list(o.trig_units)
    if o.trigger == TRIG_ARRIVED:
        return w.visited[:, units, o.trig_place].any(axis=1)
    if o.trigger == TRIG_ENEMY_AT:
        return pres[:, 1 - c.unit_side[ui], o.trig_place] > 0
    if o.trigger == TRIG_BROKEN:
        return w.broken[:, units].any(axis=1)
    if o.trigger == TRIG_ENCIRCLED:
        return (w.encircled[:, units] & (w.mode[:, units] != OUT)).any(axis=1)
    if o.trigger == TRIG_CAPTURED:
        return w.control[:, o.trig_place] == 1 - c.unit_side[ui]
    if o.trigger == TRIG_RING_CLOSED:
        return ~np.isnan(w.ring_closed_t)
    raise ValueError(o.trigger)  # pragma: no cover


def _finish_pauses(w: World, now: float, ui: int, orders: tuple[CompiledOrder, ...]) -> None:
    """Mark the pauses of unit ``ui`` whose hours have passed as complete."""
    cur = w.order_idx[:, ui]
    pausing = (w.task[:, ui] == TASK["pause"]) & ~w.order_done[:, ui] & (cur >= 0)
    if pausing.any():
        hours = np.array([o.hours for o in orders])[np.maximum(cur, 0)]
        w.order_done[pausing & (now + _EPS >= w.order_start[:, ui] + hours), ui] = True


def start_due_orders(c: Compiled, w: World, now: float, pres: np.ndarray, log: EventLog) -> np.ndarray:
    """Start every order whose trigger has fired; returns the ``(R, U)`` mask of starts.

    ``pres`` is the ``(R, S, P)`` presence count of standing units; ``now`` in hours.
    """
    started = np.zeros((w.R, c.U), bool)
    active = w.active  # starting orders does not change who is active
    for ui, orders in enumerate(c.orders):
        if not orders:
            continue
        can = active[:, ui]
        if not can.any():
            continue
        _finish_pauses(w, now, ui, orders)
        nxt = w.order_idx[:, ui] + 1
        nk = nxt[can]
        for k in ((nk[0],) if (nk == nk[0]).all() else np.unique(nk)):  # usually one
            if k >= len(orders):
                continue
            started[:, ui] |= can & (nxt == k) & _fired(c, w, now, pres, ui, orders[k])
        rows = started[:, ui]
        if rows.any():
            k = nxt[rows]
            w.order_idx[rows, ui] = k
            w.task[rows, ui] = [orders[j].task for j in k]
            w.posture[rows, ui] = [orders[j].posture for j in k]
            w.order_done[rows, ui] = False
            w.order_start[rows, ui] = now
            w.path_pos[rows, ui] = 0
            w.reserve[rows, ui] = False
            r = np.nonzero(rows)[0]
            for j in np.unique(k):
                sel = r[k == j]
                log.add(now, sel, ui, "order", w.loc[sel, ui], orders[j].text)
    return started


def holding(w: World) -> np.ndarray:
    """``(R, U)`` bool: the unit's current order is ``hold`` (it does not break)."""
    return w.task == TASK["hold"]


def ready_to_plan(w: World) -> np.ndarray:
    """Units standing still (idle or halted) that may need a new leg."""
    return (w.mode == IDLE) | (w.mode == HALTED)
