"""Shared helpers: load fixture scenarios and variants of them built in Python."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import numpy as np
import pytest

from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.simulation import run_batch
from nomonhan_sim.scenario import scenario_from_dict

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent
SCENARIOS = ROOT / "scenarios"
SHARED = ROOT.parent / "shared"


def fixture_dict(name: str) -> dict:
    return tomllib.loads((FIXTURES / name).read_text())


def duel(law: str = "square", blue: float = 3000, red: float = 2000, q_blue: float = 1.0,
         q_red: float = 1.0, stochastic: bool = False, hours: float = 48, params: dict | None = None):
    """The two-unit duel fixture with the given law, strengths and qualities."""
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["engine"].update(attrition_law=law, stochastic=stochastic, duration_hours=hours)
    d["units"][0].update(personnel=blue, quality=q_blue)
    d["units"][1].update(personnel=red, quality=q_red)
    for name, value in (params or {}).items():
        d.setdefault("parameters", {})[name] = {"value": value, "source": "test"}
    return scenario_from_dict(d, "duel")


def run(sc, R: int = 1, seed: int = 0, **kw):
    return run_batch(compile_scenario(sc), R, np.random.SeedSequence(seed), **kw)


@pytest.fixture
def pocket_dict():
    return copy.deepcopy(fixture_dict("pocket.toml"))
