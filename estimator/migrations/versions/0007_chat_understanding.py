"""Chat that states what it understood and asks when unsure.

`proposals.understood` is the request as it was read (「理解した内容」), shown on the proposal card;
`messages.choices` holds a clarifying question's choices (label and the request each sends) as
JSON, NULL for every other message.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("proposals", sa.Column("understood", sa.Text(), nullable=False, server_default=""))
    op.add_column("messages", sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "choices")
    op.drop_column("proposals", "understood")
