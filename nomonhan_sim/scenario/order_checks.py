"""Cross-checks of a scenario's ``[[orders]]``: units, groups, places, routes, tasks and triggers.

Every failure is one line ``FIELD.PATH: what was expected, what was found``;
errors about an order's task or trigger name the unit or group it is for.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .order_schema import hours_after, parse_event
from .schema import Order, Scenario


def _who(o: Order) -> str:
    return f"order for unit {o.unit!r}" if o.unit is not None else f"order for group {o.group!r}"


@dataclass(frozen=True)
class _Names:
    """What orders may name: unit ids (with their side), group names (with their units), places."""

    side_of: dict[str, str]
    groups: dict[str, list[str]]
    place_ids: set[str]
    holder: dict[str, str | None]


def check_orders(sc: Scenario, place_ids: set[str], edges: set[frozenset], fail) -> None:
    """Cross-references of the ``[[orders]]``; ``fail(path, what)`` raises."""
    groups: dict[str, list[str]] = {}
    for u in sc.units:
        if u.group:
            groups.setdefault(u.group, []).append(u.id)
    names = _Names({u.id: u.side for u in sc.units}, groups, place_ids, {p.id: p.holder for p in sc.places})
    unit_ids = names.side_of.keys()
    n_orders = dict.fromkeys(unit_ids, 0)  # orders seen so far, per unit

    for i, o in enumerate(sc.orders):
        at = f"orders[{i}]"
        if o.unit is not None and o.unit not in unit_ids:
            fail(f"{at}.unit", f"expected a unit id, found {o.unit!r}")
        if o.group is not None and o.group not in groups:
            fail(f"{at}.group", f"expected a group named by some unit, found {o.group!r}")
        if o.objective is not None and o.objective not in place_ids:
            fail(f"{at}.objective", f"expected a place id, found {o.objective!r}")
        for j, v in enumerate(o.via):
            if v not in place_ids:
                fail(f"{at}.via[{j}]", f"expected a place id, found {v!r}")
        chain = list(o.via) + ([o.objective] if o.objective and o.via else [])
        for j in range(len(chain) - 1):
            if chain[j] != chain[j + 1] and frozenset((chain[j], chain[j + 1])) not in edges:
                fail(f"{at}.via[{j}]",
                     f"no route joins {chain[j]!r} and {chain[j + 1]!r}")
        targets = [o.unit] if o.unit is not None else groups[o.group]
        _check_task(o, at, fail)
        if o.trigger is not None:
            _check_trigger(sc, o, at, targets, names, n_orders, fail)
        for u in targets:
            n_orders[u] += 1


def _check_task(o: Order, at: str, fail) -> None:
    who = _who(o)
    if o.task == "pause":
        if o.hours is None or not o.hours > 0:
            fail(f"{at}.hours", f"{who}: task 'pause' needs hours > 0 (how long it lasts); found "
                 + ("none" if o.hours is None else f"{o.hours:g}"))
        if o.objective is not None:
            fail(f"{at}.objective", f"{who}: task 'pause' stays where the unit is, so takes no objective; "
                 f"found {o.objective!r}")
        if o.via:
            fail(f"{at}.via", f"{who}: task 'pause' stays where the unit is, so takes no via; found {o.via!r}")
    elif o.hours is not None:
        fail(f"{at}.hours", f"{who}: only task 'pause' takes hours; found hours = {o.hours:g} "
             f"on task {o.task!r}")
    if o.task == "pull_back" and o.objective is None:
        fail(f"{at}.objective", f"{who}: task 'pull_back' needs objective (the place to pull back to); "
             "found none")


def _check_trigger(sc: Scenario, o: Order, at: str, targets: list[str], names: _Names,
                   n_orders: dict[str, int], fail) -> None:
    t, who, at = o.trigger, _who(o), f"{at}.trigger"
    unit_ids, groups, place_ids, holder = names.side_of.keys(), names.groups, names.place_ids, names.holder
    for key in ("unit_arrived", "unit_broken"):
        val = getattr(t, key)
        if val is not None and val not in unit_ids:
            fail(f"{at}.{key}", f"expected a unit id, found {val!r}")
    for key in ("enemy_at", "place"):
        val = getattr(t, key)
        if val is not None and val not in place_ids:
            fail(f"{at}.{key}", f"expected a place id, found {val!r}")
    if t.place is not None and t.unit_arrived is None:
        fail(f"{at}.place", f"{who}: place goes with unit_arrived only; found place without it")
    if t.at is not None:
        _check_date(sc, t.at, f"{at}.at", who, fail)
    if t.after_hours is not None:
        if not t.after_hours > 0:
            fail(f"{at}.after_hours", f"{who}: expected hours > 0 after the previous order started; "
                 f"found {t.after_hours:g}")
        first = [u for u in targets if n_orders[u] == 0]
        if first:
            fail(f"{at}.after_hours", f"{who}: after_hours counts from the unit's previous order, but "
                 f"unit {first[0]!r} has none before this one; found a first order (use at_hour or at)")
    if t.when is not None:
        try:
            kind, args = parse_event(t.when)
        except ValueError as exc:
            fail(f"{at}.when", f"{who}: {exc}")
        for name in args[:1] if kind in ("encircled", "broken", "arrived") else ():
            if name not in unit_ids and name not in groups:
                fail(f"{at}.when", f"{who}: expected a unit id or group name after '{kind}:'; "
                     f"found {name!r} in {t.when!r}")
        place = args[0] if kind == "captured" else args[1] if kind == "arrived" else None
        if place is not None and place not in place_ids:
            fail(f"{at}.when", f"{who}: expected a place id in {kind}:...; found {place!r} in {t.when!r}")
        if kind == "captured":
            enemy_held = [u for u in targets if holder[place] not in (None, names.side_of[u])]
            if enemy_held:
                fail(f"{at}.when", f"{who}: expected a place the enemy does not hold at hour 0 "
                     f"(captured fires when the enemy takes it); found {place!r} held by "
                     f"{holder[place]!r} at hour 0")


def _check_date(sc: Scenario, when, path: str, who: str, fail) -> None:
    eng = sc.engine
    if (when.tzinfo is None) != (eng.start.tzinfo is None):
        fail(path, f"{who}: expected a date-time written like engine.start ({eng.start.isoformat()}), "
             f"with or without a UTC offset as it is; found {when.isoformat()}")
    h = hours_after(eng.start, when)
    if not 0 <= h < eng.duration_hours:
        end = eng.start + _dt.timedelta(hours=eng.duration_hours)
        fail(path, f"{who}: expected a date-time from engine.start ({eng.start.isoformat()}) to before the "
             f"scenario's end ({end.isoformat()}, hour {eng.duration_hours:g}); found {when.isoformat()} "
             f"(hour {h:g})")
