"""A valid scenario loads into an immutable model with defaults merged and a stable hash."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from nomonhan_sim.scenario import (
    Distribution,
    LoadedScenario,
    ScenarioError,
    load_scenario,
    scenario_from_dict,
)
from nomonhan_sim.scenario.quantity import bounds, draw, is_uncertain, nominal

from test_scenario_errors import dump_toml  # the tiny TOML writer

FIXTURE = Path(__file__).parent / "fixtures" / "duel.toml"
DEFAULTS = tomllib.loads(
    (Path(__file__).resolve().parents[1] / "nomonhan_sim" / "data" / "default_parameters.toml")
    .read_text("utf-8")
)


def _fixture_dict() -> dict[str, Any]:
    return tomllib.loads(FIXTURE.read_text("utf-8"))


def _write(tmp_path: Path, data: dict[str, Any], name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def duel() -> LoadedScenario:
    return load_scenario(FIXTURE)


# --- the valid fixture ---

def test_valid_fixture_loads(duel: LoadedScenario) -> None:
    m = duel.model
    assert duel.path == str(FIXTURE)
    assert m.scenario.name == "duel"
    assert set(m.sides) == {"blue", "red"}
    assert [p.id for p in m.places] == ["blue_base", "crossroads", "red_base"]
    assert [(r.from_, r.to) for r in m.routes] == [("blue_base", "crossroads"), ("crossroads", "red_base")]
    assert [u.id for u in m.units] == ["blue_1", "red_1"]
    assert m.units[0].personnel == 3000
    assert m.units[1].front_force is True
    assert m.engine.attrition_law == "square"
    assert m.engine.duration_hours == 48
    assert len(duel.sha256) == 64 and int(duel.sha256, 16) >= 0


def test_load_accepts_str_path(duel: LoadedScenario) -> None:
    assert load_scenario(str(FIXTURE)).sha256 == duel.sha256


# --- immutability ---

@pytest.mark.parametrize(
    ("get", "attr", "value"),
    [
        pytest.param(lambda m: m, "routes", [], id="scenario_routes"),
        pytest.param(lambda m: m.engine, "duration_hours", 1.0, id="engine_duration"),
        pytest.param(lambda m: m.units[0], "personnel", 1.0, id="unit_personnel"),
        pytest.param(lambda m: m.places[0], "holder", "red", id="place_holder"),
        pytest.param(lambda m: m.sides["blue"], "rear", "crossroads", id="side_rear"),
        pytest.param(lambda m: m.orders[0], "task", "withdraw", id="order_task"),
    ],
)
def test_model_is_immutable(duel: LoadedScenario, get: Any, attr: str, value: Any) -> None:
    obj = get(duel.model)
    with pytest.raises(ValidationError):
        setattr(obj, attr, value)


def test_loaded_scenario_and_distributions_are_immutable(duel: LoadedScenario) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        duel.sha256 = "0" * 64  # type: ignore[misc]
    with pytest.raises(ValidationError):
        duel.param("power_p").value = 1.0  # type: ignore[misc]
    d = Distribution(dist="uniform", low=1.0, high=2.0)
    with pytest.raises(ValidationError):
        d.low = 0.0  # type: ignore[misc]


# --- content hash ---

def test_hash_is_stable_for_the_same_file(duel: LoadedScenario) -> None:
    assert load_scenario(FIXTURE).sha256 == duel.sha256


def test_hash_ignores_comments_and_layout(tmp_path: Path, duel: LoadedScenario) -> None:
    # Rewritten as inline tables, no comments, keys in another order.
    data = _fixture_dict()
    reordered = {k: data[k] for k in reversed(list(data))}
    reordered["units"] = [dict(reversed(list(u.items()))) for u in data["units"]]
    path = _write(tmp_path, reordered)
    text = path.read_text("utf-8")
    assert "#" not in text and "[[units]]" not in text
    assert load_scenario(path).sha256 == duel.sha256
    # The original text with extra comments and blank lines.
    padded = tmp_path / "padded.toml"
    padded.write_text("# a comment\n\n" + FIXTURE.read_text("utf-8").replace("\n", "\n\n  # note\n"),
                      encoding="utf-8")
    assert load_scenario(padded).sha256 == duel.sha256


def test_hash_ignores_int_versus_float(tmp_path: Path, duel: LoadedScenario) -> None:
    text = FIXTURE.read_text("utf-8").replace("personnel = 3000", "personnel = 3000.0")
    path = tmp_path / "float.toml"
    path.write_text(text, encoding="utf-8")
    assert load_scenario(path).sha256 == duel.sha256


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("personnel = 3000", "personnel = 3001", id="personnel"),
        pytest.param("x_km = 10.0", "x_km = 10.5", id="coordinate"),
        pytest.param("duration_hours = 48", "duration_hours = 47", id="duration"),
        pytest.param('attrition_law = "square"', 'attrition_law = "linear"', id="attrition_law"),
    ],
)
def test_hash_changes_when_a_value_changes(tmp_path: Path, duel: LoadedScenario, old: str, new: str) -> None:
    text = FIXTURE.read_text("utf-8")
    assert old in text
    path = tmp_path / "changed.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert load_scenario(path).sha256 != duel.sha256


def test_hash_changes_when_a_parameter_is_overridden(tmp_path: Path, duel: LoadedScenario) -> None:
    data = _fixture_dict()
    data["parameters"] = {"power_p": {"value": 0.5, "source": "test"}}
    assert load_scenario(_write(tmp_path, data)).sha256 != duel.sha256


# --- parameters: defaults merged under the scenario's own values ---

def test_default_parameters_are_merged(duel: LoadedScenario) -> None:
    assert set(DEFAULTS) <= set(duel.parameters)
    p = duel.param("square_coefficient")
    assert p.value == DEFAULTS["square_coefficient"]["value"]
    assert p.source == DEFAULTS["square_coefficient"]["source"]
    speed = duel.param("speed_foot_kmh").value
    assert isinstance(speed, Distribution) and speed.dist == "uniform"
    # No per-side value: a side falls back to the default.
    assert duel.param("casualty_rate_multiplier", "blue").value == DEFAULTS["casualty_rate_multiplier"]["value"]


def test_scenario_parameter_overrides_default(tmp_path: Path) -> None:
    data = _fixture_dict()
    data["parameters"] = {
        "square_coefficient": {"value": 0.5, "unit": "per hour", "source": "test override"},
        "speed_foot_kmh": {"value": {"dist": "triangular", "low": 2.0, "mode": 3.0, "high": 5.0},
                           "source": "test"},
    }
    loaded = load_scenario(_write(tmp_path, data))
    assert loaded.param("square_coefficient").value == 0.5
    assert loaded.param("square_coefficient").source == "test override"
    assert loaded.param("speed_foot_kmh").value == Distribution(dist="triangular", low=2.0, mode=3.0, high=5.0)
    # Others keep their defaults.
    assert loaded.param("power_q").value == DEFAULTS["power_q"]["value"]


def test_per_side_parameter_resolves_by_side(tmp_path: Path) -> None:
    data = _fixture_dict()
    data["parameters"] = {"casualty_rate_multiplier": {"blue": {"value": 2.0, "source": "test"}}}
    loaded = load_scenario(_write(tmp_path, data))
    assert loaded.parameters["casualty_rate_multiplier.blue"].value == 2.0
    assert loaded.param("casualty_rate_multiplier", "blue").value == 2.0
    default = DEFAULTS["casualty_rate_multiplier"]["value"]
    assert loaded.param("casualty_rate_multiplier", "red").value == default
    assert loaded.param("casualty_rate_multiplier").value == default


def test_unknown_parameter_lookup_raises_key_error(duel: LoadedScenario) -> None:
    with pytest.raises(KeyError):
        duel.param("no_such_parameter")


# --- distributions ---

N = 40_000


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        pytest.param(Distribution(dist="fixed", value=7.0), 7.0, id="fixed"),
        pytest.param(Distribution(dist="uniform", low=2.0, high=6.0), 4.0, id="uniform"),
        pytest.param(Distribution(dist="triangular", low=0.0, mode=1.0, high=5.0), 2.0, id="triangular"),
        pytest.param(Distribution(dist="normal", mean=10.0, sd=2.0), 10.0, id="normal"),
        pytest.param(Distribution(dist="normal", mean=10.0, sd=2.0, low=7.0, high=13.0), 10.0,
                     id="normal_truncated_symmetric"),
        pytest.param(Distribution(dist="lognormal", median=3.0, sigma=0.25), 3.0 * np.exp(0.25**2 / 2),
                     id="lognormal"),
    ],
)
def test_distribution_draws_lie_within_bounds_with_the_right_mean(dist: Distribution, mean: float) -> None:
    x = dist.draw(np.random.default_rng(20240820), N)
    assert x.shape == (N,) and x.dtype == float
    lo, hi = dist.bounds
    assert np.all(x >= lo) and np.all(x <= hi)
    assert x.mean() == pytest.approx(mean, rel=0.01, abs=1e-9)


def test_distribution_draws_are_reproducible_with_the_same_seed() -> None:
    d = Distribution(dist="uniform", low=0.0, high=1.0)
    a = d.draw(np.random.default_rng(5), 100)
    b = d.draw(np.random.default_rng(5), 100)
    c = d.draw(np.random.default_rng(6), 100)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_lognormal_median_and_bounds() -> None:
    d = Distribution(dist="lognormal", median=3.0, sigma=0.5, high=5.0)
    x = d.draw(np.random.default_rng(1), N)
    assert d.bounds == (0.0, 5.0)
    assert np.all(x > 0) and np.all(x <= 5.0)
    assert np.median(x) == pytest.approx(3.0, rel=0.02)


def test_degenerate_triangular_draws_its_single_value() -> None:
    d = Distribution(dist="triangular", low=2.0, mode=2.0, high=2.0)
    assert np.all(d.draw(np.random.default_rng(0), 10) == 2.0)


def test_quantity_helpers_treat_numbers_and_distributions_alike() -> None:
    d = Distribution(dist="triangular", low=1.0, mode=2.0, high=6.0)
    assert nominal(d) == pytest.approx(3.0) and nominal(4) == 4.0
    assert bounds(d) == (1.0, 6.0) and bounds(4) == (4.0, 4.0)
    assert is_uncertain(d) and not is_uncertain(4.0)
    assert not is_uncertain(Distribution(dist="fixed", value=1.0))
    assert np.all(draw(4.0, np.random.default_rng(0), 3) == 4.0)


def test_distribution_in_a_scenario_field_loads(tmp_path: Path) -> None:
    data = _fixture_dict()
    data["units"][0]["personnel"] = {"dist": "uniform", "low": 2500.0, "high": 3500.0}
    data["units"][0]["equipment"] = {"tanks": {"dist": "triangular", "low": 0.0, "mode": 10.0, "high": 20.0},
                                     "guns": 12}
    u = load_scenario(_write(tmp_path, data)).model.units[0]
    assert u.personnel == Distribution(dist="uniform", low=2500.0, high=3500.0)
    assert nominal(u.personnel) == 3000.0
    assert u.equipment["guns"] == 12 and isinstance(u.equipment["tanks"], Distribution)


# --- scenario_from_dict ---

def test_scenario_from_dict_builds_the_same_scenario(duel: LoadedScenario) -> None:
    loaded = scenario_from_dict(_fixture_dict())
    assert loaded.path == "<scenario>"
    assert loaded.model == duel.model
    assert loaded.sha256 == duel.sha256
    assert loaded.param("power_p").value == duel.param("power_p").value


def test_scenario_from_dict_errors_name_the_given_source() -> None:
    data = copy.deepcopy(_fixture_dict())
    data["units"][1]["personnel"] = -1
    with pytest.raises(ScenarioError, match=r"^built-in: units\[1\]\.personnel: "):
        scenario_from_dict(data, "built-in")
    with pytest.raises(ScenarioError, match=r"^<scenario>: units\[1\]\.personnel: "):
        scenario_from_dict(data)


def test_scenario_from_dict_does_not_modify_its_input() -> None:
    data = _fixture_dict()
    before = copy.deepcopy(data)
    scenario_from_dict(data)
    assert data == before


def test_calibrated_parameters_replace_their_priors_in_the_defaults(duel: LoadedScenario) -> None:
    calibrated = tomllib.loads((Path(__file__).resolve().parent.parent / "nomonhan_sim" / "data"
                                / "calibrated_attrition.toml").read_text(encoding="utf-8"))
    assert {"dupuy_attacker_rate", "dupuy_defender_rate", "model_form_multiplier"} <= set(calibrated)
    for name, table in calibrated.items():
        p = duel.param(name)
        assert p.source == table["source"] and p.source.startswith("calibrated:")
        assert p.source != DEFAULTS[name]["source"]          # the prior is replaced, not kept
