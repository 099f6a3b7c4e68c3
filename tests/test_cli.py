"""The command line: run, validate, narrate; results on disk; user errors exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from nomonhan_sim.cli import main
from conftest import FIXTURES, ROOT

POCKET = str(FIXTURES / "pocket.toml")


def test_run_writes_parquet_outcomes_and_manifest(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", POCKET, "-n", "20", "--seed", "3", "--out", str(out), "--no-progress",
                 "--workers", "1", "--chunk-size", "10"]) == 0
    table = capsys.readouterr().out
    assert "ring_closed_day" in table and "90% interval" in table and "ring_closed_day: test fixture" in table
    df = pd.read_parquet(out / "outcomes.parquet")
    man = json.loads((out / "manifest.json").read_text())
    assert len(df) == 20 and (df["seed"] == 3).all()
    assert man["seed"] == 3 and man["replicates"] == 20 and man["chunk_size"] == 10
    assert len(man["scenario_sha256"]) == 64 and man["version"]
    assert not any(p.name.startswith(".partial") for p in out.iterdir())


def test_run_csv_format(tmp_path):
    out = tmp_path / "csv"
    assert main(["run", POCKET, "-n", "5", "--out", str(out), "--format", "csv", "--no-progress", "--workers", "1"]) == 0
    assert len(pd.read_csv(out / "outcomes.csv")) == 5


def test_validate_prints_ok(capsys):
    assert main(["validate", POCKET]) == 0
    assert capsys.readouterr().out.startswith("OK ")


def test_unwritable_results_folder_is_one_line_exit_2(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", POCKET, "-n", "2", "--out", str(blocker / "sub"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(blocker / "sub") in err


def test_missing_scenario_is_one_line_exit_2(capsys):
    assert main(["run", "no/such/file.toml", "--no-progress"]) == 2
    assert capsys.readouterr().err.strip() == "no/such/file.toml: file not found"


@pytest.mark.parametrize("argv", [["run", POCKET, "-n", "0"], ["run", POCKET, "--seed", "x"],
                                  ["run", POCKET, "--format", "xlsx"], ["bogus"]])
def test_bad_options_exit_2(argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2


@pytest.mark.parametrize("cmd", [[], ["run"], ["validate"], ["narrate"]])
def test_help_everywhere(cmd):
    r = subprocess.run([sys.executable, "-m", "nomonhan_sim", *cmd, "--help"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "usage:" in r.stdout


def test_narrate_tells_one_world(capsys):
    assert main(["narrate", POCKET, "--seed", "4"]) == 0
    text = capsys.readouterr().out
    assert "starts order" in text and "Aug" in text and "D+" in text


def test_compare_reads_saved_results_and_plots(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", POCKET, "-n", "20", "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["compare", str(out), "--plot", str(tmp_path / "page.png")]) == 0
    text = capsys.readouterr().out
    assert "P(range)" in text and "mean relative CRPS" in text and "ring_closed_day: test fixture" in text
    assert (tmp_path / "page.png").stat().st_size > 20_000


def test_compare_on_a_folder_without_results_is_one_line_exit_2(tmp_path, capsys):
    assert main(["compare", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "manifest.json" in err


def test_sources_ranks_the_seed_documents(capsys):
    assert main(["sources"]) == 0
    text = capsys.readouterr().out
    lines = [ln for ln in text.splitlines() if ln[:2] in ("1.", "2.", "3.", "4.")]
    assert len(lines) == 4 and "001_a5b15fab0919c439.txt" in lines[-1]
    assert "How the score is computed" in text
