"""Whole-scenario physical checks: size caps, date-times in one zone, the ground graph,
parameter ranges.

Called by :mod:`nomonhan_sim.scenario.loader`; every failure is one line naming the
field (``fail(path, what)`` raises). The caps and ranges are those of
:mod:`nomonhan_sim.scenario.limits`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from ..vocabulary.input_files import too_deep
from .limits import LIST_CAPS, MAX_BUILDUP_DAYS, MAX_DEPTH, MAX_LIST_ITEMS, parameter_range


def check_size(data: Any, fail) -> None:
    """Caps on the parsed file before it is validated: nesting depth, the number of
    places, routes, units and orders, and of the entries of any other list."""
    deep = too_deep(data, MAX_DEPTH)
    if deep is not None:
        fail(deep, f"expected tables and arrays nested at most {MAX_DEPTH} deep, found deeper nesting")
    if not isinstance(data, Mapping):
        return
    for key, cap in LIST_CAPS.items():
        items = data.get(key)
        if isinstance(items, list) and len(items) > cap:
            fail(key, f"expected at most {cap:,} {key}, found {len(items):,}")
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS and where not in LIST_CAPS:
                fail(where, f"expected at most {MAX_LIST_ITEMS:,} entries, found {len(node):,}")
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node) if isinstance(v, (list, Mapping)))
        elif isinstance(node, Mapping):
            if len(node) > MAX_LIST_ITEMS:
                fail(where or "(top level)", f"expected at most {MAX_LIST_ITEMS:,} keys, found {len(node):,}")
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in node.items()
                         if isinstance(v, (list, Mapping)))


def _zone(t: _dt.datetime) -> str:
    off = t.utcoffset()
    return "no UTC offset" if off is None else f"UTC offset {t.strftime('%z') or off}"


def check_dates(sc, fail) -> None:
    """Every date-time of the file written like engine.start (all without a UTC offset,
    or all with the same one), and logistics.buildup_start at most MAX_BUILDUP_DAYS before it."""
    start = sc.engine.start
    found: list[tuple[str, _dt.datetime]] = []
    if sc.logistics is not None and sc.logistics.buildup_start is not None:
        found.append(("logistics.buildup_start", sc.logistics.buildup_start))
    for i, o in enumerate(sc.orders):
        if o.trigger is not None and o.trigger.at is not None:
            found.append((f"orders[{i}].trigger.at", o.trigger.at))
    for i, ph in enumerate(getattr(sc, "phases", None) or ()):
        if getattr(ph, "end", None) is not None:
            found.append((f"phases[{i}].end", ph.end))
    for path, t in found:
        if (t.tzinfo is None) != (start.tzinfo is None) or t.utcoffset() != start.utcoffset():
            fail(path, f"expected a date-time in the same zone as engine.start ({start.isoformat()}, "
                 f"{_zone(start)}), found {t.isoformat()} ({_zone(t)})")
    if found and found[0][0] == "logistics.buildup_start":
        early = start - found[0][1]
        if early > _dt.timedelta(days=MAX_BUILDUP_DAYS):
            fail("logistics.buildup_start", f"expected a date-time at most {MAX_BUILDUP_DAYS} days before "
                 f"engine.start ({start.isoformat()}), found {found[0][1].isoformat()} "
                 f"({early.days} days before)")


def _components(sc) -> tuple[dict[str, int], dict[str, int]]:
    """(component number of each place, number of routes at each place)."""
    adj: dict[str, list[str]] = {p.id: [] for p in sc.places}
    for r in sc.routes:
        adj[r.from_].append(r.to)
        adj[r.to].append(r.from_)
    comp: dict[str, int] = {}
    for pid in adj:
        if pid in comp:
            continue
        comp[pid] = n = len(comp)  # a fresh number: larger than any given so far
        todo = [pid]
        while todo:
            for q in adj[todo.pop()]:
                if q not in comp:
                    comp[q] = n
                    todo.append(q)
    return comp, {pid: len(v) for pid, v in adj.items()}


def check_graph(sc, fail) -> None:
    """The ground graph joins what must be joined: routes when there is more than one
    place; no place a unit or an order uses without a route; each side's supply sources
    and rear reachable by routes from the places its units stand at (depots and railheads
    need not be: trucks reach them by their fleet's own ``km``); every
    objective reachable from the start of the units ordered there. (Places, sides and
    unit starts are already checked; places the orders name may still be unknown.)"""
    n = len(sc.places)
    if n > 1 and not sc.routes:
        fail("routes", f"expected routes joining the {n} places, found none")
    comp, degree = _components(sc)
    used = [(f"units[{i}].start", u.start) for i, u in enumerate(sc.units)]
    for i, o in enumerate(sc.orders):
        used += [(f"orders[{i}].objective", o.objective)] if o.objective else []
        used += [(f"orders[{i}].via[{j}]", v) for j, v in enumerate(o.via)]
        t = o.trigger
        if t is not None:
            used += [(f"orders[{i}].trigger.{k}", getattr(t, k)) for k in ("enemy_at", "place") if getattr(t, k)]
    if n > 1:
        for path, pid in used:
            if degree.get(pid, 1) == 0:  # an unknown place is reported by the orders' checks
                fail(path, f"expected a place joined by a route to another, found {pid!r}, which no route reaches")
    for sid, side in sc.sides.items():
        comps = {comp[u.start] for u in sc.units if u.side == sid}
        if not comps:
            continue
        wheres = [(f"sides.{sid}.supply_sources[{j}]", p) for j, p in enumerate(side.supply_sources)]
        wheres.append((f"sides.{sid}.rear", side.rear))
        for path, pid in wheres:
            if comp[pid] not in comps:
                fail(path, f"expected a place reachable by routes from where the units of side {sid!r} "
                     f"stand, found {pid!r}, which no route leads to from them")
    groups: dict[str, list] = {}
    for u in sc.units:
        if u.group:
            groups.setdefault(u.group, []).append(u)
    for i, o in enumerate(sc.orders):
        if not o.objective or o.objective not in comp:
            continue
        for u in [u for u in sc.units if u.id == o.unit] if o.unit else groups.get(o.group, []):
            if comp[u.start] != comp[o.objective]:
                fail(f"orders[{i}].objective", f"expected a place unit {u.id!r} can reach by routes from its "
                     f"start {u.start!r}, found {o.objective!r}")


def check_parameters(merged: Mapping[str, Any], own: Mapping[str, Any], fail) -> None:
    """Each parameter's value (a number or distribution) within its range
    (:func:`nomonhan_sim.scenario.limits.parameter_range`)."""
    for name, p in merged.items():
        try:
            parameter_range(name.partition(".")[0]).check(p.value)
        except ValueError as exc:
            where = f"parameters.{name}.value" if name in own else f"default parameter {name}"
            fail(where, str(exc))
