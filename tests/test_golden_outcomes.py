"""A refactoring leaves the model's numbers alone.

``tests/golden/august_50_seed20240901.csv`` holds the outcomes of the bundled August
scenario (50 worlds, seed 20240901, chunk size 25) written before the package was split
into layers (see ``tests/golden/README.md``). Moving code must reproduce them; a model
change that moves them regenerates the file and says so in its commit message.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.scenario import load_scenario

GOLDEN = Path(__file__).parent / "golden" / "august_50_seed20240901.csv"
ROOT = Path(__file__).resolve().parents[1]


def test_august_outcomes_equal_the_golden_file():
    golden = pd.read_csv(GOLDEN)
    sc = load_scenario(ROOT / "scenarios" / "khalkhin_gol_1939_august.toml")
    got = run_experiment(sc, replicates=50, seed=20240901, chunk_size=25, workers=1).outcomes
    missing = [c for c in golden.columns if c not in got.columns]
    assert not missing, f"outcome columns gone: {missing[:5]}"
    for col in golden.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), golden[col].to_numpy(float),
                                   rtol=1e-12, atol=0, equal_nan=True, err_msg=col)
