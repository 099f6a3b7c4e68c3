"""Benchmark: wall clock of the default CLI run, optionally against another checkout.

Times ``python -m nomonhan_sim run`` on the August scenario (1,000 worlds, ``--workers 2``,
default chunks, seed 19390820), start-up and the supply build-up included — the figure the
issues call "the August run". With ``--against DIR`` the runs alternate between this
checkout and DIR (another checkout, e.g. a ``git worktree`` of an older commit), so both
see the same machine load; the medians and their ratio are printed.

Not part of the test suite. Run on a quiet machine (timings taken while other jobs load
the cores are not speed figures). Usage::

    python benchmarks/bench_cli.py [--repeats 5] [--replicates 1000] [--workers 2]
                                   [--against /tmp/old] [--this-args '--chunk-size 500']
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "scenarios/khalkhin_gol_1939_august.toml"


def one_run(checkout: Path, replicates: int, workers: int, extra: list[str]) -> tuple[float, float]:
    """Seconds of wall clock and of CPU (user + system, the run and its workers) for one CLI
    run from ``checkout`` (its package on PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "nomonhan_sim", "run", str(checkout / SCENARIO),
               "--replicates", str(replicates), "--workers", str(workers), "--no-progress",
               "--seed", "19390820", "--out", str(Path(tmp) / "r"), *extra]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, cwd=tmp, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--against", type=Path, default=None, help="another checkout to alternate with")
    ap.add_argument("--this-args", default="", help="extra run options for this checkout, e.g. '--chunk-size 500'")
    args = ap.parse_args()
    extra = {"this": args.this_args.split(), "against": []}

    checkouts = {"this": ROOT}
    if args.against is not None:
        checkouts["against"] = args.against.resolve()
    times: dict[str, list[float]] = {k: [] for k in checkouts}
    cpus: dict[str, list[float]] = {k: [] for k in checkouts}
    for i in range(args.repeats):
        order = list(checkouts.items())
        if i % 2:
            order.reverse()  # alternate who goes first
        for name, path in order:
            wall, cpu = one_run(path, args.replicates, args.workers, extra[name])
            times[name].append(wall)
            cpus[name].append(cpu)
            print(f"repeat {i + 1}: {name:8} {wall:7.2f} s wall, {cpu:7.2f} s CPU", flush=True)

    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:8} {checkouts[name]}: median {med:.2f} s over {len(ts)} runs "
              f"({args.replicates / med:.1f} worlds/s; min {min(ts):.2f}, max {max(ts):.2f}); "
              f"CPU median {statistics.median(cpus[name]):.2f} s")
    if "against" in times:
        ratio = statistics.median(times["this"]) / statistics.median(times["against"])
        cpu_ratio = statistics.median(cpus["this"]) / statistics.median(cpus["against"])
        print(f"this / against = {ratio:.3f} wall clock ({(ratio - 1) * 100:+.1f}%), "
              f"{cpu_ratio:.3f} CPU ({(cpu_ratio - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
