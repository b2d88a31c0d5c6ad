"""Calibration with the OpenAI engine (issue 13, item 5): its lines are calibrated the same way, from the projects
it estimated once there are enough of them, otherwise from all completed projects, and the version says which."""

from __future__ import annotations

from decimal import Decimal

from estimator.engines.offline import OfflineEngine
from estimator.history.calibration import MIN_PROJECTS
from estimator.schemas import ActualEntry, Deliverable, DeliverableKind, EstimateLine, VersionSummary
from estimator.workflow import Workflow, open_workflow
from tests.factories import project_settings
from tests.fake_openai import FakeOpenAI, settings_for

USER = "analyst"
ITEMS = [
    Deliverable(name="受注入力画面", description="受注の登録・修正の2画面"),
    Deliverable(name="請求書出力", description="請求書PDF 1帳票"),
    Deliverable(name="基幹連携", description="受注データを基幹へ日次連携するインタフェース1本"),
]


def finished(flow: Workflow, took: Decimal, title: str) -> int:
    """A project estimated by `flow`'s engine, done, whose every line took `took` times its estimate."""
    project = flow.create_project(project_settings(title), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    flow.set_status(project.id, "submitted", user=USER, expected_row_version=None)
    flow.set_status(project.id, "won", user=USER, expected_row_version=None)
    entries = [
        ActualEntry(line.deliverable, (line.person_days / line.calibration * took).quantize(Decimal("0.01")))
        for line in flow.baseline_lines(project.id)
    ]
    flow.record_actuals(project.id, entries, user=USER, expected_row_version=None)
    flow.set_status(project.id, "done", user=USER, expected_row_version=None)
    return project.id


def new_estimate(flow: Workflow) -> tuple[list[EstimateLine], VersionSummary]:
    project = flow.create_project(project_settings("次の案件"), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    version = flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return [item.line for item in flow.priced(project.id).lines], version


def test_openai_lines_learn_from_all_projects_until_it_has_enough_of_its_own(fake_openai: FakeOpenAI) -> None:
    flow = open_workflow(settings_for(fake_openai))
    offline = Workflow(flow.store, OfflineEngine(), flow.settings)
    for number in range(MIN_PROJECTS):
        finished(offline, Decimal("1.5"), f"組込み{number}")

    lines, version = new_estimate(flow)
    calibrated = [line for line in lines if line.kind is not DeliverableKind.RISK_BUFFER]
    assert version.engine == flow.engine.name != "offline"
    assert calibrated and all(line.calibration > 1 for line in calibrated)
    assert all("実績補正 ×" in line.reasoning and f"完了{MIN_PROJECTS}件" in line.reasoning for line in calibrated)
    assert all(factor.engine is None for factor in version.calibration.applied)

    for number in range(MIN_PROJECTS):
        finished(flow, Decimal("1.0"), f"OpenAI{number}")
    lines, version = new_estimate(flow)
    kinds = {line.kind for line in lines}  # the kinds the OpenAI engine's own projects have, all of them
    own = [factor for factor in version.calibration.applied if factor.kind in kinds]
    assert own and all(factor.engine == "openai" and factor.projects == MIN_PROJECTS for factor in own)
    assert all(line.calibration == 1 for line in lines), "its own history says it was right"
