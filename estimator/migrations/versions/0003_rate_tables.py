"""Rate tables: the productivity tables and phase ratios as versioned data, the version each estimate used,
and the project type an analyst chose.

`rate_tables` holds one row per version (never updated, never deleted); `unit_rates` the
build-side person-days and range of each project type × kind × grade, and `phase_ratios`
the percent per phase of each project type, both keyed by version. Person-days and
percents are BigInteger counts of hundredths, as everywhere (0001).

Nothing is seeded here: the store writes the shipped defaults (`estimator.sizing.rates.
DEFAULT_RATES`) as version 1 the first time a table is asked for. A migration importing
them would change what it writes whenever the defaults change, so an old migration would
no longer say what it did; the store's first use writes the defaults of the release that
runs it, in one transaction, and the primary key lets only one concurrent writer take
version 1. `version` is numbered by the store, not by a sequence (see the model).

`estimates.rates_version` is the version an estimate was sized with; rows from before this
migration keep None (unknown). It has no foreign key: versions are never deleted, and on
SQLite adding one would rebuild `estimates`. A plain ADD / DROP COLUMN needs no rebuild
(SQLite drops a column natively since 3.35), so PostgreSQL never copies `estimates`.

`tasks.project_type` is the project type the analyst chose (a `ProjectType` value) for the
sizing to use; None, as every existing project gets, means the engine detects it from the
list. A plain nullable ADD / DROP COLUMN as well: no rebuild of `tasks`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_tables",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "unit_rates",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("project_type", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("days", sa.BigInteger(), nullable=False),
        sa.Column("optimistic", sa.BigInteger(), nullable=False),
        sa.Column("pessimistic", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["version"], ["rate_tables.version"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version", "project_type", "kind", "grade"),
    )
    op.create_table(
        "phase_ratios",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("project_type", sa.String(length=30), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("percent", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["version"], ["rate_tables.version"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version", "project_type", "phase"),
    )
    op.add_column("estimates", sa.Column("rates_version", sa.Integer(), nullable=True))
    op.add_column("tasks", sa.Column("project_type", sa.String(length=30), nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "project_type")
    op.drop_column("estimates", "rates_version")
    op.drop_table("phase_ratios")
    op.drop_table("unit_rates")
    op.drop_table("rate_tables")
