"""Migrations: the code's schema revision matches Alembic's head, and the models match the schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from estimator.db import SCHEMA_REVISION, Database, current_revision, migration_state
from estimator.models import Base


def test_schema_revision_is_the_newest_migration(database: Database) -> None:
    assert migration_state(database.engine) == (SCHEMA_REVISION, SCHEMA_REVISION)
    assert current_revision(database.engine) == SCHEMA_REVISION


def test_models_and_migrations_describe_the_same_schema(database: Database) -> None:
    """A model change without its migration shows here as a difference."""
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_database_without_schema_reports_no_revision(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}", upgrade=False)
    assert current_revision(database.engine) is None
    database.dispose()
