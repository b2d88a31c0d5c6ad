"""Shared fixtures: isolated settings, SQLite and PostgreSQL databases, a store.

PostgreSQL runs as a throwaway cluster owned by the test run (initdb into a
temporary folder, a Unix socket there, no TCP). With CI=true a missing
PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from estimator.db import Database
from estimator.store import Store
from tests import repository_guard
from tests.support import MACHINE_SETTINGS

IN_CI = os.environ.get("CI", "").lower() == "true"

# HYPOTHESIS_PROFILE=thorough gives property tests without their own @settings 3,000 examples
# (a hunt for edge cases, not for CI); the others take --hypothesis-seed=N to vary their draws.
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
ROOT = Path(__file__).resolve().parent.parent
# The legacy system's sample input (成果物名称, 説明: 13 rows in the .xlsx, 9 in the .csv), kept in the repository.
SAMPLES = ROOT / "tests" / "data"


def missing(reason: str) -> None:
    """Skip locally, fail in CI: CI must never pass by skipping."""
    if IN_CI:
        pytest.fail(f"required for CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def outside_reads(tmp_path_factory: pytest.TempPathFactory) -> repository_guard.OutsideReads:
    return repository_guard.install(tmp_path_factory.getbasetemp())


@pytest.fixture(autouse=True)
def stays_in_repository(outside_reads: repository_guard.OutsideReads) -> Iterator[None]:
    """Fail any test that read a folder beside the repository (a user's clone has none)."""
    outside_reads.take()
    yield
    found = outside_reads.take()
    if found:
        pytest.fail(f"read outside the repository: {sorted(set(found))[:5]}")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder and the embedded defaults, whatever the machine's .env says."""
    for name in list(os.environ):
        if name.startswith(MACHINE_SETTINGS):
            monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data))
    monkeypatch.setenv("LANGUAGE", "ja")
    monkeypatch.chdir(tmp_path)
    yield data


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL cluster for this run; yields a URL template with a {database} slot.

    It lives in its own folder under /tmp, not pytest's (mode 700 for root), so
    the `postgres` user that initdb needs when we are root can reach it.
    """
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        missing("PostgreSQL (initdb, pg_ctl) is not installed")
    base = Path(tempfile.mkdtemp(prefix="estimator-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = 20000 + os.getpid() % 20000
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-k {sockets} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        [*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@/{{database}}?host={sockets}&port={port}"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty database in the run's cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server.format(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_server.format(database=name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    yield db
    db.dispose()


@pytest.fixture
def store(database: Database) -> Store:
    return Store(database)


pytest_plugins = ["tests.fake_openai"]
