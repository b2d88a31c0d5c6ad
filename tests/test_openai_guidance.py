"""Issue 12, item 8: the OpenAI engine is told the counted units, the type and the firm's table, and code
flags a line far from the table (estimator/engines/guidance.py), through the real client and the fake server."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from estimator.engines.base import CallHooks
from estimator.engines.guidance import (
    LineGuide,
    UnitFigure,
    flag_outlier,
    line_guidance,
    outlier,
    project_guidance,
    units_text,
)
from estimator.engines.openai_engine import OpenAIEngine
from estimator.engines.project_sizing import rate_units
from estimator.i18n import t
from estimator.money import round_person_days
from estimator.schemas import Deliverable, EstimateLine, PhaseDays, ProjectBrief
from estimator.sizing.guide import SizingGuide
from estimator.sizing.kinds import GRADES, Grade, ProjectType, UnitKind
from estimator.sizing.plan import Duty, Role, plan
from estimator.sizing.rates import DEFAULT_RATES, RateTable
from estimator.sizing.units import Count, read_units
from tests import fake_openai as fake
from tests.fake_openai import FakeOpenAI, settings_for

D = Decimal
BUSINESS = ProjectType.BUSINESS
SCREEN_RATE = D(5)  # per screen, any grade: 2 screens are 10 build-side person-days
INTERFACE_RATE = D(4)  # per interface, any grade: 2 interfaces are 8
ITEMS = {
    "ja": [
        ("要件定義書", "システム全体の要件。画面一覧（20画面）を含む"),
        ("受注画面", "受注一覧・受注登録の2画面"),
        ("外部連携", "基幹システムとの連携IF 2本"),
        ("結合テスト", ""),
    ],
    "en": [
        ("Requirements document", "Requirements of the whole system, with the list of 20 screens"),
        ("Order screens", "2 screens: order list and order entry"),
        ("Integrations", "2 interfaces to the core system"),
        ("Integration test", ""),
    ],
}
REASONING = {"ja": "一覧と登録の2画面", "en": "Two screens"}


def rates() -> RateTable:
    """The shipped table with round screen and interface rates, so the figures here are plain numbers."""
    changed = dict(DEFAULT_RATES.rates)
    for grade in GRADES:
        for kind, days in ((UnitKind.SCREEN, SCREEN_RATE), (UnitKind.INTERFACE, INTERFACE_RATE)):
            key = (BUSINESS, kind, grade)
            changed[key] = replace(changed[key], days=days)
    return replace(DEFAULT_RATES, rates=changed)


def guide(project_type: ProjectType | None = BUSINESS) -> SizingGuide:
    return SizingGuide(rates=rates(), project_type=project_type)


def brief(language: str = "ja", items: list[tuple[str, str]] | None = None) -> ProjectBrief:
    return ProjectBrief(
        language=language,  # type: ignore[arg-type]
        title="販売管理" if language == "ja" else "Sales system",
        deliverables=[Deliverable(name=n, description=d) for n, d in items or ITEMS[language]],
    )


def engine(server: FakeOpenAI, chunk_size: int = 50) -> OpenAIEngine:
    return OpenAIEngine(settings_for(server), estimate_chunk_size=chunk_size)


def data_of(request: fake.RecordedRequest) -> dict[str, Any]:
    user = request.body["messages"][1]["content"]
    return json.loads(user.removeprefix("<data>\n").removesuffix("\n</data>"))


def reply_line(name: str, phases: list[float], reasoning: str = "r", kind: str = "other") -> dict[str, Any]:
    total = sum(phases)
    return {"n": name, "t": kind, "d": phases, "o": total, "p": total * 1.5, "r": reasoning, "a": [], "k": []}


def estimate_line(phases: dict[str, str], reasoning: str = "") -> EstimateLine:
    days = PhaseDays(**{phase: D(value) for phase, value in phases.items()})
    return EstimateLine(
        deliverable="受注画面", phases=days, optimistic=days.total, pessimistic=days.total, reasoning=reasoning
    )


def feature_guide(days: str) -> LineGuide:
    count = Count(UnitKind.SCREEN, D(2), Grade.NORMAL, "2画面", (), True)
    return LineGuide("受注画面", Role.BUILD, (UnitFigure(count, D(days) / 2, D(2)),))


# The guidance, pure ---------------------------------------------------------------------------


def test_a_feature_line_carries_its_counts_and_the_tables_build_side_figure() -> None:
    table = rates()
    item = Deliverable(name="データ移行", description="約500万件、3システムから")
    line = line_guidance(item, table, ProjectType.MIGRATION)

    counts = read_units(item.name, item.description).counts
    assert [unit.count for unit in line.units] == list(counts)
    assert any(unit.count.quoted == "約500万件" and unit.units == Decimal("3.32") for unit in line.units)
    expected = sum((table.rate(ProjectType.MIGRATION, c.kind, c.grade).days * rate_units(c) for c in counts), D(0))
    assert line.table_days == expected > 0
    assert line.is_feature and line.phase_days is None


def test_the_figure_is_the_tables_rate_times_the_units_counted() -> None:
    line = line_guidance(Deliverable(name="受注画面", description="受注一覧・受注登録の2画面"), rates(), BUSINESS)

    assert [(u.count.kind, u.count.quantity, u.count.quoted, u.rate) for u in line.units] == [
        (UnitKind.SCREEN, 2, "2画面", SCREEN_RATE)
    ]
    assert line.table_days == 2 * SCREEN_RATE


@pytest.mark.parametrize("name", ["要件定義書", "結合テスト", "操作マニュアル", "Integration test", "基本設計書"])
def test_a_phase_line_gets_no_unit_figure(name: str) -> None:
    line = line_guidance(Deliverable(name=name, description="画面一覧（20画面）を含む"), rates(), BUSINESS)

    assert not line.is_feature
    assert line.units == () and line.table_days is None


def test_the_project_guide_uses_the_chosen_type_and_derives_the_phase_lines_from_the_build() -> None:
    project = project_guidance(brief(), guide())

    assert (project.project_type, project.chosen, project.cues) == (BUSINESS, True, ())
    assert project.ratios == rates().ratios(BUSINESS)
    assert [line.table_days for line in project.lines] == [None, D(10), D(8), None]
    assert project.build_days == 18
    expected = plan([None, D(10), D(8), None], [line.role for line in project.lines], project.ratios)
    assert project.lines[0].phase_days == expected.lines[0].days > 0
    assert project.lines[3].phase_days == expected.lines[3].days > 0
    assert (project.lines[0].duties, project.lines[3].duties) == ((Duty.REQUIREMENTS,), (Duty.INTEGRATION_TEST,))
    assert project.held == (Duty.REQUIREMENTS, Duty.INTEGRATION_TEST)


def test_without_a_chosen_type_the_detected_one_is_used_with_its_cues() -> None:
    project = project_guidance(brief(), guide(project_type=None))

    assert project.project_type is BUSINESS and not project.chosen
    assert project.cues and all(isinstance(cue, str) for cue in project.cues)


def test_a_list_of_documents_only_gets_no_figure_so_no_document_is_flagged() -> None:
    documents = brief(items=[("要件定義書", ""), ("基本設計書", ""), ("結合テスト", "")])
    project = project_guidance(documents, guide())

    assert [line.table_days for line in project.lines] == [None, None, None]
    assert [line.phase_days for line in project.lines] == [None, None, None]
    assert project.held == (Duty.REQUIREMENTS, Duty.BASIC_DESIGN, Duty.INTEGRATION_TEST)
    only_requirements = estimate_line({"requirements": "20"})
    assert all(flag_outlier(only_requirements, line, "ja") is only_requirements for line in project.lines)


@pytest.mark.parametrize(
    ("phases", "flagged"),
    [
        ({"detailed_design": "6", "implementation": "24"}, False),  # exactly 3 × 10
        ({"detailed_design": "6", "implementation": "24.01"}, True),
        ({"requirements": "40", "implementation": "20"}, False),  # only the build side counts
        ({"implementation": "3.34"}, False),
        ({"detailed_design": "1", "implementation": "2.33"}, True),  # below 10 / 3
        ({"requirements": "5"}, True),  # no build side at all
    ],
)
def test_an_outlier_is_beyond_three_times_or_below_a_third_of_the_table(phases: dict[str, str], flagged: bool) -> None:
    assert (outlier(estimate_line(phases), feature_guide("10")) is not None) is flagged


def test_no_figure_no_flag() -> None:
    far = estimate_line({"implementation": "400"})
    assert outlier(far, LineGuide("要件定義書", Role.REQUIREMENTS, phase_days=D(1))) is None
    assert outlier(far, feature_guide("0")) is None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_flag_is_a_sentence_on_the_reasoning_and_a_risk_and_the_numbers_stay(lang: str) -> None:
    line = estimate_line({"basic_design": "2", "detailed_design": "10", "implementation": "40"}, REASONING[lang])
    flagged = flag_outlier(line, feature_guide("10"), lang)

    sentence = t(
        "sizing.guide.outlier",
        lang,
        units=t(
            "sizing.guide.unit",
            lang,
            unit=t("sizing.unit.screen", lang),
            quantity="2",
            grade=t("sizing.grade.normal", lang),
        ),
        table="10",
        model="50",
        ratio="5",
    )
    stop = {"ja": "。", "en": ". "}[lang]
    assert flagged.reasoning == REASONING[lang] + stop + sentence
    assert flagged.risks == [sentence]
    assert (flagged.phases, flagged.optimistic, flagged.pessimistic) == (line.phases, line.optimistic, line.pessimistic)
    assert "{" not in sentence


def test_the_flag_wording_names_units_table_model_and_ratio() -> None:
    line = estimate_line({"implementation": "2"})
    ja = flag_outlier(line, feature_guide("10"), "ja")
    en = flag_outlier(line, feature_guide("10"), "en")

    assert ja.reasoning == (
        "単価表の目安（画面×2（普通） → 製作側 10人日）に対してモデルの値は製作側 2人日（×0.2）です。"
        "根拠を確認してください。"
    )
    assert en.reasoning == (
        "The model's build side (detailed design + implementation) is 2 person-days, ×0.2 the rate table's "
        "10 person-days for screen × 2 (normal); check its reasoning."
    )


def test_a_line_in_range_is_returned_as_it_was() -> None:
    line = estimate_line({"implementation": "12"}, "x")
    assert flag_outlier(line, feature_guide("10"), "ja") is line


def test_units_text_names_volumes_and_assumed_volumes() -> None:
    stated = Count(UnitKind.RECORDS, D(5_000_000), Grade.COMPLEX, "約500万件", (), True)
    assumed = Count(UnitKind.RECORDS, D(1), Grade.NORMAL, "", (), False)
    guide_line = LineGuide("移行", Role.BUILD, (UnitFigure(stated, D(4), D(5)), UnitFigure(assumed, D(4), D(1))))

    assert units_text(guide_line, "ja") == "5,000,000件（複雑）＋件数の記載なし（普通、移行作業1として）"
    assert units_text(guide_line, "en") == (
        "5,000,000 records (complex) + no volume stated (normal; rated as one piece of migration work)"
    )


# Through the fake server --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_request_carries_the_type_the_units_and_the_tables_figures(fake_openai: FakeOpenAI, language: str) -> None:
    """Only the feature lines are sent, each with its counted units and the table's build-side figure; the phase
    lines (要件定義書, 結合テスト) are planned by code, so the model is told nothing about them."""
    draft = engine(fake_openai).estimate(brief(language), [], CallHooks(), guide())

    (request,) = fake_openai.chat_requests
    sent = data_of(request)
    assert sent["type"] == t("sizing.type.business_system", language)
    names = [n for n, _ in ITEMS[language]]
    assert [item["n"] for item in sent["items"]] == [names[1], names[2]]
    screens, interfaces = sent["items"]
    quoted = {"ja": "2画面", "en": "2 screens"}[language]
    assert screens["u"] == [["screen", 2, "normal", quoted]] and screens["b"] == 10
    assert [u[:2] for u in interfaces["u"]] == [["interface", 2]] and interfaces["b"] == 8
    assert interfaces["u"][0][3] == {"ja": "連携IF 2本", "en": "2 interfaces"}[language]
    assert screens["d"] == ITEMS[language][1][1]
    system = request.body["messages"][0]["content"]
    assert ("単価表" in system) is (language == "ja")
    assert ("rate table" in system) is (language == "en")
    assert draft.project_type == "business_system"


def test_without_a_guide_the_type_is_detected_and_the_shipped_table_used(fake_openai: FakeOpenAI) -> None:
    draft = engine(fake_openai).estimate(brief(), [], CallHooks())

    sent = data_of(fake_openai.chat_requests[0])
    assert sent["type"] == t("sizing.type.business_system", "ja") and draft.project_type == "business_system"
    assert sent["items"][0]["b"] == float(2 * DEFAULT_RATES.rate(BUSINESS, UnitKind.SCREEN, Grade.NORMAL).days)


def test_a_chosen_type_is_the_one_sent(fake_openai: FakeOpenAI) -> None:
    chosen = SizingGuide(rates=DEFAULT_RATES, project_type=ProjectType.WEBSITE)
    draft = engine(fake_openai).estimate(brief("en"), [], CallHooks(), chosen)

    sent = data_of(fake_openai.chat_requests[0])
    assert sent["type"] == "Website"
    website_screen = DEFAULT_RATES.rate(ProjectType.WEBSITE, UnitKind.SCREEN, Grade.NORMAL).days
    assert sent["items"][0]["b"] == float(2 * website_screen)
    assert draft.project_type == "website"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_line_five_times_the_table_is_flagged_and_one_in_range_is_not(fake_openai: FakeOpenAI, language: str) -> None:
    names = [n for n, _ in ITEMS[language]]
    answer = {
        "l": [
            reply_line(names[1], [0, 0, 10, 40, 0, 0, 0], REASONING[language]),  # build side 50 = 5 × 10
            reply_line(names[2], [0, 0, 2, 6, 0, 0, 0], "ok"),  # build side 8 = the table
        ],
        "pa": ["p"],
        "ex": ["e"],
    }
    fake_openai.script(fake.answer(answer))
    draft = engine(fake_openai).estimate(brief(language), [], CallHooks(), guide())

    requirements, screens, interfaces, tests = draft.lines[:4]
    sentence = t(
        "sizing.guide.outlier",
        language,
        units=units_text(project_guidance(brief(language), guide()).lines[1], language),
        table="10",
        model="50",
        ratio="5",
    )
    assert screens.reasoning == REASONING[language] + {"ja": "。", "en": ". "}[language] + sentence
    assert screens.risks == [sentence]
    assert screens.person_days == 50, "the model's build stays the line's size"
    assert (interfaces.reasoning, interfaces.risks) == ("ok", [])
    for phase_line in (requirements, tests):
        assert phase_line.risks == [] and t("sizing.guide.outlier", language).split("{")[0] not in phase_line.reasoning
    build = D(58)
    assert requirements.person_days == round_person_days(build * 100 / D("40.5") * D(9) / 100)
    expected_words = {"ja": "単価表の目安（画面×2（普通）", "en": "for screen × 2 (normal)"}[language]
    assert expected_words in sentence


def test_guidance_and_flags_follow_each_chunk(fake_openai: FakeOpenAI) -> None:
    items = [*ITEMS["ja"], ("帳票出力", "請求書・納品書の帳票2種"), ("マスタ管理画面", "一覧・登録・編集の3画面")]
    project = brief(items=items)
    far = {"l": [reply_line("受注画面", [0, 0, 1, 1, 0, 0, 0], "少なめ")]}
    fake_openai.script(fake.answer({**far, "pa": [], "ex": []}, match='"items":[{"n":"受注画面"'))
    draft = engine(fake_openai, chunk_size=2).estimate(project, [], CallHooks(), guide())

    requests = fake_openai.chat_requests
    assert len(requests) == 3, "four feature lines: one, then two, then one"
    by_first = {data_of(r)["items"][0]["n"]: data_of(r) for r in requests}
    assert set(by_first) == {"受注画面", "外部連携", "マスタ管理画面"}
    for data in by_first.values():
        assert data["type"] == "業務システム"
        assert data["all"] == ["受注画面", "外部連携", "帳票出力", "マスタ管理画面"]
    assert by_first["受注画面"]["items"][0]["b"] == 10
    listed = [line.deliverable for line in draft.lines][: len(items)]
    assert listed == [n for n, _ in items]
    screens = draft.lines[1]
    assert screens.reasoning.startswith("少なめ。単価表の目安（画面×2（普通） → 製作側 10人日）")
    assert "2人日（×0.2）" in screens.reasoning and screens.risks == [screens.reasoning.removeprefix("少なめ。")]
    assert not any("単価表" in risk for risk in draft.lines[2].risks), "an interface line in range is not flagged"
    assert not any("単価表" in line.reasoning for line in (draft.lines[0], draft.lines[3]))
