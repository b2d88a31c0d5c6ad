"""Lists that name phases of a system and build nothing (要件定義 and 基本設計 only, third-party testing): an
engagement for those phases. The phase lines are sized as their share of the system the lines describe, no
phase the list does not name is added but its management (scaled to the phases' share), and a system stated
by two lines is sized once. Before, such a list was read as features, sized at build rates, and then given
every phase again: 要件定義書 + 基本設計書 of a 30-screen system came to 728 person-days."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from estimator.config import load_settings
from estimator.db import Database
from estimator.engines.offline import OfflineEngine
from estimator.schemas import Deliverable, DeliverableKind, EstimateLine, Phase
from estimator.sizing.kinds import ProjectType
from estimator.sizing.plan import Duty, Role, duty_sizes, plan
from estimator.sizing.rates import DEFAULT_RATES
from estimator.store import Store
from estimator.workflow import Workflow

UPSTREAM = [
    Deliverable(name="要件定義書", description="業務フロー、機能一覧、非機能要件"),
    Deliverable(name="基本設計書", description="画面設計30画面、帳票設計5帳票"),
]
TESTING = [
    Deliverable(name="結合テスト", description="受注管理システム30画面の結合テスト"),
    Deliverable(name="総合テスト", description="30画面の業務シナリオテスト50本"),
]


def estimate(database: Database, items: list[Deliverable], language: str = "ja") -> list[EstimateLine]:
    """The offline estimate of `items`, sized as a 業務システム (detection would differ between the lists)."""
    flow = Workflow(Store(database), OfflineEngine(), load_settings())
    project = flow.create_project(replace(flow.project_defaults(language), title="工程のみ"), user="t")
    flow.save_deliverables(project.id, items, requirements="", expected_row_version=None)
    flow.set_project_type(project.id, ProjectType.BUSINESS.value, expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user="t")
    return [item.line for item in flow.priced(project.id).lines]


def test_an_engagement_plan_carries_only_the_named_phases_and_their_share_of_pm() -> None:
    ratios = DEFAULT_RATES.ratios(ProjectType.BUSINESS)
    system = Decimal(291)
    result = plan([None, None], [Role.REQUIREMENTS, Role.BASIC_DESIGN], ratios, system_days=system)
    sizes = duty_sizes(system, ratios)
    requirements, basic_design, *added = result.lines
    assert requirements.days == sizes[Duty.REQUIREMENTS].quantize(Decimal("0.01"))
    assert basic_design.days == sizes[Duty.BASIC_DESIGN].quantize(Decimal("0.01"))
    assert [line.added for line in added] == [(Duty.PM, Duty.DOCUMENTS)], "no test, no build, only management"
    work = sum(sizes[d] for d in Duty if d not in (Duty.PM, Duty.DOCUMENTS))
    share = (sizes[Duty.REQUIREMENTS] + sizes[Duty.BASIC_DESIGN]) / work
    expected_pm = ((sizes[Duty.PM] + sizes[Duty.DOCUMENTS]) * share).quantize(Decimal("0.01"))
    assert abs(added[0].days - expected_pm) <= Decimal("0.01")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_requirements_and_basic_design_of_a_stated_system(database: Database, language: str) -> None:
    lines = estimate(database, UPSTREAM, language)
    names = [line.deliverable for line in lines]
    assert names[:2] == ["要件定義書", "基本設計書"] and len(names) == 3, names
    assert lines[2].kind is DeliverableKind.PM
    requirements, basic_design = lines[0], lines[1]
    assert set(requirements.phases.model_dump(exclude_defaults=True)) == {Phase.REQUIREMENTS.value}
    assert set(basic_design.phases.model_dump(exclude_defaults=True)) == {Phase.BASIC_DESIGN.value}
    total = sum(line.person_days for line in lines)
    assert 100 < total < 260, "the upstream third of a 30-screen system, not a 728 person-day build"
    words = "開発は含みません" if language == "ja" else "phases only, no development"
    assert words in requirements.reasoning and ("30画面" in requirements.reasoning)


def test_a_system_two_lines_describe_is_sized_once(database: Database) -> None:
    lines = estimate(database, TESTING)
    assert [line.deliverable for line in lines][:2] == ["結合テスト", "総合テスト"]
    assert not any(line.kind is DeliverableKind.DOCUMENT for line in lines), "no requirements or design added"
    one = estimate(database, TESTING[:1])
    assert one[0].person_days == lines[0].person_days, "30 screens stated twice are still 30 screens"


def test_a_list_of_documents_that_sizes_no_system_is_still_each_document_s_own_work(database: Database) -> None:
    lines = estimate(database, [Deliverable(name="操作マニュアル"), Deliverable(name="運用手順書")])
    assert [line.deliverable for line in lines[:2]] == ["操作マニュアル", "運用手順書"]
    assert all(line.person_days > 1 for line in lines[:2])
