"""Benchmark: replicates per second of the batched engine vs one world at a time.

Runs the August 1939 scenario (or SCENARIO) in this one process:

* batch R = 1       — one world in one SimPy environment;
* batch R = 1,000   — 1,000 worlds in lockstep in one environment;
* one-at-a-time     — the same number of replicates as separate R = 1 runs.

Not part of the test suite. Usage::

    python benchmarks/bench_engine.py [SCENARIO] [--batch 1000] [--baseline 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.simulation import run_batch
from nomonhan_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/khalkhin_gol_1939_august.toml"))
    ap.add_argument("--batch", type=int, default=1000, help="batch size R (default 1000)")
    ap.add_argument("--baseline", type=int, default=None,
                    help="separate R = 1 runs for the baseline (default: same as --batch)")
    args = ap.parse_args()
    n_base = args.baseline or args.batch

    c = compile_scenario(load_scenario(args.scenario))
    run_batch(c, 2, np.random.SeedSequence(0))  # warm-up (imports, caches)

    t1 = timed(lambda: run_batch(c, 1, np.random.SeedSequence(1)))
    tR = timed(lambda: run_batch(c, args.batch, np.random.SeedSequence(2)))
    tB = timed(lambda: [run_batch(c, 1, np.random.SeedSequence(100 + i)) for i in range(n_base)])

    print(f"scenario: {args.scenario}  ({c.U} units, {c.P} places, "
          f"{c.scenario.model.engine.duration_hours:g} h, step {c.scenario.model.engine.combat_step_hours:g} h)")
    print(f"{'mode':34} {'replicates':>10} {'seconds':>9} {'replicates/s':>13}")
    print(f"{'batch R = 1':34} {1:>10} {t1:>9.3f} {1 / t1:>13.1f}")
    print(f"{f'batch R = {args.batch}':34} {args.batch:>10} {tR:>9.3f} {args.batch / tR:>13.1f}")
    print(f"{'one at a time (separate R = 1)':34} {n_base:>10} {tB:>9.3f} {n_base / tB:>13.1f}")
    print(f"gain of batching: {(args.batch / tR) / (n_base / tB):.1f}x")


if __name__ == "__main__":
    main()
