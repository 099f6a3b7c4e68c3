"""One self-contained HTML report of a saved run (``python -m nomonhan_sim report``).

The report reads a results folder written by ``run --out`` (outcomes, manifest
and the folder's copy of the run's scenario, or ``--scenario``) and writes one
HTML file with the scenario summary, the comparison with the historical record (with sources), the outcome
plots and the run's provenance.

Maps and timelines need the state of each world over time, which the results
folder does not keep. The report re-simulates chunk 0 of the run (same scenario,
seed, chunk size: the same worlds, see :mod:`nomonhan_sim.experiment`) with
tracing on, checks that it reproduces the saved outcomes of those worlds
exactly, and says so in the provenance table. ``resimulate=False`` skips this
and the figures that need it.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import __version__
from .html import esc, figure_block, figure_png, page, table
from ..experiment.store import StoreError, read_results, results_scenario, run_scenario
from ..experiment.summary import fmt, summarise
from ..plot.distributions import display_names
from .texts import front_force_text, map_days, period_html, record_intro_html, report_title


@dataclass
class ReportParts:
    """What goes into the report; built by :func:`collect`, rendered by :func:`render`."""

    title: str
    scenario: object
    outcomes: object
    manifest: dict
    comparisons: list = field(default_factory=list)
    figures: list[tuple[str, bytes, str]] = field(default_factory=list)  # (id, png, caption)
    provenance: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figure_notes: list[str] = field(default_factory=list)  # figures left out, and why


def _scenario_for(results_dir: Path, manifest: dict, scenario_path: str | Path | None):
    """The results folder's own scenario copy, or ``scenario_path``; either must have the run's hash."""
    if scenario_path is None:
        return results_scenario(results_dir, manifest)
    return run_scenario(scenario_path, manifest)


def _resimulate_chunk0(sc, manifest: dict, df, progress=None):
    """Chunk 0 of the run, traced; and whether it reproduces the saved rows.

    ``progress``: called with worlds done (a float) as the re-simulation advances."""
    from ..engine.compiled import compile_scenario
    from ..simulation import run_batch
    from ..experiment.runner import DEFAULT_CHUNK, chunk_seed
    from ..experiment.outcomes import outcomes_frame

    seed = int(manifest["seed"])
    n = min(int(manifest.get("chunk_size", DEFAULT_CHUNK)), int(manifest.get("replicates", len(df))))
    res = run_batch(compile_scenario(sc), n, chunk_seed(seed, 0), stochastic=manifest.get("stochastic"),
                    log_events=True, trace_worlds=list(range(n)),
                    progress=(lambda share: progress(share * n)) if progress else None)
    again = outcomes_frame(res, first_replicate=0, seed=seed, chunk=0)
    saved = df[df["chunk"] == 0] if "chunk" in df else df.iloc[:0]
    same = (len(saved) == len(again) and list(saved.columns) == list(again.columns)
            and all(np.array_equal(saved[c].to_numpy(float), again[c].to_numpy(float), equal_nan=True)
                    for c in again.columns))
    return res, n, same


def _outcome_figures(parts: ReportParts) -> None:
    import matplotlib.pyplot as plt

    from ..plot import ring_closed_share, scenario_page

    sc, df, rows = parts.scenario, parts.outcomes, parts.comparisons
    end_day = sc.model.engine.duration_hours / 24.0
    name, names = sc.model.scenario.name, display_names(sc)
    if rows:
        fig = scenario_page(df, rows, f"{name}: simulated outcomes ({len(df)} worlds) "
                                      f"against the historical record", end_day=end_day, names=names)
        parts.figures.append(("fig-outcomes", figure_png(fig),
                              "Distribution of each compared outcome over the replicate worlds (blue), its "
                              "median and 90% interval (black line, grey band), and the historical range "
                              "(red band) with its sources in the legend."))
    else:
        _simulated_only_figure(parts, names, end_day)
    if "ring_closed_day" in df:
        ring = next((r for r in rows if r.outcome == "ring_closed_day"), None)
        days = df["ring_closed_day"].to_numpy(float)
        front = front_force_text(sc)
        if ring is None and not np.isfinite(days).any():  # nothing to draw: a flat line at 0
            parts.figure_notes.append(f"The ring around {front} closed in none of the {len(df):,} worlds "
                                      f"(and the record gives no date for it), so no ring figure is drawn.")
            return
        fig, ax = plt.subplots(figsize=(8, 4.2), constrained_layout=True)
        src = "; ".join(sorted({c.source.label for c in ring.claims})) if ring else ""
        ring_closed_share(ax, days, record=(ring.low, ring.high) if ring else None, end_day=end_day, source=src,
                          start=sc.model.engine.start,
                          title=f"{name}: ring around the front force closed, share of worlds by day"
                                + (", vs the record" if ring else ""))
        parts.figures.append(("fig-ring", figure_png(fig),
                              f"Share of worlds in which the ring around {front} has closed, by day after the "
                              f"scenario start ({sc.model.engine.start:%d %b %Y %H:%M})"
                              + ("; the band marks the historical closing dates." if ring else
                                 "; the record gives no date for it (no band).")))


def _simulated_only_figure(parts: ReportParts, names: dict, end_day: float) -> None:
    """Without a record: each side's casualties and the front force's share lost, simulated only."""
    import matplotlib.pyplot as plt

    from ..plot import plot_outcome

    df, sc = parts.outcomes, parts.scenario
    cols = [c for c in [f"casualties.{s}" for s in sc.model.sides] + ["front_force_share_lost"] if c in df]
    if not cols:
        return
    fig, axes = plt.subplots(1, len(cols), figsize=(5.2 * len(cols), 3.8), squeeze=False, constrained_layout=True)
    for ax, col in zip(axes[0], cols):
        plot_outcome(ax, df[col].to_numpy(float), outcome=col, end_day=end_day, names=names)
        ax.set_title(col, fontsize=9)
    fig.suptitle(f"{sc.model.scenario.name}: simulated outcomes ({len(df)} worlds); no historical record "
                 f"to compare with", fontsize=11)
    parts.figures.append(("fig-simulated", figure_png(fig),
                          "Distribution of each side's casualties and of the front force's share lost over the "
                          "replicate worlds (blue), median and 90% interval (black line, grey band). There is no "
                          "historical record for this scenario, so no record is drawn."))


def _traced_figures(parts: ReportParts, res, n: int) -> None:
    import matplotlib.pyplot as plt

    from ..plot import battle_map_series, strength_timeline, supply_timeline

    sc = parts.scenario
    last_day = sc.model.engine.duration_hours / 24.0
    days = map_days(last_day)  # D+0, 3, 5, 11 for a run of 11-22 days, else four even moments of it
    fig = battle_map_series(res, days=days, world=0, ncols=2 if len(days) == 4 else len(days))
    parts.figures.append(("fig-maps", figure_png(fig, dpi=80),
                          f"Battle map of world 0 of this run at D+{', D+'.join(f'{d:g}' for d in days)} "
                          f"(D = {sc.model.engine.start:%d %b %Y %H:%M}): unit symbols at their positions, "
                          f"movement arrows of the preceding 12 hours, encircled pockets shaded."))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.4), constrained_layout=True)
    strength_timeline(axes[0], res, "personnel")
    if "tanks" in res.compiled.equipment_classes:
        strength_timeline(axes[1], res, "tanks")
    else:
        axes[1].set_visible(False)
    what = "Men and tanks" if "tanks" in res.compiled.equipment_classes else "Men"
    parts.figures.append(("fig-strength", figure_png(fig),
                          f"{what} in the field per side over time: median, 50% and 90% bands over "
                          f"the {n} worlds of chunk 0 (re-simulated)."))
    log = sc.model.logistics
    if log is not None:
        fig, ax = plt.subplots(figsize=(10, 4.4), constrained_layout=True)
        supply_timeline(ax, res)
        since = (f"from the start of the build-up ({log.buildup_start:%d %b %Y})" if log.buildup_start
                 else "from H-hour (no build-up)")
        reqs = "requirement lines with their sources" if log.requirements else "no requirement given"
        parts.figures.append(("fig-supply", figure_png(fig),
                              f"Supply held by each side (depots and units) {since}: median and 90% band over "
                              f"the {n} worlds of chunk 0; {reqs}."))


def collect(results_dir: str | Path, scenario_path: str | Path | None = None,
            resimulate: bool = True, progress=None) -> ReportParts:
    """Read a results folder and build every table and figure of its report.

    ``progress``: called with worlds done (float) while chunk 0 is re-simulated."""
    import matplotlib

    matplotlib.use("Agg")
    from ..record import load_record
    from ..record.compare import compare_outcomes

    results_dir = Path(results_dir)
    df, manifest = read_results(results_dir)
    for key in ("seed", "replicates", "scenario_sha256"):
        if key not in manifest:
            raise StoreError(f"{results_dir}/manifest.json: field '{key}' missing")
    sc = _scenario_for(results_dir, manifest, scenario_path)
    rows = compare_outcomes(df, sc, load_record()) if sc.model.compare else []
    parts = ReportParts(title=report_title(sc, len(df), bool(rows)), scenario=sc, outcomes=df, manifest=manifest, comparisons=rows)
    _outcome_figures(parts)
    check = "not done (report written without re-simulation)"
    if resimulate:
        res, n, same = _resimulate_chunk0(sc, manifest, df, progress)
        check = (f"yes: the {n} worlds of chunk 0 re-simulated from the seed give the saved outcomes exactly"
                 if same else f"NO: re-simulating chunk 0 ({n} worlds) does not reproduce the saved outcomes")
        if not same:
            parts.notes.append("Re-simulating chunk 0 did not reproduce the saved outcomes (different version or "
                               "platform?). The maps and timelines show the re-simulated worlds, not the saved ones.")
        _traced_figures(parts, res, n)
    import matplotlib as mpl
    import pandas as pd
    import simpy

    m = manifest
    parts.provenance = [
        ("results folder", str(results_dir.resolve())),
        ("scenario", f"{m.get('scenario')} ({sc.path})"),
        ("scenario file of the run (information)", str(m.get("scenario_origin", m.get("scenario_path")))),
        ("scenario sha256", str(m.get("scenario_sha256"))),
        ("seed", str(m.get("seed"))), ("replicates", f"{int(m.get('replicates')):,}"),
        ("chunk size (worlds per batch)", str(m.get("chunk_size"))),
        ("stochastic dynamics", str(m.get("stochastic"))), ("attrition law", str(m.get("attrition_law"))),
        ("nomonhan_sim version of the run", str(m.get("version"))),
        ("nomonhan_sim version of this report", __version__),
        ("re-simulation reproduces the run", check),
        ("software", f"Python {platform.python_version()}, numpy {np.__version__}, simpy {simpy.__version__}, "
                     f"pandas {pd.__version__}, matplotlib {mpl.__version__}"),
        ("report written", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("reproduce with", f"python -m nomonhan_sim run {sc.path} --replicates {m.get('replicates')} "
                           f"--seed {m.get('seed')} --chunk-size {m.get('chunk_size')}"
                           + (" --deterministic" if m.get("stochastic") is False and sc.model.engine.stochastic else "")),
    ]
    return parts


def _summary_html(parts: ReportParts) -> list[str]:
    m = parts.scenario.model
    e = m.engine
    out = [f"<p>{esc(m.scenario.description)}</p>" if m.scenario.description else "",
           f"<p>Start (H-hour) {e.start:%d %B %Y %H:%M}; {e.duration_hours / 24:g} days simulated; "
           f"{len(m.places)} places, {len(m.routes)} routes, {len(m.units)} units, {len(m.orders)} orders; "
           f"attrition law <code>{esc(e.attrition_law)}</code>.</p>", period_html(parts.scenario)]
    totals = []
    for sid, side in m.sides.items():
        units = [u for u in m.units if u.side == sid]
        men = [_bounds(u.personnel) for u in units]
        tanks = [_bounds(u.equipment.get("tanks", 0)) for u in units]
        totals.append([side.name, len(units), _span(sum(a for a, _ in men), sum(b for _, b in men)),
                       _span(sum(a for a, _ in tanks), sum(b for _, b in tanks))])
    out.append(table(["side", "units", "men at the start", "tanks at the start"], totals, table_id="sides",
                     cell_classes=["", "num", "num", "num"]))
    out.append("<p>Ranges are where the sources disagree: each world draws its own value. "
               "The full order of battle with every figure's source is at the end of this report.</p>")
    return out


def _order_of_battle_html(parts: ReportParts) -> list[str]:
    m = parts.scenario.model
    rows = [[m.sides[u.side].name, u.name, u.type, u.echelon, _quantity(u.personnel),
             _quantity(u.equipment["tanks"]) if "tanks" in u.equipment else "", u.source] for u in m.units]
    return [f"<details><summary>Order of battle: {len(m.units)} units, each with its source</summary>",
            table(["side", "unit", "type", "echelon", "men", "tanks", "source"], rows, table_id="order-of-battle",
                  cell_classes=["", "", "", "", "num", "num", "src"]), "</details>"]


def _bounds(q) -> tuple[float, float]:
    from ..scenario.schema import _range_text

    lo, hi, _ = _range_text(q)
    return lo, hi


def _span(lo: float, hi: float) -> str:
    return f"{lo:,.0f}" if lo == hi else f"{lo:,.0f}–{hi:,.0f}"


def _quantity(q) -> str:
    return _span(*_bounds(q))


def _record_html(parts: ReportParts) -> list[str]:
    rows = parts.comparisons
    if not rows:
        return []
    head = ["outcome", "unit", "record", "simulated median", "simulated 90% interval", "P(in record range)",
            "percentile of record", "CRPS", "verdict", "sources"]
    body, classes = [], []
    for r in rows:
        rec = fmt(r.low) if r.low == r.high else f"{fmt(r.low)} – {fmt(r.high)}"
        body.append([r.outcome, r.unit, rec, fmt(r.median), f"{fmt(r.q05)} – {fmt(r.q95)}", f"{r.p_range:.2f}",
                     f"{r.percentile:.2f}", fmt(r.crps), r.verdict, r.sources])
        classes.append("inside" if r.inside else "outside")
    cc = ["", "", "num", "num", "num", "num", "num", "num", "verdict", "src"]
    out = [table(head, body, table_id="record-table", classes=classes, cell_classes=cc)]
    claims = {c.id: c for r in rows for c in r.claims}
    if claims:
        items = []
        for cid, c in sorted(claims.items()):
            s = c.source
            where = (f"“{s.quote}”" if s.quote else f"{s.title or ''} {s.url or ''}".strip()) or (s.section or "")
            items.append([cid, s.label, c.shown, c.reliability.grade, where])
        out.append("<p>Claims of the record used above:</p>")
        out.append(table(["claim", "source", "value", "reliability", "quote or reference"], items,
                         table_id="record-sources", cell_classes=["", "", "", "", "src"]))
    return out


def _phases_html(parts: ReportParts) -> list[str]:
    """Casualties by phase (``[[phases]]``): median and 90% interval per side; no record."""
    from ..scenario.phase_schema import phase_end_hours
    from ..vocabulary.outcome_names import phase_casualties_column

    m, df = parts.scenario.model, parts.outcomes
    if not m.phases:
        return []
    ends = phase_end_hours(m)
    rows, begin = [], 0.0
    for ph, end in zip(m.phases, ends):
        row = [ph.id, f"day {begin / 24:.2f} – {end / 24:.2f}", ph.description]
        for sid in m.sides:
            v = df[phase_casualties_column(ph.id, sid)].to_numpy(float)
            q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
            row.append(f"{fmt(q50)} ({fmt(q05)} – {fmt(q95)})")
        rows.append(row + [ph.source])
        begin = end
    head = ["phase", "span", "what happened"] + [f"{s.name} casualties, median (90%)" for s in m.sides.values()]
    return ["<h2>Casualties by phase</h2>",
            "<p>Men lost in each phase of the battle (combat and pockets, all kinds), to the combat step. No source "
            "gives losses by phase, so there is nothing to compare them with.</p>",
            table(head + ["source of the dates"], rows, table_id="phases-table",
                  cell_classes=["", "", ""] + ["num"] * len(m.sides) + ["src"])]


def render(parts: ReportParts) -> str:
    """The report as one HTML document."""
    m = parts.manifest
    body = [f"<h1>{esc(parts.title)}</h1>",
            f"<p class=\"lead\">nomonhan_sim run report: seed {esc(m.get('seed'))}, "
            f"{int(m.get('replicates')):,} replicates, scenario sha256 {esc(str(m.get('scenario_sha256'))[:12])}…</p>"]
    body += [f"<p class=\"note\">{esc(n)}</p>" for n in parts.notes]
    body += ["<h2>Scenario</h2>"] + _summary_html(parts)
    body += ["<h2>Comparison with the historical record</h2>"] + record_intro_html(parts)
    body += _record_html(parts)
    body += _phases_html(parts)
    summ = summarise(parts.outcomes)
    body += ["<h2>All outcomes</h2>",
             table(["outcome", "unit", "median", "90% interval", "worlds where it happened"],
                   [[r.outcome, r.unit, fmt(r.median), f"{fmt(r.q05)} – {fmt(r.q95)}",
                     f"{r.n_happened:,} of {r.n:,}"] for r in summ],
                   table_id="outcomes-table", cell_classes=["", "", "num", "num", "num"])]
    body.append("<h2>Figures</h2>")
    body += [figure_block(png, cap, fid) for fid, png, cap in parts.figures]
    body += [f"<p>{esc(n)}</p>" for n in parts.figure_notes]
    body += ["<h2>Order of battle</h2>"] + _order_of_battle_html(parts)
    body += ["<h2>Provenance</h2>",
             table(["item", "value"], [list(p) for p in parts.provenance], table_id="provenance")]
    return page(parts.title, body)


def write_report(results_dir: str | Path, out: str | Path, scenario_path: str | Path | None = None,
                 resimulate: bool = True, progress=None) -> Path:
    """Build the report of ``results_dir`` and write it to ``out`` (atomically).

    ``progress``: called with worlds done (float) while chunk 0 is re-simulated."""
    html = render(collect(results_dir, scenario_path, resimulate=resimulate, progress=progress))
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        raise StoreError(f"{out}: cannot write the report ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return out
