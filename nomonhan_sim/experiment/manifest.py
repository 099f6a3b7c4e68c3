"""The manifest of a results folder (``manifest.json``) as a pydantic model, and the
checks that make a results folder safe to open.

A results folder is data from elsewhere: it may have been moved, edited, truncated
or written by a run that was killed. Loading it checks, before anything is used:

- ``manifest.json`` is a regular file inside the folder (no symlink out of it, no
  FIFO or device), at most :data:`MAX_MANIFEST_BYTES`, a JSON object of the fields of
  :class:`Manifest` with strict types (no ``true`` for a number, no ``"3"`` for an int);
- the file names it gives (``outcomes_file``, ``scenario_file``) are plain names of the
  files a results folder holds, resolved inside the folder;
- ``outcomes_sha256`` is the hash of the outcomes file's bytes, written last by the run;
- the outcomes file parses and holds ``replicates`` rows whose ``replicate``, ``seed``
  and ``chunk`` columns agree with the manifest.

Every failure is a :class:`StoreError` of one line naming the folder or file and the
field. Messages never quote a file's content (only field names and what was expected).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: Largest seed: what numpy's SeedSequence and the int64 ``seed`` column both hold.
MAX_SEED = 2**63 - 1
#: Largest manifest.json read (a real one is under 2 kB).
MAX_MANIFEST_BYTES = 1_000_000
MANIFEST = "manifest.json"
OUTCOMES_PARQUET = "outcomes.parquet"
OUTCOMES_CSV = "outcomes.csv"
SCENARIO_TOML = "scenario.toml"
SCENARIO_JSON = "scenario.json"
_SHA256 = r"^[0-9a-f]{64}$"


#: the file names a manifest may give for each of its files
_FILE_NAMES = {"outcomes_file": (OUTCOMES_PARQUET, OUTCOMES_CSV), "scenario_file": (SCENARIO_TOML, SCENARIO_JSON)}


class StoreError(OSError):
    """A results folder that cannot be written or read; ``str()`` is one line."""


def plain_name(value: str) -> str:
    """``value`` if it is a plain file name (no folder part, not ``.``/``..``), else ValueError."""
    if (not value or value in (".", "..") or "/" in value or "\\" in value or "\x00" in value
            or os.path.isabs(value) or len(value) > 255):
        raise ValueError("must be a plain file name inside the results folder (no '/', '..' or absolute path)")
    return value


class Manifest(BaseModel):
    """The fields of ``manifest.json`` (``docs/results.md`` describes each).

    Unknown fields are kept and ignored. ``scenario_origin`` (and the older
    ``scenario_path``) is information only: it is never opened."""

    model_config = ConfigDict(strict=True, extra="allow")

    package: Literal["nomonhan_sim"]
    version: str = Field(min_length=1, max_length=100)
    scenario: str = Field(max_length=10_000)
    scenario_origin: str | None = Field(default=None, max_length=10_000)
    scenario_sha256: str = Field(pattern=_SHA256)
    seed: int = Field(ge=0, le=MAX_SEED)
    replicates: int = Field(ge=1)
    chunk_size: int = Field(ge=1)
    stochastic: bool
    attrition_law: str = Field(max_length=100)
    outcomes_file: str
    scenario_file: str
    outcomes_sha256: str = Field(pattern=_SHA256)

    @field_validator("outcomes_file", "scenario_file")
    @classmethod
    def _known_name(cls, v: str, info) -> str:
        plain_name(v)
        allowed = _FILE_NAMES[info.field_name]
        if v not in allowed:
            raise ValueError(f"must be {allowed[0]} or {allowed[1]}")
        return v


def _field_problem(err: dict) -> str:
    """One validation error as ``field 'x' ...``, without the offending value."""
    loc = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
    if err.get("type") == "missing":
        return f"field '{loc}' missing"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ").replace("Input should", "should")
    return f"field '{loc}': {msg}"


def inside(folder: Path, name: str, what: str) -> Path:
    """``folder / name`` if it is a regular file whose real path is inside ``folder``;
    :class:`StoreError` (one line, naming ``what``) otherwise."""
    path = folder / plain_name(name)
    try:
        real = path.resolve(strict=True)
        st = real.stat()
    except FileNotFoundError:
        raise StoreError(f"{path}: {what} missing") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise StoreError(f"{path}: {what} unreadable ({getattr(exc, 'strerror', None) or 'bad link'})") from None
    if real.parent != folder.resolve():
        raise StoreError(f"{path}: {what} is a link out of the results folder (refused)")
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"{path}: {what} is not a regular file")
    return path


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(out_dir: str | Path) -> dict:
    """The validated manifest of a results folder, as a dict (unknown fields kept).

    :class:`StoreError` (one line) for a missing folder or manifest, a folder that a
    killed run left incomplete, a manifest that is not a JSON object, a field of the
    wrong type or range, a file name that leaves the folder, or a folder written
    before manifests carried ``outcomes_sha256`` (re-run it)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise StoreError(f"{out}: no such results folder" if not out.exists() else f"{out}: not a folder")
    try:
        path = inside(out, MANIFEST, MANIFEST)
    except StoreError:
        if not (out / MANIFEST).exists() and not (out / MANIFEST).is_symlink():
            if any((out / n).exists() for n in (OUTCOMES_PARQUET, OUTCOMES_CSV)):
                raise StoreError(f"{out}: incomplete results folder (outcomes but no {MANIFEST}: the run that "
                                 f"wrote it did not finish); re-run it") from None
            raise StoreError(f"{out}: no {MANIFEST} (not a results folder)") from None
        raise
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise StoreError(f"{path}: too large for a manifest (over {MAX_MANIFEST_BYTES:,} bytes)")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise StoreError(f"{path}: not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise StoreError(f"{path}: invalid JSON{where}") from None
    except OSError as exc:
        raise StoreError(f"{path}: unreadable ({exc.strerror})") from None
    if not isinstance(raw, dict):
        raise StoreError(f"{path}: expected a JSON object, found a JSON {type(raw).__name__}")
    if "outcomes_sha256" not in raw and "package" in raw:
        raise StoreError(f"{path}: the folder predates results with an outcomes hash (no field "
                         f"'outcomes_sha256'); re-run it with this version")
    try:
        Manifest.model_validate(raw)
    except ValidationError as exc:
        errs = exc.errors(include_input=False)
        more = f" (and {len(errs) - 1} more)" if len(errs) > 1 else ""
        raise StoreError(f"{path}: {_field_problem(errs[0])}{more}") from None
    return raw


def read_results(out_dir: str | Path) -> tuple[pd.DataFrame, dict]:
    """The outcomes (one row per world) and the manifest of a results folder, checked
    (see the module docstring); :class:`StoreError` of one line for anything that fails."""
    out = Path(out_dir)
    manifest = read_manifest(out)
    name = manifest["outcomes_file"]
    path = inside(out, name, "outcomes file")
    try:
        if file_sha256(path) != manifest["outcomes_sha256"]:
            raise StoreError(f"{path}: content differs from the manifest's field 'outcomes_sha256' "
                             f"(changed or damaged since the run)")
        df = pd.read_parquet(path) if name == OUTCOMES_PARQUET else pd.read_csv(path)
    except StoreError:
        raise
    except OSError as exc:
        raise StoreError(f"{path}: unreadable ({exc.strerror or 'I/O error'})") from None
    except Exception as exc:  # pyarrow / pandas parse errors: never echo the content
        raise StoreError(f"{path}: not a readable {'Parquet' if name == OUTCOMES_PARQUET else 'CSV'} "
                         f"table ({type(exc).__name__})") from None
    _check_rows(path, df, manifest)
    return df, manifest


def _check_rows(path: Path, df: pd.DataFrame, manifest: dict) -> None:
    """The identifiers of the outcomes agree with the manifest."""
    n = manifest["replicates"]
    if len(df) != n:
        raise StoreError(f"{path}: {len(df)} rows, but the manifest's field 'replicates' is {n}")
    for col in ("replicate", "seed", "chunk"):
        if col not in df.columns:
            raise StoreError(f"{path}: column '{col}' missing")
    rep = np.arange(n)
    checks = (("replicate", rep), ("seed", manifest["seed"]), ("chunk", rep // manifest["chunk_size"]))
    for col, want in checks:
        try:
            ok = bool((df[col].to_numpy() == want).all())
        except (TypeError, ValueError, OverflowError):
            ok = False
        if not ok:
            field = {"replicate": "replicates", "seed": "seed", "chunk": "chunk_size"}[col]
            raise StoreError(f"{path}: column '{col}' disagrees with the manifest's field '{field}'")
