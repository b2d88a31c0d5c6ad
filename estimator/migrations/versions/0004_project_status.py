"""Project status: where a project is in its life, the version submitted to the client, and every move.

`tasks.status` is a `ProjectStatus` value (見積中 `estimating` → 提出済 `submitted` → 受注 `won` →
完了 `done`, or 失注 `lost` / 取下げ `withdrawn`); every existing project starts as `estimating`
through the column's server default, so no row is rewritten. `tasks.submitted_version` is the
version submitted to the client, the baseline actuals are compared against; None until a
submission. Plain ADD / DROP COLUMNs: no rebuild of `tasks` on SQLite.

`project_status_changes` appends one row per move (status, version, who, when), never updated;
it goes with its project (ON DELETE CASCADE), like the chat.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 02:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("status", sa.String(length=20), nullable=False, server_default="estimating"))
    op.add_column("tasks", sa.Column("submitted_version", sa.Integer(), nullable=True))
    op.create_table(
        "project_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_project_status_changes_task_id", "project_status_changes", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_project_status_changes_task_id", table_name="project_status_changes")
    op.drop_table("project_status_changes")
    op.drop_column("tasks", "submitted_version")
    op.drop_column("tasks", "status")
