"""Save a run, load it back into a pandas DataFrame, and make a plot of your own.

The first half is what ``python -m nomonhan_sim run --out DIR`` does; the second
half is what a researcher does later, in a new session, with only the results
folder: read it, check its provenance, and ask a question the library has no
plot for. Here: in the worlds where the ring closed early, did the Japanese lose
more and the Soviets less? (A scatter of the two sides' casualties per world,
coloured by the day the ring closed, with the historical ranges as bands.)

    python examples/load_results.py            # 300 replicates
    python examples/load_results.py --fast     # 40 replicates (used by the tests)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.plot.style import RECORD  # noqa: E402
from nomonhan_sim.record import load_record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402
from nomonhan_sim.experiment.store import read_results, results_scenario  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "khalkhin_gol_1939_august.toml"


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="40 replicates, for a quick check")
    ap.add_argument("--out", type=Path, default=HERE / "output")
    args = ap.parse_args(argv)
    n = 40 if args.fast else 300

    # 1. Run and save (outcomes.parquet, scenario copy, manifest.json), as `run --out` does.
    results = args.out / "results_load_example"
    sc = load_scenario(SCENARIO)
    res = run_experiment(sc, replicates=n, seed=2024, workers=1 if args.fast else None)
    res.save(results, force=True)  # force: replace the results of an earlier run of this example
    print(f"saved {n} worlds to {results}/")

    # 2. Later: load the folder. One row per world; outcomes plus every drawn input.
    df, manifest = read_results(results)
    print(f"\nprovenance: scenario {manifest['scenario']} (sha256 {manifest['scenario_sha256'][:12]}), "
          f"seed {manifest['seed']}, {manifest['replicates']} replicates, nomonhan_sim {manifest['version']}")
    cols = ["casualties.soviet", "casualties.japanese", "ring_closed_day", "resistance_ended_day"]
    print(df[cols].describe().round(2).to_string())
    drawn = [c for c in df.columns if c.startswith("input.parameters.")]
    print(f"\n{len(drawn)} drawn model parameters are columns too, e.g. {drawn[:3]}")

    # 3. A plot the library does not have. The historical ranges come from the
    #    scenario's [[compare]] entries, resolved against the record's claims.
    sc = results_scenario(results, manifest)  # the folder's own copy of the scenario, hash checked
    rows = {r.outcome: r for r in compare_outcomes(df, sc, load_record())}
    ring = df["ring_closed_day"].to_numpy(float)
    closed = np.isfinite(ring)
    fig, ax = plt.subplots(figsize=(9, 6.2), constrained_layout=True)
    for key, span in (("casualties.japanese", ax.axvspan), ("casualties.soviet", ax.axhspan)):
        r = rows.get(key)
        if r is not None:
            src = "; ".join(sorted({c.source.label for c in r.claims}))
            span(r.low, r.high, color=RECORD, alpha=0.25, label=f"record, {key.split('.')[1]}: "
                                                               f"{r.low:,.0f}–{r.high:,.0f} men [{src}]")
    sc_pts = ax.scatter(df.loc[closed, "casualties.japanese"], df.loc[closed, "casualties.soviet"], c=ring[closed],
                        cmap="viridis", s=18, edgecolor="none", label="one world (colour: day the ring closed)")
    if (~closed).any():
        ax.scatter(df.loc[~closed, "casualties.japanese"], df.loc[~closed, "casualties.soviet"], marker="x",
                   color="black", s=22, label="one world: ring never closed")
    fig.colorbar(sc_pts, ax=ax, label="ring closed (days after H-hour, 20 Aug 05:45)")
    rho = np.corrcoef(df["casualties.japanese"], df["casualties.soviet"])[0, 1]
    ax.set_xlabel("Japanese casualties, 20–31 Aug 1939 (men)")
    ax.set_ylabel("Soviet–Mongolian casualties, 20–31 Aug 1939 (men)")
    ax.set_title(f"Casualties of both sides in each of {n} worlds, by the day the ring closed "
                 f"(correlation {rho:.2f})", fontsize=10)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(fontsize=8, loc="upper left")
    path = args.out / "load_results_custom_plot.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"saved {path}")
    return [path]


if __name__ == "__main__":
    main()
