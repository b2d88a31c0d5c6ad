"""Import of deliverables from an uploaded .xlsx or .csv file.

An upload is untrusted: its size, type, content and (for a workbook) its unpacked
size are checked before any parser sees it, and every refusal of the whole file is
one `InvalidInputError` with a key under `errors.import.` — never a traceback.
Problems of single rows do not refuse the file: they come back with their row
numbers next to the valid rows, so the analyst can fix the file or accept the rest.

Nothing is dropped without a word: a row under the header is either blank (empty or
only spaces in every column), imported, or a row problem, and `rows_read` counts the
last two, numbered as the user sees the rows in Excel. What would move rows out of
place is refused or told: a CSV quote that is never closed, a formula saved without
its value, a name made of invisible characters.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath
from typing import TYPE_CHECKING, TypeVar

import openpyxl
from openpyxl.cell.read_only import ReadOnlyCell

from estimator.errors import InvalidInputError
from estimator.i18n import t
from estimator.schemas import (
    MAX_DELIVERABLES,
    Deliverable,
    ImportNotice,
    ImportResult,
    RowProblem,
    description_problem,
    name_key,
    name_problem,
)
from estimator.text import visible

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MAX_DATA_ROWS = MAX_DELIVERABLES
MAX_SCANNED_ROWS = 100_000
HEADER_SCAN_ROWS = 30
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FLOOR = 1024 * 1024

NAME_HEADERS = frozenset({"成果物名称", "成果物名", "成果物", "deliverable", "name"})
DESCRIPTION_HEADERS = frozenset({"説明", "概要", "description"})
CSV_DELIMITERS = (",", "\t", ";")
CSV_ENCODINGS = ("utf-8", "cp932")
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
_MARKUP_STARTS = ("<!doctype", "<html", "<?xml", "<table", "<head", "<body", "<meta", "<!--")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# ESC (ISO-2022-JP), C1 controls and CP932's private-use fillers for 0xA0 / 0xFD-0xFF: another encoding.
_MISDECODED_CHARS = re.compile("[\x1b\x80-\x9f\uf8f0-\uf8f3]")


class _Uncalculated:
    """The value of a formula cell saved without its result (see `_sheet_rows`)."""


UNCALCULATED = _Uncalculated()


@dataclass
class Table:
    """One sheet (or the CSV file): its name and its rows numbered as the user sees them."""

    name: str | None
    index: int
    rows: Iterator[tuple[int, Sequence[object]]]


@dataclass(frozen=True)
class _Header:
    row: int
    name_column: int
    description_column: int | None
    extra_columns: tuple[str, ...]


def read_deliverables(data: bytes, filename: str, *, max_bytes: int, lang: str) -> ImportResult:
    """The deliverables in an uploaded file, with row problems and notices in `lang`."""
    return read_tables(
        data,
        filename,
        max_bytes=max_bytes,
        csv=lambda records, encoding: _csv_result(records, encoding, lang),
        workbook=lambda tables: _collect(tables, lang),
    )


Result = TypeVar("Result")


def read_tables(
    data: bytes,
    filename: str,
    *,
    max_bytes: int,
    csv: Callable[[CsvRecords, str], Result],
    workbook: Callable[[Iterator[Table]], Result],
) -> Result:
    """An uploaded .csv or .xlsx checked as a whole (size, type, disguise, package), then given to the reader
    of its kind: `csv` gets the records and the encoding, `workbook` the sheets as tables, read lazily
    while the workbook is open. Every importer (deliverables, actuals) goes through this one gate."""
    if not data:
        raise InvalidInputError("errors.import.empty_file", filename=filename)
    if len(data) > max_bytes:
        raise InvalidInputError(
            "errors.import.too_large",
            f"{len(data)} bytes",
            size_mb=_megabytes(len(data)),
            limit_mb=_megabytes(max_bytes),
        )
    extension = PurePath(filename).suffix.lower()
    if extension == ".csv":
        records, encoding = _csv_records(data, filename)
        return csv(records, encoding)
    if extension == ".xlsx":
        return _read_xlsx(data, filename, workbook)
    if extension == ".xlsm":
        raise InvalidInputError("errors.import.macro_workbook", filename=filename)
    if extension == ".xls":
        key = "errors.import.html_disguised" if _sniff(data) == "markup" else "errors.import.xls_unsupported"
        raise InvalidInputError(key, filename=filename)
    raise InvalidInputError("errors.import.unsupported_type", extension, filename=filename)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _sniff(data: bytes) -> str:
    """What the bytes are, whatever the name says: zip, ole2 (legacy or encrypted Office), markup or other."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(_OLE2_MAGIC):
        return "ole2"
    head = data[:2048]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    if text.lstrip("\ufeff \t\r\n").lower().startswith(_MARKUP_STARTS):
        return "markup"
    return "other"


# --- CSV -----------------------------------------------------------------------------------------


def _csv_records(data: bytes, filename: str) -> tuple[CsvRecords, str]:
    kind = _sniff(data)
    if kind == "zip":
        raise InvalidInputError("errors.import.workbook_as_csv", filename=filename)
    if kind == "ole2":
        raise InvalidInputError("errors.import.xls_unsupported", filename=filename)
    if kind == "markup":
        raise InvalidInputError("errors.import.html_disguised", filename=filename)
    text, encoding = _decode(data, filename)
    if not text.strip():
        raise InvalidInputError("errors.import.empty_file", "only a byte-order mark or blanks", filename=filename)
    return CsvRecords(text, _csv_delimiter(text)), encoding


def csv_table(records: CsvRecords) -> Table:
    """The CSV file as the one table it is."""
    return Table(name=None, index=0, rows=iter(records))


def _csv_result(records: CsvRecords, encoding: str, lang: str) -> ImportResult:
    result = _collect([csv_table(records)], lang)
    multiline = [
        _notice("import.notice.multiline_cell", {"row": row, "first_line": first, "last_line": last}, lang)
        for row, first, last in records.suspect
        if row > result.header_row
    ]
    return result.model_copy(update={"encoding": encoding, "notices": [*result.notices, *multiline]})


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The text of a CSV: UTF-8 (BOM or not), UTF-16 with its BOM, else Shift_JIS as Windows writes it (CP932)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    elif b"\x00" in data:
        raise InvalidInputError("errors.import.not_text", "NUL bytes", filename=filename)
    else:
        candidates = CSV_ENCODINGS
    for encoding in candidates:
        try:
            text = data.decode(encoding).removesuffix("\x1a")
        except UnicodeDecodeError:
            continue
        if _BINARY_CHARS.search(text):
            raise InvalidInputError("errors.import.not_text", "control characters", filename=filename)
        if _MISDECODED_CHARS.search(text):
            continue
        return text.removeprefix("\ufeff"), encoding
    raise InvalidInputError("errors.import.encoding", f"not {' / '.join(candidates)}", filename=filename)


def _csv_delimiter(text: str) -> str:
    """The delimiter under which a header row appears with the most cells (comma when none does)."""
    best, best_width = ",", 0
    for delimiter in CSV_DELIMITERS:
        head = itertools.islice(CsvRecords(text, delimiter), HEADER_SCAN_ROWS)
        try:
            header = next((row for _, row in head if _match_header(0, row)), None)
        except InvalidInputError:
            continue
        if header is not None and len(header) > best_width:
            best, best_width = delimiter, len(header)
    return best


class CsvRecords:
    """The records of a CSV text, numbered from 1 as Excel shows a CSV's rows, each checked against its lines.

    A quoted cell may hold line breaks: that is how Excel writes a cell with several
    lines, and it stays one row. But a quote that opens a cell and is never closed
    makes every later line part of that cell (Python's csv, like Excel, reads on to
    the end of the file), so rows vanish into one description: such a file is refused
    at that row. A stray quote further down may close the cell again; Excel writes a
    break inside a cell as LF while its rows end in CRLF, so a multi-line cell with
    any other breaks whose later lines hold the delimiter may have swallowed rows, and
    `suspect` lists it (row, first line, last line) for a notice.
    """

    def __init__(self, text: str, delimiter: str) -> None:
        self._text = text
        self._delimiter = delimiter
        self._pending: list[str] = []
        self.suspect: list[tuple[int, int, int]] = []

    def _lines(self) -> Iterator[str]:
        """The physical lines as a text editor counts them (CRLF, LF or CR), remembered until a record takes them."""
        for line in io.StringIO(self._text, newline=""):
            self._pending.append(line)
            yield line

    def __iter__(self) -> Iterator[tuple[int, Sequence[object]]]:
        reader = csv.reader(self._lines(), delimiter=self._delimiter)
        first_line, row_end = 1, ""
        try:
            for number, cells in enumerate(reader, start=1):
                lines, self._pending = self._pending, []
                record = "".join(lines)
                row_end = row_end or _line_end(lines[0])
                if '"' in record and _unclosed_quote(record, self._delimiter):
                    detail = f"row {number}, line {first_line}"
                    raise InvalidInputError("errors.import.unbalanced_quote", detail, row=number, line=first_line)
                if len(lines) > 1 and self._may_have_swallowed_rows(lines, row_end):
                    self.suspect.append((number, first_line, first_line + len(lines) - 1))
                first_line += len(lines)
                yield number, cells
        except csv.Error as error:
            raise InvalidInputError("errors.import.unreadable", str(error)) from None

    def _may_have_swallowed_rows(self, lines: list[str], row_end: str) -> bool:
        """Not Excel's own multi-line cell (LF inside, CRLF rows), and a later line holds the delimiter."""
        if row_end == "\r\n" and {_line_end(line) for line in lines[:-1]} == {"\n"}:
            return False
        return any(self._delimiter in line.split('"', 1)[0] for line in lines[1:])


def _line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _unclosed_quote(record: str, delimiter: str) -> bool:
    """Whether a quoted cell of this record's text is never closed where a cell can end.

    It is unclosed when it runs to the end of the file, or when it runs over a line
    break to a quote followed by more text (a stray quote further down, not a close).
    A quote inside an unquoted cell is a character (24" display), and a quote closed
    on its own line and followed by text ("Login" screen) reads as Python's csv reads it.
    """
    position = 0
    while position < len(record):
        if record[position] == '"':
            close = _closing_quote(record, position + 1)
            if close < 0:
                return True
            quoted = record[position:close]
            if record[close + 1 : close + 2] not in ("", delimiter, "\r", "\n") and ("\n" in quoted or "\r" in quoted):
                return True
            position = close + 1
        next_cell = record.find(delimiter, position)
        if next_cell < 0:
            return False
        position = next_cell + 1
    return False


def _closing_quote(record: str, start: int) -> int:
    """The index of the quote that closes a quoted cell begun before `start` ("" is a quote inside it), or -1."""
    while True:
        quote = record.find('"', start)
        if quote < 0 or record[quote + 1 : quote + 2] != '"':
            return quote
        start = quote + 2


# --- xlsx ----------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, workbook: Callable[[Iterator[Table]], Result]) -> Result:
    kind = _sniff(data)
    if kind == "ole2":
        key = "errors.import.encrypted" if _OLE2_ENCRYPTION_STREAM in data else "errors.import.xls_unsupported"
        raise InvalidInputError(key, filename=filename)
    if kind == "markup":
        raise InvalidInputError("errors.import.html_disguised", filename=filename)
    if kind != "zip":
        raise InvalidInputError("errors.import.not_a_workbook", "not a zip file", filename=filename)
    _check_package(data, filename)
    with contextlib.ExitStack() as workbooks:
        values = workbooks.enter_context(contextlib.closing(_load_workbook(data, data_only=True)))
        formulas = workbooks.enter_context(contextlib.closing(_load_workbook(data, data_only=False)))
        try:
            return workbook(_worksheet_tables(values, formulas))
        except InvalidInputError:
            raise
        except Exception as error:  # a damaged sheet part surfaces while its rows are read
            raise InvalidInputError("errors.import.unreadable", repr(error)) from None


def _load_workbook(data: bytes, *, data_only: bool) -> openpyxl.Workbook:
    """The workbook read lazily; `data_only` gives cached values, without it formula cells give their formulas."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        raise InvalidInputError("errors.import.unreadable", repr(error)) from None


def _check_package(data: bytes, filename: str) -> None:
    """Refuse zip bombs, macros and non-workbooks from the central directory, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            check_package_sizes(members)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
                raise InvalidInputError("errors.import.not_a_workbook", "no workbook part", filename=filename)
            content_types = package.read("[Content_Types].xml")
    except zipfile.BadZipFile as error:
        raise InvalidInputError("errors.import.not_a_workbook", str(error), filename=filename) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
        raise InvalidInputError("errors.import.macro_workbook", filename=filename)


def check_package_sizes(members: list[zipfile.ZipInfo]) -> None:
    """Bound what openpyxl may unpack by the sizes the directory declares.

    Python's zipfile never inflates a member past its declared size (a lying entry
    fails its CRC instead), so declared sizes are a safe bound; the ratio catches a
    small file that inflates a thousandfold.
    """
    limit = _megabytes(MAX_UNPACKED_BYTES)
    if len(members) > MAX_ZIP_MEMBERS:
        raise InvalidInputError("errors.import.too_large_unpacked", f"{len(members)} members", limit_mb=limit)
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInputError("errors.import.too_large_unpacked", f"{unpacked} bytes unpacked", limit_mb=limit)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FLOOR and ratio > MAX_COMPRESSION_RATIO:
            detail = f"{member.filename} inflates {ratio:.0f}x"
            raise InvalidInputError("errors.import.too_large_unpacked", detail, limit_mb=limit)


def _worksheet_tables(values: openpyxl.Workbook, formulas: openpyxl.Workbook) -> Iterator[Table]:
    for index, (sheet, formula_sheet) in enumerate(zip(values.worksheets, formulas.worksheets, strict=True)):
        sheet.reset_dimensions()
        formula_sheet.reset_dimensions()
        yield Table(name=sheet.title, index=index, rows=_sheet_rows(sheet, formula_sheet))


def _sheet_rows(sheet: ReadOnlyWorksheet, formula_sheet: ReadOnlyWorksheet) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows by their cached values, numbered from 1; a formula saved without its result reads as UNCALCULATED.

    A program that writes formulas without computing them (openpyxl, scripts) saves
    no value, and such a cell reads as None, like an empty one: its row looked blank
    and was dropped without a word. The formula view of the sheet tells the two apart;
    it is parsed only as far as the last row holding a cell that is there but has no
    value, so a plain list is parsed once. A text formula whose result is empty (Excel
    writes t="str" with an empty value, as for =IF(A2="","",A2)) stays an empty cell.
    """
    formula_rows = enumerate(formula_sheet.iter_rows(), start=1)
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if not any(_valueless(cell) for cell in cells):
            yield number, tuple(cell.value for cell in cells)
            continue
        formula_cells = next(found for row, found in formula_rows if row == number)
        yield (
            number,
            tuple(
                UNCALCULATED if _valueless(cell) and formula.data_type == "f" else cell.value
                for cell, formula in zip(cells, formula_cells, strict=True)
            ),
        )


def _valueless(cell: object) -> bool:
    """A cell that the sheet holds (not a gap) with no value and not an empty text result."""
    return isinstance(cell, ReadOnlyCell) and cell.value is None and cell.data_type != "str"


# --- rows ----------------------------------------------------------------------------------------


def _collect(tables: Sequence[Table] | Iterator[Table], lang: str) -> ImportResult:
    """Find the header (first sheet that has one wins), then read the rows under it."""
    for table in tables:
        header = _find_header(table)
        if header is not None:
            return _read_rows(table, header, lang)
    raise InvalidInputError("errors.import.no_header")


def _find_header(table: Table) -> _Header | None:
    for number, cells in itertools.islice(table.rows, HEADER_SCAN_ROWS):
        header = _match_header(number, cells)
        if header is not None:
            return header
    return None


def header_key(value: object) -> str:
    """`name_key` of the header text, inner spaces dropped too: 'Ｄｅｌｉｖｅｒａｂｌｅ ' and 「成果物　名称」 match.

    Built on `name_key`, so a header compares by the rule names do (width, case, invisible
    ends); only a header also ignores the spaces people type inside it to line a column up.
    """
    return "".join(name_key(cell_text(value)).split())


def _match_header(number: int, cells: Sequence[object]) -> _Header | None:
    keys = [header_key(cell) for cell in cells]
    name_column = next((i for i, key in enumerate(keys) if key in NAME_HEADERS), None)
    if name_column is None:
        return None
    description_column = next(
        (i for i, key in enumerate(keys) if key in DESCRIPTION_HEADERS and i != name_column), None
    )
    extras = tuple(
        " ".join(cell_text(cell).split())
        for i, cell in enumerate(cells)
        if i not in (name_column, description_column) and cell_text(cell).strip()
    )
    return _Header(number, name_column, description_column, extras)


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without '.0', dates without a midnight time."""
    if value is None or value is UNCALCULATED:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def is_blank(value: object) -> bool:
    """Nothing a user typed: empty or spaces only. A zero-width space is something, though it shows nothing."""
    return value is not UNCALCULATED and not cell_text(value).strip()


def _clean_name(value: object) -> str:
    """One line: line breaks and runs of spaces inside a name become one space, invisible ends go."""
    return " ".join(visible(_CONTROL_CHARS.sub("", cell_text(value))).split())


def _clean_description(value: object) -> str:
    text = cell_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return visible(_CONTROL_CHARS.sub("", text))


def cell_at(cells: Sequence[object], column: int | None) -> object:
    return cells[column] if column is not None and column < len(cells) else None


def _read_rows(table: Table, header: _Header, lang: str) -> ImportResult:
    deliverables: list[Deliverable] = []
    problems: list[RowProblem] = []
    first_rows: dict[str, int] = {}
    other_columns_only: list[int] = []
    data_rows = 0
    for number, cells in table.rows:
        if number - header.row > MAX_SCANNED_ROWS:
            raise InvalidInputError("errors.import.too_many_rows", f"over {MAX_SCANNED_ROWS} rows", limit=MAX_DATA_ROWS)
        name_cell, description_cell = cell_at(cells, header.name_column), cell_at(cells, header.description_column)
        if is_blank(name_cell) and is_blank(description_cell):
            if not all(map(is_blank, cells)):
                other_columns_only.append(number)
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise InvalidInputError("errors.import.too_many_rows", limit=MAX_DATA_ROWS)
        name, description = _clean_name(name_cell), _clean_description(description_cell)
        row_problems = _row_problems(number, name_cell, description_cell, name, description)
        if row_problems:
            problems.extend(row_problem(number, problem.key, problem.values, lang) for problem in row_problems)
            continue
        duplicate_key = name_key(name)
        if duplicate_key in first_rows:
            values = {"row": number, "name": name, "first_row": first_rows[duplicate_key]}
            problems.append(row_problem(number, "errors.input.duplicate_name", values, lang))
        else:
            first_rows[duplicate_key] = number
            deliverables.append(Deliverable(name=name, description=description))
    if data_rows == 0:
        raise InvalidInputError("errors.import.no_rows", sheet=table.name or "", header_row=header.row)
    return ImportResult(
        deliverables=deliverables,
        problems=problems,
        notices=_notices(table, header, other_columns_only, lang),
        sheet=table.name,
        header_row=header.row,
        rows_read=data_rows,
    )


def _row_problems(
    number: int, name_cell: object, description_cell: object, name: str, description: str
) -> list[InvalidInputError]:
    """Every reason row `number` cannot be imported; none when it can (apart from a duplicate name).

    A formula saved without its value hides the whole row. Otherwise the name and the
    description are checked apart, so a row with both wrong says so at once.
    """
    if name_cell is UNCALCULATED or description_cell is UNCALCULATED:
        return [InvalidInputError("errors.import.formula_without_value", row=number)]
    found = (_name_problem(number, name_cell, name), description_problem(description, row=number))
    return [problem for problem in found if problem is not None]


def _name_problem(number: int, name_cell: object, name: str) -> InvalidInputError | None:
    """What only a file's cell can hold (invisible characters alone, an Excel error value), then `name_problem`."""
    if not name and not is_blank(name_cell):
        return InvalidInputError("errors.import.invisible_name", row=number)
    if name in EXCEL_ERRORS:
        return InvalidInputError("errors.import.cell_error", row=number, value=name)
    return name_problem(name, row=number)


def row_problem(number: int, key: str, values: Mapping[str, object], lang: str) -> RowProblem:
    """A row that was not imported, with its message in `lang` (every importer's one shape of a row problem)."""
    return RowProblem(row=number, key=key, values=values, message=t(key, lang, **values))


def _notices(table: Table, header: _Header, other_columns_only: list[int], lang: str) -> list[ImportNotice]:
    found: list[tuple[str, dict[str, str | int]]] = []
    separator = "、" if lang == "ja" else ", "
    if table.name is not None and (table.index > 0 or header.row > 1):
        found.append(("import.notice.header_found", {"sheet": table.name, "row": header.row}))
    if header.description_column is None:
        found.append(("import.notice.no_description_column", {}))
    if header.extra_columns:
        found.append(("import.notice.extra_columns", {"columns": separator.join(header.extra_columns)}))
    if other_columns_only:
        found.append(("import.notice.other_columns_only", {"rows": _row_ranges(other_columns_only, separator)}))
    return [_notice(key, values, lang) for key, values in found]


def _notice(key: str, values: dict[str, str | int], lang: str) -> ImportNotice:
    return ImportNotice(key=key, values=values, message=t(key, lang, **values))


def _row_ranges(numbers: list[int], separator: str) -> str:
    """Row numbers with consecutive ones as a range (3, 5–9), so 40 numbered empty template rows read as one."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return separator.join(str(first) if first == last else f"{first}–{last}" for first, last in runs)
