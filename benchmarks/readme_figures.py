"""Measure every figure the README states, and write them into README.md.

The README's results table, its speed line, the variants' figures and the examples'
run times are generated here, between the markers ``<!-- readme-figures:start -->``
and ``<!-- readme-figures:end -->``, with the machine and the date they were measured
on, so that no figure in the README is typed by hand. Not part of the test suite
(it takes about three minutes on 2 cores). Usage::

    python benchmarks/readme_figures.py            # measure and rewrite the README block
    python benchmarks/readme_figures.py --dry-run  # print the block, leave README.md alone
    python benchmarks/readme_figures.py --no-examples

The figures also go to ``benchmarks/output/readme_figures.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nomonhan_sim import __version__
from nomonhan_sim.experiment import read_results, run_experiment
from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.scenario import load_scenario
from nomonhan_sim.vocabulary import fmt
from nomonhan_sim.vocabulary.defaults import DEFAULT_SEED

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- readme-figures:start -->", "<!-- readme-figures:end -->"
SCENARIOS = ROOT / "scenarios"
AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"
VARIANTS = {
    "frontal attack only": "khalkhin_gol_1939_august_frontal.toml",
    "half the Soviet trucks": "khalkhin_gol_1939_august_half_trucks.toml",
    "Japanese with a Soviet-size fleet": "khalkhin_gol_1939_august_japanese_trucks.toml",
    "stocks given at H-hour (no build-up)": "khalkhin_gol_1939_august_stocks_given.toml",
}
EXAMPLES = ("quickstart", "envelopment_vs_frontal", "supply_sensitivity", "narrate_one_world",
            "load_results", "custom_scenario")


def machine() -> str:
    """One line: CPU model, cores, memory, OS, Python and numpy versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}")


def timed_cli(args: list[str], cwd: Path) -> float:
    """Wall-clock seconds of ``python -m nomonhan_sim ARGS`` (failing loudly)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nomonhan_sim", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def record_cell(r) -> str:
    rec = fmt(r.low) if r.low == r.high else f"{fmt(r.low)} – {fmt(r.high)}"
    return f"{rec} ({r.sources})"


def main_run(tmp: Path) -> dict:
    """The README's first command, timed, and its comparison with the record."""
    out = tmp / "august"
    seconds = timed_cli(["run", str(AUGUST), "-q", "--out", str(out)], cwd=tmp)
    df, manifest = read_results(out)
    sc = load_scenario(AUGUST)
    rows = compare_outcomes(df, sc, load_record())
    stock = df["stock_at_h_hour.soviet"].to_numpy(float)
    req = {r.side: r for r in sc.model.logistics.requirements}["soviet"]
    return {
        "seconds": seconds, "replicates": int(manifest["replicates"]), "seed": int(manifest["seed"]),
        "chunk_size": int(manifest["chunk_size"]),
        "rows": [{
            "outcome": r.outcome, "unit": r.unit, "median": r.median, "q05": r.q05, "q95": r.q95,
            "n_happened": r.n_happened, "n": r.n, "record": record_cell(r), "p_range": r.p_range,
            "percentile": r.percentile, "verdict": r.verdict,
        } for r in rows],
        "soviet_stock": {"median": float(np.median(stock)), "q05": float(np.quantile(stock, 0.05)),
                         "q95": float(np.quantile(stock, 0.95)), "requirement": req.tons,
                         "requirement_source": req.source.split(":")[0],
                         "p_meets": float((stock >= req.tons).mean())},
        "tank_losses_soviet_median": float(np.median(df["equipment_lost.soviet.tanks"])),
    }


def variants(n: int) -> dict:
    """Each bundled variant beside the base scenario: same seed, ``n`` worlds (common random numbers)."""
    out = {}
    for label, name in {"base scenario": AUGUST.name, **VARIANTS}.items():
        df = run_experiment(load_scenario(SCENARIOS / name), replicates=n, seed=DEFAULT_SEED).outcomes
        ring = df["ring_closed_day"].to_numpy(float)
        ended = df["resistance_ended_day"].to_numpy(float)
        out[label] = {
            "file": name, "worlds": n,
            "soviet": float(df["casualties.soviet"].median()),
            "japanese": float(df["casualties.japanese"].median()),
            "ratio": float(np.median(df["casualties.soviet"] / df["casualties.japanese"])),
            "ring_share": float(np.isfinite(ring).mean()),
            "ring_median": float(np.nanmedian(ring)) if np.isfinite(ring).any() else float("nan"),
            "ended_share": float(np.isfinite(ended).mean()),
            "stock": float(df["stock_at_h_hour.soviet"].median()) if "stock_at_h_hour.soviet" in df else float("nan"),
        }
    return out


def examples(tmp: Path) -> dict:
    """Wall-clock seconds of each example script, full and --fast."""
    times = {}
    for name in EXAMPLES:
        script = ROOT / "examples" / f"{name}.py"
        row = {}
        for mode, extra in (("full", []), ("fast", ["--fast"])):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, str(script), "--out", str(tmp / f"ex_{name}_{mode}"), *extra],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            row[mode] = time.perf_counter() - t0
        times[name] = row
    return times


def cdb90_scores() -> dict:
    """``python -m nomonhan_sim cdb90`` on the holdout half, WWII and all eras (default seed)."""
    from nomonhan_sim.validation.cdb90_suite import run_suite, scores, winner_scores

    out = {}
    for era, params in (("1939-1945", "default"), (None, "default"), ("1939-1945", "prior"),
                        (None, "prior")):
        r = run_suite(era=era, split="holdout", replicates=200, seed=DEFAULT_SEED, parameters=params)
        out[f"{era or 'all'}|{params}"] = {
            "n": len(r.pred),
            "scores": [vars(x) for x in scores(r.pred)],
            "winner": {k: {"share": w.share, "n": w.n} for k, w in winner_scores(r.pred).items()},
        }
    return out


def interval(r: dict) -> str:
    text = f"{fmt(r['median'])} ({fmt(r['q05'])} – {fmt(r['q95'])})"
    if r["n_happened"] < r["n"]:
        text += f"; happens in {r['n_happened'] / r['n']:.0%} of worlds"
    return text


def block(fig: dict) -> str:
    m = fig["main"]
    lines = [
        START,
        f"*Generated by `python benchmarks/readme_figures.py` on {fig['date']} (nomonhan_sim "
        f"{fig['version']}), on {fig['machine']}. Do not edit by hand.*",
        "",
        f"`python -m nomonhan_sim run` ({m['replicates']:,} worlds, seed {m['seed']}, chunks of "
        f"{m['chunk_size']}, all cores) took **{m['seconds']:.1f} s** wall clock, start-up and "
        f"the supply build-up from 1 August included ({m['replicates'] / m['seconds']:.0f} worlds/s). "
        "The comparison it prints (scope: the Soviet counteroffensive of 20–31 August 1939, ground "
        "forces; record sources in brackets, resolved in `docs/sources.md`):",
        "",
        "| outcome | simulated median (90% interval) | record (sources) | P(record range) | percentile of the record | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in m["rows"]:
        lines.append(f"| `{r['outcome']}` ({r['unit']}) | {interval(r)} | {r['record']} | "
                     f"{r['p_range']:.2f} | {r['percentile']:.2f} | {r['verdict']} |")
    s = m["soviet_stock"]
    lines += [
        "",
        f"Soviet stock at H-hour: median {fmt(s['median'])} t (90%: {fmt(s['q05'])} – {fmt(s['q95'])} t) "
        f"against the {fmt(s['requirement'])} t the operation required [{s['requirement_source']}]; "
        f"P(stock ≥ requirement) = {s['p_meets']:.2f}. Median Soviet tanks lost: "
        f"{fmt(m['tank_losses_soviet_median'])}.",
        "",
        "Variants, each with the same seed and worlds as the base scenario (common random numbers):",
        "",
        "| scenario | worlds | Soviet casualties (median) | Japanese casualties (median) | Soviet per Japanese casualty (median) | ring closed (share of worlds; median day) | resistance ended (share) | Soviet stock at H-hour (median, t) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, v in fig["variants"].items():
        ring = f"{v['ring_share']:.0%}" + (f"; day {fmt(v['ring_median'])}" if v["ring_share"] > 0 else "")
        lines.append(f"| {label} (`{v['file']}`) | {v['worlds']} | {fmt(v['soviet'])} | {fmt(v['japanese'])} | "
                     f"{v['ratio']:.2f} | {ring} | {v['ended_share']:.0%} | {fmt(v['stock'])} |")
    if fig.get("cdb90"):
        lines += ["", "The attrition core on CDB90 battles it was not built for (`python -m nomonhan_sim cdb90 "
                  "[--era all] [--parameters prior]`: the holdout half of the fixed split, each battle a "
                  "one-place engagement, 200 worlds), beside the CDB90 loss-rate baseline (attacker 1.39 %/day, "
                  "defender 4.03 %/day of strength). *default*: the package's parameters, whose Dupuy base rates "
                  "and model-form spread were fitted on the 1939–1945 calibration half (`benchmarks/calibrate_cdb90.py`, "
                  "`nomonhan_sim/data/calibrated_attrition.toml`); *prior*: the published QJM values and ranges "
                  "the fit replaced, nothing fitted. *regression*: ridge regressions of log casualties and a "
                  "logistic regression of the winner on the engagement inputs, fitted on the calibration battles "
                  "of the same era (`nomonhan_sim/validation/reference_fit.py`): what a fitted statistical "
                  "predictor reaches from these inputs. Skill intervals: bootstrap over battles, 90 %:", "",
                  "| battles | parameters | predictor | side | median predicted/observed | share within ×2 | mean CRPS (log) | CRPS skill vs baseline (90% bootstrap) | observed inside the 90% interval | winner right |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for key, res in fig["cdb90"].items():
            era, params = key.split("|")
            for x in res["scores"]:
                if params == "prior" and x["predictor"] != "model":
                    continue  # the same baseline and regression rows as above
                w = res["winner"][x["predictor"]]
                ci = (f" ({x['skill_q05']:+.2f} to {x['skill_q95']:+.2f})" if x["predictor"] != "baseline" else "")
                lines.append(f"| holdout, {'1939–1945' if era == '1939-1945' else 'all eras'} ({res['n']}) | "
                             f"{params if x['predictor'] == 'model' else '-'} | "
                             f"{x['predictor']} | {x['side']} | {x['median_ratio']:.2f} | {x['within_2']:.2f} | "
                             f"{x['crps']:.3f} | {x['skill']:+.2f}{ci} | {x['coverage_90']:.2f} | "
                             f"{w['share']:.2f} of {w['n']} |")
    if fig.get("examples"):
        lines += ["", "Examples, wall clock (`python examples/NAME.py`, and with `--fast` as the test suite runs them):",
                  "", "| example | full | `--fast` |", "|---|---|---|"]
        for name, t in fig["examples"].items():
            lines.append(f"| `{name}.py` | {t['full']:.1f} s | {t['fast']:.1f} s |")
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="print the block; leave README.md alone")
    ap.add_argument("--no-examples", action="store_true", help="skip timing the examples (keeps no example times)")
    ap.add_argument("--variant-worlds", type=int, default=500, help="worlds per variant (default 500)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fig = {"date": dt.date.today().isoformat(), "version": __version__, "machine": machine(),
               "main": main_run(tmp), "variants": variants(args.variant_worlds), "cdb90": cdb90_scores(),
               "examples": None if args.no_examples else examples(tmp)}
    (ROOT / "benchmarks" / "output").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "output" / "readme_figures.json").write_text(json.dumps(fig, indent=2) + "\n")
    text = block(fig)
    if args.dry_run:
        print(text)
        return
    readme = README.read_text()
    if START not in readme or END not in readme:
        sys.exit(f"{README}: no {START} ... {END} block to replace")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(head + text + tail)
    print(f"wrote the figures block of {README}")


if __name__ == "__main__":
    main()
