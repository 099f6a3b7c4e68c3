"""Bases, writing and paths for the fuzz corpus (tests/fuzz/mutations.py), and the
helpers its families share.

Bases: the test fixtures (``tests/fixtures/*.toml``) and the bundled scenarios
(``scenarios/*.toml``), parsed once. A mutated mapping is written back as TOML (one
``key = inline value`` line per top-level key; nan and inf as TOML writes them) or as
JSON. Paths into the parsed data are tuples of keys and indices, shown as the loader
names a field (``units[3].personnel``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import pickle
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from nomonhan_sim.vocabulary.input_files import path_text

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
BUNDLED = ROOT / "scenarios"
#: Share of mutants built on a bundled scenario (150 kB each, slower) rather than a fixture.
BUNDLED_SHARE = 0.15
#: Share of data-level mutants written as JSON.
JSON_SHARE = 0.125

MAX_FILE_BYTES = 4 * 1024 * 1024  # nomonhan_sim.scenario.limits.MAX_FILE_BYTES (checked by the tests)


# --- bases ---------------------------------------------------------------------------
@cache
def base_names() -> tuple[str, ...]:
    """Names (``fixtures/duel.toml``, ``scenarios/...``) of the base files, sorted."""
    fx = sorted(f"fixtures/{p.name}" for p in FIXTURES.glob("*.toml"))
    bd = sorted(f"scenarios/{p.name}" for p in BUNDLED.glob("*.toml"))
    return tuple(fx + bd)


def base_path(name: str) -> Path:
    """The file of a base name."""
    return (FIXTURES if name.startswith("fixtures/") else BUNDLED) / name.split("/", 1)[1]


@cache
def _base_pickle(name: str) -> bytes:
    path = base_path(name)
    data = tomllib.loads(path.read_text("utf-8"))
    if "base" in data:  # an inheriting variant: its merged table (nomonhan_sim.scenario.inherit)
        from nomonhan_sim.scenario import ScenarioError
        from nomonhan_sim.scenario.inherit import inherit

        data = inherit(data, str(path), path.parent, None, ScenarioError).data
    return pickle.dumps(data)


def base_data(name: str) -> dict:
    """A fresh copy of the parsed base."""
    return pickle.loads(_base_pickle(name))


@cache
def base_text(name: str) -> str:
    """The base's text."""
    return base_path(name).read_text("utf-8")


# --- writing -------------------------------------------------------------------------
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE.match(k) else json.dumps(k, ensure_ascii=False)


def toml_value(v: Any) -> str:
    """``v`` as an inline TOML value (nan and inf as TOML writes them)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def dump_toml(data: dict) -> str:
    """``data`` as TOML, one ``key = <inline value>`` line per top-level key."""
    return "".join(f"{_key(k)} = {toml_value(v)}\n" for k, v in data.items())


def dump_json(data: dict) -> str:
    """``data`` as JSON (date-times as ISO text, nan and inf as Python's json writes them)."""
    return json.dumps(data, default=lambda o: o.isoformat(), ensure_ascii=False)


# --- paths in the parsed data ----------------------------------------------------------
Path_ = tuple  # keys and indices from the top


def show(path: Path_) -> str:
    """A path as the loader names a field: ``units[3].personnel`` (``""`` for the empty path)."""
    return path_text(path) if path else ""


def pattern(path: Path_) -> str:
    """A path with list indices blanked: ``units[].personnel``."""
    return re.sub(r"\[\d+\]", "[]", show(path))


def get(data: Any, path: Path_) -> Any:
    for k in path:
        data = data[k]
    return data


def put(data: Any, path: Path_, value: Any) -> None:
    get(data, path[:-1])[path[-1]] = value


def leaves(data: Any, test: Callable[[Any], bool], path: Path_ = ()) -> list[Path_]:
    """Paths of the leaves for which ``test`` holds, in file order."""
    out: list[Path_] = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += leaves(v, test, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += leaves(v, test, path + (i,))
    elif test(data):
        out.append(path)
    return out


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_DIST_KEYS = {"value", "low", "high", "mode", "mean", "sd", "median", "sigma"}


def quantity_of(data: dict, path: Path_) -> Path_:
    """The quantity a leaf belongs to: its distribution table's path for a distribution
    parameter (``units[0].personnel`` for ``units[0].personnel.low``), else the leaf."""
    if path and path[-1] in _DIST_KEYS and isinstance(get(data, path[:-1]), dict) \
            and "dist" in get(data, path[:-1]):
        return path[:-1]
    return path


@dataclass(frozen=True)
class Built:
    """A built mutant: the file's bytes and what its error line must name."""

    content: bytes
    suffix: str                 # ".toml" or ".json"
    field: str | None           # the field path the line must contain (None: the whole file)
    words: tuple[str, ...]      # further words the line must contain
    base: str
    note: str                   # what was done, for failure messages


class Skip(Exception):
    """This base lacks what the family breaks: try another base."""

# --- helpers for the families ----------------------------------------------------------
def choice(rng: np.random.Generator, items: list) -> Any:
    if not items:
        raise Skip
    return items[int(rng.integers(len(items)))]


def data_mutant(rng, base: str, data: dict, field: str | None, note: str,
                 words: tuple[str, ...] = (), json_ok: bool = True) -> Built:
    if json_ok and rng.random() < JSON_SHARE:
        return Built(dump_json(data).encode("utf-8"), ".json", field, words, base, note)
    return Built(dump_toml(data).encode("utf-8"), ".toml", field, words, base, note)


def set_leaf(rng, base: str, family: str, pick: Callable[[str], bool], values: list,
              json_ok: bool = True) -> Built:
    """Set one numeric leaf whose pattern ``pick`` accepts to one of ``values``."""
    data = base_data(base)
    path = choice(rng, [p for p in leaves(data, is_number) if pick(pattern(p))])
    value = values[int(rng.integers(len(values)))]
    put(data, path, value)
    return data_mutant(rng, base, data, show(quantity_of(data, path)),
                        f"{family}: {show(path)} = {value!r}", json_ok=json_ok)


def matches(*regexes: str) -> Callable[[str], bool]:
    rx = re.compile("|".join(f"(?:{r})" for r in regexes))
    return lambda p: rx.fullmatch(p) is not None


def set_parameter(rng, base: str, names: list[str], values: list, note: str) -> Built:
    data = base_data(base)
    name = choice(rng, names)
    value = values[int(rng.integers(len(values)))]
    params = data.setdefault("parameters", {})
    if rng.random() < 0.3:  # per side
        side = choice(rng, list(data["sides"]))
        params[name] = {side: {"value": value, "source": "estimate: fuzz"}}
        field = f"parameters.{name}.{side}.value"
    else:
        params[name] = {"value": value, "source": "estimate: fuzz"}
        field = f"parameters.{name}.value"
    return data_mutant(rng, base, data, field, f"{note}: {field} = {value!r}")


def skip():
    """Raise :class:`Skip` (usable inside an expression)."""
    raise Skip


