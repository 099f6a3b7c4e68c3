"""Cross-checking claims: classification rules and seed reliability scores."""

from __future__ import annotations

import pytest

from nomonhan_sim.record.claims import Claim, Record
from nomonhan_sim.record.criticism import AGREE, CONTRADICTION, TOLERABLE, classify, seed_reports

SEED_A = "000_aaaaaaaaaaaaaaaa.txt"
SEED_B = "001_bbbbbbbbbbbbbbbb.txt"


def claim(cid, quantity, grade="B", source=None, **kw):
    base = {"id": cid, "quantity": quantity, "scope": "test",
            "source": source or {"dataset": f"set-{cid}"}, "reliability": {"grade": grade, "reason": "test"}}
    if "statement" in kw:
        base["kind"] = "claim"
    elif any(k.startswith("date") for k in kw):
        base["kind"] = "date"
    else:
        base["kind"] = "figure"
    return Claim.model_validate(base | kw)


@pytest.mark.parametrize("a,b,expected", [
    (dict(low=9000, high=10000), dict(value=9284), AGREE),          # point inside range
    (dict(value=57000), dict(value=57000), AGREE),
    (dict(low=20000, high=30000), dict(low=25000, high=38000), TOLERABLE),   # overlap, no nesting
    (dict(value=17364), dict(value=17405), TOLERABLE),               # points within 5 %
    (dict(value=6831), dict(value=9703), CONTRADICTION),
    (dict(low=0.75, high=1.0), dict(value=0.30), CONTRADICTION),
    (dict(date_low="1945-05-01", date_high="1945-09-30"), dict(date_low="1939-05-11", date_high="1939-09-16"),
     CONTRADICTION),
    (dict(date="1941-04-13"), dict(date="1941-04-13"), AGREE),
    (dict(statement="Japan"), dict(statement="Germany"), CONTRADICTION),
    (dict(statement="Soviet"), dict(statement="soviet"), AGREE),
])
def test_pair_classification(a, b, expected):
    assert classify(claim("a", "q", **a), claim("b", "q", **b)) == expected


def test_seed_scores_rank_the_contradicted_document_last():
    good = {"seed": SEED_A, "quote": "x"}
    bad = {"seed": SEED_B, "quote": "y"}
    rec = Record((
        claim("ref.dates", "event.dates", "A", date_low="1939-05-11", date_high="1939-09-16"),
        claim("ref.invader", "event.invader", "A", statement="Germany"),
        claim("ref.pact", "event.pact", "A", date="1941-04-13"),
        claim("a.dates", "event.dates", "C", good, date_low="1939-05-01", date_high="1939-09-30"),
        claim("a.pact", "event.pact", "C", good, date="1941-04-13"),
        claim("b.dates", "event.dates", "D", bad, date_low="1945-05-01", date_high="1945-09-30"),
        claim("b.invader", "event.invader", "D", bad, statement="Japan"),
        claim("b.pact", "event.pact", "D", bad, date="1941-04-13"),
        claim("b.unchecked", "event.other", "D", bad, statement="whatever"),
    ))
    reports = seed_reports(rec)
    assert [r.seed for r in reports] == [SEED_A, SEED_B]
    a, b = reports
    assert a.score == 1.0
    assert b.count("contradicted") == 2 and b.count("supported") == 1 and b.count("unchecked") == 1
    assert b.score == pytest.approx(1 / 3)


def test_internal_contradiction_within_one_document_is_found():
    src = {"seed": SEED_A, "quote": "z"}
    rec = Record((claim("h", "event.day", "C", src, statement="07-01"),
                  claim("body", "event.day", "C", src, statement="04-13")))
    (r,) = seed_reports(rec)
    assert len(r.internal) == 1
    assert r.checked == 0  # a document does not check itself
