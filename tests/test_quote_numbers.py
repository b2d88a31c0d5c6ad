"""Quote numbers are never issued twice: not after a delete, not across stores, not after the upgrade to 0002."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from estimator import store as store_module
from estimator.db import Database
from estimator.store import Store
from tests.factories import project_settings
from tests.schema_support import add_issued_project, database_at


def clock_at(monkeypatch: pytest.MonkeyPatch, year: int) -> None:
    """The store's clock in `year`, which its quote numbers are issued for."""
    monkeypatch.setattr(store_module, "utcnow", lambda: datetime(year, 6, 1, 12, tzinfo=UTC))


def number(store: Store) -> str:
    return store.create_project(project_settings()).quote_number


def test_deleting_the_newest_project_does_not_free_its_number(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock_at(monkeypatch, 2026)
    store.create_project(project_settings("First"))
    newest = store.create_project(project_settings("Second"))
    store.delete_project(newest.id)
    assert number(store) == "Q-2026-0003"


def test_numbers_issued_before_the_upgrade_are_continued_and_never_reissued(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = database_at(database_url, "0001")
    ids = {quote: add_issued_project(old, quote) for quote in ("Q-2026-0001", "Q-2026-0002", "Q-2026-0003")}
    add_issued_project(old, "Q-2025-0041")
    add_issued_project(old, "見積-旧-7")
    old.dispose()
    database = Database.from_url(database_url)
    try:
        store = Store(database)
        store.delete_project(ids["Q-2026-0003"])
        clock_at(monkeypatch, 2026)
        assert number(store) == "Q-2026-0004"
        clock_at(monkeypatch, 2025)
        assert number(store) == "Q-2025-0042"
    finally:
        database.dispose()


def test_two_stores_on_one_file_alternately_never_collide_or_reuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two app processes on one SQLite file: each takes the next number, even right after the other deleted one."""
    clock_at(monkeypatch, 2026)
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Database.from_url(url), Database.from_url(url)
    try:
        stores = [Store(first), Store(second)]
        issued = []
        for turn in range(6):
            project = stores[turn % 2].create_project(project_settings(f"P{turn}"))
            issued.append(project.quote_number)
            stores[(turn + 1) % 2].delete_project(project.id)
        assert issued == [f"Q-2026-{n:04d}" for n in range(1, 7)]
    finally:
        first.dispose()
        second.dispose()


def test_concurrent_creates_and_deletes_take_each_number_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two stores creating at once, each deleting what it made: the first number of the year is raced for too."""
    clock_at(monkeypatch, 2026)
    databases = [Database.from_url(database_url), Database.from_url(database_url)]
    issued: list[str] = []
    start = threading.Barrier(2)

    def churn(store: Store) -> None:
        start.wait()
        for _ in range(15):
            project = store.create_project(project_settings())
            issued.append(project.quote_number)
            store.delete_project(project.id)

    try:
        threads = [threading.Thread(target=churn, args=(Store(database),)) for database in databases]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(issued) == [f"Q-2026-{n:04d}" for n in range(1, 31)]
    finally:
        for database in databases:
            database.dispose()


def test_a_new_year_starts_at_0001_and_counts_on_its_own(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock_at(monkeypatch, 2026)
    assert [number(store), number(store)] == ["Q-2026-0001", "Q-2026-0002"]
    clock_at(monkeypatch, 2027)
    first_of_2027 = store.create_project(project_settings())
    assert first_of_2027.quote_number == "Q-2027-0001"
    store.delete_project(first_of_2027.id)
    assert number(store) == "Q-2027-0002"
    clock_at(monkeypatch, 2026)
    assert number(store) == "Q-2026-0003"


def test_a_deleted_project_id_is_never_given_to_a_new_project(database_url: str) -> None:
    """A link (?project=ID) or another tab holding a deleted project must not open the next one created.

    SQLite hands the highest deleted rowid to the next row unless the table has AUTOINCREMENT,
    also for a database made at 0001 and upgraded; versions and proposals keep their ids too.
    """
    old = database_at(database_url, "0001")
    kept = add_issued_project(old, "Q-2026-0001")
    old.dispose()
    database = Database.from_url(database_url)
    try:
        store = Store(database)
        assert store.get_project(kept).quote_number == "Q-2026-0001", "the upgrade keeps the rows"
        newest = store.create_project(project_settings("Newest"))
        store.delete_project(newest.id)
        assert store.create_project(project_settings("Next")).id > newest.id
    finally:
        database.dispose()
