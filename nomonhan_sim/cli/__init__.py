"""Command line: ``python -m nomonhan_sim`` (or ``nomonhan-sim``): the parser and the dispatch.

The commands' bodies are in :mod:`nomonhan_sim.cli.commands`.

User errors (bad scenario, bad option, unwritable folder, a run beyond the
limits below) print one line to stderr and exit with status 2. Ctrl-C exits 130,
SIGTERM 143; either stops the worker processes and leaves no results folder
half-written (``docs/results.md``, "Crash safety and integrity").

Limits of the options: ``--seed`` 0 … 2**63 − 1 (what numpy's SeedSequence and the
int64 ``seed`` column hold); ``--replicates`` 1 … :data:`MAX_REPLICATES`;
``--workers`` at most the CPUs this process may use unless ``--force-workers``;
``run`` estimates its work (worlds × units × combat steps) and warns above
``WORK_WARN``, refuses above ``WORK_LIMIT`` unless ``--force-large``
(:mod:`nomonhan_sim.experiment.runner`).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from pathlib import Path

from ..vocabulary.defaults import DEFAULT_SCENARIO, DEFAULT_SEED

# -- bundled scenarios (scenario argument, `list`) --
_SCENARIO_HELP = (f"a bundled scenario's name, full or short (see the list command), or a scenario "
                  f"TOML file (default: {DEFAULT_SCENARIO})")
# -- end bundled scenarios --


#: Most replicate worlds one ``run`` (or worlds per battle of ``cdb90``) takes.
MAX_REPLICATES = 1_000_000
#: Largest seed (numpy SeedSequence and the int64 ``seed`` column of the outcomes).
MAX_SEED = 2**63 - 1


def _whole_number(text: str, minimum: int, what: str = "a number", maximum: int | None = None) -> int:
    """``text`` as an int in [``minimum``, ``maximum``], or an argparse error naming what was expected."""
    t = text.strip().replace("_", "")
    if not t.lstrip("+-").isdigit() or len(t) > 40:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text[:40]!r}")
    v = int(t)
    if v < minimum:
        raise argparse.ArgumentTypeError(f"expected {what} >= {minimum}, found {v}")
    if maximum is not None and v > maximum:
        raise argparse.ArgumentTypeError(f"expected {what} <= {maximum:,}, found {v:,}")
    return v


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _replicates(text: str) -> int:
    return _whole_number(text, 1, "a number of worlds", MAX_REPLICATES)


def _seed(text: str) -> int:
    return _whole_number(text, 0, "a seed", MAX_SEED)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (program, subcommand, the problem) and exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that cleanup runs (workers stopped, no
    half-written folder) before the exit with status 143."""


def _on_sigterm(signum, frame):
    raise Terminated()


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
    from .. import __version__

    p = _Parser(
        prog=_prog(),
        description="Batched discrete-event Monte Carlo model of Khalkhin Gol / Nomonhan, August 1939.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run a Monte Carlo experiment and compare it with the record",
                       description="Run SCENARIO as a Monte Carlo experiment; print each outcome's median "
                                   "and 90% interval beside the historical record.")
    r.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)
    r.add_argument("--replicates", "-n", type=_replicates, default=1000,
                   help=f"number of replicate worlds, 1 to {MAX_REPLICATES:,} (default 1000)")
    r.add_argument("--seed", type=_seed, default=DEFAULT_SEED,
                   help=f"root seed, 0 to 2**63-1 (default {DEFAULT_SEED})")
    r.add_argument("--out", type=Path, default=None,
                   help="results folder: outcomes, a copy of the scenario, manifest.json (docs/results.md); "
                        "must be empty or new unless --force")
    r.add_argument("--force", action="store_true",
                   help="write into a folder that is not empty, replacing its results (stale results files removed)")
    r.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="outcomes file format")
    r.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes (default: CPUs; 1 = serial); at most the CPUs this process may use "
                        "unless --force-workers")
    r.add_argument("--force-workers", action="store_true", help="allow --workers above the number of CPUs")
    r.add_argument("--force-large", action="store_true",
                   help="run even when the work estimate (worlds x units x combat steps) is above the limit "
                        "of 1e10 (a warning is printed above 1e8; 1,000 worlds of the August scenario: 1.1e7), "
                        "and allow --chunk-size above 5,000")
    r.add_argument("--chunk-size", type=_positive_int, default=None,
                   help="worlds per batch (part of the run's identity; default: 250, or fewer so that a small "
                        "run makes at least 2 chunks; at most 5,000 unless --force-large)")
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
                                    "against the record beside the CDB90 loss-rate baseline and a regression "
                                    "reference fitted on the calibration half from the same inputs; the 1938-39 "
                                    "Soviet-Japanese battles (isqno 256-260) are reported on their own.")
    cd.add_argument("--era", default="1939-1945", help="1939-1945 (default), pre-1900, 1900-1938, 1946-1982 or all")
    cd.add_argument("--split", choices=("holdout", "calibration", "all"), default="holdout",
                    help="which half of the fixed split to score (default holdout)")
    cd.add_argument("--replicates", "-n", type=_replicates, default=200,
                    help=f"worlds per battle, 1 to {MAX_REPLICATES:,} (default 200)")
    cd.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed, 0 to 2**63-1 (default {DEFAULT_SEED})")
    cd.add_argument("--workers", type=_positive_int, default=None,
                    help="worker processes (default: CPUs); at most the CPUs unless --force-workers")
    cd.add_argument("--force-workers", action="store_true", help="allow --workers above the number of CPUs")
    cd.add_argument("--out", type=Path, default=None,
                    help="folder for predictions.parquet, reference.parquet, summary.txt and the figures")
    cd.add_argument("--force", action="store_true", help="replace the contents of a non-empty --out folder")
    cd.add_argument("--no-progress", action="store_true", help="no progress bar")
    cd.add_argument("--parameters", default="default",
                    help="default (the package's: attrition fitted on the calibration half by "
                         "benchmarks/calibrate_cdb90.py), prior (the published QJM values and ranges "
                         "the fit replaced) or a TOML parameter table")

    pa = sub.add_parser("params", help="print the parameter table (value, unit, claims, source)",
                        description="Print every model parameter of SCENARIO (defaults merged) as a Markdown table.")
    pa.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)

    n = sub.add_parser("narrate", help="run one world and print its event log",
                       description="Run a single world (R = 1) of SCENARIO and print what happened, hour by hour.")
    n.add_argument("scenario", nargs="?", default=None, help=_SCENARIO_HELP)
    n.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"seed, 0 to 2**63-1 (default {DEFAULT_SEED})")
    n.add_argument("--kinds", default="order,broke,encircled,destroyed,withdrawn,captured,ring_closed,resistance_ended",
                   help="comma-separated event kinds to show")
    return p


def _fail(msg: str) -> int:
    print(msg, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted,
    143 terminated by SIGTERM)."""
    args = build_parser().parse_args(argv)
    old = None
    if threading.current_thread() is threading.main_thread():
        old = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        status = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler, not at exit
        return status
    except KeyboardInterrupt:
        print(f"{_prog()}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print(f"{_prog()}: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): no traceback, and no
        # second error when Python flushes stdout at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print(f"{_prog()}: output closed before the end (broken pipe)", file=sys.stderr)
        return 130
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _dispatch(args) -> int:
    from ..record import RecordError
    from .commands import UsageError, cdb90, compare, narrate, report, run, sources
    from ..scenario import ScenarioError, load_scenario
    from ..experiment.store import StoreError

    try:
        if args.command == "cdb90":
            return cdb90(args)
        if args.command == "sources":
            return sources(args)
        if args.command == "compare":
            return compare(args)
        if args.command == "report":
            return report(args)
        from ..scenario.bundled import format_scenario_list, resolve_scenario

        if args.command == "list":
            print(format_scenario_list())
            return 0
        if args.command == "validate":
            sc = load_scenario(resolve_scenario(args.scenario))
            m = sc.model
            print(f"OK {args.scenario or DEFAULT_SCENARIO}: {len(m.places)} places, {len(m.routes)} routes, "
                  f"{len(m.units)} units, {len(m.orders)} orders; sha256 {sc.sha256[:12]}"
                  + (f"; inherits from {' <- '.join(Path(b).name for b in sc.bases)}" if sc.bases else ""))
            return 0
        sc = load_scenario(resolve_scenario(args.scenario))  # a bundled name or a file
        if args.command == "narrate":
            return narrate(sc, args)
        if args.command == "params":
            from ..scenario.parameters import parameter_table

            print(parameter_table(sc))
            return 0
        return run(sc, args)
    except ScenarioError as exc:
        return _fail(str(exc))
    except (StoreError, UsageError) as exc:
        return _fail(str(exc))
    except RecordError as exc:
        return _fail(str(exc))
