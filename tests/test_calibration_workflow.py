"""Calibration through the workflow and the store: a version keeps the factors it was generated with (old versions
never change), derived versions carry their base's, the project's switch and the operator's setting turn it off,
and migration 0006 reads every older version as uncalibrated."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from estimator.config import load_settings
from estimator.db import SCHEMA_REVISION, Database, current_revision, migrate
from estimator.engines.offline import OfflineEngine
from estimator.schemas import NO_CALIBRATION, ActualEntry, Deliverable, DeliverableKind
from estimator.store import Store, version_lines, version_summary
from estimator.workflow import Workflow
from tests.factories import JPY, line, project_settings
from tests.schema_support import downgrade

USER = "analyst"
ITEMS = [
    Deliverable(name="受注入力画面", description="受注の登録・修正の2画面"),
    Deliverable(name="請求書出力", description="請求書PDF 1帳票"),
]


@pytest.fixture
def flow(database: Database) -> Iterator[Workflow]:
    yield Workflow(Store(database), OfflineEngine(), load_settings())


def estimated(flow: Workflow, title: str = "案件") -> int:
    project = flow.create_project(project_settings(title), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return project.id


def finish(flow: Workflow, project_id: int, screens_took: Decimal) -> None:
    flow.set_status(project_id, "submitted", user=USER, expected_row_version=None)
    flow.set_status(project_id, "won", user=USER, expected_row_version=None)
    entries = [
        ActualEntry(item.deliverable, item.person_days * (screens_took if item.kind is DeliverableKind.SCREEN else 1))
        for item in flow.baseline_lines(project_id)
    ]
    flow.record_actuals(project_id, entries, user=USER, expected_row_version=None)
    flow.set_status(project_id, "done", user=USER, expected_row_version=None)


def history(flow: Workflow, count: int, screens_took: Decimal) -> None:
    for number in range(count):
        finish(flow, estimated(flow, f"完了{number}"), screens_took)


def screen_factor(flow: Workflow, project_id: int, number: int | None = None) -> Decimal:
    return next(
        item.line.calibration
        for item in flow.priced(project_id, number).lines
        if item.line.kind is DeliverableKind.SCREEN
    )


def test_a_version_keeps_its_factors_when_the_history_grows(flow: Workflow) -> None:
    history(flow, 3, Decimal("1.5"))
    project_id = estimated(flow, "次期")
    first = flow.version(project_id)
    factor = screen_factor(flow, project_id)
    assert factor > 1 and first.calibration.completed == 3
    history(flow, 4, Decimal("2.0"))
    assert flow.version(project_id, first.number) == first
    assert screen_factor(flow, project_id, first.number) == factor
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    assert screen_factor(flow, project_id) > factor and flow.version(project_id).calibration.completed == 7


def test_a_derived_version_carries_its_base_s_factors_and_the_total_without_them(flow: Workflow) -> None:
    history(flow, 3, Decimal("1.5"))
    project_id = estimated(flow, "次期")
    base = flow.version(project_id)
    proposal = flow.quick_risk_buffer(project_id, Decimal(10), user=USER)
    adjusted = flow.apply_proposal(project_id, proposal.id, user=USER)
    assert adjusted.calibration == base.calibration
    assert screen_factor(flow, project_id) == screen_factor(flow, project_id, base.number)
    plain = flow.uncalibrated(project_id)
    assert plain.person_days < flow.priced(project_id).person_days
    assert all(item.line.calibration == 1 for item in plain.lines)


def test_a_project_submitted_after_a_cut_is_measured_as_submitted_and_as_generated(flow: Workflow) -> None:
    """The cut that made the quote is in the submitted figure, not in the generated one, and the factors learn
    from the generated one (the engine's figure)."""
    project_id = estimated(flow, "値引き後に提出")
    generated = flow.priced(project_id)
    invoice = next(item.line for item in generated.lines if item.line.deliverable == "請求書出力")
    flow.edit_lines(project_id, {invoice.deliverable: invoice.person_days * Decimal("0.8")}, base_version=1, user=USER)
    finish(flow, project_id, Decimal("1.5"))
    [measured] = flow.accuracy().projects
    assert measured.version == 2 and measured.estimate < measured.first_estimate == generated.person_days
    screen = next(f for f in flow.calibration().factors if f.kind is DeliverableKind.SCREEN)
    assert screen.median_ratio == Decimal("1.50")


def test_the_project_switch_and_the_operator_setting_turn_it_off(flow: Workflow) -> None:
    history(flow, 3, Decimal("1.5"))
    project_id = estimated(flow, "次期")
    project = flow.set_calibration(project_id, False, expected_row_version=None)
    assert not project.calibration
    assert not flow.duplicate_project(project_id, title="複製", user=USER).calibration
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    assert screen_factor(flow, project_id) == 1 and flow.version(project_id).calibration == NO_CALIBRATION
    off = Workflow(flow.store, flow.engine, flow.settings.model_copy(update={"calibration": False}))
    other = estimated(off, "運用で無効")
    assert screen_factor(off, other) == 1 and not off.calibration_enabled()


def test_the_calibration_shown_for_a_project_leaves_its_own_actuals_out(flow: Workflow) -> None:
    history(flow, 3, Decimal("1.5"))
    done = flow.list_projects(status="done")[0].id
    screen = next(f for f in flow.calibration(done).factors if f.kind is DeliverableKind.SCREEN)
    assert screen.projects == 2 and not screen.used
    assert next(f for f in flow.calibration().factors if f.kind is DeliverableKind.SCREEN).used


def test_0006_reads_older_versions_as_uncalibrated(database: Database) -> None:
    store = Store(database)
    project = store.create_project(project_settings())
    store.append_version(
        project.id, lines=[line("画面", "10")], pricing=JPY, origin="generated", engine="offline", base_number=None
    )
    downgrade(database, "0005")
    assert "calibration" not in {column["name"] for column in inspect(database.engine).get_columns("estimate_lines")}
    migrate(database.engine)
    assert current_revision(database.engine) == SCHEMA_REVISION
    version = store.get_version(project.id)
    assert version_summary(version).calibration == NO_CALIBRATION
    assert [item.calibration for item in version_lines(version)] == [1]
    assert store.get_project(project.id).calibration is True


def test_the_history_is_read_again_when_a_completed_project_s_actuals_change(flow: Workflow) -> None:
    history(flow, 3, Decimal("1.0"))
    assert flow.accuracy().overall.bias == 0
    done = flow.list_projects(status="done")[0].id
    doubled = [ActualEntry(line.deliverable, line.person_days * 2) for line in flow.baseline_lines(done)]
    flow.record_actuals(done, doubled, user=USER, expected_row_version=None)
    changed = next(p for p in flow.accuracy().projects if p.project_id == done)
    assert changed.ratio == 2
