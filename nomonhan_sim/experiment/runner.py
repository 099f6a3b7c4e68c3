"""Monte Carlo experiments: many replicates as chunks of batched worlds.

A run is fully determined by (scenario content, seed, replicates, chunk size).
Chunk ``i`` gets the seed sequence ``SeedSequence(seed, spawn_key=(i,))`` and
simulates replicates ``i*chunk_size .. (i+1)*chunk_size - 1`` as one batch, so
the result does not depend on the executor, the number of workers or the order
in which chunks finish. Executors follow :mod:`concurrent.futures`.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing as mp
import os
import queue as _queue
import signal
import sys
import threading
import time
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

#: Most worlds per batch (one chunk) when no chunk size is given.
DEFAULT_CHUNK = 250
#: Most worlds per chunk a caller may ask for without ``force_large``: a chunk's state and
#: outcome rows are held in one worker's memory (the August scenario: about 0.5 MB per
#: world, so 2.5 GB per worker at this size).
MAX_CHUNK_SIZE = 5_000
#: Fewest chunks a run is split into when no chunk size is given (see default_chunk_size):
#: two, so that 2 workers share a small run. More, smaller chunks cost more than they gain
#: (August, 100 worlds, 2 workers: 50 x 2 in 1.5 s, 25 x 4 in 2.9 s, 100 x 1 in 2.0 s).
MIN_CHUNKS = 2


@dataclass
class ExperimentResult:
    """A Monte Carlo run: its outcomes, its identity and its scenario.

    ``outcomes``: one row per replicate world (``docs/results.md`` lists every
    column with its unit): identifiers ``replicate``, ``seed``, ``chunk``; the
    outcomes — casualties in men, equipment in pieces, supply in tons (t),
    shortage in unit-hours, event times ``*_day`` in days after the scenario
    start (NaN: did not happen within the run, with a boolean ``*_happened``
    beside), shares 0–1; per-unit detail ``unit.<id>.short_hours.<class>``
    (hours); and the drawn inputs ``input.<scenario path>`` (in the unit of that
    scenario field).

    ``manifest``: what determines the run (scenario sha256, seed, replicates,
    chunk size) and how it was made (package version, dynamics, attrition law);
    ``scenario``: the :class:`LoadedScenario` that was simulated.
    """

    outcomes: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    scenario: LoadedScenario | None = None

    def _sc(self) -> LoadedScenario:
        if self.scenario is None:
            raise ValueError("this result has no scenario (ExperimentResult(scenario=...))")
        return self.scenario

    def compare(self) -> list:
        """The outcomes beside the historical record: one
        :class:`nomonhan_sim.record.compare.Comparison` per ``[[compare]]`` entry of the
        scenario (record range, simulated median and 90 % interval, P(range),
        percentile, CRPS — all in the outcome's unit — and the verdict)."""
        from ..record import load_record
        from ..record.compare import compare_outcomes

        return compare_outcomes(self.outcomes, self._sc(), load_record())

    def plot(self, title: str | None = None):
        """A matplotlib Figure: every compared outcome's distribution over the worlds
        against the record's range (x axis in the outcome's unit; event times in days
        after the scenario start)."""
        from ..plot import scenario_page
        from ..plot.distributions import display_names

        sc = self._sc()
        title = title or (f"{sc.model.scenario.name}: simulated outcomes ({len(self.outcomes)} worlds) "
                          f"against the historical record")
        return scenario_page(self.outcomes, self.compare(), title, end_day=sc.model.engine.duration_hours / 24,
                             names=display_names(sc))

    def save(self, out_dir: str | Path, fmt: str = "parquet", force: bool = False) -> Path:
        """Write a self-contained results folder (outcomes, scenario copy, manifest);
        see :func:`nomonhan_sim.experiment.store.write_results`. A folder that is not
        empty raises :class:`StoreError` unless ``force``."""
        from .store import write_results

        return write_results(out_dir, self.outcomes, self.manifest, fmt, scenario=self.scenario, force=force)

    @classmethod
    def load(cls, out_dir: str | Path) -> "ExperimentResult":
        """Read a results folder back (its scenario copy checked against the manifest's hash)."""
        from .store import read_results, results_scenario

        df, manifest = read_results(out_dir)
        return cls(outcomes=df, manifest=manifest, scenario=results_scenario(out_dir, manifest))


def chunk_seed(seed: int, chunk: int) -> np.random.SeedSequence:
    """The seed sequence of chunk ``chunk`` of a run seeded with ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(chunk,))


def _run_chunk(c: Compiled, seed: int, chunk: int, first: int, n: int,
               stochastic: bool | None, report: Callable[[float], None] | bool | None = None) -> pd.DataFrame:
    """Simulate chunk ``chunk`` (replicates ``first .. first+n-1``) and return its outcome rows.

    ``report``: a callable given shares of the chunk's span done, or ``True`` in a pool
    worker to put worlds done on the queue the worker was started with."""
    if report is True:
        queue = _WORKER_QUEUE
        report = (lambda share: queue.put((chunk, share * n))) if queue is not None else None
    res = run_batch(c, n, chunk_seed(seed, chunk), stochastic=stochastic, progress=report or None)
    return outcomes_frame(res, first_replicate=first, seed=seed, chunk=chunk)


#: In a pool worker: the queue for progress reports (set by _init_worker).
_WORKER_QUEUE = None
#: prctl(2) option: the signal a process gets when its parent ends (Linux).
_PR_SET_PDEATHSIG = 1


def _watch_parent(parent: int) -> None:
    """Worker thread: end the worker when its parent is gone (the fallback to PDEATHSIG)."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _die_with_parent(parent: int) -> None:
    """Make this worker end when the process that started it ends, however it ends
    (SIGKILL included): PR_SET_PDEATHSIG on Linux, and a thread checking
    ``os.getppid()`` everywhere (also covering a parent that died before this ran)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _init_worker(queue, parent: int | None = None) -> None:
    """Pool worker initializer: Ctrl-C is the parent's to handle (no traceback from every
    worker), SIGTERM ends the worker at once (the parent's handler, inherited by fork,
    is not the worker's), the worker ends with its parent, and progress goes to
    ``queue`` (if any)."""
    global _WORKER_QUEUE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        _die_with_parent(parent)
    _WORKER_QUEUE = queue


class _PoolProgress:
    """Worlds done per chunk from the workers' queue, passed on to ``progress``; a chunk
    that ends is topped up to its size and its late reports dropped, so the calls add
    up to the replicates exactly."""

    def __init__(self, queue, progress: Callable[[float], None]):
        self.queue, self.progress = queue, progress
        self.reported: dict[int, float] = {}
        self.ended: set[int] = set()

    def drain(self) -> None:
        while True:
            try:
                chunk, worlds = self.queue.get_nowait()
            except _queue.Empty:
                return
            if chunk not in self.ended:
                self.reported[chunk] = self.reported.get(chunk, 0.0) + worlds
                self.progress(worlds)

    def ended_chunk(self, chunk: int, n: int) -> None:
        self.drain()
        self.ended.add(chunk)
        rest = n - self.reported.get(chunk, 0.0)
        if rest > 0:
            self.progress(rest)


def _stop_pool(ex: cf.ProcessPoolExecutor) -> None:
    """End the pool's processes now and cancel what is pending (on Ctrl-C, SIGTERM or an error)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=1)
    ex.shutdown(wait=False, cancel_futures=True)


def check_pool(workers: int | None, chunk_size: int | None, *, force_workers: bool = False,
               force_large: bool = False, names: tuple[str, str] = ("workers", "chunk_size")) -> None:
    """Refuse (``ValueError``, one line) a worker count above the CPUs this process may use
    unless ``force_workers``, and a chunk size above ``MAX_CHUNK_SIZE`` unless
    ``force_large``; ``names``: how the two are called in the message (option or argument)."""
    cpus = usable_cpus()
    if workers is not None and workers > cpus and not force_workers:
        what = "--force-workers" if names[0].startswith("--") else "force_workers=True"
        raise ValueError(f"{names[0]} {workers}: more than the {cpus} CPU{'s' if cpus != 1 else ''} this "
                         f"process may use; give {what} to start them anyway")
    if chunk_size is not None and chunk_size > MAX_CHUNK_SIZE and not force_large:
        what = "--force-large" if names[1].startswith("--") else "force_large=True"
        raise ValueError(f"{names[1]} {chunk_size}: more than {MAX_CHUNK_SIZE:,} worlds in one batch (held in "
                         f"one worker's memory, about 0.5 MB per world of the August scenario); give {what} "
                         f"to run it anyway")


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except OSError:
            pass
    return os.cpu_count() or 1


#: Work estimate (worlds x units x combat steps) above which ``run`` warns ...
WORK_WARN = 10**8
#: ... and above which it refuses unless forced (1,000 worlds of the August scenario: 1.1e7).
WORK_LIMIT = 10**10


def work_estimate(scenario: LoadedScenario, replicates: int) -> tuple[float, int, float]:
    """``(work, units, steps)``: the size of a run as worlds x units x combat steps, with
    steps = ``engine.duration_hours / engine.combat_step_hours`` (inf if not finite)."""
    eng = scenario.model.engine
    units = len(scenario.model.units)
    try:
        steps = math.ceil(eng.duration_hours / eng.combat_step_hours)
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        steps = math.inf
    return float(replicates) * units * steps, units, steps


def default_chunk_size(replicates: int) -> int:
    """Worlds per batch when none is given: ``DEFAULT_CHUNK`` at most, and a small run
    split into at least ``MIN_CHUNKS`` chunks so that a local pool uses its workers
    (100 replicates -> 2 chunks of 50). It depends on the replicate count only, never
    on the worker count, so a run stays determined by (scenario, seed, replicates,
    chunk size)."""
    return max(1, min(DEFAULT_CHUNK, math.ceil(replicates / MIN_CHUNKS)))


def plan_chunks(replicates: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """``(chunk index, first replicate, size)`` for every chunk."""
    if replicates < 1:
        raise ValueError("replicates must be >= 1")
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    return [(i, f, min(chunk_size, replicates - f))
            for i, f in enumerate(range(0, replicates, chunk_size))]


def run_experiment(scenario: LoadedScenario, replicates: int = 1000, seed: int = DEFAULT_SEED,
                   chunk_size: int | None = None, workers: int | None = None,
                   executor: cf.Executor | None = None, stochastic: bool | None = None,
                   progress: Callable[[float], None] | None = None, force_workers: bool = False,
                   force_large: bool = False) -> ExperimentResult:
    """Run ``replicates`` worlds of ``scenario``.

    ``chunk_size``: worlds per batch (default :func:`default_chunk_size`); part of
    the run's identity, recorded in the manifest.
    ``workers``: processes for the default local pool (``1`` = serial in this
    process; default: the number of CPUs, at most the number of chunks); more than the
    CPUs this process may use is refused (``ValueError``) unless ``force_workers``.
    ``chunk_size`` above ``MAX_CHUNK_SIZE`` is refused unless ``force_large``.
    ``executor``: any :class:`concurrent.futures.Executor` to use instead.
    ``progress``: called with a number of worlds done (a float: a batch reports
    shares of its worlds as its simulated clock advances, serially and on the local
    pool; with a given ``executor``, whole chunks as they end). The calls add up to
    ``replicates``.
    """
    check_pool(workers, chunk_size, force_workers=force_workers, force_large=force_large)
    c = compile_scenario(scenario)
    chunk_size = default_chunk_size(replicates) if chunk_size is None else chunk_size
    chunks = plan_chunks(replicates, chunk_size)
    frames: dict[int, pd.DataFrame] = {}
    if workers is None:
        workers = min(len(chunks), usable_cpus())
    if executor is None and workers <= 1:
        for i, first, n in chunks:
            report = (lambda share, n=n: progress(share * n)) if progress else None
            frames[i] = _run_chunk(c, seed, i, first, n, stochastic, report)
    elif executor is not None:
        futs = {executor.submit(_run_chunk, c, seed, i, first, n, stochastic): (i, n) for i, first, n in chunks}
        for fut in cf.as_completed(futs):
            i, n = futs[fut]
            frames[i] = fut.result()
            if progress:
                progress(n)
    else:
        queue = mp.get_context().Queue() if progress else None
        ex = cf.ProcessPoolExecutor(max_workers=min(workers, len(chunks)), initializer=_init_worker,
                                    initargs=(queue, os.getpid()))
        try:
            futs = {ex.submit(_run_chunk, c, seed, i, first, n, stochastic, queue is not None): (i, n)
                    for i, first, n in chunks}
            bar = _PoolProgress(queue, progress) if queue is not None else None
            pending = set(futs)
            while pending:
                done, pending = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    i, n = futs[fut]
                    frames[i] = fut.result()
                    if bar is not None:
                        bar.ended_chunk(i, n)
                if bar is not None:
                    bar.drain()
        except BaseException:
            _stop_pool(ex)
            raise
        else:
            ex.shutdown()
    df = pd.concat([frames[i] for i in sorted(frames)], ignore_index=True)
    # concat splits the chunks' blocks at every switch between bool and float columns (190
    # blocks for August): consolidate, with the chunk frames released first (peak memory stays
    # two tables), so a column a user adds raises no PerformanceWarning
    frames.clear()
    df = df.copy()
    manifest = {
        "package": "nomonhan_sim", "version": __version__,
        "scenario": scenario.model.scenario.name, "scenario_origin": str(Path(scenario.path).resolve()) if Path(scenario.path).is_file() else scenario.path,
        "scenario_sha256": scenario.sha256, "seed": seed, "replicates": replicates,
        "chunk_size": chunk_size,
        "stochastic": scenario.model.engine.stochastic if stochastic is None else stochastic,
        "attrition_law": scenario.model.engine.attrition_law,
    }
    return ExperimentResult(outcomes=df, manifest=manifest, scenario=scenario)
