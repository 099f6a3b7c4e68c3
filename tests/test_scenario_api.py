"""Scenarios from Python: the to_dict round trip, with_changes by dotted path, scaled()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nomonhan_sim.scenario import Distribution, ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.scenario.changes import CHANGED_SUFFIX
from nomonhan_sim.scenario.quantity import scaled
from conftest import FIXTURES, SCENARIOS, run

AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"
FILES = sorted(SCENARIOS.glob("*.toml")) + sorted(FIXTURES.glob("*.toml"))


@pytest.fixture(scope="module")
def august():
    return load_scenario(AUGUST)


@pytest.fixture(scope="module")
def duel_sc():
    return load_scenario(FIXTURES / "duel.toml")


def _unit(sc, uid):
    return next(u for u in sc.model.units if u.id == uid)


def _fleet(sc, name):
    return next(f for f in sc.model.logistics.fleets if f.name == name)


def _depot(sc, did):
    return next(d for d in sc.model.logistics.depots if d.id == did)


# -- to_dict --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_to_dict_then_scenario_from_dict_gives_an_equal_scenario_with_the_same_hash(path: Path):
    sc = load_scenario(path)
    again = scenario_from_dict(sc.to_dict(), "again")
    assert again.model == sc.model
    assert again.sha256 == sc.sha256
    assert dict(again.parameters) == dict(sc.parameters)


# -- with_changes: values at paths -----------------------------------------------------------

def test_with_changes_sets_each_path_and_gives_a_new_hash(august):
    sc2 = august.with_changes({
        "units.mrr_24.personnel": 3000,
        "engine.attrition_law": "square",
        "places.fui_heights.fortification": "fortified",
    })
    assert _unit(sc2, "mrr_24").personnel == 3000.0
    assert sc2.model.engine.attrition_law == "square"
    assert next(p for p in sc2.model.places if p.id == "fui_heights").fortification == "fortified"
    assert sc2.sha256 != august.sha256
    assert sc2.path == str(AUGUST) + CHANGED_SUFFIX


def test_changing_values_and_back_gives_the_original_hash(august):
    mrr = _unit(august, "mrr_24")
    rate = august.param("dupuy_attacker_rate").value  # a package default, not in the file
    mult = august.param("casualty_rate_multiplier", "soviet").value  # the file's own
    changed = august.with_changes({
        "units.mrr_24.personnel": 1234,
        "units.mrr_24.equipment.guns": 1,
        "engine.stochastic": False,
        "parameters.dupuy_attacker_rate": 0.03,
        "parameters.casualty_rate_multiplier.soviet": 1.7,
        "logistics.fleets.soviet_trucks.trucks": 100,
    })
    assert changed.sha256 != august.sha256
    back = changed.with_changes({
        "units.mrr_24.personnel": mrr.personnel,
        "units.mrr_24.equipment.guns": mrr.equipment["guns"],
        "engine.stochastic": True,
        "parameters.dupuy_attacker_rate": rate,
        "parameters.casualty_rate_multiplier.soviet": mult,
        "logistics.fleets.soviet_trucks.trucks": _fleet(august, "soviet_trucks").trucks,
    })
    assert back.sha256 == august.sha256
    assert back.model == august.model
    assert back.path == str(AUGUST) + CHANGED_SUFFIX  # the suffix is not repeated


def test_setting_the_current_values_keeps_the_hash(august):
    same = august.with_changes({"units.mrr_24.personnel": _unit(august, "mrr_24").personnel,
                                "parameters.power_p": august.param("power_p").value})
    assert same.sha256 == august.sha256


def test_the_original_scenario_is_unchanged(august):
    before = august.to_dict()
    sha = august.sha256
    august.with_changes({"units.mrr_24.personnel": 10, "units.mrr_24.equipment.tanks": 5,
                         "parameters.casualty_rate_multiplier.soviet.source": "test",
                         "logistics.depots.tamsag_bulak_depot.stock.fuel": 1.0})
    assert august.to_dict() == before
    assert august.sha256 == sha
    assert "tanks" not in _unit(august, "mrr_24").equipment


def test_a_plain_number_replaces_a_distribution_and_a_distribution_a_number(august):
    assert isinstance(_fleet(august, "soviet_trucks").trucks, Distribution)
    assert _fleet(august, "soviet_trucks").load_hours == 2.0
    tri = Distribution(dist="triangular", low=1.0, mode=2.0, high=4.0)
    sc2 = august.with_changes({"logistics.fleets.soviet_trucks.trucks": 3000,
                               "logistics.fleets.soviet_trucks.load_hours": tri})
    assert _fleet(sc2, "soviet_trucks").trucks == 3000.0
    assert _fleet(sc2, "soviet_trucks").load_hours == tri


def test_a_part_of_a_distribution_is_addressed_by_its_field(august):
    sc2 = august.with_changes({"logistics.fleets.soviet_trucks.trucks.high": 5000})
    t = _fleet(sc2, "soviet_trucks").trucks
    assert (t.dist, t.low, t.high) == ("uniform", 2636.0, 5000.0)


def test_equipment_path_changes_a_class_and_adds_a_missing_one(august):
    mrr = _unit(august, "mrr_24")
    assert "tanks" not in mrr.equipment
    sc2 = august.with_changes({"units.mrr_24.equipment.tanks": 12, "units.mrr_24.equipment.guns": 3})
    assert _unit(sc2, "mrr_24").equipment == {**mrr.equipment, "tanks": 12.0, "guns": 3.0}


def test_logistics_paths_address_depots_by_id_and_fleets_by_name(august):
    sc2 = august.with_changes({"logistics.depots.tamsag_bulak_depot.stock.ammunition": 9000,
                               "logistics.fleets.japanese_trucks.columns": 10,
                               "logistics.consumption.0.basic_load_days": 4})
    assert _depot(sc2, "tamsag_bulak_depot").stock["ammunition"] == 9000.0
    assert _depot(sc2, "tamsag_bulak_depot").stock["fuel"] == _depot(august, "tamsag_bulak_depot").stock["fuel"]
    assert _fleet(sc2, "japanese_trucks").columns == 10
    assert _fleet(sc2, "soviet_trucks").columns == _fleet(august, "soviet_trucks").columns
    assert sc2.model.logistics.consumption[0].basic_load_days == 4.0


def test_orders_and_routes_are_addressed_by_index_in_either_form(august):
    sc2 = august.with_changes({"orders.3.note": "changed", "routes[0].km": 99})
    assert sc2.model.orders[3].note == "changed"
    assert sc2.model.routes[0].km == 99.0
    assert sc2.model.orders[2] == august.model.orders[2]


def test_sides_are_addressed_by_id(august):
    sc2 = august.with_changes({"sides.japanese.name": "Kwantung Army"})
    assert sc2.model.sides["japanese"].name == "Kwantung Army"
    assert sc2.model.sides["soviet"] == august.model.sides["soviet"]


def test_a_function_value_gets_the_current_value_as_a_schema_object(august):
    seen = []

    def half(q):
        seen.append(q)
        return scaled(q, 0.5)

    sc2 = august.with_changes({"logistics.fleets.soviet_trucks.trucks": half,
                               "units.mrr_24": lambda u: u.model_copy(update={"name": "renamed"})})
    assert seen == [_fleet(august, "soviet_trucks").trucks]
    t = _fleet(sc2, "soviet_trucks").trucks
    assert (t.low, t.high) == (1318.0, 2000.0)
    assert _unit(sc2, "mrr_24").name == "renamed"
    assert _unit(sc2, "mrr_24").personnel == _unit(august, "mrr_24").personnel


def test_a_changed_scenario_runs_with_the_changed_figures(duel_sc):
    blue = run(duel_sc).world.pers[0, 0]
    stronger = duel_sc.with_changes({"units.blue_1.personnel": 6000})
    assert run(stronger).world.pers0[0, 0] == 6000
    assert run(stronger).world.pers[0, 0] > blue


# -- with_changes: parameters ---------------------------------------------------------------

def test_a_parameter_of_the_file_keeps_its_unit_source_and_claims(august):
    own = august.param("casualty_rate_multiplier", "soviet")
    sc2 = august.with_changes({"parameters.casualty_rate_multiplier.soviet": 1.5})
    new = sc2.param("casualty_rate_multiplier", "soviet")
    assert new.value == 1.5
    assert (new.unit, new.source, new.claims) == (own.unit, own.source, own.claims)
    assert sc2.param("casualty_rate_multiplier", "japanese") == august.param("casualty_rate_multiplier", "japanese")


def test_a_parameter_not_in_the_file_starts_from_the_package_default(august):
    assert "dupuy_attacker_rate" not in august.model.parameters
    default = august.param("dupuy_attacker_rate")
    sc2 = august.with_changes({"parameters.dupuy_attacker_rate": 0.03})
    new = sc2.param("dupuy_attacker_rate")
    assert new.value == 0.03
    assert (new.unit, new.source, new.claims) == (default.unit, default.source, default.claims)
    assert sc2.model.parameters["dupuy_attacker_rate"] == new


def test_a_parameter_field_path_sets_only_that_field(august):
    sc2 = august.with_changes({"parameters.power_p.source": "estimate: a test",
                               "parameters.casualty_rate_multiplier.japanese.claims": []})
    assert sc2.param("power_p").source == "estimate: a test"
    assert sc2.param("power_p").value == august.param("power_p").value
    assert sc2.param("casualty_rate_multiplier", "japanese").claims == []


def test_a_side_value_of_a_parameter_the_file_does_not_set_adds_one_side(duel_sc):
    sc2 = duel_sc.with_changes({"parameters.casualty_rate_multiplier.blue": 2.0})
    assert sc2.param("casualty_rate_multiplier", "blue").value == 2.0
    assert sc2.param("casualty_rate_multiplier", "red").value == 1.0  # the default, for the other side
    assert set(sc2.model.parameters["casualty_rate_multiplier"]) == {"blue"}


def test_a_common_value_for_a_parameter_set_per_side_is_refused(august):
    with pytest.raises(ScenarioError) as e:
        august.with_changes({"parameters.casualty_rate_multiplier": 1.5})
    assert str(e.value) == ("with_changes: parameters.casualty_rate_multiplier: the scenario sets "
                            "casualty_rate_multiplier per side (soviet, japanese); give "
                            "parameters.casualty_rate_multiplier.<side>")


# -- with_changes: errors ---------------------------------------------------------------------

def test_an_unknown_unit_id_is_one_line_naming_the_path_and_the_known_ids(august):
    with pytest.raises(ScenarioError) as e:
        august.with_changes({"units.mrr_99.personnel": 3000})
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("with_changes: units.mrr_99: no unit with id 'mrr_99' (did you mean 'mrr_24'? known: mrr_24, ")
    assert all(u.id in msg for u in august.model.units)


@pytest.mark.parametrize("path, start, fragment", [
    ("units.mrr_24.personel", "units.mrr_24.personel", "has no field 'personel' (did you mean 'personnel'?"),
    ("units.mrr_24.equipment.tankz", "units.mrr_24.equipment.tankz", "no equipment class 'tankz'"),
    ("logistics.fleets.trucks_x.trucks", "logistics.fleets.trucks_x", "no fleet named 'trucks_x' (known: soviet_trucks, japanese_trucks)"),
    ("logistics.depots.nowhere.stock.fuel", "logistics.depots.nowhere", "no depot with id 'nowhere'"),
    ("logistics.depots.tamsag_bulak_depot.stock.petrol", "logistics.depots.tamsag_bulak_depot.stock.petrol", "no supply class 'petrol'"),
    ("sides.blue.name", "sides.blue", "no side 'blue' (known: soviet, japanese)"),
    ("orders.999.note", "orders.999", "no order at index 999"),
    ("orders.first.note", "orders.first", "have no id: give an index 0.."),
    ("engine.attrition_law.x", "engine.attrition_law.x", "is a value (str), which has no part 'x'"),
    ("orders.3.trigger.at_hour", "orders.3.trigger", "not set in this scenario"),
    ("weather.rain", "weather", "the scenario has no field 'weather'"),
    ("parameters.no_such_rate", "parameters.no_such_rate", "unknown parameter (known: "),
    ("parameters.power_p.blue", "parameters.power_p.blue", "expected a side id (soviet, japanese) or a field of a parameter"),
    ("units..personnel", "units..personnel", "empty or malformed part"),
])
def test_a_path_that_names_nothing_is_one_line_naming_it(august, path, start, fragment):
    with pytest.raises(ScenarioError) as e:
        august.with_changes({path: 1})
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(f"with_changes: {start}: "), msg
    assert fragment in msg, msg


def test_logistics_paths_of_a_scenario_without_logistics_say_so(duel_sc):
    with pytest.raises(ScenarioError, match=r"^with_changes: logistics: not set in this scenario"):
        duel_sc.with_changes({"logistics.fleets.x.trucks": 1})


def test_an_invalid_value_gives_the_loaders_one_line_message(august):
    with pytest.raises(ScenarioError) as e:
        august.with_changes({"units.mrr_24.personnel": -3})
    assert str(e.value) == (f"{AUGUST}{CHANGED_SUFFIX}: units[0].personnel: "
                            "expected a number of men > 0, found -3")
    with pytest.raises(ScenarioError, match=r"engine\.attrition_law: Input should be 'square'"):
        august.with_changes({"engine.attrition_law": "cube"})
    with pytest.raises(ScenarioError, match=r"units\[0\]\.start: expected a place id, found 'atlantis'"):
        august.with_changes({"units.mrr_24.start": "atlantis"})


def test_a_function_for_a_value_that_is_not_set_is_refused(august):
    with pytest.raises(ScenarioError, match="no current value to give the function"):
        august.with_changes({"units.mrr_24.equipment.tanks": lambda q: scaled(q, 2)})


# -- scaled -----------------------------------------------------------------------------------

FORMS = [
    Distribution(dist="fixed", value=3.0),
    Distribution(dist="uniform", low=2.0, high=6.0),
    Distribution(dist="triangular", low=1.0, mode=2.0, high=5.0),
    Distribution(dist="normal", mean=10.0, sd=2.0, low=5.0, high=14.0),
    Distribution(dist="lognormal", median=4.0, sigma=0.5, high=9.0),
]


@pytest.mark.parametrize("d", FORMS, ids=lambda d: d.dist)
def test_scaled_distribution_draws_are_the_original_draws_times_the_factor(d):
    s = scaled(d, 2.5)
    assert s.dist == d.dist
    a = s.draw(np.random.default_rng(7), 500)
    b = d.draw(np.random.default_rng(7), 500)
    np.testing.assert_allclose(a, 2.5 * b, rtol=1e-12)
    lo, hi = d.bounds
    assert s.bounds == (2.5 * lo, 2.5 * hi)


def test_scaled_multiplies_location_and_scale_but_not_the_log_sigma():
    assert scaled(FORMS[1], 0.5) == Distribution(dist="uniform", low=1.0, high=3.0)
    assert scaled(FORMS[2], 2) == Distribution(dist="triangular", low=2.0, mode=4.0, high=10.0)
    assert scaled(FORMS[3], 0.5) == Distribution(dist="normal", mean=5.0, sd=1.0, low=2.5, high=7.0)
    assert scaled(FORMS[4], 3) == Distribution(dist="lognormal", median=12.0, sigma=0.5, high=27.0)


def test_scaled_number_and_distribution_table():
    assert scaled(3000, 0.5) == 1500.0
    assert scaled({"dist": "uniform", "low": 1, "high": 3}, 2) == Distribution(dist="uniform", low=2.0, high=6.0)


@pytest.mark.parametrize("factor", [-1, float("nan"), float("inf")])
def test_scaled_refuses_a_negative_or_non_finite_factor(factor):
    with pytest.raises(ValueError, match="expected a finite factor >= 0"):
        scaled(FORMS[1], factor)
