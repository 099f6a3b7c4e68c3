"""Write and read a results folder: outcomes (Parquet or CSV), the scenario, a JSON manifest.

A results folder is self-contained: besides the outcomes it holds a copy of the
run's scenario (the exact bytes of the scenario file as ``scenario.toml`` when
the file still has the run's content, otherwise the scenario as data,
``LoadedScenario.to_dict()``, as ``scenario.json``), and the manifest names both
by paths relative to the folder, so the folder can be moved, copied or shared
and still compares and reports. The Parquet file carries the manifest too, as
key-value metadata under :data:`PARQUET_MANIFEST_KEY`. The files and every
column are described in ``docs/results.md``.

Files are written to a temporary folder inside the target and moved into place
only when all of them are complete (the manifest last), so a failed run leaves
nothing half-written. A folder that is not empty is not written into unless
``force=True``; then the new files replace the old ones, and results files the
new run does not write (the outcomes file of the other format, the other
scenario copy, a ``report.html`` of the old results) are removed. Files of other
names are left alone.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

OUTCOMES_PARQUET = "outcomes.parquet"
OUTCOMES_CSV = "outcomes.csv"
MANIFEST = "manifest.json"
SCENARIO_TOML = "scenario.toml"
SCENARIO_JSON = "scenario.json"
REPORT = "report.html"
#: every file a results folder may hold (a ``--force`` run removes the ones it does not write)
RESULT_FILES = (OUTCOMES_PARQUET, OUTCOMES_CSV, SCENARIO_TOML, SCENARIO_JSON, REPORT, MANIFEST)
#: key of the manifest (JSON) in the Parquet file's schema metadata
PARQUET_MANIFEST_KEY = "nomonhan_sim.manifest"
FORMATS = ("parquet", "csv")


class StoreError(OSError):
    """A results folder that cannot be written or read; ``str()`` is one line."""


def check_target(out_dir: str | Path, force: bool = False,
                 hint: str = "use --force to replace its results") -> None:
    """Raise :class:`StoreError` if ``out_dir`` exists and is not empty, unless ``force``.

    Changes nothing on disk; ``run --out`` calls it before the simulation starts.
    """
    out = Path(out_dir)
    if force or not out.exists():
        return
    if not out.is_dir():
        raise StoreError(f"{out}: not a folder")
    try:
        n = sum(1 for _ in out.iterdir())
    except OSError as exc:
        raise StoreError(f"{out}: cannot read folder ({exc.strerror})") from None
    if n:
        raise StoreError(f"{out}: not empty ({n} file{'s' if n != 1 else ''}); {hint}")


def _scenario_copy(scenario, tmp: Path, sha256: str) -> str:
    """Write the scenario into ``tmp``; return its file name. The copy loads to ``sha256``."""
    from ..scenario.loader import ScenarioError, load_scenario

    src = Path(scenario.path)
    candidates = []
    if src.is_file():  # the file as it is now, if it still has the run's content
        name = SCENARIO_JSON if src.suffix.lower() == ".json" else SCENARIO_TOML
        try:
            candidates.append((name, src.read_bytes()))
        except OSError:
            pass
    candidates.append((SCENARIO_JSON, (json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False)
                                       + "\n").encode("utf-8")))
    for name, data in candidates:
        (tmp / name).write_bytes(data)
        try:
            ok = load_scenario(tmp / name).sha256 == sha256
        except ScenarioError:
            ok = False
        if ok:
            return name
        (tmp / name).unlink()
    raise StoreError(f"{scenario.path}: cannot copy the scenario into the results folder "
                     f"(no copy loads to the run's sha256 {sha256[:12]})")


def _origin_scenario(manifest: dict):
    """The scenario named by the manifest's origin, if that file still has the run's hash."""
    from ..scenario.loader import ScenarioError, load_scenario

    origin = manifest.get("scenario_origin") or manifest.get("scenario_path")
    if not origin or not Path(origin).is_file():
        return None
    try:
        sc = load_scenario(origin)
    except ScenarioError:
        return None
    return sc if sc.sha256 == manifest.get("scenario_sha256") else None


@contextlib.contextmanager
def staging_folder(out: Path, what: str = "results"):
    """A temporary ``.partial-*`` folder inside ``out`` (created if need be) to write
    files into before they are moved into place; removed afterwards whatever happens.
    An ``OSError`` becomes a one-line :class:`StoreError` naming ``out`` and ``what``."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    except OSError as exc:
        raise StoreError(f"{out}: cannot create {what} folder ({exc.strerror})") from None
    try:
        yield tmp
    except OSError as exc:
        raise StoreError(f"{out}: cannot write {what} ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_results(out_dir: str | Path, outcomes: pd.DataFrame, manifest: dict, fmt: str = "parquet", *,
                  scenario=None, force: bool = False) -> Path:
    """Write a self-contained results folder; return its path.

    ``outcomes``: one row per replicate world (see ``docs/results.md``).
    ``manifest``: the run's identity (``ExperimentResult.manifest``); it must hold
    ``scenario_sha256``. ``fmt``: ``"parquet"`` (default) or ``"csv"``.
    ``scenario``: the run's :class:`LoadedScenario`, copied into the folder; default:
    the file named by the manifest's ``scenario_origin``, if it still has the run's hash.
    ``force``: write into a folder that is not empty (see the module docstring);
    without it such a folder raises :class:`StoreError` and nothing changes.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, found {fmt!r}")
    out = Path(out_dir)
    check_target(out, force, hint="pass force=True to replace its results")
    man = dict(manifest)
    if "scenario_path" in man:  # a manifest of an older version: the path is information only
        man.setdefault("scenario_origin", man.pop("scenario_path"))
    sha = man.get("scenario_sha256")
    if not sha:
        raise StoreError(f"{out}: the manifest has no scenario_sha256")
    if scenario is None:
        scenario = _origin_scenario(man)
        if scenario is None:
            raise StoreError(f"{out}: no scenario to copy into the results folder "
                             f"(pass scenario=, the run's LoadedScenario)")
    elif scenario.sha256 != sha:
        raise StoreError(f"{out}: the scenario given (sha256 {scenario.sha256[:12]}) is not the run's "
                         f"(manifest {str(sha)[:12]})")
    with staging_folder(out) as tmp:
        scen_name = _scenario_copy(scenario, tmp, sha)
        name = OUTCOMES_PARQUET if fmt == "parquet" else OUTCOMES_CSV
        man["outcomes_file"] = name
        man["scenario_file"] = scen_name
        if fmt == "parquet":
            _write_parquet(outcomes, tmp / name, man)
        else:
            outcomes.to_csv(tmp / name, index=False)
        (tmp / MANIFEST).write_text(json.dumps(man, indent=2) + "\n", encoding="utf-8")
        new = {name, scen_name, MANIFEST}
        # no manifest while files change: the folder is either the old results or the new
        (out / MANIFEST).unlink(missing_ok=True)
        for f in RESULT_FILES:
            if f not in new:
                (out / f).unlink(missing_ok=True)
        for f in (name, scen_name, MANIFEST):
            (tmp / f).replace(out / f)
    return out


def _write_parquet(df: pd.DataFrame, path: Path, manifest: dict) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[PARQUET_MANIFEST_KEY.encode()] = json.dumps(manifest).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), path)


def parquet_manifest(path: str | Path) -> dict | None:
    """The manifest stored in an outcomes Parquet file's metadata (``None`` if it has none)."""
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(PARQUET_MANIFEST_KEY.encode())
    return json.loads(raw) if raw is not None else None


def read_results(out_dir: str | Path) -> tuple[pd.DataFrame, dict]:
    """The outcomes (one row per world) and the manifest of a results folder."""
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


def results_scenario(out_dir: str | Path, manifest: dict):
    """The scenario copy of a results folder, checked against the manifest's hash.

    Raises :class:`StoreError` (one line) when the copy is missing or its content
    differs from the run's (``scenario_sha256``). A folder written before results
    kept their scenario falls back to the manifest's ``scenario_path``.
    """
    out = Path(out_dir)
    name = manifest.get("scenario_file")
    if name:
        path = out / name
        if not path.is_file():
            raise StoreError(f"{path}: the results folder's scenario copy is missing; give --scenario")
    elif manifest.get("scenario_path"):
        path = Path(manifest["scenario_path"])
    else:
        raise StoreError(f"{out}/{MANIFEST}: field 'scenario_file' missing; give --scenario")
    return run_scenario(path, manifest)


def run_scenario(path: str | Path, manifest: dict):
    """Load the scenario at ``path`` and check it is the one the run used (``scenario_sha256``);
    :class:`StoreError` (one line) if its content differs."""
    from ..scenario.loader import load_scenario

    sc = load_scenario(path)
    want = manifest.get("scenario_sha256")
    if want and sc.sha256 != want:
        raise StoreError(f"{path}: scenario changed since the run (sha256 {sc.sha256[:12]}, manifest "
                         f"{str(want)[:12]}); give --scenario with the file the run used")
    return sc
