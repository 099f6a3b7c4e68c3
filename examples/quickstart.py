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

from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402
from nomonhan_sim.record import load_record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes, format_comparison  # noqa: E402
from nomonhan_sim.plot import plot_outcome  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "khalkhin_gol_1939_august.toml"
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

    # plot_outcome draws one outcome's distribution over the worlds, its median and 90%
    # interval, and the record's range as a band with the record's sources in the legend.
    targets = {r.outcome: r for r in rows}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
    for ax, side in zip(axes, ("soviet", "japanese")):
        col = f"casualties.{side}"
        plot_outcome(ax, df[col].to_numpy(float), targets.get(col), outcome=col)
        ax.set_xlabel(f"{LABELS[side]} casualties, 20–31 Aug 1939 (men)")
        ax.set_title(f"{LABELS[side]}: killed, wounded and missing", fontsize=10)
    fig.suptitle(f"Khalkhin Gol, August 1939: simulated casualties ({n} worlds) against the historical record")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "quickstart_casualties.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"saved {path}")
    return path


if __name__ == "__main__":
    main()
