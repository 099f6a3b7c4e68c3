"""The scenarios that ship with the package, and how a name on the command line finds one.

The files of the repository's top-level ``scenarios/`` folder are installed as the
package ``nomonhan_sim.scenarios`` (a setuptools ``package-dir`` mapping in
``pyproject.toml``) and read here with :mod:`importlib.resources`, so they are found
the same way in an editable install, in an installed wheel and from any working
directory.

Names. A bundled scenario's *full name* is its file name without ``.toml``
(``khalkhin_gol_1939_august_frontal``). Its *short name* is what follows the battle
and the year: the full name after its first word (``_``-separated) of four digits
(``august_frontal``); a full name without such a word is its own short name.
:func:`resolve_scenario` accepts, in this order:

1. the path of an existing file;
2. a full name, with or without ``.toml``;
3. a short name, with or without ``.toml``, if exactly one bundled scenario has it.

Anything else is a :class:`~nomonhan_sim.scenario.loader.ScenarioError` with a
one-line message that suggests the closest name (:mod:`difflib`).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..vocabulary.defaults import DEFAULT_SCENARIO
from .loader import LoadedScenario, ScenarioError, load_scenario
from .quantity import bounds, nominal

#: The package that holds the bundled scenario files.
PACKAGE = "nomonhan_sim.scenarios"
#: Where a command-line user is told to look for the names.
LIST_HINT = "python -m nomonhan_sim list shows them"

_YEAR = re.compile(r"\d{4}")
_files_kept_open = contextlib.ExitStack()  # real files for resources not on disk (zip imports)
atexit.register(_files_kept_open.close)


@dataclass(frozen=True)
class BundledScenario:
    """One scenario file shipped with the package."""

    name: str  #: full name: the file name without ``.toml``
    short_name: str  #: the full name after its battle and year (see the module docstring)
    path: Path  #: a real file, loadable with :func:`load_scenario`

    def load(self) -> LoadedScenario:
        """Load and validate this bundled scenario file."""
        return load_scenario(self.path)


def short_name(name: str) -> str:
    """``khalkhin_gol_1939_august_frontal`` -> ``august_frontal``: the words after the
    first four-digit word; the name itself if it has none (or nothing follows it)."""
    words = name.split("_")
    for i, w in enumerate(words[:-1]):
        if _YEAR.fullmatch(w):
            return "_".join(words[i + 1:])
    return name


def _real_path(res) -> Path:
    if isinstance(res, Path):  # any package installed in a folder (editable, wheel)
        return res
    return _files_kept_open.enter_context(resources.as_file(res))


def bundled_scenarios() -> list[BundledScenario]:
    """Every bundled scenario, sorted by full name."""
    found = [r for r in resources.files(PACKAGE).iterdir() if r.name.endswith(".toml") and r.is_file()]
    return [BundledScenario(name=r.name.removesuffix(".toml"), short_name=short_name(r.name.removesuffix(".toml")),
                            path=_real_path(r))
            for r in sorted(found, key=lambda r: r.name)]


def _looks_like_a_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith(("~", "."))


def resolve_scenario(text: str | Path | None = None) -> Path:
    """The scenario file that ``text`` names (see the module docstring for the rules);
    ``None`` names :data:`~nomonhan_sim.vocabulary.defaults.DEFAULT_SCENARIO`.

    Raises :class:`ScenarioError` with a one-line message if it names nothing.
    """
    text = DEFAULT_SCENARIO if text is None else text
    p = Path(text)
    if isinstance(text, Path) or p.is_file() or (p.exists() and (not p.is_dir() or _looks_like_a_path(text))):
        return p  # a special file (a FIFO, /dev/zero, a folder's path) too: the loader says why it is refused
    scenarios = bundled_scenarios()
    name = text.removesuffix(".toml")
    if _looks_like_a_path(text):
        same = [s for s in scenarios if Path(name).name in (s.name, s.short_name)]
        hint = f" (the bundled scenario {same[0].short_name!r} has that name)" if len(same) == 1 else ""
        raise ScenarioError(f"{text}: file not found{hint}")
    for s in scenarios:
        if name == s.name:
            return s.path
    short = [s for s in scenarios if name == s.short_name]
    if len(short) == 1:
        return short[0].path
    if short:
        raise ScenarioError(f"{text}: more than one bundled scenario has that short name "
                            f"({', '.join(s.name for s in short)}); give the full name")
    names = [n for s in scenarios for n in (s.short_name, s.name)]
    close = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    raise ScenarioError(f"{text}: no such file or bundled scenario{guess} ({LIST_HINT})")


# --- the `list` table -----------------------------------------------------------------

def _count(x: float) -> str:
    return f"{x:,.0f}"


def men_text(sc: LoadedScenario, side: str) -> str:
    """The side's men at the start: the sum of its units' personnel, as ``low–high``
    when some are uncertain and bounded, else the sum of nominal values."""
    qs = [u.personnel for u in sc.model.units if u.side == side]
    lo = sum(bounds(q)[0] for q in qs)
    hi = sum(bounds(q)[1] for q in qs)
    if lo == hi:
        return _count(lo)
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{_count(lo)}–{_count(hi)}"
    return f"~{_count(sum(nominal(q) for q in qs))}"


def period_text(sc: LoadedScenario) -> str:
    """``20 Aug 05:45 – 1 Sep 1939 05:45``: the engine's start to start + duration."""
    start = sc.model.engine.start
    end = start + dt.timedelta(hours=sc.model.engine.duration_hours)

    first = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"{first} {start:%H:%M} – {end.day} {end:%b %Y %H:%M}"


def duration_text(sc: LoadedScenario) -> str:
    """``288 h (12 days)``: the simulated span."""
    hours = sc.model.engine.duration_hours
    return f"{hours:g} h ({hours / 24:.3g} days)"


def area_text(sc: LoadedScenario) -> str:
    """``56 × 58 km (3,248 km²) over the 21 places units start at or are ordered to, of 24``:
    the bounding box of the battle's places (the rear, railheads and the like left out when
    no unit goes there)."""
    used = ({u.start for u in sc.model.units} | {o.objective for o in sc.model.orders if o.objective}
            | {v for o in sc.model.orders for v in o.via})
    places = [p for p in sc.model.places if p.id in used] or list(sc.model.places)
    xs, ys = [p.x_km for p in places], [p.y_km for p in places]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    return (f"{w:,.0f} × {h:,.0f} km ({w * h:,.0f} km²) over the {len(places)} places units start at or "
            f"are ordered to, of {len(sc.model.places)}")


def scale_text(sc: LoadedScenario) -> str:
    """Units, men per side (a sum, or a range where strengths are uncertain) and area."""
    men = ", ".join(f"{side} {men_text(sc, side)}" for side in sc.model.sides)
    return f"{len(sc.model.units)} units; men {men}; area {area_text(sc)}"


def record_text(sc: LoadedScenario) -> str:
    """Whether the scenario is compared with the historical record (its [[compare]] entries)."""
    n = len(sc.model.compare)
    return f"yes ({n} outcome{'s' if n != 1 else ''} compared)" if n else "no (no [[compare]] entries)"


def base_text(sc: LoadedScenario, scenarios: list[BundledScenario]) -> str | None:
    """The chain of bases of an inheriting scenario, by bundled short name where it is one."""
    if not sc.bases:
        return None
    by_path = {}
    for s in scenarios:
        with contextlib.suppress(OSError):
            by_path[s.path.resolve()] = f"{s.short_name} ({s.name})"
    names = []
    for b in sc.bases:
        try:
            names.append(by_path.get(Path(b).resolve(), b))
        except OSError:
            names.append(b)
    return names[0] + "".join(f", which inherits from {n}" for n in names[1:])


def format_scenario_list(scenarios: list[BundledScenario] | None = None) -> str:
    """The listing printed by ``python -m nomonhan_sim list``: per bundled scenario its short
    and full name, then one line each for its base (a variant), the question it asks, the
    period and simulated duration, its scale (units, men per side, places and the area
    they span) and whether it is compared with the historical record."""
    scenarios = bundled_scenarios() if scenarios is None else scenarios
    default = short_name(DEFAULT_SCENARIO)
    out = [f"Bundled scenarios (run one with: python -m nomonhan_sim run NAME; default {default}):"]
    for s in scenarios:
        sc = s.load()
        rows = [("base", base_text(sc, scenarios)),
                ("question", sc.model.scenario.question or "(no question stated)"),
                ("period", f"{period_text(sc)}; {duration_text(sc)} simulated"),
                ("scale", scale_text(sc)),
                ("record", record_text(sc))]
        out += ["", f"{s.short_name}  {s.name}"]
        out += [f"  {label:<9} {text}" for label, text in rows if text is not None]
    return "\n".join(out)
