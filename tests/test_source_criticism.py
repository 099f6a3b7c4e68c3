"""Source criticism on the real record: the known errors of the seed documents are found."""

from __future__ import annotations

import pytest

from nomonhan_sim.record import load_record
from nomonhan_sim.record.criticism import check_claim, format_reports, seed_reports

S000, S001, S002 = "000_5f631037b1e90f35.txt", "001_a5b15fab0919c439.txt", "002_0517c6472bcd8c69.txt"


@pytest.fixture(scope="module")
def record():
    return load_record()


def seed_check(record, seed, quantity):
    by_q = record.by_quantity()
    (claim,) = [c for c in record.from_seed(seed) if c.quantity == quantity][:1]
    return check_claim(claim, by_q[quantity])


@pytest.mark.parametrize("seed,quantity,better", [
    (S001, "event.khalkhin_gol.dates", "[WP-KG-25]"),                          # May-September 1945
    (S001, "event.invasion_of_ussr_1941-06-22.invader", "[JACAR]"),            # Japan invaded on 22 June 1941
    (S001, "event.japanese_invasion_of_soviet_far_east_1941", "[WP-KANTO]"),
    (S001, "cause.ussr_became_us_ally_through_pearl_harbor", "[WP-NP]"),
    (S002, "cause.soviet_war_declaration_1945.relation_to_pact", "[WP-NP]"),   # "paved the way"
    (S000, "japanese.front.share_killed.campaign1939", "[BQGW]"),             # "over 75 percent ... killed"
    (S000, "soviet.far_east_transfers_1941.infantry_divisions", "[RZD]"),     # 15 infantry divisions
    (S000, "soviet.far_east_transfers_1941.tanks", "[RZD]"),                   # 1,700 tanks
])
def test_known_seed_errors_are_contradicted_by_a_better_source(record, seed, quantity, better):
    chk = seed_check(record, seed, quantity)
    assert chk.status == "contradicted"
    assert any(o.source.label == better and k == "contradiction" for o, k in chk.against)


def test_flashback_heading_contradicts_the_pages_own_date(record):
    (r002,) = [r for r in seed_reports(record) if r.seed == S002]
    assert any(a.quantity == "event.neutrality_pact.page_anniversary_month_day" for a, _ in r002.internal)
    chk = seed_check(record, S002, "event.neutrality_pact.page_anniversary_month_day")
    assert chk.status == "contradicted"


def test_share_killed_is_shown_beside_the_casualty_share_it_was_confused_with(record):
    text = format_reports(record)
    block = text[text.index("japanese.front.share_killed.campaign1939"):][:800]
    assert "japanese.23rd_division.share_casualties.campaign1939" in block


def test_a_consistent_pair_is_not_flagged(record):
    chk = seed_check(record, S002, "event.neutrality_pact.signing_date")   # "April 13, 1941"
    assert chk.status == "supported"
    assert all(k == "agree" for _, k in chk.against)


def test_seed_001_ranks_least_reliable(record):
    reports = seed_reports(record)
    assert reports[-1].seed == S001
    assert reports[-1].score < min(r.score for r in reports[:-1])
