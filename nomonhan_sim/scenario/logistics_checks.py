"""Cross-checks of a scenario's ``[logistics]`` section (depots, fleets, consumption)."""

from __future__ import annotations

from .loader import expect_place, expect_side
from .schema import Scenario, UnitType

UNIT_TYPES = set(UnitType.__args__)  # type: ignore[attr-defined]


def check_logistics(sc: Scenario, place_ids: set[str], fail) -> None:
    """Cross-references of the ``[logistics]`` section; ``fail(path, what)`` raises."""
    lg = sc.logistics
    if lg.buildup_start is not None and lg.buildup_start >= sc.engine.start:
        fail("logistics.buildup_start", f"expected a time before engine.start ({sc.engine.start}), "
             f"found {lg.buildup_start}")
    depots = {}
    for i, d in enumerate(lg.depots):
        if d.id in depots:
            fail(f"logistics.depots[{i}].id", f"duplicate depot id {d.id!r}")
        expect_side(fail, f"logistics.depots[{i}].side", d.side, sc.sides)
        expect_place(fail, f"logistics.depots[{i}].place", d.place, place_ids)
        depots[d.id] = d
    names = set()
    for i, f in enumerate(lg.fleets):
        if f.name in names:
            fail(f"logistics.fleets[{i}].name", f"duplicate fleet name {f.name!r}")
        names.add(f.name)
        expect_side(fail, f"logistics.fleets[{i}].side", f.side, sc.sides)
        for key in ("origin", "destination"):
            d = depots.get(getattr(f, key))
            if d is None:
                fail(f"logistics.fleets[{i}].{key}", f"expected a depot id, found {getattr(f, key)!r}")
            if d.side != f.side:
                fail(f"logistics.fleets[{i}].{key}", f"expected a depot of side {f.side!r}, found one of {d.side!r}")
        if depots[f.origin].kind != "railhead":
            fail(f"logistics.fleets[{i}].origin", f"expected a railhead, found depot {f.origin!r}")
        for j, p in enumerate(f.via):
            expect_place(fail, f"logistics.fleets[{i}].via[{j}]", p, place_ids)
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
        expect_side(fail, f"logistics.requirements[{i}].side", r.side, sc.sides)
    for i, x in enumerate(lg.interdictions):
        if x.depot is not None and x.depot not in depots:
            fail(f"logistics.interdictions[{i}].depot", f"expected a depot id, found {x.depot!r}")
        if x.fleet is not None and x.fleet not in names:
            fail(f"logistics.interdictions[{i}].fleet", f"expected a fleet name, found {x.fleet!r}")
