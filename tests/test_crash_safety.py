"""Crash safety of ``run --out``: a run killed at any moment leaves its results folder
either complete and equal to an uninterrupted run, or absent / refused as incomplete;
no worker process outlives it; SIGTERM ends it cleanly (exit 143); staging folders of
killed runs are removed by the next run into the same place."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.experiment import StoreError, read_results, write_results
from nomonhan_sim.experiment.store import PARTIAL_PREFIX, ResultsStaging, clean_stale_partials
from nomonhan_sim.experiment.store import _fsync_dir as _real_fsync_dir
from conftest import FIXTURES, ROOT

POCKET = FIXTURES / "pocket.toml"
N = 600  # 3 chunks (250, 250, 100) on 2 workers: about 2-3 s on a 2-core box
TRIALS = 20
NEW_SEED, OLD_SEED = 11, 5


# -- processes -------------------------------------------------------------------------------

def _stat(pid: int) -> tuple[str, int] | None:
    """(state, start time) of a process from /proc, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[19])


def _descendants(pid: int) -> dict[int, int]:
    """Every descendant of ``pid`` with its start time (from /proc/<pid>/task/*/children)."""
    found: dict[int, int] = {}
    todo = [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            for k in kids:
                st = _stat(k)
                if st is not None and k not in found:
                    found[k] = st[1]
                    todo.append(k)
    return found


def _alive(pid: int, start: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in "ZX" and st[1] == start


def _survivors(procs: dict[int, int], wait: float = 5.0) -> list[int]:
    """The processes of ``procs`` still running after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        left = [p for p, start in procs.items() if _alive(p, start)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


def _start(out: Path, seed: int, *extra: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nomonhan_sim", "run", str(POCKET), "-n", str(N),
                             "--seed", str(seed), "--workers", "2", "--no-progress", "-q", "--out", str(out),
                             *extra], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def _kill(proc: subprocess.Popen, sig: int) -> dict[int, int]:
    """Freeze the run (so it starts no new process), note its descendants, send ``sig``."""
    os.kill(proc.pid, signal.SIGSTOP)
    kids = _descendants(proc.pid)
    os.kill(proc.pid, sig)
    if sig != signal.SIGKILL:
        os.kill(proc.pid, signal.SIGCONT)
    return kids


def _staged_files(where: Path, pid: int) -> bool:
    return any(p.is_file() for p in where.glob(f"{PARTIAL_PREFIX}{pid}-*/*"))


# -- an uninterrupted run, and killed ones ------------------------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("crash")


@pytest.fixture(scope="module")
def references(base) -> dict:
    """Uninterrupted runs (new seed, old seed): their outcomes and the wall time of one run."""
    refs = {}
    for name, seed in (("ref_new", NEW_SEED), ("ref_old", OLD_SEED)):
        t0 = time.monotonic()
        proc = _start(base / name, seed, log=base / f"{name}.log")
        assert proc.wait(timeout=120) == 0, (base / f"{name}.log").read_text()[-2000:]
        refs["seconds"] = time.monotonic() - t0
        refs[seed] = read_results(base / name)[0]
    return refs


def _state(out: Path, refs: dict, allowed: tuple[int, ...], capsys) -> str:
    """'absent', 'incomplete' (refused, one line) or 'complete' (equal to an allowed run)."""
    if not out.exists():
        return "absent"
    try:
        df, manifest = read_results(out)
    except StoreError as exc:
        assert "\n" not in str(exc)
        capsys.readouterr()
        assert main(["compare", str(out)]) == 2
        assert "Traceback" not in capsys.readouterr().err
        return "incomplete"
    seed = manifest["seed"]
    assert seed in allowed
    pd.testing.assert_frame_equal(df, refs[seed])
    return f"complete (seed {seed})"


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_a_complete_or_an_incomplete_folder(base, references, capsys):
    rng = random.Random(20240901)
    runtime = references["seconds"]
    tally: dict[str, int] = {}
    for i in range(TRIALS):
        force = i % 2 == 1  # odd trials write over an older complete run (seed OLD_SEED) with --force
        in_save = i % 4 >= 2  # half the trials are killed while the files are being written
        out = base / f"trial{i:02d}"
        if force:
            shutil.copytree(base / "ref_old", out)
            (out / "notes.txt").write_text("mine")
        log = base / f"trial{i:02d}.log"
        proc = _start(out, NEW_SEED, *(["--force"] if force else []), log=log)
        t0 = time.monotonic()
        if in_save:
            where = out if force else base
            while proc.poll() is None and not _staged_files(where, proc.pid) and time.monotonic() - t0 < 60:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.15))  # writing and moving in take ~50-150 ms
        else:
            time.sleep(max(0.0, rng.uniform(0.1, 1.1 * runtime) - (time.monotonic() - t0)))
        if proc.poll() is None:
            kids = _kill(proc, signal.SIGKILL)
            proc.wait(timeout=30)
            when = "killed"
        else:
            kids, when = {}, "finished"
        assert _survivors(kids) == [], f"trial {i}: workers outlived the run"
        state = _state(out, references, (NEW_SEED, OLD_SEED) if force else (NEW_SEED,), capsys)
        if force:
            assert state != "absent" and (out / "notes.txt").read_text() == "mine"
        key = f"{'force' if force else 'fresh'}, {'save' if in_save else 'any'}, {when}: {state}"
        tally[key] = tally.get(key, 0) + 1
    print("\nSIGKILL trials:", *(f"  {v:2d} x {k}" for k, v in sorted(tally.items())), sep="\n")
    assert sum(tally.values()) == TRIALS
    assert any("killed" in k for k in tally)
    # the next run into the same place removes what the killed runs left
    left = [p for p in base.glob(f"{PARTIAL_PREFIX}*")] + [p for p in base.glob(f"trial*/{PARTIAL_PREFIX}*")]
    last = base / "after"
    assert main(["run", str(POCKET), "-n", "2", "--workers", "1", "--no-progress", "-q", "--out", str(last)]) == 0
    for folder in sorted({p.parent for p in left} - {base}):  # and into a --force folder
        assert main(["run", str(POCKET), "-n", "2", "--workers", "1", "--no-progress", "-q", "--force",
                     "--out", str(folder)]) == 0
    assert [p for p in left if p.exists()] == []


@pytest.mark.slow
@pytest.mark.parametrize("force", [False, True])
def test_sigterm_stops_the_workers_and_writes_nothing(base, references, capsys, force):
    out = base / f"sigterm_{'force' if force else 'fresh'}"
    if force:
        shutil.copytree(base / "ref_old", out)
    log = base / f"{out.name}.log"
    proc = _start(out, NEW_SEED, *(["--force"] if force else []), log=log)
    t0 = time.monotonic()
    while len(_descendants(proc.pid)) < 2 and time.monotonic() - t0 < 60:  # the pool is running
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the run ended before it could be terminated"
    kids = _kill(proc, signal.SIGTERM)
    assert len(kids) >= 2
    assert proc.wait(timeout=30) == 143
    err = log.read_text()
    assert "Traceback" not in err and err.strip().splitlines()[-1].endswith("terminated (SIGTERM)")
    assert _survivors(kids) == []
    if force:  # the older results are untouched
        assert _state(out, references, (OLD_SEED,), capsys) == f"complete (seed {OLD_SEED})"
    else:
        assert not out.exists()
    where = out if force else base
    assert list(where.glob(f"{PARTIAL_PREFIX}{proc.pid}-*")) == []


# -- staging folders ---------------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_staging_folders_of_dead_runs_are_removed_and_others_kept(tmp_path):
    dead = tmp_path / f"{PARTIAL_PREFIX}{_dead_pid()}-0123abcd"
    live = tmp_path / f"{PARTIAL_PREFIX}{os.getpid()}-0123abce"
    foreign = [tmp_path / ".partial-abc", tmp_path / f"{PARTIAL_PREFIX}1-short", tmp_path / "data"]
    for d in (dead, live, *foreign):
        d.mkdir()
        (d / "f").write_text("x")
    link = tmp_path / f"{PARTIAL_PREFIX}{_dead_pid()}-0123abcf"
    os.symlink(tmp_path / "data", link)  # a link is never followed nor removed
    assert main(["run", str(POCKET), "-n", "2", "--workers", "1", "--no-progress", "-q",
                 "--out", str(tmp_path / "res")]) == 0
    assert not dead.exists()
    assert live.exists() and all(d.exists() for d in foreign) and link.is_symlink()
    assert (tmp_path / "data" / "f").exists()
    assert clean_stale_partials(tmp_path) == []


def test_nothing_appears_at_out_before_the_commit_and_an_error_leaves_nothing(tmp_path):
    out = tmp_path / "res"
    with pytest.raises(RuntimeError):
        with ResultsStaging(out) as st:
            assert st.tmp.exists() and st.tmp.parent == tmp_path and not out.exists()
            raise RuntimeError("the run failed")
    assert list(tmp_path.iterdir()) == []


class _Crash(BaseException):
    pass


@pytest.mark.parametrize("force", [False, True])
def test_a_crash_after_any_step_of_the_commit_leaves_old_new_or_incomplete(tmp_path, monkeypatch, force):
    """Deterministic companion of the kill trials: the commit is stopped after each of its
    renames and directory syncs in turn; the folder then reads as the old results, the new
    ones, or incomplete, never as a mix."""
    import types

    from nomonhan_sim.experiment import run_experiment, store
    from nomonhan_sim.scenario import load_scenario

    sc = load_scenario(POCKET)
    old = run_experiment(sc, replicates=4, seed=1, workers=1)
    new = run_experiment(sc, replicates=6, seed=2, workers=1)
    states, k = [], 0
    while True:
        out = tmp_path / f"k{k}"
        if force:
            old.save(out)
        calls = {"n": 0}

        def step(real):
            def wrapped(*a, **kw):
                calls["n"] += 1
                if calls["n"] > k:
                    raise _Crash()
                return real(*a, **kw)
            return wrapped

        fake_os = types.SimpleNamespace(**{n: getattr(os, n) for n in dir(os) if not n.startswith("__")})
        fake_os.replace = step(os.replace)
        monkeypatch.setattr(store, "os", fake_os)
        monkeypatch.setattr(store, "_fsync_dir", step(_real_fsync_dir))
        try:
            new.save(out, force=force)
            crashed = False
        except _Crash:
            crashed = True
        finally:
            monkeypatch.undo()
        try:
            df, manifest = read_results(out)
            state = {1: "old", 2: "new"}[manifest["seed"]]
            pd.testing.assert_frame_equal(df, (old if state == "old" else new).outcomes)
        except StoreError:
            state = "incomplete" if out.exists() else "absent"
        states.append(state)
        if not crashed:
            break
        k += 1
    assert states[-1] == "new" and k >= 3
    assert set(states) <= ({"old", "incomplete", "new"} if force else {"absent", "new"})
    if force:
        assert "incomplete" in states  # the window where the old manifest is gone


def test_a_new_folder_appears_complete_with_the_umask_mode(tmp_path):
    from nomonhan_sim.experiment import run_experiment
    from nomonhan_sim.scenario import load_scenario

    sc = load_scenario(POCKET)
    res = run_experiment(sc, replicates=4, seed=1, workers=1)
    out = write_results(tmp_path / "a" / "res", res.outcomes, res.manifest, scenario=sc)
    mask = os.umask(0)
    os.umask(mask)
    assert (out.stat().st_mode & 0o777) == (0o777 & ~mask)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "outcomes.parquet", "scenario.toml"]
    assert [p.name for p in out.parent.iterdir()] == ["res"]
    (tmp_path / "empty").mkdir()  # an empty folder is replaced in one rename too
    write_results(tmp_path / "empty", res.outcomes, res.manifest, scenario=sc)
    assert len(read_results(tmp_path / "empty")[0]) == 4
