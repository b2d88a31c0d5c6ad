"""Database engine, sessions and migrations.

SQLite (the default) gets WAL so readers never block the writer, foreign keys
on, and a busy timeout so two processes wait for each other instead of failing.
The schema is created and upgraded by Alembic only (`migrate`), which the app
and the CLI call at start. Alembic is imported only when a migration must run:
a database already at `SCHEMA_REVISION` is recognised with one query, which keeps
about 11 MB of Alembic out of every app process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from estimator.config import hide_password, normalise_url
from estimator.errors import DatabaseUnavailableError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest migration's revision; tests/test_migrations.py keeps it equal to Alembic's head.
SCHEMA_REVISION = "0008"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_db_engine(url: str) -> Engine:
    """An engine for `url`, creating the folder of a SQLite file when missing.

    Every way the URL cannot give an engine (bad form, unknown database kind, driver not
    installed, a folder that cannot be made) is one DatabaseUnavailableError, never a traceback.
    """
    try:
        return _engine(normalise_url(url))
    except (ArgumentError, ValueError, ImportError) as error:
        raise DatabaseUnavailableError("errors.database.bad_url", reason=_first_line(error)) from None
    except OSError as error:
        raise _unavailable(make_url(normalise_url(url)), error) from None


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def safe_url(engine: Engine) -> str:
    """The engine's URL as `hide_password` shows every URL, for `check`, logs and errors."""
    return _shown(engine.url)


def _shown(url: URL) -> str:
    return hide_password(url.render_as_string(hide_password=False))


def _first_line(error: BaseException) -> str:
    """The driver's own first line (psycopg's, sqlite3's) rather than SQLAlchemy's wrapper and its link."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _unavailable(url: URL, error: BaseException) -> DatabaseUnavailableError:
    return DatabaseUnavailableError("errors.database.unreachable", url=_shown(url), reason=_first_line(error))


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def known_revisions() -> list[str]:
    """The revisions of the migrations folder, oldest first, as Alembic itself reads them (imports Alembic)."""
    from alembic.script import ScriptDirectory

    return [script.revision for script in reversed(list(ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()))]


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration.

    A database that cannot be reached, or that a newer Estimator migrated past what this code
    knows, is a DatabaseUnavailableError with one line: Alembic would only say, after a
    traceback, that it cannot locate the revision.
    """
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    config = _alembic_config(engine)
    try:
        with engine.connect() as connection, foreign_keys_off(connection), connection.begin():
            current = MigrationContext.configure(connection).get_current_revision()
            known = known_revisions()
            if current is not None and current not in known:
                raise DatabaseUnavailableError(
                    "errors.database.newer_revision", url=safe_url(engine), revision=current, newest=known[-1]
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _check_foreign_keys(connection)
    except DBAPIError as error:
        raise _unavailable(engine.url, error) from None


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while migrating, on again after.

    A migration that rebuilds a SQLite table (copy, drop, rename) would otherwise cascade the
    drop to every child row. The pragma only takes effect outside a transaction, so it is set
    and committed before the migration's transaction begins.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse (and roll back) a SQLite migration that left a child row without its parent."""
    if connection.dialect.name == "sqlite" and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
        raise DatabaseUnavailableError(
            "errors.database.unreachable", url=_shown(connection.engine.url), reason="PRAGMA foreign_key_check failed"
        )


def migration_state(engine: Engine) -> tuple[str | None, str | None]:
    """(revision the database is at, newest revision the code knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, None when it has no schema yet (one query, no Alembic)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    except DBAPIError:
        return None


def ensure_schema(engine: Engine) -> None:
    """Migrate unless the database is already at the code's revision."""
    if current_revision(engine) != SCHEMA_REVISION:
        migrate(engine)


class Database:
    """One engine and its session factory; the store opens a transaction per operation."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, upgrade: bool = True) -> Database:
        """The database at `url`, migrated; DatabaseUnavailableError (password hidden) when it cannot be opened."""
        database = cls(make_db_engine(url))
        if upgrade:
            try:
                ensure_schema(database.engine)
            except DatabaseUnavailableError:
                database.dispose()
                raise
        return database

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
