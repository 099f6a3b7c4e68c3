"""Load a scenario TOML file into a validated, immutable :class:`LoadedScenario`.

Every error a user can make becomes a :class:`ScenarioError` whose message is
one line: ``FILE: FIELD.PATH: what was expected, what was found``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from .schema import Parameter, Scenario, UnitType

UNIT_TYPES = set(UnitType.__args__)  # type: ignore[attr-defined]


class ScenarioError(ValueError):
    """A user error in a scenario file; ``str()`` is one line."""


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario plus what loading derived from it.

    ``parameters`` maps flat names (``casualty_rate_multiplier.soviet``) to
    :class:`Parameter`, defaults merged under the scenario's own values.
    ``sha256`` hashes the canonical JSON of the validated content, so two files
    that differ only in comments or layout share a hash.
    """

    model: Scenario
    path: str
    sha256: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def param(self, name: str, side: str | None = None) -> Parameter:
        if side is not None and f"{name}.{side}" in self.parameters:
            return self.parameters[f"{name}.{side}"]
        return self.parameters[name]


_UNION_TAGS = {"float", "Distribution", "int", "str", "Parameter", "dict[str,Parameter]"}


def _is_tag(part: Any) -> bool:
    """A pydantic loc entry that names a union member or validator, not a field."""
    return isinstance(part, str) and (
        part in _UNION_TAGS or part.startswith(("function-", "union[", "dict[", "list["))
    )


def _loc_to_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _is_tag(part) or part == "[key]":
            continue
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


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


def _format_validation_error(path: str, err: ValidationError, data: Any = None) -> str:
    errors = err.errors(include_url=False)
    # Union members each report; drop the members that do not fit the input's shape.
    errors = [e for e in errors if _relevant(e, data)] or errors
    # Of the first field's errors keep the most specific (deepest).
    first_path = _loc_to_path(errors[0]["loc"])
    same = [e for e in errors if _loc_to_path(e["loc"]) == first_path]
    best = max(same, key=lambda e: len(e["loc"]))
    fields = {_loc_to_path(e["loc"]) for e in errors}
    msg = best["msg"].removeprefix("Value error, ")
    if best["type"] == "missing":
        text = f"{path}: {first_path}: required field is missing"
    elif best["type"] == "extra_forbidden":
        text = f"{path}: {first_path}: unknown field"
    elif len(same) > 1 and any(e["type"] in ("float_parsing", "float_type", "model_type", "dict_type") for e in same):
        text = (f"{path}: {first_path}: expected a number or a distribution table "
                f"({{ dist = ..., ... }}), found {_describe(best.get('input'))}")
    elif "found" in msg:
        text = f"{path}: {first_path}: {msg}"
    else:
        text = f"{path}: {first_path}: {msg}, found {_describe(best.get('input'))}"
    if len(fields) > 1:
        text += f" (and {len(fields) - 1} more error{'s' if len(fields) > 2 else ''})"
    return " ".join(text.split())


_DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "data" / "default_parameters.toml"


def _default_parameters() -> dict[str, Any]:
    # Read beside the package rather than via importlib.resources, which fails
    # when an editable install exposes the package as a namespace package.
    return tomllib.loads(_DEFAULTS_FILE.read_text("utf-8"))


def _flatten_parameters(params: Mapping[str, Any]) -> dict[str, Parameter]:
    flat: dict[str, Parameter] = {}
    for name, p in params.items():
        if isinstance(p, Parameter):
            flat[name] = p
        else:
            for side, q in p.items():
                flat[f"{name}.{side}"] = q
    return flat


def _check_references(sc: Scenario, path: str) -> None:
    def fail(field_path: str, what: str) -> None:
        raise ScenarioError(f"{path}: {field_path}: {what}")

    place_ids: set[str] = set()
    for i, p in enumerate(sc.places):
        if p.id in place_ids:
            fail(f"places[{i}].id", f"duplicate place id {p.id!r}")
        place_ids.add(p.id)
        if p.holder is not None and p.holder not in sc.sides:
            fail(f"places[{i}].holder", f"expected a side id ({', '.join(sc.sides)}), found {p.holder!r}")

    for sid, s in sc.sides.items():
        for j, src in enumerate(s.supply_sources):
            if src not in place_ids:
                fail(f"sides.{sid}.supply_sources[{j}]", f"expected a place id, found {src!r}")
        if s.rear not in place_ids:
            fail(f"sides.{sid}.rear", f"expected a place id, found {s.rear!r}")

    edges: set[frozenset] = set()
    for i, r in enumerate(sc.routes):
        for key, val in (("from", r.from_), ("to", r.to)):
            if val not in place_ids:
                fail(f"routes[{i}].{key}", f"expected a place id, found {val!r}")
        if r.from_ == r.to:
            fail(f"routes[{i}].to", f"a route must join two different places, found {r.to!r} twice")
        pair = frozenset((r.from_, r.to))
        if pair in edges:
            fail(f"routes[{i}]", f"duplicate route between {r.from_!r} and {r.to!r}")
        edges.add(pair)

    unit_ids: set[str] = set()
    groups: set[str] = set()
    for i, u in enumerate(sc.units):
        if u.id in unit_ids:
            fail(f"units[{i}].id", f"duplicate unit id {u.id!r}")
        unit_ids.add(u.id)
        if u.side not in sc.sides:
            fail(f"units[{i}].side", f"expected a side id ({', '.join(sc.sides)}), found {u.side!r}")
        if u.start not in place_ids:
            fail(f"units[{i}].start", f"expected a place id, found {u.start!r}")
        if u.group:
            groups.add(u.group)

    for i, o in enumerate(sc.orders):
        if o.unit is not None and o.unit not in unit_ids:
            fail(f"orders[{i}].unit", f"expected a unit id, found {o.unit!r}")
        if o.group is not None and o.group not in groups:
            fail(f"orders[{i}].group", f"expected a group named by some unit, found {o.group!r}")
        if o.objective is not None and o.objective not in place_ids:
            fail(f"orders[{i}].objective", f"expected a place id, found {o.objective!r}")
        for j, v in enumerate(o.via):
            if v not in place_ids:
                fail(f"orders[{i}].via[{j}]", f"expected a place id, found {v!r}")
        chain = list(o.via) + ([o.objective] if o.objective and o.via else [])
        for j in range(len(chain) - 1):
            if chain[j] != chain[j + 1] and frozenset((chain[j], chain[j + 1])) not in edges:
                fail(f"orders[{i}].via[{j}]",
                     f"no route joins {chain[j]!r} and {chain[j + 1]!r}")
        t = o.trigger
        if t is not None:
            for key in ("unit_arrived", "unit_broken"):
                val = getattr(t, key)
                if val is not None and val not in unit_ids:
                    fail(f"orders[{i}].trigger.{key}", f"expected a unit id, found {val!r}")
            for key in ("enemy_at", "place"):
                val = getattr(t, key)
                if val is not None and val not in place_ids:
                    fail(f"orders[{i}].trigger.{key}", f"expected a place id, found {val!r}")

    if sc.logistics is not None:
        _check_logistics(sc, place_ids, unit_ids, fail)

    from ..outcome_names import outcome_names  # local: outcome_names imports the schema

    known = outcome_names(sc.sides)
    record = None
    for i, c in enumerate(sc.compare):
        if c.claims and record is None:
            from ..record import RecordError, load_record

            try:
                record = load_record()
            except RecordError as exc:
                fail(f"compare[{i}].claims", f"the historical record does not load ({exc})")
        for j, cid in enumerate(c.claims):
            if cid not in record:
                fail(f"compare[{i}].claims[{j}]", f"expected a claim id of the record, found {cid!r}")
        if c.outcome not in known:
            fail(f"compare[{i}].outcome", f"expected an outcome name such as casualties.<side>, "
                 f"ring_closed_day; found {c.outcome!r}")


def _check_logistics(sc: Scenario, place_ids: set[str], unit_ids: set[str], fail) -> None:
    lg = sc.logistics
    if lg.buildup_start is not None and lg.buildup_start >= sc.engine.start:
        fail("logistics.buildup_start", f"expected a time before engine.start ({sc.engine.start}), "
             f"found {lg.buildup_start}")
    depots = {}
    for i, d in enumerate(lg.depots):
        if d.id in depots:
            fail(f"logistics.depots[{i}].id", f"duplicate depot id {d.id!r}")
        if d.side not in sc.sides:
            fail(f"logistics.depots[{i}].side", f"expected a side id ({', '.join(sc.sides)}), found {d.side!r}")
        if d.place not in place_ids:
            fail(f"logistics.depots[{i}].place", f"expected a place id, found {d.place!r}")
        depots[d.id] = d
    names = set()
    for i, f in enumerate(lg.fleets):
        if f.name in names:
            fail(f"logistics.fleets[{i}].name", f"duplicate fleet name {f.name!r}")
        names.add(f.name)
        if f.side not in sc.sides:
            fail(f"logistics.fleets[{i}].side", f"expected a side id ({', '.join(sc.sides)}), found {f.side!r}")
        for key in ("origin", "destination"):
            d = depots.get(getattr(f, key))
            if d is None:
                fail(f"logistics.fleets[{i}].{key}", f"expected a depot id, found {getattr(f, key)!r}")
            if d.side != f.side:
                fail(f"logistics.fleets[{i}].{key}", f"expected a depot of side {f.side!r}, found one of {d.side!r}")
        if depots[f.origin].kind != "railhead":
            fail(f"logistics.fleets[{i}].origin", f"expected a railhead, found depot {f.origin!r}")
        for j, p in enumerate(f.via):
            if p not in place_ids:
                fail(f"logistics.fleets[{i}].via[{j}]", f"expected a place id, found {p!r}")
    for s in sc.sides:
        if not any(d.side == s and d.kind == "depot" for d in lg.depots):
            fail("logistics.depots", f"side {s!r} has no depot (kind = 'depot') to supply its units")
    types = set()
    for i, c in enumerate(lg.consumption):
        for j, t in enumerate(c.unit_types):
            if t != "*" and t not in UNIT_TYPES:
                fail(f"logistics.consumption[{i}].unit_types[{j}]", f"expected a unit type or '*', found {t!r}")
            if t in types:
                fail(f"logistics.consumption[{i}].unit_types[{j}]", f"unit type {t!r} appears in two rows")
            types.add(t)
    if "*" not in types and not {u.type for u in sc.units} <= types:
        missing = sorted({u.type for u in sc.units} - types)
        fail("logistics.consumption", f"no consumption row for unit types {', '.join(missing)} (add one or '*')")
    for i, r in enumerate(lg.requirements):
        if r.side not in sc.sides:
            fail(f"logistics.requirements[{i}].side", f"expected a side id ({', '.join(sc.sides)}), found {r.side!r}")
    for i, x in enumerate(lg.interdictions):
        if x.depot is not None and x.depot not in depots:
            fail(f"logistics.interdictions[{i}].depot", f"expected a depot id, found {x.depot!r}")
        if x.fleet is not None and x.fleet not in names:
            fail(f"logistics.interdictions[{i}].fleet", f"expected a fleet name, found {x.fleet!r}")


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, validate and cross-check a scenario file.

    Raises :class:`ScenarioError` (one-line message) on any problem.
    """
    path = Path(path)
    shown = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{shown}: file not found") from None
    except OSError as exc:
        raise ScenarioError(f"{shown}: cannot read file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{shown}: expected UTF-8 text, found byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{shown}: invalid TOML: {' '.join(str(exc).split())}") from None
    return scenario_from_dict(data, shown)


def scenario_from_dict(data: Mapping[str, Any], shown: str = "<scenario>") -> LoadedScenario:
    """Validate an already-parsed scenario mapping (e.g. built in Python)."""
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(shown, exc, data)) from None
    _check_references(model, shown)

    defaults = _flatten_parameters(
        {k: Parameter.model_validate(v) for k, v in _default_parameters().items()}
    )
    own = _flatten_parameters(model.parameters)
    known_bases = set(defaults)
    for name in own:
        base, _, side = name.partition(".")
        if base not in known_bases:
            raise ScenarioError(
                f"{shown}: parameters.{base}: unknown parameter (known: {', '.join(sorted(known_bases))})"
            )
        if side and side not in model.sides:
            raise ScenarioError(
                f"{shown}: parameters.{name}: expected a side id ({', '.join(model.sides)}), found {side!r}"
            )
    merged = {**defaults, **own}
    cited = {name: p.claims for name, p in merged.items() if p.claims}
    if cited:
        from ..record import RecordError, load_record

        try:
            record = load_record()
        except RecordError as exc:
            raise ScenarioError(f"{shown}: parameters: the historical record does not load ({exc})") from None
        for name, ids in sorted(cited.items()):
            for j, cid in enumerate(ids):
                if cid not in record:
                    where = f"parameters.{name}" if name in own else f"default parameter {name}"
                    raise ScenarioError(f"{shown}: {where}.claims[{j}]: expected a claim id of the record, "
                                        f"found {cid!r}")
    canonical = json.dumps(
        {"scenario": model.model_dump(mode="json", by_alias=True),
         "parameters": {k: v.model_dump(mode="json") for k, v in sorted(merged.items())}},
        sort_keys=True, separators=(",", ":"),
    )
    sha = hashlib.sha256(canonical.encode()).hexdigest()
    return LoadedScenario(model=model, path=shown, sha256=sha, parameters=merged)
