"""A project's life: 見積中 → 提出済 → 受注 → 完了, or 失注 / 取下げ; who moved it, when, and which version was sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from estimator.__main__ import main
from estimator.config import load_settings
from estimator.db import Database, migrate
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError, NotFoundError, StaleWriteError
from estimator.i18n import t
from estimator.schemas import STATUS_TRANSITIONS, Deliverable, ProjectStatus
from estimator.store import Store
from estimator.workflow import Workflow
from tests.factories import project_settings
from tests.schema_support import downgrade

USER = "analyst"
ITEMS = [Deliverable(name="受注画面", description="受注の登録・一覧の2画面"), Deliverable(name="結合テスト")]


@pytest.fixture
def flow(database: Database) -> Iterator[Workflow]:
    yield Workflow(Store(database), OfflineEngine(), load_settings())


def estimated(flow: Workflow, title: str = "状態テスト", versions: int = 1) -> int:
    project = flow.create_project(project_settings(title), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    for _ in range(versions):
        flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return project.id


def move(flow: Workflow, project_id: int, status: str, version: int | None = None, who: str = USER):  # type: ignore[no-untyped-def]
    return flow.set_status(
        project_id, status, version=version, user=who, expected_row_version=flow.project(project_id).row_version
    )


def test_a_new_project_is_estimating_with_no_baseline(flow: Workflow) -> None:
    project = flow.project(estimated(flow))
    assert (project.status, project.submitted_version) == (ProjectStatus.ESTIMATING, None)
    assert flow.status_changes(project.id) == []


def test_the_whole_life_is_recorded_with_who_when_and_the_version_sent(flow: Workflow) -> None:
    project_id = estimated(flow, versions=3)
    move(flow, project_id, "submitted", version=2, who="sato")
    move(flow, project_id, "won", who="suzuki")
    done = move(flow, project_id, "done")
    assert (done.status, done.submitted_version) == (ProjectStatus.DONE, 2), "the baseline is the version sent"
    changes = flow.status_changes(project_id)
    assert [(c.status, c.version, c.changed_by) for c in changes] == [
        (ProjectStatus.SUBMITTED, 2, "sato"),
        (ProjectStatus.WON, None, "suzuki"),
        (ProjectStatus.DONE, None, USER),
    ]
    assert changes[0].changed_at <= changes[1].changed_at <= changes[2].changed_at


def test_a_submission_without_a_version_sends_the_newest(flow: Workflow) -> None:
    project_id = estimated(flow, versions=2)
    assert move(flow, project_id, "submitted").submitted_version == 2


def test_a_revised_quote_goes_back_to_estimating_and_is_submitted_again(flow: Workflow) -> None:
    project_id = estimated(flow)
    move(flow, project_id, "submitted")
    move(flow, project_id, "estimating")
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    assert move(flow, project_id, "submitted").submitted_version == 2


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "won"),
        ([], "done"),
        ([], "lost"),
        (["submitted"], "done"),
        (["submitted", "won", "done"], "estimating"),
        (["submitted", "lost"], "won"),
        (["withdrawn"], "submitted"),
    ],
)
def test_a_move_the_status_does_not_allow_is_refused_naming_the_allowed_ones(
    flow: Workflow, path: list[str], refused: str
) -> None:
    project_id = estimated(flow)
    for status in path:
        move(flow, project_id, status)
    before = flow.project(project_id)
    with pytest.raises(InvalidInputError) as raised:
        move(flow, project_id, refused)
    assert raised.value.key == "errors.status.not_allowed"
    allowed = STATUS_TRANSITIONS[before.status]
    assert raised.value.values["allowed"] == (", ".join(sorted(s.value for s in allowed)) or "—")
    assert flow.project(project_id).status is before.status, "nothing moved"
    assert len(flow.status_changes(project_id)) == len(path)


def test_every_status_can_be_reached_and_done_is_final() -> None:
    reachable = {ProjectStatus.ESTIMATING}
    frontier = [ProjectStatus.ESTIMATING]
    while frontier:
        for target in STATUS_TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ProjectStatus)
    assert STATUS_TRANSITIONS[ProjectStatus.DONE] == frozenset()


def test_submitting_needs_an_estimate_and_a_version_that_exists(flow: Workflow) -> None:
    draft = flow.create_project(project_settings("見積り前"), user=USER)
    with pytest.raises(InvalidInputError) as raised:
        move(flow, draft.id, "submitted")
    assert raised.value.key == "errors.status.no_version"
    project_id = estimated(flow)
    with pytest.raises(NotFoundError):
        move(flow, project_id, "submitted", version=9)
    with pytest.raises(InvalidInputError) as versioned:
        move(flow, project_id, "withdrawn", version=1)
    assert versioned.value.key == "errors.status.version_only_on_submit"


def test_an_unknown_status_is_refused_listing_the_statuses(flow: Workflow) -> None:
    with pytest.raises(InvalidInputError) as raised:
        move(flow, estimated(flow), "archived")
    assert raised.value.key == "errors.status.unknown"
    assert "withdrawn" in raised.value.values["statuses"]
    assert "archived" in t(raised.value.key, "ja", **raised.value.values)


def test_a_status_move_is_a_project_write_refused_when_stale(flow: Workflow) -> None:
    project_id = estimated(flow)
    stale = flow.project(project_id).row_version
    move(flow, project_id, "submitted")
    with pytest.raises(StaleWriteError):
        flow.set_status(project_id, "won", user=USER, expected_row_version=stale)
    assert flow.project(project_id).status is ProjectStatus.SUBMITTED


def test_the_list_shows_and_filters_by_status(flow: Workflow) -> None:
    first, second, third = (estimated(flow, title) for title in ("一", "二", "三"))
    move(flow, second, "submitted")
    move(flow, third, "withdrawn")
    statuses = {summary.id: summary.status for summary in flow.list_projects()}
    assert statuses == {
        first: ProjectStatus.ESTIMATING,
        second: ProjectStatus.SUBMITTED,
        third: ProjectStatus.WITHDRAWN,
    }
    assert [summary.id for summary in flow.list_projects(status="submitted")] == [second]
    assert [summary.id for summary in flow.list_projects("二", status="estimating")] == []


def test_a_duplicate_starts_its_own_life(flow: Workflow) -> None:
    project_id = estimated(flow)
    move(flow, project_id, "submitted")
    copy = flow.duplicate_project(project_id, title="複製", user=USER)
    assert (copy.status, copy.submitted_version) == (ProjectStatus.ESTIMATING, None)
    assert flow.status_changes(copy.id) == []


def test_0004_downgrade_drops_the_status_and_the_upgrade_starts_every_project_estimating(flow: Workflow) -> None:
    project_id = estimated(flow)
    move(flow, project_id, "submitted")
    database = flow.store.database
    downgrade(database, "0003")
    assert "status" not in {column["name"] for column in inspect(database.engine).get_columns("tasks")}
    assert "project_status_changes" not in inspect(database.engine).get_table_names()
    migrate(database.engine)
    project = flow.project(project_id)
    assert (project.status, project.submitted_version) == (ProjectStatus.ESTIMATING, None)
    assert len(project.deliverables) == len(ITEMS)


def test_the_command_line_moves_a_project_and_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    sample = Path(__file__).parent / "data" / "legacy_sample_input.csv"
    assert main(["estimate", str(sample), "--lang", "ja", "--title", "CLI状態"]) == 0
    capsys.readouterr()
    assert main(["status", "1", "won", "--lang", "ja"]) == 1
    assert "変更できる状態: submitted, withdrawn" in capsys.readouterr().err
    assert main(["status", "1", "submitted", "--lang", "en"]) == 0
    assert "Estimating → Submitted (submitted version v1)" in capsys.readouterr().out
    assert main(["status", "1", "won", "--lang", "ja"]) == 0
    assert "提出済 → 受注" in capsys.readouterr().out
    assert main(["list", "--status", "won", "--json"]) == 0
    listed = capsys.readouterr().out
    assert '"status": "won"' in listed and "CLI状態" in listed
    assert main(["list", "--status", "lost", "--lang", "en"]) == 0
    assert t("cli.list.empty", "en") in capsys.readouterr().out
