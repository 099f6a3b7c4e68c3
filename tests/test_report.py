"""The HTML report: one self-contained file that renders in a real browser."""

from __future__ import annotations

import base64
import re
import shutil

import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.experiment import run_experiment
from nomonhan_sim.report import write_report
from nomonhan_sim.scenario import load_scenario
from nomonhan_sim.experiment.store import read_results, write_results
from conftest import SCENARIOS

AUGUST = SCENARIOS / "khalkhin_gol_1939_august.toml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium as the environment notes prescribe for this closed network (no background connections).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """20 worlds of the August scenario in two chunks of 10, saved as a results folder."""
    out = tmp_path_factory.mktemp("results")
    res = run_experiment(load_scenario(AUGUST), replicates=20, seed=7, chunk_size=10, workers=1)
    write_results(out, res.outcomes, res.manifest)
    return out


@pytest.fixture(scope="module")
def report(results, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(results, path)
    return path


def test_report_is_one_file_with_embedded_figures_and_no_outside_references(report):
    html = report.read_text(encoding="utf-8")
    figures = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(figures) == 5  # outcomes, ring closure, maps, strength, supply
    for b64 in figures:
        assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"
    # nothing the page would fetch: no external scripts, style sheets, images or fonts
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    assert "<script" not in html


def test_report_tables_carry_the_record_sources_and_provenance(report, results):
    html = report.read_text(encoding="utf-8")
    _, manifest = read_results(results)
    assert '<table id="record-table">' in html
    for outcome in ("casualties.soviet", "ring_closed_day", "resistance_ended_day"):
        assert f"<td>{outcome}</td>" in html
    assert "KOLOM-KNIGALUB" in html and "CDB90" in html  # the record's sources appear
    assert manifest["scenario_sha256"] in html and f"<td>{manifest['seed']}</td>" in html
    assert "yes: the 10 worlds of chunk 0 re-simulated from the seed give the saved outcomes exactly" in html


def test_report_says_when_the_saved_outcomes_are_not_reproduced(results, tmp_path):
    """Tampered outcomes: the re-simulation check must say NO."""
    df, manifest = read_results(results)
    df.loc[df["chunk"] == 0, "casualties.soviet"] += 1
    bad = tmp_path / "tampered"
    write_results(bad, df, {k: v for k, v in manifest.items() if k != "outcomes_file"})
    html = write_report(bad, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "NO: re-simulating chunk 0 (10 worlds) does not reproduce the saved outcomes" in html
    assert 'class="note"' in html


def test_report_without_resimulation_has_only_the_outcome_figures(results, tmp_path):
    html = write_report(results, tmp_path / "r.html", resimulate=False).read_text(encoding="utf-8")
    assert len(re.findall(r"data:image/png;base64", html)) == 2
    assert "not done (report written without re-simulation)" in html


def test_report_cli_writes_the_file(results, tmp_path, capsys):
    out = tmp_path / "sub" / "report.html"
    assert main(["report", str(results), "--out", str(out), "--no-resimulate"]) == 0
    assert out.exists() and f"wrote {out}" in capsys.readouterr().out


def test_report_on_a_folder_without_results_is_one_line_exit_2(tmp_path, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "manifest.json" in err
    assert not out.exists()


def test_report_refuses_a_scenario_changed_since_the_run(results, tmp_path, capsys):
    changed = tmp_path / "changed.toml"
    text = AUGUST.read_text(encoding="utf-8")
    changed.write_text(text.replace('name = "khalkhin_gol_1939_august"', 'name = "edited_after_the_run"', 1),
                       encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(results), "--scenario", str(changed), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "changed since the run" in err and "changed.toml" in err
    assert not out.exists() and not list(tmp_path.glob(".*partial"))


def test_report_names_a_missing_manifest_field(results, tmp_path, capsys):
    df, manifest = read_results(results)
    broken = tmp_path / "broken"
    write_results(broken, df, {k: v for k, v in manifest.items() if k not in ("seed", "outcomes_file")})
    assert main(["report", str(broken), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("manifest.json: field 'seed' missing")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    """Open the report in headless Chromium: no console errors, table present, figures decoded, non-blank."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    errors: list[str] = []
    shot = tmp_path / "report.png"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1600})
            page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.goto(report.resolve().as_uri(), wait_until="load")
            rows = page.locator("#record-table tbody tr").count()
            table_visible = page.locator("#record-table").is_visible()
            images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert table_visible and rows == len(load_scenario(AUGUST).model.compare)
    assert len(images) == 5 and all(images)
    import matplotlib.image as mpimg

    px = mpimg.imread(shot)[..., :3]
    non_white = (px.min(axis=-1) < 0.9).mean()
    assert px.shape[0] > 3000 and non_white > 0.05  # full page, with text, tables and figures drawn


def test_chromium_check_catches_console_errors(tmp_path):
    """The browser test above can fail: a page that logs an error is caught."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is not installed")
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p>x</p><script>console.error('broken figure')</script></body></html>")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(bad.resolve().as_uri(), wait_until="load")
        finally:
            browser.close()
    assert errors == ["broken figure"]
