"""Import of deliverables from an uploaded .xlsx or .csv file.

An upload is untrusted: its size, type, content and (for a workbook) its unpacked
size are checked before any parser sees it, and every refusal of the whole file is
one `InvalidInputError` with a key under `errors.import.` — never a traceback.
Problems of single rows do not refuse the file: they come back with their row
numbers next to the valid rows, so the analyst can fix the file or accept the rest.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

import openpyxl
from pydantic import BaseModel, Field

from estimator.errors import InvalidInputError
from estimator.i18n import t
from estimator.schemas import Deliverable, name_key

MAX_DATA_ROWS = 1000
MAX_SCANNED_ROWS = 100_000
HEADER_SCAN_ROWS = 30
NAME_LIMIT = 200
DESCRIPTION_LIMIT = 5000
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
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# ESC (ISO-2022-JP), C1 controls and CP932's private-use fillers for 0xA0 / 0xFD-0xFF: another encoding.
_MISDECODED_CHARS = re.compile("[\x1b\x80-\x9f\uf8f0-\uf8f3]")


class RowProblem(BaseModel):
    """A row that was not imported: `row` as the user sees it, a locale key, its values, the text."""

    row: int
    key: str
    values: dict[str, str | int] = Field(default_factory=dict)
    message: str


class ImportNotice(BaseModel):
    """Something the user should know about an accepted file (ignored columns, where the header was)."""

    key: str
    values: dict[str, str | int] = Field(default_factory=dict)
    message: str


class ImportResult(BaseModel):
    deliverables: list[Deliverable]
    problems: list[RowProblem]
    notices: list[ImportNotice]
    sheet: str | None = Field(description="the worksheet read; None for CSV")
    header_row: int
    encoding: str | None = Field(default=None, description="the text encoding of a CSV file")


@dataclass
class _Table:
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
        return _read_csv(data, filename, lang)
    if extension == ".xlsx":
        return _read_xlsx(data, filename, lang)
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


def _read_csv(data: bytes, filename: str, lang: str) -> ImportResult:
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
    delimiter = _csv_delimiter(text)
    table = _Table(name=None, index=0, rows=_csv_rows(text, delimiter))
    result = _collect([table], lang)
    return result.model_copy(update={"encoding": encoding})


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
        head = itertools.islice(_csv_rows(text, delimiter), HEADER_SCAN_ROWS)
        try:
            header = next((row for _, row in head if _match_header(0, row)), None)
        except InvalidInputError:
            continue
        if header is not None and len(header) > best_width:
            best, best_width = delimiter, len(header)
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, Sequence[object]]]:
    """Records numbered from 1, as Excel shows a CSV's rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise InvalidInputError("errors.import.unreadable", str(error)) from None


# --- xlsx ----------------------------------------------------------------------------------------


def _read_xlsx(data: bytes, filename: str, lang: str) -> ImportResult:
    kind = _sniff(data)
    if kind == "ole2":
        key = "errors.import.encrypted" if _OLE2_ENCRYPTION_STREAM in data else "errors.import.xls_unsupported"
        raise InvalidInputError(key, filename=filename)
    if kind == "markup":
        raise InvalidInputError("errors.import.html_disguised", filename=filename)
    if kind != "zip":
        raise InvalidInputError("errors.import.not_a_workbook", "not a zip file", filename=filename)
    _check_package(data, filename)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged package
        raise InvalidInputError("errors.import.unreadable", repr(error)) from None
    try:
        return _collect(_worksheet_tables(workbook), lang)
    except InvalidInputError:
        raise
    except Exception as error:  # a damaged sheet part surfaces while its rows are read
        raise InvalidInputError("errors.import.unreadable", repr(error)) from None
    finally:
        workbook.close()


def _check_package(data: bytes, filename: str) -> None:
    """Refuse zip bombs, macros and non-workbooks from the central directory, before anything is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            _check_unpacked_sizes(members)
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
                raise InvalidInputError("errors.import.not_a_workbook", "no workbook part", filename=filename)
            content_types = package.read("[Content_Types].xml")
    except zipfile.BadZipFile as error:
        raise InvalidInputError("errors.import.not_a_workbook", str(error), filename=filename) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
        raise InvalidInputError("errors.import.macro_workbook", filename=filename)


def _check_unpacked_sizes(members: list[zipfile.ZipInfo]) -> None:
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


def _worksheet_tables(workbook: openpyxl.Workbook) -> Iterator[_Table]:
    for index, sheet in enumerate(workbook.worksheets):
        sheet.reset_dimensions()
        yield _Table(name=sheet.title, index=index, rows=enumerate(sheet.iter_rows(values_only=True), start=1))


# --- rows ----------------------------------------------------------------------------------------


def _collect(tables: Sequence[_Table] | Iterator[_Table], lang: str) -> ImportResult:
    """Find the header (first sheet that has one wins), then read the rows under it."""
    for table in tables:
        header = _find_header(table)
        if header is not None:
            return _read_rows(table, header, lang)
    raise InvalidInputError("errors.import.no_header")


def _find_header(table: _Table) -> _Header | None:
    for number, cells in itertools.islice(table.rows, HEADER_SCAN_ROWS):
        header = _match_header(number, cells)
        if header is not None:
            return header
    return None


def _header_key(value: object) -> str:
    """Header text compared without case or spaces (full-width ones too): 'Ｄｅｌｉｖｅｒａｂｌｅ ' matches."""
    return "".join(unicodedata.normalize("NFKC", _cell_text(value)).split()).casefold()


def _match_header(number: int, cells: Sequence[object]) -> _Header | None:
    keys = [_header_key(cell) for cell in cells]
    name_column = next((i for i, key in enumerate(keys) if key in NAME_HEADERS), None)
    if name_column is None:
        return None
    description_column = next(
        (i for i, key in enumerate(keys) if key in DESCRIPTION_HEADERS and i != name_column), None
    )
    extras = tuple(
        " ".join(_cell_text(cell).split())
        for i, cell in enumerate(cells)
        if i not in (name_column, description_column) and _cell_text(cell).strip()
    )
    return _Header(number, name_column, description_column, extras)


def _cell_text(value: object) -> str:
    """A cell as text: whole numbers without '.0', dates without a midnight time."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _clean_name(value: object) -> str:
    """One line: line breaks and runs of spaces inside a name become one space."""
    return " ".join(_CONTROL_CHARS.sub("", _cell_text(value)).split())


def _clean_description(value: object) -> str:
    text = _cell_text(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text).strip()


def _at(cells: Sequence[object], column: int | None) -> object:
    return cells[column] if column is not None and column < len(cells) else None


def _read_rows(table: _Table, header: _Header, lang: str) -> ImportResult:
    deliverables: list[Deliverable] = []
    problems: list[RowProblem] = []
    first_rows: dict[str, int] = {}
    data_rows = 0
    for number, cells in table.rows:
        if number - header.row > MAX_SCANNED_ROWS:
            raise InvalidInputError("errors.import.too_many_rows", f"over {MAX_SCANNED_ROWS} rows", limit=MAX_DATA_ROWS)
        name = _clean_name(_at(cells, header.name_column))
        description = _clean_description(_at(cells, header.description_column))
        if not name and not description:
            continue
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            raise InvalidInputError("errors.import.too_many_rows", limit=MAX_DATA_ROWS)
        row_problems = _row_problems(number, name, description)
        if not row_problems:
            duplicate_key = name_key(name)
            if duplicate_key in first_rows:
                values = {"row": number, "name": name, "first_row": first_rows[duplicate_key]}
                row_problems = [("errors.input.duplicate_name", values)]
            else:
                first_rows[duplicate_key] = number
                deliverables.append(Deliverable(name=name, description=description))
        problems.extend(_problem(number, key, values, lang) for key, values in row_problems)
    if data_rows == 0:
        raise InvalidInputError("errors.import.no_rows", sheet=table.name or "", header_row=header.row)
    return ImportResult(
        deliverables=deliverables,
        problems=problems,
        notices=_notices(table, header, lang),
        sheet=table.name,
        header_row=header.row,
    )


def _row_problems(number: int, name: str, description: str) -> list[tuple[str, dict[str, str | int]]]:
    found: list[tuple[str, dict[str, str | int]]] = []
    if not name:
        found.append(("errors.input.empty_name", {"row": number}))
    elif name in EXCEL_ERRORS:
        found.append(("errors.import.cell_error", {"row": number, "value": name}))
    elif len(name) > NAME_LIMIT:
        found.append(("errors.input.name_too_long", {"row": number, "limit": NAME_LIMIT, "length": len(name)}))
    if len(description) > DESCRIPTION_LIMIT:
        values: dict[str, str | int] = {"row": number, "limit": DESCRIPTION_LIMIT, "length": len(description)}
        found.append(("errors.import.description_too_long", values))
    return found


def _problem(number: int, key: str, values: dict[str, str | int], lang: str) -> RowProblem:
    return RowProblem(row=number, key=key, values=values, message=t(key, lang, **values))


def _notices(table: _Table, header: _Header, lang: str) -> list[ImportNotice]:
    found: list[tuple[str, dict[str, str | int]]] = []
    if table.name is not None and (table.index > 0 or header.row > 1):
        found.append(("import.notice.header_found", {"sheet": table.name, "row": header.row}))
    if header.description_column is None:
        found.append(("import.notice.no_description_column", {}))
    if header.extra_columns:
        separator = "、" if lang == "ja" else ", "
        found.append(("import.notice.extra_columns", {"columns": separator.join(header.extra_columns)}))
    return [ImportNotice(key=key, values=values, message=t(key, lang, **values)) for key, values in found]
