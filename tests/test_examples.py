"""Every example runs in its fast mode and writes its figure."""

from __future__ import annotations

import runpy
import sys

import pytest

from conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_in_fast_mode(path, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(path), "--fast", "--out", str(tmp_path)])
    runpy.run_path(str(path), run_name="__main__")
    pngs = list(tmp_path.glob("*.png"))
    assert pngs and all(p.stat().st_size > 10_000 for p in pngs)
