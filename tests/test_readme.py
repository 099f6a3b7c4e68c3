"""The README's figures are generated, and its record column is the record's."""

from __future__ import annotations

import re

import pandas as pd

from nomonhan_sim.record import load_record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.scenario import load_scenario
from nomonhan_sim.vocabulary import fmt
from conftest import ROOT

README = (ROOT / "README.md").read_text()
START, END = "<!-- readme-figures:start -->", "<!-- readme-figures:end -->"


def _block() -> str:
    assert START in README and END in README, "README has no generated figures block"
    return README.split(START, 1)[1].split(END, 1)[0]


def test_readme_figures_block_says_how_where_and_when_it_was_measured():
    head = _block().strip().splitlines()[0]
    assert "python benchmarks/readme_figures.py" in head
    assert re.search(r"on \d{4}-\d{2}-\d{2} ", head) and "cores" in head


def test_readme_record_ranges_are_those_compare_prints():
    sc = load_scenario(ROOT / "scenarios" / "khalkhin_gol_1939_august.toml")
    df = pd.DataFrame({c.outcome: [0.0] for c in sc.model.compare})  # the record side does not depend on it
    rows = {r.outcome: r for r in compare_outcomes(df, sc, load_record())}
    table = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \([^)]*\) \| [^|]+ \| ([^|]+) \|",
                                                          _block(), re.M)}
    assert set(table) == set(rows), "the README's comparison table lists other outcomes than the scenario"
    for name, r in rows.items():
        rec = fmt(r.low) if r.low == r.high else f"{fmt(r.low)} – {fmt(r.high)}"
        assert table[name].startswith(rec + " ("), f"{name}: README says {table[name]!r}, record is {rec}"


def test_readme_prose_outside_the_block_states_no_run_time():
    outside = README.replace(_block(), "")
    assert not re.search(r"\b\d+(\.\d+)? ?s\b(?! \|)", outside.split("## How the model does")[1].split("## Plots")[0]), \
        "a run time typed by hand in the results section"
