"""Issue 15 part 2: `import-legacy` reads the legacy system's app.db (built here from its schema) read-only,
makes each task a project with its deliverables, Q&A, chat and its estimate as version 1 (origin imported),
recomputes every amount from person-days × unit cost and reports the lines where the legacy float differs,
is idempotent, and refuses a file that is not a legacy database with a clear message."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError
from estimator.i18n import t
from estimator.schemas import ImportOutcome, Phase, VersionOrigin
from estimator.store import version_lines
from estimator.workflow import Workflow, open_workflow
from tests.legacy_support import LegacyTask, english_task, japanese_task, legacy_db
from tests.support import run_cli

USER = "analyst"


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_a_japanese_and_an_english_task_become_projects_with_their_numbers_reconciled(
    flow: Workflow, tmp_path: Path
) -> None:
    ja, en = japanese_task(), english_task()
    app_db = legacy_db(tmp_path / "app.db", [ja, en])
    before = digest(app_db)

    report = flow.import_legacy(app_db, dry_run=False, user=USER)

    assert digest(app_db) == before, "the legacy file is never written"
    assert [(task.legacy_id, task.language, task.outcome) for task in report] == [
        (ja.id, "ja", ImportOutcome.IMPORTED),
        (en.id, "en", ImportOutcome.IMPORTED),
    ]
    japanese = flow.project(report[0].project_id or 0)
    assert japanese.title == t("legacy.title", "ja", name="legacy_sample_input")
    assert [d.name for d in japanese.deliverables] == ["要件定義書", "ログイン画面", "結合テスト"]
    assert [(qa.question, qa.answer) for qa in japanese.qa_pairs] == [
        ("対応ブラウザは？", "Chrome と Edge"),
        ("SSOは必要？", None),
    ]
    assert [m.role.value for m in flow.messages(japanese.id)] == ["user", "assistant", "assistant"]

    [version] = flow.versions(japanese.id)
    assert version.origin is VersionOrigin.IMPORTED and version.pricing.unit_cost == Decimal(40000)
    lines = {line.deliverable: line for line in version_lines(flow.store.get_version(japanese.id))}
    assert lines["ログイン画面"].person_days == Decimal("2.97")
    assert lines["要件定義書"].phases.get(Phase.REQUIREMENTS) == Decimal(5), "a 要件定義書 is requirements work"
    assert lines["結合テスト"].phases.get(Phase.INTEGRATION_TEST) == Decimal("4.25")
    assert (
        lines["ログイン画面"].phases.total == Decimal("2.97")
        and lines["ログイン画面"].phases.get(Phase.IMPLEMENTATION) > 0
    )
    assert version.subtotal == Decimal(200000 + 118800 + 170000)
    [difference] = report[0].differences
    assert (difference.line, difference.recomputed) == ("ログイン画面", Decimal(118800))
    assert difference.legacy == Decimal(repr(3.3 * 0.9 * 40000)), "the legacy float, reported as it was stored"


def test_importing_twice_adds_nothing(flow: Workflow, tmp_path: Path) -> None:
    app_db = legacy_db(tmp_path / "app.db", [japanese_task(), english_task()])
    flow.import_legacy(app_db, dry_run=False, user=USER)
    count = len(flow.list_projects())

    again = flow.import_legacy(app_db, dry_run=False, user=USER)

    assert [task.outcome for task in again] == [ImportOutcome.ALREADY, ImportOutcome.ALREADY]
    assert len(flow.list_projects()) == count


def test_a_dry_run_writes_nothing(flow: Workflow, tmp_path: Path) -> None:
    app_db = legacy_db(tmp_path / "app.db", [japanese_task()])
    report = flow.import_legacy(app_db, dry_run=True, user=USER)
    assert [task.outcome for task in report] == [ImportOutcome.PLANNED]
    assert report[0].lines == 3 and report[0].total == Decimal(537680)
    assert flow.list_projects() == []


def test_empty_tables_missing_estimates_and_bad_rows(flow: Workflow, tmp_path: Path) -> None:
    pending = LegacyTask(requirements="", status="pending", deliverables=[("Batch job", "nightly")])
    broken = LegacyTask(
        created_at="2025-06-02 09:30:00",
        deliverables=[("Screen", "")],
        estimates=[("Screen", "", 2.0, 80000.0, ""), ("", "", 1.0, 40000.0, ""), ("Huge", "", 900.0, 1.0, "")],
    )
    empty_db = legacy_db(tmp_path / "empty.db", [])
    assert flow.import_legacy(empty_db, dry_run=False, user=USER) == []

    report = flow.import_legacy(legacy_db(tmp_path / "app.db", [pending, broken]), dry_run=False, user=USER)
    assert report[0].lines == 0 and report[0].total is None
    assert flow.versions(report[0].project_id or 0) == [], "a task without an estimate imports without a version"
    assert report[1].lines == 1 and report[1].skipped_lines == ("?", "Huge")


@pytest.mark.parametrize("kind", ["not_sqlite", "other_sqlite", "missing_column"])
def test_a_file_that_is_not_a_legacy_database_is_refused_clearly(flow: Workflow, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "app.db"
    if kind == "not_sqlite":
        path.write_text("成果物名称,説明\n", encoding="utf-8")
    else:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE tasks (id TEXT)" if kind == "missing_column" else "CREATE TABLE t (x)")
    with pytest.raises(InvalidInputError) as refused:
        flow.import_legacy(path, dry_run=False, user=USER)
    message = t(refused.value.key, "ja", **refused.value.values)
    assert str(path) in message and "{" not in message
    assert flow.list_projects() == []


def test_the_command_line_imports_reports_and_refuses_without_a_traceback(
    isolated_settings: Path, tmp_path: Path
) -> None:
    app_db = legacy_db(tmp_path / "app.db", [japanese_task()])
    dry = run_cli("import-legacy", str(app_db), "--dry-run")
    assert dry.returncode == 0 and "legacy_sample_input" in dry.stdout

    result = run_cli("import-legacy", str(app_db), "--json")
    assert result.returncode == 0, result.stderr
    [task] = json.loads(result.stdout)
    assert task["outcome"] == "imported" and task["differences"][0]["line"] == "ログイン画面"
    assert json.loads(run_cli("import-legacy", str(app_db), "--json").stdout)[0]["outcome"] == "already"

    bad = run_cli("import-legacy", str(tmp_path / "nothing.db"))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr + bad.stdout
