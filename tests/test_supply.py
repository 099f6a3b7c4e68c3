"""Supply: conservation, convoy timing, cut roads, cut-off units, shortage effects, fleet size."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from nomonhan_sim.model.qjm_tables import ammunition_factor
from nomonhan_sim.scenario import scenario_from_dict
from nomonhan_sim.model.supply import AMMO
from conftest import fixture_dict, run


def supply_dict(**engine):
    d = copy.deepcopy(fixture_dict("supply.toml"))
    d["engine"].update(engine)
    return d


def sim(d, R=1, seed=0, **kw):
    return run(scenario_from_dict(d, "supply"), R=R, seed=seed, **kw)


def test_tons_loaded_equal_delivered_plus_in_transit_plus_lost():
    d = supply_dict(stochastic=True, duration_hours=120)
    d["logistics"]["fleets"][0]["breakdown_per_1000km"] = 0.3   # plenty of breakdowns
    d["logistics"]["fleets"][0]["trucks"] = 400
    res = sim(d, R=50, seed=1)
    sup = res.world.extra["supply"]
    lhs = sup.loaded
    rhs = sup.delivered.sum(axis=1) + sup.in_transit() + sup.lost
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12, atol=1e-9)
    assert (sup.lost.sum(axis=1) > 0).all() and (sup.delivered.sum(axis=(1, 2)) > 0).all()


def test_first_delivery_arrives_when_the_speeds_say():
    res = sim(supply_dict(), log_events=True)
    times = sorted(e[0] for e in res.log.records() if e[3] == "delivered")
    # column 0: load 2 h, 200 km at 20 km/h, unload 1 h
    assert times[0] == pytest.approx(2 + 200 / 20 + 1)
    # its second delivery: back empty 200 km at 25 km/h, load 2 h, out 10 h, unload 1 h
    assert times.count(pytest.approx(13.0 + 8 + 2 + 10 + 1)) == 1
    sup = res.world.extra["supply"]
    per_trip = 25 * 2.0  # 100 trucks in 4 columns, 2 t each
    assert sup.delivered.sum() == pytest.approx(per_trip * len(times))


def test_cut_road_means_no_deliveries():
    d = supply_dict(duration_hours=96)
    d["logistics"]["interdictions"] = [{"kind": "cut_route", "fleet": "blue_trucks", "at_hour": 0.0,
                                        "hours": 1000.0, "source": "test"}]
    sup = sim(d).world.extra["supply"]
    assert sup.delivered.sum() == 0.0
    assert sup.loaded.sum() > 0 and sup.in_transit().sum() == pytest.approx(sup.loaded.sum())


def test_enemy_on_the_road_means_no_deliveries():
    d = supply_dict(duration_hours=96)
    d["logistics"]["fleets"][0]["via"] = ["crossroads"]
    d["places"][2]["holder"] = "red"
    assert sim(d).world.extra["supply"].delivered.sum() == 0.0


def test_destroy_stock_interdiction_removes_the_share():
    d = supply_dict(duration_hours=0.5)
    before = sim(d).world.extra["supply"].stock[0, 2].copy()   # Red depot at hour 0, after the first issue
    d["engine"]["duration_hours"] = 1.5
    d["logistics"]["interdictions"] = [{"kind": "destroy_stock", "depot": "red_depot", "at_hour": 1.0,
                                        "share": 0.5, "source": "test"}]
    sup = sim(d).world.extra["supply"]
    # the blow falls at hour 1 before that hour's issue; between hours 0 and 1 nothing else moves
    np.testing.assert_allclose(sup.destroyed[0], 0.5 * before, rtol=1e-9)


def test_cut_off_unit_receives_nothing():
    """A Blue unit beyond a Red-held place cannot reach its depot: no issue, its stock only falls."""
    d = supply_dict(duration_hours=72)
    d["places"][2]["holder"] = "red"                    # crossroads held by Red (nobody there)
    d["places"][3]["holder"] = "blue"                   # Blue holds the far end
    d["units"][1]["start"] = "crossroads"               # Red infantry stands on the road
    d["units"].append(copy.deepcopy(d["units"][0]) | {"id": "blue_cut", "name": "Cut-off Blue", "start": "red_base"})
    d["orders"].append({"unit": "blue_cut", "task": "hold"})
    d["logistics"]["depots"][2]["place"] = "crossroads"
    res = sim(d)
    w, sup = res.world, res.world.extra["supply"]
    cut = res.compiled.unit_ids.index("blue_cut")
    home = res.compiled.unit_ids.index("blue_tanks")
    assert sup.ustock[0, cut].sum() < sup.capacity[0, cut].sum() * 0.5
    assert sup.ustock[0, home, AMMO] == pytest.approx(sup.capacity[0, home, AMMO], rel=1e-6)
    assert w.encircled[0, cut]


def test_ammunition_factor_follows_the_qjm_table():
    assert ammunition_factor(np.array([1.0, 0.8, 0.5, 0.3, 0.2, 0.1, 0.0])).tolist() == \
        pytest.approx([1.0, 0.96, 0.9, 0.8, 0.65, 0.2, 0.0])
    assert ammunition_factor(np.array([0.15]))[0] == pytest.approx(0.425)


def _duel_with_ammo(days):
    d = supply_dict(duration_hours=6)
    d["units"][1]["start"] = "blue_base"                # in contact from hour 0
    d["logistics"]["unit_stock_days"] = days
    d["logistics"]["depots"][1]["place"] = "rail"        # no resupply for Blue
    return sim(d).world


def test_low_ammunition_lowers_the_losses_a_unit_inflicts():
    full, short = _duel_with_ammo(3.0), _duel_with_ammo(0.2)
    red = 1
    assert short.cas[0, red] < full.cas[0, red]
    assert short.extra["firepower_factor"][0, 0] < 0.7 <= full.extra["firepower_factor"][0, 0]


@pytest.mark.parametrize("share,factor", [(0.5, 1.0), (0.175, 0.5), (0.1, 0.0), (0.0, 0.0)])
def test_fuel_shortage_slows_then_stops_motorised_units(share, factor):
    d = supply_dict(duration_hours=40)
    d["logistics"]["depots"][1]["place"] = "rail"        # no resupply
    d["logistics"]["consumption"][0].update(idle={}, moving={}, combat={"fuel": 10})  # no burn, only load size
    d["logistics"]["unit_stock_days"] = 3 * share        # basic load 3 days -> this share of a full load
    d["orders"][0] = {"unit": "blue_tanks", "task": "move", "objective": "crossroads"}
    d["parameters"] = {"speed_motor_kmh": {"value": 10.0, "source": "test"},
                       # the leg ends next to the enemy: no contact delay, so only fuel sets its time
                       "zoc_delay_hours": {"value": 0.0, "source": "test"},
                       "motor_deployment_hours": {"value": 0.0, "source": "test"}}
    res = sim(d, log_events=True)
    assert res.world.extra["speed_factor"][0, 0] == pytest.approx(factor)
    arr = [e[0] for e in res.log.records() if e[3] == "arrived" and e[2] == 0]
    if factor == 0:
        assert arr == []
    else:
        assert arr[0] == pytest.approx(10.0 / (10.0 * factor))


def test_halved_fleet_delivers_less_by_h_hour_in_every_replicate():
    d = supply_dict(stochastic=True, duration_hours=1)
    d["logistics"]["buildup_start"] = "1939-08-10T00:00:00"
    d["logistics"]["fleets"][0]["breakdown_per_1000km"] = 0.2
    half = copy.deepcopy(d)
    half["logistics"]["fleets"][0]["trucks"] = 50
    full = sim(d, R=100, seed=4).world.extra["supply"].stock_at_h[:, 0]
    halved = sim(half, R=100, seed=4).world.extra["supply"].stock_at_h[:, 0]
    assert (halved < full).all()


def test_uncertain_supply_inputs_are_reported_as_drawn_columns(tmp_path, capsys):
    import tomllib

    from nomonhan_sim.cli import main
    from conftest import FIXTURES

    text = (FIXTURES / "supply.toml").read_text()
    text = text.replace("basic_load_days = 3", 'basic_load_days = { dist = "uniform", low = 2, high = 4 }')
    text = text.replace("unit_stock_days = 1.0", 'unit_stock_days = { dist = "uniform", low = 0.5, high = 1.5 }')
    assert tomllib.loads(text)
    path = tmp_path / "supply.toml"
    path.write_text(text)
    assert main(["run", str(path), "-n", "10", "--no-progress", "--workers", "1", "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "Supply at H-hour" in out and "basic_load_days" not in out
    import pandas as pd
    df = pd.read_parquet(tmp_path / "o" / "outcomes.parquet")
    assert df["input.logistics.consumption.0.basic_load_days"].between(2, 4).all()
    assert df["input.logistics.unit_stock_days"].nunique() == 10


def test_unit_attacking_an_enemy_held_place_still_draws_supply():
    """Standing on a contested place does not cut a unit off from its depot."""
    d = supply_dict(duration_hours=30)
    d["units"][0]["start"] = "crossroads"
    d["units"][1]["start"] = "crossroads"
    d["places"][2]["holder"] = "red"
    d["logistics"]["depots"][2]["place"] = "red_base"
    res = sim(d)
    sup = res.world.extra["supply"]
    assert res.world.extra["in_combat"][0, 0]
    assert sup.issued[0, 0].sum() > 0


@pytest.mark.parametrize("mutate,field", [
    (lambda d: d["logistics"]["fleets"][0].update(origin="nowhere"), "logistics.fleets[0].origin"),
    (lambda d: d["logistics"]["fleets"][0].update(origin="blue_depot"), "logistics.fleets[0].origin"),
    (lambda d: d["logistics"]["fleets"][0].update(destination="red_depot"), "logistics.fleets[0].destination"),
    (lambda d: d["logistics"]["fleets"][0].update(via=["atlantis"]), "logistics.fleets[0].via[0]"),
    (lambda d: d["logistics"]["depots"][1].update(place="atlantis"), "logistics.depots[1].place"),
    (lambda d: d["logistics"]["depots"][1].update(side="green"), "logistics.depots[1].side"),
    (lambda d: d["logistics"]["consumption"][0].update(unit_types=["tank"]), "logistics.consumption"),
    (lambda d: d["logistics"].update(requirements=[{"side": "green", "tons": 1, "source": "x"}]),
     "logistics.requirements[0].side"),
    (lambda d: d["logistics"].update(buildup_start="1939-09-01T00:00:00"), "logistics.buildup_start"),
    (lambda d: d["logistics"]["fleets"][0].update(cargo_mix={"ammunition": 0.5}), "logistics.fleets[0].cargo_mix"),
])
def test_logistics_errors_name_the_field(mutate, field):
    from nomonhan_sim.scenario import ScenarioError

    d = supply_dict()
    mutate(d)
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(d, "supply.toml")
    msg = str(e.value)
    assert msg.startswith(f"supply.toml: {field}") and "\n" not in msg


def test_crossing_capacity_limits_supply_to_units_beyond_it():
    """A 24 t/day bridge between the depot and the unit lets through 1 t an hour, no more."""
    d = supply_dict(duration_hours=10)
    d["units"][0]["start"] = "crossroads"
    d["places"][2]["holder"] = "blue"
    d["logistics"]["unit_stock_days"] = 0.0
    d["logistics"]["depots"][1]["stock"] = {"ammunition": 1000, "fuel": 1000, "food_water": 1000, "other": 1000}
    d["logistics"]["fleets"] = []
    open_ = sim(copy.deepcopy(d)).world.extra["supply"].issued[0, 0].sum()
    d["routes"][0]["capacity_tons_per_day"] = 24.0
    capped = sim(d).world.extra["supply"].issued[0, 0].sum()
    assert open_ > 50
    assert capped == pytest.approx(1.0 * 10, rel=1e-9)   # hours 0..9, 1 t each
