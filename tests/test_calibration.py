"""Calibration by minimum CRPS: it recovers parameters the model itself generated data
with, and it never sees a holdout or reference battle."""

from __future__ import annotations

import numpy as np
import pytest

from nomonhan_sim.record import cdb90
from nomonhan_sim.validation import calibrate as cal
from nomonhan_sim.validation.cdb90_suite import simulate

TRUE = {"dupuy_attacker_rate": 0.022, "dupuy_defender_rate": 0.045, "model_form_sigma": 0.35}


@pytest.fixture(scope="module")
def battles():
    df = cdb90.usable(cdb90.load_engagements())
    return df[(df["split"] == "calibration") & (df["era"] == "1939-1945") & (df["duration_days"] <= 6)].iloc[:40]


@pytest.mark.slow
def test_calibration_recovers_parameters_of_synthetic_engagements(battles):
    # observations: one world per battle, drawn by the model itself with known parameters
    synthetic = simulate(battles, replicates=1, seed=777, workers=1, parameters=cal.parameters_for(TRUE))
    observed = {s: synthetic[s][:, 0] for s in ("a", "d")}
    res = cal.fit(battles, replicates=24, seed=3, workers=1, max_evaluations=45, observed=observed,
                  check_split=False)
    assert res.objective < res.start_objective
    assert res.values["dupuy_attacker_rate"] == pytest.approx(TRUE["dupuy_attacker_rate"], rel=0.3)
    assert res.values["dupuy_defender_rate"] == pytest.approx(TRUE["dupuy_defender_rate"], rel=0.3)
    assert 0.1 < res.values["model_form_sigma"] < 0.7


def test_calibration_refuses_holdout_and_reference_battles():
    df = cdb90.usable(cdb90.load_engagements())
    for split in ("holdout", "reference"):
        with pytest.raises(ValueError, match="calibration battles only"):
            cal.fit(df[df["split"] == split].iloc[:3], replicates=2, max_evaluations=1)


def test_no_reference_battle_is_in_the_calibration_set():
    df = cdb90.load_engagements()
    assert not set(df.index[df["split"] == "calibration"]) & {256, 257, 258, 259, 260}


def test_the_fitted_table_loads_as_scenario_parameters(battles):
    table = cal.parameters_for(TRUE, source="test")
    out = simulate(battles.iloc[:2], replicates=5, seed=1, workers=1, parameters=table)
    assert out["a"].shape == (2, 5) and np.isfinite(out["a"]).all()
