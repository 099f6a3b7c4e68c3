"""An engagement described from both sides runs through the same path as a scenario file."""

from __future__ import annotations

import datetime as dt

import pytest

from nomonhan_sim.engagement import Engagement, Force, engagement_scenario, run_engagement
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.scenario import load_scenario
from conftest import FIXTURES

SOURCE = "CDB90 isqno 259 (combat_models.md §4.3)"


def _may_1939() -> Engagement:
    return Engagement(
        "Nomonhan opening engagement, 28-29 May 1939",
        attacker=Force("Japanese 64th Inf Regt (-)(+)", men=1300, tanks=10, guns=4, aircraft=40),
        defender=Force("Soviet 11th Tank Bde (-)(+)", men=1228, guns=14),
        duration_days=2, posture="hasty", terrain="rolling_bare", start=dt.datetime(1939, 5, 28, 6),
        source=SOURCE)


def test_engagement_and_the_same_battle_written_as_a_file_give_identical_outcomes():
    file_sc = load_scenario(FIXTURES / "engagement_nomonhan_may.toml")
    built = engagement_scenario(_may_1939())
    assert built.sha256 == file_sc.sha256  # the same content, validated by the same loader
    a = run_engagement(_may_1939(), replicates=40, seed=11)
    b = run_experiment(file_sc, replicates=40, seed=11, chunk_size=40, workers=1).outcomes
    assert a.equals(b)


def test_engagement_outcomes_are_casualties_of_attacker_and_defender():
    df = run_engagement(_may_1939(), replicates=30, seed=3)
    for side, men in (("attacker", 1300), ("defender", 1228)):
        v = df[f"casualties.{side}"]
        assert (v >= 0).all() and (v <= men).all() and v.mean() > 0


def test_descriptors_the_model_does_not_use_are_said_in_the_scenario():
    sc = engagement_scenario(_may_1939().with_(weather="dry, sunny", surprise=2))
    text = sc.model.scenario.description
    assert "aircraft.attacker = 40" in text and "surprise = 2" in text and "dry, sunny" in text


@pytest.mark.parametrize("bad, message", [
    (dict(duration_days=0), "duration_days"),
    (dict(posture="attack"), "posture"),
    (dict(terrain="moon"), "terrain"),
])
def test_a_bad_engagement_is_refused_with_the_field_named(bad, message):
    with pytest.raises(ValueError, match=message):
        _may_1939().with_(**bad)


def test_a_force_with_no_men_is_refused():
    with pytest.raises(ValueError, match="men"):
        Force("nobody", men=0)
