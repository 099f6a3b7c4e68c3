"""One line per validation error: ``FILE: FIELD.PATH: what was expected, what was found``.

:func:`_format_validation_error` turns a pydantic ``ValidationError`` of a scenario
into that line: the union members that do not fit the input's shape are dropped
(a table given for a number-or-distribution is judged as a distribution), the most
specific error of the first field is kept, and pydantic's wording of the common
physical mistakes (nan or inf, true/false for a number, a text for true/false, a
number out of range) is rewritten as what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..vocabulary.input_files import path_text


_UNION_TAGS = {"float", "Distribution", "int", "str", "Parameter", "dict[str,Parameter]"}


def _is_tag(part: Any) -> bool:
    """A pydantic loc entry that names a union member or validator, not a field."""
    return isinstance(part, str) and (
        part in _UNION_TAGS or part.startswith(("function-", "union[", "dict[", "list["))
    )


def _loc_to_path(loc: tuple) -> str:
    """A pydantic loc as a field path, its union tags and ``[key]`` markers left out."""
    return path_text(tuple(p for p in loc if isinstance(p, int) or not (_is_tag(p) or p == "[key]")))


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_MISSING = object()


def _value_at(data: Any, loc: tuple) -> Any:
    """The raw input at a pydantic loc (tags skipped), or _MISSING."""
    cur = data
    for part in loc:
        if _is_tag(part):
            continue
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return cur


def _branch_fits(tag: str, value: Any) -> bool:
    """Whether a union member is the one the user evidently meant for ``value``.

    A table given for a number-or-distribution is judged as a distribution, a
    scalar as a number; a parameter table with ``value``/``source`` keys as one
    parameter, otherwise as per-side parameters.
    """
    if value is _MISSING:
        return True
    if tag == "float":
        return not isinstance(value, Mapping)
    if "Distribution" in tag:
        return isinstance(value, Mapping) or not isinstance(value, (int, float))
    is_single = isinstance(value, Mapping) and ("value" in value or "source" in value)
    if tag == "Parameter":
        return is_single
    if tag == "dict[str,Parameter]":
        return not is_single
    return True


def _relevant(e: dict, data: Any) -> bool:
    loc = e["loc"]
    return all(
        _branch_fits(part, _value_at(data, loc[:k]))
        for k, part in enumerate(loc) if _is_tag(part)
    )


#: pydantic's wording of the physical mistakes, as what was expected.
_PLAIN = {
    "finite_number": "expected a finite number (nan and inf are not allowed)",
    "bool_type": "expected true or false",
}


def _format_validation_error(path: str, err: ValidationError, data: Any = None, where=None) -> str:
    """The one line for ``err``; ``where(field_path)``, if given, makes its head (the file and
    line a field of an inheriting scenario came from) in place of ``path: field_path``."""
    errors = err.errors(include_url=False)
    # Union members each report; drop the members that do not fit the input's shape.
    errors = [e for e in errors if _relevant(e, data)] or errors
    # Of the first field's errors keep the most specific (deepest).
    first_path = _loc_to_path(errors[0]["loc"])
    same = [e for e in errors if _loc_to_path(e["loc"]) == first_path]
    best = max(same, key=lambda e: len(e["loc"]))
    fields = {_loc_to_path(e["loc"]) for e in errors}
    msg = _PLAIN.get(best["type"], best["msg"]).removeprefix("Value error, ")
    head = where(first_path) if where is not None else f"{path}: {first_path}"
    if isinstance(best.get("input"), bool) and best["type"] in ("float_type", "int_type"):
        text = (f"{head}: expected a number, found "
                f"{'true' if best['input'] else 'false'} (true/false is not a number)")
    elif best["type"] == "missing":
        text = f"{head}: required field is missing"
    elif best["type"] == "extra_forbidden":
        text = f"{head}: unknown field"
    elif len(same) > 1 and any(e["type"] in ("float_parsing", "float_type", "model_type", "dict_type") for e in same):
        text = (f"{head}: expected a number or a distribution table "
                f"({{ dist = ..., ... }}), found {_describe(best.get('input'))}")
    elif "found" in msg:
        text = f"{head}: {msg}"
    else:
        text = f"{head}: {msg}, found {_describe(best.get('input'))}"
    if len(fields) > 1:
        text += f" (and {len(fields) - 1} more error{'s' if len(fields) > 2 else ''})"
    return " ".join(text.split())
