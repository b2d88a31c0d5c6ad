"""Migrations: the code's schema revision matches Alembic's head, and the models match the schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from estimator.db import SCHEMA_REVISION, Database, current_revision, migrate, migration_state
from estimator.models import Base, EstimateLineRow
from estimator.store import Store
from tests.factories import JPY, line, project_settings
from tests.schema_support import downgrade


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


def test_0002_downgrades_to_0001_and_up_again_keeping_every_row(database: Database) -> None:
    """The downgrade drops only what 0002 added. On SQLite `estimates` is rebuilt (copied and dropped) with
    foreign keys off: dropping it with them on would cascade to its lines."""
    store = Store(database)
    project = store.create_project(project_settings())
    lines = [line("画面", "10"), line("API", "5")]
    store.append_version(
        project.id,
        lines=lines,
        pricing=JPY,
        origin="generated",
        engine="offline",
        base_number=None,
        inputs_digest="a" * 64,
    )
    downgrade(database, "0001")
    assert current_revision(database.engine) == "0001"
    assert "quote_counters" not in inspect(database.engine).get_table_names()
    assert "inputs_digest" not in {column["name"] for column in inspect(database.engine).get_columns("estimates")}
    with database.transaction() as session:
        assert session.execute(select(func.count()).select_from(EstimateLineRow)).scalar_one() == 2
    migrate(database.engine)
    assert current_revision(database.engine) == SCHEMA_REVISION
    version = store.get_version(project.id)
    assert version.inputs_digest is None and len(version.lines) == 2
    assert store.create_project(project_settings()).quote_number.endswith("-0002")
