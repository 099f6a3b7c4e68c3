"""Limits of the command-line options: --seed in [0, 2**63-1], --replicates in
[1, MAX_REPLICATES], --workers at most the CPUs unless --force-workers, and the work
estimate of run (refused above WORK_LIMIT unless --force-large, a warning above
WORK_WARN). Every refusal is one line, exit 2, before anything runs, nothing at --out."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pandas as pd
import pytest

from nomonhan_sim.cli import MAX_REPLICATES, MAX_SEED, main
from nomonhan_sim.experiment import read_results, runner
from nomonhan_sim.experiment.runner import WORK_LIMIT, WORK_WARN, usable_cpus, work_estimate
from nomonhan_sim.scenario import load_scenario
from conftest import FIXTURES, ROOT, SCENARIOS

POCKET = str(FIXTURES / "pocket.toml")
AUGUST = str(SCENARIOS / "khalkhin_gol_1939_august.toml")
QUICK = ["--no-progress", "-q", "--workers", "1"]


def _refused(argv, capsys, *needles) -> str:
    """``main(argv)`` exits 2 (as a return or SystemExit) with one line on stderr holding the needles."""
    capsys.readouterr()
    t0 = time.perf_counter()
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    assert status == 2, argv
    out, err = capsys.readouterr()
    line = err.strip()
    assert out == "" and "\n" not in line and "Traceback" not in err, err
    for needle in needles:
        assert needle in line, (needle, line)
    assert time.perf_counter() - t0 < 20  # refused before the work, not after
    return line


@pytest.mark.parametrize("seed,needle", [
    (str(2**63), "<= 9,223,372,036,854,775,807"),
    (str(2**64), "<= 9,223,372,036,854,775,807"),
    ("-1", ">= 0"),
    ("1e3", "whole number"),
    ("2**64", "whole number"),
    ("x" * 1000, "whole number"),
])
def test_seed_out_of_range_is_refused_before_the_run(tmp_path, capsys, seed, needle):
    out = tmp_path / "res"
    _refused(["run", POCKET, "-n", "2", "--seed", seed, "--out", str(out), *QUICK], capsys,
             "argument --seed", needle)
    assert not out.exists()


def test_largest_seed_runs_saves_and_compares(tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", POCKET, "-n", "3", "--seed", str(MAX_SEED), "--out", str(out), *QUICK]) == 0
    df, manifest = read_results(out)
    assert manifest["seed"] == MAX_SEED and (df["seed"] == MAX_SEED).all()
    assert json.loads((out / "manifest.json").read_text())["seed"] == MAX_SEED
    assert pd.read_parquet(out / "outcomes.parquet")["seed"].dtype == "int64"
    capsys.readouterr()
    assert main(["compare", str(out)]) == 0
    assert f"seed {MAX_SEED}" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["narrate", POCKET], ["cdb90", "--no-progress"]])
def test_seed_range_holds_for_every_command(capsys, command):
    _refused([*command, "--seed", str(2**64)], capsys, "argument --seed")


@pytest.mark.parametrize("n,needle", [("0", ">= 1"), (str(MAX_REPLICATES + 1), "<= 1,000,000"),
                                      (str(10**12), "<= 1,000,000"), ("ten", "whole number")])
def test_replicates_out_of_range_is_refused(tmp_path, capsys, n, needle):
    out = tmp_path / "res"
    _refused(["run", POCKET, "-n", n, "--out", str(out), *QUICK], capsys, "argument --replicates", needle)
    assert not out.exists()


def test_replicates_cap_holds_for_cdb90(capsys):
    _refused(["cdb90", "-n", str(10**12), "--no-progress"], capsys, "argument --replicates")


def test_huge_replicates_in_a_subprocess_exit_2_at_once():
    """The reported symptom: --replicates 10**12 printed nothing (and never ended)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "nomonhan_sim", "run", POCKET, "--replicates", str(10**12)],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "--replicates" in r.stderr
    assert time.perf_counter() - t0 < 30


def test_more_workers_than_cpus_is_refused(tmp_path, capsys):
    out = tmp_path / "res"
    n = usable_cpus() + 1
    _refused(["run", POCKET, "-n", "4", "--workers", str(n), "--out", str(out), "--no-progress"], capsys,
             f"--workers {n}", "--force-workers")
    assert not out.exists()
    _refused(["cdb90", "--workers", str(n), "--no-progress"], capsys, f"--workers {n}", "--force-workers")


def test_force_workers_allows_them_and_the_pool_never_exceeds_the_chunks(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "usable_cpus", lambda: 1)
    out = tmp_path / "res"
    _refused(["run", POCKET, "-n", "4", "--workers", "2", "--out", str(out), "--no-progress"], capsys,
             "more than the 1 CPU this process may use")
    started = []
    real = runner.cf.ProcessPoolExecutor

    def spy(max_workers=None, **kw):
        started.append(max_workers)
        return real(max_workers=max_workers, **kw)

    monkeypatch.setattr(runner.cf, "ProcessPoolExecutor", spy)
    assert main(["run", POCKET, "-n", "4", "--chunk-size", "2", "--workers", "99", "--force-workers",
                 "--out", str(out), "--no-progress", "-q"]) == 0
    assert started == [2]  # two chunks: two processes, not 99
    assert len(read_results(out)[0]) == 4


def test_a_chunk_size_above_the_cap_is_refused_unless_forced(tmp_path, capsys):
    from nomonhan_sim.experiment.runner import MAX_CHUNK_SIZE

    out = tmp_path / "res"
    _refused(["run", POCKET, "-n", "4", "--chunk-size", str(MAX_CHUNK_SIZE + 1), "--out", str(out),
              "--no-progress"], capsys, f"--chunk-size {MAX_CHUNK_SIZE + 1}", "--force-large")
    assert not out.exists()
    # forced, a chunk larger than the run is the whole run in one batch
    assert main(["run", POCKET, "-n", "4", "--chunk-size", str(MAX_CHUNK_SIZE + 1), "--force-large",
                 *QUICK, "--out", str(out)]) == 0
    assert len(read_results(out)[0]) == 4


def test_the_python_api_refuses_too_many_workers_and_too_large_chunks_unless_forced(monkeypatch):
    from nomonhan_sim.experiment.runner import MAX_CHUNK_SIZE, run_experiment
    from nomonhan_sim.validation.cdb90_suite import simulate

    sc = load_scenario(POCKET)
    n = usable_cpus() + 1
    with pytest.raises(ValueError, match=f"workers {n}: more than the .* force_workers=True"):
        run_experiment(sc, replicates=4, workers=n)
    with pytest.raises(ValueError, match=f"chunk_size {MAX_CHUNK_SIZE + 1}: .*force_large=True"):
        run_experiment(sc, replicates=4, chunk_size=MAX_CHUNK_SIZE + 1)
    with pytest.raises(ValueError, match="force_workers=True"):
        simulate(pd.DataFrame(), workers=n)
    assert len(run_experiment(sc, replicates=4, chunk_size=MAX_CHUNK_SIZE + 1, force_large=True,
                              workers=1).outcomes) == 4


def test_workers_up_to_the_cpus_are_accepted(tmp_path):
    assert main(["run", POCKET, "-n", "4", "--workers", str(usable_cpus()), "--no-progress", "-q"]) == 0


def test_work_estimate_is_worlds_times_units_times_combat_steps():
    sc = load_scenario(AUGUST)
    work, units, steps = work_estimate(sc, 1000)
    e = sc.model.engine
    assert units == len(sc.model.units)
    assert steps == round(e.duration_hours / e.combat_step_hours)
    assert work == 1000 * units * steps
    assert WORK_WARN < WORK_LIMIT
    assert work < WORK_WARN  # the default run is quiet
    assert work_estimate(sc, MAX_REPLICATES)[0] > WORK_LIMIT  # a million August worlds are not


def test_a_run_beyond_the_work_limit_is_refused_unless_forced(tmp_path, capsys):
    out = tmp_path / "res"
    line = _refused(["run", AUGUST, "-n", str(MAX_REPLICATES), "--out", str(out), "--no-progress"], capsys,
                    "unit-steps", "1,000,000 worlds", "--force-large")
    assert "limit of 1e+10" in line
    assert not out.exists()


def test_force_large_runs_beyond_the_limit_and_a_large_run_warns(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(runner, "WORK_LIMIT", 1000)
    monkeypatch.setattr(runner, "WORK_WARN", 100)
    out = tmp_path / "res"
    _refused(["run", POCKET, "-n", "2", "--out", str(out), *QUICK[:1], "--workers", "1"], capsys, "--force-large")
    assert main(["run", POCKET, "-n", "2", "--force-large", "--out", str(out), "--no-progress", "--workers", "1"]) == 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("note: a large run: about 1.2e+03 unit-steps") and "\n" not in err
    assert read_results(out)[1]["replicates"] == 2
    monkeypatch.setattr(runner, "WORK_LIMIT", 10**10)
    assert main(["run", POCKET, "-n", "2", *QUICK]) == 0
    assert capsys.readouterr().err == ""  # -q: no warning either


def test_argument_errors_are_one_line(capsys):
    for argv in (["run", POCKET, "--format", "xlsx"], ["run", POCKET, "--bogus"], ["bogus"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "error:" in err and "(see --help)" in err


def test_help_documents_the_limits():
    r = subprocess.run([sys.executable, "-m", "nomonhan_sim", "run", "--help"], capture_output=True, text=True,
                       cwd=ROOT)
    text = " ".join(r.stdout.split())
    for needle in ("--force-workers", "--force-large", "1 to 1,000,000", "0 to 2**63-1", "1e10"):
        assert needle in text, needle
