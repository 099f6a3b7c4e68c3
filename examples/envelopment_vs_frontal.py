"""Envelopment against a frontal attack, world by world (common random numbers).

The August scenario and its counterfactual ``khalkhin_gol_1939_august_frontal.toml``
have the same forces, ground and parameters; only the orders differ (all groups
attack the Japanese line head-on). Run with the same seed and chunk size, world
``i`` of both variants draws the same strengths, rates and combat noise, so the
difference between the two in world ``i`` is the effect of the plan alone. That
paired difference has far less noise than the gap between two independent runs.

    python examples/envelopment_vs_frontal.py          # 300 worlds per variant
    python examples/envelopment_vs_frontal.py --fast   # 40 worlds per variant (used by the tests)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.plot import plot_paired, ring_closed_share  # noqa: E402
from nomonhan_sim.plot.style import SIDE_COLOURS  # noqa: E402
from nomonhan_sim.record import load_record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"
VARIANTS = {"envelopment": SCENARIOS / "khalkhin_gol_1939_august.toml",
            "frontal": SCENARIOS / "khalkhin_gol_1939_august_frontal.toml"}


def q(v) -> str:
    """Median and 90% interval of a column, as text."""
    v = np.asarray(v, float)
    v = v[np.isfinite(v)]
    lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
    fmt = (lambda x: f"{x:,.0f}") if abs(med) >= 100 else (lambda x: f"{x:.2f}")
    return f"{fmt(med):>7} ({fmt(lo)} – {fmt(hi)})"


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="40 worlds per variant, for a quick check")
    ap.add_argument("--out", type=Path, default=HERE / "output")
    args = ap.parse_args(argv)
    n = 40 if args.fast else 300

    # Same seed and chunk size for both: world i sees the same random inputs in both variants.
    runs = {}
    for name, path in VARIANTS.items():
        sc = load_scenario(path)
        runs[name] = run_experiment(sc, replicates=n, seed=1939, chunk_size=100,
                                    workers=1 if args.fast else None).outcomes
    env, fro = runs["envelopment"], runs["frontal"]
    for df in (env, fro):
        df["loss_ratio"] = df["casualties.soviet"] / df["casualties.japanese"]

    print(f"{n} worlds per variant, seed 1939; median (90% interval)")
    print(f"{'outcome':40} {'envelopment':>26} {'frontal':>26}")
    for col, label in (("casualties.soviet", "Soviet casualties (men)"),
                       ("casualties.japanese", "Japanese casualties (men)"),
                       ("loss_ratio", "Soviet per Japanese casualty")):
        print(f"{label:40} {q(env[col]):>26} {q(fro[col]):>26}")
    for name, df in runs.items():
        print(f"ring closed in {np.isfinite(df['ring_closed_day']).mean():.0%} of worlds ({name})")

    # Figure 1: paired differences, two outcomes.
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5), constrained_layout=True)
    s1 = plot_paired(axes[0], env["casualties.soviet"], fro["casualties.soviet"], "envelopment", "frontal",
                     "Soviet casualties", "men")
    s2 = plot_paired(axes[1], env["loss_ratio"], fro["loss_ratio"], "envelopment", "frontal",
                     "Soviet per Japanese casualty", "ratio")
    print(f"\npaired, frontal minus envelopment: Soviet casualties {s1.median_diff:+,.0f} men "
          f"(95% CI {s1.ci_low:+,.0f} to {s1.ci_high:+,.0f}; frontal costs more in {s1.share_b_greater:.0%} "
          f"of worlds; Wilcoxon p = {s1.wilcoxon_p:.1e})")
    print(f"paired, frontal minus envelopment: loss ratio {s2.median_diff:+.2f} "
          f"(95% CI {s2.ci_low:+.2f} to {s2.ci_high:+.2f}; Wilcoxon p = {s2.wilcoxon_p:.1e})")
    fig.suptitle(f"Khalkhin Gol, August 1939: Zhukov's double envelopment against a frontal attack with the same "
                 f"forces\n{n} worlds per variant, paired by common random numbers (same seed: world i draws the "
                 f"same inputs in both)", fontsize=11)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [args.out / "envelopment_vs_frontal.png"]
    fig.savefig(paths[0], dpi=100)
    plt.close(fig)

    # Figure 2: when does the ring close? The record's dates come from the scenario's [[compare]] entry.
    sc = load_scenario(VARIANTS["envelopment"])
    ring = next(r for r in compare_outcomes(env, sc, load_record()) if r.outcome == "ring_closed_day")
    src = "; ".join(sorted({c.source.label for c in ring.claims}))
    end_day = sc.model.engine.duration_hours / 24
    fig, ax = plt.subplots(figsize=(9, 4.6), constrained_layout=True)
    ring_closed_share(ax, env["ring_closed_day"], record=(ring.low, ring.high), end_day=end_day, source=src)
    days = np.asarray(fro["ring_closed_day"], float)
    grid = np.linspace(0, end_day, 400)
    ax.plot(grid, (days[None, :] <= grid[:, None]).mean(axis=1), color=SIDE_COLOURS[0], lw=2, ls="--",
            label=f"simulated, frontal attack ({n} worlds)")
    ax.lines[0].set_label(f"simulated, envelopment ({n} worlds)")
    ax.legend(fontsize=8, loc="center right")
    ax.set_title("Ring around the Japanese front force closed: share of worlds by day, envelopment vs frontal")
    paths.append(args.out / "envelopment_vs_frontal_ring.png")
    fig.savefig(paths[1], dpi=100)
    plt.close(fig)
    for p in paths:
        print(f"saved {p}")
    return paths


if __name__ == "__main__":
    main()
