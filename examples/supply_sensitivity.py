"""Supply sensitivity: how many Soviet trucks did the August offensive need?

Zhukov's 1st Army Group was supplied over 540-650 km of unpaved road from the
railheads by truck. This script loads the August scenario file, sets the Soviet
truck fleet to a fixed size from a list, rebuilds the scenario from the edited
dict, and runs each variant with the same seed: every other input (payloads,
speeds, breakdowns, force strengths, combat draws) is the same in world ``i`` of
every variant (common random numbers), so the curves show the effect of the
fleet alone.

It plots the stock the Soviets hold at H-hour against the 39,000 t the operation
needed, and what the stock buys on the battlefield, with the historical fleet
(2,636 available on the Soviet count, about 4,000 on others) marked.

    python examples/supply_sensitivity.py          # 7 fleet sizes x 200 worlds
    python examples/supply_sensitivity.py --fast   # 3 fleet sizes x 30 worlds (used by the tests)
"""

from __future__ import annotations

import argparse
import copy
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.plot.style import BAND, MEDIAN, RECORD, SIDE_COLOURS, SIM  # noqa: E402
from nomonhan_sim.record import load_record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes  # noqa: E402
from nomonhan_sim.scenario import load_scenario, scenario_from_dict  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "khalkhin_gol_1939_august.toml"
FLEET = "soviet_trucks"


def with_trucks(d: dict, trucks: float) -> dict:
    """A copy of the scenario dict with the Soviet fleet set to ``trucks`` (a fixed count)."""
    d = copy.deepcopy(d)
    fleet = next(f for f in d["logistics"]["fleets"] if f["name"] == FLEET)
    fleet["trucks"] = float(trucks)
    return d


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="3 fleet sizes x 30 worlds, for a quick check")
    ap.add_argument("--out", type=Path, default=HERE / "output")
    args = ap.parse_args(argv)
    sizes = [1000, 2636, 5000] if args.fast else [1000, 1750, 2636, 3300, 4000, 5000, 6500]
    n = 30 if args.fast else 200

    base = tomllib.loads(SCENARIO.read_text(encoding="utf-8"))
    hist = next(f for f in base["logistics"]["fleets"] if f["name"] == FLEET)["trucks"]  # the scenario's range
    requirement = next(r for r in base["logistics"]["requirements"] if r["side"] == "soviet")

    rows, frames = [], {}
    for trucks in sizes:
        sc = scenario_from_dict(with_trucks(base, trucks), f"august_{trucks}_trucks")
        df = run_experiment(sc, replicates=n, seed=1939, workers=1 if args.fast else None).outcomes
        frames[trucks] = df
        stock = df["stock_at_h_hour.soviet"]
        ring = df["ring_closed_day"]
        rows.append({"trucks": trucks, "stock_median_t": stock.median(), "stock_q05_t": stock.quantile(0.05),
                     "stock_q95_t": stock.quantile(0.95), "P(stock >= requirement)": (stock >= requirement["tons"]).mean(),
                     "soviet_casualties_median": df["casualties.soviet"].median(),
                     "japanese_casualties_median": df["casualties.japanese"].median(),
                     "ring_closed_share": np.isfinite(ring).mean(),
                     "short_ammo_unit_hours_median": df["short_unit_hours.soviet.ammunition"].median()})
    table = pd.DataFrame(rows)
    print(f"Soviet truck fleet sweep, {n} worlds each, seed 1939 (common random numbers):")
    print(table.round(2).to_string(index=False))

    # Historical ranges of the battle outcomes, from the default scenario's [[compare]] entries.
    comp = {r.outcome: r for r in compare_outcomes(frames[sizes[-1]], load_scenario(SCENARIO), load_record())}

    fig, axes = plt.subplots(1, 2, figsize=(14, 5.4), constrained_layout=True)
    ax = axes[0]
    ax.fill_between(table.trucks, table.stock_q05_t, table.stock_q95_t, color=SIM, alpha=0.25,
                    label=f"simulated: 90% of {n} worlds")
    ax.plot(table.trucks, table.stock_median_t, "o-", color=SIM, label="simulated: median")
    ax.axhline(requirement["tons"], color=RECORD, ls="--",
               label=f"requirement {requirement['tons']:,} t [{requirement['source'].split(':')[0]}]")
    ax.set_ylabel("Soviet stock at H-hour, depots + units (t)")
    ax.set_title("Supply: Soviet stock at H-hour (20 Aug 05:45) by fleet size", fontsize=10)

    ax = axes[1]
    for k, side in enumerate(("soviet", "japanese")):
        col = f"casualties.{side}"
        q = np.array([frames[t][col].quantile([0.05, 0.5, 0.95]).to_numpy() for t in sizes])
        name = "Soviet–Mongolian" if side == "soviet" else "Japanese"
        ax.fill_between(sizes, q[:, 0], q[:, 2], color=SIDE_COLOURS[k], alpha=0.15)
        ax.plot(sizes, q[:, 1], "o-", color=SIDE_COLOURS[k], label=f"{name}: simulated median (band: 90% of worlds)")
        c = comp.get(col)
        if c is not None:
            src = "; ".join(sorted({cl.source.label for cl in c.claims}))
            ax.axhspan(c.low, c.high, color=SIDE_COLOURS[k], alpha=0.35, hatch="//", fill=False,
                       label=f"{name} record {c.low:,.0f}–{c.high:,.0f} men [{src}]")
    ax.set_ylabel("casualties, 20–31 Aug 1939 (men)")
    ax.set_title("Battle: casualties of each side by Soviet fleet size", fontsize=10)

    for ax in axes:
        ax.axvspan(hist["low"], hist["high"], color=BAND, alpha=0.45, zorder=0,
                   label=f"historical fleet {hist['low']:,.0f}–{hist['high']:,.0f} trucks [VORO-18], [WP-KG-25]")
        ax.set_xlabel("Soviet trucks in the railhead–front fleet (count)")
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.legend(fontsize=8, loc="best")
    fig.suptitle("Khalkhin Gol, August 1939: what the Soviet truck fleet buys (same seed for every fleet size)",
                 fontsize=11, color=MEDIAN)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "supply_sensitivity.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"saved {path}")
    return [path]


if __name__ == "__main__":
    main()
