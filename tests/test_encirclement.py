"""Encirclement from graph connectivity, on small hand-made graphs."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.engine.network import all_pairs_next_hop, next_hop_toward, reachable
from nomonhan_sim.engine.state import OUT
from conftest import run
from nomonhan_sim.scenario import scenario_from_dict


def line_adj(n):
    a = np.zeros((n, n), bool)
    for i in range(n - 1):
        a[i, i + 1] = a[i + 1, i] = True
    return a


def test_line_graph_cut_by_enemy_place():
    # 0 - 1 - 2 - 3 - 4, source at 4; the enemy holds 2 in world 1 only
    adj = line_adj(5)
    src = np.array([0, 0, 0, 0, 1], bool)
    passable = np.ones((2, 5), bool)
    passable[1, 2] = False
    r = reachable(adj, src, passable)
    assert r[0].all()
    assert r[1].tolist() == [False, False, False, True, True]


def test_ring_graph_needs_both_sides_cut():
    # ring 0-1-2-3-4-5-0, source at 0; a unit at 3 is cut only if 1|2 AND 4|5 are held
    n = 6
    adj = np.zeros((n, n), bool)
    for i in range(n):
        adj[i, (i + 1) % n] = adj[(i + 1) % n, i] = True
    src = np.zeros(n, bool)
    src[0] = True
    passable = np.ones((4, n), bool)
    passable[1, 2] = False                       # one side cut
    passable[2, [2, 5]] = False                  # both sides cut
    passable[3, 0] = False                       # the source itself taken
    r = reachable(adj, src, passable)
    assert r[0, 3] and r[1, 3]
    assert not r[2, 3]
    assert not r[3].any()


def test_withdrawal_path_goes_round_enemy_held_place():
    # square 0-1-2 and 0-3-2 (longer); target 2. Blocking 1 forces the detour via 3.
    km = np.full((4, 4), np.inf)
    for a, b, d in ((0, 1, 5.0), (1, 2, 5.0), (0, 3, 8.0), (3, 2, 8.0)):
        km[a, b] = km[b, a] = d
    passable = np.ones((2, 4), bool)
    passable[1, 1] = False
    nxt = next_hop_toward(km, np.array([0, 0]), 2, passable)
    assert nxt.tolist() == [1, 3]
    passable[1, 3] = False
    assert next_hop_toward(km, np.array([0]), 2, passable[1:]).tolist() == [-1]
    dist, hop = all_pairs_next_hop(km)
    assert dist[0, 2] == 10.0 and hop[0, 2] == 1


def test_pincers_close_the_ring_in_the_pocket_fixture(pocket_dict):
    pocket_dict["engine"]["stochastic"] = False
    res = run(scenario_from_dict(pocket_dict, "pocket"), log_events=True)
    w = res.world
    assert np.isfinite(w.ring_closed_t[0])
    red_main = res.compiled.unit_ids.index("red_main")
    assert w.encircled[0, red_main] or w.destroyed[0, red_main]
    gap = res.compiled.place_ids.index("gap")
    assert w.control[0, gap] == res.compiled.side_ids.index("blue")
    kinds = {e[3] for e in res.log.records()}
    assert {"encircled", "ring_closed", "captured"} <= kinds


def test_no_pincers_no_ring(pocket_dict):
    """Same forces, but the mobile units attack the centre: nothing gets encircled."""
    pocket_dict["engine"]["stochastic"] = False
    for o in pocket_dict["orders"]:
        if o.get("unit") in ("blue_north", "blue_south"):
            o["via"] = []
            o["objective"] = "centre"
    w = run(scenario_from_dict(pocket_dict, "pocket")).world
    assert np.isnan(w.ring_closed_t[0])
    assert not w.encircled.any()


def test_broken_encircled_unit_is_reduced_in_its_pocket_not_withdrawn(pocket_dict):
    """Broken and cut off, Red's main body does not walk home: the pocket is reduced over
    time (tests/test_pockets.py checks the hazards) and its losses count as pocket losses."""
    pocket_dict["engine"]["stochastic"] = False
    for u in pocket_dict["units"]:
        if u["id"] == "red_main":
            u["breakpoint"] = 0.05
    res = run(scenario_from_dict(pocket_dict, "pocket"), log_events=True)
    w, c = res.world, res.compiled
    i = c.unit_ids.index("red_main")
    assert w.broken[0, i] and w.pocket_cas[0, i] > 0
    assert w.loc[0, i] == c.place_ids.index("centre")
    assert not any(e[3] == "withdrawn" and e[2] == i for e in res.log.records())


def test_broken_unit_with_open_rear_falls_back_out_of_contact_and_rallies(pocket_dict):
    """A Blue unit that breaks is not encircled: it falls back past the place next to the
    enemy (w_bank, in Red's zone of control) to w_base, rests there and rallies."""
    pocket_dict["engine"]["stochastic"] = False
    for u in pocket_dict["units"]:
        if u["id"] == "blue_fix":
            u["breakpoint"] = 0.02
    pocket_dict.setdefault("parameters", {})["rally_hours"] = {"value": 12.0, "source": "test"}
    res = run(scenario_from_dict(pocket_dict, "pocket"), log_events=True)
    w, c = res.world, res.compiled
    i = c.unit_ids.index("blue_fix")
    ev = [e for e in res.log.records() if e[2] == i]
    broke = [e[0] for e in ev if e[3] == "broke"]
    rested = [e[0] for e in ev if e[3] == "arrived" and c.place_ids[e[4]] == "w_base" and e[0] > broke[0]]
    rallied = [e[0] for e in ev if e[3] == "rallied"]
    assert broke and rested and rallied and not w.destroyed[0, i]
    assert rallied[0] - rested[0] == pytest.approx(12.0, abs=1.0)
    assert not any(e[3] == "withdrawn" for e in ev)     # it did not leave the battle
