"""Quickstart: run the August 1939 offensive as a Monte Carlo experiment and plot it.

Runs the scenario, prints the comparison table, and saves one figure: the
simulated distributions of Soviet and Japanese casualties with the historical
ranges drawn beside them.

    python examples/quickstart.py            # 400 replicates
    python examples/quickstart.py --fast     # 40 replicates (used by the tests)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402
from nomonhan_sim.record import load_record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes, format_comparison  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "khalkhin_gol_1939_august.toml"
COLOURS = {"soviet": "#CC3311", "japanese": "#0077BB"}  # Paul Tol's colour-blind-safe "vibrant"
LABELS = {"soviet": "Soviet–Mongolian", "japanese": "Japanese and Manchukuo"}


def main(argv=None) -> Path:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="40 replicates, for a quick check")
    ap.add_argument("--out", type=Path, default=HERE / "output")
    args = ap.parse_args(argv)

    sc = load_scenario(SCENARIO)
    n = 40 if args.fast else 400
    res = run_experiment(sc, replicates=n, seed=1939, workers=1 if args.fast else None)
    df = res.outcomes
    rows = compare_outcomes(df, sc, load_record())
    print(format_comparison(rows, title=f"{sc.model.scenario.name}: {n} replicates"))

    targets = {r.outcome: r for r in rows}
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for ax, side in zip(axes, ("soviet", "japanese")):
        col = f"casualties.{side}"
        v = df[col].to_numpy()
        ax.hist(v, bins=30, color=COLOURS[side], alpha=0.75, label=f"simulated ({n} worlds)")
        q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        ax.axvline(q50, color="black", lw=1.2, label=f"simulated median {q50:,.0f}")
        ax.axvspan(q05, q95, color="grey", alpha=0.12, label="simulated 90% interval")
        t = targets.get(col)
        if t is not None:
            lo, hi = t.low, t.high if t.high > t.low else t.low * 1.002
            ax.axvspan(lo, hi, color="#EE7733", alpha=0.45, label=f"historical {t.low:,.0f}–{t.high:,.0f}")
        ax.set_xlabel(f"{LABELS[side]} casualties, 20–31 Aug 1939 (men)")
        ax.set_ylabel("replicate worlds (count)")
        ax.set_title(f"{LABELS[side]}: killed, wounded, missing")
        ax.legend(fontsize=8)
    fig.suptitle("Khalkhin Gol, August 1939: simulated casualties vs the historical record")
    notes = ["Historical ranges: Soviet killed and wounded, August operation [KOLOM-KNIGALUB] and CDB90 battle 260;",
             "Japanese casualties CDB90 battle 260 with its error band (full sources: scenario [[compare]] entries)."]
    fig.text(0.01, -0.06, "\n".join(notes), fontsize=8)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "quickstart_casualties.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"saved {path}")
    return path


if __name__ == "__main__":
    main()
