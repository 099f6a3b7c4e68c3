"""The scaling benchmark's scenario family (benchmarks/bench_scaling.py): k copies of one
front segment that differ only in size. Checks the builder, never timings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nomonhan_sim.engine.network import component_labels
from nomonhan_sim.experiment import run_experiment

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_scaling", ROOT / "benchmarks" / "bench_scaling.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

PATTERN_UNITS = ("b_inf_a", "b_inf_b", "b_art", "b_tank", "r_inf_a", "r_inf_b", "r_tank", "r_art")


@pytest.mark.parametrize("logistics", [True, False])
def test_k_copies_validate_and_scale(logistics):
    one = bench.build_scenario(1, logistics=logistics)
    shared = len(bench.SHARED_PLACES)
    for k in (2, 3, 16):
        sc = bench.build_scenario(k, logistics=logistics)  # validated by the loader
        m = sc.model
        assert len(m.units) == k * len(one.model.units) == k * bench.UNITS_PER_COPY
        assert len(m.places) - shared == k * (len(one.model.places) - shared) == k * bench.PLACES_PER_COPY
        assert len(m.orders) == k * len(one.model.orders)
        assert len(m.routes) == k * len(one.model.routes)
        if logistics:
            assert len(m.logistics.depots) == k * len(one.model.logistics.depots)
            assert len(m.logistics.fleets) == k * len(one.model.logistics.fleets)
        assert m.engine.duration_hours == one.model.engine.duration_hours == 24 * bench.DAYS
        assert bench.simulated_hours(sc) == 24 * bench.DAYS  # no build-up
        assert sc.sha256 != one.sha256


def test_copies_are_joined_only_through_the_shared_rears():
    k = 4
    m = bench.build_scenario(k).model
    hubs = set(bench.SHARED_PLACES)
    assert {s.rear for s in m.sides.values()} == hubs
    adj = {p.id: set() for p in m.places if p.id not in hubs}
    for r in m.routes:
        ends = {r.from_, r.to}
        if ends & hubs:
            continue
        a, b = ends
        assert bench.copy_of(a) == bench.copy_of(b), f"route {a} - {b} joins two copies"
        adj[a].add(b)
        adj[b].add(a)
    # without the hubs, the ground graph falls into exactly k components, one per copy
    ids = list(adj)
    matrix = np.array([[q in adj[p] for q in ids] for p in ids])
    labels = component_labels(matrix, np.ones((1, len(ids)), bool))[0]
    comps: dict[int, set[int]] = {}
    for pid, n in zip(ids, labels):
        comps.setdefault(int(n), set()).add(bench.copy_of(pid))
    assert len(comps) == k and all(len(c) == 1 for c in comps.values())
    # every unit and order of a copy stays in its copy
    for u in m.units:
        assert bench.copy_of(u.start) == bench.copy_of(u.id)
    for o in m.orders:
        who = bench.copy_of(o.unit or o.group)
        assert all(bench.copy_of(p) == who for p in [o.objective, *o.via] if p)


def test_each_copy_fights_the_same_battle_as_one_copy_alone():
    """Expected-value dynamics (uncertain inputs still drawn per world, by name): every copy
    of k = 2 loses, unit by unit and world by world, what the single copy loses, and
    the fighting is real (losses on both sides)."""
    seed, n = 7, 3
    one = run_experiment(bench.build_scenario(1, stochastic=False), replicates=n, seed=seed, workers=1).outcomes
    two = run_experiment(bench.build_scenario(2, stochastic=False), replicates=n, seed=seed, workers=1).outcomes
    assert len(two) == n
    for u in PATTERN_UNITS:
        alone = one[f"unit.{bench.cid(u, 0)}.casualties"].to_numpy()
        for i in range(2):
            np.testing.assert_allclose(two[f"unit.{bench.cid(u, i)}.casualties"].to_numpy(), alone,
                                       rtol=1e-9, atol=1e-9, err_msg=f"{u}, copy {i}")
    for side in ("blue", "red"):
        assert (one[f"casualties.{side}"] > 0).all()
        per_copy = [sum(two[f"unit.{bench.cid(u, i)}.casualties"] for u in PATTERN_UNITS
                        if u.startswith(side[0] + "_")) for i in range(2)]
        np.testing.assert_allclose(per_copy[0] + per_copy[1], two[f"casualties.{side}"], rtol=1e-9)
        np.testing.assert_allclose(two[f"casualties.{side}"], 2 * one[f"casualties.{side}"], rtol=1e-9)


def test_loglog_slope():
    units = [8, 16, 32, 64]
    assert bench.loglog_slope(units, [2e-3 * u for u in units]) == pytest.approx(1.0)
    assert bench.loglog_slope(units, [1e-4 * u ** 1.5 for u in units]) == pytest.approx(1.5)
    assert bench.loglog_slope([8], [1.0]) is None
