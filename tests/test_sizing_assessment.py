"""A vulnerability assessment (脆弱性診断) is a service sized by the requests it tests, not a build with IPA phases:
its testing lines by their requests (or screens and endpoints × 2), the scoping, report and re-test as shares of
that testing, every line saying why the phase mix is no IPA mix — with either engine. Before, the report was read
as a 帳票 to build and IPA's requirements, design and PM were added on top (the realism set's assessment came to
14.8 person-days against an expert's 6–13)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.engines.assessment import REQUESTS_PER_DAY, SHARES, Part
from estimator.engines.offline import OfflineEngine
from estimator.engines.openai_engine import OpenAIEngine
from estimator.engines.project_sizing import ASSESSMENT_WHY
from estimator.i18n import t
from estimator.schemas import Deliverable, DeliverableKind, EstimateLine, Phase, ProjectBrief
from tests.fake_openai import FakeOpenAI, settings_for
from tests.test_openai_engine import Hooks

ENGLISH = [
    Deliverable(name="Scoping and test plan", description="Inventory of screens and endpoints, test accounts"),
    Deliverable(name="Web application testing", description="About 30 screens (about 70 requests), OWASP Top 10"),
    Deliverable(name="API testing", description="15 REST endpoints (about 25 requests), injection checks"),
    Deliverable(name="Assessment report", description="Findings with severity (CVSS) and fixes; debrief meeting"),
    Deliverable(name="Re-test", description="Verification of fixed findings"),
]
JAPANESE = [
    Deliverable(
        name="Webアプリケーション脆弱性診断", description="会員サイト40画面、OWASP Top 10に基づく手動・ツール診断"
    ),
    Deliverable(name="診断報告書", description="検出事項と対策、報告会"),
    Deliverable(name="再診断", description="修正確認"),
]


def brief(items: list[Deliverable], language: str) -> ProjectBrief:
    return ProjectBrief(language=language, title="診断", deliverables=items, requirements="")  # type: ignore[arg-type]


def offline(items: list[Deliverable], language: str) -> list[EstimateLine]:
    return OfflineEngine().estimate(brief(items, language), [], Hooks().hooks).lines


def test_testing_is_sized_by_its_requests_and_the_rest_by_shares_of_it() -> None:
    lines = offline(ENGLISH, "en")
    assert [line.deliverable for line in lines] == [item.name for item in ENGLISH], "no line is added"
    testing = (Decimal(70) + Decimal(25)) / REQUESTS_PER_DAY
    assert lines[1].person_days == round(Decimal(70) / REQUESTS_PER_DAY, 2)
    assert lines[2].person_days == round(Decimal(25) / REQUESTS_PER_DAY, 2)
    assert lines[3].person_days == round(testing * SHARES[Part.REPORT], 2)
    assert lines[4].person_days == round(testing * SHARES[Part.RETEST], 2)
    assert lines[0].person_days == round(testing * SHARES[Part.SCOPING], 2)
    assert 6 <= sum(line.person_days for line in lines) <= 13, "the expert's range for this assessment"
    assert [line.kind for line in lines] == [
        DeliverableKind.DOCUMENT,
        DeliverableKind.TEST,
        DeliverableKind.TEST,
        DeliverableKind.DOCUMENT,
        DeliverableKind.TEST,
    ]
    assert all(t(ASSESSMENT_WHY, "en") in line.reasoning for line in lines)
    assert "70 requests ÷ 25 requests a day" in lines[1].reasoning
    assert lines[1].phases.get(Phase.SYSTEM_TEST) == lines[1].person_days


def test_screens_stand_for_requests_when_none_are_stated() -> None:
    lines = offline(JAPANESE, "ja")
    assert lines[0].person_days == round(Decimal(40 * 2) / REQUESTS_PER_DAY, 2)
    assert "画面40×2" in lines[0].reasoning and t(ASSESSMENT_WHY, "ja") in lines[0].reasoning
    assert lines[1].kind is DeliverableKind.DOCUMENT and lines[2].kind is DeliverableKind.TEST


def test_an_assessment_that_states_no_scope_assumes_a_day_and_says_so() -> None:
    [line] = offline([Deliverable(name="脆弱性診断", description="")], "ja")
    assert line.person_days == 1 and "仮定" in line.reasoning


def test_a_build_with_a_security_test_is_no_assessment() -> None:
    items = [Deliverable(name="会員サイト", description="会員登録・マイページの10画面"), JAPANESE[0]]
    lines = offline(items, "ja")
    assert not any(t(ASSESSMENT_WHY, "ja") in line.reasoning for line in lines)
    assert any("自動追加" in line.deliverable for line in lines), "a build gets its IPA phases"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_openai_engine_sizes_an_assessment_by_the_same_rule(fake_openai: FakeOpenAI, language: str) -> None:
    items = JAPANESE if language == "ja" else ENGLISH
    modelled = OpenAIEngine(settings_for(fake_openai)).estimate(brief(items, language), [], Hooks().hooks).lines
    assert [line.person_days for line in modelled] == [line.person_days for line in offline(items, language)]
