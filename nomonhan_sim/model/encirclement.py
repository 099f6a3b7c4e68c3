"""Control of places and encirclement, from graph connectivity.

Control: a place where only one side has active units standing passes to that
side; an empty place keeps its last holder; a contested place keeps its holder
until one side is gone.

Encirclement: a unit is encircled when its place cannot reach any of its
side's supply sources through places the enemy does not hold (places it holds
itself or nobody holds, or where its own units stand). Computed for all worlds at once by boolean
reachability on the graph.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.state import OUT, World
from ..engine.network import reachable


def update_control(c: Compiled, w: World, pres: np.ndarray) -> np.ndarray:
    """Update ``w.control`` from ``(R, S, P)`` presence; returns ``(R, P)`` changed mask."""
    only = [(pres[:, s, :] > 0) & (pres[:, 1 - s, :] == 0) for s in range(c.S)]
    new = w.control.copy()
    for s in range(c.S):
        new[only[s]] = s
    changed = new != w.control
    w.control = new
    return changed


def supplied_places(c: Compiled, control: np.ndarray, pres: np.ndarray | None = None) -> np.ndarray:
    """``(R, S, P)`` bool: places from which each side can reach its supply sources.

    ``pres`` (``(R, S, P)`` presence counts) makes places where a side's own
    units stand passable for it even if the enemy holds them (a contested place).
    """
    out = np.empty((control.shape[0], c.S, c.P), bool)
    for s in range(c.S):
        passable = (control == s) | (control < 0)
        if pres is not None:
            passable |= pres[:, s, :] > 0
        out[:, s, :] = reachable(c.adj, c.sources[s], passable)
    return out


def encircled_units(c: Compiled, w: World, pres: np.ndarray) -> np.ndarray:
    """``(R, U)`` bool: units (not out of the battle) cut off from their supply sources."""
    reach = supplied_places(c, w.control, pres)
    r = np.arange(w.R)[:, None]
    ok = reach[r, c.unit_side[None, :], w.loc]
    return ~ok & (w.mode != OUT)
