"""Actuals (issue 13): a timesheet export read in every accepted layout, matched to the baseline's lines by
the project's name rule with fuzzy suggestions, recorded for a won or done project, and the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from estimator.__main__ import main
from estimator.config import load_settings
from estimator.db import Database
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError, StaleWriteError
from estimator.excel.timesheet import match_timesheet, read_timesheet
from estimator.schemas import ActualEntry, Deliverable, EffortUnit, Phase, ProjectStatus, Timesheet
from estimator.store import Store
from estimator.workflow import Workflow, timesheet_entries
from tests.factories import project_settings

D = Decimal
USER = "analyst"
ITEMS = [
    Deliverable(name="受注管理画面", description="受注の登録・一覧の2画面"),
    Deliverable(name="請求書出力", description="請求書1帳票"),
    Deliverable(name="結合テスト"),
]


def read(text: str, filename: str = "actuals.csv", unit: EffortUnit | None = None, lang: str = "ja") -> Timesheet:
    return read_timesheet(
        text.encode("utf-8"), filename, max_bytes=10**6, lang=lang, hours_per_day=D(8), days_per_month=D(20), unit=unit
    )


def workbook(rows: list[list[object]], title: str = "実績") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Reading every accepted layout


@pytest.mark.parametrize(
    ("text", "days", "unit"),
    [
        ("成果物名称,工程,実績人日\n受注管理画面,製作,5.5\n", D("5.50"), EffortUnit.PERSON_DAYS),
        ("成果物名称,実績時間\n受注管理画面,12\n", D("1.50"), EffortUnit.HOURS),
        ("タスク,実績人月\n受注管理画面,0.5\n", D("10.00"), EffortUnit.PERSON_MONTHS),
        ("Deliverable,Phase,Actual person-days\n受注管理画面,Implementation,3\n", D("3.00"), EffortUnit.PERSON_DAYS),
        ("Deliverable,Actual hours\n受注管理画面,20\n", D("2.50"), EffortUnit.HOURS),
        ("Task,Effort,Unit\n受注管理画面,4,days\n", D("4.00"), EffortUnit.PERSON_DAYS),
        ("作業,工数,単位\n受注管理画面,16,時間\n", D("2.00"), EffortUnit.HOURS),
        ('\ufeff成果物　名称,実績人日\n受注管理画面,"1,250"\n', D("1250.00"), EffortUnit.PERSON_DAYS),
        ("成果物名称,実績人日\n受注管理画面,３．５\n", D("3.50"), EffortUnit.PERSON_DAYS),
    ],
)
def test_each_layout_reads_as_person_days(text: str, days: Decimal, unit: EffortUnit) -> None:
    sheet = read(text)
    assert [(row.name, row.person_days) for row in sheet.rows] == [("受注管理画面", days)]
    assert sheet.units == (unit,) and sheet.problems == ()


def test_an_effort_column_naming_no_unit_takes_the_one_given() -> None:
    with pytest.raises(InvalidInputError) as refused:
        read("成果物名称,実績\n受注管理画面,16\n")
    assert refused.value.key == "errors.timesheet.no_unit"
    assert read("成果物名称,実績\n受注管理画面,16\n", unit=EffortUnit.HOURS).rows[0].person_days == 2


def test_the_phase_reads_in_both_languages_and_blank_is_the_whole_line() -> None:
    text = "成果物名称,工程,実績人日\n" + "".join(
        f"受注管理画面,{phase},1\n"
        for phase in ("要件定義", "基本設計", "詳細設計", "実装", "単体テスト", "結合テスト", "総合テスト", "PM", "")
    )
    phases = [row.phase for row in read(text).rows]
    assert phases == [
        Phase.REQUIREMENTS,
        Phase.BASIC_DESIGN,
        Phase.DETAILED_DESIGN,
        Phase.IMPLEMENTATION,
        Phase.IMPLEMENTATION,
        Phase.INTEGRATION_TEST,
        Phase.SYSTEM_TEST,
        Phase.PM_DOCS,
        None,
    ]
    english = read("Deliverable,Phase,Actual hours\nA,System testing,8\nB,Basic design,8\n", lang="en")
    assert [row.phase for row in english.rows] == [Phase.SYSTEM_TEST, Phase.BASIC_DESIGN]


def test_a_workbook_with_a_title_above_the_header_is_read() -> None:
    data = workbook(
        [["2026年11月 実績"], [], ["成果物名称", "工程", "実績時間", "担当"], ["請求書出力", "製作", 12, "佐藤"]]
    )
    sheet = read_timesheet(data, "actuals.xlsx", max_bytes=10**6, lang="ja", hours_per_day=D(8), days_per_month=D(20))
    assert (sheet.sheet, sheet.header_row) == ("実績", 3)
    assert [(row.row, row.name, row.person_days) for row in sheet.rows] == [(4, "請求書出力", D("1.50"))]


def test_the_hours_per_day_and_days_per_month_are_the_settings() -> None:
    sheet = read_timesheet(
        "成果物名称,実績時間\nA,15\n".encode(),
        "a.csv",
        max_bytes=10**6,
        lang="ja",
        hours_per_day=D("7.5"),
        days_per_month=D(21),
    )
    assert sheet.rows[0].person_days == 2


# Bad files and bad rows


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("名前だけ,メモ\nA,x\n", "errors.timesheet.no_header"),
        ("成果物名称,担当\nA,佐藤\n", "errors.timesheet.no_effort_column"),
        ("成果物名称,実績人日\n,\n", "errors.timesheet.no_rows"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(text: str, key: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        read(text)
    assert refused.value.key == key


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (",,3", "errors.timesheet.no_name"),
        ("A,,abc", "errors.timesheet.bad_effort"),
        ("A,,-2", "errors.timesheet.negative"),
        ("A,,NaN", "errors.timesheet.bad_effort"),
        ("A,休憩,2", "errors.timesheet.unknown_phase"),
        ("A,,200001", "errors.timesheet.too_large"),
    ],
)
def test_a_row_that_cannot_be_read_is_a_numbered_problem_beside_the_rows_that_can(row: str, key: str) -> None:
    sheet = read(f"成果物名称,工程,実績人日\n受注管理画面,,1\n{row}\n")
    assert [r.name for r in sheet.rows] == ["受注管理画面"]
    [problem] = sheet.problems
    assert (problem.row, problem.key) == (3, key)
    assert "3" in problem.message


def test_a_unit_cell_that_is_no_unit_is_a_row_problem() -> None:
    sheet = read("成果物名称,実績,単位\nA,2,人日\nB,3,週\n")
    assert [(p.row, p.key) for p in sheet.problems] == [(3, "errors.timesheet.bad_unit")]


def test_a_disguised_or_empty_file_meets_the_importers_gate() -> None:
    with pytest.raises(InvalidInputError) as empty:
        read("")
    assert empty.value.key == "errors.import.empty_file"
    with pytest.raises(InvalidInputError) as disguised:
        read_timesheet(b"PK\x03\x04rest", "a.csv", max_bytes=10**6, lang="ja", hours_per_day=D(8), days_per_month=D(20))
    assert disguised.value.key == "errors.import.workbook_as_csv"


# Matching


def test_rows_match_by_the_name_rule_and_others_get_suggestions_never_a_silent_match() -> None:
    sheet = read("成果物名称,実績人日\n受注管理画面　,2\nＵＩ,1\n受注画面,3\n全然別の作業,4\n")
    matched = match_timesheet(sheet, ["受注管理画面", "請求書出力", "ui"])
    by_name = {row.name: row for row in matched.rows}
    assert by_name["受注管理画面"].line == "受注管理画面", "width and spaces do not matter"
    assert by_name["ＵＩ"].line == "ui"
    assert by_name["受注画面"].line is None and by_name["受注画面"].suggestions[0] == "受注管理画面"
    assert by_name["全然別の作業"].line is None and by_name["全然別の作業"].suggestions == ()
    assert len(matched.rows) == 4, "unmatched rows are kept"


def test_rows_are_summed_per_line_and_phase_and_unmatched_ones_only_as_change_requests() -> None:
    sheet = match_timesheet(read("成果物名称,工程,実績人日\nA,製作,1\nA,製作,2\nA,,1\n新規作業,,5\n"), ["A"])
    assert timesheet_entries(sheet, change_requests=False) == [
        ActualEntry("A", D(3), Phase.IMPLEMENTATION),
        ActualEntry("A", D(1), None),
    ]
    assert timesheet_entries(sheet, change_requests=True)[-1] == ActualEntry("新規作業", D(5), None, True)


# Recording


@pytest.fixture
def flow(database: Database) -> Iterator[Workflow]:
    yield Workflow(Store(database), OfflineEngine(), load_settings())


def won(flow: Workflow) -> int:
    project = flow.create_project(project_settings("実績テスト"), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    flow.set_status(project.id, "submitted", user=USER, expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)  # a later version, never sent
    flow.set_status(project.id, "won", user=USER, expected_row_version=None)
    return project.id


def test_actuals_are_recorded_against_the_submitted_version_for_a_won_project(flow: Workflow) -> None:
    project_id = won(flow)
    assert flow.project(project_id).submitted_version == 1
    assert [line.deliverable for line in flow.baseline_lines(project_id)][:3] == [item.name for item in ITEMS]
    data = "成果物名称,工程,実績時間\n受注管理画面,製作,40\n受注管理画面,製作,24\n請求書出力,,12\n追加のCSV出力,,8\n"
    sheet = flow.read_timesheet(project_id, data.encode(), "ts.csv", lang="ja")
    assert [row.line for row in sheet.rows] == ["受注管理画面", "受注管理画面", "請求書出力", None]
    flow.import_timesheet(project_id, sheet, change_requests=True, user=USER, expected_row_version=None)
    assert flow.actuals(project_id) == [
        ActualEntry("受注管理画面", D(8), Phase.IMPLEMENTATION),
        ActualEntry("請求書出力", D("1.5"), None),
        ActualEntry("追加のCSV出力", D(1), None, change_request=True),
    ]


def test_only_a_won_or_done_project_takes_actuals(flow: Workflow) -> None:
    project = flow.create_project(project_settings("見積中"), user=USER)
    flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    with pytest.raises(InvalidInputError) as refused:
        flow.record_actuals(project.id, [ActualEntry("請求書出力", D(1))], user=USER, expected_row_version=None)
    assert refused.value.key == "errors.actuals.not_started"
    project_id = won(flow)
    flow.set_status(project_id, "done", user=USER, expected_row_version=None)
    flow.record_actuals(project_id, [ActualEntry("請求書出力", D(1))], user=USER, expected_row_version=None)
    assert flow.project(project_id).status is ProjectStatus.DONE and len(flow.actuals(project_id)) == 1


def test_an_entry_naming_no_line_must_be_a_change_request_and_a_wild_figure_is_refused(flow: Workflow) -> None:
    project_id = won(flow)
    with pytest.raises(InvalidInputError) as unknown:
        flow.record_actuals(project_id, [ActualEntry("存在しない画面", D(1))], user=USER, expected_row_version=None)
    assert unknown.value.key == "errors.actuals.unknown_line"
    with pytest.raises(InvalidInputError) as wild:
        flow.record_actuals(project_id, [ActualEntry("請求書出力", D(10**7))], user=USER, expected_row_version=None)
    assert wild.value.key == "errors.actuals.bad_days"
    flow.record_actuals(project_id, [ActualEntry("ｾｲｷｭｳ", D(1), None, True)], user=USER, expected_row_version=None)
    assert flow.actuals(project_id)[0].change_request


def test_a_name_is_stored_with_the_lines_spelling_and_a_new_set_replaces_the_old(flow: Workflow) -> None:
    project_id = won(flow)
    flow.record_actuals(project_id, [ActualEntry("受注管理画面　", D(1))], user=USER, expected_row_version=None)
    flow.record_actuals(project_id, [ActualEntry("請求書出力", D(2))], user=USER, expected_row_version=None)
    assert flow.actuals(project_id) == [ActualEntry("請求書出力", D(2))]


def test_recording_actuals_is_a_project_write_refused_when_stale(flow: Workflow) -> None:
    project_id = won(flow)
    stale = flow.project(project_id).row_version
    flow.record_actuals(project_id, [ActualEntry("請求書出力", D(2))], user=USER, expected_row_version=stale)
    with pytest.raises(StaleWriteError):
        flow.record_actuals(project_id, [], user=USER, expected_row_version=stale)
    assert flow.actuals(project_id) == [ActualEntry("請求書出力", D(2))]


def test_an_unknown_unit_is_refused_listing_the_units(flow: Workflow) -> None:
    with pytest.raises(InvalidInputError) as refused:
        flow.read_timesheet(won(flow), b"A,B\n", "a.csv", lang="ja", unit="weeks")
    assert refused.value.key == "errors.timesheet.unknown_unit"


# The command line


def test_the_command_line_imports_prints_what_matched_and_names_what_did_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    sample = Path(__file__).parent / "data" / "legacy_sample_input.csv"
    assert main(["estimate", str(sample), "--lang", "ja", "--title", "実績CLI"]) == 0
    timesheet = tmp_path / "ts.csv"
    timesheet.write_text(
        "成果物名称,工程,実績時間\nプログラム開発,製作,40\nプログラム開発,製作,24\nプログラム開発改,,8\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["actuals", "1", str(timesheet), "--lang", "ja"]) == 1
    assert "受注または完了" in capsys.readouterr().err
    assert main(["status", "1", "submitted"]) == 0 and main(["status", "1", "won"]) == 0
    capsys.readouterr()
    assert main(["actuals", "1", str(timesheet), "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "3行を読み込み、2行が明細に一致" in out and "候補: プログラム開発" in out and "記録していません" in out
    assert main(["actuals", "1", str(timesheet), "--change-requests", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [row["line"] for row in document["matched"]] == ["プログラム開発", "プログラム開発"]
    assert document["unmatched"][0]["suggestions"] == ["プログラム開発"]
    assert document["actuals"] == [
        {"deliverable": "プログラム開発", "phase": "implementation", "person_days": 8, "change_request": False},
        {"deliverable": "プログラム開発改", "phase": None, "person_days": 1, "change_request": True},
    ]
    timesheet.write_text("成果物名称,実績人日\nプログラム開発,abc\n", encoding="utf-8")
    assert main(["actuals", "1", str(timesheet), "--lang", "en"]) == 1
    err = capsys.readouterr().err
    assert "Row 2" in err and "--skip-invalid" in err
