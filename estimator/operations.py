"""Operator tasks on the database as a whole: its state, migrations, SQLite backup and
restore, and purging projects nobody touched for a while.

They sit below the walk (the workflow never needs them) and are what the command
line's check, init-db, backup, restore and purge commands call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from estimator.backup import backup_sqlite, restore_sqlite, sqlite_path
from estimator.config import Settings
from estimator.db import Database, is_sqlite, make_db_engine, migrate, migration_state, safe_url
from estimator.errors import InvalidInputError
from estimator.schemas import ProjectSummary
from estimator.store import Store


@dataclass(frozen=True)
class DatabaseState:
    """Where the database is (password hidden), the revision it is at and the newest one; `problem` if unreachable."""

    url: str
    current: str | None
    head: str | None
    problem: str | None = None

    @property
    def migrated(self) -> bool:
        return self.problem is None and (self.head is None or self.current == self.head)


def database_state(settings: Settings) -> DatabaseState:
    db_engine = make_db_engine(settings.database_url_effective)
    try:
        current, head = migration_state(db_engine)
    except Exception as error:  # any driver's connection error: reported as one line, never a traceback
        return DatabaseState(safe_url(db_engine), None, None, str(error).splitlines()[0])
    finally:
        db_engine.dispose()
    return DatabaseState(safe_url(db_engine), current, head)


def init_database(settings: Settings) -> DatabaseState:
    """Create or upgrade the schema to the newest migration."""
    db_engine = make_db_engine(settings.database_url_effective)
    try:
        migrate(db_engine)
        current, head = migration_state(db_engine)
        return DatabaseState(safe_url(db_engine), current, head)
    finally:
        db_engine.dispose()


def _sqlite_file(settings: Settings) -> Path:
    db_engine = make_db_engine(settings.database_url_effective)
    try:
        if not is_sqlite(db_engine):
            raise InvalidInputError("cli.backup.use_pg_dump")
        return sqlite_path(db_engine)
    finally:
        db_engine.dispose()


def backup_database(settings: Settings, output: Path) -> Path:
    """A consistent copy of the SQLite database at `output` (PostgreSQL has pg_dump)."""
    return backup_sqlite(_sqlite_file(settings), output)


def restore_database(settings: Settings, backup: Path) -> Path:
    """Replace the SQLite database with a checked `backup`; returns where the replaced one was kept."""
    return restore_sqlite(backup, _sqlite_file(settings))


def purge_projects(settings: Settings, older_than_days: int, *, dry_run: bool) -> list[ProjectSummary]:
    """Delete projects not updated for `older_than_days` days; what was (or would be) deleted."""
    if older_than_days < 0:
        raise InvalidInputError("errors.input.bad_days", value=older_than_days)
    store = Store(Database.from_url(settings.database_url_effective))
    try:
        return store.purge_older_than(older_than_days, dry_run=dry_run)
    finally:
        store.database.dispose()
