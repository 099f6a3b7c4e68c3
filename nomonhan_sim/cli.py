"""Command line: ``python -m nomonhan_sim run|validate|narrate|sources|compare``.

User errors (bad scenario, bad option, unwritable folder) print one line to
stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from pathlib import Path

from .vocabulary.defaults import DEFAULT_SEED

DEFAULT_SCENARIO = "scenarios/khalkhin_gol_1939_august.toml"


def _default_scenario() -> Path:
    here = Path.cwd() / DEFAULT_SCENARIO
    if here.exists():
        return here
    return Path(__file__).resolve().parent.parent / DEFAULT_SCENARIO


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nomonhan_sim",
        description="Batched discrete-event Monte Carlo model of Khalkhin Gol / Nomonhan, August 1939.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a Monte Carlo experiment and compare it with the record",
                       description="Run SCENARIO as a Monte Carlo experiment; print each outcome's median "
                                   "and 90%% interval beside the historical record.")
    r.add_argument("scenario", nargs="?", default=None,
                   help=f"scenario TOML file (default: {DEFAULT_SCENARIO})")
    r.add_argument("--replicates", "-n", type=_positive_int, default=1000, help="number of replicate worlds (default 1000)")
    r.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    r.add_argument("--out", type=Path, default=None, help="folder for outcomes + manifest.json")
    r.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="outcomes file format")
    r.add_argument("--workers", type=_positive_int, default=None, help="worker processes (default: CPUs; 1 = serial)")
    r.add_argument("--chunk-size", type=_positive_int, default=None,
                   help="worlds per batch (part of the run's identity; default 250)")
    r.add_argument("--deterministic", action="store_true", help="expected-value dynamics (inputs still drawn)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")

    v = sub.add_parser("validate", help="check a scenario file", description="Validate SCENARIO; print OK or one error line.")
    v.add_argument("scenario", help="scenario TOML file")

    s = sub.add_parser("sources", help="source criticism of the seed documents",
                       description="Cross-check the claims of the record and rank the seed documents by reliability.")
    s.add_argument("--conflicts", action="store_true", help="also list every disagreement between any two sources")

    cp = sub.add_parser("compare", help="compare saved results with the historical record",
                        description="Read RESULTS_DIR (from run --out) and print the record table; optionally plot it.")
    cp.add_argument("results", type=Path, help="results folder written by run --out")
    cp.add_argument("--scenario", type=Path, default=None,
                    help="scenario file (default: the one named in the manifest)")
    cp.add_argument("--plot", type=Path, default=None, help="write a one-page figure (PNG) here")

    rp = sub.add_parser("report", help="write one self-contained HTML report of saved results",
                        description="Read RESULTS_DIR (from run --out) and write one HTML file with the scenario "
                                    "summary, the comparison with the record, the plots and the run's provenance.")
    rp.add_argument("results", type=Path, help="results folder written by run --out")
    rp.add_argument("--out", type=Path, default=None, help="HTML file to write (default: RESULTS_DIR/report.html)")
    rp.add_argument("--scenario", type=Path, default=None,
                    help="scenario file (default: the one named in the manifest; must have the run's hash)")
    rp.add_argument("--no-resimulate", action="store_true",
                    help="skip re-simulating chunk 0 (no maps or timelines, no reproduction check)")

    pa = sub.add_parser("params", help="print the parameter table (value, unit, claims, source)",
                        description="Print every model parameter of SCENARIO (defaults merged) as a Markdown table.")
    pa.add_argument("scenario", nargs="?", default=None, help=f"scenario TOML file (default: {DEFAULT_SCENARIO})")

    n = sub.add_parser("narrate", help="run one world and print its event log",
                       description="Run a single world (R = 1) of SCENARIO and print what happened, hour by hour.")
    n.add_argument("scenario", nargs="?", default=None, help=f"scenario TOML file (default: {DEFAULT_SCENARIO})")
    n.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    n.add_argument("--kinds", default="order,broke,encircled,destroyed,withdrawn,captured,ring_closed,resistance_ended",
                   help="comma-separated event kinds to show")
    return p


def _fail(msg: str) -> int:
    print(msg, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .record import RecordError
    from .scenario import ScenarioError, load_scenario
    from .experiment.store import StoreError

    try:
        if args.command == "sources":
            return _sources(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "report":
            return _report(args)
        if args.command == "validate":
            sc = load_scenario(args.scenario)
            m = sc.model
            print(f"OK {args.scenario}: {len(m.places)} places, {len(m.routes)} routes, {len(m.units)} units, "
                  f"{len(m.orders)} orders; sha256 {sc.sha256[:12]}")
            return 0
        scenario_path = args.scenario or _default_scenario()
        sc = load_scenario(scenario_path)
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


def _record_text(df, sc, plot: Path | None = None) -> str:
    """The comparison with the record (and optionally its one-page figure)."""
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
    return format_comparison(rows, title=f"Comparison with the historical record (scope: {scope})")


def _run(sc, args) -> int:
    from tqdm import tqdm

    from .experiment.runner import DEFAULT_CHUNK, run_experiment
    from .experiment.store import write_results
    from .experiment.summary import format_table, summarise

    if args.out is not None:  # fail early on an unwritable folder, before the long part
        from .experiment.store import StoreError
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{args.out}: cannot create results folder ({exc.strerror})") from None

    bar = tqdm(total=args.replicates, unit="world", disable=args.no_progress, file=sys.stderr,
               desc=sc.model.scenario.name)
    res = run_experiment(sc, replicates=args.replicates, seed=args.seed,
                         chunk_size=args.chunk_size or DEFAULT_CHUNK, workers=args.workers,
                         stochastic=False if args.deterministic else None, progress=bar.update)
    bar.close()
    title = (f"{sc.model.scenario.name}: {args.replicates} replicates, seed {args.seed}, "
             f"law {sc.model.engine.attrition_law}")
    print(format_table(summarise(res.outcomes), title=title))
    print()
    print(_record_text(res.outcomes, sc))
    if sc.model.logistics is not None:
        print()
        print(_supply_text(res.outcomes, sc))
    if args.out is not None:
        write_results(args.out, res.outcomes, res.manifest, fmt=args.format)
        print(f"\nwrote {args.out}/ (outcomes + manifest.json)")
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
    from .experiment.store import StoreError, read_results

    df, manifest = read_results(args.results)
    path = args.scenario or manifest.get("scenario_path")
    if not path:
        raise StoreError(f"{args.results}/manifest.json: no scenario_path; give --scenario")
    sc = load_scenario(path)
    if sc.sha256 != manifest.get("scenario_sha256"):
        print(f"note: {path} has changed since the run (scenario hash differs); "
              f"comparing with its current [[compare]] entries", file=sys.stderr)
    print(f"{manifest.get('scenario')}: {len(df)} replicates, seed {manifest.get('seed')}, "
          f"nomonhan_sim {manifest.get('version')}")
    print(_record_text(df, sc, plot=args.plot))
    if args.plot is not None:
        print(f"\nwrote {args.plot}")
    return 0


def _report(args) -> int:
    from .report.builder import write_report

    out = args.out or args.results / "report.html"
    write_report(args.results, out, scenario_path=args.scenario, resimulate=not args.no_resimulate)
    print(f"wrote {out}")
    return 0


def _narrate(sc, args) -> int:
    import numpy as np

    from .engine.compiled import compile_scenario
    from .simulation import run_batch
    from .report.narrate import narrate

    c = compile_scenario(sc)
    res = run_batch(c, 1, np.random.SeedSequence(args.seed), log_events=True)
    print(narrate(res, kinds=set(args.kinds.split(","))))
    return 0
