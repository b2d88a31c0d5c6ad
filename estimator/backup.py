"""Backup and restore of the SQLite database with SQLite's online backup API.

A plain copy of a live WAL database can miss committed pages still in the
`-wal` file; the backup API copies a consistent snapshot while others write.
Restore checks the file first (SQLite, passes integrity_check, is an Estimator
database) and keeps a copy of the current database before replacing it.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from estimator.db import MIGRATIONS_DIR
from estimator.errors import InvalidInputError
from estimator.models import Base

SQLITE_HEADER = b"SQLite format 3\x00"


def _migration_files() -> list[Path]:
    return sorted((MIGRATIONS_DIR / "versions").glob("*.py"))


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
    """Refuse anything that is not a sound Estimator database, before touching the live one."""
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
    _check_schema(path)


def known_revisions() -> list[str]:
    """The revisions this code knows, oldest first (from the migration files; numbered 0001, 0002 …)."""
    found = [re.search(r'^revision = "([^"]+)"', p.read_text(encoding="utf-8"), re.M) for p in _migration_files()]
    return sorted(match.group(1) for match in found if match)


def _check_schema(path: Path) -> None:
    """Refuse a backup this code cannot run on: a newer or unknown revision, or tables whose columns differ.

    A backup at an older known revision is fine (it is migrated on the next start); at the
    newest one its tables must have exactly the columns the models name.
    """
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        revision = rows[0][0] if len(rows) == 1 else None
        known = known_revisions()
        if revision not in known:
            raise InvalidInputError(
                "errors.backup.unknown_revision", path=str(path), revision=revision or "—", newest=known[-1]
            )
        if revision != known[-1]:
            return
        for table in Base.metadata.sorted_tables:
            columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{table.name}")')}
            expected = {column.name for column in table.columns}
            if columns != expected:
                difference = sorted(expected ^ columns)
                raise InvalidInputError(
                    "errors.backup.wrong_columns", path=str(path), table=table.name, columns=", ".join(difference)
                )


def restore_sqlite(backup: Path, live: Path) -> Path:
    """Check `backup`, keep a copy of `live`, then copy the backup into it; returns the kept copy."""
    check_backup_file(backup)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    if live.exists():
        backup_sqlite(live, kept)
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as src, closing(sqlite3.connect(live)) as dst:
        src.backup(dst)
    return kept
