"""The store on SQLite and PostgreSQL: projects, deliverables, Q&A, versions, locking."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from estimator.engines.base import CallRecord
from estimator.errors import NotFoundError, StaleWriteError
from estimator.models import Project, utcnow
from estimator.schemas import Deliverable, Operation, OperationKind, Proposal, Question, QuestionKind
from estimator.store import Store, version_lines, version_pricing
from tests.factories import JPY, line, project_settings


def test_create_numbers_quotes_per_year_and_lists_newest_first(store: Store) -> None:
    first = store.create_project(project_settings("First"))
    second = store.create_project(project_settings("Second"))
    year = utcnow().year
    assert (first.quote_number, second.quote_number) == (f"Q-{year}-0001", f"Q-{year}-0002")
    assert [p.title for p in store.list_projects()] == ["Second", "First"]
    assert [p.title for p in store.list_projects("firs")] == ["First"]
    assert [p.title for p in store.list_projects(f"Q-{year}-0002")] == ["Second"]


def test_money_settings_round_trip_exactly(store: Store) -> None:
    project = store.create_project(project_settings())
    again = store.get_project(project.id)
    assert again.unit_cost == Decimal(40000) and isinstance(again.unit_cost, Decimal)
    assert again.tax_rate == Decimal(10)


def test_deliverables_keep_order_and_requirements(store: Store) -> None:
    project = store.create_project(project_settings())
    items = [Deliverable(name=n, description=f"about {n}") for n in ("要件定義書", "画面", "API")]
    saved = store.replace_deliverables(
        project.id, items, requirements="SSO必須", expected_row_version=project.row_version
    )
    assert [d.name for d in saved.deliverables] == ["要件定義書", "画面", "API"]
    assert saved.system_requirements == "SSO必須"
    assert saved.row_version == project.row_version + 1


def test_stale_row_version_is_refused_and_nothing_is_lost(store: Store) -> None:
    project = store.create_project(project_settings())
    read_by_tab_a = project.row_version
    read_by_tab_b = project.row_version
    store.replace_deliverables(project.id, [Deliverable(name="A")], expected_row_version=read_by_tab_a)
    with pytest.raises(StaleWriteError):
        store.replace_deliverables(project.id, [Deliverable(name="B")], expected_row_version=read_by_tab_b)
    assert [d.name for d in store.get_project(project.id).deliverables] == ["A"]


def test_two_concurrent_writers_with_the_same_row_version(store: Store) -> None:
    project = store.create_project(project_settings())
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def write(name: str) -> None:
        barrier.wait()
        try:
            store.replace_deliverables(project.id, [Deliverable(name=name)], expected_row_version=project.row_version)
            outcomes[name] = "saved"
        except StaleWriteError:
            outcomes[name] = "stale"

    threads = [threading.Thread(target=write, args=(n,)) for n in ("tab-a", "tab-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["saved", "stale"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assert [d.name for d in store.get_project(project.id).deliverables] == [winner]


def test_answers_survive_regenerated_questions_with_the_same_key(store: Store) -> None:
    project = store.create_project(project_settings())
    ask = [
        Question(key="users", text="利用者数は？", kind=QuestionKind.SCOPE),
        Question(key="sso", text="SSOは必要？", kind=QuestionKind.INTEGRATION),
    ]
    project = store.save_questions(project.id, ask, expected_row_version=project.row_version)
    project = store.save_answers(
        project.id, {"users": "約500人", "sso": "  "}, expected_row_version=project.row_version
    )
    assert [a.answer for a in store.answers(project.id)] == ["約500人", None]
    again = [Question(key="users", text="利用者数は？", kind=QuestionKind.SCOPE)]
    store.save_questions(project.id, again, expected_row_version=project.row_version)
    assert [(a.key, a.answer) for a in store.answers(project.id)] == [("users", "約500人")]


def test_versions_are_appended_never_rewritten(store: Store) -> None:
    project = store.create_project(project_settings())
    lines = [line("画面", "10"), line("API", "5.5")]
    first = store.append_version(
        project.id, lines=lines, pricing=JPY, origin="generated", engine="offline", base_number=None
    )
    second = store.append_version(
        project.id,
        lines=lines[:1],
        pricing=JPY,
        origin="adjusted",
        engine="offline",
        base_number=1,
        request_text="APIを外して",
    )
    assert (first.number, second.number) == (1, 2)
    assert (first.subtotal, first.tax, first.total) == (Decimal(620000), Decimal(62000), Decimal(682000))
    kept = store.get_version(project.id, 1)
    assert version_lines(kept) == lines
    assert version_pricing(kept) == JPY
    assert store.get_version(project.id).number == 2
    assert second.parent_id == first.id
    assert [v.number for v in store.list_versions(project.id)] == [1, 2]
    with pytest.raises(NotFoundError):
        store.get_version(project.id, 9)


def test_duplicate_copies_inputs_not_versions(store: Store) -> None:
    project = store.create_project(project_settings())
    project = store.replace_deliverables(
        project.id, [Deliverable(name="A", description="x")], requirements="req", expected_row_version=None
    )
    store.append_version(
        project.id, lines=[line("A", "1")], pricing=JPY, origin="generated", engine="offline", base_number=None
    )
    copy = store.duplicate_project(project.id, title="Copy")
    assert copy.id != project.id and copy.quote_number != project.quote_number
    assert [(d.name, d.description) for d in copy.deliverables] == [("A", "x")]
    assert copy.system_requirements == "req"
    assert not store.has_versions(copy.id)


def test_delete_cascades_but_keeps_llm_cost_history(store: Store) -> None:
    project = store.create_project(project_settings())
    store.append_version(
        project.id, lines=[line("A", "1")], pricing=JPY, origin="generated", engine="offline", base_number=None
    )
    store.add_message(project.id, "user", "安くして")
    store.record_llm_call(
        CallRecord(kind="estimate", model="m", status="ok", latency_ms=5, cost_usd=Decimal("0.00123")),
        project_id=project.id,
    )
    store.delete_project(project.id)
    with pytest.raises(NotFoundError):
        store.get_project(project.id)
    calls = store.llm_calls()
    assert len(calls) == 1 and calls[0].task_id is None and calls[0].cost_usd == Decimal("0.00123")


def test_proposals_are_kept_until_closed(store: Store) -> None:
    project = store.create_project(project_settings())
    proposal = Proposal(
        title="単価変更", operations=[Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=Decimal(50000))]
    )
    rows = store.save_proposals(
        project.id, base_version=1, request_text="単価を5万円に", proposals=[proposal], engine="x"
    )
    assert [p.id for p in store.pending_proposals(project.id)] == [rows[0].id]
    assert Operation.model_validate(rows[0].operations[0]).unit_cost == Decimal(50000)
    store.close_proposals(project.id, [rows[0].id], "applied")
    assert store.pending_proposals(project.id) == []
    store.close_proposals(project.id, [rows[0].id], "discarded")
    assert store.get_proposal(project.id, rows[0].id).status == "applied"


def test_llm_cost_and_rate_windows(store: Store) -> None:
    start = utcnow()
    for user in ("alice", "alice", "bob"):
        store.record_llm_call(
            CallRecord(kind="questions", model="m", status="ok", latency_ms=1, cost_usd=Decimal("0.01")),
            project_id=None,
            created_by=user,
        )
    assert store.cost_since(start - timedelta(seconds=1)) == Decimal("0.03")
    assert store.calls_since(start - timedelta(seconds=1), created_by="alice") == 2
    assert store.cost_since(utcnow() + timedelta(seconds=5)) == Decimal(0)


def test_purge_deletes_only_old_projects(store: Store) -> None:
    old = store.create_project(project_settings("Old"))
    store.create_project(project_settings("New"))
    with store.database.transaction() as session:
        session.execute(update(Project).where(Project.id == old.id).values(updated_at=utcnow() - timedelta(days=40)))
    assert [p.title for p in store.purge_older_than(30, dry_run=True)] == ["Old"]
    assert len(store.list_projects()) == 2
    assert [p.title for p in store.purge_older_than(30)] == ["Old"]
    assert [p.title for p in store.list_projects()] == ["New"]
