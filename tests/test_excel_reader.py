"""Import of deliverables: every accepted variant, and a corpus of bad files that each get one clear message.

All files are generated here, so the tests show exactly which bytes give which result.
"""

from __future__ import annotations

import codecs
import io
import random
import zipfile
from collections.abc import Callable

import openpyxl
import pytest

from estimator.errors import InvalidInputError
from estimator.excel import reader
from estimator.excel.reader import read_deliverables
from estimator.i18n import has_key, t
from estimator.schemas import ImportResult
from tests.conftest import SAMPLES, missing

MB = 1024 * 1024
LIMIT = 10 * MB
ROWS = [("要件定義書", "要件を整理した文書"), ("API設計", "REST APIの仕様, エンドポイント設計")]


def read(data: bytes, filename: str, lang: str = "ja", max_bytes: int = LIMIT) -> ImportResult:
    return read_deliverables(data, filename, max_bytes=max_bytes, lang=lang)


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(_quote(cell, delimiter) for cell in row) for row in rows) + "\r\n"


def _quote(cell: str, delimiter: str) -> str:
    return f'"{cell}"' if delimiter in cell or '"' in cell else cell


def legacy_rows() -> list[list[str]]:
    return [["成果物名称", "説明"], *[list(row) for row in ROWS]]


def names(result: ImportResult) -> list[str]:
    return [d.name for d in result.deliverables]


def zip_bytes(members: dict[str, bytes], level: int = 9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The same package with one part replaced: how a test writes XML that openpyxl itself never writes."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        members = {info.filename: package.read(info) for info in package.infolist()}
    members[name] = content
    return zip_bytes(members)


def sheet_xml(rows: list[str]) -> bytes:
    body = "".join(f'<row r="{i}">{cells}</row>' for i, cells in enumerate(rows, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# --- accepted variants ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["legacy_sample_input.csv", "legacy_sample_input.xlsx"])
def test_legacy_samples(name: str) -> None:
    path = SAMPLES / name
    if not path.exists():
        missing(f"legacy sample {path} is not there")
    result = read(path.read_bytes(), name)
    assert names(result)[0] == "要件定義書"
    assert len(result.deliverables) >= 9
    assert result.problems == []
    assert result.header_row == 1


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("shift_jis", b""),
        ("cp932", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
    ],
)
def test_csv_encodings(encoding: str, prefix: bytes) -> None:
    rows = [*legacy_rows(), ["①帳票出力", "髙橋様向けの帳票"]] if encoding == "cp932" else legacy_rows()
    result = read(prefix + csv_text(rows).encode(encoding), "list.csv")
    assert names(result) == [row[0] for row in rows[1:]]
    assert result.deliverables[1].description == "REST APIの仕様, エンドポイント設計"
    assert result.sheet is None


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiters_are_sniffed(delimiter: str) -> None:
    rows = [["Deliverable", "Description"], ["Login; screen", "Email, password\tand SSO"], ["Admin", "Users"]]
    result = read(csv_text(rows, delimiter).encode(), "list.csv", lang="en")
    assert names(result) == ["Login; screen", "Admin"]
    assert result.deliverables[0].description == "Email, password\tand SSO"


def test_utf16_tab_separated_as_excel_saves_unicode_text() -> None:
    data = codecs.BOM_UTF16_LE + csv_text(legacy_rows(), "\t").encode("utf-16-le")
    assert names(read(data, "UNICODE.CSV")) == [row[0] for row in ROWS]


@pytest.mark.parametrize(
    "header",
    [
        ["成果物名称", "説明"],
        ["成果物", "概要"],
        ["Deliverable", "Description"],
        ["Name", "Description"],
        [" deliverable ", "DESCRIPTION"],
        ["成果物　名称", "説　明"],
        ["Ｎａｍｅ", "Ｄｅｓｃｒｉｐｔｉｏｎ"],
    ],
)
def test_header_variants(header: list[str]) -> None:
    result = read(xlsx({"Sheet": [header, *map(list, ROWS)]}), "list.xlsx")
    assert names(result) == [row[0] for row in ROWS]
    assert result.deliverables[0].description == ROWS[0][1]


def test_header_on_row_3_of_the_second_sheet() -> None:
    data = xlsx(
        {
            "表紙": [["見積依頼"], ["株式会社サンプル"]],
            "一覧": [
                ["成果物一覧"],
                [],
                ["No", "成果物名称", "説明", "備考"],
                [1, *ROWS[0], "至急"],
                [2, *ROWS[1], ""],
            ],
        }
    )
    result = read(data, "request.xlsx")
    assert (result.sheet, result.header_row) == ("一覧", 3)
    assert names(result) == [row[0] for row in ROWS]
    notices = {notice.key: notice for notice in result.notices}
    assert notices["import.notice.header_found"].values == {"sheet": "一覧", "row": 3}
    assert notices["import.notice.extra_columns"].values == {"columns": "No、備考"}
    assert "備考" in notices["import.notice.extra_columns"].message


def test_extra_columns_are_listed_in_english() -> None:
    data = xlsx({"S": [["Deliverable", "Owner", "Description", "Due"], ["Login", "Ann", "Form", "May"]]})
    result = read(data, "list.xlsx", lang="en")
    assert result.deliverables[0].description == "Form"
    assert [n.values for n in result.notices] == [{"columns": "Owner, Due"}]
    assert result.notices[0].message == "These columns were not read: Owner, Due"


def test_blank_rows_are_skipped_and_rows_keep_their_numbers() -> None:
    rows: list[list[object]] = [
        ["成果物名称", "説明"],
        ["A", "x"],
        [None, None],
        ["  ", "　"],
        ["", "説明だけ"],
        ["B", ""],
    ]
    result = read(xlsx({"S": rows}), "list.xlsx")
    assert names(result) == ["A", "B"]
    assert [(p.row, p.key) for p in result.problems] == [(5, "errors.input.empty_name")]
    assert result.problems[0].message == "5行目: 成果物名が空です。"


def test_without_description_column_descriptions_are_empty() -> None:
    result = read(csv_text([["Name"], ["Login"], ["Admin"]]).encode(), "names.csv", lang="en")
    assert [(d.name, d.description) for d in result.deliverables] == [("Login", ""), ("Admin", "")]
    assert [n.key for n in result.notices] == ["import.notice.no_description_column"]


def test_cells_are_trimmed_and_names_kept_on_one_line() -> None:
    rows: list[list[object]] = [
        ["成果物名称", "説明"],
        ["  帳票\n出力  ", "  一行目\r\n二行目  "],
        [1234, 12.5],
        [3.0, None],
    ]
    result = read(xlsx({"S": rows}), "list.xlsx")
    assert [(d.name, d.description) for d in result.deliverables] == [
        ("帳票 出力", "一行目\n二行目"),
        ("1234", "12.5"),
        ("3", ""),
    ]


def test_formulas_are_read_as_their_cached_values_never_evaluated() -> None:
    """openpyxl cannot store cached values, so the sheet XML is written by hand inside the package."""
    template = xlsx({"S": [["placeholder"]]})
    rows = [
        inline("A1", "成果物名称") + inline("B1", "説明"),
        '<c r="A2" t="str"><f>CONCATENATE("ログ","イン")</f><v>ログイン</v></c>'
        '<c r="B2" t="str"><f>"never "&amp;"evaluated"</f><v>cached text</v></c>',
        '<c r="A3"><f>1+1</f><v>42</v></c>' + inline("B3", "数値の成果物"),
        '<c r="A4" t="e"><f>1/0</f><v>#DIV/0!</v></c>' + inline("B4", "壊れた数式"),
    ]
    data = replace_member(template, "xl/worksheets/sheet1.xml", sheet_xml(rows))
    result = read(data, "formulas.xlsx")
    assert [(d.name, d.description) for d in result.deliverables] == [
        ("ログイン", "cached text"),
        ("42", "数値の成果物"),
    ]
    assert [(p.row, p.key, p.values["value"]) for p in result.problems] == [(4, "errors.import.cell_error", "#DIV/0!")]


def test_row_problems_have_row_numbers_and_valid_rows_stay() -> None:
    rows: list[list[object]] = [
        ["成果物名称", "説明"],
        ["ログイン", "認証"],
        ["", "名前のない行"],
        ["長" * 201, ""],
        ["説明過多", "あ" * 5001],
        ["ログイン", "二度目"],
        ["ＡＰＩ設計", ""],
        ["API設計", "全角と半角は同じ名前"],
        ["管理画面", "正常"],
    ]
    result = read(xlsx({"S": rows}), "list.xlsx")
    assert names(result) == ["ログイン", "ＡＰＩ設計", "管理画面"]
    assert [(p.row, p.key) for p in result.problems] == [
        (3, "errors.input.empty_name"),
        (4, "errors.input.name_too_long"),
        (5, "errors.import.description_too_long"),
        (6, "errors.input.duplicate_name"),
        (8, "errors.input.duplicate_name"),
    ]
    assert result.problems[3].values == {"row": 6, "name": "ログイン", "first_row": 2}
    assert result.problems[1].message == "4行目: 成果物名が長すぎます（200文字まで）。"
    english = read(xlsx({"S": rows}), "list.xlsx", lang="en")
    assert [p.message for p in english.problems][2] == "Row 5: the description is too long (at most 5000 characters)."


def test_exactly_1000_rows_are_accepted() -> None:
    rows = [["成果物名称", "説明"], *([f"成果物{i}", ""] for i in range(1000))]
    assert len(read(csv_text(rows).encode(), "list.csv").deliverables) == 1000


def test_extension_case_does_not_matter() -> None:
    assert names(read(xlsx({"S": legacy_rows()}), "LIST.XLSX")) == [row[0] for row in ROWS]
    assert names(read(csv_text(legacy_rows()).encode(), "List.Csv")) == [row[0] for row in ROWS]


def test_zip_checks_run_before_openpyxl_opens_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("openpyxl must not see this file")

    monkeypatch.setattr(reader.openpyxl, "load_workbook", refuse)
    with pytest.raises(InvalidInputError) as caught:
        read(zip_bomb(), "bomb.xlsx")
    assert caught.value.key == "errors.import.too_large_unpacked"


# --- the bad corpus -------------------------------------------------------------------------------


def random_bytes(size: int = 4096) -> bytes:
    return random.Random(7).randbytes(size)


def zip_bomb() -> bytes:
    """A real sheet part of 20 MB of zeros: a few kilobytes on disk, inflating over a thousandfold."""
    return replace_member(xlsx({"S": legacy_rows()}), "xl/worksheets/sheet1.xml", b"\0" * (20 * MB))


def lying_zip() -> bytes:
    """A tiny package whose central directory declares 4 GB for one part."""
    data = bytearray(xlsx({"S": legacy_rows()}))
    entry = data.rindex(b"xl/worksheets/sheet1.xml") - 46
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (0xFFFF_FFF0).to_bytes(4, "little")
    return bytes(data)


def many_members() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", **{f"xl/part{i}.xml": b"" for i in range(6000)}})


def ole2(extra: bytes = b"") -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + extra + random_bytes(1024)


def macro_package() -> bytes:
    return replace_member(xlsx({"S": legacy_rows()}), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")


def broken_sheet() -> bytes:
    return replace_member(xlsx({"S": legacy_rows()}), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row")


HTML = "<!DOCTYPE html><html><body><table><tr><td>成果物名称</td><td>説明</td></tr></table></body></html>"

BAD_FILES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "empty xlsx": ("list.xlsx", lambda: b"", "errors.import.empty_file"),
    "empty csv": ("list.csv", lambda: b"", "errors.import.empty_file"),
    "only a BOM": ("list.csv", lambda: codecs.BOM_UTF8 + b"\r\n", "errors.import.empty_file"),
    "random bytes as xlsx": ("list.xlsx", random_bytes, "errors.import.not_a_workbook"),
    "random bytes as csv": ("list.csv", random_bytes, "errors.import.not_text"),
    "zip bomb": ("bomb.xlsx", zip_bomb, "errors.import.too_large_unpacked"),
    "lying zip directory": ("lying.xlsx", lying_zip, "errors.import.too_large_unpacked"),
    "6000 zip members": ("many.xlsx", many_members, "errors.import.too_large_unpacked"),
    "11 MB csv": ("big.csv", lambda: b"a" * (11 * MB), "errors.import.too_large"),
    "11 MB xlsx": ("big.xlsx", lambda: b"PK\x03\x04" + b"\0" * (11 * MB), "errors.import.too_large"),
    "5000 rows csv": (
        "rows.csv",
        lambda: csv_text([["成果物名称", "説明"], *([f"成果物{i}", "x"] for i in range(5000))]).encode(),
        "errors.import.too_many_rows",
    ),
    "5000 rows xlsx": (
        "rows.xlsx",
        lambda: xlsx({"S": [["成果物名称", "説明"], *([f"成果物{i}", "x"] for i in range(5000))]}),
        "errors.import.too_many_rows",
    ),
    "wrong headers csv": (
        "list.csv",
        lambda: csv_text([["Item", "Notes"], ["A", "B"]]).encode(),
        "errors.import.no_header",
    ),
    "wrong headers xlsx": ("list.xlsx", lambda: xlsx({"S": [["品目", "備考"], ["A", "B"]]}), "errors.import.no_header"),
    "header too far down": (
        "list.xlsx",
        lambda: xlsx({"S": [*([f"memo {i}"] for i in range(40)), ["成果物名称", "説明"], ["A", "B"]]}),
        "errors.import.no_header",
    ),
    "only headers csv": ("list.csv", lambda: "成果物名称,説明\r\n".encode(), "errors.import.no_rows"),
    "only headers and blanks xlsx": (
        "list.xlsx",
        lambda: xlsx({"S": [["成果物名称", "説明"], [None, None], ["", " "]]}),
        "errors.import.no_rows",
    ),
    "xlsm by name": ("macro.xlsm", lambda: xlsx({"S": legacy_rows()}), "errors.import.macro_workbook"),
    "macros inside an xlsx": ("macro.xlsx", macro_package, "errors.import.macro_workbook"),
    "HTML saved as xls": ("export.xls", HTML.encode, "errors.import.html_disguised"),
    "HTML named xlsx": ("export.xlsx", HTML.encode, "errors.import.html_disguised"),
    "HTML named csv": ("export.csv", HTML.encode, "errors.import.html_disguised"),
    "UTF-16 HTML as xls": (
        "export.xls",
        lambda: codecs.BOM_UTF16_LE + HTML.encode("utf-16-le"),
        "errors.import.html_disguised",
    ),
    "SpreadsheetML 2003 as xls": (
        "old.xls",
        lambda: b'<?xml version="1.0"?><Workbook/>',
        "errors.import.html_disguised",
    ),
    "real xls": ("legacy.xls", ole2, "errors.import.xls_unsupported"),
    "xls renamed xlsx": ("legacy.xlsx", ole2, "errors.import.xls_unsupported"),
    "password-protected xlsx": (
        "secret.xlsx",
        lambda: ole2("EncryptionInfo".encode("utf-16-le")),
        "errors.import.encrypted",
    ),
    "broken encoding": (
        "list.csv",
        lambda: "成果物名称,説明\r\n".encode() + b"\x82\xff\x81 ,x\r\n",
        "errors.import.encoding",
    ),
    "BOM then broken UTF-8": ("list.csv", lambda: codecs.BOM_UTF8 + b"\xe6\x88,\xff\r\n", "errors.import.encoding"),
    "ISO-2022-JP": ("list.csv", lambda: "成果物名称,説明\r\nA,B\r\n".encode("iso2022_jp"), "errors.import.encoding"),
    "UTF-16 without BOM": ("list.csv", lambda: csv_text(legacy_rows()).encode("utf-16-le"), "errors.import.not_text"),
    "truncated xlsx": ("half.xlsx", lambda: xlsx({"S": legacy_rows()})[:1500], "errors.import.not_a_workbook"),
    "docx renamed xlsx": (
        "letter.xlsx",
        lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
        "errors.import.not_a_workbook",
    ),
    "damaged sheet XML": ("broken.xlsx", broken_sheet, "errors.import.unreadable"),
    "xlsx named csv": ("list.csv", lambda: xlsx({"S": legacy_rows()}), "errors.import.workbook_as_csv"),
    "xls named csv": ("list.csv", ole2, "errors.import.xls_unsupported"),
    "pdf": ("quote.pdf", lambda: b"%PDF-1.7\n", "errors.import.unsupported_type"),
    "no extension": ("deliverables", lambda: csv_text(legacy_rows()).encode(), "errors.import.unsupported_type"),
    "ods": (
        "list.ods",
        lambda: zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "errors.import.unsupported_type",
    ),
    "huge csv field": (
        "list.csv",
        lambda: ("成果物名称,説明\r\nA," + "x" * 200_000 + "\r\n").encode(),
        "errors.import.unreadable",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_gets_one_clear_message(case: str) -> None:
    filename, make, key = BAD_FILES[case]
    with pytest.raises(InvalidInputError) as caught:
        read(make(), filename)
    error = caught.value
    assert error.key == key
    for lang in ("ja", "en"):
        assert has_key(error.key, lang)
        message = t(error.key, lang, **error.values)
        assert message.strip()
        assert "{" not in message


@pytest.mark.parametrize("filename", ["huge.csv", "huge.xlsx"])
def test_names_of_10000_characters_are_row_problems(filename: str) -> None:
    rows = [["成果物名称", "説明"], ["名" * 10_000, "説明"], ["正常な成果物", ""]]
    data = xlsx({"S": rows}) if filename.endswith(".xlsx") else csv_text(rows).encode()
    for lang in ("ja", "en"):
        result = read(data, filename, lang=lang)
        assert names(result) == ["正常な成果物"]
        assert [(p.row, p.key) for p in result.problems] == [(2, "errors.input.name_too_long")]
        assert "200" in result.problems[0].message
        assert len(result.problems[0].message) < 100


def test_size_limit_comes_from_the_caller() -> None:
    data = csv_text(legacy_rows()).encode()
    with pytest.raises(InvalidInputError) as caught:
        read(data, "list.csv", max_bytes=len(data) - 1)
    assert caught.value.key == "errors.import.too_large"
    assert read(data, "list.csv", max_bytes=len(data)).deliverables


# --- no silent import errors (issue 9): every row the user sees is imported, refused or told ----------


def refused_rows(result: ImportResult) -> set[int]:
    return {problem.row for problem in result.problems}


UNBALANCED_QUOTES: dict[str, tuple[str, int, int]] = {
    "runs to the end of the file": ('成果物名称,説明\r\n画面A,"閉じていない\r\n画面B,説明B\r\n画面C,説明C\r\n', 2, 2),
    "closed by a later quoted cell": ('成果物名称,説明\r\n画面A,"閉じていない\r\n画面B,"説明, カンマ付き"\r\n', 2, 2),
    "opens the name cell": ('成果物名称,説明\r\n"画面A,説明A\r\n画面B,説明B\r\n', 2, 2),
    "on the last line": ('成果物名称,説明\r\n画面A,説明A\r\n画面B,"説明', 3, 3),
    "after a multi-line cell": ('成果物名称,説明\r\n画面A,"一行目\n二行目"\r\n画面B,"閉じない\r\n画面C,x\r\n', 3, 4),
    "LF line ends": ('成果物名称,説明\n画面A,x\n画面B,"閉じていない\n画面C,x\n', 3, 3),
}


@pytest.mark.parametrize("case", list(UNBALANCED_QUOTES), ids=list(UNBALANCED_QUOTES))
def test_an_unbalanced_quote_is_refused_at_its_row(case: str) -> None:
    """Before, the rows after the quote vanished into one description and the file was accepted."""
    text, row, line = UNBALANCED_QUOTES[case]
    with pytest.raises(InvalidInputError) as caught:
        read(text.encode(), "list.csv")
    assert caught.value.key == "errors.import.unbalanced_quote"
    assert caught.value.values == {"row": row, "line": line}
    assert t(caught.value.key, "ja", **caught.value.values).startswith(f"{row}行目（ファイルの{line}行目）")
    assert t(caught.value.key, "en", **caught.value.values).startswith(f"Row {row} (line {line} of the file)")


@pytest.mark.parametrize(
    ("text", "second_line"),
    [
        ('成果物名称,説明\r\n帳票出力,"PDF と CSV\nA4, 縦"\r\n"ログイン\n画面",認証\r\n', "A4, 縦"),
        ('成果物名称,説明\n帳票出力,"PDF と CSV\nA4 縦"\n"ログイン\n画面",認証\n', "A4 縦"),
    ],
    ids=["Excel: CRLF rows, LF in cells", "LF everywhere"],
)
def test_a_quoted_cell_with_line_breaks_is_one_row(text: str, second_line: str) -> None:
    """As Excel writes a cell with several lines: one row, even when a later line holds the delimiter."""
    result = read(text.encode(), "list.csv")
    assert [(d.name, d.description) for d in result.deliverables] == [
        ("帳票出力", f"PDF と CSV\n{second_line}"),
        ("ログイン 画面", "認証"),
    ]
    assert (result.problems, result.notices, result.rows_read) == ([], [], 2)


def test_quotes_that_excel_reads_as_characters_are_not_unbalanced() -> None:
    text = 'Deliverable,Description\r\nMonitor 24",Stand\r\n"Login" screen,Form\r\n"Say ""hi""",x\r\n'
    result = read(text.encode(), "list.csv", lang="en")
    assert names(result) == ['Monitor 24"', "Login screen", 'Say "hi"']
    assert result.rows_read == 3


def test_rows_swallowed_up_to_a_stray_quote_are_told_with_their_lines() -> None:
    """A stray quote (24") can close the cell again: Excel reads one row too, so the row stays, with a notice."""
    text = '成果物名称,説明\r\n画面A,"閉じていない\r\n画面B,説明B\r\n画面C,24インチ"\r\n画面D,説明D\r\n'
    for lang in ("ja", "en"):
        result = read(text.encode(), "list.csv", lang=lang)
        assert names(result) == ["画面A", "画面D"]
        assert [(n.key, n.values) for n in result.notices] == [
            ("import.notice.multiline_cell", {"row": 2, "first_line": 2, "last_line": 4})
        ]
        assert ("2行目はファイルの2〜4行目" if lang == "ja" else "Row 2 spans lines 2–4") in result.notices[0].message


def formula_sheet() -> list[list[object]]:
    return [
        ["成果物名称", "説明"],
        ["ログイン", "認証"],
        ['="画面"&"A"', '=A2&"の説明"'],
        ['=UPPER("api")', "説明あり"],
        ["管理画面", "=B2"],
        ["最後の行", "x"],
    ]


def test_formulas_without_computed_values_are_row_problems() -> None:
    """openpyxl saves formulas with no cached value; before, row 3 vanished and rows 4-5 came out wrong."""
    for lang in ("ja", "en"):
        result = read(xlsx({"S": formula_sheet()}), "generated.xlsx", lang=lang)
        assert names(result) == ["ログイン", "最後の行"]
        assert [(p.row, p.key) for p in result.problems] == [
            (3, "errors.import.formula_without_value"),
            (4, "errors.import.formula_without_value"),
            (5, "errors.import.formula_without_value"),
        ]
        assert result.problems[0].message.startswith("3行目: " if lang == "ja" else "Row 3: ")
        assert result.rows_read == 5


def test_an_empty_text_result_is_blank_and_a_missing_value_is_not() -> None:
    """Excel saves ="" as t="str" with an empty value (a blank cell); a formula with no value at all is reported."""
    template = xlsx({"S": [["placeholder"]]})
    rows = [
        inline("A1", "成果物名称") + inline("B1", "説明"),
        inline("A2", "ログイン") + '<c r="B2" t="str"><f>IF(TRUE,"","x")</f><v></v></c>',
        '<c r="A3" t="str"><f>IF(TRUE,"","x")</f><v/></c><c r="B3" t="str"><f>""</f><v></v></c>',
        '<c r="A4"><f>1+1</f></c>' + inline("B4", "計算されていない"),
        inline("A5", "管理画面"),
    ]
    result = read(replace_member(template, "xl/worksheets/sheet1.xml", sheet_xml(rows)), "formulas.xlsx")
    assert [(d.name, d.description) for d in result.deliverables] == [("ログイン", ""), ("管理画面", "")]
    assert [(p.row, p.key) for p in result.problems] == [(4, "errors.import.formula_without_value")]
    assert result.rows_read == 3


INVISIBLE_NAMES = {
    "zero-width space": "\u200b",
    "zero-width non-joiner and joiner": "\u200c\u200d",
    "word joiner": "\u2060",
    "BOM": "\ufeff",
    "soft hyphen": "\u00ad",
    "ideographic space and ZWSP": "\u3000\u200b",
    "no-break space and ZWSP": "\u00a0\u200b",
    "em space and word joiner": "\u2003\u2060",
    "Hangul filler": "\u3164",
    "DEL": "\x7f",
}


@pytest.mark.parametrize("filename", ["list.xlsx", "list.csv"])
@pytest.mark.parametrize("case", list(INVISIBLE_NAMES), ids=list(INVISIBLE_NAMES))
def test_a_name_of_invisible_characters_is_refused(case: str, filename: str) -> None:
    invisible = INVISIBLE_NAMES[case]
    rows = [["成果物名称", "説明"], [invisible, "説明はある"], [invisible, ""], ["実在の成果物", ""]]
    data = xlsx({"S": rows}) if filename.endswith(".xlsx") else csv_text(rows).encode()
    result = read(data, filename)
    assert names(result) == ["実在の成果物"]
    assert [(p.row, p.key) for p in result.problems] == [
        (2, "errors.import.invisible_name"),
        (3, "errors.import.invisible_name"),
    ]
    assert result.problems[0].message == "2行目: 成果物名が見えない文字（ゼロ幅スペースなど）だけで、空です。"
    assert read(data, filename, lang="en").problems[1].message.startswith("Row 3: the name holds only invisible")


def test_invisible_characters_at_the_ends_of_names_are_trimmed() -> None:
    rows: list[list[object]] = [
        ["成果物名称", "説明"],
        ["\ufeff\u200bログイン画面\u200b\u00a0", "\u2060認証\u200b"],
        ["\u00ad請求書", ""],
        ["\U0001f468\u200d\U0001f4bb 開発環境", ""],
        ["ログイン画面\u200b", "二度目"],
    ]
    result = read(xlsx({"S": rows}), "list.xlsx")
    assert [(d.name, d.description) for d in result.deliverables] == [
        ("ログイン画面", "認証"),
        ("請求書", ""),
        ("\U0001f468\u200d\U0001f4bb 開発環境", ""),
    ]
    assert [(p.row, p.key, p.values["first_row"]) for p in result.problems] == [(5, "errors.input.duplicate_name", 2)]


def test_rows_read_are_the_imported_and_the_refused_rows_and_others_are_told() -> None:
    rows: list[list[object]] = [
        ["No", "成果物名称", "説明"],
        [1, "要件定義書", "x"],
        [None, None, None],
        [2, "", "説明だけ"],
        [3, "長" * 201, "あ" * 5001],
        [4, "基本設計書", ""],
        [5, None, None],
        [6, "", "　"],
        [None, "  ", "\u3000"],
        [7, "結合テスト", ""],
        [8, None, None],
    ]
    for lang, separator in (("ja", "、"), ("en", ", ")):
        result = read(xlsx({"S": rows}), "list.xlsx", lang=lang)
        assert names(result) == ["要件定義書", "基本設計書", "結合テスト"]
        assert refused_rows(result) == {4, 5}
        assert len(result.problems) == 3
        assert result.rows_read == len(result.deliverables) + len(refused_rows(result)) == 5
        skipped = {n.key: n.values for n in result.notices}["import.notice.other_columns_only"]
        assert skipped == {"rows": f"7–8{separator}11"}
    csv_rows = [["成果物名称", "説明", "備考"], ["A", "", ""], ["", "", "至急"], ["", "", ""], ["B", "", ""]]
    result = read(csv_text(csv_rows).encode(), "list.csv")
    assert (result.rows_read, names(result)) == (2, ["A", "B"])
    assert {n.key: n.values for n in result.notices}["import.notice.other_columns_only"] == {"rows": "3"}
