"""What the report says about its own scenario: title, period, the front force, names, map days.

Every scenario gets its own words: a scenario without ``[[compare]]`` entries is
said to have no record to compare with (not "against the record"), the period is
the scenario's own, ids in outcome names are shown by the units' and places' names.
"""

from __future__ import annotations

from ..scenario.bundled import area_text, duration_text, period_text
from .html import esc

#: Days of the battle maps (D+0 is hour 0) of a run of 11 to 22 days (the August 1939 and
#: 1945 scenarios: D+3, D+5 and D+11 are the days of their record); a shorter or longer
#: run gets four evenly spaced moments from its start to its end instead.
MAP_DAYS = (0, 3, 5, 11)


def has_record(parts) -> bool:
    """Whether the report compares with the historical record (the scenario's [[compare]])."""
    return bool(parts.comparisons)


def report_title(sc, n_worlds: int, record: bool) -> str:
    """``<name>: N simulated worlds against the record``, or, without a record, says so."""
    name = sc.model.scenario.name
    if record:
        return f"{name}: {n_worlds:,} simulated worlds against the record"
    return f"{name}: {n_worlds:,} simulated worlds (no historical record to compare with)"


def map_days(last_day: float) -> list[float]:
    """The days of the battle-map panels for a run of ``last_day`` days."""
    if MAP_DAYS[-1] <= last_day <= 2 * MAP_DAYS[-1]:
        return list(MAP_DAYS)
    return [round(last_day * k / 3, 2) for k in range(4)]


def front_force_text(sc) -> str:
    """Who the front force is: 'the Japanese front force (16 units)'."""
    m = sc.model
    front = [u for u in m.units if u.front_force]
    sides = sorted({u.side for u in front})
    if not front:
        return "the front force"
    who = " and ".join(m.sides[s].name.split(" (")[0] for s in sides)
    return f"the front force ({who}: {len(front)} unit{'s' if len(front) != 1 else ''})"


def period_html(sc) -> str:
    """The scenario's question, period and area as paragraphs."""
    m = sc.model
    out = [f"<p><b>Question.</b> {esc(m.scenario.question)}</p>" if m.scenario.question else ""]
    out.append(f"<p><b>Period.</b> {esc(period_text(sc))}; {esc(duration_text(sc))} simulated. "
               f"<b>Area.</b> {esc(area_text(sc))}.</p>")
    return "".join(out)


def record_intro_html(parts) -> list[str]:
    """The paragraphs that open the comparison section: how to read the table, or that there is no record."""
    scope = parts.scenario.model.scenario.compare_scope
    if not has_record(parts):
        said = f" The scenario says of its comparison: “{esc(scope)}”." if scope else ""
        return [f"<p class=\"note\" id=\"no-record\">There is no historical record to compare this scenario "
                f"with: it declares no <code>[[compare]]</code> entries, so the tables and figures below show "
                f"simulated outcomes only.{said}</p>"]
    out = ["<p>Red rows: the historical range lies outside the simulated 90% highest-density region (HDR), the "
           "verdict column's test. P(in record range) is the "
           "share of worlds whose value falls in the record's range; the percentile says where the record's "
           "central value sits in the simulated distribution; CRPS is in the outcome's unit (lower is better). "
           "Event times that did not happen by the end of the run count as later than the end.</p>"]
    if scope:
        out.append(f"<p><b>What the record covers.</b> {esc(scope)}</p>")
    return out
