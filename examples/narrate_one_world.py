"""One world of the August 1939 offensive, told from its event log beside its map.

Runs a single replicate world with the event log and the state trace switched on,
prints what happened in it hour by hour (orders, units breaking, pockets, the ring
closing, the end of organised resistance), and saves one figure: the battle map of
that world at the moment the ring closed (or D+5 if it never did) beside the same
events as a dated list.

    python examples/narrate_one_world.py                # world 0 of seed 1939
    python examples/narrate_one_world.py --seed 7       # another world
    python examples/narrate_one_world.py --fast         # what the tests run (same thing: one world is fast)
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from nomonhan_sim.engine.compiled import compile_scenario  # noqa: E402
from nomonhan_sim.simulation import run_batch  # noqa: E402
from nomonhan_sim.report.narrate import narrate  # noqa: E402
from nomonhan_sim.experiment.outcomes import outcomes_frame  # noqa: E402
from nomonhan_sim.plot import battle_map  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "khalkhin_gol_1939_august.toml"
# The events worth telling; "arrived" and "delivered" (truck columns) are left out: too many.
KINDS = {"order", "broke", "encircled", "destroyed", "withdrawn", "ring_closed", "resistance_ended"}


def main(argv=None) -> list[Path]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast", action="store_true", help="accepted for the test suite; one world is already fast")
    ap.add_argument("--seed", type=int, default=1939, help="seed of the world (default 1939)")
    ap.add_argument("--out", type=Path, default=HERE / "output")
    args = ap.parse_args(argv)

    sc = load_scenario(SCENARIO)
    c = compile_scenario(sc)
    # R = 1: one world. log_events keeps its event log; trace_worlds keeps its state for the map.
    res = run_batch(c, 1, np.random.SeedSequence(args.seed), log_events=True, trace_worlds=[0])
    story = narrate(res, world=0, kinds=KINDS)
    print(story)

    # When did the ring close in this world? (NaN if it never did.) Draw the map then.
    ring_day = float(outcomes_frame(res)["ring_closed_day"].iloc[0])
    hour = 24 * ring_day if np.isfinite(ring_day) else 24 * 5.0
    moment = (f"ring closed, D+{ring_day:.2f}" if np.isfinite(ring_day) else "D+5 (the ring never closed)")

    fig, (ax_map, ax_text) = plt.subplots(1, 2, figsize=(16, 8.5), gridspec_kw={"width_ratios": [1.05, 1]})
    battle_map(ax_map, res, world=0, hour=hour, arrows_hours=12,
               title=f"Battle map at the moment shown: {moment}")

    # The panel keeps the turning points (breaking, pockets, the ring, the end); the
    # console above has the orders and withdrawals too. Events after the map's moment are grey.
    key = narrate(res, world=0, kinds={"broke", "encircled", "destroyed", "ring_closed", "resistance_ended"})
    events = [(float(ln.split("D+")[1].split()[0]), textwrap.shorten(ln, 100, placeholder=" …"))
              for ln in key.splitlines()]
    ax_text.axis("off")
    ax_text.set_title("Its turning points from the event log (date, day after H-hour, unit, event);\n"
                      "black: up to the moment on the map, grey: after it", fontsize=10, loc="left")
    max_lines = 52
    for i, (day, line) in enumerate(events[:max_lines]):
        ax_text.text(0.0, 1.0 - i / max_lines, line, va="top", ha="left", family="monospace", fontsize=7,
                     color="black" if day <= hour / 24 + 0.005 else "#888888", transform=ax_text.transAxes)
    if len(events) > max_lines:
        ax_text.text(0.0, -0.01, f"… and {len(events) - max_lines} more (all printed on the console)",
                     va="top", fontsize=7, transform=ax_text.transAxes)
    fig.suptitle(f"{sc.model.scenario.name}: one world (seed {args.seed}) told from its event log beside its map",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.96))

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "narrate_one_world.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"saved {path}")
    return [path]


if __name__ == "__main__":
    main()
