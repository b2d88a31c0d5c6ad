"""A data migration in one line of a business project (issue 12: 「a data migration came out below a screen」):
the entities a volume is made of are its tables, and a whole migration's tables are migration work — each
mapped, extracted and converted, at the データ移行・バッチ rates — with no migration factor on top of it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.engines.project_sizing import MIGRATION_STEPS, rate_units, size_feature, unit_days
from estimator.engines.reading import Reading, classify, is_data_migration
from estimator.schemas import Deliverable
from estimator.sizing.kinds import Grade, ProjectType, UnitKind
from estimator.sizing.rates import DEFAULT_RATES
from estimator.sizing.units import Count, read_units

MIGRATION = Deliverable(
    name="データ移行",
    description="旧システムの得意先・商品・単価・受注残 約30万件の移行（移行ツール作成、リハーサル1回）",
)


@pytest.mark.parametrize(
    ("description", "tables", "quoted"),
    [
        ("旧システムの得意先・商品・単価・受注残 約30万件の移行", 4, "得意先・商品・単価・受注残"),
        ("既存Excelの顧客・物件・契約 約2,000件をCSVに変換して取込", 3, "顧客・物件・契約"),
        ("Customers, products and open orders, about 300,000 records", 3, "Customers, products and open orders"),
        ("customers and orders (about 1.2 million rows)", 2, "customers and orders"),
    ],
)
def test_the_entities_of_a_volume_are_its_tables(description: str, tables: int, quoted: str) -> None:
    counts = read_units("データ移行", description).counts
    [table] = [count for count in counts if count.kind is UnitKind.TABLE]
    assert (table.quantity, table.quoted, table.grade) == (Decimal(tables), quoted, Grade.NORMAL)


def test_a_line_that_counts_its_tables_keeps_its_own_count() -> None:
    counts = read_units("データ移行", "顧客・商品の2テーブル約30万件").counts
    assert [count.quantity for count in counts if count.kind is UnitKind.TABLE] == [Decimal(2)]


def test_a_volume_alone_counts_no_table() -> None:
    assert not [count for count in read_units("データ移行", "約30万件").counts if count.kind is UnitKind.TABLE]


@pytest.mark.parametrize(
    ("name", "whole"),
    [("データ移行", True), ("Data migration", True), ("移行ツール", False), ("移行設計書", False), ("本番移行", False)],
)
def test_only_a_whole_migration_is_one(name: str, whole: bool) -> None:
    assert is_data_migration(Deliverable(name=name)) is whole


def test_a_whole_migration_s_tables_are_migration_work_in_a_business_project() -> None:
    counts = read_units(MIGRATION.name, MIGRATION.description).counts
    sized_days = unit_days(counts, DEFAULT_RATES, ProjectType.BUSINESS, migration=True)
    days = dict(zip((count.kind for count in counts), sized_days, strict=True))
    migration_table = DEFAULT_RATES.rate(ProjectType.MIGRATION, UnitKind.TABLE, Grade.NORMAL).days
    assert days[UnitKind.TABLE] == 4 * migration_table * MIGRATION_STEPS
    reading = Reading("ja", {}, {}, (), ())
    sized = size_feature(MIGRATION, classify(MIGRATION), reading, DEFAULT_RATES, ProjectType.BUSINESS)
    assert sized.migration and sized.days == sum(days.values())
    assert not [finding for finding in sized.findings if finding.topic.key == "data_migration"], "counted once"
    screen = DEFAULT_RATES.rate(ProjectType.BUSINESS, UnitKind.SCREEN, Grade.NORMAL).days
    assert sized.days > screen, "a migration of four entities with its tool and rehearsal outweighs a screen"


@pytest.mark.parametrize(
    ("records", "units"),
    [(5_000, "1"), (1_000_000, "1"), (2_000_000, "2"), (5_000_000, "3.32"), (8_000_000, "4"), (64_000_000, "7")],
)
def test_a_volume_grows_the_work_by_doubling(records: int, units: str) -> None:
    """Twice the rows is one more round of run-time tuning and rehearsal, not twice the runs: 8 million records
    in proportion were 8 units, the price of a whole second migration."""
    count = Count(UnitKind.RECORDS, Decimal(records), Grade.NORMAL, f"{records}件", (), True)
    assert rate_units(count) == Decimal(units)


@pytest.mark.parametrize("name", ["移行リハーサル", "データ移行", "Migration rehearsal", "Data migration"])
def test_a_migration_line_with_no_volume_is_one_piece_of_migration_work(name: str) -> None:
    """A rehearsal or a bare データ移行 states no volume; as one placeholder million records it cost one day,
    below a simple screen. It is one piece of migration work at the feature rate of the データ移行・バッチ table."""
    [count] = read_units(name, "").counts
    [days] = unit_days([count], DEFAULT_RATES, ProjectType.BUSINESS, migration=True)
    feature = DEFAULT_RATES.rate(ProjectType.MIGRATION, UnitKind.FEATURE, count.grade).days
    records = DEFAULT_RATES.rate(ProjectType.MIGRATION, UnitKind.RECORDS, count.grade).days
    assert (count.kind, count.stated) == (UnitKind.RECORDS, False)
    assert days == feature > records
