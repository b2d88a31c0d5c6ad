"""Calibration: the factors learned from actuals that a version was generated with.

`estimates.calibration` holds the factor set a generated version used (and a derived one
inherited), with its evidence, as JSON; NULL for versions stored before calibration existed,
read as "none". `estimate_lines.calibration` is the factor each line was multiplied by, in
hundredths like every figure (100 = ×1.00). `tasks.calibration` is the analyst's switch for
the project (on by default).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 04:10:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("estimates", sa.Column("calibration", sa.JSON(), nullable=True))
    op.add_column("estimate_lines", sa.Column("calibration", sa.BigInteger(), nullable=False, server_default="100"))
    op.add_column("tasks", sa.Column("calibration", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    op.drop_column("tasks", "calibration")
    op.drop_column("estimate_lines", "calibration")
    op.drop_column("estimates", "calibration")
