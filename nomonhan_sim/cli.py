"""Command line: ``python -m nomonhan_sim run|validate|narrate|sources|compare``.

User errors (bad scenario, bad option, unwritable folder) print one line to
stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from pathlib import Path

from .vocabulary.defaults import DEFAULT_SCENARIO, DEFAULT_SEED

# -- bundled scenarios (scenario argument, `list`) --
_SCENARIO_HELP = (f"a bundled scenario's name, full or short (see the list command), or a scenario "
                  f"TOML file (default: {DEFAULT_SCENARIO})")
# -- end bundled scenarios --


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, found {v}")
    return v


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected a seed >= 0, found {v}")
    return v


def _prog() -> str:
    """How the user called us: ``nomonhan-sim`` (the console script) or ``python -m nomonhan_sim``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name.startswith("nomonhan-sim") else "python -m nomonhan_sim"


def _add_verbosity(sp: argparse.ArgumentParser) -> None:
    g = sp.add_mutually_exclusive_group()
    g.add_argument("-q", "--quiet", action="store_true",
                   help="print only the comparison with the record (no progress bar, no outcome table)")
    g.add_argument("-v", "--verbose", action="store_true",
                   help="also print the record's notes (scope and derivation of each value)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (``--help`` shows them)."""
    from . import __version__

    p = argparse.ArgumentParser(
        prog=_prog(),
        description="Batched discrete-event Monte Carlo model of Khalkhin Gol / Nomonhan, August 1939.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a Monte Carlo experiment and compare it with the record",
                       description="Run SCENARIO as a Monte Carlo experiment; print each outcome's median "
                                   "and 90% interval beside the historical record.")
    r.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)
    r.add_argument("--replicates", "-n", type=_positive_int, default=1000, help="number of replicate worlds (default 1000)")
    r.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    r.add_argument("--out", type=Path, default=None,
                   help="results folder: outcomes, a copy of the scenario, manifest.json (docs/results.md); "
                        "must be empty or new unless --force")
    r.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty, replacing its results (stale results files removed)")
    r.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="outcomes file format")
    r.add_argument("--workers", type=_positive_int, default=None, help="worker processes (default: CPUs; 1 = serial)")
    r.add_argument("--chunk-size", type=_positive_int, default=None,
                   help="worlds per batch (part of the run's identity; default: 250, "
                        "or fewer so that a small run makes at least 2 chunks)")
    r.add_argument("--deterministic", action="store_true", help="expected-value dynamics (inputs still drawn)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_verbosity(r)

    v = sub.add_parser("validate", help="check a scenario file", description="Validate SCENARIO; print OK or one error line.")
    v.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)

    sub.add_parser("list", help="list the bundled scenarios",
                   description="List the bundled scenarios: short and full name, period, scale, "
                               "comparison with the record, and the question each asks.")

    s = sub.add_parser("sources", help="source criticism of the seed documents",
                       description="Cross-check the claims of the record and rank the seed documents by reliability.")
    s.add_argument("--conflicts", action="store_true", help="also list every disagreement between any two sources")

    cp = sub.add_parser("compare", help="compare saved results with the historical record",
                        description="Read RESULTS_DIR (from run --out) and print the record table; optionally plot it.")
    cp.add_argument("results", type=Path, help="results folder written by run --out")
    cp.add_argument("--scenario", type=Path, default=None,
                    help="scenario file to compare with (default: the results folder's own copy, "
                         "checked against the run's hash)")
    cp.add_argument("--plot", type=Path, default=None, help="write a one-page figure (PNG) here")
    cp.add_argument("-v", "--verbose", action="store_true",
                    help="also print the record's notes (scope and derivation of each value)")

    rp = sub.add_parser("report", help="write one self-contained HTML report of saved results",
                        description="Read RESULTS_DIR (from run --out) and write one HTML file with the scenario "
                                    "summary, the comparison with the record, the plots and the run's provenance.")
    rp.add_argument("results", type=Path, help="results folder written by run --out")
    rp.add_argument("--out", type=Path, default=None, help="HTML file to write (default: RESULTS_DIR/report.html)")
    rp.add_argument("--scenario", type=Path, default=None,
                    help="scenario file (default: the results folder's own copy; must have the run's hash)")
    rp.add_argument("--no-resimulate", action="store_true",
                    help="skip re-simulating chunk 0 (no maps or timelines, no reproduction check)")
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    rp.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")

    cd = sub.add_parser("cdb90", help="the attrition core on CDB90 battles, against the loss-rate baseline",
                        description="Simulate every usable CDB90 battle of an era and split as a one-place "
                                    "engagement with the default parameters, and score the predicted casualties "
                                    "against the record beside the CDB90 loss-rate baseline; the 1938-39 "
                                    "Soviet-Japanese battles (isqno 256-260) are reported on their own.")
    cd.add_argument("--era", default="1939-1945", help="1939-1945 (default), pre-1900, 1900-1938, 1946-1982 or all")
    cd.add_argument("--split", choices=("holdout", "calibration", "all"), default="holdout",
                    help="which half of the fixed split to score (default holdout)")
    cd.add_argument("--replicates", "-n", type=_positive_int, default=200, help="worlds per battle (default 200)")
    cd.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    cd.add_argument("--workers", type=_positive_int, default=None, help="worker processes (default: CPUs)")
    cd.add_argument("--out", type=Path, default=None,
                    help="folder for predictions.parquet, reference.parquet, summary.txt and the figures")
    cd.add_argument("--force", action="store_true", help="replace the contents of a non-empty --out folder")
    cd.add_argument("--no-progress", action="store_true", help="no progress bar")
    cd.add_argument("--parameters", default="default",
                    help="default (the package's), calibrated (fitted on the calibration half by "
                         "benchmarks/calibrate_cdb90.py) or a TOML parameter table")

    pa = sub.add_parser("params", help="print the parameter table (value, unit, claims, source)",
                        description="Print every model parameter of SCENARIO (defaults merged) as a Markdown table.")
    pa.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)

    n = sub.add_parser("narrate", help="run one world and print its event log",
                       description="Run a single world (R = 1) of SCENARIO and print what happened, hour by hour.")
    n.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)
    n.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    n.add_argument("--kinds", default="order,broke,encircled,destroyed,withdrawn,captured,ring_closed,resistance_ended",
                   help="comma-separated event kinds to show")
    return p


def _fail(msg: str) -> int:
    print(msg, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    try:
        status = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return status
    except KeyboardInterrupt:
        print(f"{_prog()}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): no traceback, and no
        # second error when Python flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print(f"{_prog()}: output closed before the end (broken pipe)", file=sys.stderr)
        return 130


def _dispatch(args) -> int:
    from .record import RecordError
    from .scenario import ScenarioError, load_scenario
    from .experiment.store import StoreError

    try:
        if args.command == "cdb90":
            return _cdb90(args)
        if args.command == "sources":
            return _sources(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "report":
            return _report(args)
        from .scenario.bundled import format_scenario_list, resolve_scenario

        if args.command == "list":
            print(format_scenario_list())
            return 0
        if args.command == "validate":
            sc = load_scenario(resolve_scenario(args.scenario))
            m = sc.model
            print(f"OK {args.scenario or DEFAULT_SCENARIO}: {len(m.places)} places, {len(m.routes)} routes, "
                  f"{len(m.units)} units, {len(m.orders)} orders; sha256 {sc.sha256[:12]}")
            return 0
        sc = load_scenario(resolve_scenario(args.scenario))  # a bundled name or a file
        if args.command == "narrate":
            return _narrate(sc, args)
        if args.command == "params":
            from .scenario.parameters import parameter_table

            print(parameter_table(sc))
            return 0
        return _run(sc, args)
    except ScenarioError as exc:
        return _fail(str(exc))
    except StoreError as exc:
        return _fail(str(exc))
    except RecordError as exc:
        return _fail(str(exc))


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
    from .record import load_record
    from .record.compare import compare_outcomes, format_comparison

    rows = compare_outcomes(df, sc, load_record())
    if plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        from .plot import scenario_page

        fig = scenario_page(df, rows, f"{sc.model.scenario.name}: simulated outcomes ({len(df)} worlds) "
                                      f"against the historical record", end_day=sc.model.engine.duration_hours / 24)
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(plot, dpi=110)
    scope = sc.model.scenario.compare_scope or "-"
    head = (title + "\n") if title else ""
    text = format_comparison(rows, title=f"{head}Comparison with the historical record (scope: {scope})",
                             notes=notes)
    if not notes and any(r.note for r in rows):
        text += "\n(--verbose adds the record's notes: scope and derivation of each value)"
    return text


def _run(sc, args) -> int:
    from .experiment.runner import run_experiment
    from .experiment.store import write_results
    from .experiment.summary import format_table, summarise

    if args.out is not None:  # fail early on an unwritable or non-empty folder, before the long part
        from .experiment.store import StoreError, check_target
        check_target(args.out, force=args.force)
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{args.out}: cannot create results folder ({exc.strerror})") from None

    with _world_bar(args.replicates, sc.model.scenario.name, disable=args.no_progress or args.quiet) as bar:
        res = run_experiment(sc, replicates=args.replicates, seed=args.seed,
                             chunk_size=args.chunk_size, workers=args.workers,
                             stochastic=False if args.deterministic else None, progress=bar.update)
    if args.out is not None:  # saved before anything is printed: a closed pipe cannot lose the run
        write_results(args.out, res.outcomes, res.manifest, fmt=args.format, scenario=sc, force=args.force)
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
    from .experiment.summary import fmt

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


def _sources(args) -> int:
    from .record import load_record
    from .record.criticism import format_reports, quantity_conflicts

    record = load_record()
    print(format_reports(record))
    if args.conflicts:
        print("\nEvery disagreement between two sources on one quantity:")
        for q, a, b, k in quantity_conflicts(record):
            print(f"  {k:13} {q}: {a.shown} {a.source.label} vs {b.shown} {b.source.label}")
    return 0


def _compare(args) -> int:
    from .scenario import load_scenario
    from .experiment.store import read_results, results_scenario

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


def _report(args) -> int:
    from .report.builder import write_report

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


def _cdb90(args) -> int:
    from tqdm import tqdm

    from .experiment.store import check_target
    from .record.cdb90 import ERAS
    from .validation.cdb90_suite import run_suite, select, write_suite

    era = None if args.era == "all" else args.era
    if era is not None and era not in ERAS:
        return _fail(f"--era: expected one of {', '.join(ERAS)} or all, found {args.era!r}")
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


def _chunk0_size(results: Path) -> int | None:
    """Worlds in chunk 0 of a saved run (for the report's progress bar), if the manifest says."""
    import json

    try:
        m = json.loads((results / "manifest.json").read_text())
        return min(int(m["chunk_size"]), int(m["replicates"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _narrate(sc, args) -> int:
    import numpy as np

    from .engine.compiled import compile_scenario
    from .simulation import run_batch
    from .report.narrate import narrate

    c = compile_scenario(sc)
    res = run_batch(c, 1, np.random.SeedSequence(args.seed), log_events=True)
    print(narrate(res, kinds=set(args.kinds.split(","))))
    return 0
