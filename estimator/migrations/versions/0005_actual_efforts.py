"""Actual efforts: the person-days a project really took, per line and optionally per phase.

`actual_efforts` holds one row per line (or line and phase) of a project in 受注 or 完了,
in hundredths of a person-day as every figure (BigInteger, 0001). `deliverable` names a line
of the project's baseline version, or, with `change_request`, a line added during delivery.
The set is replaced as a whole when the analyst saves or imports it, like the deliverables;
it goes with its project (ON DELETE CASCADE).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 02:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actual_efforts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("deliverable", sa.String(length=200), nullable=False),
        sa.Column("phase", sa.String(length=30), nullable=True),
        sa.Column("person_days", sa.BigInteger(), nullable=False),
        sa.Column("change_request", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actual_efforts_task_id", "actual_efforts", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_actual_efforts_task_id", table_name="actual_efforts")
    op.drop_table("actual_efforts")
