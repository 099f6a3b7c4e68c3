"""Per-world timing inside one SimPy process: the one helper for divergent times.

A process that must act at different times in different worlds (a column that
arrives at hour 10.3 in one world and 11.7 in another) keeps a ``due`` array of
times, one per world (or per world and unit), and loops::

    while True:
        due, t = yield from clock.next_due()   # what is due now, and exact times
        ...act on those worlds...

Due items are handled at the first multiple of ``resolution`` at or after their
due time. That grid depends only on each item's own time, never on the other
worlds in the batch, so a world evolves the same whether it runs alone or in a
batch; each item keeps its exact due time (``clock.due``) for what follows.
``wake()`` makes a waiting process re-read ``due`` after it was changed.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

_EPS = 1e-9


class WorldClock:
    """Due times (hours) for an array of items, one per world or per world and unit.

    ``shape`` is the ``due`` array's shape; items are handled at the first multiple
    of ``resolution`` hours at or after their due time (see the module docstring).
    """

    def __init__(self, env: simpy.Environment, shape: tuple[int, ...], resolution: float):
        if resolution <= 0:
            raise ValueError("resolution must be > 0 hours")
        self.env = env
        self.resolution = float(resolution)
        self.due = np.full(shape, np.inf)
        self._wake = env.event()

    def schedule(self, mask: np.ndarray, times: np.ndarray | float) -> None:
        """Set due times (hours) where ``mask`` is true and wake the process."""
        self.due[mask] = times if np.isscalar(times) else np.asarray(times)[mask]
        self.wake()

    def schedule_at(self, index: tuple[np.ndarray, ...], times: np.ndarray | float) -> None:
        """Set due times (hours) at the integer ``index`` arrays (``due[index] = times``) and
        wake the process; as :meth:`schedule` without building a mask."""
        self.due[index] = times
        self.wake()

    def cancel(self, mask: np.ndarray) -> None:
        """Clear the due times where ``mask`` is true (nothing due there)."""
        self.due[mask] = np.inf

    def wake(self) -> None:
        """Make a process waiting in :meth:`next_due` re-read ``due`` (after it changed)."""
        if not self._wake.triggered:
            self._wake.succeed()

    def _grid(self, t: float) -> float:
        return math.ceil(t / self.resolution - _EPS) * self.resolution

    def next_due(self):
        """Generator: wait until something is due.

        Returns ``(mask, times)``: what is due now and its exact due times
        (``nan`` elsewhere). Those entries are cleared; reschedule as needed.
        """
        env = self.env
        while True:
            t_min = float(self.due.min()) if self.due.size else np.inf
            if self._wake.triggered:
                self._wake = env.event()
            if np.isfinite(t_min):
                t_next = max(self._grid(t_min), env.now)
                if t_next > env.now + _EPS:
                    yield env.timeout(t_next - env.now) | self._wake
                    continue
                mask = self.due <= env.now + _EPS
                times = np.where(mask, self.due, np.nan)
                self.due[mask] = np.inf
                return mask, times
            yield self._wake


class LateTimeout(simpy.events.Event):
    """A timeout that fires after every ordinary event due at the same instant.

    SimPy orders same-time events by priority (URGENT 0, NORMAL 1) and then by
    creation. Scheduling with priority 2 puts this event behind all NORMAL
    events of its instant, including ones created while that instant is being
    processed (e.g. a condition event chained on an arrival). The combat step
    uses it so that units arriving exactly at a step's time take part in it.
    """

    def __init__(self, env: simpy.Environment, delay: float):
        super().__init__(env)
        self._ok = True
        self._value = None
        env.schedule(self, priority=2, delay=delay)
