"""The budget-cap quick action: proposals made by the request parser's code, priced exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.errors import EngineError
from estimator.schemas import Deliverable
from estimator.workflow import Workflow, open_workflow
from tests.factories import project_settings


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def _estimated(flow: Workflow) -> int:
    project = flow.create_project(project_settings(), user="analyst")
    items = [Deliverable(name=name) for name in ("要件定義書", "管理画面", "結合テスト", "運用マニュアル")]
    project = flow.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    flow.generate_estimate(project.id, expected_row_version=project.row_version, user="analyst")
    return project.id


def test_budget_cap_proposals_fit_under_the_cap_and_apply(flow: Workflow) -> None:
    project_id = _estimated(flow)
    before = flow.store.get_version(project_id)
    cap = (before.subtotal * Decimal("0.9")).quantize(Decimal(1))

    rows = flow.quick_budget(project_id, cap, user="analyst")

    assert 1 <= len(rows) <= 3
    assert {row.engine for row in rows} == {"quick-action"}
    assert all(row.base_version == before.number for row in rows)
    for row in rows:
        after = flow.preview(project_id, row).after
        assert cap - before.unit_cost <= after.subtotal <= cap
    version = flow.apply_proposal(project_id, rows[0].id, user="analyst")
    assert version.origin == "adjusted"
    assert version.subtotal <= cap
    assert flow.store.pending_proposals(project_id) == []


def test_budget_cap_above_the_subtotal_is_a_clear_error(flow: Workflow) -> None:
    project_id = _estimated(flow)
    subtotal = flow.store.get_version(project_id).subtotal

    with pytest.raises(EngineError) as raised:
        flow.quick_budget(project_id, subtotal + 1, user="analyst")

    assert raised.value.key == "errors.engine.already_within_budget"
    assert flow.store.pending_proposals(project_id) == []
