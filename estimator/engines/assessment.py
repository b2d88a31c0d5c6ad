"""Security assessments (脆弱性診断): a service sized by the requests it tests, not a build with phases.

A list that builds nothing and tests a system's security (「脆弱性診断」, "OWASP Top 10", "penetration
test") is no engagement for IPA's 結合テスト and 総合テスト: those are a system's functional testing,
sized as a share of its build, and would put a 30-screen site's assessment at some 80 person-days. An
assessment is sized the way the trade prices it, by requests (Japanese vendors quote 脆弱性診断 per
request): each testing line by the requests it covers, the other lines as shares of that testing.

House figures, stated in docs/sizing-sources.md:

- a tester covers about REQUESTS_PER_DAY requests a day with tools and manual checks: 25–40 is the
  usual span, and a quote takes its slow end, which leaves room for set-up, authentication and the
  triage of false positives; the range runs from 35 to 18 a day;
- when a testing line states no requests, each screen counts REQUESTS_PER_UNIT (a screen shows and
  submits) and each API endpoint likewise (read and written);
- scoping and the test plan are 30 % of the testing days, the report and its debrief 50 %, a re-test
  of fixed findings 30 %, any other document 20 %, project management 10 %.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from estimator.money import round_person_days
from estimator.schemas import Deliverable, DeliverableKind, Phase
from estimator.sizing.kinds import UnitKind
from estimator.sizing.plan import Role
from estimator.sizing.units import read_units
from estimator.text import reading_form

ASSESSMENT = re.compile(
    r"脆弱性診断|脆弱性検査|セキュリティ診断|ペネトレーション|侵入テスト|ペンテスト|(?<![a-z])owasp(?![a-z])|"
    r"(?<![a-z])(?:vulnerability (?:assessment|scan|scanning|test|testing)|penetration test(?:s|ing)?|"
    r"pen ?test(?:s|ing)?|security (?:assessment|testing|test|audit))(?![a-z])"
)
REQUESTS = re.compile(r"(\d[\d,]*)\s*(?:リクエスト|requests?(?![a-z]))")
REQUESTS_PER_DAY = Decimal(25)
FASTEST_PER_DAY = Decimal(35)
SLOWEST_PER_DAY = Decimal(18)
SPREAD = (
    (1 - REQUESTS_PER_DAY / FASTEST_PER_DAY) * 100,
    (REQUESTS_PER_DAY / SLOWEST_PER_DAY - 1) * 100,
)
"""An assessment line's O/P percents: the fastest and the slowest pace against the one it is sized at."""
REQUESTS_PER_UNIT = {UnitKind.SCREEN: Decimal(2), UnitKind.ENDPOINT: Decimal(2)}
ASSUMED_REQUESTS = REQUESTS_PER_DAY
"""A testing line that states neither requests nor screens is taken as one day's requests, and says so."""

_RETEST = re.compile(r"再診断|再テスト|再検査|(?<![a-z])re-?(?:test|testing|assessment|check)s?(?![a-z])")
_REPORT = re.compile(r"報告|レポート|(?<![a-z])reports?(?![a-z])|debrief")
_SCOPING = re.compile(r"計画|スコープ|範囲|(?<![a-z])(?:plan|planning|scoping|scope)(?![a-z])")
TESTING_ROLES = frozenset({Role.TEST, Role.INTEGRATION_TEST, Role.SYSTEM_TEST, Role.UNIT_TEST})


class Part(StrEnum):
    """What a line of an assessment is."""

    TESTING = "testing"
    RETEST = "retest"
    SCOPING = "scoping"
    REPORT = "report"
    DOCUMENT = "document"
    PM = "pm"


SHARES = {
    Part.SCOPING: Decimal("0.3"),
    Part.REPORT: Decimal("0.5"),
    Part.RETEST: Decimal("0.3"),
    Part.DOCUMENT: Decimal("0.2"),
    Part.PM: Decimal("0.1"),
}
PHASE_OF = {
    Part.TESTING: Phase.SYSTEM_TEST,
    Part.RETEST: Phase.SYSTEM_TEST,
    Part.SCOPING: Phase.SYSTEM_TEST,
    Part.REPORT: Phase.PM_DOCS,
    Part.DOCUMENT: Phase.PM_DOCS,
    Part.PM: Phase.PM_DOCS,
}
KIND_OF = {
    Part.TESTING: DeliverableKind.TEST,
    Part.RETEST: DeliverableKind.TEST,
    Part.SCOPING: DeliverableKind.DOCUMENT,
    Part.REPORT: DeliverableKind.DOCUMENT,
    Part.DOCUMENT: DeliverableKind.DOCUMENT,
    Part.PM: DeliverableKind.PM,
}


@dataclass(frozen=True)
class Requests:
    """The requests a testing line covers, and where the figure came from."""

    count: Decimal
    stated: bool
    screens: Decimal = Decimal(0)
    endpoints: Decimal = Decimal(0)


@dataclass(frozen=True)
class Assessed:
    """One line of an assessment: what it is, its person-days, and what they were sized from."""

    part: Part
    days: Decimal
    requests: Requests | None = None
    """For a testing line: the requests it covers."""
    testing_days: Decimal = Decimal(0)
    """For any other line: the testing days its share is of."""

    @property
    def phase(self) -> Phase:
        return PHASE_OF[self.part]

    @property
    def kind(self) -> DeliverableKind:
        return KIND_OF[self.part]


def is_assessment(deliverables: Sequence[Deliverable], roles: Sequence[Role]) -> bool:
    """A list that builds nothing and whose lines test a system's security."""
    return Role.BUILD not in roles and any(
        ASSESSMENT.search(reading_form(f"{item.name}\n{item.description}")) for item in deliverables
    )


def part_of(deliverable: Deliverable, role: Role) -> Part:
    name = reading_form(deliverable.name)
    if role in TESTING_ROLES:
        return Part.RETEST if _RETEST.search(name) else Part.TESTING
    if role is Role.PM:
        return Part.PM
    if _REPORT.search(name):
        return Part.REPORT
    return Part.SCOPING if _SCOPING.search(name) else Part.DOCUMENT


def requests_of(deliverable: Deliverable) -> Requests:
    """The requests a testing line states, else its screens and endpoints × REQUESTS_PER_UNIT."""
    text = reading_form(f"{deliverable.name}\n{deliverable.description}")
    stated = REQUESTS.search(text)
    if stated:
        return Requests(Decimal(stated.group(1).replace(",", "")), stated=True)
    counted = {kind: Decimal(0) for kind in REQUESTS_PER_UNIT}
    for count in read_units(deliverable.name, deliverable.description).counts:
        if count.stated and count.kind in counted:
            counted[count.kind] += count.quantity
    total = sum((counted[kind] * per for kind, per in REQUESTS_PER_UNIT.items()), Decimal(0))
    if not total:
        return Requests(ASSUMED_REQUESTS, stated=False)
    return Requests(total, stated=False, screens=counted[UnitKind.SCREEN], endpoints=counted[UnitKind.ENDPOINT])


def assess(deliverables: Sequence[Deliverable], roles: Sequence[Role]) -> list[Assessed]:
    """Each line of the assessment, in the list's order: testing by requests, the rest as shares of it."""
    parts = [part_of(item, role) for item, role in zip(deliverables, roles, strict=True)]
    requests = {i: requests_of(item) for i, item in enumerate(deliverables) if parts[i] is Part.TESTING}
    testing = {i: round_person_days(found.count / REQUESTS_PER_DAY) for i, found in requests.items()}
    total = sum(testing.values(), Decimal(0))
    return [
        Assessed(part, testing[i], requests=requests[i])
        if part is Part.TESTING
        else Assessed(part, round_person_days(max(total * SHARES[part], Decimal("0.25"))), testing_days=total)
        for i, part in enumerate(parts)
    ]
