"""The bodies of the command-line subcommands (parsed in :mod:`nomonhan_sim.cli`).

Each takes the parsed arguments, prints its tables to stdout and returns the exit
status; user errors are raised as one-line errors that :func:`nomonhan_sim.cli.main`
turns into exit status 2.
"""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path

import numpy as np

from . import _fail

def _world_bar(total: int, desc: str, disable: bool):
    """A progress bar over worlds that advances as each batch's simulated clock does."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=disable, file=sys.stderr, unit="world",
                bar_format=("{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} worlds [{elapsed}<{remaining}]"
                            if total else "{desc}: {n:.0f} worlds [{elapsed}]"))


def _record_text(df, sc, plot: Path | None = None, notes: bool = True, title: str = "") -> str:
    """The comparison with the record (and optionally its one-page figure); the record's
    sources and notes only if ``notes``."""
    if not sc.model.compare:
        return "(the scenario declares no comparison with the record)"
    from ..record import load_record
    from ..record.compare import compare_outcomes, format_comparison

    rows = compare_outcomes(df, sc, load_record())
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from ..plot import scenario_page
        from ..plot.distributions import display_names

        fig = scenario_page(df, rows, f"{sc.model.scenario.name}: simulated outcomes ({len(df)} worlds) "
                                      f"against the historical record", end_day=sc.model.engine.duration_hours / 24,
                            names=display_names(sc))
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(plot, dpi=110)
    scope = sc.model.scenario.compare_scope or "-"
    head = (title + "\n") if title else ""
    text = format_comparison(rows, title=f"{head}Comparison with the historical record (scope: {scope})",
                             notes=notes)
    if not notes and any(r.note for r in rows):
        text += "\n(--verbose adds the record's notes: scope and derivation of each value)"
    return text


class UsageError(ValueError):
    """An option the command refuses; ``str()`` is one line (exit 2)."""


def check_workers(args) -> None:
    """``--workers`` at most the CPUs this process may use unless ``--force-workers``, and
    ``--chunk-size`` (where the command has one) at most ``MAX_CHUNK_SIZE`` unless
    ``--force-large`` (:class:`UsageError`)."""
    from ..experiment.runner import check_pool

    try:
        check_pool(args.workers, getattr(args, "chunk_size", None), force_workers=args.force_workers,
                   force_large=getattr(args, "force_large", False), names=("--workers", "--chunk-size"))
    except ValueError as e:
        raise UsageError(str(e)) from None


def check_work(sc, args) -> None:
    """The work estimate of ``run``: refused above WORK_LIMIT unless ``--force-large``,
    one line of warning on stderr above WORK_WARN."""
    from ..experiment.runner import WORK_LIMIT, WORK_WARN, work_estimate

    work, units, steps = work_estimate(sc, args.replicates)
    if not math.isfinite(work):
        raise UsageError(f"run: {sc.path}: engine.duration_hours / engine.combat_step_hours is not a finite "
                         f"number of combat steps")
    size = (f"about {work:.2g} unit-steps ({args.replicates:,} worlds x {units} units x {steps:,} combat steps "
            f"of {sc.model.engine.combat_step_hours:g} h)")
    if work > WORK_LIMIT and not args.force_large:
        raise UsageError(f"run: {size}, beyond the limit of {WORK_LIMIT:.0e} (1,000 worlds of the August "
                         f"scenario: 1.1e7); give --force-large to run it anyway")
    if work > WORK_WARN and not args.quiet:
        print(f"note: a large run: {size}; the 1,000-world August run is 1.1e7", file=sys.stderr)


def run(sc, args) -> int:
    """``run``: the Monte Carlo experiment, its tables, and the results folder with ``--out``."""
    from ..experiment.runner import run_experiment
    from ..experiment.store import ResultsStaging
    from ..experiment.summary import format_table, summarise

    check_workers(args)
    check_work(sc, args)
    # the target is checked (and its staging folder made) before the long part; nothing
    # appears at --out unless the run ends and every file is complete
    staging = ResultsStaging(args.out, force=args.force) if args.out is not None else contextlib.nullcontext()
    with staging:
        with _world_bar(args.replicates, sc.model.scenario.name, disable=args.no_progress or args.quiet) as bar:
            res = run_experiment(sc, replicates=args.replicates, seed=args.seed,
                                 chunk_size=args.chunk_size, workers=args.workers,
                                 stochastic=False if args.deterministic else None, progress=bar.update,
                                 force_workers=args.force_workers, force_large=args.force_large)
        if args.out is not None:  # saved before anything is printed: a closed pipe cannot lose the run
            staging.commit(res.outcomes, res.manifest, fmt=args.format, scenario=sc)
    title = (f"{sc.model.scenario.name}: {args.replicates} replicates, seed {args.seed}, "
             f"law {sc.model.engine.attrition_law}")
    if not args.quiet:
        print(format_table(summarise(res.outcomes), title=title))
        print()
    print(_record_text(res.outcomes, sc, notes=args.verbose, title=title if args.quiet else ""))
    if sc.model.logistics is not None and not args.quiet:
        print()
        print(_supply_text(res.outcomes, sc))
    if args.out is not None:
        print(f"\nwrote {args.out}/ (outcomes, scenario copy, manifest.json)")
    return 0


def _supply_text(df, sc) -> str:
    """Stock at H-hour against each side's requirement."""
    from ..experiment.summary import fmt

    lines = ["Supply at H-hour (depots + units):"]
    reqs = {r.side: r for r in sc.model.logistics.requirements}
    for side in sc.model.sides:
        col = f"stock_at_h_hour.{side}"
        if col not in df:
            continue
        v = df[col].to_numpy(float)
        q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        line = f"  {side}: median {fmt(q50)} t (90%: {fmt(q05)} – {fmt(q95)} t)"
        if side in reqs:
            r = reqs[side]
            line += (f" against a requirement of {fmt(r.tons)} t [{r.source}]; "
                     f"P(stock >= requirement) = {(v >= r.tons).mean():.2f}")
        lines.append(line)
    for side in reqs:  # effect of supply: worlds with the least vs the most stock at H-hour
        col = f"stock_at_h_hour.{side}"
        if col not in df or len(df) < 30:
            continue
        lo_cut, hi_cut = np.quantile(df[col], [1 / 3, 2 / 3])
        groups = {"lowest third": df[df[col] <= lo_cut], "highest third": df[df[col] >= hi_cut]}
        lines.append(f"  Effect of {side} supply (worlds split by {side} stock at H-hour):")
        for name, g in groups.items():
            parts = [f"{name} (<= {fmt(lo_cut)} t)" if name.startswith("lowest") else f"{name} (>= {fmt(hi_cut)} t)"]
            for s2 in sc.model.sides:
                parts.append(f"casualties {s2} {fmt(g[f'casualties.{s2}'].median())}")
            if "resistance_ended_day" in g:
                parts.append(f"resistance ended in {np.isfinite(g['resistance_ended_day']).mean():.0%} of worlds")
            if "ring_closed_day" in g:
                parts.append(f"ring closed day {fmt(g['ring_closed_day'].median())}")
            lines.append("    " + "; ".join(parts))
    return "\n".join(lines)


def sources(args) -> int:
    """``sources``: source criticism of the seed documents."""
    from ..record import load_record
    from ..record.criticism import format_reports, quantity_conflicts

    record = load_record()
    print(format_reports(record))
    if args.conflicts:
        print("\nEvery disagreement between two sources on one quantity:")
        for q, a, b, k in quantity_conflicts(record):
            print(f"  {k:13} {q}: {a.shown} {a.source.label} vs {b.shown} {b.source.label}")
    return 0


def compare(args) -> int:
    """``compare``: saved results against the record."""
    from ..scenario import load_scenario
    from ..experiment.store import read_results, results_scenario

    df, manifest = read_results(args.results)
    if args.scenario is None:  # the folder's own copy; exit 2 if it is not the run's
        sc = results_scenario(args.results, manifest)
    else:
        path = args.scenario
        sc = load_scenario(path)
        if sc.sha256 != manifest.get("scenario_sha256"):
            print(f"note: {path} has changed since the run (scenario hash differs); "
                  f"comparing with its current [[compare]] entries", file=sys.stderr)
    print(f"{manifest.get('scenario')}: {len(df)} replicates, seed {manifest.get('seed')}, "
          f"nomonhan_sim {manifest.get('version')}")
    print(_record_text(df, sc, plot=args.plot, notes=args.verbose))
    if args.plot is not None:
        print(f"\nwrote {args.plot}")
    return 0


def report(args) -> int:
    """``report``: the self-contained HTML report of saved results."""
    from ..report.builder import write_report

    out = args.out or args.results / "report.html"
    bar = _LazyBar(_chunk0_size(args.results), "re-simulating chunk 0",
                   disable=args.no_progress or args.quiet or args.no_resimulate)
    try:
        write_report(args.results, out, scenario_path=args.scenario, resimulate=not args.no_resimulate,
                     progress=bar.update)
    finally:
        bar.close()
    if not args.quiet:
        print(f"wrote {out}")
    return 0


class _LazyBar:
    """A world progress bar drawn only once the work starts (a refused input shows no bar)."""

    def __init__(self, total: int | None, desc: str, disable: bool):
        self.args, self.bar = (total, desc, disable), None

    def update(self, worlds: float) -> None:
        if self.bar is None:
            self.bar = _world_bar(*self.args)
        self.bar.update(worlds)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cdb90(args) -> int:
    """``cdb90``: the attrition core on CDB90 battles against the loss-rate baseline."""
    from tqdm import tqdm

    from ..experiment.store import check_target
    from ..record.cdb90 import ERAS
    from ..validation.cdb90_suite import run_suite, select, write_suite

    era = None if args.era == "all" else args.era
    if era is not None and era not in ERAS:
        return _fail(f"--era: expected one of {', '.join(ERAS)} or all, found {args.era!r}")
    check_workers(args)
    if args.out is not None:
        check_target(args.out, force=args.force)
    n = len(select(era, args.split))
    with tqdm(total=n + 5, desc="CDB90 battles", unit="battle", disable=args.no_progress, file=sys.stderr) as bar:
        try:
            result = run_suite(era, args.split, args.replicates, args.seed, args.workers, progress=bar.update,
                               parameters=args.parameters)
        except ValueError as exc:
            return _fail(f"--parameters: {exc}")
    if args.out is not None:
        import matplotlib

        matplotlib.use("Agg")
        write_suite(result, args.out, force=args.force)
    print(result.text())
    if args.out is not None:
        print(f"\nwrote {args.out}/ (predictions, reference battles, summary, figures)")
    return 0


def _chunk0_size(results: Path) -> int:
    """Worlds in chunk 0 of a saved run (for the report's progress bar); the manifest is
    checked first (StoreError, one line)."""
    from ..experiment.manifest import read_manifest

    m = read_manifest(results)
    return min(m["chunk_size"], m["replicates"])


def narrate(sc, args) -> int:
    """``narrate``: one world (R = 1) of ``sc``, its event log hour by hour."""
    from ..engine.compiled import compile_scenario
    from ..report.narrate import narrate as narrate_world
    from ..simulation import run_batch

    res = run_batch(compile_scenario(sc), 1, np.random.SeedSequence(args.seed), log_events=True)
    print(narrate_world(res, kinds=set(args.kinds.split(","))))
    return 0
