"""The May and July 1939 scenarios (issue 13, scenarios 1 and 2): the Azuma detachment on 28 May
and the Japanese offensive of 2-5 July.

Each one validates, runs 10 worlds quickly, carries a source on every figure (the check the August
scenario's tests make), keeps the package's calibrated parameters, and computes its comparisons
with the record. The comparisons are a hold-out test of the model: their P(range) and verdicts are
reported (``python -m nomonhan_sim compare``), never asserted here.
"""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest

from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.scenario import load_scenario
from nomonhan_sim.scenario.bundled import resolve_scenario, short_name
from conftest import ROOT, SCENARIOS
from sourcing import uncited

MAY = SCENARIOS / "khalkhin_gol_1939_may.toml"
JULY = SCENARIOS / "khalkhin_gol_1939_july.toml"
FILES = {"may": MAY, "july": JULY}
#: the August scenario's test of a source text (tests/test_august_scenario.py)
TAG = re.compile(r"\[([A-Z0-9][A-Z0-9-]+)\]")
SOURCES_MD = ROOT / "docs" / "sources.md"
#: the only parameters the files may set: the August scenario's per-side tables, same values
ALLOWED_PARAMETERS = {"casualty_rate_multiplier", "killed_share"}
FAST_SECONDS = 20.0


@pytest.fixture(scope="module", params=sorted(FILES))
def scenario(request):
    return load_scenario(FILES[request.param])


@pytest.fixture(scope="module")
def august():
    return load_scenario(SCENARIOS / "khalkhin_gol_1939_august.toml")


@pytest.fixture(scope="module")
def record():
    return load_record()


@pytest.fixture(scope="module")
def runs():
    """10 worlds of each scenario, serially, and the seconds each took."""
    out = {}
    for name, path in FILES.items():
        sc = load_scenario(path)
        t0 = time.perf_counter()
        res = run_experiment(sc, replicates=10, seed=13, workers=1)
        out[name] = (sc, res.outcomes, time.perf_counter() - t0)
    return out


# --- names and loading ---------------------------------------------------------------------------

@pytest.mark.parametrize("short, path", sorted(FILES.items()))
def test_bundled_under_its_short_name(short, path):
    assert short_name(path.stem) == short
    assert resolve_scenario(short).name == path.name
    assert load_scenario(resolve_scenario(short)).model.scenario.name == path.stem


def test_validates_with_soviet_and_japanese_sides_and_a_one_line_question(scenario):
    m = scenario.model
    assert set(m.sides) == {"soviet", "japanese"}
    assert m.scenario.question.endswith("?") and "\n" not in m.scenario.question
    assert m.scenario.compare_scope and m.compare


def test_header_says_what_it_asks_and_which_claims_it_is_compared_with(scenario):
    text = open(scenario.path, encoding="utf-8").read()
    header = text[:text.index("[scenario]")]
    assert "What it asks" in header and "compared with" in header
    for t in scenario.model.compare:
        for cid in t.claims:
            assert any(tag in header for tag in _claim_tags(cid)), (t.outcome, cid)


# --- sources ---------------------------------------------------------------------------------------

def test_every_figure_carries_a_source(scenario):
    assert uncited(scenario.model, orders=True, conditions=scenario.model.conditions is not None) == []


def test_every_tag_cited_resolves_in_docs_sources(scenario):
    listed = set(re.findall(r"^\| \[([A-Z0-9-]+)\] \|", SOURCES_MD.read_text("utf-8"), re.M))
    text = open(scenario.path, encoding="utf-8").read()
    cited = set(TAG.findall(text))
    assert not sorted(cited - listed), f"tags missing from docs/sources.md: {sorted(cited - listed)}"


def test_uses_the_calibrated_parameters_unchanged(scenario, august):
    """Only the August scenario's per-side nationality multiplier and killed share, with its values:
    nothing is tuned toward the record of May or July."""
    params = scenario.model.parameters
    assert set(params) <= ALLOWED_PARAMETERS
    for name, p in params.items():
        theirs = august.model.parameters[name]
        assert set(p) == set(theirs), name  # the same per-side tables
        for side in p:
            assert p[side].value == theirs[side].value and p[side].claims == theirs[side].claims, (name, side)


# --- the comparisons (computed, not asserted to match) ------------------------------------------------

def test_every_compare_names_claims_of_the_record(scenario, record):
    for t in scenario.model.compare:
        assert t.claims, t.outcome
        for cid in t.claims:
            assert cid in record, cid


@pytest.mark.parametrize("name", sorted(FILES))
def test_runs_ten_worlds_fast(runs, name):
    sc, df, seconds = runs[name]
    assert len(df) == 10
    assert seconds < FAST_SECONDS, f"{name}: {seconds:.1f} s for 10 worlds"
    for col in ("casualties.soviet", "casualties.japanese"):
        v = df[col].to_numpy(float)
        assert np.isfinite(v).all() and (v >= 0).all()


@pytest.mark.parametrize("name", sorted(FILES))
def test_comparisons_are_computed_for_every_target(runs, record, name):
    sc, df, _ = runs[name]
    rows = compare_outcomes(df, sc, record)
    assert [r.outcome for r in rows] == [t.outcome for t in sc.model.compare]
    for r in rows:
        assert r.outcome in df.columns, r.outcome
        assert 0.0 <= r.p_range <= 1.0 and math.isfinite(r.crps)
        assert r.verdict  # reported, whatever it says
        assert r.low <= r.value <= r.high


def test_may_compares_the_azuma_casualty_share_with_63_percent(record):
    sc = load_scenario(MAY)
    front = [u for u in sc.model.units if u.front_force]
    assert [u.id for u in front] == ["azuma_det"]  # front_force_share_lost is the detachment's share
    t = next(t for t in sc.model.compare if t.outcome == "front_force_share_lost")
    lo, hi = record.get(t.claims[0]).interval
    assert lo <= 0.63 <= hi
    outcomes = {t.outcome for t in sc.model.compare}
    assert {"ring_closed_day", "resistance_ended_day", "casualties.japanese", "casualties.soviet",
            "equipment_lost.japanese.tanks"} <= outcomes
    # the detachment's strength is the record's ~220 (139 casualties = 63 %)
    az = front[0]
    assert 215 <= az.personnel.bounds[0] <= az.personnel.bounds[1] <= 225


def test_july_compares_the_tank_losses_of_the_record(record):
    sc = load_scenario(JULY)
    tanks = {s: [u for u in sc.model.units if u.side == s and "tanks" in u.equipment] for s in sc.model.sides}
    # the 11th Tank Brigade's 182 are the only Soviet tanks, the Yasuoka detachment's 70 the only Japanese
    assert [u.id for u in tanks["soviet"]] == ["tb11"] and tanks["soviet"][0].equipment["tanks"] == 182
    assert sum(u.equipment["tanks"] for u in tanks["japanese"]) == 70
    assert {u.group for u in tanks["japanese"]} == {"yasuoka"}
    by_outcome = {t.outcome: t for t in sc.model.compare}
    assert record.get(by_outcome["equipment_lost.japanese.tanks"].claims[0]).interval == (40.0, 40.0)
    assert record.get(by_outcome["equipment_lost.soviet.tanks"].claims[0]).interval == (82.0, 82.0)
    assert {"armour_knocked_out.soviet.tanks", "armour_knocked_out.soviet.armoured_cars",
            "casualties.japanese"} <= set(by_outcome)


def _claim_tags(cid: str) -> set[str]:
    c = load_record().get(cid)
    if c.source.tag:
        return {f"[{c.source.tag}]"}
    return {str(c.source.dataset).split(" ")[0]}  # "CDB90 isqno 259" -> "CDB90"
