"""Scheduled replacements: men and equipment joining units at given hours.

Each ``[[replacements]]`` entry adds its men (and pieces) to its unit at the first combat
step at or after ``at_hour``, in every world where the unit is still in the battle (not
withdrawn, not destroyed); a broken unit takes them too (it rallies with them). Uncertain
amounts are drawn per world from their own input streams (``replacements:<index>.men``,
``replacements:<index>.equipment.<class>``), like every other input.

Book-keeping: ``w.extra["replaced_men"]`` ``(R, U)`` counts men who joined, so that for every
unit ``pers0 + replaced_men == pers + cas + pocket_cas (+ escaped)``. Equipment that joins is
added to both ``equip`` and ``equip0`` (``equip0`` then means the pieces the unit has had in
all), so equipment lost stays ``equip0 - serviceable``. The breakpoint reference of
:mod:`nomonhan_sim.model.rally` grows by the men who join. Men; pieces; hours.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.eventlog import EventLog
from ..engine.state import OUT, World
from ..scenario.quantity import whole_counts
from .armour import admit_joined_pieces

_EPS = 1e-9


def _amounts(c: Compiled, w: World) -> list[tuple[int, float, np.ndarray, dict[int, np.ndarray]]]:
    """Per entry: (unit index, hour, men (R,), {class index: pieces (R,)}), drawn once per batch."""
    cached = w.extra.get("replacement_amounts")
    if cached is not None:
        return cached
    draw = w.extra["draw"]
    out = []
    for i, rep in enumerate(c.scenario.model.replacements):
        men = whole_counts(draw(f"replacements:{i}.men", rep.men), rep.men)
        pieces = {c.equipment_classes.index(k): whole_counts(draw(f"replacements:{i}.equipment.{k}", q), q)
                  for k, q in rep.equipment.items()}
        out.append((c.unit_ids.index(rep.unit), float(rep.at_hour), men, pieces))
    w.extra["replacement_amounts"] = out
    return out


def apply_due(c: Compiled, w: World, now: float, log: EventLog) -> None:
    """Add every replacement whose hour has come (once each) to the units still in the battle."""
    if not c.scenario.model.replacements:
        return
    done = w.extra.setdefault("replacements_done", np.zeros(len(c.scenario.model.replacements), bool))
    replaced = w.extra.setdefault("replaced_men", np.zeros_like(w.pers))
    for i, (ui, hour, men, pieces) in enumerate(_amounts(c, w)):
        if done[i] or now + _EPS < hour:
            continue
        done[i] = True
        take = (w.mode[:, ui] != OUT) & ~w.destroyed[:, ui]
        add = np.where(take, men, 0.0)
        w.pers[:, ui] += add
        replaced[:, ui] += add
        ref = w.extra.get("reformed_men")
        if ref is not None:
            ref[:, ui] += add
        for k, n in pieces.items():
            got = np.where(take, n, 0.0)
            w.equip[:, ui, k] += got
            w.equip0[:, ui, k] += got
        if pieces:
            admit_joined_pieces(w)  # a class the unit had none of now shares its losses
        log.add(now, np.nonzero(take)[0], ui, "replaced", w.loc[take, ui], f"{c.scenario.model.replacements[i].men}")


def joined_men(w: World) -> np.ndarray:
    """``(R, U)`` men who joined each unit as replacements (zeros without any)."""
    return w.extra.get("replaced_men", np.zeros_like(w.pers))

