"""Rate tables in the database, on SQLite and PostgreSQL: versions that never change once stored, and the
version each estimate was sized with, inherited by the versions derived from it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from estimator.config import load_settings
from estimator.db import Database, migrate
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError, NotFoundError
from estimator.schemas import PHASES, Deliverable
from estimator.sizing.kinds import GRADES, PROJECT_TYPES, UNIT_KINDS, Grade, ProjectType, UnitKind
from estimator.sizing.rates import (
    DEFAULT_RATES,
    DEFAULTS_AUTHOR,
    DEFAULTS_NOTE,
    DEFAULTS_UPDATED_NOTE,
    RateTable,
    UnitRate,
)
from estimator.store import Store
from estimator.workflow import Workflow
from tests.factories import JPY, line, project_settings
from tests.schema_support import downgrade

D = Decimal
USER = "analyst"
SCREEN = (ProjectType.BUSINESS, UnitKind.SCREEN, Grade.NORMAL)


def figures(table: RateTable) -> tuple[dict[object, UnitRate], dict[object, dict[object, Decimal]]]:
    """What a table says, without its version and note."""
    return dict(table.rates), {kind: dict(ratios) for kind, ratios in table.phase_ratios.items()}


def with_days(table: RateTable, key: tuple[ProjectType, UnitKind, Grade], days: Decimal) -> RateTable:
    return replace(table, rates={**table.rates, key: replace(table.rates[key], days=days)})


def concurrently(count: int, act: Callable[[], RateTable]) -> list[RateTable]:
    """`act` in `count` threads released together; their results (a thread's error fails the test)."""
    barrier = threading.Barrier(count)
    results: list[RateTable] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(act())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


# The store


def test_first_use_stores_the_shipped_defaults_as_version_1(store: Store) -> None:
    assert store.rate_table_versions() == []
    table = store.current_rate_table()
    assert table.version == 1 and table.note == DEFAULTS_NOTE
    assert figures(table) == figures(DEFAULT_RATES)
    assert store.current_rate_table() == table, "asked again, nothing new is stored"
    [first] = store.rate_table_versions()
    assert (first.version, first.created_by, first.note) == (1, DEFAULTS_AUTHOR, DEFAULTS_NOTE)


def test_an_untouched_table_of_an_older_release_gives_way_to_the_new_defaults(store: Store) -> None:
    """A firm that never edited its table gets a newer release's figures (new kinds included) as the next
    version; the old version, and every estimate made with it, stays as it was."""
    older = with_days(DEFAULT_RATES, SCREEN, D("7.77"))
    store.save_rate_table(older, created_by=DEFAULTS_AUTHOR, note=DEFAULTS_NOTE)
    current = store.current_rate_table()
    assert current.version == 2 and current.note == DEFAULTS_UPDATED_NOTE
    assert figures(current) == figures(DEFAULT_RATES)
    assert store.rate_table(1).rate(*SCREEN).days == D("7.77")
    assert store.current_rate_table() == current, "asked again, nothing new is stored"


def test_an_edited_table_is_kept_whatever_the_release_ships(store: Store) -> None:
    first = store.current_rate_table()
    mine = store.save_rate_table(with_days(first, SCREEN, D("9.25")), created_by=USER, note="ours")
    assert store.current_rate_table() == mine
    assert [v.version for v in store.rate_table_versions()] == [1, 2]


def test_saving_makes_a_new_version_and_the_old_one_is_unchanged(store: Store) -> None:
    first = store.current_rate_table()
    second = store.save_rate_table(with_days(first, SCREEN, D("9.25")), created_by=USER, note="after the retro")
    assert (second.version, second.note) == (2, "after the retro")
    assert store.current_rate_table() == second
    assert store.rate_table(2).rate(*SCREEN).days == D("9.25")
    assert store.rate_table(1) == first
    assert figures(store.rate_table(1)) == figures(DEFAULT_RATES)
    assert [(v.version, v.created_by) for v in store.rate_table_versions()] == [(1, DEFAULTS_AUTHOR), (2, USER)]


def test_every_figure_is_kept_exactly(store: Store) -> None:
    """Hundredths at both ends of each bound, and phase percents that only add up to 100 with their decimals."""
    rates = {
        (t, k, g): UnitRate(t, k, g, D("0.01") if g is Grade.SIMPLE else D("199.99"), D("90"), D("500"))
        for t in PROJECT_TYPES
        for k in UNIT_KINDS
        for g in GRADES
    }
    thirds = [D("33.33"), D("33.33"), D("33.34"), D(0), D(0), D(0), D(0)]
    table = RateTable(None, rates, {t: dict(zip(PHASES, thirds, strict=True)) for t in PROJECT_TYPES})
    saved = store.save_rate_table(table, created_by=USER)
    assert figures(store.rate_table(saved.version or 0)) == figures(table)


def test_a_version_that_was_never_stored_is_not_found(store: Store) -> None:
    store.current_rate_table()
    with pytest.raises(NotFoundError) as missing:
        store.rate_table(9)
    assert (missing.value.key, missing.value.values) == ("errors.not_found.rate_table", {"version": 9})


def test_concurrent_first_uses_store_version_1_once(store: Store) -> None:
    tables = concurrently(4, store.current_rate_table)
    assert {table.version for table in tables} == {1}
    assert [v.version for v in store.rate_table_versions()] == [1]


def test_concurrent_saves_each_get_a_version_of_their_own(store: Store) -> None:
    first = store.current_rate_table()
    tables = concurrently(3, lambda: store.save_rate_table(first, created_by=USER))
    assert sorted(table.version or 0 for table in tables) == [2, 3, 4]


def test_0003_downgrades_to_0002_and_up_again_keeping_every_estimate(database: Database) -> None:
    store = Store(database)
    project = store.create_project(project_settings())
    version = store.current_rate_table().version
    store.append_version(
        project.id,
        lines=[line("画面", "10")],
        pricing=JPY,
        origin="generated",
        engine="offline",
        base_number=None,
        rates_version=version,
    )
    assert store.get_version(project.id).rates_version == 1
    downgrade(database, "0002")
    assert not {"rate_tables", "unit_rates", "phase_ratios"} & set(inspect(database.engine).get_table_names())
    assert "rates_version" not in {c["name"] for c in inspect(database.engine).get_columns("estimates")}
    migrate(database.engine)
    kept = store.get_version(project.id)
    assert kept.rates_version is None and len(kept.lines) == 1
    assert store.current_rate_table().version == 1


# The workflow


@pytest.fixture
def flow(database: Database) -> Iterator[Workflow]:
    yield Workflow(Store(database), OfflineEngine(), load_settings())


def estimated(flow: Workflow) -> int:
    project = flow.create_project(project_settings("販売管理システム"), user=USER)
    items = [Deliverable(name="受注画面", description="受注の登録・検索 画面5枚"), Deliverable(name="API連携")]
    flow.save_deliverables(project.id, items, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return project.id


def test_a_generated_estimate_records_the_current_table_and_derived_versions_inherit_it(flow: Workflow) -> None:
    project_id = estimated(flow)
    assert flow.version(project_id).rates_version == 1
    flow.save_rate_table(with_days(flow.rate_table(), SCREEN, D(12)), user=USER)
    proposal = flow.quick_risk_buffer(project_id, D(10), user=USER)
    adjusted = flow.apply_proposal(project_id, proposal.id, user=USER)
    name = flow.priced(project_id).lines[0].line.deliverable
    edited = flow.edit_lines(project_id, {name: D(3)}, base_version=adjusted.number, user=USER)
    regenerated = flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    restored = flow.restore_version(project_id, 1, base_version=regenerated.number, user=USER)
    assert [(v.origin, v.rates_version) for v in flow.versions(project_id)] == [
        ("generated", 1),
        ("adjusted", 1),
        ("edited", 1),
        ("generated", 2),
        ("restored", 1),
    ]
    assert (adjusted.rates_version, edited.rates_version, restored.rates_version) == (1, 1, 1)


def test_export_then_import_is_a_new_version_and_the_export_of_the_old_one_is_unchanged(flow: Workflow) -> None:
    shipped = flow.export_rates()
    imported = flow.import_rates(shipped.replace(",8.7,", ",9.5,").encode("utf-8-sig"), user=USER, note="tuned")
    assert imported.version == 2 and imported.rate(*SCREEN).days == D("9.5")
    assert flow.rate_table() == imported
    assert flow.export_rates(1) == shipped
    assert [(v.version, v.note) for v in flow.rate_table_versions()] == [(1, DEFAULTS_NOTE), (2, "tuned")]


def test_a_refused_import_or_save_stores_nothing(flow: Workflow) -> None:
    shipped = flow.export_rates()
    with pytest.raises(InvalidInputError) as refused:
        flow.import_rates(shipped.replace(",8.7,", ",-8.7,"), user=USER)
    assert refused.value.key == "errors.rates.negative"
    with pytest.raises(InvalidInputError) as refused:
        flow.save_rate_table(with_days(flow.rate_table(), SCREEN, D(201)), user=USER)
    assert refused.value.key == "errors.rates.days_too_large"
    assert [v.version for v in flow.rate_table_versions()] == [1]


def test_the_estimate_is_sized_with_the_current_table_and_an_old_version_keeps_its_figures(flow: Workflow) -> None:
    """An edited table sizes the next estimate; the version made before keeps its person-days."""
    project_id = estimated(flow)
    before = flow.priced(project_id, 1).person_days
    current = flow.rate_table()
    doubled = RateTable(
        version=None,
        rates={key: replace(rate, days=rate.days * 2) for key, rate in current.rates.items()},
        phase_ratios=current.phase_ratios,
    )
    flow.save_rate_table(doubled, user=USER)
    regenerated = flow.generate_estimate(project_id, expected_row_version=None, user=USER)

    assert regenerated.rates_version == 2
    assert abs(flow.priced(project_id, regenerated.number).person_days - 2 * before) <= D("0.2")
    assert flow.priced(project_id, 1).person_days == before
