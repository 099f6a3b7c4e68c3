"""The historical record as data: claims with provenance.

A *claim* is one statement by one source about one *quantity*: a figure
(number or range, with a unit), a date (or date range), or a proposition
(``statement``: a short canonical value such as ``"Germany"`` or ``"yes"``).
Claims on the same quantity are cross-checked by :mod:`.criticism`; the
quantity name therefore carries the scope that makes two claims comparable
(``soviet.casualties.killed_wounded.aug1939`` is not compared with the
campaign total ``...campaign1939``).

Claim files live in ``nomonhan_sim/record/data/*.toml`` as ``[[claims]]``
tables and are validated on load (one-line errors, as for scenarios): regular files of
at most :data:`MAX_CLAIM_FILE_BYTES` bytes, UTF-8, nested at most :data:`MAX_DEPTH`
deep; numbers finite and never a bool or a text, ``low <= value <= high``, dates
never a number.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError, model_validator

from ..vocabulary.input_files import parse_text, path_text, read_limited, too_deep

#: The package's claim files, found with importlib.resources wherever the package is
#: installed (a :class:`~pathlib.Path` for any install in a folder: editable or wheel).
DATA_DIR: Traversable = resources.files("nomonhan_sim.record") / "data"

Grade = Literal["A", "B", "C", "D", "E"]
#: What the grades mean (the a-priori standing of the source, before cross-checks).
GRADE_MEANING = {
    "A": "archival or official figure, or a scholarly work citing archives",
    "B": "scholarly secondary work, curated database, or encyclopedia entry citing sources",
    "C": "journalism, popular history, blog or state media without citations",
    "D": "unsourced web text of unknown authorship",
    "E": "shown wrong on checkable facts",
}
GRADE_RANK = {"A": 5, "B": 4, "C": 3, "D": 2, "E": 1}
#: Largest claim file, bytes (the largest bundled one is about 125 kB).
MAX_CLAIM_FILE_BYTES = 8 * 1024 * 1024
#: Deepest nesting of tables and arrays in a claim file (claims need 3).
MAX_DEPTH = 16

#: A finite number, never a bool or a text.
_Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]


def _no_number(v: Any) -> Any:
    if isinstance(v, (bool, int, float)):
        raise ValueError(f"expected a date such as 1939-08-20, found {v!r}")
    return v


#: A date from a TOML date or an ISO text, never a number.
_Date = Annotated[dt.date, BeforeValidator(_no_number)]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ClaimSource(_M):
    """Where a claim comes from: a seed document with an exact quote, a research-note
    tag (resolved to page title and address), or a dataset record."""

    seed: str | None = Field(None, pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")
    quote: str | None = None
    tag: str | None = Field(None, pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    title: str | None = None
    url: str | None = None
    dataset: str | None = None
    section: str | None = Field(None, description="Where in the research notes, e.g. 'historical_record.md §3.1'.")
    derived: str | None = Field(None, description="Arithmetic done on sourced numbers, stated.")

    @model_validator(mode="after")
    def _one(self) -> "ClaimSource":
        kinds = [k for k in ("seed", "tag", "dataset") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(f"needs exactly one of seed, tag, dataset; found {', '.join(kinds) or 'none'}")
        if self.seed and not self.quote:
            raise ValueError("a seed source needs the exact quote")
        if self.tag and not (self.title and self.url):
            raise ValueError("a research-note tag needs its page title and url")
        return self

    @property
    def label(self) -> str:
        """Short citation: ``seed <file>``, ``[TAG]`` or the dataset's name."""
        if self.seed:
            return f"seed {self.seed}"
        if self.tag:
            return f"[{self.tag}]"
        return str(self.dataset)


class Reliability(_M):
    """A claim's a-priori reliability grade A-E (``GRADE_MEANING``) and the reason for it."""

    grade: Grade
    reason: str = Field(min_length=3)


class Claim(_M):
    """One statement by one source about one quantity: a figure (``value`` or
    ``low``-``high`` in ``unit``), a date (``date`` or ``date_low``-``date_high``) or a
    proposition (``statement``); see the module docstring."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    quantity: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    kind: Literal["figure", "date", "event", "claim"]
    value: _Number | None = None
    low: _Number | None = None
    high: _Number | None = None
    date: _Date | None = None
    date_low: _Date | None = None
    date_high: _Date | None = None
    statement: str | None = None
    unit: str = ""
    scope: str = Field(min_length=3, description="Dates, forces and operation the claim covers.")
    text: str = Field("", description="What the claim says, in a few words.")
    source: ClaimSource
    reliability: Reliability
    related: list[str] = Field(default_factory=list, description="Quantities worth showing beside this one.")

    @model_validator(mode="after")
    def _shape(self) -> "Claim":
        if self.kind == "figure":
            if self.value is None and (self.low is None or self.high is None):
                raise ValueError("a figure needs value, or low and high")
            if self.low is not None and self.high is not None and self.low > self.high:
                raise ValueError(f"expected low <= high, found low = {self.low:g}, high = {self.high:g}")
            if self.value is not None and not ((self.low is None or self.low <= self.value)
                                               and (self.high is None or self.value <= self.high)):
                raise ValueError(f"expected low <= value <= high, found value = {self.value:g} outside "
                                 f"low = {self.low}, high = {self.high}")
        elif self.kind == "date":
            if self.date is None and (self.date_low is None or self.date_high is None):
                raise ValueError("a date needs date, or date_low and date_high")
            if self.date_low and self.date_high and self.date_low > self.date_high:
                raise ValueError(f"date_low ({self.date_low}) is after date_high ({self.date_high})")
        elif not self.statement:
            raise ValueError(f"a {self.kind} needs statement (its canonical value)")
        return self

    # -- numeric view -----------------------------------------------------
    @property
    def interval(self) -> tuple[float, float] | None:
        """(low, high) as numbers: figures as given, dates as proleptic ordinals."""
        if self.kind == "figure":
            lo = self.low if self.low is not None else self.value
            hi = self.high if self.high is not None else self.value
            return float(lo), float(hi)
        if self.kind == "date":
            lo = self.date_low or self.date
            hi = self.date_high or self.date
            return float(lo.toordinal()), float(hi.toordinal())
        return None

    @property
    def shown(self) -> str:
        """The claim's value as text."""
        if self.kind == "figure":
            lo, hi = self.interval
            core = f"{lo:,.6g}" if lo == hi else f"{lo:,.6g}–{hi:,.6g}"
            return f"{core} {self.unit}".strip()
        if self.kind == "date":
            lo = self.date_low or self.date
            hi = self.date_high or self.date
            return lo.isoformat() if lo == hi else f"{lo.isoformat()} – {hi.isoformat()}"
        return str(self.statement)


class ClaimFile(_M):
    """One claim file: its ``[[claims]]`` tables."""

    claims: list[Claim] = Field(min_length=1)


class RecordError(ValueError):
    """A problem in a claim file; ``str()`` is one line."""


@dataclass(frozen=True)
class Record:
    """All claims, by id and by quantity."""

    claims: tuple[Claim, ...]

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {c.id: c for c in self.claims})

    def get(self, claim_id: str) -> Claim:
        """The claim with this id (``KeyError`` if there is none)."""
        return self._by_id[claim_id]

    def __contains__(self, claim_id: str) -> bool:
        return claim_id in self._by_id

    def by_quantity(self) -> dict[str, list[Claim]]:
        """Claims grouped by quantity name, in file order within each group."""
        out: dict[str, list[Claim]] = {}
        for c in self.claims:
            out.setdefault(c.quantity, []).append(c)
        return out

    def from_seed(self, seed: str) -> list[Claim]:
        """The claims taken from one seed document (file name ``NNN_<hex>.txt``)."""
        return [c for c in self.claims if c.source.seed == seed]

    @property
    def seeds(self) -> list[str]:
        """File names of the seed documents any claim comes from, sorted."""
        return sorted({c.source.seed for c in self.claims if c.source.seed})


def _read_claims(path: Traversable) -> dict:
    """The parsed TOML of one claim file, or RecordError (one line naming the file)."""
    if isinstance(path, Path):
        raw = read_limited(path, str(path), MAX_CLAIM_FILE_BYTES, RecordError)
    else:  # a resource inside an archive: no special files there
        raw = path.read_bytes()
        if len(raw) > MAX_CLAIM_FILE_BYTES:
            raise RecordError(f"{path}: file too large: {len(raw):,} bytes, expected at most "
                              f"{MAX_CLAIM_FILE_BYTES:,}")
    data = parse_text(raw, str(path), MAX_DEPTH, RecordError)
    deep = too_deep(data, MAX_DEPTH)
    if deep is not None:
        raise RecordError(f"{path}: {deep}: expected tables and arrays nested at most {MAX_DEPTH} deep, "
                          "found deeper nesting")
    return data


def _message(e: dict) -> str:
    """One pydantic error as ``what was expected, what was found``."""
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "missing":
        return "required field is missing"
    if e["type"] == "extra_forbidden":
        return "unknown field"
    if "found" in msg or "input" not in e or e["type"] == "value_error":
        return msg
    shown = repr(e["input"])
    return f"{msg}, found {shown if len(shown) <= 60 else shown[:57] + '...'}"


def _claim_files(directory: Traversable) -> list[Traversable]:
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if p.name.endswith(".toml") and p.is_file()),
                  key=lambda p: p.name)


def load_record(directory: str | Path | Traversable | None = None) -> Record:
    """Load and validate every ``*.toml`` claim file in ``directory`` (default: the
    package's own, :data:`DATA_DIR`).

    Cached per directory and file modification times, so repeated loads are free.
    """
    directory = directory or DATA_DIR
    if isinstance(directory, str):
        directory = Path(directory)
    stamp = tuple((p.name, p.stat().st_mtime_ns if isinstance(p, Path) else None)
                  for p in _claim_files(directory))
    return _load_record(directory, stamp)


@functools.lru_cache(maxsize=8)
def _load_record(directory: Traversable, stamp: tuple) -> Record:
    claims: list[Claim] = []
    seen: dict[str, str] = {}
    for path in _claim_files(directory):
        data = _read_claims(path)
        try:
            f = ClaimFile.model_validate(data)
        except ValidationError as exc:
            e = exc.errors(include_url=False)[0]
            raise RecordError(" ".join(f"{path}: {path_text(e['loc'])}: {_message(e)}".split())) from None
        for i, c in enumerate(f.claims):
            if c.id in seen:
                raise RecordError(f"{path}: claims[{i}].id: duplicate claim id {c.id!r} (also in {seen[c.id]})")
            seen[c.id] = path.name
            claims.append(c)
    if not claims:
        raise RecordError(f"{directory}: no claim files")
    return Record(tuple(claims))
