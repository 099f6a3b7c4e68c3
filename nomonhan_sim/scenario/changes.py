"""Changed copies of a loaded scenario, addressed by dotted paths.

:meth:`LoadedScenario.with_changes <nomonhan_sim.scenario.loader.LoadedScenario.with_changes>`
calls :func:`with_changes`::

    sc2 = sc.with_changes({
        "units.mrr_24.personnel": 3000,                       # men
        "units.mrr_24.equipment.tanks": 40,                   # pieces
        "engine.attrition_law": "square",
        "logistics.fleets.soviet_trucks.trucks": lambda q: scaled(q, 0.5),
        "parameters.dupuy_attacker_rate": 0.03,               # share of personnel per day
        "parameters.casualty_rate_multiplier.soviet": 1.5,
    })

Path grammar (parts separated by dots; ``name[3]`` is the same as ``name.3``):

* a **field** of a table by its name as written in a file (``engine.attrition_law``,
  ``routes.0.from``, ``units.mrr_24.trigger`` ...);
* an **item of a list** by its id where the items have one: ``places.<id>``,
  ``units.<id>``, ``logistics.depots.<id>``; truck fleets by their name,
  ``logistics.fleets.<name>``; any list item by its index ``0 .. n-1`` (the only way
  for items without an id: ``routes``, ``orders``, ``compare``,
  ``logistics.consumption``, ``logistics.interdictions``, ``logistics.requirements``,
  and lists of strings such as ``orders.3.via``);
* a **key of a table**: ``sides.<side id>``, ``units.<id>.equipment.<class>``,
  ``logistics.depots.<id>.stock.<supply class>``, ``logistics.consumption.0.combat.fuel``
  (an equipment or supply class not yet in the table may be added);
* a **part of a distribution** that is one: ``units.<id>.personnel.high``;
* **parameters**: ``parameters.<name>`` and ``parameters.<name>.<side>``, optionally
  followed by one field of the entry (``.value``, ``.unit``, ``.source``, ``.claims``).
  A plain value (number or distribution) replaces the entry's value and keeps its unit,
  source and claims; a whole entry (a :class:`~nomonhan_sim.scenario.schema.Parameter`
  or a table with ``value``/``source``) replaces it. A parameter the scenario does not
  set itself starts from the package default (``nomonhan_sim/data/default_parameters.toml``)
  with the new value. An entry that a change makes equal to its default in every field
  is left out of the scenario's own table (it says nothing the defaults do not), so
  changing a parameter and changing it back gives the original ``sha256``.

A value may be anything a scenario file accepts at that place (a plain number where
a quantity is expected, whether the file had a number or a distribution there), a
:class:`~nomonhan_sim.scenario.quantity.Distribution` or other schema object, or a
function of the current value (given as a schema object: a ``float`` or
``Distribution`` for a quantity, a ``Unit`` for ``units.<id>``) that returns the new
one. Changes are applied in the mapping's order. Adding or removing whole items
(units, places, orders) is done on the plain data:
``scenario_from_dict(d)`` with ``d = sc.to_dict()`` edited.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Callable, Literal, Mapping, Union, get_args, get_origin

import numpy as np
from pydantic import BaseModel, TypeAdapter, ValidationError

from .loader import LoadedScenario, ScenarioError, _default_parameters, scenario_from_dict
from .logistics import Fleet
from .quantity import Quantity, scaled  # noqa: F401  (scaled: re-exported for scripts)
from .schema import Parameter, Scenario

__all__ = ["with_changes", "scaled", "CHANGED_SUFFIX"]

#: Appended to :attr:`LoadedScenario.path` of a changed copy.
CHANGED_SUFFIX = " (with changes)"

#: Lists whose items are addressed by a field other than ``id``.
_KEY_FIELD: dict[type, str] = {Fleet: "name"}

#: What one item of a list (or one key of a table) is called in messages.
_NOUN = {
    "units": "unit", "places": "place", "routes": "route", "orders": "order",
    "compare": "compare target", "depots": "depot", "fleets": "fleet",
    "consumption": "consumption row", "interdictions": "interdiction",
    "requirements": "requirement", "sides": "side", "equipment": "equipment class",
    "stock": "supply class", "combat": "supply class", "moving": "supply class",
    "idle": "supply class", "cargo_mix": "supply class",
}

_PART = re.compile(r"^([^\[\]]*)((?:\[\d+\])*)$")


def _fail(where: str, what: str) -> None:
    raise ScenarioError(f"with_changes: {where}: {what}")


def _known(names, wrong: str | None = None) -> str:
    """``(known: a, b, c)``, led by the nearest name to ``wrong`` if one is close."""
    names = [str(n) for n in names]
    near = difflib.get_close_matches(wrong, names, n=1) if wrong is not None else []
    lead = f"did you mean {near[0]!r}? " if near else ""
    return f"({lead}known: {', '.join(names) or 'none'})"


def _parts(path: Any) -> list[str]:
    """``'orders[3].via'`` -> ``['orders', '3', 'via']``."""
    if not isinstance(path, str) or not path.strip():
        _fail(repr(path), "expected a dotted path such as 'units.<id>.personnel'")
    out: list[str] = []
    for raw in path.split("."):
        m = _PART.match(raw.strip())
        if not m or not (m.group(1) or m.group(2)):
            _fail(path, f"empty or malformed part {raw!r} in the path")
        if m.group(1):
            out.append(m.group(1))
        out += re.findall(r"\d+", m.group(2))
    return out


def _plain(value: Any) -> Any:
    """A value as scenario data: schema objects dumped as a file would hold them."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _unwrap(ann: Any, value: Any) -> Any:
    """The member of an annotation (Annotated, Optional, Union) that fits ``value``."""
    while True:
        origin = get_origin(ann)
        if origin is Annotated:
            ann = get_args(ann)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(ann) if a is not type(None)]

            def fits(a: Any) -> bool:
                a0 = get_args(a)[0] if get_origin(a) is Annotated else a
                if isinstance(value, Mapping):
                    return get_origin(a0) is dict or (isinstance(a0, type) and issubclass(a0, BaseModel))
                if isinstance(value, list):
                    return get_origin(a0) is list
                return True

            ann = next((a for a in members if fits(a)), members[0])
        else:
            return ann


def _shape(ann: Any, value: Any) -> tuple[str, Any]:
    """('model', cls) | ('list', item annotation) | ('dict', (key, value annotations)) | ('value', None)."""
    ann = _unwrap(ann, value)
    if isinstance(ann, type) and issubclass(ann, BaseModel) and isinstance(value, Mapping):
        return "model", ann
    if get_origin(ann) is list and isinstance(value, list):
        return "list", get_args(ann)[0]
    if get_origin(ann) is dict and isinstance(value, Mapping):
        return "dict", get_args(ann)
    return "value", None


def _describe(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a value ({type(value).__name__})"


def _field_key(cls: type[BaseModel], part: str) -> tuple[str, Any] | None:
    """(key in the data, annotation) of the field ``part`` (name or alias) of ``cls``."""
    for name, f in cls.model_fields.items():
        if part in (name, f.alias):
            return (f.alias or name), f.annotation
    return None


def _locate(data: dict, parts: list[str]) -> tuple[Any, Any, Any]:
    """(container, key, annotation) of the place ``parts`` names in ``data``."""
    node: Any = data
    ann: Any = Scenario
    noun = "item"
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        above = ".".join(parts[:i]) or "the scenario"
        kind, info = _shape(ann, node)
        if kind == "model":
            found = _field_key(info, part)
            if found is None:
                names = [f.alias or n for n, f in info.model_fields.items()]
                _fail(here, f"{above} has no field {part!r} {_known(names, part)}")
            key, child = found
            noun = _NOUN.get(part, part)
        elif kind == "list":
            item_ann = _unwrap(info, {})
            key_field = None
            if isinstance(item_ann, type) and issubclass(item_ann, BaseModel):
                key_field = _KEY_FIELD.get(item_ann, "id" if "id" in item_ann.model_fields else None)
            if part.isdigit():
                key = int(part)
                if key >= len(node):
                    has = f"has {len(node)} (indices 0..{len(node) - 1})" if node else "is empty"
                    _fail(here, f"no {noun} at index {key}: {above} {has}")
            elif key_field is not None:
                ids = [item.get(key_field) for item in node]
                if part not in ids:
                    how = "named" if key_field == "name" else f"with {key_field}"
                    _fail(here, f"no {noun} {how} {part!r} {_known(ids, part)}")
                key = ids.index(part)
            else:
                _fail(here, f"the items of {above} have no id: give an index 0..{len(node) - 1}, "
                      f"found {part!r}")
            child = info
        elif kind == "dict":
            key_ann, child = info
            allowed = get_args(key_ann) if get_origin(key_ann) is Literal else None
            if allowed is not None and part not in allowed:
                _fail(here, f"no {noun} {part!r} {_known(allowed, part)}")
            if allowed is None and part not in node:
                _fail(here, f"no {noun} {part!r} {_known(node, part)}")
            key = part
        else:
            _fail(here, f"{above} is {_describe(node)}, which has no part {part!r}")
        if i == len(parts) - 1:
            return node, key, child
        if (isinstance(node, Mapping) and key not in node) or node[key] is None:
            _fail(here, f"not set in this scenario, so it has no {parts[i + 1]!r}; give it whole "
                  f"({here!r}: {{...}})")
        node, ann = node[key], child
    raise AssertionError("unreachable")  # pragma: no cover


def _typed(ann: Any, value: Any) -> Any:
    """The current plain value as a schema object, for a change given as a function."""
    try:
        return TypeAdapter(ann).validate_python(value)
    except ValidationError:  # the current value is valid, so this means a schema oddity
        return value


def _new_value(value: Any, current: Any, ann: Any, where: str, has_current: bool) -> Any:
    if callable(value) and not isinstance(value, type):
        if not has_current:
            _fail(where, "not set in this scenario, so there is no current value to give the function")
        value = value(_typed(ann, current))
    return _plain(value)


def _is_entry(value: Any) -> bool:
    """A whole parameter entry (not a per-side table, not a distribution)."""
    if isinstance(value, Parameter):
        return True
    return isinstance(value, Mapping) and "dist" not in value and ("value" in value or "source" in value)


def _set_parameter(data: dict, parts: list[str], value: Any) -> None:
    """``parameters.<name>[.<side>][.<field>] = value`` (see the module docstring)."""
    defaults = _default_parameters()
    own = data.setdefault("parameters", {})
    sides = list(data.get("sides", {}))
    name = parts[1]
    if name not in defaults:
        _fail(f"parameters.{name}", f"unknown parameter {_known(sorted(defaults), name)}")
    rest = list(parts[2:])
    side = rest.pop(0) if rest and rest[0] in sides else None
    field = None
    fields = list(Parameter.model_fields)
    if rest:
        here = ".".join(parts[: len(parts) - len(rest) + 1])
        if len(rest) > 1 or rest[0] not in fields:
            _fail(here, f"expected a side id ({', '.join(sides)}) or a field of a parameter "
                  f"({', '.join(fields)}), found {rest[0]!r}")
        field = rest[0]
    entry = f"parameters.{name}" + (f".{side}" if side else "")
    current = own.get(name)
    per_side = current is not None and not _is_entry(current)
    if side is None and per_side:
        _fail(entry, f"the scenario sets {name} per side ({', '.join(current)}); "
              f"give parameters.{name}.<side>")
    if side is not None and current is not None and not per_side:
        _fail(entry, f"the scenario sets one {name} for every side; change parameters.{name}, "
              f"or edit sc.to_dict() to give a table per side")
    table = dict(current) if per_side else {}
    base = (table.get(side) if side else current) or defaults[name]

    shown = entry + (f".{field}" if field else "")
    if field is not None:
        ann = Parameter.model_fields[field].annotation
        new = {**base, field: _new_value(value, base.get(field), ann, shown, field in base)}
    elif callable(value) and not isinstance(value, type):
        new = {**base, "value": _new_value(value, base.get("value"), Quantity, shown, True)}
    elif _is_entry(value):
        new = _plain(value)
    else:
        new = {**base, "value": _plain(value)}

    try:
        is_default = Parameter.model_validate(new) == Parameter.model_validate(defaults[name])
    except ValidationError:
        is_default = False  # the loader reports it below
    if side is None:
        if is_default:
            own.pop(name, None)
        else:
            own[name] = new
        return
    if is_default:
        table.pop(side, None)
    else:
        table[side] = new
    if table:
        own[name] = table
    else:
        own.pop(name, None)


def with_changes(sc: LoadedScenario, changes: Mapping[str, Any]) -> LoadedScenario:
    """A copy of ``sc`` with the values at the given dotted paths replaced.

    ``changes`` maps paths (grammar in this module's docstring) to new values or to
    functions of the current value. The result is validated again by
    :func:`~nomonhan_sim.scenario.loader.scenario_from_dict`, so every rule of a
    scenario file applies; its ``sha256`` is that of the new content and its ``path``
    is ``sc.path`` followed by ``" (with changes)"``. ``sc`` itself is unchanged.

    Raises :class:`ScenarioError` (one line) for a path that names nothing in the
    scenario (``with_changes: units.mrr_99: no unit with id 'mrr_99' (known: ...)``)
    and for a value that does not validate (the loader's usual message).
    """
    if not isinstance(changes, Mapping):
        raise TypeError(f"with_changes: expected a mapping of paths to values, found {type(changes).__name__}")
    data = sc.to_dict()
    for path, value in changes.items():
        parts = _parts(path)
        if parts[0] == "parameters" and len(parts) > 1:
            _set_parameter(data, parts, value)
            continue
        container, key, ann = _locate(data, parts)
        has = key in container if isinstance(container, Mapping) else True
        container[key] = _new_value(value, container[key] if has else None, ann, path, has)
    base = sc.path.removesuffix(CHANGED_SUFFIX)
    return scenario_from_dict(data, base + CHANGED_SUFFIX)
