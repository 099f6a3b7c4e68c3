"""One engagement, described from both sides, as an ordinary scenario.

An :class:`Engagement` is a two-sided description at the scale of a CDB90 row: each
side's men, tanks, guns and aircraft, the defender's posture, the terrain, the
duration of the fighting in days, and descriptors the model does not use yet
(weather, surprise, air superiority, front width). :func:`engagement_scenario`
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

Not modelled yet, and recorded in the scenario description so that nobody reads a
result as if they were: aircraft / air superiority (no air model), weather, surprise,
front width (no frontage limit). Issue 10 adds them to the combat model.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .experiment.runner import run_experiment
from .scenario.loader import LoadedScenario, scenario_from_dict
from .vocabulary.classes import TERRAINS

#: Defender postures an engagement may name (scenario postures less attack/reserve).
DEFENDER_POSTURES = ("hasty", "prepared", "fortified")
#: Side ids of an engagement scenario (so its outcome columns are casualties.attacker, ...).
SIDES = ("attacker", "defender")
#: Descriptors an engagement carries that the combat model does not use yet.
NOT_MODELLED = ("aircraft", "weather", "surprise", "air_superiority", "front_km")


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
    ``surprise`` and ``air_superiority``: CDB90-style signed codes (+ favours the
    attacker); ``front_km``: front width; ``source``: where the figures come from;
    ``parameters``: the scenario's own ``[parameters]`` table (name -> {value, unit,
    source}), merged over the package defaults as in any scenario file.
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

    def __post_init__(self) -> None:
        if not (isinstance(self.duration_days, (int, float)) and math.isfinite(self.duration_days)
                and self.duration_days > 0):
            raise ValueError(f"{self.name}: duration_days must be a finite number > 0, found {self.duration_days!r}")
        if self.posture not in DEFENDER_POSTURES:
            raise ValueError(f"{self.name}: posture must be one of {', '.join(DEFENDER_POSTURES)}, "
                             f"found {self.posture!r}")
        if self.terrain not in TERRAINS:
            raise ValueError(f"{self.name}: terrain must be one of {', '.join(TERRAINS)}, found {self.terrain!r}")

    def with_(self, **changes) -> "Engagement":
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


def _unit(side: str, f: Force, posture: str, source: str, front: bool) -> dict:
    equipment = {k: v for k, v in (("tanks", f.tanks), ("guns", f.guns)) if v > 0}
    return {"id": f"{side}_force", "side": side, "name": f.name, "type": "rifle", "echelon": "division",
            "personnel": float(f.men), "equipment": equipment, "quality": float(f.quality),
            "posture": posture, "start": "objective", "front_force": front, "source": source}


def engagement_dict(e: Engagement) -> dict:
    """The scenario mapping of ``e`` (what a scenario file of the same battle holds)."""
    unused = {k: getattr(e, k) for k in NOT_MODELLED if hasattr(e, k)}        # engagement-level
    unused.update({f"aircraft.{s}": getattr(e, s).aircraft for s in SIDES})    # per force
    note = "; ".join(f"{k} = {v}" for k, v in unused.items() if v not in (None, "", 0, 0.0))
    src = e.source
    return {
        "scenario": {"name": e.name,
                     "description": "One engagement (nomonhan_sim.engagement). Not modelled: "
                                    + (note or "nothing given"),
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
    return run_experiment(engagement_scenario(e), replicates=replicates, seed=seed,
                          chunk_size=replicates, workers=1, stochastic=stochastic).outcomes
