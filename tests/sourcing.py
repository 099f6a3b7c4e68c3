"""Every figure of a scenario carries its source: the check the scenario tests share.

A source is a tag of ``docs/sources.md`` (``[KOLOM-KNIGALUB]``), a seed file with its quote
(``000_5f631037b1e90f35.txt``), ``derived`` (arithmetic on sourced figures, rule stated),
``estimate`` (no sourced figure, reason stated) or a CDB90 battle.
"""

from __future__ import annotations

import re

CITED = re.compile(r"\[[A-Z0-9][A-Z0-9-]+\]|\d{3}_[0-9a-f]{16}\.txt|(?i:derived|estimate|CDB90)")


def uncited(model, *, orders: bool = False, conditions: bool = False) -> list[str]:
    """What in the scenario ``model`` names no source: units, places, routes, sides,
    parameter values (a source, or Lawrence's fit), compare targets (claims or a source);
    with ``orders`` each order's note, with ``conditions`` the ``[conditions]`` table (which
    must then exist)."""
    out = []
    for kind, items in (("units", model.units), ("places", model.places), ("routes", model.routes)):
        out += [f"{kind}[{i}] ({getattr(it, 'id', '')}): {it.source!r}"
                for i, it in enumerate(items) if not CITED.search(it.source)]
    out += [f"sides.{sid}: {s.source!r}" for sid, s in model.sides.items() if not CITED.search(s.source)]
    for name, p in model.parameters.items():
        out += [f"parameters.{name}: {q.source!r}" for q in (p.values() if isinstance(p, dict) else [p])
                if not (CITED.search(q.source) or "Lawrence" in q.source)]
    out += [f"compare {t.outcome}" for t in model.compare if not (t.claims or CITED.search(t.source))]
    if orders:
        out += [f"orders[{i}] ({o.unit}): {o.note!r}" for i, o in enumerate(model.orders) if not CITED.search(o.note)]
    if conditions and (model.conditions is None or not CITED.search(model.conditions.source)):
        out.append("conditions")
    return out
