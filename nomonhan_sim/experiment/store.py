"""Write and read a results folder: outcomes (Parquet or CSV), the scenario, a JSON manifest.

A results folder is self-contained: besides the outcomes it holds a copy of the
run's scenario (the exact bytes of the scenario file as ``scenario.toml`` when
the file still has the run's content and has no ``base``, otherwise the scenario
as data, merged, ``LoadedScenario.to_dict()``, as ``scenario.json``), and the manifest names both
by paths relative to the folder, so the folder can be moved, copied or shared
and still compares and reports. The Parquet file carries the manifest too, as
key-value metadata under :data:`PARQUET_MANIFEST_KEY` (without ``outcomes_sha256``,
the hash of the file itself). The files and every column are described in
``docs/results.md``, with the guarantees below ("Crash safety and integrity").

**Writing** (:class:`ResultsStaging`, :func:`write_results`). Every file is written
under a temporary name, flushed to disk (fsync) and renamed into place; the files
go into a staging folder ``.partial-nomonhan_sim-<pid>-<hex>`` and the manifest,
which records the outcomes file's sha256, is written last:

- a new (or empty) target: the staging folder sits beside it and becomes the target
  by one atomic rename, so the target is either absent or complete;
- a target that is not empty (only with ``force=True``): the staging folder sits
  inside it; the old manifest is removed first, so while files are replaced the
  folder reads as incomplete, then the new files are moved in and the manifest
  last. Results files the new run does not write (the outcomes file of the other
  format, the other scenario copy, a ``report.html`` of the old results) are
  removed; files of other names are left alone.

Staging folders of runs that were killed (their pid no longer running) are removed
at the start of the next write into the same place.

**Reading** (:func:`read_results`, :func:`results_scenario`): every check is in
:mod:`nomonhan_sim.experiment.manifest`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import threading
from pathlib import Path

import pandas as pd

from .manifest import (MANIFEST, OUTCOMES_CSV, OUTCOMES_PARQUET, SCENARIO_JSON, SCENARIO_TOML, StoreError,
                       file_sha256, inside, read_manifest, read_results)

REPORT = "report.html"
#: every file a results folder may hold (a ``--force`` run removes the ones it does not write)
RESULT_FILES = (OUTCOMES_PARQUET, OUTCOMES_CSV, SCENARIO_TOML, SCENARIO_JSON, REPORT, MANIFEST)
#: key of the manifest (JSON) in the Parquet file's schema metadata
PARQUET_MANIFEST_KEY = "nomonhan_sim.manifest"
FORMATS = ("parquet", "csv")
#: name prefix of staging folders; the pid of the writing process and 8 hex digits follow
PARTIAL_PREFIX = ".partial-nomonhan_sim-"
_PARTIAL_RE = re.compile(r"^\.partial-nomonhan_sim-([0-9]{1,10})-[0-9a-f]{8}$")



# -- staging folders -----------------------------------------------------------------------

def _pid_running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid > 0  # another user's process: running
    return True


def clean_stale_partials(folder: str | Path) -> list[Path]:
    """Remove the staging folders in ``folder`` left by runs that were killed: only
    folders named like this module's (``.partial-nomonhan_sim-<pid>-<hex>``, not links)
    whose pid is not running. Returns the folders removed; errors are ignored."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _PARTIAL_RE.match(e.name)
        if m is None or not e.is_dir(follow_symlinks=False) or _pid_running(int(m.group(1))):
            continue
        shutil.rmtree(e.path, ignore_errors=True)
        removed.append(Path(e.path))
    return removed


def _new_partial(parent: Path) -> Path:
    """Create an empty staging folder in ``parent`` (mode from the umask, like any folder)."""
    while True:
        path = parent / f"{PARTIAL_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_atomic(path: Path, write) -> None:
    """``write(tmp_path)``, fsync the file, rename it to ``path``."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_deferred():
    """SIGINT and SIGTERM held back (delivered on exit) while files are moved into place."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def check_target(out_dir: str | Path, force: bool = False,
                 hint: str = "use --force to replace its results") -> None:
    """Raise :class:`StoreError` if ``out_dir`` exists and is not empty, unless ``force``.

    Changes nothing on disk but leftover staging folders of killed runs."""
    out = Path(out_dir)
    if out.is_dir():
        clean_stale_partials(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise StoreError(f"{out}: not a folder")
    if force:
        return
    try:
        n = sum(1 for _ in out.iterdir())
    except OSError as exc:
        raise StoreError(f"{out}: cannot read folder ({exc.strerror})") from None
    if n:
        raise StoreError(f"{out}: not empty ({n} file{'s' if n != 1 else ''}); {hint}")


@contextlib.contextmanager
def staging_folder(out: Path, what: str = "results"):
    """A staging folder inside ``out`` (created if need be) to write files into before
    they are moved into place; removed afterwards whatever happens. An ``OSError``
    becomes a one-line :class:`StoreError` naming ``out`` and ``what``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        clean_stale_partials(out)
        tmp = _new_partial(out)
    except OSError as exc:
        raise StoreError(f"{out}: cannot create {what} folder ({exc.strerror})") from None
    try:
        yield tmp
    except OSError as exc:
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"{out}: cannot write {what} ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class ResultsStaging:
    """A results folder being written: ``with ResultsStaging(out, force) as st: ...;
    st.commit(outcomes, manifest, fmt, scenario)``.

    Entering checks the target (:func:`check_target`), removes staging folders of killed
    runs beside and inside it and creates this run's, so an unwritable place fails before
    a long run; leaving removes the staging folder whatever happened (an exception, or
    SIGTERM turned into one). Nothing appears at ``out`` before :meth:`commit`."""

    def __init__(self, out_dir: str | Path, force: bool = False,
                 hint: str = "use --force to replace its results"):
        self.out, self.force, self.hint = Path(out_dir), force, hint
        self.tmp: Path | None = None
        self.in_place = False

    def __enter__(self) -> "ResultsStaging":
        out = self.out
        check_target(out, self.force, self.hint)
        self.in_place = out.is_dir() and any(out.iterdir())  # only with force
        parent = out if self.in_place else out.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            if not self.in_place:
                clean_stale_partials(parent)
            self.tmp = _new_partial(parent)
        except OSError as exc:
            raise StoreError(f"{out}: cannot create results folder ({exc.strerror or exc})") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def commit(self, outcomes: pd.DataFrame, manifest: dict, fmt: str = "parquet", scenario=None) -> Path:
        """Write the folder (see :func:`write_results` for the arguments); return its path."""
        if self.tmp is None:
            raise RuntimeError("ResultsStaging.commit outside its with block")
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, found {fmt!r}")
        out, tmp = self.out, self.tmp
        man = {k: v for k, v in manifest.items() if k != "outcomes_sha256"}
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
        try:
            scen_name = _scenario_copy(scenario, tmp, sha)
            name = OUTCOMES_PARQUET if fmt == "parquet" else OUTCOMES_CSV
            man["outcomes_file"] = name
            man["scenario_file"] = scen_name
            if fmt == "parquet":
                _write_atomic(tmp / name, lambda p: _write_parquet(outcomes, p, man))
            else:
                _write_atomic(tmp / name, lambda p: outcomes.to_csv(p, index=False))
            man["outcomes_sha256"] = file_sha256(tmp / name)
            text = json.dumps(man, indent=2) + "\n"
            _write_atomic(tmp / MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))
            _fsync_dir(tmp)
            with _signals_deferred():
                if self.in_place:
                    self._replace_in_place((name, scen_name))
                else:
                    os.replace(tmp, out)  # atomic; replaces an empty folder
                    self.tmp = None
                    _fsync_dir(out.absolute().parent)
        except StoreError:
            raise
        except OSError as exc:
            if not self.in_place and out.is_dir() and any(out.iterdir()):
                raise StoreError(f"{out}: a file appeared in the folder while the run was writing; "
                                 f"nothing written") from None
            raise StoreError(f"{out}: cannot write results ({exc.strerror or exc})") from None
        return out

    def _replace_in_place(self, names: tuple[str, str]) -> None:
        out, tmp = self.out, self.tmp
        # no manifest while files change: the folder reads as incomplete, never as a mix
        (out / MANIFEST).unlink(missing_ok=True)
        _fsync_dir(out)
        for f in RESULT_FILES:
            if f not in names and f != MANIFEST:
                (out / f).unlink(missing_ok=True)
        for f in names:
            os.replace(tmp / f, out / f)
        _fsync_dir(out)
        os.replace(tmp / MANIFEST, out / MANIFEST)
        _fsync_dir(out)


def write_results(out_dir: str | Path, outcomes: pd.DataFrame, manifest: dict, fmt: str = "parquet", *,
                  scenario=None, force: bool = False) -> Path:
    """Write a self-contained results folder; return its path.

    ``outcomes``: one row per replicate world (see ``docs/results.md``).
    ``manifest``: the run's identity (``ExperimentResult.manifest``); it must hold
    ``scenario_sha256``; ``outcomes_file``, ``scenario_file`` and ``outcomes_sha256``
    are set here. ``fmt``: ``"parquet"`` (default) or ``"csv"``.
    ``scenario``: the run's :class:`LoadedScenario`, copied into the folder; default:
    the file named by the manifest's ``scenario_origin``, if it still has the run's hash.
    ``force``: write into a folder that is not empty (see the module docstring);
    without it such a folder raises :class:`StoreError` and nothing changes.
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, found {fmt!r}")
    with ResultsStaging(out_dir, force, hint="pass force=True to replace its results") as st:
        return st.commit(outcomes, manifest, fmt, scenario)


def _scenario_copy(scenario, tmp: Path, sha256: str) -> str:
    """Write the scenario into ``tmp``; return its file name. The copy loads to ``sha256``."""
    from ..scenario.loader import ScenarioError, load_scenario

    src = Path(scenario.path)
    candidates = []
    # the file as it is now, if it still has the run's content; an inheriting file (bases) is
    # saved merged, as data, so that the copy does not depend on its base files
    if src.is_file() and not getattr(scenario, "bases", ()):
        name = SCENARIO_JSON if src.suffix.lower() == ".json" else SCENARIO_TOML
        try:
            candidates.append((name, src.read_bytes()))
        except OSError:
            pass
    candidates.append((SCENARIO_JSON, (json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False)
                                       + "\n").encode("utf-8")))
    for name, data in candidates:
        _write_atomic(tmp / name, lambda p, data=data: p.write_bytes(data))
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
    """The scenario named by the manifest's origin, if that file still has the run's hash
    (writing only: ``manifest`` is the caller's, not one read from a folder)."""
    from ..scenario.loader import ScenarioError, load_scenario

    origin = manifest.get("scenario_origin") or manifest.get("scenario_path")
    if not origin or not Path(origin).is_file():
        return None
    try:
        sc = load_scenario(origin)
    except ScenarioError:
        return None
    return sc if sc.sha256 == manifest.get("scenario_sha256") else None


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


# -- reading -------------------------------------------------------------------------------

def results_scenario(out_dir: str | Path, manifest: dict):
    """The scenario copy of a results folder, checked against the manifest's hash.

    Raises :class:`StoreError` (one line) when the copy is missing, lies outside the
    folder, or its content differs from the run's (``scenario_sha256``)."""
    out = Path(out_dir)
    name = manifest.get("scenario_file")
    if not name:
        raise StoreError(f"{out}/{MANIFEST}: field 'scenario_file' missing; give --scenario")
    try:
        path = inside(out, name, "the results folder's scenario copy")
    except ValueError:
        raise StoreError(f"{out}/{MANIFEST}: field 'scenario_file': must be a plain file name") from None
    except StoreError as exc:
        raise StoreError(f"{exc}; give --scenario") from None
    return run_scenario(path, manifest)


def run_scenario(path: str | Path, manifest: dict):
    """Load the scenario at ``path`` and check it is the one the run used (``scenario_sha256``);
    :class:`StoreError` (one line) if its content differs."""
    from ..scenario.loader import load_scenario

    sc = load_scenario(path)
    want = manifest.get("scenario_sha256")
    if want and sc.sha256 != want:
        raise StoreError(f"{path}: scenario changed since the run (sha256 {sc.sha256[:12]}, manifest "
                         f"{str(want)[:12]}; the hash covers the file and the package's default "
                         f"parameters it uses); give --scenario with the file the run used, or rerun")
    return sc
