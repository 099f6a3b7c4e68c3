"""Frontage and fire support: how much of the force at a place is actually engaged.

(Being written in this session: no limit and no support until then.)
"""

from __future__ import annotations

import numpy as np


def artillery_support(c, w, contested, fighting):
    """``(R, S, P)`` combat power added to contested places by guns in range (0 for now)."""
    return 0.0


def engaged(c, w, Pw, N):
    """(engaged power ``(R, S, P)``, exposed men ``(R, S, P)``) (no limit for now)."""
    return Pw, N
