"""Orders: time-phased tasks that start on triggers, per world.

Each unit works through its orders in file order. The next order starts when
its trigger fires (then it supersedes the current one) or, if it has no
trigger, when the current order is complete. Triggers are checked every combat
step: a time, another unit having reached a place, an enemy standing at a
place, or another unit having broken. Broken and destroyed units take no new
orders.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import TASK, TRIG_ARRIVED, TRIG_BROKEN, TRIG_ENEMY_AT, TRIG_NONE, TRIG_TIME, Compiled
from ..engine.state import HALTED, IDLE, World
from ..engine.eventlog import EventLog

_EPS = 1e-9


def start_due_orders(c: Compiled, w: World, now: float, pres: np.ndarray, log: EventLog) -> np.ndarray:
    """Start every order whose trigger has fired; returns the ``(R, U)`` mask of starts.

    ``pres`` is the ``(R, S, P)`` presence count of standing units.
    """
    started = np.zeros((w.R, c.U), bool)
    for ui, orders in enumerate(c.orders):
        if not orders:
            continue
        can = w.active[:, ui]
        if not can.any():
            continue
        nxt = w.order_idx[:, ui] + 1
        for k in np.unique(nxt[can]):
            if k >= len(orders):
                continue
            o = orders[k]
            cand = can & (nxt == k)
            if o.trigger == TRIG_NONE:
                fire = w.order_done[:, ui]
            elif o.trigger == TRIG_TIME:
                fire = np.full(w.R, now + _EPS >= o.trig_time)
            elif o.trigger == TRIG_ARRIVED:
                fire = w.visited[:, o.trig_unit, o.trig_place]
            elif o.trigger == TRIG_ENEMY_AT:
                fire = pres[:, 1 - c.unit_side[ui], o.trig_place] > 0
            elif o.trigger == TRIG_BROKEN:
                fire = w.broken[:, o.trig_unit]
            else:  # pragma: no cover
                raise ValueError(o.trigger)
            started[:, ui] |= cand & fire
        rows = started[:, ui]
        if rows.any():
            k = nxt[rows]
            w.order_idx[rows, ui] = k
            w.task[rows, ui] = [orders[j].task for j in k]
            w.posture[rows, ui] = [orders[j].posture for j in k]
            w.order_done[rows, ui] = False
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
