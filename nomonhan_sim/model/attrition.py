"""Attrition laws: how many men each side loses in one combat step.

All functions work elementwise on arrays of engagements (e.g. shape
``(R, P)``: every place in every world at once). Personnel in men, time in
hours, coefficients per hour.

Lanchester family (general power form, Helmbold/Bracken style)::

    dA/dt = -k_A * B**p * A**q        dB/dt = -k_B * A**p * B**q

* ``square``      p = 1, q = 0 — aimed fire; invariant  k_B*A**2 - k_A*B**2
* ``linear``      p = 1, q = 1 — area fire; invariant   k_B*A - k_A*B
* ``logarithmic`` p = 0, q = 1 — losses proportional to own size: exponential decay
* ``power``       p, q given

The step integrates these ODEs with fixed-step RK4 sub-steps holding the
coefficients constant over the combat step, so the laws' invariants hold to
integration accuracy (not to the first-order error of "rate × time" schemes).

``dupuy`` uses QJM-style daily casualty rates (share of own personnel per day),
computed by :mod:`nomonhan_sim.combat`, applied as ``N * (1 - exp(-r*dt/24))``.

Stochastic mode draws each step's loss as ``min(Poisson(mean), N)`` — a
tau-leaping approximation of the continuous-time Markov chain whose mean
follows the deterministic law.
"""

from __future__ import annotations

import numpy as np

LAW_EXPONENTS = {"square": (1.0, 0.0), "linear": (1.0, 1.0), "logarithmic": (0.0, 1.0)}


def exponents(law: str, p: float = 1.0, q: float = 1.0) -> tuple[float, float]:
    """(p, q) of a Lanchester-family law; ``power`` uses the given p, q."""
    if law == "power":
        return float(p), float(q)
    return LAW_EXPONENTS[law]


def _rates(a, b, k_a, k_b, p, q):
    a = np.maximum(a, 0.0)
    b = np.maximum(b, 0.0)
    both = (a > 0) & (b > 0)
    da = np.where(both, -k_a * np.power(b, p) * np.power(a, q), 0.0)
    db = np.where(both, -k_b * np.power(a, p) * np.power(b, q), 0.0)
    return da, db


def lanchester_step(a, b, k_a, k_b, p, q, dt, substeps: int = 8):
    """Integrate the power-form ODE over ``dt`` hours; returns new ``(a, b)``.

    ``k_a`` is the coefficient of A's losses (it carries B's effectiveness),
    ``k_b`` that of B's. Strengths never go below zero.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    h = dt / substeps
    for _ in range(substeps):
        a1, b1 = _rates(a, b, k_a, k_b, p, q)
        a2, b2 = _rates(a + 0.5 * h * a1, b + 0.5 * h * b1, k_a, k_b, p, q)
        a3, b3 = _rates(a + 0.5 * h * a2, b + 0.5 * h * b2, k_a, k_b, p, q)
        a4, b4 = _rates(a + h * a3, b + h * b3, k_a, k_b, p, q)
        a = np.maximum(a + h / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4), 0.0)
        b = np.maximum(b + h / 6.0 * (b1 + 2 * b2 + 2 * b3 + b4), 0.0)
    return a, b


def dupuy_loss(n, daily_rate, dt):
    """Expected loss over ``dt`` hours at a constant ``daily_rate`` (share/day)."""
    return np.asarray(n, dtype=float) * -np.expm1(-np.asarray(daily_rate) * dt / 24.0)


def realise(mean_loss, n, rng: np.random.Generator | None):
    """Turn expected losses into realised ones.

    ``rng is None`` → deterministic (the mean itself). Otherwise a Poisson draw
    with that mean, capped at the ``n`` men present.
    """
    mean_loss = np.clip(mean_loss, 0.0, None)
    if rng is None:
        return np.minimum(mean_loss, n)
    return np.minimum(rng.poisson(mean_loss).astype(float), n)


def square_law_invariant(a, b, k_a, k_b):
    """k_B·A² − k_A·B²: constant along a square-law trajectory."""
    return k_b * np.square(a) - k_a * np.square(b)


def linear_law_invariant(a, b, k_a, k_b):
    """k_B·A − k_A·B: constant along a linear-law trajectory."""
    return k_b * a - k_a * b
