"""A refactoring leaves the model's numbers alone.

``tests/golden/august_50_seed20240901.csv`` holds the outcomes of the bundled August
scenario (50 worlds, seed 20240901, chunk size 25); ``tests/golden/README.md`` says when
and why it was last written. Moving code must reproduce them; a model change that moves
them regenerates the file and says so in its commit message.

A file written before issue 9's column renames would carry the old names
(``unit:mrr_24.personnel``, ``short_hours:mrr_24.fuel``, ...); :func:`current_name` maps
each to today's name, as ``tests/golden/README.md`` documents (names without a colon are
today's and map to themselves). The mapping is written out here, not taken from the
package, so a wrong rename in the package fails this test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.scenario import load_scenario

GOLDEN = Path(__file__).parent / "golden" / "august_50_seed20240901.csv"
ROOT = Path(__file__).resolve().parents[1]
UNIT_FIELDS = ("personnel", "quality", "breakpoint")  # any other unit:<id>.<x> is an equipment class
SUPPLY_CLASSES = ("ammunition", "fuel", "food_water", "other")


def current_name(old: str) -> str:
    """The column name today of a golden-file column (tests/golden/README.md)."""
    kind, sep, rest = old.partition(":")
    if not sep:
        return old  # outcomes and identifiers kept their names
    head, _, tail = rest.partition(".")
    if kind == "short_hours":
        return f"unit.{head}.short_hours.{tail}"
    if kind == "param":
        return f"input.parameters.{rest}"
    if kind == "unit":
        return f"input.units.{head}.{tail}" if tail in UNIT_FIELDS else f"input.units.{head}.equipment.{tail}"
    if kind == "depot":
        return (f"input.logistics.depots.{head}.stock.{tail}" if tail in SUPPLY_CLASSES
                else f"input.logistics.depots.{head}.{tail}")
    if kind == "fleet":
        return f"input.logistics.fleets.{rest}"
    raise AssertionError(f"no documented mapping for golden column {old!r}")


@pytest.fixture(scope="module")
def golden_and_now():
    golden = pd.read_csv(GOLDEN)
    sc = load_scenario(ROOT / "scenarios" / "khalkhin_gol_1939_august.toml")
    got = run_experiment(sc, replicates=50, seed=20240901, chunk_size=25, workers=1).outcomes
    return golden, got


def test_august_outcomes_equal_the_golden_file(golden_and_now):
    golden, got = golden_and_now
    renamed = {c: current_name(c) for c in golden.columns}
    missing = [f"{old} -> {new}" for old, new in renamed.items() if new not in got.columns]
    assert not missing, f"outcome columns gone: {missing[:5]}"
    for old, new in renamed.items():
        np.testing.assert_allclose(got[new].to_numpy(float), golden[old].to_numpy(float),
                                   rtol=1e-12, atol=0, equal_nan=True, err_msg=f"{old} -> {new}")


def test_the_happened_flags_agree_with_the_golden_event_times(golden_and_now):
    golden, got = golden_and_now
    assert set(got.columns) == {current_name(c) for c in golden.columns}
    days = [c for c in golden.columns if c.endswith("_day") and "." not in c]  # event times, not inputs
    assert days
    for c in days:
        flag = c.removesuffix("_day") + "_happened"
        assert got[flag].tolist() == golden[c].notna().tolist(), flag


def test_the_outcomes_table_is_not_fragmented(golden_and_now):
    """A column added to the outcomes table raises no pandas PerformanceWarning."""
    import warnings

    _, got = golden_and_now
    frame = got.copy(deep=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame["soviet_per_japanese"] = frame["casualties.soviet"] / frame["casualties.japanese"]
