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

Wherever a scenario field is a quantity, a plain number is accepted too (it is
fixed). :func:`scaled` multiplies a quantity of either form by a factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .limits import MAX_LOG_SIGMA, Number, _num  # noqa: F401 (_num: imported from here elsewhere)




_NEEDS = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}


class Distribution(BaseModel):
    """A probability distribution for one scalar quantity.

    Every parameter but ``sigma`` is in the quantity's own unit (men, km, hours, ...).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    dist: Literal["fixed", "uniform", "triangular", "normal", "lognormal"] = Field(
        description="The form: fixed (value), uniform (low, high), triangular (low, mode, high), "
        "normal (mean, sd; optional low/high truncation), lognormal (median, sigma; optional low/high).")
    value: Number | None = Field(None, description="fixed: the value.")
    low: Number | None = Field(None, description="uniform, triangular: the lowest value; normal, lognormal: "
                              "optional lower truncation (draws are clipped to it).")
    high: Number | None = Field(None, description="uniform, triangular: the highest value; normal, lognormal: "
                               "optional upper truncation (draws are clipped to it).")
    mode: Number | None = Field(None, description="triangular: the most likely value.")
    mean: Number | None = Field(None, description="normal: the mean.")
    sd: Number | None = Field(None, description="normal: the standard deviation (>= 0).")
    median: Number | None = Field(None, description="lognormal: the median (> 0).")
    sigma: Number | None = Field(None, description="lognormal: standard deviation of the natural log "
                                f"(>= 0 and <= {_num(MAX_LOG_SIGMA)}, no unit).")

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
            raise ValueError(f"sd must be >= 0, found {_num(self.sd)}")
        if self.dist == "lognormal" and not (0 <= self.sigma <= MAX_LOG_SIGMA and self.median > 0):
            raise ValueError(f"lognormal needs median > 0 and sigma from 0 to {_num(MAX_LOG_SIGMA)}; found "
                             f"median = {_num(self.median)}, sigma = {_num(self.sigma)}")
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


#: A number or a distribution; every number in it finite, never a bool or a text.
Quantity = Union[Number, Distribution]


def nominal(q: Quantity) -> float:
    """Central value of a quantity (the number itself if it is fixed)."""
    return q.nominal if isinstance(q, Distribution) else float(q)


def is_uncertain(q: Quantity) -> bool:
    """Whether ``q`` is a distribution other than ``fixed`` (so each world draws its own value)."""
    return isinstance(q, Distribution) and q.dist != "fixed"


def draw(q: Quantity, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of ``q`` as a float array (a number repeated ``n`` times)."""
    if isinstance(q, Distribution):
        return q.draw(rng, n)
    return np.full(n, float(q))


def bounds(q: Quantity) -> tuple[float, float]:
    """Smallest and largest value ``q`` can take, in its own unit."""
    return q.bounds if isinstance(q, Distribution) else (float(q), float(q))


def whole_counts(x: np.ndarray, q: Quantity) -> np.ndarray:
    """Draws ``x`` of the count ``q`` (men, pieces) as whole numbers inside ``q``'s range.

    Each draw is rounded to the nearest whole number and then kept inside
    [ceil(low), floor(high)], the whole numbers of the declared range, so that a draw from
    uniform(9.4, 11) is 10 or 11, never 9. A range that holds no whole number (a fixed
    2.5, uniform(10.2, 10.4)) gives the nearest whole number (``np.round``: halves to
    even), which lies outside it."""
    out = np.round(x)
    lo, hi = bounds(q)
    first, last = np.ceil(lo), np.floor(hi)
    if first <= last:
        out = np.clip(out, first, last)
    return out


#: Distribution parameters in the quantity's unit, multiplied by :func:`scaled`
#: (``sigma``, the spread of the log, is scale-free and stays).
_SCALED = ("value", "low", "high", "mode", "mean", "sd", "median")


def scaled(q: Quantity | Mapping, factor: float) -> Quantity:
    """``q`` multiplied by ``factor`` (a finite number >= 0), in the same form.

    A number gives a number; a distribution gives the same kind of distribution of the
    multiplied quantity: ``fixed`` value, ``uniform``/``triangular`` low, mode and high,
    ``normal`` mean, sd and truncation bounds, ``lognormal`` median and bounds (sigma,
    the spread of the log, is unchanged). A distribution table (a mapping with ``dist``)
    is accepted and returned as a :class:`Distribution`. E.g. half a unit's men:
    ``scaled(unit.personnel, 0.5)``; uniform 2,636-4,000 trucks scaled by 0.5 is
    uniform 1,318-2,000.
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.number)):
        raise TypeError(f"scaled: expected a number as factor, found {factor!r}")
    f = float(factor)
    if not np.isfinite(f) or f < 0:
        raise ValueError(f"scaled: expected a finite factor >= 0, found {factor!r}")
    if isinstance(q, Mapping):
        q = Distribution.model_validate(q)
    if isinstance(q, Distribution):
        update = {k: getattr(q, k) * f for k in _SCALED if getattr(q, k) is not None}
        return Distribution.model_validate({**q.model_dump(), **update})
    if isinstance(q, bool) or not isinstance(q, (int, float, np.number)):
        raise TypeError(f"scaled: expected a number or a distribution, found {q!r}")
    return float(q) * f
