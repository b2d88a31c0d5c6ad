"""`python -m estimator rates export|import FILE`: the rate tables as CSV, as an operator uses them."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.db import Database
from estimator.i18n import LANGUAGES
from estimator.sizing.kinds import Grade, ProjectType, UnitKind
from estimator.store import Store
from tests.support import run_cli

SCREEN = (ProjectType.BUSINESS, UnitKind.SCREEN, Grade.NORMAL)


def stored(isolated_settings: Path) -> Store:
    return Store(Database.from_url(f"sqlite:///{isolated_settings / 'estimator.db'}"))


def one_line(result_stderr: str) -> str:
    """The one line a refusal prints: no traceback, every placeholder filled."""
    assert "Traceback" not in result_stderr
    [message] = result_stderr.strip().splitlines()
    assert re.search(r"\{\w*\}", message) is None, message
    return message


@pytest.mark.parametrize("command", [("rates",), ("rates", "export"), ("rates", "import")])
def test_every_rates_command_has_help(command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "usage: python -m estimator rates" in result.stdout


def test_export_then_import_stores_a_new_version_and_the_first_exports_unchanged(
    isolated_settings: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "out" / "rates.csv"
    result = run_cli("--lang", "en", "rates", "export", str(exported))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Rate table version 1 written to {exported}"
    shipped = exported.read_text(encoding="utf-8")
    assert shipped.startswith("section,project_type,kind,grade,days,optimistic,pessimistic,phase,percent\n")
    exported.write_text(
        shipped.replace("rate,business_system,screen,normal,8.7,", "rate,business_system,screen,normal,9.5,")
    )
    result = run_cli("--lang", "en", "rates", "import", str(exported), "--note", "tuned")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Imported {exported} as rate table version 2."
    store = stored(isolated_settings)
    assert store.rate_table(2).rate(*SCREEN).days == Decimal("9.5")
    assert [(v.version, v.note) for v in store.rate_table_versions()][1] == (2, "tuned")
    again = tmp_path / "v1.csv"
    assert run_cli("rates", "export", str(again), "--version", "1").returncode == 0
    assert again.read_text(encoding="utf-8") == shipped


def test_an_import_without_a_note_notes_the_file_name(isolated_settings: Path, tmp_path: Path) -> None:
    exported = tmp_path / "rates-2027.csv"
    assert run_cli("rates", "export", str(exported)).returncode == 0
    assert run_cli("rates", "import", str(exported)).returncode == 0
    assert stored(isolated_settings).rate_table(2).note == "rates-2027.csv"


def test_a_japanese_excel_file_is_imported(isolated_settings: Path, tmp_path: Path) -> None:
    exported = tmp_path / "rates.csv"
    assert run_cli("rates", "export", str(exported)).returncode == 0
    text = exported.read_text(encoding="utf-8").replace(",8.7,", ",９.５,").replace("\n", "\r\n")
    exported.write_bytes(text.encode("cp932"))
    result = run_cli("--lang", "ja", "rates", "import", str(exported))
    assert result.returncode == 0, result.stderr
    assert "バージョン 2" in result.stdout
    assert stored(isolated_settings).rate_table(2).rate(*SCREEN).days == Decimal("9.5")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_bad_csv_is_one_line_naming_row_and_column_and_nothing_is_stored(
    isolated_settings: Path, tmp_path: Path, lang: str
) -> None:
    exported = tmp_path / "rates.csv"
    assert run_cli("rates", "export", str(exported)).returncode == 0
    lines = exported.read_text(encoding="utf-8").splitlines()
    row = next(number for number, text in enumerate(lines, start=1) if text.startswith("rate,website,batch,normal,"))
    lines[row - 1] = "rate,website,batch,normal,lots,15,40,,"
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("--lang", lang, "rates", "import", str(exported))
    assert result.returncode == 1
    message = one_line(result.stderr)
    assert str(row) in message and "days" in message and "lots" in message
    assert [v.version for v in stored(isolated_settings).rate_table_versions()] == [1]


BAD_FILES = {
    "missing file": (None, "File not found"),
    "not text": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00!\x00", "character encoding"),
    "empty file": (b"", "no rate table"),
    "deliverables, not rates": ("成果物名称,説明\n画面,ログイン\n".encode("cp932"), "must be the header"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_one_line_and_exit_1(isolated_settings: Path, tmp_path: Path, case: str) -> None:
    content, expected = BAD_FILES[case]
    path = tmp_path / "rates.csv"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("--lang", "en", "rates", "import", str(path))
    assert result.returncode == 1
    assert expected in one_line(result.stderr)


def test_export_of_a_version_that_does_not_exist_or_to_a_folder_is_one_line(tmp_path: Path) -> None:
    result = run_cli("--lang", "en", "rates", "export", str(tmp_path / "rates.csv"), "--version", "9")
    assert result.returncode == 1
    assert one_line(result.stderr) == "There is no rate table version 9."
    result = run_cli("--lang", "en", "rates", "export", str(tmp_path))
    assert result.returncode == 1
    assert one_line(result.stderr).startswith(f"Cannot write {tmp_path}")
