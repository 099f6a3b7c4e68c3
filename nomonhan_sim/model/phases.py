"""Casualties by phase: each side's cumulative losses at every ``[[phases]]`` end.

At the first combat step at or after a phase's end hour the engine stores, per world
and side, the men lost so far (combat and pockets, all kinds); a phase ending with the
run is closed from the final state. Resolution: one combat step (the losses of the
step that straddles a phase end count in the earlier phase when the step starts
before the end). Outcomes: ``phase_casualties.<phase id>.<side id>``, men.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.state import World

_KEY = "phase_casualties_cum"


def side_losses(c: Compiled, w: World) -> np.ndarray:
    """``(R, S)`` men each side has lost so far (combat and pockets)."""
    lost = w.cas + w.pocket_cas
    return np.stack([lost[:, c.unit_side == s].sum(axis=1) for s in range(c.S)], axis=1)


def record_phase_ends(c: Compiled, w: World, now: float) -> None:
    """Store cumulative losses for every phase whose end is at or before ``now`` (hours)
    and not yet stored. Cheap when the scenario has no phases."""
    if not c.phase_ids:
        return
    cum = w.extra.get(_KEY)
    if cum is None:
        cum = w.extra[_KEY] = np.full((w.R, len(c.phase_ids), c.S), np.nan)
    due = (c.phase_end_h <= now) & np.isnan(cum[0, :, 0])
    if due.any():
        cum[:, due, :] = side_losses(c, w)[:, None, :]


def phase_casualties(c: Compiled, w: World) -> np.ndarray:
    """``(R, n_phases, S)`` men lost in each phase; phases not yet closed by the engine
    (the one ending with the run) are closed from the final state."""
    n = len(c.phase_ids)
    cum = w.extra.get(_KEY, np.full((w.R, n, c.S), np.nan)).copy()
    final = side_losses(c, w)
    open_ = np.isnan(cum[0, :, 0])
    cum[:, open_, :] = final[:, None, :]
    before = np.concatenate([np.zeros((w.R, 1, c.S)), cum[:, :-1, :]], axis=1)
    return cum - before
