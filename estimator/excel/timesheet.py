"""Import of actual effort from a timesheet export (.csv or .xlsx): who did how much on which deliverable.

The file goes through the deliverables importer's gate (`reader.read_tables`: size, type,
disguise, package, encoding), and its header is found the same way: in the first rows of the
first sheet that has one, header text compared by the name rule with inner spaces dropped.
A timesheet names its deliverable (or task), optionally the phase, and its effort in one of
three ways: a column whose header says the unit (実績人日, 実績時間, 実績人月, "Actual hours" …),
or an effort column (実績, 工数, "Effort") with a unit column beside it (人日 / 時間 / 人月,
days / hours / months), or an effort column alone when the caller says the unit. Hours and
person-months become person-days at the configured 8 h a day and 20 days a month.

A row that cannot be read (no name, an effort that is no number or is negative, a phase that
is none of the seven) is a row problem with its row number as Excel shows it, next to the rows
that were read: nothing is dropped without a word.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from rapidfuzz import fuzz, process

from estimator.errors import InvalidInputError
from estimator.excel.reader import (
    HEADER_SCAN_ROWS,
    MAX_DATA_ROWS,
    UNCALCULATED,
    CsvRecords,
    Table,
    cell_at,
    cell_text,
    csv_table,
    header_key,
    is_blank,
    read_tables,
    row_problem,
)
from estimator.money import round_person_days
from estimator.schemas import EffortUnit, Phase, RowProblem, Timesheet, TimesheetRow, name_key
from estimator.text import visible

_Value = TypeVar("_Value")
NAME_HEADERS = frozenset(
    {"成果物名称", "成果物名", "成果物", "タスク", "タスク名", "作業", "作業名", "deliverable", "task", "name"}
)
PHASE_HEADERS = frozenset({"工程", "フェーズ", "phase"})
UNIT_COLUMN_HEADERS = frozenset({"単位", "unit"})
GENERIC_EFFORT_HEADERS = frozenset({"実績", "工数", "実績工数", "effort", "actual", "actualeffort"})


def _each(words: str, value: _Value) -> dict[str, _Value]:
    """Every word of `words` (space-separated, as `header_key` reads text) mapped to `value`."""
    return dict.fromkeys(words.split(), value)


EFFORT_HEADERS: Mapping[str, EffortUnit] = {
    **_each(
        "実績人日 人日 実績(人日) actualperson-days person-days actualpersondays actualdays days",
        EffortUnit.PERSON_DAYS,
    ),
    **_each("実績時間 時間 実績(時間) 工数(h) actualhours hours", EffortUnit.HOURS),
    **_each("実績人月 人月 実績(人月) actualperson-months person-months actualpersonmonths", EffortUnit.PERSON_MONTHS),
}
"""Header → the unit its numbers are in (header text as `header_key` reads it)."""
UNIT_WORDS: Mapping[str, EffortUnit] = {
    **_each("人日 日 person-days persondays days day pd md", EffortUnit.PERSON_DAYS),
    **_each("時間 h hr hrs hour hours", EffortUnit.HOURS),
    **_each("人月 月 person-months personmonths months month pm mm", EffortUnit.PERSON_MONTHS),
}
PHASE_WORDS: Mapping[str, Phase] = {
    **_each("要件定義 要求定義 requirements requirementsdefinition", Phase.REQUIREMENTS),
    **_each("基本設計 外部設計 概要設計 basicdesign externaldesign", Phase.BASIC_DESIGN),
    **_each("詳細設計 内部設計 detaileddesign internaldesign", Phase.DETAILED_DESIGN),
    **_each(
        "製作 製造 実装 開発 プログラミング コーディング 単体テスト 単体試験"
        " implementation coding build development unittest unittesting",
        Phase.IMPLEMENTATION,
    ),
    **_each("結合テスト 結合試験 統合テスト integrationtest integrationtesting", Phase.INTEGRATION_TEST),
    **_each(
        "総合テスト 総合試験 システムテスト 受入テスト systemtest systemtesting acceptancetest uat", Phase.SYSTEM_TEST
    ),
    **_each(
        "pm プロジェクト管理 管理 文書 ドキュメント pm・文書 projectmanagement documentation pmdocs", Phase.PM_DOCS
    ),
    **{phase.value.replace("_", ""): phase for phase in Phase},
}
"""A phase cell → the phase (compared as `header_key` reads text); blank means the line as a whole."""
MAX_PERSON_DAYS = Decimal(100_000)
"""More person-days than this on one row is a typo (a unit column saying hours where the numbers are days)."""


@dataclass(frozen=True)
class _Columns:
    row: int
    name: int
    phase: int | None
    effort: int
    unit: EffortUnit | None  # the effort column's own unit; None: the unit column (or the caller) says it
    unit_column: int | None


def read_timesheet(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    lang: str,
    hours_per_day: Decimal,
    days_per_month: Decimal,
    unit: EffortUnit | None = None,
) -> Timesheet:
    """The rows of a timesheet export in person-days, and its row problems in `lang`.

    `unit` is the unit of an effort column whose header names none, when the file has no unit
    column; a header that names its unit keeps it.
    """
    factors = {
        EffortUnit.PERSON_DAYS: Decimal(1),
        EffortUnit.HOURS: 1 / hours_per_day,
        EffortUnit.PERSON_MONTHS: days_per_month,
    }

    def from_tables(tables: Iterable[Table]) -> Timesheet:
        for table in tables:
            columns = _find_columns(table)
            if columns is not None:
                return _read_rows(table, columns, factors, unit, lang)
        raise InvalidInputError("errors.timesheet.no_header")

    def from_csv(records: CsvRecords, _encoding: str) -> Timesheet:
        return from_tables([csv_table(records)])

    return read_tables(data, filename, max_bytes=max_bytes, csv=from_csv, workbook=from_tables)


def _find_columns(table: Table) -> _Columns | None:
    for number, cells in itertools.islice(table.rows, HEADER_SCAN_ROWS):
        keys = [header_key(cell) for cell in cells]
        name = next((i for i, key in enumerate(keys) if key in NAME_HEADERS), None)
        if name is None:
            continue
        phase = next((i for i, key in enumerate(keys) if key in PHASE_HEADERS), None)
        unit_column = next((i for i, key in enumerate(keys) if key in UNIT_COLUMN_HEADERS), None)
        stated = next((i for i, key in enumerate(keys) if key in EFFORT_HEADERS), None)
        if stated is not None:
            return _Columns(number, name, phase, stated, EFFORT_HEADERS[keys[stated]], None)
        generic = next((i for i, key in enumerate(keys) if key in GENERIC_EFFORT_HEADERS), None)
        if generic is not None:
            return _Columns(number, name, phase, generic, None, unit_column)
        raise InvalidInputError("errors.timesheet.no_effort_column", row=number)
    return None


def _read_rows(
    table: Table,
    columns: _Columns,
    factors: Mapping[EffortUnit, Decimal],
    unit: EffortUnit | None,
    lang: str,
) -> Timesheet:
    if columns.unit is None and columns.unit_column is None and unit is None:
        raise InvalidInputError("errors.timesheet.no_unit", row=columns.row)
    rows: list[TimesheetRow] = []
    problems: list[RowProblem] = []
    units: list[EffortUnit] = []
    for number, cells in _data_rows(table, columns):
        try:
            name = _name(cell_at(cells, columns.name), number)
            effort = _number(cell_at(cells, columns.effort), number)
            row_unit = columns.unit or _unit(cell_at(cells, columns.unit_column), number, unit)
            phase = _phase(cell_at(cells, columns.phase), number)
        except InvalidInputError as problem:
            problems.append(row_problem(number, problem.key, problem.values, lang))
            continue
        days = round_person_days(effort * factors[row_unit])
        if days > MAX_PERSON_DAYS:
            problems.append(row_problem(number, "errors.timesheet.too_large", {"row": number, "days": str(days)}, lang))
            continue
        if row_unit not in units:
            units.append(row_unit)
        rows.append(TimesheetRow(row=number, name=name, person_days=days, phase=phase))
    if not rows and not problems:
        raise InvalidInputError("errors.timesheet.no_rows", header_row=columns.row)
    return Timesheet(tuple(rows), tuple(problems), table.name, columns.row, tuple(units))


def _data_rows(table: Table, columns: _Columns) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows under the header that hold something in the name or effort column, at most `MAX_DATA_ROWS`."""
    count = 0
    for number, cells in table.rows:
        if is_blank(cell_at(cells, columns.name)) and is_blank(cell_at(cells, columns.effort)):
            continue
        count += 1
        if count > MAX_DATA_ROWS:
            raise InvalidInputError("errors.import.too_many_rows", limit=MAX_DATA_ROWS)
        yield number, cells


def _text(value: object) -> str:
    return " ".join(visible(cell_text(value)).split())


def _name(value: object, row: int) -> str:
    if value is UNCALCULATED:
        raise InvalidInputError("errors.import.formula_without_value", row=row)
    name = _text(value)
    if not name:
        raise InvalidInputError("errors.timesheet.no_name", row=row)
    return name


def _number(value: object, row: int) -> Decimal:
    """A cell's effort: a number, or text of one (full-width digits, thousands commas); ≥ 0."""
    if value is UNCALCULATED:
        raise InvalidInputError("errors.import.formula_without_value", row=row)
    if isinstance(value, bool):
        raise InvalidInputError("errors.timesheet.bad_effort", row=row, value=str(value))
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(",", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidInputError("errors.timesheet.bad_effort", row=row, value=_text(value) or "—") from None
    if not number.is_finite():
        raise InvalidInputError("errors.timesheet.bad_effort", row=row, value=text)
    if number < 0:
        raise InvalidInputError("errors.timesheet.negative", row=row, value=text)
    return number


def _unit(value: object, row: int, default: EffortUnit | None) -> EffortUnit:
    key = header_key(value)
    if not key:
        if default is None:
            raise InvalidInputError("errors.timesheet.bad_unit", row=row, value="—")
        return default
    found = UNIT_WORDS.get(key)
    if found is None:
        raise InvalidInputError("errors.timesheet.bad_unit", row=row, value=_text(value))
    return found


def _phase(value: object, row: int) -> Phase | None:
    key = header_key(value)
    if not key:
        return None
    found = PHASE_WORDS.get(key) or PHASE_WORDS.get(key.replace("・", "").replace("/", ""))
    if found is None:
        raise InvalidInputError("errors.timesheet.unknown_phase", row=row, value=_text(value))
    return found


FUZZY_CUTOFF = 70
"""The least rapidfuzz WRatio (0–100) for a line to be offered as what a row may mean: 「受注管理画面」 for
「受注画面」 scores 86, an unrelated line of the same project far below."""
FUZZY_LIMIT = 3


def match_timesheet(sheet: Timesheet, lines: Sequence[str]) -> Timesheet:
    """Each row with the baseline line its name is (the project's one name rule, `name_key`), or, when none
    is, the closest lines as suggestions for the analyst to confirm; the row itself is kept either way."""
    by_key = {name_key(line): line for line in lines}
    matched = []
    for row in sheet.rows:
        line = by_key.get(name_key(row.name))
        suggestions: tuple[str, ...] = ()
        if line is None:
            found = process.extract(
                name_key(row.name), list(by_key), scorer=fuzz.WRatio, limit=FUZZY_LIMIT, score_cutoff=FUZZY_CUTOFF
            )
            suggestions = tuple(by_key[key] for key, _score, _index in found)
        matched.append(replace(row, line=line, suggestions=suggestions))
    return replace(sheet, rows=tuple(matched))
