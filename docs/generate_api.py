"""Write the API reference of nomonhan_sim (docs/api.md) from the package's docstrings.

    python docs/generate_api.py > docs/api.md

Every module of the package (but ``__main__`` and modules whose name starts with
``_``) is imported and its public names are listed: names that do not start with
``_``, that the module itself defines and, where the module has ``__all__``, that
``__all__`` names. For each function its signature and docstring; for each class its
signature (or, for a pydantic model, its fields), docstring and public methods and
properties (those the class itself defines). A package's ``__init__`` lists what it
re-exports. ``tests/test_docs_reference.py`` checks that every listed function, class,
method and property has a docstring and that docs/api.md is current.

This script lives outside the package so that it may import every layer.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the checkout's package
    sys.path.insert(0, str(ROOT))

import nomonhan_sim  # noqa: E402
from pydantic import BaseModel  # noqa: E402

COMMAND = "python docs/generate_api.py > docs/api.md"


class Entry(NamedTuple):
    """One documented object: ``kind`` is function, class, method or property."""

    qualname: str  # module.Name or module.Class.method
    kind: str
    obj: Any
    doc: str | None  # the object's own docstring (not inherited)


def modules() -> list[ModuleType]:
    """Every public module of the package, sorted by name."""
    names = [nomonhan_sim.__name__]
    for info in pkgutil.walk_packages(nomonhan_sim.__path__, prefix="nomonhan_sim."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]):  # __main__ runs the CLI; _x are private
            continue
        names.append(info.name)
    return [importlib.import_module(n) for n in sorted(names)]


def _own_doc(obj: Any) -> str | None:
    """The docstring an object itself has (classes do not inherit one here)."""
    if isinstance(obj, type):
        doc = obj.__dict__.get("__doc__")
        generated = dataclasses.is_dataclass(obj) or hasattr(obj, "_fields")  # dataclass, namedtuple
        if generated and isinstance(doc, str) and doc.startswith(f"{obj.__name__}("):
            doc = None  # the signature these write when the class has no docstring
    elif isinstance(obj, property):
        doc = obj.fget.__doc__ if obj.fget is not None else None
    else:
        doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def _line(obj: Any) -> int:
    try:
        return inspect.getsourcelines(inspect.unwrap(obj.fget if isinstance(obj, property) else obj))[1]
    except (OSError, TypeError):
        return 10**9


def _defined_here(obj: Any, module: ModuleType) -> bool:
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", None) == module.__name__


def public_names(module: ModuleType) -> list[str]:
    """Public functions and classes the module defines, in source order."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    found = [n for n in names if not n.startswith("_") and _defined_here(getattr(module, n, None), module)]
    return sorted(found, key=lambda n: (_line(getattr(module, n)), n))


def reexports(module: ModuleType) -> list[tuple[str, str]]:
    """(name, defining module) of what a package's ``__all__`` takes from elsewhere."""
    out = []
    for n in getattr(module, "__all__", []):
        obj = getattr(module, n, None)
        home = getattr(obj, "__module__", None)
        if home and home != module.__name__ and (inspect.isfunction(obj) or inspect.isclass(obj)):
            out.append((n, home))
    return out


def _members(cls: type) -> list[tuple[str, Any, str]]:
    out = []
    for n, v in cls.__dict__.items():
        if n.startswith("_"):
            continue
        if isinstance(v, (staticmethod, classmethod)):
            v = v.__func__
        if isinstance(v, property):
            out.append((n, v, "property"))
        elif inspect.isfunction(v):
            out.append((n, v, "method"))
    return sorted(out, key=lambda t: (_line(t[1]), t[0]))


def entries() -> Iterator[Entry]:
    """Every documented function, class, method and property of the package."""
    for mod in modules():
        for n in public_names(mod):
            obj = getattr(mod, n)
            kind = "class" if inspect.isclass(obj) else "function"
            yield Entry(f"{mod.__name__}.{n}", kind, obj, _own_doc(obj))
            if kind == "class":
                for mn, mv, mk in _members(obj):
                    yield Entry(f"{mod.__name__}.{n}.{mn}", mk, mv, _own_doc(mv))


def _md(text: str) -> str:
    """reStructuredText-ish markup of the docstrings to Markdown."""
    text = re.sub(r":(?:class|func|meth|mod|attr|data|exc):`~?([^`<]*?)(?: <[^>]*>)?`", r"`\1`", text)
    text = re.sub(r"::\n", ":\n", text)  # a literal block follows (indented: code in Markdown too)
    return text.replace("``", "`")


class _Shown:
    """An annotation written as a string, shown as it was written."""

    def __init__(self, text: str):
        self.text = text[1:-1] if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" else text

    def __repr__(self) -> str:
        return self.text


def _signature(obj: Any, name: str) -> str:
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        return f"class {name}  # fields: " + ", ".join(f.alias or k for k, f in obj.model_fields.items())
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        sig = "(...)"
    else:  # annotations are strings (postponed evaluation): show them without quotes
        sig = str(sig.replace(
            parameters=[p.replace(annotation=_Shown(p.annotation)) if isinstance(p.annotation, str) else p
                        for p in sig.parameters.values()],
            return_annotation=(_Shown(sig.return_annotation) if isinstance(sig.return_annotation, str)
                               else sig.return_annotation)))
    sig = re.sub(r" at 0x[0-9a-f]+", "", sig)  # default values shown without addresses
    return ("class " if isinstance(obj, type) else "def ") + name + sig


def render() -> str:
    """docs/api.md as text."""
    lines = ["# API reference", "",
             f"<!-- Generated from the docstrings by `{COMMAND}`; do not edit by hand. -->", "",
             "Every public module of `nomonhan_sim`, with its public functions and classes (names "
             "not starting with `_`, defined in that module, within `__all__` where the module has "
             "one). The scenario file format has its own reference: "
             "[scenario_format.md](scenario_format.md).", ""]
    mods = modules()
    lines += [f"- [`{m.__name__}`](#{m.__name__.replace('.', '')})" for m in mods]
    lines.append("")
    for mod in mods:
        lines += [f"## `{mod.__name__}`", ""]
        doc = _own_doc(mod)
        if doc:
            lines += [_md(doc), ""]
        again = reexports(mod)
        if again:
            lines += ["Exports: " + ", ".join(f"`{n}` (`{home}`)" for n, home in again) + ".", ""]
        for n in public_names(mod):
            obj = getattr(mod, n)
            lines += [f"### `{n}`", "", "```python", _signature(obj, n), "```", ""]
            lines += [_md(_own_doc(obj) or "(no docstring)"), ""]
            if inspect.isclass(obj):
                for mn, mv, mk in _members(obj):
                    head = (f"{n}.{mn}  # property" if mk == "property"
                            else _signature(mv, f"{n}.{mn}"))
                    lines += [f"#### `{n}.{mn}`", "", "```python", head, "```", "",
                              _md(_own_doc(mv) or "(no docstring)"), ""]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
