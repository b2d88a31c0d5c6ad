"""A database that cannot be opened is one line, in the CLI and on the page: never a traceback, never a password.

Found by fault injection: a PostgreSQL nobody listens on under `init-db`, a DATA_DIR
whose folder cannot be made, and a live database a newer Estimator migrated past what
this code knows (Alembic's "Can't locate revision" traceback).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from estimator.db import SCHEMA_REVISION
from estimator.i18n import LANGUAGES
from tests.support import run_cli
from tests.ui_support import app, texts

NOBODY_LISTENS = "postgresql://estimator:s3cret-pw@127.0.0.1:1/estimator"


def _one_line_failure(result_stderr: str, returncode: int) -> str:
    assert returncode == 1
    assert "Traceback" not in result_stderr
    assert len(result_stderr.strip().splitlines()) == 1, result_stderr
    return result_stderr.strip()


def _newer_live_database(isolated_settings: Path) -> None:
    """The live database as a newer Estimator would leave it: at a revision this code has no migration for."""
    assert run_cli("init-db").returncode == 0
    with sqlite3.connect(isolated_settings / "estimator.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # into the main file, so its bytes can be compared


def test_init_db_on_a_database_nobody_listens_on_is_one_line_without_the_password() -> None:
    result = run_cli("--lang", "en", "init-db", env={"DATABASE_URL": NOBODY_LISTENS})
    line = _one_line_failure(result.stderr, result.returncode)
    assert "DATABASE_URL" in line and "127.0.0.1" in line
    assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["list", "check", "init-db"])
def test_a_data_dir_that_cannot_be_made_is_one_line(command: str, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = run_cli("--lang", "en", command, env={"DATA_DIR": str(tmp_path / "a-file" / "data")})
    line = _one_line_failure(result.stderr, result.returncode)
    assert str(tmp_path / "a-file" / "data") in line


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("command", ["list", "init-db"])
def test_a_live_database_from_a_newer_version_is_one_line_and_left_alone(
    isolated_settings: Path, command: str, lang: str
) -> None:
    _newer_live_database(isolated_settings)
    before = (isolated_settings / "estimator.db").read_bytes()
    result = run_cli(command, env={"LANGUAGE": lang})
    line = _one_line_failure(result.stderr, result.returncode)
    assert "0099" in line and SCHEMA_REVISION in line and "{" not in line
    assert (isolated_settings / "estimator.db").read_bytes() == before


def test_the_app_shows_an_unreachable_database_as_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NOBODY_LISTENS)
    monkeypatch.setenv("LANGUAGE", "en")
    at = app().run()
    assert not at.exception
    [error] = texts(at.error)
    assert "DATABASE_URL" in error and "127.0.0.1" in error and "s3cret-pw" not in error


def test_the_app_shows_a_database_from_a_newer_version_as_one_error_line(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _newer_live_database(isolated_settings)
    monkeypatch.setenv("LANGUAGE", "en")
    at = app().run()
    assert not at.exception
    [error] = texts(at.error)
    assert "newer version of Estimator (revision 0099)" in error
