"""The HTML report reads right for every kind of bundled scenario, not only August 1939.

One small run per scenario (8 worlds in two chunks of 4), each with its report
(chunk 0 re-simulated, so the maps and timelines are drawn too): May 1939 (6 units,
hours), July 1939, Manchuria 1945 (a theatre with rail routes and logistics), the
Kantokuen counterfactual of 1941 (no historical record) and an inheriting August
variant. tests/test_report.py covers August itself and the headless-browser check.
"""

from __future__ import annotations

import base64
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nomonhan_sim.engine.compiled import compile_scenario  # noqa: E402
from nomonhan_sim.experiment import run_experiment  # noqa: E402
from nomonhan_sim.experiment.store import write_results  # noqa: E402
from nomonhan_sim.plot.map_geometry import _river  # noqa: E402
from nomonhan_sim.report import write_report  # noqa: E402
from nomonhan_sim.scenario import load_scenario  # noqa: E402
from nomonhan_sim.scenario.bundled import period_text  # noqa: E402
from conftest import SCENARIOS  # noqa: E402

#: scenario file -> words its report must not use outside the cited sources (another battle's)
CASES = {
    "khalkhin_gol_1939_may": ("August 1939",),
    "khalkhin_gol_1939_july": ("August 1939",),
    "manchuria_1945_august_storm": ("Khalkhin Gol", "August 1939", "1939"),
    "kantokuen_1941_autumn": ("Khalkhin Gol", "August 1939", "1939", "against the record"),
    "khalkhin_gol_1939_august_no_surprise": (),
}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    """(scenario name, loaded scenario, report HTML) of an 8-world run of the scenario."""
    name = request.param
    sc = load_scenario(SCENARIOS / f"{name}.toml")
    out = tmp_path_factory.mktemp(name)
    res = run_experiment(sc, replicates=8, seed=11, chunk_size=4, workers=1)
    write_results(out / "results", res.outcomes, res.manifest)
    path = write_report(out / "results", out / "report.html")
    return name, sc, path.read_text(encoding="utf-8")


def _text_outside_sources(html: str) -> str:
    """The page without images, style and the cited sources' cells (which may name other battles)."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r'<img src="data:[^"]*"', "<img", html)
    return re.sub(r'<td class="src">.*?</td>', "", html, flags=re.S)


def test_report_is_one_self_contained_file_with_png_figures(case):
    name, sc, html = case
    assert "<script" not in html and not re.search(r'(src|href)="(?!data:|#)', html)
    figures = re.findall(r'<figure id="([^"]+)"><img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    ids = [f for f, _ in figures]
    assert {"fig-maps", "fig-strength"} <= set(ids)
    assert ("fig-supply" in ids) == (sc.model.logistics is not None)
    for _, b64 in figures:
        assert base64.b64decode(b64)[:8] == PNG
    assert len(re.findall(r"data:image/png;base64", html)) == len(figures)


def test_report_names_its_own_scenario_and_period(case):
    name, sc, html = case
    assert re.search(rf"<h1>{re.escape(name)}: 8 simulated worlds", html)
    assert period_text(sc) in html
    assert f"{sc.model.engine.start:%d %B %Y %H:%M}" in html
    text = _text_outside_sources(html)
    for word in CASES[name]:
        assert word not in text, f"{name}: report says {word!r}"


def test_record_table_exactly_when_the_scenario_compares(case):
    name, sc, html = case
    record = bool(sc.model.compare)
    assert ('<table id="record-table">' in html) == record
    assert ('id="no-record"' in html) == (not record)
    assert ('id="fig-outcomes"' in html) == record
    if record:
        rows = re.search(r'<table id="record-table">.*?</table>', html, flags=re.S).group(0)
        assert rows.count("<tr") - 1 == len(sc.model.compare)
        assert "nan" not in re.sub(r"<[^>]+>", " ", rows).lower().split()
    else:
        assert "There is no historical record to compare this scenario with" in html
        assert "Red rows" not in html and 'id="fig-simulated"' in html


def test_ring_figure_only_where_there_is_something_to_show(case):
    """A ring that closed in no world and has no record date is said in words, not drawn flat."""
    name, sc, html = case
    ring_record = any(c.outcome == "ring_closed_day" for c in sc.model.compare)
    if 'id="fig-ring"' not in html:
        assert not ring_record and "closed in none of the 8 worlds" in html
    else:
        assert ("band marks the historical closing dates" in html) == ring_record


@pytest.mark.parametrize("name, year", [("khalkhin_gol_1939_may", "1939"), ("kantokuen_1941_autumn", "1941")])
def test_timelines_name_the_scenario_year_and_distinct_ticks(name, year):
    import matplotlib.pyplot as plt

    from nomonhan_sim.plot import strength_timeline
    from nomonhan_sim.simulation import run_batch

    c = compile_scenario(load_scenario(SCENARIOS / f"{name}.toml"))
    res = run_batch(c, 2, np.random.SeedSequence(5), trace_worlds=[0, 1])
    fig, ax = plt.subplots()
    strength_timeline(ax, res, "personnel")
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert ax.get_xlabel() == f"date ({year})"
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks)  # a 2-day run: date and time, no repeats


def test_one_river_line_only_where_the_crossings_line_up():
    """August 1939 (the Khalkhin Gol crossings) gets the schematic river; the theatres mark crossings only."""
    for name, line in (("khalkhin_gol_1939_august", True), ("khalkhin_gol_1939_may", True),
                       ("manchuria_1945_august_storm", False), ("kantokuen_1941_autumn", False)):
        c = compile_scenario(load_scenario(SCENARIOS / f"{name}.toml"))
        assert c.crossing.any()
        assert (_river(c) is not None) == line, name
        assert np.isfinite(c.xy).all()
