"""deploy/backup.sh as estimator-backup.service runs it: the environment of the unit and the .env file.

A backup that cannot be restored is no backup, so the restore of a backup taken
while the app serves is in test_deploy_apache.py; here: which copies are kept,
the retention purge (after the backup, so it can be undone), the refusals, and
the PostgreSQL path through pg_dump.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from estimator.db import Database
from estimator.models import Project
from estimator.store import Store
from tests.deploy_support import DEPLOY, Site, read_environment_file
from tests.factories import project_settings
from tests.unit_sandbox import parse_unit

pytestmark = pytest.mark.deploy


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def run_backup(site: Site, **overrides: str) -> subprocess.CompletedProcess[str]:
    """backup.sh with the backup unit's Environment= and the rendered env.example, plus `overrides`."""
    unit = parse_unit(site.render_file(DEPLOY / "estimator-backup.service", site.base / "backup.service").read_text())
    environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG": "C.UTF-8"}
    for value in unit["Environment"]:
        environment.update(item.split("=", 1) for item in value.split())
    environment.update(read_environment_file(site.render_file(DEPLOY / "env.example", site.base / "env")))
    environment.update({"PYTHON": sys.executable, **overrides})
    return subprocess.run(
        [str(DEPLOY / "backup.sh")], env=environment, cwd="/", capture_output=True, text=True, timeout=120
    )


def make_store(site: Site) -> Store:
    site.data_dir.mkdir(parents=True, exist_ok=True)
    return Store(Database.from_url(f"sqlite:///{site.data_dir / 'estimator.db'}"))


def titles(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT title FROM tasks")}


def test_keeps_the_newest_copies_and_leaves_other_files_alone(site: Site) -> None:
    make_store(site).create_project(project_settings("Kept"))
    site.backup_dir.mkdir()
    old = [site.backup_dir / f"estimator-2020010{n}T000000.db" for n in range(1, 6)]
    for path in old:
        path.write_text("old")
    others = [site.backup_dir / "pre-update-20200101T000000.db", site.backup_dir / "notes.txt"]
    for path in others:
        path.write_text("keep me")
    result = run_backup(site, BACKUP_KEEP="3")
    assert result.returncode == 0, result.stderr
    remaining = sorted(path.name for path in site.backup_dir.glob("estimator-*"))
    assert remaining[:2] == [old[3].name, old[4].name] and len(remaining) == 3
    assert titles(site.backup_dir / remaining[2]) == {"Kept"}
    assert all(path.exists() for path in others)


def test_retention_purges_old_projects_after_backing_them_up(site: Site) -> None:
    """DATA_RETENTION_DAYS arrives with its inline comment, as systemd's EnvironmentFile passes it."""
    store = make_store(site)
    stale = store.create_project(project_settings("Stale"))
    store.create_project(project_settings("Fresh"))
    with store.database.transaction() as session:
        session.get(Project, stale.id).updated_at = datetime.now(UTC) - timedelta(days=100)
    result = run_backup(site, DATA_RETENTION_DAYS="30  # a month")
    assert result.returncode == 0, result.stderr
    assert [p.title for p in store.list_projects()] == ["Fresh"]
    [backup] = site.backup_dir.glob("estimator-*.db")
    assert titles(backup) == {"Stale", "Fresh"}


@pytest.mark.parametrize("keep", ["0", "many", "-1"])
def test_refuses_a_meaningless_backup_keep(site: Site, keep: str) -> None:
    make_store(site)
    result = run_backup(site, BACKUP_KEEP=keep)
    assert result.returncode == 2
    assert f"BACKUP_KEEP={keep}" in result.stderr
    assert not site.backup_dir.exists()


def test_a_bad_setting_fails_with_the_apps_one_line(site: Site) -> None:
    make_store(site)
    result = run_backup(site, DATA_RETENTION_DAYS="soon")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "DATA_RETENTION_DAYS=soon" in result.stderr


def test_postgresql_is_dumped_with_pg_dump(site: Site, postgres_url: str) -> None:
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.fail("pg_dump/pg_restore missing although PostgreSQL is installed")
    store = Store(Database.from_url(postgres_url))
    store.create_project(project_settings("In PostgreSQL"))
    result = run_backup(site, DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stderr
    [dump] = site.backup_dir.glob("estimator-*.dump")
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True)
    assert "TABLE DATA public tasks" in listing.stdout
