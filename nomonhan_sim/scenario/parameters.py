"""The parameter table: every model parameter with its value, unit, claims and source."""

from __future__ import annotations

from . import quantity as qty
from .loader import LoadedScenario


def _value(q) -> str:
    if isinstance(q, qty.Distribution):
        lo, hi = q.bounds
        if q.dist == "uniform":
            return f"uniform {lo:g}–{hi:g}"
        return f"{q.dist} (nominal {q.nominal:g})"
    return f"{float(q):g}"


def parameter_table(sc: LoadedScenario) -> str:
    """Markdown table of the scenario's parameters (defaults merged), sorted by name."""
    lines = ["| parameter | value | unit | claims | source |", "|---|---|---|---|---|"]
    for name in sorted(sc.parameters):
        p = sc.parameters[name]
        claims = ", ".join(f"`{c}`" for c in p.claims) or "—"
        src = p.source.replace("|", "/")
        lines.append(f"| `{name}` | {_value(p.value)} | {p.unit} | {claims} | {src} |")
    return "\n".join(lines)
