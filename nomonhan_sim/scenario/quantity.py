"""Uncertain quantities: a fixed number or a probability distribution.

A scenario value that sources disagree on is written as a distribution, e.g.
``personnel = { dist = "uniform", low = 40950, high = 57000 }``. Each replicate
world draws its own value; the drawn values are stored beside its outcomes.

Supported distributions (all parameters in the quantity's own unit):

* ``fixed``      — ``value``
* ``uniform``    — ``low``, ``high``
* ``triangular`` — ``low``, ``mode``, ``high``
* ``normal``     — ``mean``, ``sd`` (optionally truncated by ``low``/``high``)
* ``lognormal``  — ``median``, ``sigma`` (sigma of log; optional ``low``/``high``)
"""

from __future__ import annotations

from typing import Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator


def _num(x: float) -> str:
    """A number for a message: 3000 not 3000.0 or 3e+03, 0.25 as is."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


_NEEDS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


class Distribution(BaseModel):
    """A probability distribution for one scalar quantity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dist: Literal["fixed", "uniform", "triangular", "normal", "lognormal"]
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None

    @model_validator(mode="after")
    def _check(self) -> "Distribution":
        missing = [k for k in _NEEDS[self.dist] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"distribution '{self.dist}' needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"expected low <= high, found low = {_num(self.low)}, high = {_num(self.high)}")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):
            raise ValueError(
                f"expected low <= mode <= high, found low = {_num(self.low)}, mode = {_num(self.mode)}, high = {_num(self.high)}"
            )
        if self.dist == "normal" and self.sd < 0:
            raise ValueError(f"sd must be >= 0, found {self.sd}")
        if self.dist == "lognormal" and (self.sigma < 0 or self.median <= 0):
            raise ValueError("lognormal needs median > 0 and sigma >= 0")
        return self

    # -- numeric helpers -------------------------------------------------
    @property
    def nominal(self) -> float:
        """A central value (used for single deterministic runs and tables)."""
        d = self.dist
        if d == "fixed":
            return float(self.value)
        if d == "uniform":
            return 0.5 * (self.low + self.high)
        if d == "triangular":
            return (self.low + self.mode + self.high) / 3.0
        if d == "normal":
            return float(self.mean)
        return float(self.median)

    @property
    def bounds(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce."""
        if self.dist == "fixed":
            return float(self.value), float(self.value)
        lo = -np.inf if self.low is None else self.low
        hi = np.inf if self.high is None else self.high
        if self.dist == "lognormal":
            lo = max(lo, 0.0)
        return float(lo), float(hi)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws as a float array."""
        d = self.dist
        if d == "fixed":
            return np.full(n, float(self.value))
        if d == "uniform":
            return rng.uniform(self.low, self.high, n)
        if d == "triangular":
            if self.low == self.high:
                return np.full(n, float(self.low))
            return rng.triangular(self.low, self.mode, self.high, n)
        if d == "normal":
            x = rng.normal(self.mean, self.sd, n)
        else:
            x = self.median * np.exp(rng.normal(0.0, self.sigma, n))
        lo, hi = self.bounds
        return np.clip(x, lo, hi)


Quantity = Union[float, Distribution]


def nominal(q: Quantity) -> float:
    """Central value of a quantity (the number itself if it is fixed)."""
    return q.nominal if isinstance(q, Distribution) else float(q)


def is_uncertain(q: Quantity) -> bool:
    return isinstance(q, Distribution) and q.dist != "fixed"


def draw(q: Quantity, rng: np.random.Generator, n: int) -> np.ndarray:
    if isinstance(q, Distribution):
        return q.draw(rng, n)
    return np.full(n, float(q))


def bounds(q: Quantity) -> tuple[float, float]:
    return q.bounds if isinstance(q, Distribution) else (float(q), float(q))
