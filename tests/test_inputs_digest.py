"""Stale estimates: a version knows the inputs it was estimated from, and says when the project's differ now."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.db import migrate
from estimator.engines.offline import OfflineEngine
from estimator.schemas import Deliverable
from estimator.workflow import Workflow, inputs_digest, open_workflow
from tests.factories import project_settings
from tests.offline_samples import SAMPLE_JA
from tests.schema_support import downgrade

USER = "analyst"


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def estimated(flow: Workflow) -> int:
    """A project with the sample deliverables, requirements and (unanswered) questions, and its first estimate."""
    project = flow.create_project(project_settings("販売管理システム"), user=USER)
    items = [Deliverable(name=name, description=text) for name, text in SAMPLE_JA]
    flow.save_deliverables(project.id, items, requirements="社内利用", expected_row_version=None)
    flow.generate_questions(project.id, expected_row_version=None, user=USER)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return project.id


def deliverables(flow: Workflow, project_id: int) -> list[Deliverable]:
    return list(flow.project(project_id).deliverables)


def save(flow: Workflow, project_id: int, items: list[Deliverable], requirements: str | None = None) -> None:
    flow.save_deliverables(project_id, items, requirements=requirements, expected_row_version=None)


def add_deliverable(flow: Workflow, project_id: int) -> None:
    save(flow, project_id, [*deliverables(flow, project_id), Deliverable(name="帳票出力", description="月次帳票")])


def rename_deliverable(flow: Workflow, project_id: int) -> None:
    first, *rest = deliverables(flow, project_id)
    save(flow, project_id, [first.model_copy(update={"name": "要件定義書（改）"}), *rest])


def describe_deliverable(flow: Workflow, project_id: int) -> None:
    first, *rest = deliverables(flow, project_id)
    save(flow, project_id, [first.model_copy(update={"description": "対象範囲を拡大"}), *rest])


def reorder_deliverables(flow: Workflow, project_id: int) -> None:
    save(flow, project_id, list(reversed(deliverables(flow, project_id))))


def answer_question(flow: Workflow, project_id: int) -> None:
    first = flow.project(project_id).qa_pairs[0]
    flow.save_answers(project_id, {first.key: "利用者は約500人"}, expected_row_version=None)


def change_requirements(flow: Workflow, project_id: int) -> None:
    save(flow, project_id, deliverables(flow, project_id), requirements="社外公開、24時間稼働")


def choose_project_type(flow: Workflow, project_id: int) -> None:
    flow.set_project_type(project_id, "migration_batch", expected_row_version=None)


CHANGES: dict[str, Callable[[Workflow, int], None]] = {
    "added deliverable": add_deliverable,
    "renamed deliverable": rename_deliverable,
    "new description": describe_deliverable,
    "reordered deliverables": reorder_deliverables,
    "changed answer": answer_question,
    "changed requirements": change_requirements,
    "chosen project type": choose_project_type,
}


def revert(flow: Workflow, project_id: int) -> None:
    """Put the deliverables, requirements, answers and project type back as `estimated` left them."""
    save(flow, project_id, [Deliverable(name=name, description=text) for name, text in SAMPLE_JA], "社内利用")
    flow.save_answers(project_id, {qa.key: None for qa in flow.project(project_id).qa_pairs}, expected_row_version=None)
    flow.set_project_type(project_id, None, expected_row_version=None)


def test_a_new_estimate_is_not_stale_and_stores_the_digest_of_its_inputs(flow: Workflow) -> None:
    project_id = estimated(flow)
    version = flow.version(project_id)
    assert version.inputs_digest == inputs_digest(flow.project(project_id))
    assert version.inputs_digest is not None and len(version.inputs_digest) == 64
    assert flow.inputs_changed(project_id) is False


@pytest.mark.parametrize("change", CHANGES)
def test_a_changed_input_makes_the_estimate_stale_until_it_is_changed_back(flow: Workflow, change: str) -> None:
    project_id = estimated(flow)
    CHANGES[change](flow, project_id)
    assert flow.inputs_changed(project_id) is True
    revert(flow, project_id)
    assert flow.inputs_changed(project_id) is False


def test_a_project_that_never_chose_a_type_keeps_the_digest_of_the_inputs_before_types_existed(
    flow: Workflow,
) -> None:
    """The type is in the digest only once chosen, so digests stored by earlier releases still compare equal."""
    project = flow.project(estimated(flow))
    earlier = {
        "deliverables": [{"name": item.name, "description": item.description} for item in project.deliverables],
        "requirements": project.system_requirements,
        "answers": [{"key": qa.key, "question": qa.question, "answer": qa.answer} for qa in project.qa_pairs],
    }
    canonical = json.dumps(earlier, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert inputs_digest(project) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    choose_project_type(flow, project.id)
    assert inputs_digest(flow.project(project.id)) != inputs_digest(project)


def test_title_and_money_terms_do_not_make_an_estimate_stale(flow: Workflow) -> None:
    project_id = estimated(flow)
    flow.store.update_project(project_id, expected_row_version=None, title="新しい件名", unit_cost=Decimal(50000))
    assert flow.inputs_changed(project_id) is False


def test_re_estimating_is_fresh_and_the_older_version_stays_stale(flow: Workflow) -> None:
    project_id = estimated(flow)
    change_requirements(flow, project_id)
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    assert flow.inputs_changed(project_id) is False
    assert flow.inputs_changed(project_id, 1) is True
    assert flow.inputs_changed(project_id, 2) is False


def adjust(flow: Workflow, project_id: int) -> None:
    flow.apply_proposal(project_id, flow.quick_risk_buffer(project_id, Decimal(10), user=USER).id, user=USER)


def edit(flow: Workflow, project_id: int) -> None:
    head = flow.version(project_id).number
    flow.edit_lines(project_id, {SAMPLE_JA[0][0]: Decimal(20)}, base_version=head, user=USER)


DERIVATIONS: dict[str, Callable[[Workflow, int], None]] = {"adjusted": adjust, "edited": edit}


@pytest.mark.parametrize("derive", DERIVATIONS)
@pytest.mark.parametrize("stale", [False, True], ids=["fresh", "stale"])
def test_a_derived_version_keeps_the_freshness_of_its_base(flow: Workflow, derive: str, stale: bool) -> None:
    project_id = estimated(flow)
    if stale:
        answer_question(flow, project_id)
    DERIVATIONS[derive](flow, project_id)
    derived = flow.version(project_id)
    assert derived.number == 2
    assert derived.inputs_digest == flow.version(project_id, 1).inputs_digest
    assert flow.inputs_changed(project_id) is stale


def test_a_restored_version_is_judged_by_the_inputs_of_the_version_it_copies(flow: Workflow) -> None:
    """Version 1 was estimated before the requirements changed; restoring it brings back a stale estimate."""
    project_id = estimated(flow)
    change_requirements(flow, project_id)
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    restored = flow.restore_version(project_id, 1, base_version=2, user=USER)
    assert restored.inputs_digest == flow.version(project_id, 1).inputs_digest
    assert flow.inputs_changed(project_id) is True


def test_a_project_without_an_estimate_is_not_stale(flow: Workflow) -> None:
    project = flow.create_project(project_settings("未見積"), user=USER)
    flow.save_deliverables(project.id, [Deliverable(name="画面")], requirements=None, expected_row_version=None)
    assert flow.inputs_changed(project.id) is False


def test_an_estimate_from_before_the_migration_is_not_reported_stale(flow: Workflow) -> None:
    """Down to 0001 and up again: the version is a genuine pre-0002 row, whose inputs are unknown."""
    project_id = estimated(flow)
    database = flow.store.database
    downgrade(database, "0001")
    migrate(database.engine)
    assert flow.version(project_id).inputs_digest is None
    add_deliverable(flow, project_id)
    assert flow.inputs_changed(project_id) is False
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    assert flow.inputs_changed(project_id) is False and flow.version(project_id).inputs_digest is not None
