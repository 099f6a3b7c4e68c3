"""Conditions of an engagement: weather, surprise, air superiority, combat effectiveness.

(Being written in this session: identity factors until then.)
"""

from __future__ import annotations


def power_factor(c, w, now):
    """``(R, U)`` combat-power multiplier of each unit from the conditions (1 for now)."""
    return 1.0


def casualty_factor(c, w, now, side):
    """Multiplier of ``side``'s daily casualty rate at every place, broadcastable to ``(R, P)``."""
    return 1.0
