"""Weather, surprise, air superiority and CEV change combat as the QJM tables say
(nomonhan_sim.model.conditions), for engagements and scenario files alike."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np
import pytest

from nomonhan_sim.engagement import (Engagement, Force, engagement_dict, engagement_scenario, qjm_season,
                                     qjm_weather, run_engagement)
from nomonhan_sim.engine.compiled import compile_scenario
from nomonhan_sim.engine.state import draw_world
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.model import conditions
from nomonhan_sim.model.qjm_tables import SURPRISE_FACTORS, WEATHER_FACTORS
from nomonhan_sim.scenario import ScenarioError, scenario_from_dict

R = 8


def _battle(**changes) -> Engagement:
    """One place, one day, no tanks: the power ratio is men and guns only."""
    e = Engagement("test engagement", attacker=Force("A", men=12000, guns=40),
                   defender=Force("D", men=8000, guns=20), duration_days=1, posture="hasty",
                   terrain="rolling_bare", start=dt.datetime(1939, 8, 20, 6),
                   source="estimate: test engagement",
                   parameters={"model_form_multiplier": {"value": 1.0, "unit": "-",
                                                         "source": "test: no per-world model-form draw"}})
    return e.with_(**changes)


def _cas(e: Engagement) -> tuple[np.ndarray, np.ndarray]:
    out = run_engagement(e, replicates=R, seed=5, stochastic=False)
    return out["casualties.attacker"].to_numpy(), out["casualties.defender"].to_numpy()


def test_heat_lowers_both_sides_casualties_by_the_tables_casualty_factor():
    a0, d0 = _cas(_battle())
    a1, d1 = _cas(_battle(weather="DSHST"))   # dry, sunny, hot (summer, temperate)
    h_c = WEATHER_FACTORS["dry_sunshine_extreme_heat"][5]
    assert h_c == 0.8
    # summer raises the attacker's power (z_u 1.1) and lowers guns (z_wg 0.9): compare without it
    a2, d2 = _cas(_battle(weather="dry, sunny, hot"))
    # both sides by h_c; a little less over the day (the forces losing less stay larger)
    for ratio in (a2 / a0, d2 / d0):
        assert (ratio >= h_c - 1e-9).all() and (ratio < h_c + 0.03).all() and np.median(ratio) < h_c + 0.005
    assert (d1 > d2).all() and (a1 < a2).all()              # the summer attack factor favours the attacker


def test_one_step_of_heat_scales_the_daily_rate_exactly():
    a0, d0 = _cas(_battle(duration_days=1 / 24))
    a1, d1 = _cas(_battle(duration_days=1 / 24, weather="dry_sunshine_extreme_heat"))
    for men, before, after in ((12000, a0, a1), (8000, d0, d1)):
        rate = -24.0 * np.log1p(-before / men)              # loss = men · (1 − exp(−rate · 1 h / 24 h))
        np.testing.assert_allclose(after, men * -np.expm1(-0.8 * rate / 24.0), rtol=1e-9)


def test_the_surprised_side_loses_more_and_the_surpriser_less_during_the_window():
    a0, d0 = _cas(_battle())
    a1, d1 = _cas(_battle(surprise=2))        # substantial surprise by the attacker
    assert (d1 > 1.5 * d0).all() and (a1 < 0.8 * a0).all()
    a2, d2 = _cas(_battle(surprise=-2))       # by the defender
    assert (a2 > 1.5 * a0).all() and (d2 < 0.8 * d0).all()


def test_the_surprise_factor_fades_by_thirds_and_ends_with_its_window():
    c = compile_scenario(engagement_scenario(_battle(surprise=2, duration_days=5)))
    w = draw_world(c, 2, np.random.SeedSequence(0))
    _m, v_sur, v_surd, _c, _a = SURPRISE_FACTORS["substantial"]
    atk, dfn = c.side_ids.index("attacker"), c.side_ids.index("defender")
    for hour, share in ((0, 1.0), (23, 1.0), (24, 2 / 3), (47, 2 / 3), (48, 1 / 3), (71, 1 / 3), (72, 0.0), (100, 0.0)):
        assert conditions.casualty_factor(c, w, hour, dfn) == pytest.approx(1 + (v_surd - 1) * share)
        assert conditions.casualty_factor(c, w, hour, atk) == pytest.approx(1 + (v_sur - 1) * share)
    neutral = compile_scenario(engagement_scenario(_battle(duration_days=5)))
    assert conditions.casualty_factor(neutral, w, 10, dfn) == 1.0


def test_without_decay_the_surprise_lasts_at_full_strength_for_its_hours():
    d = engagement_dict(_battle(surprise=3))
    d["conditions"]["surprise"].update(hours=30.0, decay="none", start_hour=6.0)
    c = compile_scenario(scenario_from_dict(d))
    w = draw_world(c, 1, np.random.SeedSequence(0))
    dfn = c.side_ids.index("defender")
    assert conditions.casualty_factor(c, w, 5, dfn) == 1.0
    assert conditions.casualty_factor(c, w, 6, dfn) == conditions.casualty_factor(c, w, 35, dfn) == 3.0
    assert conditions.casualty_factor(c, w, 36, dfn) == 1.0


def test_air_superiority_raises_the_losses_the_superior_side_inflicts():
    a0, d0 = _cas(_battle())
    a1, d1 = _cas(_battle(air_superiority=1))
    assert (d1 > 1.08 * d0).all() and (a1 < 0.95 * a0).all()
    a2, d2 = _cas(_battle(air_superiority=-1))
    assert (a2 > 1.08 * a0).all() and (d2 < 0.95 * d0).all()


def test_air_superiority_scales_the_superior_sides_guns_and_the_others():
    c = compile_scenario(engagement_scenario(_battle(air_superiority=1)))
    f = conditions.factors(c)
    g = c.equipment_classes.index("guns")
    atk, dfn = c.side_ids.index("attacker"), c.side_ids.index("defender")
    assert f.class_factor[atk, g] == pytest.approx(1.1) and f.class_factor[dfn, g] == pytest.approx(0.9)
    assert list(f.casualty[[atk, dfn]]) == pytest.approx([0.9, 1.1])
    assert (np.delete(f.class_factor, g, axis=1) == 1.0).all()


def test_a_cev_of_two_raises_the_other_sides_losses():
    a0, d0 = _cas(_battle())
    a1, d1 = _cas(_battle(cev={"attacker": 2.0}))
    assert (d1 > 1.1 * d0).all() and (a1 < a0).all()


def test_heat_lowers_only_the_tanks_contribution_and_summer_helps_only_the_attacker():
    e = _battle(weather="DSHST", attacker=Force("A", men=1000, tanks=50), defender=Force("D", men=1000, tanks=50))
    c = compile_scenario(engagement_scenario(e))
    w = draw_world(c, 3, np.random.SeedSequence(1))
    pf = conditions.power_factor(c, w, 0.0)
    wt = w.params["weight_tanks"][:, None]
    share = 50 * wt / (1000 + 50 * wt)                    # tanks' share of each unit's raw power
    tanks_heat = 1 - 0.1 * share                          # h_wt = 0.9
    attacking = conditions.attacking(c, w)
    assert attacking[:, c.side_ids.index("attacker")].all() and not attacking[:, c.side_ids.index("defender")].any()
    expected = tanks_heat * np.where(attacking, 1.1, 1.0)  # summer-temperate z_u = 1.1 for the attacker
    np.testing.assert_allclose(pf, expected)


def test_neutral_conditions_leave_combat_power_alone():
    c = compile_scenario(engagement_scenario(_battle()))
    assert c.conditions.neutral
    w = draw_world(c, 2, np.random.SeedSequence(0))
    assert conditions.power_factor(c, w, 0.0) == 1.0
    assert conditions.casualty_factor(c, w, 0.0, 0) == 1.0


def test_an_engagement_with_conditions_and_the_same_battle_written_as_a_scenario_give_identical_outcomes():
    e = _battle(weather="WLTFT", surprise=1, air_superiority=-1, cev={"defender": 1.3})
    d = engagement_dict(_battle())
    d["conditions"] = {"weather": "wet_light_temperate", "season": "fall_temperate",
                       "air_superiority": "defender", "cev": {"defender": 1.3},
                       "surprise": {"side": "attacker", "level": "minor"},
                       "source": "estimate: written by hand"}
    by_hand = scenario_from_dict(d)
    a = run_engagement(e, replicates=6, seed=2, stochastic=False)
    b = run_experiment(by_hand, replicates=6, seed=2, chunk_size=6, workers=1, stochastic=False).outcomes
    assert a.equals(b)
    assert not a.equals(run_engagement(_battle(), replicates=6, seed=2, stochastic=False))


@pytest.mark.parametrize("code, row, season", [
    ("DSHST", "dry_sunshine_extreme_heat", "summer_temperate"),
    ("DST$T", "dry_sunshine_temperate", "spring_temperate"),
    ("WLCWT", "wet_light_extreme_cold", "winter_temperate"),
    ("D0CWD", "dry_sunshine_extreme_cold", "winter_desert"),
    ("W0CWT", "wet_light_extreme_cold", "winter_temperate"),
    ("WHHWE", "wet_heavy_extreme_heat", "winter_jungle"),
    ("DOTST", "dry_overcast_temperate", "summer_temperate"),
    ("", "dry_sunshine_temperate", None),
])
def test_cdb90_weather_codes_map_to_qjm_rows(code, row, season):
    assert qjm_weather(code) == row and qjm_season(code) == season


def _scenario_with(conditions_table: dict) -> dict:
    d = copy.deepcopy(engagement_dict(_battle()))
    d["conditions"] = conditions_table
    return d


@pytest.mark.parametrize("table, words", [
    ({"weather": "monsoon", "source": "t"}, ["conditions.weather", "'monsoon'"]),
    ({"air_superiority": "martians", "source": "t"}, ["conditions.air_superiority", "side id", "'martians'"]),
    ({"surprise": {"side": "nobody", "level": "minor"}, "source": "t"}, ["conditions.surprise.side", "'nobody'"]),
    ({"cev": {"blue": 1.2}, "source": "t"}, ["conditions.cev.blue", "side id"]),
    ({"cev": {"attacker": 0.0}, "source": "t"}, ["conditions.cev.attacker", "greater than 0"]),
    ({"surprise": {"side": "attacker", "level": "total"}, "source": "t"}, ["conditions.surprise.level", "'total'"]),
    ({"weather": "wet_heavy_temperate"}, ["conditions", "source"]),
])
def test_bad_conditions_are_refused_in_one_line(table, words):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(_scenario_with(table), "battle.toml")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("battle.toml: "), msg
    for word in words:
        assert word in msg, f"{word!r} not in {msg!r}"


@pytest.mark.parametrize("bad, field", [
    (dict(weather="sandstorm"), "weather"),
    (dict(surprise=4), "surprise"),
    (dict(air_superiority=0.5), "air_superiority"),
    (dict(cev={"attacker": -1.0}), "cev.attacker"),
    (dict(cev={"blue": 1.0}), "cev"),
])
def test_a_bad_engagement_condition_is_refused_with_the_field_named(bad, field):
    with pytest.raises(ValueError, match=field):
        _battle(**bad)
