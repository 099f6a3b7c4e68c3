"""Bundled scenarios: found by full name, short name or path from any folder; `list` shows them."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.scenario import bundled
from nomonhan_sim.scenario.bundled import (BundledScenario, bundled_scenarios, format_scenario_list, men_text,
                                           period_text, resolve_scenario, short_name)
from nomonhan_sim.vocabulary.defaults import DEFAULT_SCENARIO
from conftest import FIXTURES, SCENARIOS, fixture_dict

AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"


@pytest.fixture(autouse=True)
def _outside_the_checkout(tmp_path, monkeypatch):
    """Every test runs in an empty folder: nothing may depend on the working directory."""
    monkeypatch.chdir(tmp_path)


# --- the names ---

def test_bundled_scenarios_are_the_files_of_the_scenarios_folder():
    assert [s.name for s in bundled_scenarios()] == sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    assert all(s.path.is_file() for s in bundled_scenarios())


@pytest.mark.parametrize("full, short", [
    ("khalkhin_gol_1939_august", "august"),
    ("khalkhin_gol_1939_august_frontal", "august_frontal"),
    ("khalkhin_gol_1939_august_half_trucks", "august_half_trucks"),
    ("nomonhan_1939_may_1939_bis", "may_1939_bis"),  # only the first year word ends the prefix
    ("custom_duel", "custom_duel"),  # no year: the full name is the short name
    ("battle_1939", "battle_1939"),  # nothing after the year
])
def test_short_name_is_the_full_name_after_its_first_year_word(full, short):
    assert short_name(full) == short


@pytest.mark.parametrize("text", ["khalkhin_gol_1939_august_frontal", "khalkhin_gol_1939_august_frontal.toml",
                                  "august_frontal", "august_frontal.toml"])
def test_full_and_short_names_with_or_without_suffix_resolve_to_the_bundled_file(text):
    path = resolve_scenario(text)
    assert path.name == "khalkhin_gol_1939_august_frontal.toml" and path.is_file()
    assert load_scenario(path).model.scenario.name == "khalkhin_gol_1939_august_frontal"


def test_no_name_resolves_to_the_default_scenario():
    assert resolve_scenario(None).stem == DEFAULT_SCENARIO == "khalkhin_gol_1939_august"


def test_an_existing_file_is_taken_as_it_is():
    pocket = FIXTURES / "pocket.toml"
    assert resolve_scenario(str(pocket)) == pocket


def test_a_file_in_the_working_folder_wins_over_a_bundled_name(tmp_path):
    (tmp_path / "august").write_text("x")
    assert resolve_scenario("august") == Path("august")


def test_a_typo_is_one_line_suggesting_the_closest_name():
    with pytest.raises(ScenarioError) as e:
        resolve_scenario("agust")
    assert str(e.value) == ("agust: no such file or bundled scenario; did you mean 'august'? "
                            "(python -m nomonhan_sim list shows them)")


def test_a_typo_of_a_long_name_suggests_its_short_name():
    with pytest.raises(ScenarioError, match=r"did you mean 'august_half_trucks'\?"):
        resolve_scenario("august_half_truck")


def test_a_name_like_none_is_one_line_without_a_guess():
    with pytest.raises(ScenarioError) as e:
        resolve_scenario("xyzzy")
    assert "did you mean" not in str(e.value) and "\n" not in str(e.value)
    assert str(e.value).startswith("xyzzy: no such file or bundled scenario")


def test_a_missing_path_is_file_not_found_naming_a_bundled_scenario_of_the_same_name():
    with pytest.raises(ScenarioError) as e:
        resolve_scenario("scenarios/khalkhin_gol_1939_august.toml")
    assert str(e.value) == ("scenarios/khalkhin_gol_1939_august.toml: file not found "
                            "(the bundled scenario 'august' has that name)")
    with pytest.raises(ScenarioError) as e:
        resolve_scenario("no/such/file.toml")
    assert str(e.value) == "no/such/file.toml: file not found"


def test_a_short_name_two_scenarios_share_is_refused_naming_both(monkeypatch):
    two = [BundledScenario("khalkhin_gol_1939_august", "august", AUGUST),
           BundledScenario("nomonhan_1939_august", "august", AUGUST)]
    monkeypatch.setattr(bundled, "bundled_scenarios", lambda: two)
    with pytest.raises(ScenarioError) as e:
        resolve_scenario("august")
    assert "khalkhin_gol_1939_august, nomonhan_1939_august" in str(e.value) and "full name" in str(e.value)
    assert resolve_scenario("nomonhan_1939_august") == AUGUST  # the full name still works


# --- the question and the `list` table ---

def test_every_bundled_scenario_asks_its_own_one_line_question():
    questions = [s.load().model.scenario.question for s in bundled_scenarios()]
    assert all(q.endswith("?") and "\n" not in q for q in questions)
    assert len(set(questions)) == len(questions)


def test_a_question_with_a_line_break_is_a_one_line_error():
    d = fixture_dict("duel.toml")
    d["scenario"]["question"] = "first line\nsecond line"
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(d, "duel")
    assert "scenario.question" in str(e.value) and "one line" in str(e.value) and "\n" not in str(e.value)


def test_men_are_a_sum_or_a_range_when_uncertain():
    d = fixture_dict("duel.toml")
    sides = [u["side"] for u in d["units"]]
    fixed = scenario_from_dict(d, "duel")
    assert men_text(fixed, sides[0]) == f"{d['units'][0]['personnel']:,.0f}"
    d2 = copy.deepcopy(d)
    d2["units"][0]["personnel"] = {"dist": "uniform", "low": 1000, "high": 2500}
    assert men_text(scenario_from_dict(d2, "duel"), sides[0]) == "1,000–2,500"
    # no upper bound: the sum of nominal values
    d2["units"][0]["personnel"] = {"dist": "lognormal", "median": 1500, "sigma": 0.2, "low": 100}
    assert men_text(scenario_from_dict(d2, "duel"), sides[0]) == "~1,500"


def test_period_runs_from_the_start_for_the_duration():
    assert period_text(load_scenario(AUGUST)) == "20 Aug 05:45 – 1 Sep 1939 05:45"


def test_list_shows_every_bundled_scenario_with_its_question(capsys):
    assert main(["list"]) == 0
    text = capsys.readouterr().out
    assert text.strip() == format_scenario_list().strip()
    lines = text.splitlines()
    for s in bundled_scenarios():
        sc = s.load()
        at = lines.index(f"{s.short_name}  {s.name}")
        end = next((k for k in range(at + 1, len(lines)) if not lines[k]), len(lines))
        block = dict(ln.split(None, 1) for ln in lines[at + 1:end])
        assert block["question"] == sc.model.scenario.question
        assert block["period"] == f"{period_text(sc)}; {bundled.duration_text(sc)} simulated"
        assert block["scale"].startswith(f"{len(sc.model.units)} units; men ")
        assert all(f"{side} {men_text(sc, side)}" in block["scale"] for side in sc.model.sides)
        assert " km²) over the " in block["scale"] and f"of {len(sc.model.places)}" in block["scale"]
        assert block["record"] == (f"yes ({len(sc.model.compare)} outcomes compared)" if sc.model.compare
                                   else "no (no [[compare]] entries)")
        assert ("base" in block) == bool(sc.bases)
    august = lines.index("august  khalkhin_gol_1939_august")
    assert "20 Aug 05:45 – 1 Sep 1939 05:45; 288 h (12 days) simulated" in lines[august + 2]
    frontal = lines.index("august_frontal  khalkhin_gol_1939_august_frontal")
    assert lines[frontal + 1] == "  base      august (khalkhin_gol_1939_august)"


def test_list_says_no_record_for_a_scenario_without_compare_entries():
    duel = FIXTURES / "duel.toml"
    assert not load_scenario(duel).model.compare
    text = format_scenario_list([BundledScenario("custom_duel", "custom_duel", duel)])
    assert text.splitlines()[2] == "custom_duel  custom_duel"
    assert "  record    no (no [[compare]] entries)" in text.splitlines()
    assert not any(ln.startswith("  base ") for ln in text.splitlines())


# --- the command line ---

def test_run_with_a_typo_exits_2_with_one_line(capsys):
    assert main(["run", "agust", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'august'?" in err


def test_validate_takes_a_short_name_from_any_folder(capsys):
    assert main(["validate", "august_frontal"]) == 0
    assert capsys.readouterr().out.startswith("OK august_frontal: ")


def test_commands_without_a_scenario_use_the_bundled_default(capsys):
    assert main(["params"]) == 0
    default = capsys.readouterr().out
    assert main(["params", DEFAULT_SCENARIO]) == 0
    assert capsys.readouterr().out == default
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith(f"OK {DEFAULT_SCENARIO}: ")


def test_narrate_takes_a_bundled_name(capsys):
    assert main(["narrate", "august", "--seed", "1", "--kinds", "ring_closed"]) == 0
    assert "ring" in capsys.readouterr().out.lower()


@pytest.mark.parametrize("s", bundled_scenarios(), ids=lambda s: s.short_name)
def test_every_bundled_scenario_validates_and_runs_10_worlds(s, capsys):
    """From the CLI, as a user would: validate, then a 10-world run whose outcomes are finite
    where they are counts of men (a scenario that breaks is caught here, not by its user)."""
    import numpy as np

    from nomonhan_sim.experiment import run_experiment

    assert main(["validate", s.short_name]) == 0
    assert capsys.readouterr().out.startswith(f"OK {s.short_name}")
    df = run_experiment(s.load(), replicates=10, seed=1, workers=1).outcomes
    assert len(df) == 10
    for side in s.load().model.sides:
        v = df[f"casualties.{side}"].to_numpy(float)
        assert np.isfinite(v).all() and (v >= 0).all()
