"""Casualties by phase (``[[phases]]``, nomonhan_sim.model.phases): the phases split each
side's casualties exactly, each phase holds the losses of its own span, and bad phase
tables are refused with one line naming the field."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from nomonhan_sim.experiment.outcomes import batch_outcomes
from nomonhan_sim.scenario import scenario_from_dict
from nomonhan_sim.scenario.loader import ScenarioError
from conftest import fixture_dict, run

START = dt.datetime(1939, 8, 20, 6, 0)  # duel.toml's engine.start


def _duel_with_phases(phases, hours: float = 48, stochastic: bool = False):
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["engine"].update(duration_hours=hours, stochastic=stochastic)
    d["phases"] = phases
    return scenario_from_dict(d, "duel")


def test_phase_casualties_add_up_to_each_sides_casualties():
    sc = _duel_with_phases([{"id": "first", "end": START + dt.timedelta(hours=10)},
                            {"id": "second", "end": START + dt.timedelta(hours=30)},
                            {"id": "rest"}], stochastic=True)
    out = batch_outcomes(run(sc, R=6, seed=3))
    for side in ("blue", "red"):
        parts = sum(out[f"phase_casualties.{p}.{side}"] for p in ("first", "second", "rest"))
        np.testing.assert_allclose(parts, out[f"casualties.{side}"])
        assert (out[f"phase_casualties.first.{side}"] > 0).all()


def test_a_phase_holds_the_losses_of_its_own_hours():
    """The first phase's casualties equal the whole casualties of a run that stops at its end."""
    end = 12
    with_phases = _duel_with_phases([{"id": "early", "end": START + dt.timedelta(hours=end)}, {"id": "late"}])
    short = _duel_with_phases([], hours=end)
    a, b = batch_outcomes(run(with_phases, R=1, seed=0)), batch_outcomes(run(short, R=1, seed=0))
    for side in ("blue", "red"):
        np.testing.assert_allclose(a[f"phase_casualties.early.{side}"], b[f"casualties.{side}"])
        assert a[f"phase_casualties.late.{side}"][0] > 0


def test_a_scenario_without_phases_has_no_phase_columns():
    out = batch_outcomes(run(_duel_with_phases([]), R=1))
    assert not [k for k in out if k.startswith("phase_casualties.")]


@pytest.mark.parametrize("phases, field", [
    ([{"id": "a", "end": START + dt.timedelta(hours=20)}, {"id": "b", "end": START + dt.timedelta(hours=10)}],
     "phases[1].end"),
    ([{"id": "a"}, {"id": "b", "end": START + dt.timedelta(hours=10)}], "phases[0].end"),
    ([{"id": "a", "end": START + dt.timedelta(hours=10)}, {"id": "a"}], "phases[1].id"),
    ([{"id": "a", "end": START + dt.timedelta(hours=100)}], "phases[0].end"),
    ([{"id": "a", "end": START - dt.timedelta(hours=1)}], "phases[0].end"),
    ([{"id": "A.b"}], "phases[0].id"),
    ([{"id": "a", "end": 5}], "phases[0].end"),
])
def test_a_bad_phase_table_is_refused_with_one_line_naming_the_field(phases, field):
    with pytest.raises(ScenarioError) as exc:
        _duel_with_phases(phases)
    msg = str(exc.value)
    assert "\n" not in msg and f"duel: {field}:" in msg, msg


def test_a_compare_entry_may_name_a_phase_outcome():
    d = copy.deepcopy(fixture_dict("duel.toml"))
    d["phases"] = [{"id": "all"}]
    d["compare"] = [{"outcome": "phase_casualties.all.red", "low": 50.0, "high": 100.0, "unit": "men",
                     "source": "test"}]
    scenario_from_dict(d, "duel")
    d["compare"][0]["outcome"] = "phase_casualties.none.red"
    with pytest.raises(ScenarioError, match="compare\\[0\\].outcome"):
        scenario_from_dict(d, "duel")
