"""Same seed ⇒ identical outcomes, whatever the executor; the batch is honest."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nomonhan_sim.experiment import chunk_seed, plan_chunks, run_experiment
from nomonhan_sim.experiment.outcomes import batch_outcomes
from nomonhan_sim.scenario import scenario_from_dict
from conftest import fixture_dict, run


@pytest.fixture(scope="module")
def pocket():
    return scenario_from_dict(fixture_dict("pocket.toml"), "pocket")


def test_same_seed_gives_identical_outcomes(pocket):
    a = run_experiment(pocket, replicates=60, seed=11, chunk_size=25, workers=1).outcomes
    b = run_experiment(pocket, replicates=60, seed=11, chunk_size=25, workers=1).outcomes
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_give_different_outcomes(pocket):
    a = run_experiment(pocket, replicates=60, seed=11, chunk_size=25, workers=1).outcomes
    b = run_experiment(pocket, replicates=60, seed=12, chunk_size=25, workers=1).outcomes
    assert not np.allclose(a["casualties.red"], b["casualties.red"])


def test_worker_count_and_executor_do_not_change_results(pocket):
    serial = run_experiment(pocket, replicates=60, seed=5, chunk_size=20, workers=1).outcomes
    pool = run_experiment(pocket, replicates=60, seed=5, chunk_size=20, workers=2).outcomes
    with cf.ThreadPoolExecutor(max_workers=3) as ex:
        threads = run_experiment(pocket, replicates=60, seed=5, chunk_size=20, executor=ex).outcomes
    pd.testing.assert_frame_equal(serial, pool)
    pd.testing.assert_frame_equal(serial, threads)


def test_outcomes_carry_seed_and_drawn_inputs(pocket):
    df = run_experiment(pocket, replicates=30, seed=9, chunk_size=10, workers=1).outcomes
    assert df["replicate"].tolist() == list(range(30))
    assert (df["seed"] == 9).all()
    assert df["chunk"].tolist() == [i // 10 for i in range(30)]
    drawn = df["input.units.red_main.personnel"]
    assert drawn.between(7000, 9000).all() and drawn.nunique() > 20
    assert (df["personnel_start.red"] == drawn + 600).all()
    assert "input.parameters.model_form_multiplier" in df.columns  # drawn per world (calibrated lognormal)


def test_chunk_plan_covers_every_replicate_once():
    plan = plan_chunks(1001, 250)
    assert [n for _, _, n in plan] == [250, 250, 250, 250, 1]
    assert [f for _, f, _ in plan] == [0, 250, 500, 750, 1000]
    assert chunk_seed(1, 0).generate_state(2).tolist() != chunk_seed(1, 1).generate_state(2).tolist()


def test_batch_of_R_worlds_matches_R_single_world_runs(pocket):
    """Two-sample KS tests: one batch of 200 worlds vs 200 separate R = 1 runs.

    Fixed seeds make the test deterministic. The three outcomes are tested as one family
    at the 1 % level (Bonferroni: each at 0.01 / 3), so a correct engine fails it with
    probability at most 0.01 for a fresh seed choice (less in practice: ring_closed_day
    takes few distinct values, which makes its KS test conservative).

    History: the earlier seeds (batch 1000, singles 2000 + i) gave casualties.red
    p = 0.0030 under the calibrated defaults. An investigation over 40 fresh seed pairs
    found the p-values uniform (none of 40 whole tests failed; share of casualties.red
    p < 0.01: 0), no batch effect above about 2 % in 4,000 vs 2,000 worlds (p = 0.81), and
    exact equality of every world alone and in a batch of 200 with its own drawn inputs
    (test below): those seeds' singles had drawn an unusually high model-form multiplier
    (log mean +0.13 vs -0.04, KS p = 0.006). The seeds here are the first pair of that
    investigation (batch 10,000,000, singles 20,000,000 + i), taken before it was run on
    this version of the model.
    """
    R = 200
    batch = batch_outcomes(run(pocket, R=R, seed=10_000_000))
    singles = [batch_outcomes(run(pocket, R=1, seed=20_000_000 + i)) for i in range(R)]
    outcomes = ("casualties.blue", "casualties.red", "ring_closed_day")
    for outcome in outcomes:
        b = batch[outcome][np.isfinite(batch[outcome])]
        s = np.array([o[outcome][0] for o in singles])
        s = s[np.isfinite(s)]
        assert b.size > 0.9 * R and s.size > 0.9 * R, outcome
        assert stats.ks_2samp(b, s).pvalue > 0.01 / len(outcomes), outcome


def test_every_world_of_a_batch_equals_itself_run_alone_with_its_own_drawn_inputs(pocket, monkeypatch):
    """Deterministic dynamics, uncertain inputs drawn per world: world i of a batch of 40
    and world i re-run alone (its inputs sliced out of the same batch draw) agree exactly
    on every outcome, whatever its batch-mates do."""
    import dataclasses

    import nomonhan_sim.simulation as sim
    from nomonhan_sim.engine.compiled import compile_scenario
    from nomonhan_sim.engine.state import World
    from nomonhan_sim.simulation import run_batch

    R = 40
    c = compile_scenario(pocket)
    full = batch_outcomes(run_batch(c, R, np.random.SeedSequence(7), stochastic=False))
    draw = sim.draw_world

    def one(world: World, i: int) -> World:
        kw = {}
        for f in dataclasses.fields(World):
            v = getattr(world, f.name)
            if f.name == "R":
                v = 1
            elif f.name in ("params", "drawn"):
                v = {k: a[i:i + 1].copy() for k, a in v.items()}
            elif f.name == "extra":
                v = dict(v)
            else:
                v = v[i:i + 1].copy()
            kw[f.name] = v
        return World(**kw)

    for i in range(R):
        monkeypatch.setattr(sim, "draw_world", lambda c_, R_, ss, i=i: one(draw(c_, R, ss), i))
        alone = batch_outcomes(run_batch(c, 1, np.random.SeedSequence(7), stochastic=False))
        for k, v in full.items():
            a, b = v[i], alone[k][0]
            assert a == b or (np.isnan(a) and np.isnan(b)), (i, k, a, b)


def _fixed(x):
    """A scenario mapping with every distribution replaced by a fixed central value."""
    if isinstance(x, dict):
        if "dist" in x:
            return {"uniform": lambda: (x["low"] + x["high"]) / 2, "lognormal": lambda: x["median"]}.get(
                x["dist"], lambda: x.get("mode", x.get("median", x.get("low"))))()
        return {k: _fixed(v) for k, v in x.items()}
    return [_fixed(v) for v in x] if isinstance(x, list) else x


def test_a_world_comes_out_the_same_alone_or_in_a_batch_of_50():
    """Deterministic mode, every input fixed: all 50 worlds of a batch equal one world run
    alone, exactly (nothing leaks between the worlds of a batch)."""
    from nomonhan_sim.scenario.loader import _default_parameters

    d = _fixed(fixture_dict("pocket.toml"))
    params = d.setdefault("parameters", {})
    for name, table in _default_parameters().items():
        if isinstance(table["value"], dict):
            params[name] = {"value": _fixed(table["value"]), "unit": "-", "source": "test: fixed"}
    sc = scenario_from_dict(d, "pocket fixed")
    batch = batch_outcomes(run(sc, R=50, seed=1, stochastic=False))
    alone = batch_outcomes(run(sc, R=1, seed=1, stochastic=False))
    for outcome in ("casualties.blue", "casualties.red", "ring_closed_day"):
        assert np.all(batch[outcome] == alone[outcome][0]), outcome
