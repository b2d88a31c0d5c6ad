"""Projects imported from the legacy system remember its task id.

`tasks.legacy_id` is the legacy `tasks.id` (a UUID) a project was imported from, NULL for every
project made here; unique, so `import-legacy` run twice finds what it already imported.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:50:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A column and a unique index, not a batch table rebuild: rebuilding `tasks` on SQLite would drop its
    # AUTOINCREMENT, and a deleted project's id could then be handed to the next one.
    op.add_column("tasks", sa.Column("legacy_id", sa.String(36), nullable=True))
    op.create_index("ix_tasks_legacy_id", "tasks", ["legacy_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_tasks_legacy_id", table_name="tasks")
    op.drop_column("tasks", "legacy_id")
