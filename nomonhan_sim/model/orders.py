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


def _finish_pauses(w: World, now: float, units: np.ndarray, hours: np.ndarray) -> None:
    """Mark the pauses of the units ``units`` (``(U,)`` bool) whose hours have passed as
    complete; ``hours``: ``(U, K)`` pause length of each unit's orders."""
    pausing = (w.task == TASK["pause"]) & ~w.order_done & (w.order_idx >= 0) & units[None, :]
    if pausing.any():
        r, u = np.nonzero(pausing)
        over = now + _EPS >= w.order_start[r, u] + hours[u, w.order_idx[r, u]]
        w.order_done[r[over], u[over]] = True


def order_tables(c: Compiled) -> dict[str, np.ndarray]:
    """Every unit's orders as arrays indexed ``[unit, order]`` (cached per scenario):
    ``task`` (-1 past the last order), ``posture``, pause ``hours``, waypoints ``wps``
    ``[unit, order, i]`` (a ``withdraw`` goes to its side's rear; -1 past the last) and
    their number ``n_wps``. Read-only."""
    hit = _TABLES.get(id(c))
    if hit is not None and hit[0] is c.orders:
        return hit[1]
    K = max((len(o) for o in c.orders), default=0) or 1
    W = max([1] + [len(o.waypoints) for orders in c.orders for o in orders])
    tab = {"task": np.full((c.U, K), -1), "posture": np.zeros((c.U, K), int), "hours": np.zeros((c.U, K)),
           "wps": np.full((c.U, K, W), -1), "n_wps": np.zeros((c.U, K), int)}
    for ui, orders in enumerate(c.orders):
        for k, o in enumerate(orders):
            tab["task"][ui, k], tab["posture"][ui, k], tab["hours"][ui, k] = o.task, o.posture, o.hours
            pts = (int(c.rear[c.unit_side[ui]]),) if o.task == TASK["withdraw"] else o.waypoints
            tab["wps"][ui, k, :len(pts)] = pts
            tab["n_wps"][ui, k] = len(pts)
    for a in tab.values():
        a.flags.writeable = False
    _TABLES[id(c)] = (c.orders, tab)
    return tab


_TABLES: dict[int, tuple] = {}


def start_due_orders(c: Compiled, w: World, now: float, pres: np.ndarray, log: EventLog) -> np.ndarray:
    """Start every order whose trigger has fired; returns the ``(R, U)`` mask of starts.

    ``pres`` is the ``(R, S, P)`` presence count of standing units; ``now`` in hours.
    Units are independent here (each reads others' state that no start changes), so the
    pauses of all units are finished first, then each unit's triggers are checked.
    """
    started = np.zeros((w.R, c.U), bool)
    active = w.active  # starting orders does not change who is active
    tab = order_tables(c)
    n_orders = np.array([len(o) for o in c.orders])
    units = (n_orders > 0) & active.any(axis=0)
    _finish_pauses(w, now, units, tab["hours"])
    nxt_all = w.order_idx + 1
    for ui in np.flatnonzero(units & (nxt_all < n_orders[None, :]).any(axis=0)):
        orders = c.orders[ui]
        can = active[:, ui]
        nxt = nxt_all[:, ui]
        nk = nxt[can]
        for k in ((nk[0],) if (nk == nk[0]).all() else np.unique(nk)):  # usually one
            if k >= len(orders):
                continue
            started[:, ui] |= can & (nxt == k) & _fired(c, w, now, pres, ui, orders[k])
    r, u = np.nonzero(started)
    if r.size:
        k = nxt_all[r, u]
        w.order_idx[r, u] = k
        w.task[r, u] = tab["task"][u, k]
        w.posture[r, u] = tab["posture"][u, k]
        w.order_done[r, u] = False
        w.order_start[r, u] = now
        w.path_pos[r, u] = 0
        w.reserve[r, u] = False
        for ui in np.unique(u):
            sel, kk = r[u == ui], k[u == ui]
            for j in np.unique(kk):
                rows = sel[kk == j]
                log.add(now, rows, ui, "order", w.loc[rows, ui], c.orders[ui][j].text)
    return started


def holding(w: World) -> np.ndarray:
    """``(R, U)`` bool: the unit's current order is ``hold`` (it does not break)."""
    return w.task == TASK["hold"]


def ready_to_plan(w: World) -> np.ndarray:
    """Units standing still (idle or halted) that may need a new leg."""
    return (w.mode == IDLE) | (w.mode == HALTED)
