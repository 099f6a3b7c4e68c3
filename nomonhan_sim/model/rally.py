"""Breakpoints with recovery: broken units fall back, rest, rally and fight again.

* A unit breaks when it has lost ``breakpoint`` (its drawn share) of the men it had when it
  last (re)formed: its initial men, or its men when it last rallied
  (:func:`loss_since_reformed`). A unit below ``COMBAT_INEFFECTIVE_SHARE`` of its initial
  men breaks whatever its orders and leaves the battle for good (it withdraws to its
  side's rear and is out).
* A broken unit withdraws leg by leg toward its rear (:mod:`nomonhan_sim.model.movement`)
  and stops at the first place out of every enemy zone of control
  (:func:`can_rest_here`). There it rests.
* A resting unit that is pursued (an enemy unit comes to stand at its place or next to it)
  falls back again; one left alone for ``rally_hours`` rallies (:func:`rally_step`): it is
  no longer broken, its breakpoint counts from its present strength, and it carries out
  its current order again from its first waypoint (re-committed: an attack goes back to
  its objective), or takes the next order that fires.

Encircled broken units do not rest: :mod:`nomonhan_sim.model.pockets` decides their fate.
Times in hours; shapes ``(R, U)``.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.eventlog import EventLog
from ..engine.state import MOVING, OUT, World
from .control import zone_of_control

#: A unit below this share of its initial men is no longer a fighting unit: it breaks
#: whatever its orders and leaves the battle (convention of this model, not a sourced figure).
COMBAT_INEFFECTIVE_SHARE = 0.10


def _reformed_men(w: World) -> np.ndarray:
    ref = w.extra.get("reformed_men")
    if ref is None:
        ref = w.extra["reformed_men"] = w.pers0.copy()
    return ref


def loss_since_reformed(w: World) -> np.ndarray:
    """``(R, U)`` share of the men the unit had when it last formed or rallied, lost since."""
    ref = _reformed_men(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ref > 0, 1.0 - w.pers / ref, 1.0)


def ineffective(w: World) -> np.ndarray:
    """``(R, U)`` bool: below the combat-ineffective share of its initial men."""
    return w.pers < COMBAT_INEFFECTIVE_SHARE * w.pers0


def can_rest_here(c: Compiled, w: World, pres: np.ndarray) -> np.ndarray:
    """``(R, U)`` bool: a broken unit may stop here to rally — out of every enemy zone of
    control, not encircled, not below the combat-ineffective share. ``pres``: presence counts."""
    zoc = zone_of_control(c, pres)
    pursued = zoc[np.arange(w.R)[:, None], 1 - c.unit_side[None, :], w.loc]
    return ~pursued & ~w.encircled & ~ineffective(w)


def can_rest_at(c: Compiled, w: World, r: np.ndarray, u: np.ndarray, zoc: np.ndarray) -> np.ndarray:
    """:func:`can_rest_here` for the units ``(r, u)`` (index arrays) only."""
    pursued = zoc[r, 1 - c.unit_side[u], w.loc[r, u]]
    return ~pursued & ~w.encircled[r, u] & ~(w.pers[r, u] < COMBAT_INEFFECTIVE_SHARE * w.pers0[r, u])


def start_rest_at(w: World, r: np.ndarray, u: np.ndarray, t0: np.ndarray) -> None:
    """Units ``(r, u)`` (index arrays, not out) stop where they stand and start resting at
    hours ``t0`` (unless already resting)."""
    since = w.extra.setdefault("rest_since", np.full(w.pers.shape, np.nan))
    fresh = np.isnan(since[r, u])
    since[r[fresh], u[fresh]] = t0[fresh]
    w.mode[r, u] = 0  # IDLE


def rally_step(c: Compiled, w: World, now: float, pres: np.ndarray, log: EventLog) -> tuple[np.ndarray, np.ndarray]:
    """Broken units standing still: the pursued ones fall back again, the ones left alone
    rest, and those rested for ``rally_hours`` rally.

    Returns ``(pursued, rallied)`` ``(R, U)`` masks; the caller plans the pursued units'
    withdrawal. Encircled units are left to :mod:`nomonhan_sim.model.pockets`.
    ``pres``: ``(R, S, P)`` presence counts of active standing units.
    """
    since = w.extra.setdefault("rest_since", np.full(w.pers.shape, np.nan))
    still = w.broken & (w.mode != OUT) & (w.mode != MOVING)
    ok = can_rest_here(c, w, pres)
    since[still & ~ok] = np.nan
    pursued = still & ~ok & ~w.encircled
    fresh = still & ok & np.isnan(since)
    since[fresh] = now
    due = still & ok & (now - since + 1e-9 >= w.params["rally_hours"][:, None])
    if due.any():
        w.broken[due] = False
        _reformed_men(w)[due] = w.pers[due]
        # re-committed: the current order starts over from its first waypoint
        w.order_done[due & (w.order_idx >= 0)] = False
        w.path_pos[due] = 0
        since[due] = np.nan
        log.add_mask(now, due, "rallied", w.loc)
    return pursued, due
