"""Event log: what happened, when, in which world, to which unit.

Recording is vectorised: each call adds every world/unit of a boolean mask at
once. Times in hours since the scenario start; ``unit`` is -1 for events that
concern a place or the whole world.
"""

from __future__ import annotations

import numpy as np

KINDS = ("order", "arrived", "broke", "encircled", "destroyed", "withdrawn",
         "captured", "ring_closed", "resistance_ended", "halted", "delivered", "rallied", "replaced")


class EventLog:
    """Events of a batch (hour, world, unit, kind, place, detail); records nothing
    when ``enabled`` is false. Kinds are those of ``KINDS``."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._chunks: list[tuple] = []

    def add(self, t, worlds, units, kind: str, places=None, detail: str = "") -> None:
        """Record events for index arrays ``worlds``/``units`` (same length)."""
        if not self.enabled:
            return
        worlds = np.atleast_1d(np.asarray(worlds))
        if worlds.size == 0:
            return
        n = worlds.size
        t = np.broadcast_to(np.asarray(t, float), (n,)).copy()
        units = np.broadcast_to(np.asarray(units), (n,)).copy()
        places = np.full(n, -1) if places is None else np.broadcast_to(np.asarray(places), (n,)).copy()
        self._chunks.append((t, worlds.copy(), units, kind, places, detail))

    def add_mask(self, t, mask: np.ndarray, kind: str, places=None, detail: str = "") -> None:
        """Record one event per true entry of an ``(R, U)`` mask."""
        if not self.enabled or not mask.any():
            return
        r, u = np.nonzero(mask)
        p = None if places is None else places[r, u]
        tt = t if np.isscalar(t) else np.asarray(t)[r, u]
        self.add(tt, r, u, kind, p, detail)

    def records(self) -> list[tuple[float, int, int, str, int, str]]:
        """All events as ``(hour, world, unit, kind, place, detail)``, time-sorted (stable)."""
        out = []
        for t, w, u, kind, p, detail in self._chunks:
            out.extend(zip(t.tolist(), w.tolist(), u.tolist(), [kind] * len(t), p.tolist(), [detail] * len(t)))
        out.sort(key=lambda e: e[0])
        return out
