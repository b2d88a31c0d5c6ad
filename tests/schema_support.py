"""Databases as an earlier release left them: migrated only up to an older revision, with its rows."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy import insert

from estimator import db
from estimator.db import Database
from estimator.models import Project
from tests.factories import project_settings


def _alembic(database: Database, step: Callable[[Config, str], None], revision: str) -> None:
    """`alembic upgrade|downgrade REVISION` on the database, on one connection as `db.migrate` runs it."""
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    with database.engine.connect() as connection, db.foreign_keys_off(connection), connection.begin():
        config.attributes["connection"] = connection
        step(config, revision)


def database_at(url: str, revision: str) -> Database:
    """The database at `url` migrated up to `revision` and no further, as the release it was newest in left it."""
    database = Database.from_url(url, upgrade=False)
    _alembic(database, command.upgrade, revision)
    return database


def downgrade(database: Database, revision: str) -> None:
    _alembic(database, command.downgrade, revision)


def add_issued_project(database: Database, quote_number: str, title: str = "Issued before") -> int:
    """A project row holding `quote_number`, written directly: an older release issued it, not this code's counter.

    A Core insert naming only the columns 0001 has: the ORM would also name the columns later
    revisions added (`project_type`, 0003; `status` has only a server default, 0004), which a database at an
    older revision lacks.
    """
    settings = project_settings(title)
    row = {
        "title": settings.title,
        "client": settings.client,
        "language": settings.language,
        "currency": settings.currency,
        "unit_cost": settings.unit_cost,
        "tax_rate": settings.tax_rate,
        "rounding": settings.rounding,
        "quote_number": quote_number,
    }
    with database.transaction() as session:
        result = session.execute(insert(Project.__table__).values(row))
        return int(result.inserted_primary_key[0])
