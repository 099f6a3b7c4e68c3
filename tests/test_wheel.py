"""A built wheel works on its own: installed outside the checkout, run from another folder.

The wheel is built from a copy of the checkout (so that the build leaves no ``build/``
folder in the checkout, and a stale one cannot hide a missing file), without build
isolation (no network: setuptools and wheel come from the dev extra), then installed
with ``pip install --target`` into a folder that is put first on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

_NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                     ".pytest_cache", ".import_linter_cache", "results", "output", "tests")


def _missing_build_tools() -> str | None:
    """Why the wheel cannot be built here without isolation, or None."""
    if subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True).returncode != 0:
        return "pip is not available to this Python"
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    try:
        from packaging.requirements import Requirement
    except ImportError:
        return "the packaging module is not installed (needed to check the build requirements)"
    for text in build:
        req = Requirement(text)
        try:
            have = md.version(req.name)
        except md.PackageNotFoundError:
            return f"build requirement {text!r} is not installed (pip install -e '.[dev]')"
        if not req.specifier.contains(have, prereleases=True):
            return f"build requirement {text!r} is not met: {req.name} {have} (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    reason = _missing_build_tools()
    if reason:
        pytest.skip(f"cannot build the wheel: {reason}")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=_NOT_COPIED)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                        "-w", str(tmp / "dist")], capture_output=True, text=True)
    assert r.returncode == 0, f"pip wheel failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    (whl,) = (tmp / "dist").glob("nomonhan_sim-*.whl")
    return whl


@pytest.fixture(scope="module")
def site(wheel) -> Path:
    target = wheel.parent.parent / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"pip install --target failed:\n{r.stderr[-3000:]}"
    return target


def _in(site: Path, work: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def work(wheel) -> Path:
    w = wheel.parent.parent / "elsewhere"
    w.mkdir()
    return w


def test_wheel_holds_every_module_and_data_file_of_the_source_tree(wheel):
    """Every module, every file under a data/ folder, the typing marker and the scenarios."""
    names = set(zipfile.ZipFile(wheel).namelist())
    pkg = ROOT / "nomonhan_sim"
    want = {f"nomonhan_sim/{p.relative_to(pkg).as_posix()}" for p in pkg.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
            and (p.suffix == ".py" or "data" in p.relative_to(pkg).parts[:-1] or p.name == "py.typed")}
    want |= {f"nomonhan_sim/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")}
    assert {"nomonhan_sim/py.typed", "nomonhan_sim/data/default_parameters.toml", "nomonhan_sim/cli/__init__.py", "nomonhan_sim/cli/commands.py",
            "nomonhan_sim/record/data/seeds.toml", "nomonhan_sim/scenarios/khalkhin_gol_1939_august.toml"} <= want
    assert sorted(want - names) == []
    tops = {n.split("/")[0] for n in names}
    assert len(tops) == 2 and "nomonhan_sim" in tops and any(t.endswith(".dist-info") for t in tops), tops


def test_wheel_metadata_has_the_license_and_classifiers(wheel):
    z = zipfile.ZipFile(wheel)
    (meta,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
    text = z.read(meta).decode()
    assert "License-Expression: MIT" in text
    assert "Classifier: Programming Language :: Python :: 3.11" in text
    assert "Classifier: Topic :: Scientific/Engineering" in text
    (lic,) = [n for n in z.namelist() if ".dist-info/" in n and n.endswith("LICENSE")]
    assert "Copyright (c) 2026 the nomonhan_sim developers" in z.read(lic).decode()


def test_installed_wheel_is_imported_with_its_bundled_scenarios_not_the_checkout(site, work):
    r = _in(site, work, "-c", "import nomonhan_sim; from nomonhan_sim.scenario.bundled import resolve_scenario; "
                              "print(nomonhan_sim.__file__); print(resolve_scenario('august'))")
    assert r.returncode == 0, r.stderr
    module, scenario = (Path(line).resolve() for line in r.stdout.split())
    assert module.is_relative_to(site.resolve()) and scenario.is_relative_to(site.resolve())
    assert not module.is_relative_to(ROOT.resolve())


def test_installed_wheel_lists_runs_and_reads_the_record_from_another_folder(site, work):
    r = _in(site, work, "-m", "nomonhan_sim", "list")
    assert r.returncode == 0, r.stderr
    assert "khalkhin_gol_1939_august_frontal" in r.stdout and "august_half_trucks" in r.stdout

    r = _in(site, work, "-m", "nomonhan_sim", "run", "august", "--replicates", "20", "--no-progress", "--out", "r")
    assert r.returncode == 0, r.stderr
    assert "Comparison with the historical record" in r.stdout and (work / "r" / "manifest.json").is_file()

    r = _in(site, work, "-m", "nomonhan_sim", "sources")
    assert r.returncode == 0, r.stderr
    assert "001_a5b15fab0919c439.txt" in r.stdout

    r = _in(site, work, "-m", "nomonhan_sim", "validate", "august")
    assert r.returncode == 0 and r.stdout.startswith("OK august: "), r.stderr
