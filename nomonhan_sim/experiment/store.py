"""Write and read experiment results: outcomes (Parquet or CSV) and a JSON manifest.

Files are written to a temporary folder inside the target and moved into place
only when all of them are complete, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

OUTCOMES_PARQUET = "outcomes.parquet"
OUTCOMES_CSV = "outcomes.csv"
MANIFEST = "manifest.json"


class StoreError(OSError):
    """A results folder that cannot be written or read; ``str()`` is one line."""


def write_results(out_dir: str | Path, outcomes: pd.DataFrame, manifest: dict, fmt: str = "parquet") -> Path:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    except OSError as exc:
        raise StoreError(f"{out}: cannot create results folder ({exc.strerror})") from None
    try:
        name = OUTCOMES_PARQUET if fmt == "parquet" else OUTCOMES_CSV
        if fmt == "parquet":
            outcomes.to_parquet(tmp / name, index=False)
        else:
            outcomes.to_csv(tmp / name, index=False)
        (tmp / MANIFEST).write_text(json.dumps({**manifest, "outcomes_file": name}, indent=2) + "\n")
        for f in (name, MANIFEST):
            (tmp / f).replace(out / f)
    except OSError as exc:
        raise StoreError(f"{out}: cannot write results ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def read_results(out_dir: str | Path) -> tuple[pd.DataFrame, dict]:
    out = Path(out_dir)
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except FileNotFoundError:
        raise StoreError(f"{out}: no {MANIFEST} (not a results folder)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise StoreError(f"{out}/{MANIFEST}: unreadable ({exc})") from None
    name = manifest.get("outcomes_file", OUTCOMES_PARQUET)
    path = out / name
    if not path.exists():
        raise StoreError(f"{path}: outcomes file missing")
    df = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
    return df, manifest
