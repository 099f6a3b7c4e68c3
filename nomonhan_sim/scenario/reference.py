"""The scenario-format reference, generated from the schema so that it cannot drift.

``python -m nomonhan_sim.scenario.reference > docs/scenario_format.md`` writes it;
``tests/test_docs_reference.py`` fails when the committed file differs. Every table
of a scenario file gets a section listing each field with its type, allowed values
(from the ``Literal`` types), constraints, default and description (with its unit,
from the ``description=`` of the field); the quantity forms come from
:mod:`nomonhan_sim.scenario.quantity` and the parameter names from the package
defaults.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import re
import sys
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from . import logistics as _logistics
from . import quantity as _quantity
from . import schema as _schema
from .loader import _default_parameters
from .quantity import Distribution, _num
from .schema import Scenario

__all__ = ["COMMAND", "scenario_models", "render"]

#: The command that regenerates the committed reference.
COMMAND = "python -m nomonhan_sim.scenario.reference > docs/scenario_format.md"


def _strip(ann: Any) -> Any:
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    return ann


def _members(ann: Any) -> list[Any]:
    ann = _strip(ann)
    if get_origin(ann) in (Union, types.UnionType):
        return [_strip(a) for a in get_args(ann)]
    return [ann]


def _is_quantity(ann: Any) -> bool:
    m = [a for a in _members(ann) if a is not type(None)]
    return len(m) == 2 and float in m and Distribution in m


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def scenario_models() -> list[tuple[type[BaseModel], list[str]]]:
    """Every table model of a scenario file, in the order a file is read (depth first
    from :class:`~nomonhan_sim.scenario.schema.Scenario`), each with the places it is
    written (``units[]``, ``sides.<id>``, ``orders[].trigger``)."""
    found: dict[type, list[str]] = {}

    def visit(cls: type[BaseModel], where: str) -> None:
        if cls in found:
            found[cls].append(where)
            return
        found[cls] = [where]
        for name, f in cls.model_fields.items():
            key = f.alias or name
            for ann, sub in _inner(f.annotation, f"{where}.{key}" if where else key):
                visit(ann, sub)

    def _inner(ann: Any, where: str):
        for a in _members(ann):
            if a is type(None) or a is Distribution:
                continue
            if _is_model(a):
                yield a, where
            elif get_origin(a) is list:
                yield from _inner(get_args(a)[0], where + "[]")
            elif get_origin(a) is dict:
                key = "<name>" if where.endswith("parameters") else "<side>" if ".<name>" in where \
                    else "<id>"
                yield from _inner(get_args(a)[1], f"{where}.{key}")

    visit(Scenario, "")
    return [(cls, where) for cls, where in found.items()]


def _anchor(cls: type) -> str:
    return cls.__name__.lower()


def _type_text(ann: Any, plural: bool = False, key: str = "name") -> str:
    """How a field's type reads in the reference; ``key`` names a text key of a table."""
    if _is_quantity(ann):
        return "[quantities](#quantities)" if plural else "[quantity](#quantities)"
    members = [a for a in _members(ann) if a is not type(None)]
    if len(members) > 1:
        return " or ".join(_type_text(a, plural, key) for a in members)
    ann = members[0]
    if get_origin(ann) is Literal:
        return "one of " + ", ".join(f"`{v}`" for v in get_args(ann))
    if _is_model(ann):
        return f"[{ann.__name__}](#{_anchor(ann)}) table" + ("s" if plural else "")
    if get_origin(ann) is list:
        return f"list of {_type_text(get_args(ann)[0], True)}"
    if get_origin(ann) is dict:
        k, v = get_args(ann)
        keys = key if _strip(k) is str else _type_text(k)
        return f"table: key {keys} → {_type_text(v, False, 'side id')}"
    return {str: "text", float: "number", int: "integer", bool: "true or false",
            _dt.datetime: "date-time (e.g. `1939-08-20T05:45:00`)"}.get(ann, getattr(ann, "__name__", str(ann)))


def _constraints(f) -> list[str]:
    out = []
    for m in f.metadata:
        for attr, text in (("gt", "> {}"), ("ge", ">= {}"), ("lt", "< {}"), ("le", "<= {}"),
                           ("min_length", "at least {} entries"), ("max_length", "at most {} entries")):
            v = getattr(m, attr, None)
            if v is not None:
                text = text.replace("entries", "entry") if v == 1 else text
                out.append(text.format(_num(v) if isinstance(v, (int, float)) else v))
        pattern = getattr(m, "pattern", None)
        if pattern:
            out.append(f"pattern `{pattern}`")
    return out


def _value_text(v: Any) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _num(v)
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(_value_text(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{}" if not v else "{ " + ", ".join(f"{k} = {_value_text(x)}" for k, x in v.items()) + " }"
    return str(v)


def _default_text(f) -> str:
    if f.default_factory is not None:
        return f"`{_value_text(f.default_factory())}`"
    if f.default is PydanticUndefined:
        return "**required**"
    return f"`{_value_text(f.default)}`"


def _cell(text: str) -> str:
    return " ".join(_md(text).split()).replace("|", "\\|")


def _md(text: str) -> str:
    """reStructuredText-ish docstring markup to Markdown."""
    text = re.sub(r":(?:class|func|meth|mod|attr):`~?([^`<]*?)(?: <[^>]*>)?`", r"`\1`", text)
    return text.replace("``", "`")


def _doc(obj: Any) -> str:
    return _md(inspect.cleandoc(obj.__dict__.get("__doc__") or ""))


def _model_section(cls: type[BaseModel], where: list[str]) -> list[str]:
    shown = ", ".join(f"`{w}`" for w in where) if where != [""] else "the whole file"
    lines = [f"### {cls.__name__}", "", f"Written at: {shown}.", ""]
    doc = _doc(cls)
    if doc:
        lines += [doc, ""]
    lines += ["| field | type | default | description |", "|---|---|---|---|"]
    for name, f in cls.model_fields.items():
        typ = _type_text(f.annotation, key={"sides": "side id", "parameters": "parameter name"}.get(name, "name"))
        cons = _constraints(f)
        if cons:
            typ += "; " + ", ".join(cons)
        lines.append(f"| `{f.alias or name}` | {_cell(typ)} | {_cell(_default_text(f))} | "
                     f"{_cell(f.description or '')} |")
    return lines + [""]


def _quantity_section() -> list[str]:
    lines = ["## Quantities", "", _md(inspect.cleandoc(_quantity.__doc__)), "",
             "Written inline, e.g. `personnel = 3000` or "
             "`personnel = { dist = \"uniform\", low = 2500, high = 3200 }`. The fields of a "
             "distribution table:", "",
             "| field | type | description |", "|---|---|---|"]
    for name, f in Distribution.model_fields.items():
        lines.append(f"| `{name}` | {_cell(_type_text(f.annotation))} | {_cell(f.description or '')} |")
    return lines + [""]


def _parameter_section() -> list[str]:
    lines = ["## Parameter names", "",
             "A scenario's `[parameters.<name>]` (or `[parameters.<name>.<side>]`) overrides the package "
             "default of that name (`nomonhan_sim/data/default_parameters.toml`, where each one's source "
             "is given); any other name is an error. The defaults:", "",
             "| name | default | unit |", "|---|---|---|"]
    for name, p in _default_parameters().items():
        v = p["value"]
        shown = (_value_text(v) if not isinstance(v, dict)
                 else f"{v['dist']} " + ", ".join(f"{k} = {_num(x)}" for k, x in v.items() if k != "dist"))
        lines.append(f"| `{name}` | {_cell(shown)} | {_cell(p.get('unit', ''))} |")
    return lines + [""]


def render() -> str:
    """The whole reference as Markdown (what ``docs/scenario_format.md`` holds)."""
    models = scenario_models()
    lines = [
        "# Scenario file format",
        "",
        f"<!-- Generated from the schema by `{COMMAND}`; do not edit by hand. -->",
        "",
        "A scenario is one TOML file (or the same content as JSON, as `LoadedScenario.to_dict()` "
        "writes it). `python -m nomonhan_sim validate FILE` checks one; any mistake is reported "
        "as one line naming the file and the field. Building and changing scenarios from Python "
        "(`with_changes`, `to_dict`, `scaled`): [scenario_api.md](scenario_api.md).",
        "",
        "## Conventions",
        "",
        _md(inspect.cleandoc(_schema.__doc__)),
        "",
        "Supply (`[logistics]`): " + _md(inspect.cleandoc(_logistics.__doc__)).split("\n\n", 1)[-1],
        "",
        "In the tables below, `units[]` is an array of tables (`[[units]]` in TOML), "
        "`sides.<id>` a table named by its key (`[sides.soviet]`); a field whose default is "
        "`none` may be left out.",
        "",
        "## Tables",
        "",
    ]
    lines += [f"- [{cls.__name__}](#{_anchor(cls)}): " + ", ".join(f"`{w}`" for w in where if w)
              + ("the whole file" if where == [""] else "") for cls, where in models]
    lines.append("")
    for cls, where in models:
        lines += _model_section(cls, where)
    lines += _quantity_section()
    lines += _parameter_section()
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def main() -> None:
    """Write the reference to standard output."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
