"""The CDB90 validation suite: CDB90 rows become engagements, battles are simulated
reproducibly, and the command writes its tables and figures."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.record import cdb90
from nomonhan_sim.validation import cdb90_suite as v
from nomonhan_sim.validation.cdb90_scores import MIN_GROUP_BATTLES, pooled
from conftest import ROOT


@pytest.fixture(scope="module")
def battles():
    return cdb90.usable(cdb90.load_engagements())


@pytest.mark.parametrize("code, terrain", [
    ("RB0", "rolling_bare"), ("RM0", "rolling_mixed"), ("GW0", "rugged_mixed"), ("FB0", "flat_bare_hard"),
    ("FMU", "urban"), ("FWM", "swamp_mixed"), ("000", "rolling_mixed"), (None, "rolling_mixed"),
])
def test_cdb90_terrain_codes_map_to_qjm_terrain_classes(code, terrain):
    assert v.terrain_of(code) == terrain


def test_the_august_1939_counteroffensive_becomes_its_cdb90_engagement(battles):
    e = v.engagement_from_cdb90(260, battles.loc[260])
    assert (e.attacker.men, e.defender.men) == (57000, 30000)
    assert (e.attacker.tanks, e.defender.tanks, e.attacker.guns, e.defender.guns) == (498, 120, 216, 135)
    assert e.posture == "prepared" and e.terrain == "rolling_bare"
    assert e.duration_days == pytest.approx(12, abs=0.5)


def test_battle_samples_do_not_depend_on_workers_or_order(battles):
    some = battles[(battles["era"] == "1939-1945") & (battles["split"] == "holdout")].iloc[:4]
    serial = v.simulate(some, replicates=20, seed=5, workers=1)
    pooled = v.simulate(some, replicates=20, seed=5, workers=2)
    backwards = v.simulate(some.iloc[::-1], replicates=20, seed=5, workers=1)
    for s in ("a", "d"):
        assert np.array_equal(serial[s], pooled[s])
        assert np.array_equal(serial[s], backwards[s][::-1])


def test_reference_battles_are_reported_apart_and_never_scored():
    r = v.run_suite(era="1939-1945", split="holdout", replicates=10, seed=1, workers=1)
    assert sorted(r.reference.index) == [256, 257, 258, 259, 260]
    assert not set(r.pred.index) & cdb90.REFERENCE
    assert (r.pred["split"] == "holdout").all() and (r.pred["era"] == "1939-1945").all()
    assert "US" in set(r.pred["nation_a"]) and "GER" in set(r.pred["nation_d"])  # designation prefixes
    counts = pooled(r.pred, "nation_d")["nation_d"].value_counts()
    assert (counts.drop("other", errors="ignore") >= MIN_GROUP_BATTLES).all()  # rare prefixes pooled
    rows = v.scores(r.pred)
    base = [x for x in rows if x.predictor == "baseline"]
    assert all(x.skill == 0 for x in base) and all(x.n == len(r.pred) for x in rows)


def test_cdb90_command_writes_predictions_summary_and_figures(tmp_path, capsys):
    out = tmp_path / "cdb90"
    assert main(["cdb90", "--replicates", "10", "--workers", "1", "--no-progress", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "baseline" in text and "Reference battles" in text and "winner right (model)" in text
    names = {p.name for p in out.iterdir()}
    assert {"predictions.parquet", "reference.parquet", "summary.txt", "settings.json",
            "predicted_vs_observed.png", "pit.png", "error_by_group.png"} <= names
    assert main(["cdb90", "--replicates", "10", "--no-progress", "--out", str(out)]) == 2  # not empty


def test_an_unknown_era_is_one_line_exit_2():
    out = subprocess.run([sys.executable, "-m", "nomonhan_sim", "cdb90", "--era", "1066"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 2 and out.stderr.strip().count("\n") == 0 and "--era" in out.stderr
