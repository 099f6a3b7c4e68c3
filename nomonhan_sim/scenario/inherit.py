"""Scenario inheritance: a variant names a ``base`` and states only what differs.

A scenario file (the *variant*) with a top-level ``base = "..."`` is its base's raw
table with the variant's raw table merged over it, before any validation; the merged
table is then validated like any scenario file. ``base`` is a path relative to the
variant's folder (``base = "my_august.toml"``), else a bundled scenario's full or short
name (``base = "khalkhin_gol_1939_august"``), never a path relative to the working
folder, so a variant loads the same from anywhere. Files are data, never code.

Merge rules (base first, then ``remove``, then the variant's keys):

* **tables** merge key by key, recursively (``[engine]`` with one key changes that key);
  a key the base lacks is added; any other value replaces the base's whole;
* a **distribution** (a table with ``dist``) is one value: it replaces whole, and is
  replaced whole; so does a ``[parameters.<name>]`` entry given for one side where the
  base gives one for both (or the reverse);
* **lists of items by key** merge item by item: ``places``, ``units``, ``phases``,
  ``logistics.depots`` by ``id``, ``logistics.fleets`` by ``name``, ``compare`` by
  ``outcome``, ``routes`` by their pair of places (``from``, ``to`` in either order). A
  variant item whose key the base has merges into that item (its keys over the base's,
  by the table rule); a new key is appended after the base's items;
* **orders**: the variant's ``[[orders]]`` for a unit replace *all* of that unit's base
  orders; the other units keep theirs. The variant's orders go, in its own order, where
  the first replaced base order stood (at the end if they replace none);
* **every other list** (``via``, ``supply_sources``, ``replacements``,
  ``logistics.consumption`` ...) replaces the base's whole.

Removing: a ``[remove]`` table mirrors the scenario's shape. Under a list of items by key
it lists the keys of the base's items to drop (``units = ["mcd_6"]``; ``routes = [["a",
"b"]]``; ``orders = ["mab8"]`` drops that unit's orders); ``true`` at any key drops that
key (``logistics.buildup_start = true``, ``parameters.x = true``, ``replacements = true``).
Everything named must exist in the base. Removal applies to the base before the
variant's keys merge, so an item removed and given again is replaced whole (at the end).

A base may itself have a base, up to :data:`MAX_BASES` files above the variant; a cycle
is refused. Every error is one line naming the file it is in, the field and what is
wrong; a validation error of the merged scenario names the file and line the field came
from, ``VARIANT:LINE: FIELD: what`` (a field inherited from a base:
``BASE:LINE (inherited by VARIANT): FIELD: what``), field paths as in that file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..vocabulary.input_files import parse_text, path_text, read_limited
from .limits import MAX_DEPTH, MAX_FILE_BYTES
from .physical_checks import check_size
from .toml_lines import key_lines, line_of

#: Most files above a variant in its chain of bases.
MAX_BASES = 4


def _route_key(item: Any) -> Any:
    ends = (item.get("from"), item.get("to"))
    return tuple(sorted(ends)) if all(isinstance(e, str) for e in ends) else None


#: Lists whose items merge by a key: path -> the key field (or a function of the item).
KEYED: dict[tuple, Any] = {
    ("places",): "id", ("units",): "id", ("phases",): "id", ("compare",): "outcome",
    ("logistics", "depots"): "id", ("logistics", "fleets"): "name", ("routes",): _route_key,
}
_NOUN = {("places",): "place", ("units",): "unit", ("phases",): "phase", ("compare",): "compare target",
         ("logistics", "depots"): "depot", ("logistics", "fleets"): "fleet", ("routes",): "route"}
_SCALAR = (str, int, float, bool)


def _item_key(where: tuple, item: Any) -> Any:
    if not isinstance(item, Mapping):
        return None
    how = KEYED[where]
    key = how(item) if callable(how) else item.get(how)
    return key if isinstance(key, _SCALAR + (tuple,)) else None


def _unit_of(order: Any) -> str | None:
    unit = order.get("unit") if isinstance(order, Mapping) else None
    return unit if isinstance(unit, str) else None


def parse_path(text: str) -> tuple | None:
    """``units[3].personnel`` -> ``("units", 3, "personnel")``; None if it is no field path."""
    text = text.removesuffix("...")
    parts = re.findall(r"\[(\d+)\]|([^.\[\]\s]+)", text)
    path = tuple(int(i) if i else k for i, k in parts)
    return path if path and path_text(path) == text else None


@dataclass
class Origin:
    """Where a part of the merged table was written: a file and the path in that file.
    ``kids`` (by key, or by index for a list) where the part was merged from several
    places; None where the whole part comes from this one."""

    file: str
    path: tuple
    kids: dict | list | None = None

    def child(self, key: Any) -> "Origin":
        """The origin of the part ``key`` (a table key or a list index) of this part."""
        kids = self.kids
        if isinstance(kids, dict) and key in kids:
            return kids[key]
        if isinstance(kids, list) and isinstance(key, int) and 0 <= key < len(kids):
            return kids[key]
        return Origin(self.file, self.path + (key,))

    def locate(self, loc: tuple) -> tuple[str, tuple]:
        """The file and its own path of the part at ``loc`` of the merged table."""
        node = self
        for i, part in enumerate(loc):
            kids = node.kids
            if kids is None or (isinstance(kids, dict) and part not in kids) or (
                    isinstance(kids, list) and not (isinstance(part, int) and 0 <= part < len(kids))):
                return node.file, node.path + tuple(loc[i:])
            node = kids[part]
        return node.file, node.path


@dataclass
class Inherited:
    """A variant merged over its chain of bases."""

    data: dict
    origin: Origin
    top: str  #: the variant's file as shown
    bases: tuple[str, ...]  #: the base files as shown, nearest first
    texts: dict[str, str | None] = field(default_factory=dict)  #: TOML text of each file (None: not TOML)
    _lines: dict[str, dict] = field(default_factory=dict)

    def head(self, file: str, path: tuple) -> str:
        """``FILE:LINE: FIELD`` (``FILE: FIELD`` where no line is known)."""
        text = self.texts.get(file)
        if text is not None and file not in self._lines:
            self._lines[file] = key_lines(text)
        line = line_of(self._lines[file], path) if text is not None else None
        where = file + (f":{line}" if line else "") + ("" if file == self.top else f" (inherited by {self.top})")
        return f"{where}: {path_text(path)}"

    def where(self, field_path: str) -> str:
        """The message head for a field of the merged scenario, in the file it came from."""
        loc = parse_path(field_path)
        if loc is None:
            return f"{self.top}: {field_path}"
        return self.head(*self.origin.locate(loc))


class _Merge:
    """One variant's merge over its base: the variant's file and how to fail in it."""

    def __init__(self, inh: Inherited, shown: str, error: type[Exception]):
        self.inh, self.shown, self.error = inh, shown, error

    def fail(self, path: tuple, what: str):
        raise self.error(f"{self.inh.head(self.shown, path)}: {what}")

    def fail_at(self, field_path: str, what: str):
        """``fail`` for a field given as text (``units[3].personnel``), as the checks give it."""
        path = parse_path(field_path)
        if path is None:
            raise self.error(f"{self.shown}: {field_path}: {what}")
        self.fail(path, what)

    # -- merging ---------------------------------------------------------------------
    def merge(self, base: Any, borg: Origin, var: Any, vorg: Origin, where: tuple | None) -> tuple[Any, Origin]:
        if isinstance(base, Mapping) and isinstance(var, Mapping) and _mergeable(base, var, where):
            out, kids = dict(base), {k: borg.child(k) for k in base}
            for k, v in var.items():
                sub = where + (k,) if where is not None else None
                if k in base:
                    out[k], kids[k] = self.merge(base[k], borg.child(k), v, vorg.child(k), sub)
                else:
                    out[k], kids[k] = v, vorg.child(k)
            return out, Origin(vorg.file, vorg.path, kids)
        if isinstance(base, list) and isinstance(var, list) and where == ("orders",):
            return self._orders(base, borg, var, vorg)
        if isinstance(base, list) and isinstance(var, list) and where in KEYED:
            return self._items(base, borg, var, vorg, where)
        return var, vorg

    def _items(self, base: list, borg: Origin, var: list, vorg: Origin, where: tuple) -> tuple[list, Origin]:
        index: dict[Any, int] = {}
        for j, item in enumerate(base):
            key = _item_key(where, item)
            if key is not None:
                index.setdefault(key, j)
        out, kids, given = list(base), [borg.child(j) for j in range(len(base))], {}
        for i, item in enumerate(var):
            key = _item_key(where, item)
            if key is not None and key in given:
                self.fail(vorg.path + (i,), f"the {_NOUN[where]} {_shown_key(key)} is given twice in this file "
                          f"(first as {path_text(vorg.path + (given[key],))})")
            if key is not None:
                given[key] = i
            if key is not None and key in index:
                j = index[key]
                out[j], kids[j] = self.merge(base[j], kids[j], item, vorg.child(i), None)
            else:
                out.append(item)
                kids.append(vorg.child(i))
        return out, Origin(vorg.file, vorg.path, kids)

    def _orders(self, base: list, borg: Origin, var: list, vorg: Origin) -> tuple[list, Origin]:
        replaced = {_unit_of(o) for o in var} - {None}
        kept = [j for j, o in enumerate(base) if _unit_of(o) not in replaced]
        first = next((j for j, o in enumerate(base) if _unit_of(o) in replaced), len(base))
        at = sum(1 for j in kept if j < first)
        out = [base[j] for j in kept[:at]] + list(var) + [base[j] for j in kept[at:]]
        kids = ([borg.child(j) for j in kept[:at]] + [vorg.child(i) for i in range(len(var))]
                + [borg.child(j) for j in kept[at:]])
        return out, Origin(vorg.file, vorg.path, kids)

    # -- removing --------------------------------------------------------------------
    def remove(self, base: Mapping, borg: Origin, spec: Any, at: tuple, where: tuple) -> tuple[dict, Origin]:
        if not isinstance(spec, Mapping):
            self.fail(at, f"expected a table of what to remove from the base (e.g. remove = {{ units = "
                      f"[\"id\"] }}), found {_describe(spec)}")
        out, kids = dict(base), {k: borg.child(k) for k in base}
        for k, v in spec.items():
            path, here = where + (k,), at + (k,)
            if k not in base:
                self.fail(here, f"the base has no {path_text(path)} to remove")
            if v is True:
                del out[k], kids[k]
            elif isinstance(v, list) and (path in KEYED or path == ("orders",)) and isinstance(base[k], list):
                out[k], kids[k] = self._remove_items(base[k], kids[k], v, here, path)
            elif isinstance(v, Mapping) and isinstance(base[k], Mapping) and path not in KEYED:
                out[k], kids[k] = self.remove(base[k], kids[k], v, here, path)
            else:
                what = "the keys of the items to remove, or true" if path in KEYED or path == ("orders",) else "true"
                self.fail(here, f"expected {what}, found {_describe(v)}")
        return out, Origin(borg.file, borg.path, kids)

    def _remove_items(self, base: list, borg: Origin, keys: list, at: tuple, where: tuple) -> tuple[list, Origin]:
        if where == ("orders",):
            have, noun, want = [_unit_of(o) for o in base], "orders for unit", "a unit id"
        else:
            have, noun = [_item_key(where, o) for o in base], _NOUN[where]
            want = "a pair of place ids [from, to]" if where == ("routes",) else f"the {KEYED[where]} of a {noun}"
        drop = set()
        for i, key in enumerate(keys):
            if where == ("routes",) and isinstance(key, list) and len(key) == 2 and all(isinstance(e, str) for e in key):
                key = tuple(sorted(key))
            elif where == ("routes",) or not isinstance(key, str):
                self.fail(at + (i,), f"expected {want}, found {_describe(key)}")
            if key not in have:
                names = [h for h in have if isinstance(h, str)]
                near = difflib.get_close_matches(key, names, n=1) if isinstance(key, str) else []
                hint = f"; did you mean {near[0]!r}?" if near else ""
                self.fail(at + (i,), f"the base has no {noun} {_shown_key(key)} to remove{hint}")
            drop.add(key)
        kept = [j for j, h in enumerate(have) if h not in drop]
        return [base[j] for j in kept], Origin(borg.file, borg.path, [borg.child(j) for j in kept])


def _mergeable(base: Mapping, var: Mapping, where: tuple | None) -> bool:
    if "dist" in base or "dist" in var:
        return False  # a distribution is one value
    if where is not None and len(where) == 2 and where[0] == "parameters":
        return ("value" in base) == ("value" in var)  # one entry for both sides, or one per side
    return True


def _shown_key(key: Any) -> str:
    return " - ".join(map(repr, key)) if isinstance(key, tuple) else repr(key)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _find_base(text: str, folder: Path) -> tuple[Path, str] | str:
    """The base file ``text`` names, and how to show it; or why none (one line)."""
    p = folder / text
    if p.is_file():
        return p, str(p)
    if "/" in text or "\\" in text or text.startswith(("~", ".")):
        return f"file not found ({p})"
    from .bundled import bundled_scenarios  # local: bundled imports the loader

    name = text.removesuffix(".toml")
    scenarios = bundled_scenarios()
    found = [s for s in scenarios if name == s.name] or [s for s in scenarios if name == s.short_name]
    if len(found) == 1:
        path = found[0].path
        try:
            same = path.parent.resolve() == folder.resolve()
        except OSError:
            same = False
        return path, str(folder / path.name) if same else str(path)
    if found:
        return f"more than one bundled scenario has the short name {text!r}; give the full name"
    try:
        beside = sorted(q.name for q in folder.iterdir() if q.suffix.lower() in (".toml", ".json"))[:1000]
    except OSError:
        beside = []
    names = beside + [n for s in scenarios for n in (s.short_name, s.name)]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    return (f"no file {text!r} in {folder} (this file's folder) and no bundled scenario of that name{guess} "
            "(python -m nomonhan_sim list shows the bundled names)")


def inherit(data: Mapping, shown: str, folder: Path, text: str | None, error: type[Exception]) -> Inherited:
    """Merge the variant ``data`` (read from ``shown``, with its TOML ``text`` if any) over
    its chain of bases; raises ``error`` with one line on any problem."""
    inh = Inherited(data={}, origin=Origin(shown, ()), top=shown, bases=(), texts={shown: text})
    merged, origin = _resolve(inh, data, shown, folder, [], error)
    inh.data, inh.origin = merged, origin
    return inh


def _resolve(inh: Inherited, data: Mapping, shown: str, folder: Path, chain: list, error) -> tuple[dict, Origin]:
    m = _Merge(inh, shown, error)
    own = Origin(shown, ())
    if "base" not in data:
        if "remove" in data:
            m.fail(("remove",), "remove needs a base (base = \"<bundled name or path>\") to remove from")
        return dict(data), own
    name = data["base"]
    if not isinstance(name, str) or not name.strip():
        m.fail(("base",), f"expected a bundled scenario name or a path relative to this file's folder, "
               f"found {_describe(name)}")
    found = _find_base(name, folder)
    if isinstance(found, str):
        m.fail(("base",), found)
    path, base_shown = found
    key = path.resolve()
    names = [s for _, s in chain] + [shown]
    if key in [k for k, _ in chain] or key == Path(shown).resolve():
        m.fail(("base",), f"a cycle of bases: {' -> '.join(names + [base_shown])}")
    if len(chain) >= MAX_BASES:
        m.fail(("base",), f"expected a chain of at most {MAX_BASES} bases, found a longer one "
               f"({' -> '.join(names + [base_shown])})")
    try:
        raw = read_limited(path, base_shown, MAX_FILE_BYTES, error)
        as_json = path.suffix.lower() == ".json"
        base = parse_text(raw, base_shown, MAX_DEPTH, error, as_json=as_json)
    except error as exc:
        m.fail(("base",), f"the base does not load: {exc}")
    if not isinstance(base, Mapping):
        m.fail(("base",), f"the base does not load: {base_shown}: expected a table at the top level")
    inh.texts[base_shown] = None if as_json else raw.decode("utf-8")
    inh.bases += (base_shown,)
    check_size(base, _Merge(inh, base_shown, error).fail_at)
    base, borg = _resolve(inh, base, base_shown, path.parent, chain + [(Path(shown).resolve(), shown)], error)
    if "remove" in data:
        base, borg = m.remove(base, borg, data["remove"], ("remove",), ())
    var = {k: v for k, v in data.items() if k not in ("base", "remove")}
    merged, origin = m.merge(base, borg, var, own, ())
    return merged, origin
