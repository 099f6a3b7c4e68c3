"""Control of places by presence, zones of control, and what cuts a side's lines.

Control (``w.control``, the side that last held each place):

* a place passes to side *s* only when *s* has held it with a force for a time: at least
  ``control_min_men`` men of active units standing there (not moving through), no active
  enemy unit standing there, and both true without a break for ``control_min_hours``
  (checked every combat step). A column that passes an empty place does not take it; a
  detachment that stops there does, once the time is up.
* an empty place keeps its last holder; a contested place keeps its holder until the
  other side is gone and has then held it for the time.

Zone of control: every active unit standing at a place projects a zone of control onto
the places adjacent to it. A leg that ends in a place inside an enemy zone (or at a place
where enemy units stand) costs ``zoc_delay_hours`` more (deploying from column, reconnaissance, first
contact); a motorised column (speed class ``speed_motor_kmh``) pays
``motor_deployment_hours`` on top.

Lines: side *s*'s supply and withdrawal paths are cut at a place only by a force that
holds it — the enemy controls it and either stands there with at least
``control_min_men`` or screens it (an enemy unit stands at an adjacent place, so the
place is in its zone of control). An enemy-held place left empty and unscreened does not
cut anything; it keeps its holder for the outcomes (the disputed zone).

Shapes: ``(R, S, P)`` per side and place, ``(R, P)`` per place; men, hours.
"""

from __future__ import annotations

import functools

import numpy as np

from ..engine.compiled import Compiled
from ..engine.network import neighbours
from ..engine.state import MOVING, OUT, World

_EPS = 1e-9


def _standing_index(c: Compiled, w: World, worlds: np.ndarray | None):
    """Flat ``(R, S, P)`` bin of each active standing unit of ``worlds`` (all: None), and its rows."""
    if worlds is None:
        stand = w.active & (w.mode != MOVING)
        idx = (np.arange(w.R)[:, None] * c.S + c.unit_side[None, :]) * c.P + w.loc
        return idx[stand], stand
    mode = w.mode[worlds]
    stand = (mode != OUT) & ~w.broken[worlds] & (mode != MOVING)
    idx = (worlds[:, None] * c.S + c.unit_side[None, :]) * c.P + w.loc[worlds]
    return idx[stand], stand


def presence(c: Compiled, w: World, worlds: np.ndarray | None = None) -> np.ndarray:
    """``(R, S, P)`` count of active units standing (not moving) at each place.

    ``worlds``: world indices to count (the other rows stay 0); all worlds if None."""
    idx, _ = _standing_index(c, w, worlds)
    return np.bincount(idx, minlength=w.R * c.S * c.P).reshape(w.R, c.S, c.P).astype(float)


def standing(c: Compiled, w: World, worlds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(pres, men)``, both ``(R, S, P)``: :func:`presence` and
    :func:`standing_men` from one pass (rows outside ``worlds`` 0)."""
    idx, stand = _standing_index(c, w, worlds)
    pers = w.pers if worlds is None else w.pers[worlds]
    n = w.R * c.S * c.P
    pres = np.bincount(idx, minlength=n).reshape(w.R, c.S, c.P).astype(float)
    men = np.bincount(idx, weights=pers[stand], minlength=n).reshape(w.R, c.S, c.P)
    return pres, men


def standing_men(c: Compiled, w: World) -> np.ndarray:
    """``(R, S, P)`` men of active units standing (not moving) at each place."""
    return standing(c, w)[1]


def zone_of_control(c: Compiled, pres: np.ndarray) -> np.ndarray:
    """``(R, S, P)`` bool: the place is in side *s*'s zone of control (an active unit of *s*
    stands at it or at an adjacent place). ``pres``: ``(R, S, P)`` presence counts."""
    here = pres > 0
    R, S, P = here.shape
    # over the routes (sparse neighbour lists), not a dense (P, P) product
    near = neighbours(c.adj).any(here.reshape(R * S, P))
    return here | near.reshape(R, S, P)


def motorised(c: Compiled) -> np.ndarray:
    """``(U,)`` bool: units of the motorised speed class (``speed_motor_kmh``). Read-only."""
    return _motorised(c.unit_speed_param)


@functools.lru_cache(maxsize=16)
def _motorised(speed_params: tuple[str, ...]) -> np.ndarray:
    out = np.fromiter((p == "speed_motor_kmh" for p in speed_params), bool, len(speed_params))
    out.flags.writeable = False
    return out


def update_control(c: Compiled, w: World, now: float, pres: np.ndarray,
                   men: np.ndarray | None = None) -> np.ndarray:
    """Advance control by presence held for the minimum time; returns the ``(R, P)`` changed mask.

    ``pres``: ``(R, S, P)`` counts of active standing units (:func:`presence`);
    ``men``: :func:`standing_men`, if already computed.
    Claims (side and the hour its uninterrupted hold began) live in ``w.extra``.
    """
    men = standing_men(c, w) if men is None else men
    min_men = w.params["control_min_men"][:, None]
    min_hours = w.params["control_min_hours"][:, None]
    cand = np.full((w.R, c.P), -1)
    for s in range(c.S):
        cand[(men[:, s, :] >= min_men) & (pres[:, 1 - s, :] == 0)] = s
    side = w.extra.setdefault("claim_side", np.full((w.R, c.P), -1))
    since = w.extra.setdefault("claim_since", np.full((w.R, c.P), np.nan))
    new_claim = cand != side
    side[new_claim] = cand[new_claim]
    since[new_claim] = now
    take = (side >= 0) & (w.control != side) & (now - since + _EPS >= min_hours)
    w.control[take] = side[take]
    first = w.extra.setdefault("captured_t", np.full((w.R, c.P), np.nan))
    lost = take & (c.initial_holder[None, :] >= 0) & (side != c.initial_holder[None, :]) & np.isnan(first)
    first[lost] = now
    return take


def captured_hours(c: Compiled, w: World) -> np.ndarray:
    """``(R, P)`` hour each place first passed from its hour-0 holder to the other side
    (nan: never, or no holder at hour 0)."""
    return w.extra.get("captured_t", np.full((w.R, c.P), np.nan))


def cut_for(c: Compiled, w: World, pres: np.ndarray, zoc: np.ndarray | None = None,
            men: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """``(R, S, P)`` bool: places that cut side *s*'s lines (enemy-held and held or screened).
    ``zoc``, ``men``: :func:`zone_of_control` of ``pres`` and :func:`standing_men`, if
    already computed; ``rows``: only these worlds (``(len(rows), S, P)``)."""
    men = standing_men(c, w) if men is None else men
    zoc = zone_of_control(c, pres) if zoc is None else zoc
    min_men = w.params["control_min_men"][:, None]
    held_by = w.control
    if rows is not None:
        men, zoc, min_men, held_by = men[rows], zoc[rows], min_men[rows], held_by[rows]
    out = np.empty(men.shape, bool)
    for s in range(c.S):
        e = 1 - s
        held = men[:, e, :] >= min_men
        out[:, s, :] = (held_by == e) & (held | zoc[:, e, :])
    return out


def passable_for(c: Compiled, w: World, pres: np.ndarray, zoc: np.ndarray | None = None,
                 men: np.ndarray | None = None, rows: np.ndarray | None = None) -> np.ndarray:
    """``(R, S, P)`` bool: places side *s* may trace supply and withdraw through — not cut,
    or where its own units stand (a contested place). ``zoc``, ``men``, ``rows``: as for
    :func:`cut_for`."""
    return ~cut_for(c, w, pres, zoc, men, rows) | ((pres if rows is None else pres[rows]) > 0)


def contact_delay_hours(c: Compiled, w: World, r: np.ndarray, u: np.ndarray, dest: np.ndarray,
                        zoc: np.ndarray) -> np.ndarray:
    """Extra hours of legs of units ``(r, u)`` into ``dest`` that enter an enemy zone of control
    (``zoc``: :func:`zone_of_control`): ``zoc_delay_hours``, plus ``motor_deployment_hours``
    for motorised columns."""
    enemy = 1 - c.unit_side[u]
    entering = zoc[r, enemy, dest]
    motor = motorised(c)[u]
    extra = w.params["zoc_delay_hours"][r] + np.where(motor, w.params["motor_deployment_hours"][r], 0.0)
    return np.where(entering, extra, 0.0)
