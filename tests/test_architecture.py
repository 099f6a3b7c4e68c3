"""The package's layers import downward only (the import-linter contract in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import nomonhan_sim

ROOT = Path(__file__).resolve().parents[1]
PKG = Path(nomonhan_sim.__file__).resolve().parent


def _layers() -> list[str]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in conf["contracts"] if c["type"] == "layers"]
    return contract["layers"]


def test_every_module_of_the_package_belongs_to_a_layer():
    layers = {name.removeprefix("nomonhan_sim.") for name in _layers()}
    top = {p.stem for p in PKG.glob("*.py")} | {p.name for p in PKG.iterdir()
                                                if p.is_dir() and (p / "__init__.py").exists()}
    outside = top - layers - {"__init__", "__main__"}
    assert not outside, f"modules outside the layers contract: {sorted(outside)}"


def test_layers_contract_is_kept():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(exe).exists():
        pytest.skip("import-linter is not installed (it is in the dev extra)")
    out = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "1 kept, 0 broken" in out.stdout
