"""Backup under load and restore that refuses junk, through the command line."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from estimator import db
from estimator.backup import backup_sqlite, restore_sqlite
from estimator.db import SCHEMA_REVISION, Database, current_revision
from estimator.errors import InvalidInputError
from estimator.i18n import LANGUAGES
from estimator.models import QuoteCounter
from estimator.store import Store
from tests.factories import project_settings
from tests.schema_support import add_issued_project, database_at
from tests.support import run_cli

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys, time
from estimator.db import Database
from estimator.schemas import ProjectSettings
from estimator.store import Store
from decimal import Decimal
store = Store(Database.from_url(sys.argv[1]))
n = 0
print("ready", flush=True)
deadline = time.time() + 60
while time.time() < deadline:
    store.create_project(ProjectSettings(f"w{n}", "", "ja", "JPY", Decimal(40000), Decimal(10), "floor"))
    n += 1
"""


def count_projects(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM tasks").fetchone()[0]


def test_backup_while_another_process_writes_restores_everything_committed_before(
    isolated_settings: Path, tmp_path: Path
) -> None:
    live = isolated_settings / "estimator.db"
    url = f"sqlite:///{live}"
    Database.from_url(url).dispose()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        while count_projects(live) < 30:
            time.sleep(0.05)
        committed_before = count_projects(live)
        result = run_cli("backup", "-o", str(tmp_path / "backup.db"))
        assert result.returncode == 0, result.stderr
        time.sleep(0.3)
        assert count_projects(live) > committed_before, "the writer kept writing during the backup"
    finally:
        writer.kill()
        writer.wait()
    backup = tmp_path / "backup.db"
    with sqlite3.connect(backup) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        titles = {row[0] for row in connection.execute("SELECT title FROM tasks")}
    assert {f"w{n}" for n in range(committed_before)} <= titles


def test_restore_round_trip_keeps_a_copy_of_the_current_database(isolated_settings: Path, tmp_path: Path) -> None:
    store = Store(Database.from_url(f"sqlite:///{isolated_settings / 'estimator.db'}"))
    store.create_project(project_settings("Before backup"))
    assert run_cli("backup", "-o", str(tmp_path / "b.db")).returncode == 0
    store.create_project(project_settings("After backup"))
    result = run_cli("restore", str(tmp_path / "b.db"))
    assert result.returncode == 0, result.stderr
    assert [p.title for p in store.list_projects()] == ["Before backup"]
    kept = list(isolated_settings.glob("estimator.db.before-restore-*"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as connection:
        assert {r[0] for r in connection.execute("SELECT title FROM tasks")} == {"Before backup", "After backup"}


def _corrupt(path: Path) -> Path:
    Database.from_url(f"sqlite:///{path}").dispose()
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    return path


def _foreign(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def _junk(path: Path) -> Path:
    path.write_bytes(b"this is not a database at all" * 100)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_corrupt, "is damaged"),
        (_foreign, "is not an Estimator database"),
        (_junk, "is not a SQLite database"),
    ],
)
def test_restore_refuses_bad_files_and_leaves_the_database_untouched(
    isolated_settings: Path, tmp_path: Path, make, message: str
) -> None:
    store = Store(Database.from_url(f"sqlite:///{isolated_settings / 'estimator.db'}"))
    store.create_project(project_settings("Precious"))
    bad = make(tmp_path / "bad.db")
    result = run_cli("--lang", "en", "restore", str(bad))
    assert result.returncode == 1
    assert message in result.stderr and "unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert [p.title for p in store.list_projects()] == ["Precious"]
    assert not list(isolated_settings.glob("estimator.db.before-restore-*"))


def test_backup_api_snapshot_is_a_valid_database(tmp_path: Path) -> None:
    source = tmp_path / "s.db"
    Store(Database.from_url(f"sqlite:///{source}")).create_project(project_settings("X"))
    target = backup_sqlite(source, tmp_path / "nested" / "t.db")
    assert count_projects(target) == 1
    assert not (tmp_path / "nested" / "t.db.partial").exists()


def database_with(path: Path, *titles: str) -> Path:
    """A migrated database holding one project per title, closed (so its WAL is in the main file)."""
    database = Database.from_url(f"sqlite:///{path}")
    store = Store(database)
    for title in titles:
        store.create_project(project_settings(title))
    database.dispose()
    return path


def titles(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("SELECT title FROM tasks ORDER BY id")]


def _changed(script: str) -> Callable[[Path], Path]:
    """A sound backup, then `script` run on it."""

    def make(path: Path) -> Path:
        database_with(path, "In the backup")
        with closing(sqlite3.connect(path)) as connection:
            connection.executescript(script)
        return path

    return make


def _truncated(path: Path) -> Path:
    database_with(path, "In the backup")
    path.write_bytes(path.read_bytes()[:3000])
    return path


RESTORE_REFUSALS = {
    "truncated": _truncated,
    "junk": _junk,
    "foreign": _foreign,
    "corrupt": _corrupt,
    "newer revision": _changed("UPDATE alembic_version SET version_num = '0099';"),
    "other columns": _changed("DROP TABLE messages; CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT);"),
    "no version_num": _changed("DROP TABLE alembic_version; CREATE TABLE alembic_version (x TEXT);"),
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", RESTORE_REFUSALS)
def test_every_restore_refusal_is_one_formatted_line_and_the_live_database_is_byte_identical(
    isolated_settings: Path, tmp_path: Path, case: str, lang: str
) -> None:
    """Each message names the file with every placeholder filled, in either language; nothing was touched."""
    live = database_with(isolated_settings / "estimator.db", "Precious")
    before = live.read_bytes()
    bad = RESTORE_REFUSALS[case](tmp_path / "bad.db")
    result = run_cli("restore", str(bad), env={"LANGUAGE": lang})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [message] = result.stderr.strip().splitlines()
    assert re.search(r"\{\w*\}", message) is None, message
    assert str(bad) in message
    assert live.read_bytes() == before
    assert sorted(p.name for p in isolated_settings.iterdir()) == ["estimator.db"]
    listed = run_cli("list", env={"LANGUAGE": lang})
    assert listed.returncode == 0 and "Precious" in listed.stdout


NEXT_REVISION = f"{int(SCHEMA_REVISION) + 1:04d}"
"""The revision of a later release than this code: one past the newest migration."""
MIGRATION_LATER = """\"\"\"A later migration that changes nothing: the newest revision of the code under test.\"\"\"

revision = QNEXTQ
down_revision = QCURRENTQ
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
"""


def newer_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quote: str) -> None:
    """This code as a later release: one more migration (`NEXT_REVISION`) added to a copy of the migrations folder.

    `quote` is how the file spells its revision: `alembic revision` writes '0005' (its template
    uses repr), the repository's own migrations are written "0001".
    """
    folder = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    text = MIGRATION_LATER.replace("NEXT", NEXT_REVISION).replace("CURRENT", SCHEMA_REVISION).replace("Q", quote)
    (folder / "versions" / f"{NEXT_REVISION}_later.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", folder)


def test_a_backup_at_a_revision_spelt_as_alembic_writes_it_is_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newer_code(tmp_path, monkeypatch, quote="'")
    backup = database_with(tmp_path / "backup.db", "From the later release")
    assert current_revision(Database.from_url(f"sqlite:///{backup}", upgrade=False).engine) == NEXT_REVISION
    live = database_with(tmp_path / "live.db", "Before")
    restore_sqlite(backup, live)
    assert titles(live) == ["From the later release"]


def test_a_backup_at_an_older_revision_is_migrated_up_as_it_is_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = database_with(tmp_path / "backup.db", "From this release")
    newer_code(tmp_path, monkeypatch, quote='"')
    live = database_with(tmp_path / "live.db", "Before")
    restore_sqlite(backup, live)
    assert titles(live) == ["From this release"]
    assert current_revision(Database.from_url(f"sqlite:///{live}", upgrade=False).engine) == NEXT_REVISION
    assert current_revision(Database.from_url(f"sqlite:///{backup}", upgrade=False).engine) == SCHEMA_REVISION


def test_a_backup_from_revision_0001_is_restored_at_the_newest_and_its_quote_numbers_continue(
    tmp_path: Path,
) -> None:
    """A backup an 0001 release took: restoring it runs the real migrations, counter seeding included."""
    backup = database_at(f"sqlite:///{tmp_path / 'backup.db'}", "0001")
    add_issued_project(backup, "Q-2026-0001", "From 0001")
    add_issued_project(backup, "Q-2026-0002", "Also from 0001")
    backup.dispose()
    live = database_with(tmp_path / "live.db", "Before")
    restore_sqlite(tmp_path / "backup.db", live)
    assert titles(live) == ["From 0001", "Also from 0001"]
    restored = Database.from_url(f"sqlite:///{live}", upgrade=False)
    assert current_revision(restored.engine) == SCHEMA_REVISION
    assert current_revision(Database.from_url(f"sqlite:///{tmp_path / 'backup.db'}", upgrade=False).engine) == "0001"
    with restored.transaction() as session:
        assert session.get(QuoteCounter, 2026).last_number == 2


def test_a_backup_at_an_older_revision_with_other_columns_is_refused_before_touching_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _changed("DROP TABLE messages; CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT);")(
        tmp_path / "backup.db"
    )
    newer_code(tmp_path, monkeypatch, quote='"')
    live = database_with(tmp_path / "live.db", "Precious")
    before = live.read_bytes()
    with pytest.raises(InvalidInputError) as refused:
        restore_sqlite(backup, live)
    assert refused.value.key == "errors.backup.wrong_columns"
    assert refused.value.values["table"] == "messages"
    assert live.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "live" in p.name) == ["live.db"]
