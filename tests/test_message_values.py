"""Every message an error raises gets all of its placeholders: no user ever reads `{path}`.

`EstimatorError(key, detail, **values)` takes `detail` as its technical detail, not as a
value, so a message with `{detail}` printed its raw template. This reads every place in
`estimator/` that raises an error with a literal locale key and checks that the keyword
values given cover the placeholders of that message in both languages.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from estimator.i18n import LANGUAGES, catalog, t
from tests.conftest import ROOT

RESERVED = {"detail"}  # consumed by EstimatorError itself, never a message value


def raised_messages() -> list[tuple[str, int, str, set[str]]]:
    """(file, line, key, keyword names) of every `SomethingError("errors.…", …)` call without **values."""
    found = []
    for path in sorted((ROOT / "estimator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            first = node.args[0]
            if not name.endswith("Error") or not isinstance(first, ast.Constant) or not isinstance(first.value, str):
                continue
            if not first.value.startswith("errors.") or any(k.arg is None for k in node.keywords):
                continue
            keywords = {k.arg for k in node.keywords if k.arg is not None}
            found.append((str(path.relative_to(ROOT)), node.lineno, first.value, keywords))
    return found


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_the_scan_finds_the_raises() -> None:
    keys = {key for _, _, key, _ in raised_messages()}
    assert {"errors.backup.corrupt", "errors.stale_version", "errors.proposal.outdated"} <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raised_message_gets_all_its_values(lang: str) -> None:
    problems = []
    for path, line, key, keywords in raised_messages():
        text = catalog(lang).get(key)
        if text is None:
            problems.append(f"{path}:{line}: {key} is not in locales/{lang}.json")
            continue
        given = keywords - RESERVED
        missing = placeholders(text) - given
        if missing or keywords & RESERVED & placeholders(text):
            problems.append(f"{path}:{line}: {key} lacks {sorted(missing | (keywords & RESERVED))}")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_corrupt_backup_message_is_formatted(lang: str) -> None:
    text = t("errors.backup.corrupt", lang, path="/tmp/b.db", reason="file is not a database")
    assert "{" not in text and "/tmp/b.db" in text and "file is not a database" in text


def test_restore_of_a_truncated_backup_prints_a_formatted_message(isolated_settings: Path) -> None:
    from tests.support import run_cli

    assert run_cli("init-db").returncode == 0
    backup = isolated_settings.parent / "b.db"
    assert run_cli("backup", "-o", str(backup)).returncode == 0
    truncated = isolated_settings.parent / "truncated.db"
    truncated.write_bytes(backup.read_bytes()[:3000])
    result = run_cli("restore", str(truncated))
    assert result.returncode == 1
    assert "{" not in result.stderr and str(truncated) in result.stderr
    assert "Traceback" not in result.stderr


def _restore_refused(isolated_settings: Path, change: str, lang: str) -> str:
    """Back up a database with one project, damage a copy with `change`, restore it: the refusal text."""
    import sqlite3

    from tests.support import run_cli

    env = {"LANGUAGE": lang}
    assert run_cli("init-db", env=env).returncode == 0
    live = isolated_settings / "estimator.db"
    backup = isolated_settings.parent / "b.db"
    assert run_cli("backup", "-o", str(backup), env=env).returncode == 0
    with sqlite3.connect(backup) as connection:
        connection.executescript(change)
    before = live.read_bytes()
    result = run_cli("restore", str(backup), env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "{" not in result.stderr
    assert live.read_bytes() == before, "a refused restore must not touch the live database"
    assert run_cli("list", env=env).returncode == 0
    return result.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_restore_of_a_newer_revision_is_refused_before_touching_anything(isolated_settings: Path, lang: str) -> None:
    message = _restore_refused(isolated_settings, "UPDATE alembic_version SET version_num = '0099';", lang)
    assert "0099" in message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_restore_of_tables_with_the_wrong_columns_is_refused(isolated_settings: Path, lang: str) -> None:
    message = _restore_refused(
        isolated_settings, "DROP TABLE messages; CREATE TABLE messages (id INTEGER PRIMARY KEY, body TEXT);", lang
    )
    assert "messages" in message
