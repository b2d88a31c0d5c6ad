"""Quote counters (a number is never issued twice), ids never reused on SQLite, and the
inputs digest of estimates (stale-estimate detection).

`quote_counters` holds the last number issued per year, seeded from the highest
`Q-YYYY-NNNN` already in `tasks`, so numbers continue where they were. Deleting a
project no longer frees its number for the next one.

`estimates.inputs_digest` is the SHA-256 of the deliverables, requirements and answers a
version was estimated from; rows from before this migration keep None (unknown).

On SQLite, `tasks`, `estimates` and `proposals` are rebuilt with AUTOINCREMENT: without
it SQLite hands the highest deleted id to the next row, so a link to a deleted project
(?project=ID) or another tab still holding it would open the next project created.
PostgreSQL's sequences never reuse an id. `estimator.db.migrate` turns SQLite's foreign
keys off for the rebuild (a drop would cascade) and checks them before committing.

The digest column is added and dropped with plain ALTER TABLE (SQLite drops a column
natively since 3.35), so PostgreSQL never copies `estimates`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00.000000
"""

import re
from collections.abc import Iterable

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEVER_REUSED_IDS = ("tasks", "estimates", "proposals")
QUOTE_NUMBER = re.compile(r"Q-(\d{4})-(\d+)")


def highest_per_year(quote_numbers: Iterable[str]) -> dict[int, int]:
    """The highest number issued in each year, from quote numbers as `Q-YYYY-NNNN`; anything else is skipped."""
    highest: dict[int, int] = {}
    for quote_number in quote_numbers:
        found = QUOTE_NUMBER.fullmatch(quote_number)
        if found:
            year, number = int(found[1]), int(found[2])
            highest[year] = max(number, highest.get(year, 0))
    return highest


def rebuild_on_sqlite(autoincrement: bool) -> None:
    """Recreate the tables whose ids the UI keeps, with or without SQLite's AUTOINCREMENT."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in NEVER_REUSED_IDS:
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
            pass


def upgrade() -> None:
    counters = op.create_table(
        "quote_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    issued = op.get_bind().execute(sa.text("SELECT quote_number FROM tasks")).scalars()
    seeds = [{"year": year, "last_number": number} for year, number in sorted(highest_per_year(issued).items())]
    if seeds:
        op.bulk_insert(counters, seeds)
    op.add_column("estimates", sa.Column("inputs_digest", sa.String(length=64), nullable=True))
    rebuild_on_sqlite(autoincrement=True)


def downgrade() -> None:
    rebuild_on_sqlite(autoincrement=False)
    op.drop_column("estimates", "inputs_digest")
    op.drop_table("quote_counters")
