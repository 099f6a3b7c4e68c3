"""Benchmark: cost per replicate world against the number of units (like-for-like scaling).

Issue 13 asks that cost per replicate grow at most linearly with units. The bundled 1945
scenario and August 1939 differ in more than size (August has a 461-hour supply build-up
before its 12 days of battle), so this benchmark builds a family of synthetic scenarios
that differ *only* in size: ``k`` copies of one fixed front segment laid side by side
(``build_scenario(k)``). Units, places and contested places grow with ``k``; the simulated
span (5 days, no build-up) and each copy's situation stay the same.

The pattern (one copy; every number in it is a benchmark estimate, not historical):

* 8 places in a line west to east: blue railhead road ``b_road``, depot ``b_rear``, main
  line ``b_line`` (prepared), flank outpost ``b_flank``, a ford in no man's land,
  red start line ``r_line``, red depot ``r_rear``, red railhead road ``r_road``;
* 8 units: blue defends ``b_line`` and ``b_flank`` with a tank reserve that
  counter-attacks when ``b_flank`` falls; red attacks the ford and ``b_line`` in waves
  (attack, pull back, pause, attack) while a rifle regiment and a tank regiment go round
  by ``b_flank`` to ``b_rear`` (an envelopment: taking ``b_rear`` cuts the blue line off
  from its railhead), its artillery follows to the ford;
* logistics (default; ``--no-logistics`` leaves it out): a railhead, a depot and a truck
  fleet per side per copy; one red replacement draft per copy.

Copies are joined only through two shared places, each side's rear (``blue_hub``,
``red_hub``: the schema has one rear per side, which must be reachable from the side's
units), each linked to every copy's railhead road by a 40 km road; no route joins two
copies otherwise, and copies stand 60 km apart on the grid (beyond any artillery range).
So a ``k``-copy scenario has ``8 k`` units and ``8 k + 2`` places.

For each size, R worlds run serially in this process (``run_experiment(..., workers=1)``:
compiling, the batches and the outcome table), ``--repeats`` times; the median wall time
gives seconds per world and per world per unit, and a log-log fit of seconds per world
against units gives the growth exponent (<= 1: at most linear), over all sizes and
without k = 1 (fixed start-up costs dominate the smallest size). The bundled August 1939
and August 1945 scenarios are timed the same way (``--no-bundled`` to skip).

Not part of the test suite (tests/test_bench_scaling.py checks the scenario builder
only). Timings are only meaningful on an otherwise idle machine. Usage::

    python benchmarks/bench_scaling.py [--sizes 1 2 4 8 16] [--replicates 200] [--repeats 3]
                                       [--no-bundled] [--no-logistics] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.scenario import LoadedScenario, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = {
    "august_1939": ROOT / "scenarios/khalkhin_gol_1939_august.toml",
    "august_storm_1945": ROOT / "scenarios/manchuria_1945_august_storm.toml",
}
DEFAULT_SIZES = (1, 2, 4, 8, 16)
SEED = 20260813  # explicit seed of every timed run (the same worlds each repeat)

# Benchmark estimates (not historical) shared by every copy.
DAYS = 5                  # simulated span, days (benchmark estimate)
COPY_SPACING_KM = 60.0    # north-south distance between copies on the grid, km (benchmark estimate)
HUB_ROAD_KM = 40.0        # each copy's railhead road to its side's shared rear, km (benchmark estimate)
SOURCE = "estimate: synthetic benchmark pattern (benchmarks/bench_scaling.py), not historical"

#: Per copy: places, units; shared: the two rear hubs.
PLACES_PER_COPY = 8
UNITS_PER_COPY = 8
SHARED_PLACES = ("blue_hub", "red_hub")
#: Places of a copy where the two sides are meant to meet (by the pattern's orders).
CONTESTED_PER_COPY = ("ford", "b_line", "b_flank", "b_rear")


def cid(name: str, i: int) -> str:
    """The id of pattern element ``name`` in copy ``i``."""
    return f"{name}_c{i}"


def copy_of(ident: str) -> int | None:
    """Copy index of an id made by :func:`cid`; None for a shared place."""
    head, sep, tail = ident.rpartition("_c")
    return int(tail) if sep and tail.isdigit() else None


def _place(i: int, name: str, label: str, x: float, y: float, **kw: Any) -> dict:
    y0 = COPY_SPACING_KM * i
    return {"id": cid(name, i), "name": f"{label} ({i})", "x_km": x, "y_km": y0 + y, "source": SOURCE, **kw}


def _route(i: int, a: str, b: str, km: float, **kw: Any) -> dict:
    return {"from": cid(a, i), "to": cid(b, i), "km": km, "source": SOURCE, **kw}


def _unit(i: int, name: str, side: str, label: str, type_: str, echelon: str, men: int, start: str,
          **kw: Any) -> dict:
    return {"id": cid(name, i), "side": side, "name": f"{label} ({i})", "type": type_, "echelon": echelon,
            "personnel": men, "start": cid(start, i), "source": SOURCE, **kw}


def _copy(i: int, logistics: bool) -> dict[str, list]:
    """Places, routes, units, orders (and supply) of copy ``i``. All numbers: benchmark
    estimates (not historical)."""
    c = lambda name: cid(name, i)  # noqa: E731
    places = [
        # x, y (km on the grid, within the copy), terrain, works, frontage: benchmark estimates
        _place(i, "b_road", "Blue railhead road", -30.0, 0.0, holder="blue"),
        _place(i, "b_rear", "Blue depot", -15.0, 0.0, holder="blue"),
        _place(i, "b_line", "Blue main line", 0.0, 0.0, terrain="rolling_mixed", fortification="prepared",
               frontage_km=4.0, holder="blue"),
        _place(i, "b_flank", "Blue flank outpost", 2.0, 9.0, terrain="rolling_dunes", fortification="hasty",
               holder="blue"),
        _place(i, "ford", "Ford", 9.0, 4.0, terrain="flat_mixed", disputed=True),
        _place(i, "r_line", "Red start line", 18.0, 0.0, fortification="hasty", holder="red"),
        _place(i, "r_rear", "Red depot", 32.0, 0.0, holder="red"),
        _place(i, "r_road", "Red railhead road", 48.0, 0.0, holder="red"),
    ]
    routes = [
        # lengths (km), road classes, the crossing: benchmark estimates
        _route(i, "b_road", "b_rear", 15.0, road="road"),
        _route(i, "b_rear", "b_line", 15.0, road="road"),
        _route(i, "b_rear", "b_flank", 18.0),
        _route(i, "b_line", "b_flank", 9.0),
        _route(i, "b_line", "ford", 10.0),
        _route(i, "b_flank", "ford", 8.0, road="cross_country"),
        _route(i, "ford", "r_line", 10.0, river_crossing=True),
        _route(i, "r_line", "r_rear", 14.0, road="road"),
        _route(i, "r_rear", "r_road", 16.0, road="road"),
    ]
    units = [
        # men, equipment, postures, breakpoints: benchmark estimates
        _unit(i, "b_inf_a", "blue", "Blue rifle regiment", "rifle", "regiment", 2400, "b_line",
              equipment={"machine_guns": 60, "mortars": 12, "anti_tank_guns": 6}, posture="prepared",
              breakpoint=0.45, front_force=True, group=c("b_def")),
        _unit(i, "b_inf_b", "blue", "Blue rifle battalion", "rifle", "battalion", 800, "b_flank",
              equipment={"machine_guns": 18, "mortars": 4}, posture="hasty", breakpoint=0.4, front_force=True),
        _unit(i, "b_art", "blue", "Blue artillery regiment", "artillery", "regiment", 900, "b_line",
              equipment={"guns": 24}, posture="prepared", front_force=True, group=c("b_def")),
        _unit(i, "b_tank", "blue", "Blue tank brigade", "tank", "brigade", 1200, "b_rear",
              equipment={"tanks": 60, "armoured_cars": 10, "trucks": 80}, posture="reserve"),
        _unit(i, "r_inf_a", "red", "Red infantry regiment", "infantry", "regiment", 3000, "r_line",
              equipment={"machine_guns": 80, "guns": 8, "mortars": 16}, posture="attack", breakpoint=0.5),
        _unit(i, "r_inf_b", "red", "Red flank regiment", "infantry", "regiment", 2800, "r_line",
              equipment={"machine_guns": 70, "mortars": 12}, posture="attack", breakpoint=0.5,
              group=c("r_wing")),
        _unit(i, "r_tank", "red", "Red tank regiment", "tank", "regiment", 900, "r_line",
              equipment={"tanks": 50, "trucks": 60}, posture="attack", breakpoint=0.5, group=c("r_wing")),
        _unit(i, "r_art", "red", "Red artillery regiment", "artillery", "regiment", 1000, "r_line",
              equipment={"guns": 36}, posture="hasty"),
    ]
    orders = [
        # hours (triggers, waves, pauses): benchmark estimates
        {"group": c("b_def"), "task": "defend", "objective": c("b_line"), "posture": "prepared"},
        {"unit": c("b_inf_b"), "task": "defend", "objective": c("b_flank")},
        {"unit": c("b_tank"), "task": "defend", "objective": c("b_rear"), "posture": "reserve"},
        {"unit": c("b_tank"), "task": "attack", "objective": c("b_flank"),
         "trigger": {"when": f"captured:{c('b_flank')}"}, "note": "counter-attack when the flank falls"},
        {"unit": c("r_inf_a"), "task": "attack", "objective": c("ford"), "trigger": {"at_hour": 2}},
        {"unit": c("r_inf_a"), "task": "attack", "objective": c("b_line"), "note": "first wave"},
        {"unit": c("r_inf_a"), "task": "pull_back", "objective": c("ford"), "trigger": {"after_hours": 12}},
        {"unit": c("r_inf_a"), "task": "pause", "hours": 6},
        {"unit": c("r_inf_a"), "task": "attack", "objective": c("b_line"), "note": "second wave"},
        {"group": c("r_wing"), "task": "attack", "via": [c("ford")], "objective": c("b_flank"),
         "trigger": {"at_hour": 6}},
        {"group": c("r_wing"), "task": "attack", "objective": c("b_rear"), "note": "envelopment"},
        {"unit": c("r_art"), "task": "defend", "objective": c("r_line")},
        {"unit": c("r_art"), "task": "move", "objective": c("ford"), "posture": "hasty",
         "trigger": {"when": f"arrived:{c('r_inf_a')}:{c('ford')}"}},
    ]
    out: dict[str, list] = {"places": places, "routes": routes, "units": units, "orders": orders,
                            "replacements": [], "depots": [], "fleets": []}
    if logistics:
        # a red replacement draft at hour 48 of 300 men: benchmark estimate
        out["replacements"].append({"unit": c("r_inf_a"), "at_hour": 48, "men": 300, "source": SOURCE})
        for side, road, rear in (("blue", "b_road", "b_rear"), ("red", "r_road", "r_rear")):
            out["depots"] += [
                {"id": c(f"{side}_railhead"), "side": side, "place": c(road), "kind": "railhead", "source": SOURCE},
                # stocks (t) and issue limit (t/day): benchmark estimates, ~2 days of the copy's use
                {"id": c(f"{side}_depot"), "side": side, "place": c(rear), "kind": "depot",
                 "issue_tons_per_day": 600.0,
                 "stock": {"ammunition": 500.0, "fuel": 150.0, "food_water": 80.0, "other": 60.0},
                 "source": SOURCE},
            ]
            # fleet size, payload, speeds, distances, breakdowns: benchmark estimates
            out["fleets"].append({
                "side": side, "name": c(f"{side}_trucks"), "origin": c(f"{side}_railhead"),
                "destination": c(f"{side}_depot"), "km": {"dist": "uniform", "low": 80.0, "high": 120.0},
                "trucks": {"dist": "uniform", "low": 150.0, "high": 250.0}, "tanker_share": 0.3,
                "payload_tons": 2.5, "speed_loaded_kmh": 10.0, "speed_empty_kmh": 13.0,
                "breakdown_per_1000km": 0.03, "repair_days": 3.0, "columns": 5, "source": SOURCE,
            })
    return out


def _consumption() -> list[dict]:
    """Consumption rows, t per 1,000 men per day (benchmark estimates, of the order of the
    bundled August scenario's table; not historical)."""
    return [
        {"unit_types": ["tank"], "basic_load_days": 3.0, "source": SOURCE,
         "combat": {"ammunition": 35.0, "fuel": 34.0, "food_water": 6.0, "other": 7.5},
         "moving": {"ammunition": 3.5, "fuel": 34.0, "food_water": 6.0, "other": 3.8},
         "idle": {"ammunition": 1.8, "fuel": 3.4, "food_water": 6.0, "other": 1.9}},
        {"unit_types": ["artillery"], "basic_load_days": 3.0, "source": SOURCE,
         "combat": {"ammunition": 60.0, "fuel": 4.0, "food_water": 6.0, "other": 4.0},
         "moving": {"ammunition": 6.0, "fuel": 4.0, "food_water": 6.0, "other": 2.0},
         "idle": {"ammunition": 3.0, "fuel": 0.4, "food_water": 6.0, "other": 1.0}},
        {"unit_types": ["*"], "basic_load_days": 3.0, "source": SOURCE,
         "combat": {"ammunition": 15.0, "fuel": 1.0, "food_water": 6.0, "other": 3.0},
         "moving": {"ammunition": 1.5, "fuel": 1.0, "food_water": 6.0, "other": 1.5},
         "idle": {"ammunition": 0.8, "fuel": 0.1, "food_water": 6.0, "other": 0.8}},
    ]


def scenario_dict(k: int, *, days: float = DAYS, logistics: bool = True, stochastic: bool = True) -> dict:
    """The ``k``-copy scenario as plain data (the scenario file's content)."""
    if k < 1:
        raise ValueError("k must be >= 1")
    parts = [_copy(i, logistics) for i in range(k)]
    mid = COPY_SPACING_KM * (k - 1) / 2.0
    hubs = [
        # hub positions on the grid: benchmark estimates (routes give the distances)
        {"id": "blue_hub", "name": "Blue rear", "x_km": -80.0, "y_km": mid, "holder": "blue", "source": SOURCE},
        {"id": "red_hub", "name": "Red rear", "x_km": 100.0, "y_km": mid, "holder": "red", "source": SOURCE},
    ]
    hub_routes = []
    for i in range(k):
        hub_routes += [
            {"from": cid("b_road", i), "to": "blue_hub", "km": HUB_ROAD_KM, "road": "road", "source": SOURCE},
            {"from": cid("r_road", i), "to": "red_hub", "km": HUB_ROAD_KM, "road": "road", "source": SOURCE},
        ]
    d: dict[str, Any] = {
        "scenario": {"name": f"bench_scaling_k{k}",
                     "description": f"{k} copies of a synthetic front segment side by side (benchmark; "
                                    "not historical; benchmarks/bench_scaling.py)."},
        "engine": {"start": "1939-08-20T06:00:00", "duration_hours": 24.0 * days, "combat_step_hours": 1.0,
                   "stochastic": stochastic},
        "sides": {
            "blue": {"name": "Blue", "rear": "blue_hub", "supply_sources": [cid("b_road", i) for i in range(k)],
                     "source": SOURCE},
            "red": {"name": "Red", "rear": "red_hub", "supply_sources": [cid("r_road", i) for i in range(k)],
                    "source": SOURCE},
        },
        "places": [p for part in parts for p in part["places"]] + hubs,
        "routes": [r for part in parts for r in part["routes"]] + hub_routes,
        "units": [u for part in parts for u in part["units"]],
        "orders": [o for part in parts for o in part["orders"]],
        "replacements": [r for part in parts for r in part["replacements"]],
    }
    if logistics:
        d["logistics"] = {
            "unit_stock_days": 2.0,  # benchmark estimate
            "depots": [x for part in parts for x in part["depots"]],
            "fleets": [x for part in parts for x in part["fleets"]],
            "consumption": _consumption(),
            "source": SOURCE,
        }
    return d


def build_scenario(k: int, *, days: float = DAYS, logistics: bool = True, stochastic: bool = True) -> LoadedScenario:
    """The ``k``-copy scenario, validated by the package's loader (``scenario_from_dict``)."""
    return scenario_from_dict(scenario_dict(k, days=days, logistics=logistics, stochastic=stochastic),
                              f"bench_scaling k={k}")


def simulated_hours(sc: LoadedScenario) -> float:
    """Hours from the start of the simulated clock to the end: ``engine.duration_hours``
    plus, when ``logistics.buildup_start`` is set, the build-up before ``engine.start`` (as
    ``nomonhan_sim.simulation.run_batch`` starts its clock)."""
    eng, lg = sc.model.engine, sc.model.logistics
    hours = float(eng.duration_hours)
    if lg is not None and lg.buildup_start is not None:
        hours += (eng.start - lg.buildup_start).total_seconds() / 3600.0
    return hours


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def time_runs(sc: LoadedScenario, replicates: int, repeats: int, chunk_size: int | None) -> list[float]:
    """Wall seconds of ``repeats`` serial runs of ``replicates`` worlds (seed ``SEED``)."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run_experiment(sc, replicates=replicates, seed=SEED, workers=1, chunk_size=chunk_size)
        out.append(time.perf_counter() - t0)
    return out


def row(label: str, sc: LoadedScenario, times: list[float], replicates: int, k: int | None = None) -> dict:
    c = compile_scenario(sc)
    med = statistics.median(times)
    per_world = med / replicates
    hours = simulated_hours(sc)
    return {"scenario": label, "k": k, "units": int(c.U), "places": int(c.P),
            "contested_places": (k * len(CONTESTED_PER_COPY)) if k is not None else None,
            "simulated_hours": hours, "replicates": replicates, "times_s": times, "median_s": med,
            "s_per_world": per_world, "s_per_world_per_unit": per_world / c.U,
            "s_per_world_per_unit_per_sim_hour": per_world / c.U / hours}


def loglog_slope(units: list[float], per_world: list[float]) -> float | None:
    if len(units) < 2 or len(set(units)) < 2:
        return None
    return float(np.polyfit(np.log(units), np.log(per_world), 1)[0])


def markdown(rows: list[dict]) -> str:
    head = ("| scenario | k | units | places | contested (design) | sim. hours | median s (R worlds) | s / world "
            "| ms / world / unit | µs / world / unit / sim. hour |")
    lines = [head, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    dash = lambda v: "-" if v is None else v  # noqa: E731
    for r in rows:
        lines.append(f"| {r['scenario']} | {dash(r['k'])} | {r['units']} | {r['places']} | {dash(r['contested_places'])} "
                     f"| {r['simulated_hours']:g} | {r['median_s']:.3f} | {r['s_per_world']:.5f} "
                     f"| {1e3 * r['s_per_world_per_unit']:.4f} | {1e6 * r['s_per_world_per_unit_per_sim_hour']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="copies k (default 1 2 4 8 16)")
    ap.add_argument("--replicates", type=int, default=200, help="worlds per timed run (default 200)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per scenario; the median is used (default 3)")
    ap.add_argument("--chunk-size", type=int, default=None, help="worlds per batch (default: run_experiment's)")
    ap.add_argument("--bundled", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the bundled August 1939 and August 1945 scenarios (default on)")
    ap.add_argument("--logistics", action=argparse.BooleanOptionalAction, default=True,
                    help="synthetic pattern with supply (depots, fleets, consumption; default on)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args()
    sizes = sorted(set(args.sizes))

    print("WARNING: timings are only meaningful on an otherwise idle machine "
          "(other jobs on the cores make these not speed figures).")
    machine = {"cpu": cpu_model(), "cpus": os.cpu_count(), "python": platform.python_version(),
               "numpy": np.__version__, "platform": platform.platform()}
    print(f"machine: {machine['cpu']} ({machine['cpus']} CPUs), Python {machine['python']}, numpy {machine['numpy']}")
    print(f"settings: {args.replicates} worlds per run, serial (workers=1), median of {args.repeats} runs, "
          f"seed {SEED}, chunk size {args.chunk_size or 'default'}; synthetic pattern: {DAYS} days, "
          f"{UNITS_PER_COPY} units and {PLACES_PER_COPY} places per copy (+{len(SHARED_PLACES)} shared rears), "
          f"logistics {'on' if args.logistics else 'off'}")

    scenarios = {k: build_scenario(k, logistics=args.logistics) for k in sizes}  # validated on building
    run_experiment(scenarios[sizes[0]], replicates=2, seed=SEED, workers=1)  # warm-up (imports, caches)

    rows = []
    for k in sizes:
        times = time_runs(scenarios[k], args.replicates, args.repeats, args.chunk_size)
        rows.append(row(f"synthetic k={k}", scenarios[k], times, args.replicates, k))
        print(f"  k={k}: {rows[-1]['units']} units, median {rows[-1]['median_s']:.3f} s", flush=True)
    if args.bundled:
        for label, path in BUNDLED.items():
            sc = load_scenario(path)
            times = time_runs(sc, args.replicates, args.repeats, args.chunk_size)
            rows.append(row(label, sc, times, args.replicates))
            print(f"  {label}: {rows[-1]['units']} units, median {rows[-1]['median_s']:.3f} s", flush=True)

    synth = [r for r in rows if r["k"] is not None]
    slope_all = loglog_slope([r["units"] for r in synth], [r["s_per_world"] for r in synth])
    rest = [r for r in synth if r["k"] != 1]
    slope_rest = loglog_slope([r["units"] for r in rest], [r["s_per_world"] for r in rest])

    print()
    print(markdown(rows))
    print()
    fmt = lambda s: "n/a (fewer than 2 sizes)" if s is None else f"{s:.3f}"  # noqa: E731
    print(f"log-log slope of s/world against units, synthetic family: {fmt(slope_all)} (all sizes), "
          f"{fmt(slope_rest)} (without k = 1); <= 1 means at most linear")
    print("simulated hours: engine.duration_hours plus the supply build-up (engine.start - "
          "logistics.buildup_start) of the loaded scenario, as run_batch starts its clock")

    if args.json is not None:
        args.json.write_text(json.dumps({
            "machine": machine, "warning": "timings are only meaningful on an otherwise idle machine",
            "settings": {"replicates": args.replicates, "repeats": args.repeats, "workers": 1, "seed": SEED,
                         "chunk_size": args.chunk_size, "days": DAYS, "logistics": args.logistics},
            "rows": rows, "slope_all": slope_all, "slope_without_k1": slope_rest,
        }, indent=2))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
