"""Results that travel: a self-contained results folder, its manifest, its column names,
no overwrite without --force, and the result object."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.experiment import ExperimentResult, StoreError, run_experiment, summarise, write_results
from nomonhan_sim.experiment.outcomes import input_column
from nomonhan_sim.experiment.store import parquet_manifest, read_results
from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.scenario import ScenarioError, load_scenario, scenario_from_dict
from nomonhan_sim.vocabulary.classes import EQUIPMENT_CLASSES, SUPPLY_CLASSES
from conftest import FIXTURES, ROOT, fixture_dict

POCKET = FIXTURES / "pocket.toml"
RUN = ["--no-progress", "--workers", "1", "--chunk-size", "10"]
U = {"dist": "uniform", "low": 2, "high": 4}


def _listing(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (relative name) with its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def pocket_file(tmp_path) -> Path:
    """A copy of the pocket fixture in its own folder, so a test can take it away."""
    src = tmp_path / "checkout" / "pocket.toml"
    src.parent.mkdir()
    shutil.copyfile(POCKET, src)
    return src


def _run_cli(scenario: Path, out: Path, *extra: str) -> int:
    return main(["run", str(scenario), "-n", "20", "--seed", "3", "--out", str(out), *RUN, *extra])


def _uncertain_supply() -> dict:
    """The supply fixture with a range on every kind of input the engine draws."""
    d = fixture_dict("supply.toml")
    blue = d["units"][0]
    blue["equipment"]["tanks"] = {"dist": "uniform", "low": 80, "high": 120}
    blue["quality"] = {"dist": "uniform", "low": 0.8, "high": 1.2}
    blue["breakpoint"] = {"dist": "uniform", "low": 0.4, "high": 0.6}
    d["units"][1]["personnel"] = {"dist": "uniform", "low": 1800, "high": 2200}
    lg = d["logistics"]
    lg["unit_stock_days"] = {"dist": "uniform", "low": 0.5, "high": 1.5}
    lg["depots"][2]["stock"]["ammunition"] = {"dist": "uniform", "low": 50, "high": 150}
    lg["depots"][2]["issue_tons_per_day"] = {"dist": "uniform", "low": 100, "high": 200}
    lg["fleets"][0]["trucks"] = {"dist": "uniform", "low": 80, "high": 120}
    lg["consumption"][0]["basic_load_days"] = U
    lg["interdictions"] = [{"kind": "cut_route", "fleet": "blue_trucks", "at_hour": 10.0, "share": 0.5,
                            "hours": {"dist": "uniform", "low": 6, "high": 12}, "source": "test"}]
    d["parameters"] = {"casualty_rate_multiplier": {
        "red": {"value": {"dist": "uniform", "low": 1, "high": 2}, "source": "test"}}}
    return d


@pytest.fixture(scope="module")
def supply_outcomes() -> pd.DataFrame:
    sc = scenario_from_dict(_uncertain_supply(), "uncertain supply")
    return run_experiment(sc, replicates=6, seed=1, chunk_size=3, workers=1).outcomes


# -- a folder that travels ---------------------------------------------------------------

def test_moved_results_folder_still_compares_and_reports(pocket_file, tmp_path, capsys):
    """The scenario file and the folder's first place are gone: compare and report still work."""
    res = tmp_path / "first" / "res"
    assert _run_cli(pocket_file, res) == 0
    assert (res / "scenario.toml").read_bytes() == pocket_file.read_bytes()
    shutil.rmtree(pocket_file.parent)
    moved = tmp_path / "elsewhere" / "res"
    moved.parent.mkdir()
    shutil.move(str(res), str(moved))
    shutil.rmtree(tmp_path / "first")
    capsys.readouterr()

    assert main(["compare", str(moved)]) == 0
    text = capsys.readouterr().out
    assert "P(range)" in text and "ring_closed_day: test fixture" in text

    quick = tmp_path / "quick.html"
    assert main(["report", str(moved), "--out", str(quick), "--no-resimulate", "--no-progress"]) == 0
    assert "not done (report written without re-simulation)" in quick.read_text(encoding="utf-8")

    full = tmp_path / "full.html"
    assert main(["report", str(moved), "--out", str(full), "--no-progress"]) == 0
    html = full.read_text(encoding="utf-8")
    assert "yes: the 10 worlds of chunk 0 re-simulated from the seed give the saved outcomes exactly" in html
    assert str(moved / "scenario.toml") in html  # the reproduce command names the folder's copy


def test_scenario_built_in_python_travels_as_json(tmp_path, capsys):
    d = fixture_dict("pocket.toml")
    d["scenario"]["name"] = "pocket_built_in_python"
    sc = scenario_from_dict(d, "<built>")
    res = run_experiment(sc, replicates=10, seed=2, chunk_size=5, workers=1)
    folder = res.save(tmp_path / "a" / "res")
    assert not (folder / "scenario.toml").exists()
    assert load_scenario(folder / "scenario.json").sha256 == sc.sha256
    moved = tmp_path / "b"
    shutil.move(str(folder), str(moved))
    capsys.readouterr()
    assert main(["compare", str(moved)]) == 0
    assert "pocket_built_in_python: 10 replicates" in capsys.readouterr().out
    again = ExperimentResult.load(moved)
    pd.testing.assert_frame_equal(again.outcomes, res.outcomes)
    assert again.scenario.sha256 == sc.sha256


def test_scenario_file_edited_after_the_run_is_saved_as_the_run_saw_it(pocket_file, tmp_path):
    sc = load_scenario(pocket_file)
    res = run_experiment(sc, replicates=5, seed=1, workers=1)
    pocket_file.write_text(pocket_file.read_text().replace('name = "pocket"', 'name = "edited"', 1))
    folder = res.save(tmp_path / "res")
    assert json.loads((folder / "manifest.json").read_text())["scenario_file"] == "scenario.json"
    copy_ = load_scenario(folder / "scenario.json")
    assert copy_.sha256 == sc.sha256 and copy_.model.scenario.name == "pocket"


def test_a_scenario_copy_that_differs_from_the_run_is_one_line_exit_2(pocket_file, tmp_path, capsys):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res) == 0
    copy_ = res / "scenario.toml"
    copy_.write_text(copy_.read_text().replace('name = "pocket"', 'name = "tampered"', 1))
    capsys.readouterr()
    for argv in (["compare", str(res)], ["report", str(res), "--out", str(tmp_path / "r.html"), "--no-progress"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "scenario.toml: scenario changed since the run" in err
    assert not (tmp_path / "r.html").exists()
    # --scenario still overrides the folder's copy
    assert main(["compare", str(res), "--scenario", str(pocket_file)]) == 0


def test_json_scenario_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ScenarioError, match=r"^.*bad\.json: invalid JSON: .*$"):
        load_scenario(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(ScenarioError, match="expected a JSON object"):
        load_scenario(bad)
    d = fixture_dict("pocket.toml")
    d["units"][0]["personnel"] = -3
    bad.write_text(json.dumps(d, default=str))
    with pytest.raises(ScenarioError, match=r"bad\.json: units\[0\]\.personnel"):
        load_scenario(bad)


# -- the manifest ------------------------------------------------------------------------

def test_parquet_metadata_equals_manifest_json(pocket_file, tmp_path):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res) == 0
    manifest = json.loads((res / "manifest.json").read_text())
    raw = pq.read_schema(res / "outcomes.parquet").metadata[b"nomonhan_sim.manifest"]
    # the file's own hash can only be in manifest.json
    assert len(manifest.pop("outcomes_sha256")) == 64
    assert json.loads(raw) == manifest == parquet_manifest(res / "outcomes.parquet")


def test_manifest_paths_are_relative_to_the_folder(pocket_file, tmp_path):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res, "--format", "csv") == 0
    manifest = json.loads((res / "manifest.json").read_text())
    assert manifest["outcomes_file"] == "outcomes.csv" and manifest["scenario_file"] == "scenario.toml"
    for key in ("outcomes_file", "scenario_file"):
        assert not Path(manifest[key]).is_absolute() and (res / manifest[key]).is_file()
    assert "scenario_path" not in manifest
    assert manifest["scenario_origin"] == str(pocket_file.resolve())  # information only
    absolute = [k for k, v in manifest.items() if isinstance(v, str) and Path(v).is_absolute()]
    assert absolute == ["scenario_origin"]
    assert sorted(p.name for p in res.iterdir()) == ["manifest.json", "outcomes.csv", "scenario.toml"]


# -- no overwrite without --force --------------------------------------------------------

def test_run_into_a_non_empty_folder_without_force_exits_2_and_changes_nothing(pocket_file, tmp_path, capsys):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res) == 0
    (res / "notes.txt").write_text("mine")
    before = _listing(res)
    capsys.readouterr()
    assert main(["run", str(pocket_file), "-n", "20", "--seed", "4", "--out", str(res), *RUN]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == f"{res}: not empty (4 files); use --force to replace its results"
    assert out == ""  # refused before the simulation: no outcome table
    assert _listing(res) == before


def test_write_results_into_a_non_empty_folder_raises_and_changes_nothing(tmp_path):
    sc = load_scenario(POCKET)
    res = run_experiment(sc, replicates=4, seed=1, workers=1)
    folder = res.save(tmp_path / "res")
    before = _listing(folder)
    with pytest.raises(StoreError, match=r"not empty \(3 files\); pass force=True"):
        write_results(folder, res.outcomes, res.manifest, scenario=sc)
    with pytest.raises(StoreError, match="not empty"):
        res.save(folder, fmt="csv")
    assert _listing(folder) == before


@pytest.mark.parametrize("first,second", [("parquet", "csv"), ("csv", "parquet")])
def test_force_replaces_the_results_and_removes_stale_results_files(pocket_file, tmp_path, first, second):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res, "--format", first) == 0
    assert main(["report", str(res), "--no-resimulate", "--no-progress"]) == 0
    (res / "notes.txt").write_text("mine")
    assert (res / "report.html").exists()
    assert main(["run", str(pocket_file), "-n", "12", "--seed", "8", "--out", str(res), "--format", second,
                 "--force", *RUN]) == 0
    assert sorted(p.name for p in res.iterdir()) == ["manifest.json", "notes.txt", f"outcomes.{second}",
                                                     "scenario.toml"]
    df, manifest = read_results(res)
    assert manifest["seed"] == 8 and manifest["outcomes_file"] == f"outcomes.{second}"
    assert len(df) == 12 and (df["seed"] == 8).all()


# -- column names ------------------------------------------------------------------------

def test_column_names_contain_no_colon(supply_outcomes):
    assert [c for c in supply_outcomes.columns if ":" in c] == []


def _resolve(sc, path: str):
    """The value at a dotted scenario path; lists by id, name or index."""
    parts = path.split(".")
    if parts[0] == "parameters":
        return sc.parameters[".".join(parts[1:])].model_dump(mode="json")["value"]
    cur = sc.to_dict()
    for part in parts:
        if isinstance(cur, list):
            match = [x for x in cur if isinstance(x, dict) and part in (x.get("id"), x.get("name"))]
            cur = match[0] if match else cur[int(part)]
        else:
            cur = cur[part]
    return cur


def test_every_drawn_input_column_names_the_scenario_path_of_a_range(supply_outcomes):
    sc = scenario_from_dict(_uncertain_supply(), "uncertain supply")
    inputs = [c for c in supply_outcomes.columns if c.startswith("input.")]
    expected = {"input.units.blue_tanks.equipment.tanks", "input.units.blue_tanks.quality",
                "input.units.blue_tanks.breakpoint", "input.units.red_inf.personnel",
                "input.logistics.unit_stock_days", "input.logistics.depots.red_depot.stock.ammunition",
                "input.logistics.depots.red_depot.issue_tons_per_day", "input.logistics.fleets.blue_trucks.trucks",
                "input.logistics.consumption.0.basic_load_days", "input.logistics.interdictions.0.hours",
                "input.parameters.casualty_rate_multiplier.red"}
    assert expected <= set(inputs)
    for col in inputs:
        value = _resolve(sc, col.removeprefix("input."))
        assert isinstance(value, dict) and "dist" in value, col  # the path holds the range that was drawn
        assert supply_outcomes[col].nunique() > 1, col


def test_fixing_the_path_an_input_column_names_removes_that_column(supply_outcomes):
    """The column name is the with_changes path: setting it to a number stops that draw."""
    sc = scenario_from_dict(_uncertain_supply(), "uncertain supply")
    for col in [c for c in supply_outcomes.columns if c.startswith("input.")]:
        fixed = sc.with_changes({col.removeprefix("input."): float(supply_outcomes[col].iloc[0])})
        cols = run_experiment(fixed, replicates=2, seed=1, workers=1).outcomes.columns
        assert col not in cols, col
        assert len([c for c in cols if c.startswith("input.")]) == len(
            [c for c in supply_outcomes.columns if c.startswith("input.")]) - 1, col


def test_input_column_keeps_the_dotted_grammar_for_every_engine_name():
    assert input_column("unit:tb6.tanks") == "input.units.tb6.equipment.tanks"
    assert input_column("unit:tb6.personnel") == "input.units.tb6.personnel"
    assert input_column("depot:d.fuel") == "input.logistics.depots.d.stock.fuel"
    assert input_column("param:casualty_rate_multiplier.japanese") == \
        "input.parameters.casualty_rate_multiplier.japanese"
    assert input_column("newkind:x.y") == "input.newkind.x.y"
    with pytest.raises(ValueError):
        input_column("no_kind")


def test_happened_flags_agree_with_nan_in_the_event_times(pocket_file, tmp_path):
    res = tmp_path / "res"
    assert _run_cli(pocket_file, res, "--format", "csv") == 0
    df, _ = read_results(res)
    days = [c for c in df.columns if c.endswith("_day") and not c.startswith("input.")]  # not rates per day
    assert days[:2] == ["ring_closed_day", "resistance_ended_day"]
    # then the day each disputed place held at hour 0 changed hands
    assert days[2:] and all(c.startswith("place.") and c.endswith(".captured_day") for c in days[2:])
    seen = set()
    for c in days:
        flag = c.removesuffix("_day") + "_happened"
        assert df.columns.get_loc(flag) == df.columns.get_loc(c) + 1  # right beside its time
        assert df[flag].dtype == bool
        assert df[flag].tolist() == df[c].notna().tolist()
        seen |= set(df[flag])
    assert seen == {True, False}  # the fixture has an event that happens and one that does not


def test_summaries_leave_out_flags_per_unit_detail_and_inputs(supply_outcomes):
    names = [r.outcome for r in summarise(supply_outcomes)]
    assert "ring_closed_day" in names and "casualties.blue" in names
    assert any(c.startswith("unit.") for c in supply_outcomes.columns)
    assert [n for n in names if n.endswith("_happened") or n.startswith(("unit.", "input."))] == []


def _template(col: str, ids: set[str]) -> str:
    parts = col.split(".")
    if parts[:2] == ["input", "parameters"]:
        return "input.parameters.<name>"
    if parts[:3] == ["input", "logistics", "fleets"]:
        return "input.logistics.fleets.<fleet name>.<field>"
    out = []
    for i, p in enumerate(parts):
        if p in ("blue", "red"):
            out.append("<side>")
        elif p in ids:
            out.append("<depot id>" if "depots" in parts[:i] else "<unit id>")
        elif p in EQUIPMENT_CLASSES or p in SUPPLY_CLASSES:
            out.append("<class>")
        elif p.isdigit():
            out.append("<index>")
        else:
            out.append(p)
    return ".".join(out)


def test_docs_results_md_lists_every_column(supply_outcomes):
    doc = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"\|\s*`([^`]+)`\s*\|", doc))
    ids = {"blue_tanks", "red_inf", "blue_rail", "blue_depot", "red_depot"}
    missing = sorted({_template(c, ids) for c in supply_outcomes.columns} - documented)
    assert missing == []


# -- the result object -------------------------------------------------------------------

def test_experiment_result_compares_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    sc = load_scenario(POCKET)
    res = run_experiment(sc, replicates=20, seed=3, chunk_size=10, workers=1)
    rows = res.compare()
    want = compare_outcomes(res.outcomes, sc, load_record())
    assert [r.outcome for r in rows] == [c.outcome for c in sc.model.compare] == ["ring_closed_day"]
    assert [(r.median, r.p_range, r.crps) for r in rows] == [(r.median, r.p_range, r.crps) for r in want]
    fig = res.plot()
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()][0].startswith("ring_closed_day: record")
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_experiment_result_without_a_scenario_says_so():
    res = ExperimentResult(outcomes=pd.DataFrame({"replicate": [0]}))
    with pytest.raises(ValueError, match="no scenario"):
        res.compare()


def test_result_saved_and_loaded_is_the_same(tmp_path):
    sc = load_scenario(POCKET)
    res = run_experiment(sc, replicates=8, seed=5, chunk_size=4, workers=1)
    for fmt in ("parquet", "csv"):
        again = ExperimentResult.load(res.save(tmp_path / fmt, fmt=fmt))
        pd.testing.assert_frame_equal(again.outcomes, res.outcomes, check_dtype=fmt == "parquet")
        assert again.scenario.sha256 == sc.sha256
        assert {k: v for k, v in again.manifest.items() if k not in ("outcomes_file", "scenario_file",
                                                                   "outcomes_sha256")} == \
            copy.deepcopy(res.manifest)
