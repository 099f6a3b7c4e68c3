"""Frontage and fire support: how much of the force at a place is engaged.

Dupuy's rates and CDB90's figures were measured on engagements with a front of a
certain width; a force much denser than that does not bring all its weapons to bear.
Two corrections to the combat power a side brings to a contested place:

* **Density limit.** A place may carry a frontage ``F`` (km, ``frontage_km``). Of the
  ``N`` men a side has there, at most ``L = engaged_men_per_km · F`` are fully engaged;
  the rest stand in depth and count with the weight ``d = depth_power_share``. The
  side's engaged share is ``e = min(1, L/N) + d · (1 − min(1, L/N))``; its combat power
  and its men exposed to loss are both multiplied by ``e``. Doubling the men beyond the
  limit therefore raises the power by ``d`` of the increase, not all of it. A place with
  no frontage has no limit (``e = 1``).
* **Fire support.** Guns (equipment class ``guns``) of a unit that stands at a place not
  itself contested, is not on the move, and lies within ``artillery_support_range_km``
  (straight line) of contested places where its side is fighting, add their power —
  ``guns · weight_guns · quality · ammunition factor · condition factors`` — to those
  places, split equally among them. Support is added after the density limit (indirect
  fire needs no frontage). Supporting guns take no losses (no counter-battery fire is
  modelled) and draw no extra ammunition beyond what their unit's supply state gives.

Units: men, km, man-equivalents of combat power.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.state import World


def engaged_share(men: np.ndarray, frontage_km: np.ndarray, men_per_km: np.ndarray,
                  depth_share: np.ndarray) -> np.ndarray:
    """Share of a side's power (and exposure) engaged: ``min(1, L/N) + d·(1 − min(1, L/N))``
    with ``L = men_per_km · frontage_km``; 1 where there are no men or no frontage limit.
    Arrays broadcast (e.g. men (R, S, P), frontage (P,), men_per_km and depth (R, 1, 1))."""
    limit = men_per_km * frontage_km
    with np.errstate(divide="ignore", invalid="ignore"):
        full = np.where(men > limit, limit / men, 1.0)
    return full + depth_share * (1.0 - full)


def engaged(c: Compiled, w: World, Pw: np.ndarray, N: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(engaged power, men exposed to loss), each ``(R, S, P)``, from the power ``Pw`` and
    men ``N`` each side has at each place (density limit of the module docstring)."""
    if not np.isfinite(c.frontage_km).any():
        return Pw, N
    e = engaged_share(N, c.frontage_km[None, None, :], w.params["engaged_men_per_km"][:, None, None],
                      w.params["depth_power_share"][:, None, None])
    return Pw * e, N * e


def _gun_units(c: Compiled, w: World) -> tuple[np.ndarray, int]:
    """Indices of units that hold guns in any world, and the equipment index of guns."""
    if "guns" not in c.equipment_classes:
        return np.zeros(0, int), -1
    k = c.equipment_classes.index("guns")
    key = "frontage.gun_units"
    if key not in w.extra:
        w.extra[key] = np.flatnonzero((w.equip[:, :, k] > 0).any(axis=0))
    return w.extra[key], k


def artillery_support(c: Compiled, w: World, contested: np.ndarray, fighting: np.ndarray,
                      unit_factor=1.0) -> np.ndarray | float:
    """``(R, S, P)`` combat power (man-equivalents) that guns in range add to contested
    places (module docstring); 0.0 when no gun can support. ``contested``: (R, P);
    ``fighting``: (R, U) units eligible to fight (active, not moving); ``unit_factor``:
    per-unit power multiplier broadcastable to (R, U) (supply's ammunition factor and
    the conditions' factors)."""
    gu, k = _gun_units(c, w)
    if gu.size == 0:
        return 0.0
    R = w.R
    rows = np.arange(R)[:, None]
    loc = w.loc[:, gu]                                              # (R, G)
    side = c.unit_side[gu]                                          # (G,)
    free = fighting[:, gu] & ~contested[rows, loc] & (w.equip[:, gu, k] > 0)
    if not free.any():
        return 0.0
    # side s fights at place p: it has fighting units there and p is contested
    fights = np.zeros((R, c.S, c.P), bool)
    fr, fu = np.nonzero(fighting)
    fights[fr, c.unit_side[fu], w.loc[fr, fu]] = True
    fights &= contested[:, None, :]
    # targets of the free guns only (most guns are not free, most steps none has a target),
    # as (world, gun, place) pairs over the places within the longest range of any world
    # (a few per gun), not a dense (R, G, P) array
    fr, fg = np.nonzero(free)
    rng_km = w.params["artillery_support_range_km"]
    flat, start, cnt = _within(c, w, float(np.max(rng_km, initial=-np.inf, where=~np.isnan(rng_km))))
    gp = loc[fr, fg]
    n = cnt[gp]
    pair = np.repeat(np.arange(fr.size), n)
    pp = flat[np.arange(pair.size) - np.repeat(np.cumsum(n) - n, n) + np.repeat(start[gp], n)]
    pr, pg = fr[pair], fg[pair]
    keep = (c.place_km[gp[pair], pp] <= rng_km[pr]) & fights[pr, side[pg], pp]
    if not keep.any():
        return 0.0
    pr, pg, pp = pr[keep], pg[keep], pp[keep]
    G = gu.size
    n_targets = np.bincount(pr * G + pg, minlength=R * G).reshape(R, G)
    factor = np.broadcast_to(np.asarray(unit_factor, float), (R, c.U))[:, gu]
    gun_power = w.equip[:, gu, k] * w.params["weight_guns"][:, None] * w.quality[:, gu] * factor
    with np.errstate(divide="ignore", invalid="ignore"):
        per_target = np.where(n_targets > 0, gun_power / n_targets, 0.0)   # (R, G)
    # pairs run world by world, gun after gun: each place's sum adds its guns in order
    idx = (pr * c.S + side[pg]) * c.P + pp
    return np.bincount(idx, weights=per_target[pr, pg], minlength=R * c.S * c.P).reshape(R, c.S, c.P)


def _within(c: Compiled, w: World, km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Places within ``km`` (straight line) of each place, as flat lists: ``(flat, start,
    count)``; kept in ``w.extra`` for the run's longest range."""
    hit = w.extra.get("frontage.within")
    if hit is None or hit[0] != km:
        near = c.place_km <= km
        cnt = near.sum(axis=1)
        hit = w.extra["frontage.within"] = (km, np.nonzero(near)[1], np.cumsum(cnt) - cnt, cnt)
    return hit[1:]
