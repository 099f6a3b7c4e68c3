"""Command-line conventions: --version, -q/--verbose, help texts, program name, progress,
default chunking, and quiet ends on Ctrl-C and on a closed pipe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from nomonhan_sim import __version__
from nomonhan_sim.cli import build_parser, main
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.experiment.runner import default_chunk_size
from nomonhan_sim.scenario import load_scenario
from conftest import FIXTURES, ROOT

POCKET = str(FIXTURES / "pocket.toml")
SUBCOMMANDS = ("run", "validate", "sources", "compare", "report", "params", "narrate")


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "nomonhan_sim", *args], capture_output=True, text=True,
                          cwd=ROOT, **kw)


def test_version_prints_the_package_version():
    out = _cli("--version")
    assert out.returncode == 0 and out.stdout.strip().endswith(__version__)


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_texts_have_no_doubled_percent_signs(command):
    out = _cli(command, "--help")
    assert out.returncode == 0
    assert "%%" not in out.stdout


def test_program_names_itself_as_it_was_called(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["/somewhere/bin/nomonhan-sim", "run"])
    assert build_parser().prog == "nomonhan-sim"
    monkeypatch.setattr(sys, "argv", [str(ROOT / "nomonhan_sim" / "__main__.py"), "run"])
    assert build_parser().prog == "python -m nomonhan_sim"


def test_quiet_run_prints_only_the_comparison(capsys):
    assert main(["run", POCKET, "-n", "10", "-q", "--workers", "1"]) == 0
    cap = capsys.readouterr()
    assert "Comparison with the historical record" in cap.out
    assert "90% interval" in cap.out  # the comparison table's header
    assert "personnel_start" not in cap.out  # no outcome table
    assert cap.err == ""  # no progress bar


def test_record_notes_only_with_verbose(capsys):
    august = str(ROOT / "scenarios" / "khalkhin_gol_1939_august.toml")  # its record claims carry notes
    assert main(["run", august, "-n", "4", "--no-progress", "--workers", "1"]) == 0
    plain = capsys.readouterr().out
    assert main(["run", august, "-n", "4", "--no-progress", "--workers", "1", "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert "note:" not in plain and "note:" in verbose
    assert "Sources of the record:" in plain  # sources are always shown


def test_small_runs_are_split_so_two_workers_share_them():
    assert default_chunk_size(100) == 50
    assert default_chunk_size(1000) == 250
    assert default_chunk_size(1) == 1
    sc = load_scenario(POCKET)
    a = run_experiment(sc, replicates=100, seed=5, workers=2).outcomes
    b = run_experiment(sc, replicates=100, seed=5, workers=1).outcomes
    assert a["chunk"].nunique() == 2
    assert a.equals(b)


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_adds_up_to_the_replicates_and_changes_nothing(workers):
    sc = load_scenario(POCKET)
    calls: list[float] = []
    with_bar = run_experiment(sc, replicates=30, seed=2, chunk_size=10, workers=workers,
                              progress=calls.append).outcomes
    without = run_experiment(sc, replicates=30, seed=2, chunk_size=10, workers=1).outcomes
    assert len(calls) > 3 * 10  # advances within each batch, not once per chunk
    assert sum(calls) == pytest.approx(30)
    assert with_bar.equals(without)


def test_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "nomonhan_sim", "sources", "--conflicts"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`: the reader goes away (the output is ~50 kB, more than the pipe holds)
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "Traceback" not in err
    assert err.strip().count("\n") == 0 and "broken pipe" in err


def test_ctrl_c_ends_quietly_with_exit_130_and_no_worker_left():
    proc = subprocess.Popen([sys.executable, "-m", "nomonhan_sim", "run", "-n", "4000", "--workers", "2"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    time.sleep(6)  # imports, compile, pool started and chunks running
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole process group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("interrupted")
    time.sleep(1)
    with pytest.raises(ProcessLookupError):  # nothing of the run's process group is left
        os.killpg(proc.pid, 0)
