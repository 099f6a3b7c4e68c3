"""When a shortage begins: ``Supply.short_from`` and the event times
``shortage.<side>.<class>.started_day`` / ``unit.<id>.shortage.<class>.started_day``.

The supply fixture: Blue's tank brigade (motorised) holds one day of fuel in a three-day basic
load (a share of 1/3) and its trucks carry no fuel (no tankers), so standing idle it burns down to 0.2 of the
load and stays short; Red's infantry (not motorised) is never fuel-short whatever its fuel, and
its depot next door keeps its ammunition up.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.experiment.outcomes import batch_outcomes, outcomes_frame
from nomonhan_sim.model.supply import FUEL, SHORT_SHARE
from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.vocabulary.outcome_names import (describe, happened_column, outcome_names,
                                                   shortage_started_column, unit_shortage_started_column)
from conftest import SCENARIOS, fixture_dict, run

BLUE_FUEL = unit_shortage_started_column("blue_tanks", "fuel")
RED_FUEL = unit_shortage_started_column("red_inf", "fuel")
RED_AMMO = unit_shortage_started_column("red_inf", "ammunition")


def supply_dict(hours: float = 96, **engine) -> dict:
    d = copy.deepcopy(fixture_dict("supply.toml"))
    d["engine"].update(duration_hours=hours, **engine)
    d["logistics"]["fleets"][0]["tanker_share"] = 0.0  # Blue's trucks bring no fuel
    d["logistics"]["depots"][2]["stock"]["fuel"] = 0  # Red's fuel runs down too (it does not count)
    return d


def sim(d: dict, R: int = 1, seed: int = 0):
    return run(scenario_from_dict(d, "supply"), R=R, seed=seed)


def test_a_motorised_unit_short_of_fuel_starts_when_its_short_hours_start_to_grow():
    sup = sim(supply_dict(96)).world.extra["supply"]
    first = sup.short_from[0, 0, 1]
    assert np.isfinite(first) and 24 < first < 96
    # short from then to the end (no fuel comes): the short hours are the hours since
    assert sup.short_hours[0, 0, 1] == pytest.approx(96 - first)
    # cut the run at that hour and one step later: short hours 0, then one step
    start = int(round(first))
    assert sim(supply_dict(start)).world.extra["supply"].short_hours[0, 0, 1] == 0
    assert sim(supply_dict(start + 1)).world.extra["supply"].short_hours[0, 0, 1] == pytest.approx(1.0)
    assert sup.ustock[0, 0, FUEL] < SHORT_SHARE * sup.capacity[0, 0, FUEL]


def test_the_first_short_day_is_in_days_and_the_side_takes_its_first_unit():
    res = sim(supply_dict(96))
    o = batch_outcomes(res)
    sup = res.world.extra["supply"]
    assert o[BLUE_FUEL][0] == pytest.approx(sup.short_from[0, 0, 1] / 24.0)
    assert o[shortage_started_column("blue", "fuel")][0] == o[BLUE_FUEL][0]  # its only unit


def test_a_unit_never_short_is_nan_and_not_happened():
    df = outcomes_frame(sim(supply_dict(96)))
    assert df[RED_AMMO].isna().all()
    assert not df[happened_column(RED_AMMO)].any()
    assert df[happened_column(BLUE_FUEL)].all()
    flag = happened_column(shortage_started_column("red", "ammunition"))
    assert df.columns.get_loc(flag) == df.columns.get_loc(shortage_started_column("red", "ammunition")) + 1
    assert not df[flag].any()


def test_a_unit_that_is_not_motorised_is_never_fuel_short():
    res = sim(supply_dict(96))
    sup = res.world.extra["supply"]
    assert sup.ustock[0, 1, FUEL] < SHORT_SHARE * sup.capacity[0, 1, FUEL]  # low on fuel all the same
    o = batch_outcomes(res)
    assert np.isnan(o[RED_FUEL]).all() and np.isnan(o[shortage_started_column("red", "fuel")]).all()
    assert o["unit.red_inf.short_hours.fuel"][0] == 0


def test_a_shortage_during_the_build_up_counts_from_h_hour():
    d = supply_dict(24)
    d["logistics"]["buildup_start"] = "1939-08-16T00:00:00"  # four days before H-hour
    sup = sim(d).world.extra["supply"]
    assert sup.short_hours[0, 0, 1] > 24  # short before H-hour already
    assert sup.short_from[0, 0, 1] == 0.0  # counted from H-hour on


def test_the_first_short_day_is_reproducible_for_a_seed():
    d = supply_dict(96, stochastic=True)
    d["logistics"]["unit_stock_days"] = {"dist": "uniform", "low": 0.7, "high": 1.3}
    a, b = (batch_outcomes(sim(d, R=8, seed=11)) for _ in range(2))
    np.testing.assert_array_equal(a[BLUE_FUEL], b[BLUE_FUEL])
    assert np.isfinite(a[BLUE_FUEL]).all() and np.unique(a[BLUE_FUEL]).size > 1  # drawn stocks differ


def test_the_names_are_comparable_and_described():
    names = outcome_names(["blue", "red"], units=["blue_tanks"])
    assert {shortage_started_column("blue", "fuel"), unit_shortage_started_column("blue_tanks", "ammunition")} <= names
    assert shortage_started_column("blue", "food_water") not in names
    assert shortage_started_column("blue", "fuel") not in outcome_names(["blue"], supply=False)
    assert describe(shortage_started_column("blue", "fuel"))[0] == "days"
    assert describe(happened_column(BLUE_FUEL))[0] == "bool"
    d = supply_dict(24)
    d["compare"] = [{"outcome": BLUE_FUEL, "low": 1, "high": 2, "source": "synthetic"}]
    assert scenario_from_dict(d, "supply").model.compare[0].outcome == BLUE_FUEL
    d["compare"] = [{"outcome": "unit.blue_tanks.shortage.food_water.started_day", "low": 1, "high": 2,
                     "source": "synthetic"}]
    with pytest.raises(ScenarioError, match=r"compare\[0\]\.outcome: expected an outcome name"):
        scenario_from_dict(d, "supply")


def test_the_1945_scenario_compares_when_the_soviet_fuel_shortage_began():
    sc = load_scenario(SCENARIOS / "manchuria_1945_august_storm.toml")
    df = run_experiment(sc, replicates=10, seed=19450809, chunk_size=10, workers=1).outcomes
    side = shortage_started_column("soviet", "fuel")
    units = [unit_shortage_started_column(u.id, "fuel") for u in sc.model.units if u.side == "soviet"]
    first = df[units].min(axis=1, skipna=True).to_numpy()
    np.testing.assert_array_equal(df[side].to_numpy(), first)  # the first of the side's units
    rows = [r for r in compare_outcomes(df, sc, load_record()) if r.outcome == side]
    assert len(rows) == 1
    r = rows[0]
    assert (r.unit, r.low, r.high, r.n) == ("days", 2.0, 5.0, 10)
    assert [c.id for c in r.claims] == ["m1945.gta6.fuel_short_started.loveread63218"]
    assert 0.0 <= r.p_range <= 1.0  # computed, its verdict not asserted
