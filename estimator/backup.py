"""Backup and restore of the SQLite database with SQLite's online backup API.

A plain copy of a live WAL database can miss committed pages still in the
`-wal` file; the backup API copies a consistent snapshot while others write.
Restore checks the file first (SQLite, passes integrity_check, is an Estimator
database at a revision this code knows), brings a scratch copy of it up to the
newest migration and compares its columns with the models, and only then keeps
a copy of the current database and replaces it: a refused restore touches nothing.
"""

from __future__ import annotations

import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchTableError

from estimator.db import known_revisions, make_db_engine, migrate
from estimator.errors import DatabaseUnavailableError, InvalidInputError
from estimator.models import Base

SQLITE_HEADER = b"SQLite format 3\x00"
REQUIRED_TABLES = {"alembic_version", "tasks", "deliverables", "estimates", "estimate_lines"}


def sqlite_path(engine: Engine) -> Path:
    """The database file behind `engine`; other backends are backed up with their own tools."""
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise InvalidInputError("errors.backup.not_sqlite", backend=url.get_backend_name())
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> Path:
    """Write a consistent snapshot of `source` to `target` (replaced atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
    partial.replace(target)
    return target


def check_backup_file(path: Path) -> None:
    """Refuse anything that is not a sound Estimator database this code knows, before touching the live one."""
    if not path.is_file():
        raise InvalidInputError("errors.backup.missing_file", path=str(path))
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise InvalidInputError("errors.backup.not_a_database", path=str(path))
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as error:
        raise InvalidInputError("errors.backup.corrupt", path=str(path), reason=str(error)) from None
    if not result or result[0] != "ok":
        raise InvalidInputError("errors.backup.corrupt", path=str(path), reason=str(result[0] if result else ""))
    if not tables >= REQUIRED_TABLES:
        raise InvalidInputError("errors.backup.not_estimator", path=str(path))
    revision = _revision(path)
    known = known_revisions()
    if revision not in known:
        raise InvalidInputError(
            "errors.backup.unknown_revision", path=str(path), revision=revision or "—", newest=known[-1]
        )


def _revision(path: Path) -> str | None:
    """The one revision recorded in `alembic_version`; None when there is not exactly one."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        raise InvalidInputError(
            "errors.backup.wrong_columns", path=str(path), table="alembic_version", columns="version_num"
        ) from None
    return rows[0][0] if len(rows) == 1 else None


def _bring_up_to_date(candidate: Path, source: Path) -> None:
    """Migrate the scratch copy `candidate` of `source` to the newest revision and compare its columns with the models.

    A backup at an older revision is fine only if its migrations run on it and leave
    exactly the models' columns; doing that on a scratch copy means a migration that fails,
    or a table with other columns, is refused while the live database is still untouched.
    """
    engine = make_db_engine(f"sqlite:///{candidate}")
    try:
        migrate(engine)
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            try:
                columns = {column["name"] for column in inspector.get_columns(table.name)}
            except NoSuchTableError:
                columns = set()
            expected = {column.name for column in table.columns}
            if columns != expected:
                raise InvalidInputError(
                    "errors.backup.wrong_columns",
                    path=str(source),
                    table=table.name,
                    columns=", ".join(sorted(expected ^ columns)),
                )
    except DatabaseUnavailableError as error:
        raise InvalidInputError(
            "errors.backup.cannot_migrate", path=str(source), reason=error.values.get("reason", "")
        ) from None
    finally:
        engine.dispose()


def restore_sqlite(backup: Path, live: Path) -> Path:
    """Check `backup`, migrate and check a scratch copy, keep a copy of `live`, then replace it; returns the kept copy.

    The live database ends at the newest revision, so nothing needs migrating after a restore.
    """
    check_backup_file(backup)
    live.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{live.name}.restore-", dir=live.parent) as scratch:
        candidate = backup_sqlite(backup, Path(scratch) / live.name)
        _bring_up_to_date(candidate, backup)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = live.with_name(f"{live.name}.before-restore-{stamp}")
        if live.exists():
            backup_sqlite(live, kept)
        with closing(sqlite3.connect(candidate)) as src, closing(sqlite3.connect(live)) as dst:
            src.backup(dst)
    return kept
