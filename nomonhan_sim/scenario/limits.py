"""Physical limits of a scenario: strict number types, ranges with units, size caps.

Every number a scenario file gives must be finite (TOML's ``nan`` and ``inf`` are
refused) and of its own type: ``true``/``false`` is not a number, and a text such as
``"yes"`` is not ``true``. Each field has a range in its own unit, stated in its
description; the caps below bound what one file may ask of the engine so that a run
stays finite in time and memory. The caps are generous for the model's scale (the
largest CDB90 force is 2.2 million men, its longest battle 130 days): a file beyond
them is almost surely a typo.

A distribution must stay inside its field's range over everything it can draw
(:attr:`~nomonhan_sim.scenario.quantity.Distribution.bounds`): a ``normal`` needs
``low`` truncation where the field has a lower bound (men, counts, distances). Above,
a ``normal`` or ``lognormal`` without ``high`` is judged by its one-in-a-billion upper
quantile (mean + 6 sd; median x exp(6 sigma)).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict

# --- size caps (counts of items in one file) ---------------------------------------
#: Largest scenario file, bytes (4 MiB; the bundled scenarios are about 150 kB).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: Deepest nesting of tables and arrays (a scenario needs about 6).
MAX_DEPTH = 32
#: Most places (nodes of the ground graph) in one scenario.
MAX_PLACES = 1_000
#: Most routes (edges of the ground graph).
MAX_ROUTES = 5_000
#: Most units.
MAX_UNITS = 1_000
#: Most orders.
MAX_ORDERS = 10_000
#: Most entries of any other list (replacements, depots, fleets, via places, ...).
MAX_LIST_ITEMS = 10_000
#: Caps of the top-level lists, by field (others: :data:`MAX_LIST_ITEMS`).
LIST_CAPS = {"places": MAX_PLACES, "routes": MAX_ROUTES, "units": MAX_UNITS, "orders": MAX_ORDERS}

# --- ranges (units in the names) --------------------------------------------------
#: Most men in one unit (the largest CDB90 force: 2.2 million).
MAX_MEN_PER_UNIT = 5_000_000
#: Most pieces of one equipment class in one unit (CDB90's largest: about 18,000 guns).
MAX_PIECES_PER_CLASS = 1_000_000
#: Most trucks in one fleet.
MAX_TRUCKS = 1_000_000
#: Largest distance, coordinate (absolute) or front width, km (half the Earth's circumference).
MAX_KM = 20_000.0
#: Highest march or truck speed, km/h.
MAX_SPEED_KMH = 200.0
#: Largest load of one truck, t.
MAX_PAYLOAD_TONS = 100.0
#: Largest stock, issue rate, route capacity or requirement, t (or t per day).
MAX_TONS = 1.0e8
#: Highest consumption rate, t per 1,000 men per day.
MAX_CONSUMPTION = 10_000.0
#: Longest simulated span, hours (366 days; CDB90's longest battle: 130 days).
MAX_DURATION_HOURS = 24.0 * 366
#: Shortest combat step, hours (3 minutes).
MIN_COMBAT_STEP_HOURS = 0.05
#: Longest combat step, hours.
MAX_COMBAT_STEP_HOURS = 24.0
#: Longest supply build-up before engine.start, days.
MAX_BUILDUP_DAYS = 400
#: Longest repair or stock time, days.
MAX_DAYS = 366.0
#: Highest quality or CEV multiplier of combat power (no unit).
MAX_MULTIPLIER = 10.0
#: Highest Poisson rate of random interdictions, events per day.
MAX_EVENTS_PER_DAY = 100.0
#: Largest sigma (of the log) of a lognormal distribution.
MAX_LOG_SIGMA = 5.0
#: Years engine.start may fall in (calendar arithmetic stays far inside Python's range).
YEARS = (1000, 2999)


def _num(x: float) -> str:
    """A number for a message: 3000 not 3000.0 or 3e+03, 0.25 as is."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


# --- strict types ------------------------------------------------------------------
#: A finite number: an integer or a float, never a bool or a text (``allow_inf_nan=False``
#: is set on every scenario model as well).
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
#: A whole number, never a bool, a float or a text.
Count = Annotated[int, Strict()]
#: true or false, never 1, 0 or a text such as "yes".
Flag = Annotated[bool, Strict()]
#: An identifier (of a side, place, unit, depot, fleet or group): it appears in outcome
#: column names, which use dots and colons, so lowercase letters, digits and ``_`` only.
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]


def _no_number(v: Any) -> Any:
    if isinstance(v, (bool, int, float)):
        raise ValueError(f"expected a date-time such as 1939-08-20T06:00:00, found {v!r}")
    return v


#: A date-time from a TOML date-time, a date or an ISO text; never a number (which
#: pydantic would read as seconds since 1970).
DateTime = Annotated[_dt.datetime, BeforeValidator(_no_number)]


def _no_number_time(v: Any) -> Any:
    if isinstance(v, (bool, int, float)):
        raise ValueError(f"expected a clock time such as 19:30 or \"19:30\", found {v!r}")
    return v


#: A clock time from a TOML local time or a text such as ``"19:30"``; never a number (which
#: pydantic would read as seconds after midnight, in UTC).
ClockTime = Annotated[_dt.time, BeforeValidator(_no_number_time)]


# --- ranges of quantities ----------------------------------------------------------
#: Standard normal deviate exceeded once in a billion draws: how far a distribution
#: without an upper bound (``normal``, ``lognormal`` without ``high``) is taken to reach.
_TAIL_Z = 6.0


def _bounds(q: Any) -> tuple[float, float, str]:
    """(lowest, highest, how to show q) of a number or a distribution. A distribution
    without an upper bound reaches up to its one-in-a-billion quantile (mean + 6 sd,
    median x exp(6 sigma)); its lower bound is exact (draws below it are impossible)."""
    b = getattr(q, "bounds", None)
    if b is None:
        return float(q), float(q), _num(q)
    lo, hi = b
    shown = f"a {q.dist} distribution from {_num(lo)} to {_num(hi)}"
    if not math.isfinite(hi) and q.dist in ("normal", "lognormal"):
        far = (q.mean + _TAIL_Z * q.sd if q.dist == "normal"
               else q.median * math.exp(_TAIL_Z * q.sigma))
        hi, shown = far, shown + f" (reaching {_num(far)} once in a billion draws)"
    return lo, hi, shown


@dataclass(frozen=True)
class Range:
    """Allowed values of a quantity in its unit: ``lo`` to ``hi`` (open ends excluded).

    ``what`` names the value in a message ("a share", "a number of men"); ``text``, when
    given, replaces the generated condition (e.g. "> 0 (at least 1)").
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    unit: str = ""
    what: str = "a number"
    text: str = ""

    def condition(self) -> str:
        """The range as words: ``in [0, 1]``, ``> 0 and <= 200 km/h``."""
        if self.text:
            return self.text
        if self.what.startswith("a share"):
            return (f"in {'(' if self.lo_open else '['}{_num(self.lo)}, {_num(self.hi)}"
                    f"{')' if self.hi_open else ']'}")
        out = f"{'>' if self.lo_open else '>='} {_num(self.lo)}"
        if math.isfinite(self.hi):
            out += f" and {'<' if self.hi_open else '<='} {_num(self.hi)}"
        return out + (f" {self.unit}" if self.unit else "")

    def holds(self, lo: float, hi: float) -> bool:
        """Whether every value from ``lo`` to ``hi`` is allowed."""
        above = lo > self.lo if self.lo_open else lo >= self.lo
        below = hi < self.hi if self.hi_open else hi <= self.hi
        finite = (math.isfinite(lo) or self.lo == -math.inf) and (math.isfinite(hi) or self.hi == math.inf)
        return finite and above and below

    def check(self, q: Any) -> Any:
        """``q`` unchanged, or ValueError("expected ..., found ...")."""
        lo, hi, shown = _bounds(q)
        if not self.holds(lo, hi):
            raise ValueError(f"expected {self.what} {self.condition()}, found {shown}")
        return q

    def validator(self) -> AfterValidator:
        """A pydantic after-validator checking this range."""
        return AfterValidator(self.check)


SHARE = Range(0.0, 1.0, what="a share")
SHARE_POSITIVE = Range(0.0, 1.0, lo_open=True, what="a share")


@dataclass(frozen=True)
class _Men(Range):
    """Men of a unit: > 0 (the message for zero or less), and from 1 to the cap."""

    def check(self, q: Any) -> Any:
        lo, _, shown = _bounds(q)
        if not lo > 0:
            raise ValueError(f"expected a number of men > 0, found {shown}")
        return super().check(q)


MEN = _Men(1.0, MAX_MEN_PER_UNIT, what="a number of men")
MEN_JOINING = Range(0.0, MAX_MEN_PER_UNIT, what="a number of men")
PIECES = Range(0.0, MAX_PIECES_PER_CLASS, what="a count", unit="pieces")
TRUCKS = Range(0.0, MAX_TRUCKS, what="a count", unit="trucks")
DISTANCE = Range(0.0, MAX_KM, lo_open=True, what="a distance", unit="km")
SPEED = Range(0.0, MAX_SPEED_KMH, lo_open=True, what="a speed", unit="km/h")
PAYLOAD = Range(0.0, MAX_PAYLOAD_TONS, lo_open=True, what="a load", unit="t")
TONS = Range(0.0, MAX_TONS, what="tons", unit="t")
TONS_PER_DAY = Range(0.0, MAX_TONS, what="tons per day", unit="t/day")
CONSUMPTION = Range(0.0, MAX_CONSUMPTION, what="a rate", unit="t per 1,000 men per day")
HOURS = Range(0.0, MAX_DURATION_HOURS, what="hours", unit="h")
HOURS_POSITIVE = Range(0.0, MAX_DURATION_HOURS, lo_open=True, what="hours", unit="h")
DAYS = Range(0.0, MAX_DAYS, what="days", unit="days")
DAYS_POSITIVE = Range(0.0, MAX_DAYS, lo_open=True, what="days", unit="days")
MULTIPLIER = Range(0.0, MAX_MULTIPLIER, lo_open=True, what="a multiplier")


def Ranged(r: Range):  # noqa: N802 (reads as a type)
    """``Annotated[Quantity, <check r>]`` for a field: a number or distribution within ``r``."""
    from .quantity import Quantity  # local: quantity imports this module

    return Annotated[Quantity, r.validator()]


# --- parameter ranges ----------------------------------------------------------------
_INF = math.inf
#: Ranges of the model parameters (``[parameters.<name>]``) by name; a name not listed
#: takes the rule of its ending (:func:`parameter_range`).
PARAMETER_RANGES: dict[str, Range] = {
    "power_p": Range(0.0, 4.0, what="an exponent"),
    "power_q": Range(0.0, 4.0, what="an exponent"),
    "armour_antitank_exponent": Range(0.0, 4.0, what="an exponent"),
    "march_delay_sigma": Range(0.0, MAX_LOG_SIGMA, what="a sigma of the log"),
    "isolation_power_halflife_hours": Range(0.0, _INF, lo_open=True, what="hours", unit="h"),
    "engaged_men_per_km": Range(0.0, MAX_MEN_PER_UNIT, lo_open=True, what="men per km"),
    "casualty_rate_multiplier": Range(0.0, 1000.0, what="a multiplier"),
    "model_form_multiplier": Range(0.0, _INF, what="a multiplier"),
    "night_march_speed_factor": Range(0.0, 1.0, what="a share"),
    "hunger_breakpoint_loss_per_day": Range(0.0, 10.0, what="a relative loss per day"),
    "pocket_shortage_surrender_multiplier": Range(0.0, 1000.0, what="a multiplier"),
    "pocket_hazard_growth_per_day": Range(0.0, 100.0, what="a relative rise per day"),
}
#: Rules by the end (or start) of a parameter's name, tried in order.
_SUFFIX_RANGES: tuple[tuple[str, Range], ...] = (
    ("_share", SHARE),
    ("_rate", SHARE),  # dupuy_*_rate: share per day; pocket_*_rate: share per hour
    ("_kmh", SPEED),
    ("road_factor_", Range(0.0, 10.0, lo_open=True, what="a speed multiplier")),
    ("_hours", HOURS),
    ("_km", Range(0.0, MAX_KM, what="a distance", unit="km")),
    ("_men", MEN_JOINING),
)


def parameter_range(name: str) -> Range:
    """The range of parameter ``name`` (its base name, without ``.<side>``): listed in
    :data:`PARAMETER_RANGES`, else by its ending (``_share`` and ``_rate`` in [0, 1],
    ``_kmh`` a speed, ``_hours`` hours, ...), else any number >= 0 up to 1e9."""
    if name in PARAMETER_RANGES:
        return PARAMETER_RANGES[name]
    for key, r in _SUFFIX_RANGES:
        if name.endswith(key) or (key.endswith("_") and name.startswith(key)):
            return r
    return Range(0.0, 1e9, what="a number")
