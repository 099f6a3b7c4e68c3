"""Encirclement, from graph connectivity.

A unit is encircled when its place cannot reach any of its side's supply sources through
places that are passable for its side (:func:`nomonhan_sim.model.control.passable_for`:
not held or screened by an enemy force, or where its own units stand). An exit is cut
only by a force that holds it. Computed for all worlds at once by boolean reachability
on the graph. Control itself is :mod:`nomonhan_sim.model.control`.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.state import OUT, World
from ..engine.network import ReachCache
from .control import passable_for


def supplied_places(c: Compiled, w: World, pres: np.ndarray, men: np.ndarray | None = None) -> np.ndarray:
    """``(R, S, P)`` bool: places from which each side can reach its supply sources.

    ``pres``: ``(R, S, P)`` presence counts of active standing units; ``men``: the men
    standing (:func:`~nomonhan_sim.model.control.standing_men`), if already computed.
    """
    ok = passable_for(c, w, pres, men=men)
    caches = w.extra.get("supplied_reach")  # one ReachCache per side: lines change seldom
    if caches is None:
        caches = w.extra["supplied_reach"] = [ReachCache(c.adj, c.sources[s]) for s in range(c.S)]
    out = np.empty((w.R, c.S, c.P), bool)
    for s in range(c.S):
        out[:, s, :] = caches[s](ok[:, s, :])
    return out


def encircled_units(c: Compiled, w: World, pres: np.ndarray, men: np.ndarray | None = None) -> np.ndarray:
    """``(R, U)`` bool: units (not out of the battle) cut off from their supply sources.
    ``pres``, ``men``: as for :func:`supplied_places`."""
    reach = supplied_places(c, w, pres, men)
    r = np.arange(w.R)[:, None]
    ok = reach[r, c.unit_side[None, :], w.loc]
    return ~ok & (w.mode != OUT)
