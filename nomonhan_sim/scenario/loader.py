"""Load a scenario TOML file into a validated, immutable :class:`LoadedScenario`.

Every error a user can make becomes a :class:`ScenarioError` whose message is
one line: ``FILE: FIELD.PATH: what was expected, what was found``. A file with a
top-level ``base`` inherits (:mod:`nomonhan_sim.scenario.inherit`): it is merged over
its base before validation, and an error names the file and line the field came from,
``FILE:LINE: FIELD.PATH: ...``.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError

from ..vocabulary.input_files import parse_text, read_limited
from .limits import MAX_DEPTH, MAX_FILE_BYTES
from .messages import _format_validation_error
from .order_checks import check_orders
from .physical_checks import check_dates, check_graph, check_parameters, check_size
from .schema import Parameter, Scenario


class ScenarioError(ValueError):
    """A user error in a scenario file; ``str()`` is one line."""


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario plus what loading derived from it.

    ``parameters`` maps flat names (``casualty_rate_multiplier.soviet``) to
    :class:`Parameter`, defaults merged under the scenario's own values.
    ``sha256`` hashes the canonical JSON of the validated content, so two files
    that differ only in comments or layout share a hash; for an inheriting file that is
    the merged content, so it changes when a base changes. ``bases``: the files an
    inheriting scenario was merged over, nearest first (empty for a whole file).
    """

    model: Scenario
    path: str
    sha256: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    bases: tuple[str, ...] = ()

    def param(self, name: str, side: str | None = None) -> Parameter:
        """The parameter ``name`` (defaults merged); with ``side``, that side's own
        entry ``name.<side>`` if the scenario has one, else the common entry."""
        if side is not None and f"{name}.{side}" in self.parameters:
            return self.parameters[f"{name}.{side}"]
        return self.parameters[name]

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data (JSON types: str, float, int, bool, list, dict).

        Dates become ISO 8601 strings and every default is written out; the
        scenario's own ``parameters`` are kept, the package defaults are not (they
        merge again on loading). ``scenario_from_dict(sc.to_dict())`` gives back an
        equal scenario with the same ``sha256``.
        """
        return self.model.model_dump(mode="json", by_alias=True)

    def with_changes(self, changes: Mapping[str, Any]) -> "LoadedScenario":
        """A validated copy with the values at dotted paths replaced; ``self`` is unchanged.

        ``sc.with_changes({"units.mrr_24.personnel": 3000, "engine.attrition_law": "square",
        "parameters.dupuy_attacker_rate": 0.03})``. Lists are addressed by id
        (``units.<id>``, ``places.<id>``, ``logistics.depots.<id>``), truck fleets by
        name, items without an id by index (``orders.3``); a value may be a function of
        the current one (``lambda q: scaled(q, 0.5)``). The copy has its own ``sha256``
        and ``path`` ``"<path> (with changes)"``. Grammar and rules:
        :mod:`nomonhan_sim.scenario.changes`. Raises :class:`ScenarioError` (one line)
        for a path that names nothing and for a value that does not validate.
        """
        from .changes import with_changes  # local: that module imports this one

        return with_changes(self, changes)


# Package data, found with importlib.resources wherever the package is installed. Asked of
# the top-level package (always a regular one), not of nomonhan_sim.data: in Python 3.11
# resources of a namespace package fail under an editable install.
_DEFAULTS_FILE = resources.files("nomonhan_sim") / "data" / "default_parameters.toml"
#: Attrition parameters fitted on the calibration half of CDB90 (nomonhan_sim.validation.calibrate);
#: each of its tables replaces the published prior of the same name in the defaults.
_CALIBRATED_FILE = resources.files("nomonhan_sim") / "data" / "calibrated_attrition.toml"


def _prior_parameters() -> dict[str, Any]:
    """The parameter table before calibration: published values and ranges (default_parameters.toml)."""
    return tomllib.loads(_DEFAULTS_FILE.read_text(encoding="utf-8"))


def _calibrated_parameters() -> dict[str, Any]:
    """The fitted tables of calibrated_attrition.toml (name -> table)."""
    return tomllib.loads(_CALIBRATED_FILE.read_text(encoding="utf-8"))


def _default_parameters() -> dict[str, Any]:
    """The package defaults: the priors with the calibrated tables in place of theirs."""
    params = _prior_parameters()
    for name, table in _calibrated_parameters().items():
        if name not in params:
            raise ValueError(f"{_CALIBRATED_FILE}: {name}: not a parameter of default_parameters.toml")
        params[name] = table
    return params


def _flatten_parameters(params: Mapping[str, Any]) -> dict[str, Parameter]:
    flat: dict[str, Parameter] = {}
    for name, p in params.items():
        if isinstance(p, Parameter):
            flat[name] = p
        else:
            for side, q in p.items():
                flat[f"{name}.{side}"] = q
    return flat


def expect_side(fail, path: str, value: str, sides) -> None:
    """Fail unless ``value`` names a side."""
    if value not in sides:
        fail(path, f"expected a side id ({', '.join(sides)}), found {value!r}")


def expect_place(fail, path: str, value: str, place_ids) -> None:
    """Fail unless ``value`` names a place."""
    if value not in place_ids:
        fail(path, f"expected a place id, found {value!r}")


def _check_references(sc: Scenario, fail) -> None:
    """Cross-references and whole-scenario checks; ``fail(field_path, what)`` raises."""
    check_dates(sc, fail)
    place_ids: set[str] = set()
    for i, p in enumerate(sc.places):
        if p.id in place_ids:
            fail(f"places[{i}].id", f"duplicate place id {p.id!r}")
        place_ids.add(p.id)
        if p.holder is not None:
            expect_side(fail, f"places[{i}].holder", p.holder, sc.sides)

    for sid, s in sc.sides.items():
        for j, src in enumerate(s.supply_sources):
            expect_place(fail, f"sides.{sid}.supply_sources[{j}]", src, place_ids)
        expect_place(fail, f"sides.{sid}.rear", s.rear, place_ids)

    edges: set[frozenset] = set()
    for i, r in enumerate(sc.routes):
        for key, val in (("from", r.from_), ("to", r.to)):
            expect_place(fail, f"routes[{i}].{key}", val, place_ids)
        if r.from_ == r.to:
            fail(f"routes[{i}].to", f"a route must join two different places, found {r.to!r} twice")
        pair = frozenset((r.from_, r.to))
        if pair in edges:
            fail(f"routes[{i}]", f"duplicate route between {r.from_!r} and {r.to!r}")
        edges.add(pair)

    unit_ids: set[str] = set()
    for i, u in enumerate(sc.units):
        if u.id in unit_ids:
            fail(f"units[{i}].id", f"duplicate unit id {u.id!r}")
        unit_ids.add(u.id)
        expect_side(fail, f"units[{i}].side", u.side, sc.sides)
        expect_place(fail, f"units[{i}].start", u.start, place_ids)

    check_graph(sc, fail)  # routes = [], isolated places, unreachable supply sources (before orders' via)
    check_orders(sc, place_ids, edges, fail)

    for i, rep in enumerate(sc.replacements):
        if rep.unit not in unit_ids:
            fail(f"replacements[{i}].unit", f"expected a unit id, found {rep.unit!r}")
        if rep.at_hour > sc.engine.duration_hours:
            fail(f"replacements[{i}].at_hour", f"expected an hour within the run (<= "
                 f"{sc.engine.duration_hours:g}), found {rep.at_hour:g}")
        unit = next((u for u in sc.units if u.id == rep.unit), None)
        for cls in rep.equipment:
            if unit is not None and cls not in unit.equipment:
                fail(f"replacements[{i}].equipment.{cls}", f"unit {rep.unit!r} has no {cls} at hour 0; "
                     "replacements can only make up classes a unit has")

    if sc.logistics is not None:
        from .logistics_checks import check_logistics  # local: that module imports this one

        check_logistics(sc, place_ids, fail)

    cond = sc.conditions
    if cond is not None:
        if cond.air_superiority is not None:
            expect_side(fail, "conditions.air_superiority", cond.air_superiority, sc.sides)
        if cond.surprise is not None:
            expect_side(fail, "conditions.surprise.side", cond.surprise.side, sc.sides)
        for sid in cond.cev:
            expect_side(fail, f"conditions.cev.{sid}", sid, sc.sides)

    from ..vocabulary.outcome_names import outcome_names
    from .phase_schema import check_phases

    check_phases(sc, fail)
    known = outcome_names(sc.sides, [p.id for p in sc.places if p.disputed and p.holder],
                          [ph.id for ph in sc.phases], [u.id for u in sc.units],
                          supply=sc.logistics is not None)
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


def load_scenario(path: str | Path) -> LoadedScenario:
    """Read, validate and cross-check a scenario file: TOML, or JSON when the name ends
    in ``.json`` (the same content, as :meth:`LoadedScenario.to_dict` writes it).

    Raises :class:`ScenarioError` (one-line message) on any problem.
    """
    path = Path(path)
    shown = str(path)
    raw = read_limited(path, shown, MAX_FILE_BYTES, ScenarioError)  # regular files only, size capped
    as_json = path.suffix.lower() == ".json"  # e.g. a results folder's copy (LoadedScenario.to_dict)
    data = parse_text(raw, shown, MAX_DEPTH, ScenarioError, as_json=as_json)
    if as_json and not isinstance(data, dict):
        raise ScenarioError(f"{shown}: expected a JSON object (a table) at the top level")
    text = None if as_json else raw.decode("utf-8")  # parse_text has checked it is UTF-8
    return _from_data(data, shown, path.parent, text)


def scenario_from_dict(data: Mapping[str, Any], shown: str = "<scenario>", *,
                       folder: str | Path | None = None) -> LoadedScenario:
    """Validate an already-parsed scenario mapping (e.g. built in Python). A ``base`` in it
    is found relative to ``folder`` (default: the working folder) or by bundled name."""
    return _from_data(data, shown, Path(folder) if folder is not None else Path("."), None)


def _from_data(data: Mapping[str, Any], shown: str, folder: Path, text: str | None) -> LoadedScenario:
    if isinstance(data, Mapping) and ("base" in data or "remove" in data):
        from .inherit import inherit  # local: inherit finds bundled bases, and bundled imports this module

        merged = inherit(data, shown, folder, text, ScenarioError)
        return _validated(merged.data, shown, merged.where, merged.bases)
    return _validated(data, shown, lambda field_path: f"{shown}: {field_path}", ())


def _validated(data: Mapping[str, Any], shown: str, where, bases: tuple[str, ...]) -> LoadedScenario:
    """Validate ``data``; ``where(field_path)`` is the head of a message about that field."""
    def fail(field_path: str, what: str) -> None:
        raise ScenarioError(f"{where(field_path)}: {what}")

    check_size(data, fail)  # caps on nesting and list lengths, before any validation
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_validation_error(shown, exc, data, where)) from None
    _check_references(model, fail)

    defaults = _flatten_parameters(
        {k: Parameter.model_validate(v) for k, v in _default_parameters().items()}
    )
    own = _flatten_parameters(model.parameters)
    known_bases = set(defaults)
    for name in own:
        base, _, side = name.partition(".")
        if base not in known_bases:
            fail(f"parameters.{base}", f"unknown parameter (known: {', '.join(sorted(known_bases))})")
        if side and side not in model.sides:
            fail(f"parameters.{name}", f"expected a side id ({', '.join(model.sides)}), found {side!r}")
    merged = {**defaults, **own}
    check_parameters(merged, own, fail)
    cited = {name: p.claims for name, p in merged.items() if p.claims}
    if cited:
        from ..record import RecordError, load_record

        try:
            record = load_record()
        except RecordError as exc:
            raise ScenarioError(f"{where('parameters')}: the historical record does not load ({exc})") from None
        for name, ids in sorted(cited.items()):
            for j, cid in enumerate(ids):
                if cid not in record:
                    if name not in own:
                        raise ScenarioError(f"{shown}: default parameter {name}.claims[{j}]: expected a claim "
                                            f"id of the record, found {cid!r}")
                    fail(f"parameters.{name}.claims[{j}]", f"expected a claim id of the record, found {cid!r}")
    canonical = json.dumps(
        {"scenario": model.model_dump(mode="json", by_alias=True),
         "parameters": {k: v.model_dump(mode="json") for k, v in sorted(merged.items())}},
        sort_keys=True, separators=(",", ":"),
    )
    sha = hashlib.sha256(canonical.encode()).hexdigest()
    return LoadedScenario(model=model, path=shown, sha256=sha, parameters=merged, bases=bases)
