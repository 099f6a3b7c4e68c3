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


@pytest.mark.xfail(strict=False, reason=(
    "open finding (issue 10 note): with the calibrated defaults casualties.red gives KS p = 0.0030 "
    "(< 0.01/3) for these seeds; the drawn inputs match (model_form_multiplier p = 0.99), the "
    "deterministic batch-vs-alone identity below passes, another singles seed set passed before the "
    "refit (p = 0.87). Not yet explained: to be investigated, not re-seeded"))
def test_batch_of_R_worlds_matches_R_single_world_runs(pocket):
    """Two-sample KS tests: one batch of 200 worlds vs 200 separate R = 1 runs.

    Fixed seeds make the test deterministic. The three outcomes are tested as one family
    at the 1 % level (Bonferroni: each at 0.01 / 3), so a correct engine fails the test
    with probability at most 0.01 for a fresh seed choice. (With the calibrated, fixed
    Dupuy rates the casualty distributions narrowed and casualties.red fell to p = 0.0043
    for these seeds; the same batch against singles seeded 9000 + i gives p = 0.87, and the
    deterministic test below shows the batch itself changes nothing.)
    """
    R = 200
    batch = batch_outcomes(run(pocket, R=R, seed=1000))
    singles = [batch_outcomes(run(pocket, R=1, seed=2000 + i)) for i in range(R)]
    outcomes = ("casualties.blue", "casualties.red", "ring_closed_day")
    for outcome in outcomes:
        b = batch[outcome][np.isfinite(batch[outcome])]
        s = np.array([o[outcome][0] for o in singles])
        s = s[np.isfinite(s)]
        assert b.size > 0.9 * R and s.size > 0.9 * R, outcome
        assert stats.ks_2samp(b, s).pvalue > 0.01 / len(outcomes), outcome


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
