"""Source criticism: cross-check claims on the same quantity and grade the seed documents.

Two claims on the same quantity are classified as

* **agree** — one's range contains the other's (equal points included), or the
  statements are equal;
* **tolerable** — the ranges overlap without one containing the other, or two
  point figures lie within 5 % of each other (rounding and counting
  differences);
* **contradiction** — disjoint ranges or dates, or different statements.

A seed document's claim is *checked* when some other source of a better grade
(or, failing that, the same grade) makes a claim on the same quantity. It is
*supported* if at least one of those agrees, *tolerable* if none agrees but one
is tolerable, and *contradicted* otherwise. The document's reliability score is

    score = (supported + ½ · tolerable) / checked

with ``nan`` when nothing could be checked. Claims of one document that
contradict each other are listed as internal contradictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .claims import GRADE_RANK, Claim, Record

AGREE, TOLERABLE, CONTRADICTION = "agree", "tolerable", "contradiction"
POINT_TOLERANCE = 0.05


def classify(a: Claim, b: Claim) -> str:
    """Classify two claims on the same quantity."""
    if a.kind in ("figure", "date") and b.kind in ("figure", "date"):
        (alo, ahi), (blo, bhi) = a.interval, b.interval
        if (alo <= blo and bhi <= ahi) or (blo <= alo and ahi <= bhi):
            return AGREE
        if alo <= bhi and blo <= ahi:
            return TOLERABLE
        if a.kind == "figure" and alo == ahi and blo == bhi:
            scale = max(abs(alo), abs(blo))
            if scale > 0 and abs(alo - blo) / scale <= POINT_TOLERANCE:
                return TOLERABLE
        return CONTRADICTION
    sa, sb = (a.statement or a.shown).strip().lower(), (b.statement or b.shown).strip().lower()
    return AGREE if sa == sb else CONTRADICTION


def origin(c: Claim) -> str:
    """Who makes the claim: one seed document, research tag or dataset."""
    return c.source.label


@dataclass
class ClaimCheck:
    """The check of one claim: its status (supported, tolerable, contradicted or
    unchecked) and the claims it was checked against, each with its classification."""

    claim: Claim
    status: str                                   # supported / tolerable / contradicted / unchecked
    against: list[tuple[Claim, str]] = field(default_factory=list)   # (other claim, classification)


@dataclass
class SeedReport:
    """One seed document's checks: its grade, every claim's check and the pairs of its
    own claims that contradict each other."""

    seed: str
    grade: str
    checks: list[ClaimCheck]
    internal: list[tuple[Claim, Claim]]

    def count(self, status: str) -> int:
        """Number of the document's claims with this status."""
        return sum(1 for c in self.checks if c.status == status)

    @property
    def checked(self) -> int:
        """Number of the document's claims that could be checked."""
        return sum(1 for c in self.checks if c.status != "unchecked")

    @property
    def score(self) -> float:
        """Reliability score (supported + ½ tolerable) / checked, 0-1; ``nan`` if none checked."""
        n = self.checked
        return (self.count("supported") + 0.5 * self.count("tolerable")) / n if n else float("nan")


def check_claim(c: Claim, others: list[Claim]) -> ClaimCheck:
    """Check one claim against claims on its quantity from other origins."""
    pool = [o for o in others if origin(o) != origin(c)]
    if not pool:
        return ClaimCheck(c, "unchecked")
    own = GRADE_RANK[c.reliability.grade]
    best = [o for o in pool if GRADE_RANK[o.reliability.grade] > own] or \
           [o for o in pool if GRADE_RANK[o.reliability.grade] == own]
    if not best:
        return ClaimCheck(c, "unchecked", [(o, classify(c, o)) for o in pool])
    against = [(o, classify(c, o)) for o in best]
    kinds = {k for _, k in against}
    status = "supported" if AGREE in kinds else "tolerable" if TOLERABLE in kinds else "contradicted"
    return ClaimCheck(c, status, against)


def seed_reports(record: Record) -> list[SeedReport]:
    """One report per seed document, least reliable last."""
    by_q = record.by_quantity()
    reports = []
    for seed in record.seeds:
        claims = record.from_seed(seed)
        checks = [check_claim(c, by_q[c.quantity]) for c in claims]
        internal = []
        for i, a in enumerate(claims):
            for b in claims[i + 1:]:
                if a.quantity == b.quantity and classify(a, b) == CONTRADICTION:
                    internal.append((a, b))
        grade = min((c.reliability.grade for c in claims), key=lambda g: -GRADE_RANK[g])
        reports.append(SeedReport(seed, grade, checks, internal))

    def key(r: SeedReport):
        score = r.score if r.score == r.score else -1.0  # nothing checked ranks last
        return (-score, r.count("contradicted"))
    return sorted(reports, key=key)


def quantity_conflicts(record: Record) -> list[tuple[str, Claim, Claim, str]]:
    """Every pair of claims on one quantity from different origins that is not in agreement."""
    out = []
    for q, claims in record.by_quantity().items():
        for i, a in enumerate(claims):
            for b in claims[i + 1:]:
                if origin(a) != origin(b):
                    k = classify(a, b)
                    if k != AGREE:
                        out.append((q, a, b, k))
    return out


def format_reports(record: Record, reports: list[SeedReport] | None = None) -> str:
    """Text for ``python -m nomonhan_sim sources``."""
    reports = reports if reports is not None else seed_reports(record)
    by_q = record.by_quantity()
    lines = ["Seed documents, most reliable first (score = (supported + ½·tolerable) / checked)", ""]
    for rank, r in enumerate(reports, 1):
        s = "n/a" if r.score != r.score else f"{r.score:.2f}"
        lines.append(f"{rank}. {r.seed}  a-priori grade {r.grade}  score {s}  "
                     f"({r.count('supported')} supported, {r.count('tolerable')} tolerable, "
                     f"{r.count('contradicted')} contradicted, {r.count('unchecked')} unchecked, "
                     f"{len(r.internal)} internal contradictions)")
        for chk in r.checks:
            c = chk.claim
            quote = (c.source.quote or "").replace("\n", " ")
            quote = quote if len(quote) <= 90 else quote[:87] + "..."
            lines.append(f"   [{chk.status:12}] {c.quantity}: {c.shown}   \"{quote}\"")
            for o, k in chk.against:
                if k != AGREE or chk.status == "supported":
                    lines.append(f"        {k:13} {o.source.label} (grade {o.reliability.grade}): {o.shown}")
            for rq in c.related:
                for o in by_q.get(rq, []):
                    lines.append(f"        related  {rq}: {o.shown} {o.source.label}")
        for a, b in r.internal:
            lines.append(f"   internal contradiction on {a.quantity}: {a.shown} (\"{a.source.quote}\") vs "
                         f"{b.shown} (\"{b.source.quote}\")")
        lines.append("")
    lines.append("How the score is computed: a claim is checked against the claims on the same quantity made by "
                 "sources of a better a-priori grade (or the same grade when none is better). Supported = at least "
                 "one agrees (ranges nest); tolerable = ranges overlap or points within 5 %; contradicted = none "
                 "agrees or overlaps. score = (supported + 0.5 * tolerable) / checked.")
    return "\n".join(lines)
