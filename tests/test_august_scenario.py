"""The August 1939 scenario and its frontal counterfactual."""

from __future__ import annotations


import numpy as np
import pytest
from scipy import stats

from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.scenario import load_scenario
from conftest import SCENARIOS
from sourcing import uncited

AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"
FRONTAL = SCENARIOS / "khalkhin_gol_1939_august_frontal.toml"


@pytest.fixture(scope="module")
def august():
    return load_scenario(AUGUST)


@pytest.fixture(scope="module")
def frontal():
    return load_scenario(FRONTAL)


def test_every_figure_carries_a_source(august):
    assert uncited(august.model, conditions=True) == []


def test_order_of_battle_has_the_named_formations(august):
    names = " ".join(u.name for u in august.model.units)
    for f in ("57th", "82nd", "36th", "6th Tank", "11th Tank", "7th Motor", "8th Motor", "9th Motor",
              "5th Rifle", "212th", "Mongolian", "64th", "71st", "72nd", "26th", "28th", "Manchukuo"):
        assert f in names, f
    sides = {u.side for u in august.model.units}
    assert sides == {"soviet", "japanese"}
    groups = {u.group for u in august.model.units if u.side == "soviet"}
    assert {"southern", "central", "northern"} <= {g for g in groups if g}


def test_frontal_variant_differs_only_in_orders(august, frontal):
    a, f = august.model, frontal.model
    assert a.units == f.units and a.places == f.places and a.routes == f.routes
    assert a.parameters == f.parameters and a.engine == f.engine
    assert a.orders != f.orders


def test_envelopment_costs_fewer_soviet_losses_per_japanese_loss(august, frontal):
    """Same seed (common random numbers), 200 replicates each."""
    kw = dict(replicates=200, seed=20, chunk_size=100, workers=1)
    env = run_experiment(august, **kw).outcomes
    fro = run_experiment(frontal, **kw).outcomes
    r_env = env["casualties.soviet"] / env["casualties.japanese"]
    r_fro = fro["casualties.soviet"] / fro["casualties.japanese"]
    assert r_fro.sum() / len(r_fro) > r_env.sum() / len(r_env)
    assert stats.wilcoxon(r_fro, r_env, alternative="greater").pvalue < 0.01
    # the envelopment closes a ring in most worlds; the frontal attack in few or none
    assert np.isfinite(env["ring_closed_day"]).mean() > 0.5
    assert np.isfinite(fro["ring_closed_day"]).mean() < np.isfinite(env["ring_closed_day"]).mean()
