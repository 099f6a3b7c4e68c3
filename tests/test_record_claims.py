"""The claim files of the historical record: they load, quotes are verbatim, tags resolve, and the
comparisons the source criticism rests on are all present."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from nomonhan_sim.record import load_record
from nomonhan_sim.record.claims import DATA_DIR, ClaimFile
from nomonhan_sim.record.criticism import AGREE, CONTRADICTION, classify

ROOT = Path(__file__).parents[1]
SEEDS = Path(__file__).parents[2] / "shared" / "seeds"
NOTES = Path(__file__).parents[2] / "shared" / "research" / "historical_record.md"
SOURCES_MD = ROOT / "docs" / "sources.md"

S0 = "000_5f631037b1e90f35.txt"
S1 = "001_a5b15fab0919c439.txt"
S2 = "002_0517c6472bcd8c69.txt"
S3 = "003_67ade46f005a5c7b.txt"
ALL_SEEDS = (S0, S1, S2, S3)

#: quantity -> (seed document, research tags or datasets on the other side, expected relation or None)
REQUIRED = {
    "event.khalkhin_gol.dates": (S1, {"WP-KG-25"}, CONTRADICTION),
    "event.invasion_of_ussr_1941-06-22.invader": (S1, {"JACAR"}, CONTRADICTION),
    "event.japanese_invasion_of_soviet_far_east_1941": (S1, {"WP-KANTO", "WP-NP"}, CONTRADICTION),
    "cause.ussr_became_us_ally_through_pearl_harbor": (S1, {"WP-NP", "TF-MOSCOW"}, CONTRADICTION),
    "event.neutrality_pact.signing_date": (S2, {"WP-NP"}, AGREE),
    "event.neutrality_pact.page_anniversary_month_day": (S2, {"WP-NP"}, None),
    "cause.soviet_war_declaration_1945.relation_to_pact": (S2, {"WP-NP-KIWIX", "WP-NP"}, CONTRADICTION),
    "japanese.front.share_killed.campaign1939": (S0, {"BQGW", "JAWP-LOSS"}, CONTRADICTION),
    "japanese.23rd_division.share_casualties.campaign1939": (None, {"HATENA-SHOUWA", "BQGW", "LAITIMES"}, None),
    "soviet.far_east_transfers_1941.infantry_divisions": (S0, {"RZD"}, CONTRADICTION),
    "soviet.far_east_transfers_1941.cavalry_divisions": (S0, {"RZD"}, CONTRADICTION),
    "soviet.far_east_transfers_1941.tanks": (S0, {"RZD", "FULQRUM"}, CONTRADICTION),
    "soviet.far_east_transfers_1941.aircraft": (S0, {"FULQRUM"}, CONTRADICTION),
    "event.soviet_declaration_of_war_on_japan.date": (S1, {"KOSHELEV"}, AGREE),
}

#: claim ids the August scenario and its documentation rely on
AUGUST_IDS = [
    "aug1939.soviet.kw.kolomiets", "aug1939.soviet.kw.cdb90", "aug1939.japanese.cas.cdb90",
    "aug1939.japanese.share_lost.cdb90", "aug1939.japanese.strength.cdb90", "aug1939.soviet.strength.cdb90",
    "aug1939.ring_closed.voro25", "aug1939.ring_closed.daines61", "aug1939.ring_closed.wpliqaug",
    "aug1939.resistance_ended.voro26", "aug1939.resistance_ended.goldmanbn", "aug1939.disputed_zone.voro26",
]


def origin_key(c) -> str:
    return c.source.seed or c.source.tag or c.source.dataset


@pytest.fixture(scope="module")
def record():
    return load_record()


def test_every_claim_file_loads_on_its_own():
    files = sorted(DATA_DIR.glob("*.toml"))
    names = {p.name for p in files}
    assert {"seeds.toml", "notes_1939.toml", "notes_1941.toml", "notes_1945.toml", "august_1939.toml"} <= names
    for p in files:
        ClaimFile.model_validate(tomllib.loads(p.read_text("utf-8")))


def test_ids_unique_and_related_quantities_exist(record):
    ids = [c.id for c in record.claims]
    assert len(ids) == len(set(ids))
    quantities = {c.quantity for c in record.claims}
    missing = [(c.id, q) for c in record.claims for q in c.related if q not in quantities]
    assert not missing, f"related quantities without claims: {missing}"


def test_seed_quotes_are_verbatim(record):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present: seed quotes cannot be checked in this checkout")
    texts: dict[str, str] = {}
    bad = []
    for c in record.claims:
        if not c.source.seed:
            continue
        path = SEEDS / c.source.seed
        assert path.is_file(), f"{c.id}: no seed file {c.source.seed}"
        text = texts.setdefault(c.source.seed, path.read_text("utf-8"))
        if c.source.quote not in text:
            bad.append((c.id, c.source.quote))
    assert not bad, f"quotes not found verbatim in their seed: {bad}"


def _sources_md_tags() -> set[str]:
    return set(re.findall(r"^\| \[([A-Z0-9-]+)\] \|", SOURCES_MD.read_text("utf-8"), re.M))


def test_every_cited_tag_is_in_docs_sources(record):
    listed = _sources_md_tags()
    cited = {c.source.tag for c in record.claims if c.source.tag}
    assert not sorted(cited - listed), f"tags missing from docs/sources.md: {sorted(cited - listed)}"


def test_every_cited_tag_is_in_the_notes_source_key(record):
    if not NOTES.is_file():
        pytest.skip("../shared/research/historical_record.md not present: the §9 source key cannot be checked")
    text = NOTES.read_text("utf-8")
    key = text[text.index("## 9. Source key"):]
    in_key = set(re.findall(r"\[([A-Za-z0-9-]+)\]", key))
    cited = {c.source.tag for c in record.claims if c.source.tag}
    assert not sorted(cited - in_key), f"tags not in §9 of historical_record.md: {sorted(cited - in_key)}"


def test_tag_sources_match_docs_sources(record):
    rows = {m.group(1): (m.group(2), m.group(3)) for m in
            re.finditer(r"^\| \[([A-Z0-9-]+)\] \| (.*?) \| (.*?) \|$", SOURCES_MD.read_text("utf-8"), re.M)}
    wrong = [(c.id, c.source.tag) for c in record.claims
             if c.source.tag and rows.get(c.source.tag, (None, None))[1] != c.source.url]
    assert not wrong, f"claim url differs from docs/sources.md: {wrong}"


def test_every_seed_has_at_least_three_claims(record):
    for s in ALL_SEEDS:
        assert len(record.from_seed(s)) >= 3, s


def test_seed_grades_are_uniform_per_document(record):
    for s in ALL_SEEDS:
        assert len({c.reliability.grade for c in record.from_seed(s)}) == 1, s


@pytest.mark.parametrize("quantity", sorted(REQUIRED))
def test_required_comparisons_present(record, quantity):
    seed, others, relation = REQUIRED[quantity]
    claims = record.by_quantity().get(quantity, [])
    assert claims, f"no claims on {quantity}"
    notes = [c for c in claims if origin_key(c) in others]
    assert notes, f"{quantity}: no claim from {sorted(others)}"
    if seed is None:
        return
    seeds = [c for c in claims if c.source.seed == seed]
    assert seeds, f"{quantity}: no claim from seed {seed}"
    if relation is not None:
        kinds = {classify(a, b) for a in seeds for b in notes}
        assert relation in kinds, f"{quantity}: expected a {relation}, found {kinds}"


def test_the_consistent_pact_pair_agrees_and_the_anniversary_is_internally_contradicted(record):
    q = record.by_quantity()
    s2 = [c for c in q["event.neutrality_pact.signing_date"] if c.source.seed == S2]
    wp = [c for c in q["event.neutrality_pact.signing_date"] if c.source.tag == "WP-NP"]
    assert all(classify(a, b) == AGREE for a in s2 for b in wp)
    statements = {c.statement for c in q["event.neutrality_pact.page_anniversary_month_day"] if c.source.seed == S2}
    assert statements == {"07-01", "04-13"}
    assert {c.statement for c in q["event.neutrality_pact.page_anniversary_month_day"] if c.source.tag == "WP-NP"} == {"04-13"}


def test_goldman_dates_agree_and_far_east_seed_literal(record):
    q = record.by_quantity()
    s0 = [c for c in q["event.khalkhin_gol.dates"] if c.source.seed == S0]
    wp = [c for c in q["event.khalkhin_gol.dates"] if c.source.tag == "WP-KG-25"]
    assert s0 and all(classify(a, b) == AGREE for a in s0 for b in wp)
    air = [c for c in q["soviet.far_east_transfers_1941.aircraft"] if c.source.seed == S0]
    assert air and "1.500" in air[0].source.quote
    share = [c for c in q["japanese.front.share_killed.campaign1939"] if c.source.seed == S0]
    assert share[0].related == ["japanese.23rd_division.share_casualties.campaign1939"]
    declarations = [c for c in q["event.soviet_declaration_of_war_on_japan.date"] if c.source.seed in (S1, S3)]
    assert {c.source.seed for c in declarations} == {S1, S3}


def test_august_claims_present(record):
    for cid in AUGUST_IDS:
        assert cid in record, cid
    c = record.get("aug1939.japanese.share_lost.cdb90")
    assert c.interval == (0.31, 0.46)
    assert record.get("aug1939.soviet.kw.cdb90").interval == (9000.0, 10000.0)
    assert record.get("aug1939.japanese.cas.cdb90").interval == (10810.0, 11730.0)


def test_derived_figures_state_their_arithmetic(record):
    for c in record.claims:
        if "(derived)" in c.text:
            assert c.source.derived, c.id
