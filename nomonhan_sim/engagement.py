"""One engagement, described from both sides, as an ordinary scenario.

An :class:`Engagement` is a two-sided description at the scale of a CDB90 row: each
side's men, tanks, guns and aircraft, the defender's posture, the terrain, the
duration of the fighting in days, the front width (the objective's ``frontage_km``:
the density limit of :mod:`nomonhan_sim.model.frontage`), and the conditions (weather,
surprise, air superiority, each side's CEV). :func:`engagement_scenario`
writes it as a scenario — an objective place held by the defender, with each side's
rear behind it — and validates it with the same loader as a scenario file, so it
runs through the same compile → engine → outcomes path as any scenario (there is no
second casualty formula). :func:`run_engagement` runs it.

Units: men, pieces, days, km. Both forces stand on the objective at hour 0 (contact);
the attacker in the attack posture, the defender in ``posture`` with the matching
fortification of the place. The engine's settings are the package defaults
(Dupuy daily casualty rates, hourly combat steps, stochastic), the parameters the
package defaults; breakpoints are the scenario default (a side that has lost half its
men breaks and withdraws, which ends its losses).

The conditions become the scenario's ``[conditions]`` table (QJM factors,
:mod:`nomonhan_sim.model.conditions`), and are also named in the scenario description:

* ``weather``: a CDB90 weather code (``WX1``, e.g. ``DSHST``: precipitation, sky,
  temperature, season, climate) or words naming a QJM row (``"dry, sunny, hot"``); read by
  :func:`qjm_weather` (table there) and, for the season, :func:`qjm_season`;
* ``surprise``: CDB90's signed code −3 … +3 (+ = achieved by the attacker, − by the
  defender; 1 minor, 2 substantial, 3 complete), for the QJM's three days from hour 0 with
  its daily decay;
* ``air_superiority``: CDB90's signed code −1, 0, +1 (+1 = the attacker has it);
* ``cev``: combat effectiveness value by side id (``{"attacker": 1.2}``; default 1). CDB90's
  own CEA is judged from the outcome of the battle and must not be used as an input.

Not modelled, and recorded in the scenario description so that nobody reads a result as
if it were: aircraft (no air model; air superiority acts through the QJM factors only).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import re
import typing
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .experiment.runner import run_experiment
from .scenario.loader import LoadedScenario, scenario_from_dict
from .scenario.schema import WeatherRow
from .vocabulary.classes import TERRAINS

#: Defender postures an engagement may name (scenario postures less attack/reserve).
DEFENDER_POSTURES = ("hasty", "prepared", "fortified")
#: Side ids of an engagement scenario (so its outcome columns are casualties.attacker, ...).
SIDES = ("attacker", "defender")
#: Descriptors an engagement carries that the combat model does not use yet.
NOT_MODELLED = ("aircraft",)

#: The neutral QJM weather row (all weather factors 1).
NEUTRAL_WEATHER = "dry_sunshine_temperate"
WEATHER_ROWS: tuple[str, ...] = typing.get_args(WeatherRow)

#: CDB90 weather code, first three characters (precipitation D dry / W wet; sky S sunny,
#: O overcast, L light or H heavy precipitation; temperature H hot, T temperate, C cold;
#: 0 = not available) -> QJM weather row. The codes of the WWII battles, each stated; CDB90's
#: "hot" and "cold" are read as the QJM's "extreme heat" and "extreme cold". Where the QJM
#: has no row, the nearest: dry with the sky unknown (D0x) -> sunshine, the commonest dry
#: sky in CDB90 (DST 348 battles, DOT 35); wet with the amount unknown (W0x) -> light
#: precipitation, the commoner and milder (WLT 64, WHT 34).
CDB90_WEATHER = {
    "DST": "dry_sunshine_temperate", "DSH": "dry_sunshine_extreme_heat", "DSC": "dry_sunshine_extreme_cold",
    "DOT": "dry_overcast_temperate", "DOC": "dry_overcast_extreme_cold",
    "D0T": "dry_sunshine_temperate", "D0C": "dry_sunshine_extreme_cold",
    "WLT": "wet_light_temperate", "WLC": "wet_light_extreme_cold",
    "WHT": "wet_heavy_temperate", "WHC": "wet_heavy_extreme_cold", "WHH": "wet_heavy_extreme_heat",
    "W0C": "wet_light_extreme_cold",
}
_CDB90_CODE = re.compile(r"^[DW0][SOLH0][HTC0]([S$WF0][EDT0]?)?$")
_WORDS = {"dry": ("p", "dry"), "wet": ("p", "wet"),
          "sunny": ("s", "sunshine"), "sunshine": ("s", "sunshine"), "clear": ("s", "sunshine"),
          "overcast": ("s", "overcast"), "light": ("s", "light"), "heavy": ("s", "heavy"),
          "hot": ("t", "extreme_heat"), "heat": ("t", "extreme_heat"), "cold": ("t", "extreme_cold"),
          "temperate": ("t", "temperate"), "extreme": (None, None)}
_SEASONS = {"S": "summer", "$": "spring", "W": "winter", "F": "fall"}
_CLIMATES = {"E": "jungle", "D": "desert", "T": "temperate"}
#: CDB90 surprise magnitude -> QJM surprise level.
SURPRISE_LEVELS = {1: "minor", 2: "substantial", 3: "complete"}


def _row(precipitation: str | None, sky: str | None, temperature: str | None) -> str:
    """The QJM row of the three parts (None = not given): light or heavy precipitation is
    wet; wet without an amount is light; otherwise dry, sunshine unless overcast."""
    if sky in ("light", "heavy"):
        head = f"wet_{sky}"
    elif precipitation == "wet":
        head = "wet_light"
    elif sky == "overcast":
        head = "dry_overcast"
    else:
        head = "dry_sunshine"
    return f"{head}_{temperature or 'temperate'}"


def qjm_weather(text: str) -> str:
    """The QJM weather row of an engagement's ``weather``: empty -> the neutral row; a QJM
    row id as it is; a CDB90 code by :data:`CDB90_WEATHER` (codes not in it by the same
    rule: L/H sky -> wet light/heavy, W with another sky -> wet light, O -> dry overcast,
    otherwise dry sunshine; temperature 0 -> temperate; ``000`` -> neutral); otherwise
    words (dry/wet, sunny/overcast/light/heavy, hot/temperate/cold; missing parts: dry,
    sunshine, temperate). Raises ValueError for anything else."""
    t = (text or "").strip()
    if not t or t in WEATHER_ROWS:
        return t or NEUTRAL_WEATHER
    if _CDB90_CODE.match(t):
        if t[:3] in CDB90_WEATHER:
            return CDB90_WEATHER[t[:3]]
        if t[:3] == "000":
            return NEUTRAL_WEATHER
        p = {"D": "dry", "W": "wet"}.get(t[0])
        sky = {"S": "sunshine", "O": "overcast", "L": "light", "H": "heavy"}.get(t[1])
        return _row(p, sky, {"H": "extreme_heat", "T": "temperate", "C": "extreme_cold"}.get(t[2]))
    parts: dict[str, str] = {}
    for word in re.findall(r"[a-z]+", t.lower()):
        if word not in _WORDS:
            raise ValueError(f"weather: expected a CDB90 weather code (e.g. DSHST), a QJM weather row "
                             f"({', '.join(WEATHER_ROWS)}) or words such as 'dry, sunny, hot'; found {text!r}")
        kind, value = _WORDS[word]
        if kind:
            parts[kind] = value
    return _row(parts.get("p"), parts.get("s"), parts.get("t"))


def qjm_season(text: str) -> str | None:
    """The QJM season row of a CDB90 weather code's 4th and 5th characters (season S/$/W/F,
    climate E tropical -> jungle, D desert, T temperate); None when the code has none or
    either is 0 (then no season factors)."""
    t = (text or "").strip()
    if not _CDB90_CODE.match(t) or len(t) < 5 or t[3] not in _SEASONS or t[4] not in _CLIMATES:
        return None
    return f"{_SEASONS[t[3]]}_{_CLIMATES[t[4]]}"


def _signed_code(name: str, value, largest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value) or abs(value) > largest:
        raise ValueError(f"{name} must be a whole number from -{largest} to {largest}, found {value!r}")
    return int(value)


@dataclass(frozen=True)
class Force:
    """One side of an engagement: men (> 0), tanks, guns (artillery pieces) and aircraft
    (pieces, >= 0), quality (combat-power multiplier, 1 = average)."""

    name: str
    men: float
    tanks: float = 0.0
    guns: float = 0.0
    aircraft: float = 0.0
    quality: float = 1.0

    def __post_init__(self) -> None:
        for f in ("men", "tanks", "guns", "aircraft", "quality"):
            v = getattr(self, f)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)):
                raise ValueError(f"{self.name}: {f} must be a finite number, found {v!r}")
            if v < 0 or (f in ("men", "quality") and v <= 0):
                raise ValueError(f"{self.name}: {f} must be {'> 0' if f in ('men', 'quality') else '>= 0'}, found {v}")


@dataclass(frozen=True)
class Engagement:
    """A two-sided engagement description (see the module docstring for what is used).

    ``duration_days``: length of the fighting (days, > 0); ``posture``: the
    defender's (hasty, prepared, fortified); ``terrain``: a QJM terrain class
    (``nomonhan_sim.vocabulary.TERRAINS``); ``start``: date of the first day;
    ``weather``: a CDB90 weather code or words (:func:`qjm_weather`); ``surprise``
    (−3 … 3) and ``air_superiority`` (−1 … 1): CDB90-style signed codes (+ favours the
    attacker); ``front_km``: front width; ``source``: where the figures come from;
    ``parameters``: the scenario's own ``[parameters]`` table (name -> {value, unit,
    source}), merged over the package defaults as in any scenario file; ``cev``: combat
    effectiveness value by side id (``attacker``, ``defender``; > 0, default 1).
    """

    name: str
    attacker: Force
    defender: Force
    duration_days: float
    posture: str = "hasty"
    terrain: str = "rolling_mixed"
    start: _dt.datetime = _dt.datetime(1940, 1, 1, 6, 0)
    weather: str = ""
    surprise: float = 0.0
    air_superiority: float = 0.0
    front_km: float | None = None
    source: str = "estimate: engagement description given in Python"
    extra: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    cev: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (isinstance(self.duration_days, (int, float)) and math.isfinite(self.duration_days)
                and self.duration_days > 0):
            raise ValueError(f"{self.name}: duration_days must be a finite number > 0, found {self.duration_days!r}")
        if self.posture not in DEFENDER_POSTURES:
            raise ValueError(f"{self.name}: posture must be one of {', '.join(DEFENDER_POSTURES)}, "
                             f"found {self.posture!r}")
        if self.front_km is not None and not (isinstance(self.front_km, (int, float)) and math.isfinite(self.front_km)
                                              and self.front_km > 0):
            raise ValueError(f"{self.name}: front_km must be a finite number > 0 or None, found {self.front_km!r}")
        if self.terrain not in TERRAINS:
            raise ValueError(f"{self.name}: terrain must be one of {', '.join(TERRAINS)}, found {self.terrain!r}")
        try:
            qjm_weather(self.weather)
            _signed_code("surprise", self.surprise, 3)
            _signed_code("air_superiority", self.air_superiority, 1)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}") from None
        for side, v in self.cev.items():
            if side not in SIDES:
                raise ValueError(f"{self.name}: cev: expected a side id ({', '.join(SIDES)}), found {side!r}")
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ValueError(f"{self.name}: cev.{side} must be a finite number > 0, found {v!r}")

    def with_(self, **changes) -> "Engagement":
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


def _unit(side: str, f: Force, posture: str, source: str, front: bool) -> dict:
    equipment = {k: v for k, v in (("tanks", f.tanks), ("guns", f.guns)) if v > 0}
    return {"id": f"{side}_force", "side": side, "name": f.name, "type": "rifle", "echelon": "division",
            "personnel": float(f.men), "equipment": equipment, "quality": float(f.quality),
            "posture": posture, "start": "objective", "front_force": front, "source": source}


def conditions_dict(e: Engagement) -> dict | None:
    """The ``[conditions]`` table of ``e`` (module docstring), or None when every condition
    is neutral."""
    cond: dict = {}
    row, season = qjm_weather(e.weather), qjm_season(e.weather)
    if row != NEUTRAL_WEATHER:
        cond["weather"] = row
    if season is not None:
        cond["season"] = season
    air = _signed_code("air_superiority", e.air_superiority, 1)
    if air:
        cond["air_superiority"] = SIDES[0] if air > 0 else SIDES[1]
    sur = _signed_code("surprise", e.surprise, 3)
    if sur:
        cond["surprise"] = {"side": SIDES[0] if sur > 0 else SIDES[1], "level": SURPRISE_LEVELS[abs(sur)]}
    cev = {s: float(v) for s, v in e.cev.items() if v != 1}
    if cev:
        cond["cev"] = cev
    if not cond:
        return None
    read = [f"weather {e.weather!r} -> QJM {row}" + (f", season {season}" if season else "")] if e.weather else []
    read += [f"surprise {sur:+d}" if sur else "", f"air superiority {air:+d}" if air else ""]
    cond["source"] = (f"{e.source}; " + ", ".join(r for r in read if r)
                      + " (nomonhan_sim.engagement: CDB90-style codes to QJM conditions)")
    return cond


def engagement_dict(e: Engagement) -> dict:
    """The scenario mapping of ``e`` (what a scenario file of the same battle holds)."""
    unused = {k: getattr(e, k) for k in NOT_MODELLED if hasattr(e, k)}        # engagement-level
    unused.update({f"aircraft.{s}": getattr(e, s).aircraft for s in SIDES})    # per force
    note = "; ".join(f"{k} = {v}" for k, v in unused.items() if v not in (None, "", 0, 0.0))
    cond = conditions_dict(e)
    used = {"weather": e.weather, "surprise": e.surprise, "air_superiority": e.air_superiority,
            **{f"cev.{s}": v for s, v in e.cev.items()}}
    shown = "; ".join(f"{k} = {v}" for k, v in used.items() if v not in (None, "", 0, 0.0))
    src = e.source
    return {
        "scenario": {"name": e.name,
                     "description": "One engagement (nomonhan_sim.engagement). Not modelled: "
                                    + (note or "nothing given")
                                    + (f". Conditions ([conditions]): {shown}" if cond else ""),
                     "question": f"How many casualties does each side suffer in {e.name}?"},
        "engine": {"start": e.start, "duration_hours": float(e.duration_days) * 24.0},
        "sides": {"attacker": {"name": e.attacker.name, "supply_sources": ["attacker_rear"],
                               "rear": "attacker_rear"},
                  "defender": {"name": e.defender.name, "supply_sources": ["defender_rear"],
                               "rear": "defender_rear"}},
        "places": [
            {"id": "attacker_rear", "name": "Attacker's rear", "x_km": -5.0, "y_km": 0.0,
             "holder": "attacker", "source": "derived: engagement layout (nomonhan_sim.engagement)"},
            {"id": "objective", "name": "Objective", "x_km": 0.0, "y_km": 0.0, "terrain": e.terrain,
             "fortification": e.posture, "holder": "defender", "source": src,
             **({"frontage_km": float(e.front_km)} if e.front_km else {})},
            {"id": "defender_rear", "name": "Defender's rear", "x_km": 5.0, "y_km": 0.0,
             "holder": "defender", "source": "derived: engagement layout (nomonhan_sim.engagement)"},
        ],
        "routes": [
            {"from": "attacker_rear", "to": "objective", "km": 5.0,
             "source": "derived: engagement layout (nomonhan_sim.engagement)"},
            {"from": "objective", "to": "defender_rear", "km": 5.0,
             "source": "derived: engagement layout (nomonhan_sim.engagement)"},
        ],
        "units": [_unit("attacker", e.attacker, "attack", src, False),
                  _unit("defender", e.defender, e.posture, src, True)],
        "orders": [{"unit": "attacker_force", "task": "hold"}, {"unit": "defender_force", "task": "hold"}],
        **({"parameters": dict(e.parameters)} if e.parameters else {}),
        **({"conditions": cond} if cond else {}),
    }


def engagement_scenario(e: Engagement) -> LoadedScenario:
    """``e`` as a validated scenario (same loader and checks as a scenario file)."""
    return scenario_from_dict(engagement_dict(e), f"<engagement {e.name}>")


def engagement_seed(seed: int, key: int) -> int:
    """A seed for engagement ``key`` (e.g. a CDB90 isqno) of a suite seeded with ``seed``,
    independent of the order in which engagements are run."""
    return int(np.random.SeedSequence([int(seed), int(key)]).generate_state(1, dtype=np.uint64)[0])


def run_engagement(e: Engagement, replicates: int = 200, seed: int = 0,
                   stochastic: bool | None = None) -> pd.DataFrame:
    """Simulate ``replicates`` worlds of ``e`` in one batch; the per-world outcomes
    (``casualties.attacker``, ``casualties.defender``, men)."""
    # one batch of every world: a one-place scenario holds a few kB per world, far below
    # the memory that MAX_CHUNK_SIZE guards against
    return run_experiment(engagement_scenario(e), replicates=replicates, seed=seed,
                          chunk_size=replicates, workers=1, stochastic=stochastic, force_large=True).outcomes
