"""Backup under load and restore that refuses junk, through the command line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from estimator.backup import backup_sqlite
from estimator.db import Database
from estimator.store import Store
from tests.factories import project_settings
from tests.support import run_cli

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys, time
from estimator.db import Database
from estimator.store import Store, ProjectSettings
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
