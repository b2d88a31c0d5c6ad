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
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("legacy_id", sa.String(36), nullable=True))
        batch.create_unique_constraint("uq_tasks_legacy_id", ["legacy_id"])


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_constraint("uq_tasks_legacy_id", type_="unique")
        batch.drop_column("legacy_id")
