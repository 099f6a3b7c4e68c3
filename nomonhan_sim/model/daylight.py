"""Night marches: motorised columns move slower in the dark.

The scenario's ``engine.night = [dusk, dawn]`` gives the local clock times between which
it is dark; hour 0 of the simulation is ``engine.start`` (local time). A motorised column
(speed class ``speed_motor_kmh``) covers ground at ``night_march_speed_factor`` of its
speed while it is dark and at full speed by day; other units are not affected (foot and
horse columns marched at night as by day in the record's accounts of 1939). Times in hours.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from .control import motorised

#: Day/night boundaries crossed by one leg at most (a leg of more than two days is not modelled).
_MAX_SEGMENTS = 6


def night_window(c: Compiled) -> tuple[float, float, float] | None:
    """(hour of day of hour 0, dusk, dawn) as clock hours 0-24, or None without ``engine.night``."""
    eng = c.scenario.model.engine
    if eng.night is None:
        return None
    dusk, dawn = eng.night
    start = eng.start.hour + eng.start.minute / 60.0 + eng.start.second / 3600.0
    return start, dusk.hour + dusk.minute / 60.0, dawn.hour + dawn.minute / 60.0


def _is_dark(clock: np.ndarray, dusk: float, dawn: float) -> np.ndarray:
    if dusk > dawn:   # night spans midnight
        return (clock >= dusk) | (clock < dawn)
    return (clock >= dusk) & (clock < dawn)


def _next_boundary(clock: np.ndarray, dusk: float, dawn: float) -> np.ndarray:
    """Hours from clock time ``clock`` to the next dusk or dawn (> 0)."""
    to_dusk = np.mod(dusk - clock, 24.0)
    to_dawn = np.mod(dawn - clock, 24.0)
    to_dusk = np.where(to_dusk <= 1e-9, 24.0, to_dusk)
    to_dawn = np.where(to_dawn <= 1e-9, 24.0, to_dawn)
    return np.minimum(to_dusk, to_dawn)


def march_hours(window: tuple[float, float, float], t0: np.ndarray, day_hours: np.ndarray,
                factor: np.ndarray) -> np.ndarray:
    """Hours a march of ``day_hours`` (at full speed) takes when it starts at hour ``t0`` and
    goes at ``factor`` of its speed in the dark. All arrays of one shape."""
    start, dusk, dawn = window
    t = np.asarray(t0, float).copy()
    left = np.asarray(day_hours, float).copy()
    factor = np.asarray(factor, float)
    for _ in range(_MAX_SEGMENTS):
        if not (left > 0).any():
            break
        clock = np.mod(start + t, 24.0)
        rate = np.where(_is_dark(clock, dusk, dawn), factor, 1.0)
        span = _next_boundary(clock, dusk, dawn)
        done = span * rate >= left
        step = np.where(done, left / rate, span)
        t = np.where(left > 0, t + step, t)
        left = np.where(done, 0.0, left - span * rate)
    return t + np.maximum(left, 0.0) - np.asarray(t0, float)


def leg_hours(c: Compiled, params: dict, r: np.ndarray, u: np.ndarray, t0: np.ndarray,
              drive_hours: np.ndarray) -> np.ndarray:
    """Driving hours of legs of units ``(r, u)`` starting at ``t0``, night slowing included."""
    window = night_window(c)
    if window is None:
        return drive_hours
    motor = motorised(c)[u]
    if not motor.any():
        return drive_hours
    slowed = march_hours(window, t0, drive_hours, params["night_march_speed_factor"][r])
    return np.where(motor, slowed, drive_hours)
