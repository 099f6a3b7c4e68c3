"""The Manchuria 1945 scenario: it validates, every figure carries a source, 10 worlds run fast,
and its comparisons with the record are computed (reported, never asserted as values)."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from nomonhan_sim.engine.compiled import RAIL, compile_scenario
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes, format_comparison
from nomonhan_sim.scenario import load_scenario
from conftest import SCENARIOS

MANCHURIA = SCENARIOS / "manchuria_1945_august_storm.toml"
# the mechanism of tests/test_august_scenario.py: a tag, a seed file, 'derived' or 'estimate'
CITED = re.compile(r"\[[A-Z0-9][A-Z0-9-]+\]|\d{3}_[0-9a-f]{16}\.txt|derived|estimate", re.I)


@pytest.fixture(scope="module")
def manchuria():
    return load_scenario(MANCHURIA)


@pytest.fixture(scope="module")
def ten_worlds(manchuria):
    t = time.perf_counter()
    res = run_experiment(manchuria, replicates=10, seed=19450809, chunk_size=10, workers=1)
    return res.outcomes, time.perf_counter() - t


def test_every_figure_carries_a_source(manchuria):
    m = manchuria.model
    for kind, items in (("units", m.units), ("places", m.places), ("routes", m.routes)):
        for i, item in enumerate(items):
            assert CITED.search(item.source), f"{kind}[{i}] ({getattr(item, 'id', '')}) source: {item.source!r}"
    for s in m.sides.values():
        assert CITED.search(s.source)
    for o in m.orders:
        assert CITED.search(o.note), o.unit
    for t in m.compare:
        assert t.claims or CITED.search(t.source), t.outcome


def test_it_is_operational_scale_on_a_theatre_graph_with_railways(manchuria):
    m = manchuria.model
    c = compile_scenario(manchuria)
    assert c.U >= 30 and c.P >= 30
    assert {"soviet", "japanese"} == set(m.sides)
    ids = {p.id for p in m.places}
    assert {"khingan_pass_s", "khingan_tunnel", "harbin", "changchun", "mukden", "hailar", "mudanjiang"} <= ids
    rail = [r for r in m.routes if r.road == "rail"]
    assert len(rail) >= 20 and all(r.rail_capacity_men_per_day for r in rail)
    span = c.xy.max(axis=0) - c.xy.min(axis=0)
    assert span.max() > 1000  # km: thousands of km, not tens
    assert (c.road_class == RAIL).any()
    # the 6th Guards Tank Army's three corps, and the advance outcomes they are compared on
    assert {"gta6_5gtc", "gta6_7mc", "gta6_9gmc"} <= {u.id for u in m.units}
    assert {t.outcome for t in m.compare} >= {"advance_km.gta6_5gtc.day3", "advance_km.gta6_5gtc.day11",
                                               "killed.soviet", "wounded.soviet", "captured.japanese"}


def test_forces_stay_inside_the_record(manchuria):
    """The inputs (not the outcomes): Soviet men below the record's largest total, 1,747 thousand
    [SOKOLOV-82549]; tanks inside 5,250-5,556 [SOKOLOV-82549], [WP-MANCH-24]."""
    m = manchuria.model
    sov = [u for u in m.units if u.side == "soviet"]
    men = sum(float(u.personnel) for u in sov)
    assert 1_300_000 < men < 1_747_000
    lo = sum(u.equipment["tanks"].bounds[0] if hasattr(u.equipment["tanks"], "bounds") else float(u.equipment["tanks"])
             for u in sov)
    hi = sum(u.equipment["tanks"].bounds[1] if hasattr(u.equipment["tanks"], "bounds") else float(u.equipment["tanks"])
             for u in sov)
    assert lo == pytest.approx(5250, abs=2) and hi == pytest.approx(5556, abs=2)


def test_ten_worlds_run_fast(ten_worlds):
    df, seconds = ten_worlds
    assert len(df) == 10
    assert seconds < 60
    assert np.isfinite(df["casualties.soviet"]).all() and (df["casualties.soviet"] > 0).all()
    adv = df["advance_km.gta6_5gtc.day3"]
    assert np.isfinite(adv).all() and (adv >= 0).all()
    # farthest point reached only grows with time
    assert (df["advance_km.gta6_5gtc.day11"] >= adv - 1e-9).all()


def test_comparisons_are_computed_not_asserted(manchuria, ten_worlds, capsys):
    df, _ = ten_worlds
    rows = compare_outcomes(df, manchuria, load_record())
    assert {r.outcome for r in rows} == {t.outcome for t in manchuria.model.compare}
    for r in rows:
        assert r.n == 10 and np.isfinite(r.low) and np.isfinite(r.high)
    with capsys.disabled():  # shown, so a reader sees where the model stands
        print("\n" + format_comparison(rows, title="manchuria_1945_august_storm, 10 worlds", notes=False))
