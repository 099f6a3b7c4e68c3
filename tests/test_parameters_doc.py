"""Every parameter is traced to the record or marked as an estimate, and the ODD doc shows it."""

from __future__ import annotations

from nomonhan_sim.scenario.parameters import parameter_table
from nomonhan_sim.scenario import load_scenario
from conftest import ROOT, SCENARIOS


def test_every_parameter_has_claims_or_says_estimate():
    sc = load_scenario(SCENARIOS / "khalkhin_gol_1939_august.toml")
    for name, p in sc.parameters.items():
        # claims, or a provenance that is not a claim: an estimate, a convention, a derivation
        # from data in the package, or a calibration (nomonhan_sim/data/calibrated_attrition.toml)
        assert p.claims or p.source.startswith(("estimate", "convention", "derived:", "calibrated:")), name


def test_model_doc_parameter_table_is_current():
    sc = load_scenario(SCENARIOS / "khalkhin_gol_1939_august.toml")
    doc = (ROOT / "docs" / "model.md").read_text()
    block = doc.split("<!-- parameter-table:start -->")[1].split("<!-- parameter-table:end -->")[0].strip()
    assert block == parameter_table(sc), "regenerate with: python -m nomonhan_sim params scenarios/khalkhin_gol_1939_august.toml"
