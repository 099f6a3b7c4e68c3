"""Monte Carlo experiments: many replicates as chunks of batched worlds.

A run is fully determined by (scenario content, seed, replicates, chunk size).
Chunk ``i`` gets the seed sequence ``SeedSequence(seed, spawn_key=(i,))`` and
simulates replicates ``i*chunk_size .. (i+1)*chunk_size - 1`` as one batch, so
the result does not depend on the executor, the number of workers or the order
in which chunks finish. Executors follow :mod:`concurrent.futures`.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .. import __version__
from ..engine.compiled import Compiled, compile_scenario
from ..scenario.loader import LoadedScenario
from ..simulation import run_batch
from ..vocabulary.defaults import DEFAULT_SEED
from .outcomes import outcomes_frame

DEFAULT_CHUNK = 250


@dataclass
class ExperimentResult:
    outcomes: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    scenario: LoadedScenario | None = None


def chunk_seed(seed: int, chunk: int) -> np.random.SeedSequence:
    """The seed sequence of chunk ``chunk`` of a run seeded with ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(chunk,))


def _run_chunk(c: Compiled, seed: int, chunk: int, first: int, n: int,
               stochastic: bool | None) -> pd.DataFrame:
    res = run_batch(c, n, chunk_seed(seed, chunk), stochastic=stochastic)
    return outcomes_frame(res, first_replicate=first, seed=seed, chunk=chunk)


def plan_chunks(replicates: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """``(chunk index, first replicate, size)`` for every chunk."""
    if replicates < 1:
        raise ValueError("replicates must be >= 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    return [(i, f, min(chunk_size, replicates - f))
            for i, f in enumerate(range(0, replicates, chunk_size))]


def run_experiment(scenario: LoadedScenario, replicates: int = 1000, seed: int = DEFAULT_SEED,
                   chunk_size: int = DEFAULT_CHUNK, workers: int | None = None,
                   executor: cf.Executor | None = None, stochastic: bool | None = None,
                   progress: Callable[[int], None] | None = None) -> ExperimentResult:
    """Run ``replicates`` worlds of ``scenario``.

    ``workers``: processes for the default local pool (``1`` = serial in this
    process; default: the number of CPUs, at most the number of chunks).
    ``executor``: any :class:`concurrent.futures.Executor` to use instead.
    ``progress``: called with the number of replicates each time a chunk ends.
    """
    c = compile_scenario(scenario)
    chunks = plan_chunks(replicates, chunk_size)
    frames: dict[int, pd.DataFrame] = {}
    if workers is None:
        workers = min(len(chunks), os.cpu_count() or 1)
    if executor is None and workers <= 1:
        for i, first, n in chunks:
            frames[i] = _run_chunk(c, seed, i, first, n, stochastic)
            if progress:
                progress(n)
    else:
        own = executor is None
        ex = executor or cf.ProcessPoolExecutor(max_workers=workers)
        try:
            futs = {ex.submit(_run_chunk, c, seed, i, first, n, stochastic): (i, n) for i, first, n in chunks}
            for fut in cf.as_completed(futs):
                i, n = futs[fut]
                frames[i] = fut.result()
                if progress:
                    progress(n)
        finally:
            if own:
                ex.shutdown(cancel_futures=True)
    df = pd.concat([frames[i] for i in sorted(frames)], ignore_index=True)
    manifest = {
        "package": "nomonhan_sim", "version": __version__,
        "scenario": scenario.model.scenario.name, "scenario_path": str(Path(scenario.path).resolve()) if Path(scenario.path).exists() else scenario.path,
        "scenario_sha256": scenario.sha256, "seed": seed, "replicates": replicates,
        "chunk_size": chunk_size,
        "stochastic": scenario.model.engine.stochastic if stochastic is None else stochastic,
        "attrition_law": scenario.model.engine.attrition_law,
    }
    return ExperimentResult(outcomes=df, manifest=manifest, scenario=scenario)
