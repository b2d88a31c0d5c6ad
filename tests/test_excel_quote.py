"""The quote workbook read back with openpyxl: sheets, formulas, formats, print setup, and text that stays text."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from estimator.config import load_settings
from estimator.excel.quote import (
    HistoryEntry,
    QuoteDocument,
    build_quote_workbook,
    quote_filename,
)
from estimator.i18n import t
from estimator.schemas import PHASES, EstimateLine, PhaseDays, Pricing, QaItem, price

INJECTIONS = ("=1+1", '=HYPERLINK("http://x","y")', "+81-3-0000", "-5 days", "@SUM(A1)", "\tTAB", "\rCR")
HEADER_ROW = 11
FIRST_LINE = 12


def make_line(name: str, requirements: str, implementation: str, **extra: object) -> EstimateLine:
    phases = PhaseDays(requirements=Decimal(requirements), implementation=Decimal(implementation))
    return EstimateLine(
        deliverable=name,
        phases=phases,
        optimistic=phases.total * Decimal("0.8"),
        pessimistic=phases.total * Decimal("1.6"),
        **extra,
    )


def make_document(
    lang: str = "ja",
    *,
    lines: list[EstimateLine] | None = None,
    pricing: Pricing | None = None,
    **fields: object,
) -> QuoteDocument:
    if pricing is None:
        pricing = (
            Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10), rounding="floor")
            if lang == "ja"
            else Pricing(currency="USD", unit_cost=Decimal(500), tax_rate=Decimal(0), rounding="floor")
        )
    lines = lines or [
        make_line("要件定義書", "2.5", "0", description="要件の整理", reasoning="画面数から算出", risks=["仕様変更"]),
        make_line("ログイン画面", "0.5", "3.25", description="ID/パスワード認証"),
    ]
    values: dict[str, object] = {
        "language": lang,
        "issuer_company": "株式会社見積" if lang == "ja" else "Estimator Ltd.",
        "issuer_address": "東京都千代田区1-1",
        "issuer_registration_number": "T1234567890123",
        "issuer_contact": "03-0000-0000",
        "client": "ACME株式会社" if lang == "ja" else "ACME Inc.",
        "title": "ポータル刷新" if lang == "ja" else "Portal renewal",
        "quote_number": "Q-2026-0001",
        "revision": 2,
        "issue_date": date(2026, 11, 26),
        "valid_until": date(2026, 12, 26),
        "estimate": price(lines, pricing),
        "assumptions": ["本番環境はお客様にてご用意"],
        "exclusions": ["データ移行"],
        "qa": [QaItem(question="対応ブラウザは？", answer="Chrome と Edge"), QaItem(question="SSOは必要？")],
        "history": [
            HistoryEntry(version=1, origin="generated", created_at=datetime(2026, 11, 20, 9, 30)),
            HistoryEntry(version=2, origin="adjusted", request="あと30万円安く", summary="テスト工数 -20%"),
        ],
        "created_by": "山田",
    }
    return QuoteDocument.model_validate({**values, **fields})


def load(doc: QuoteDocument) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_quote_workbook(doc)))


def cells_with(sheet: Worksheet, value: object) -> list[openpyxl.cell.cell.Cell]:
    return [cell for row in sheet.iter_rows() for cell in row if cell.value == value]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sheets_are_named_from_the_locale(lang: str) -> None:
    workbook = load(make_document(lang))
    keys = ("excel.sheet.quote", "excel.sheet.breakdown", "excel.sheet.qa")
    assert workbook.sheetnames == [t(key, lang) for key in keys]


def test_japanese_quote_header() -> None:
    sheet = load(make_document("ja"))["見積書"]
    assert sheet["A1"].value == "御見積書"
    assert sheet["A2"].value == "ACME株式会社 御中"
    assert sheet["A3"].value == "件名：ポータル刷新"
    assert (sheet["E2"].value, sheet["F2"].value) == ("見積番号", "Q-2026-0001-02")
    assert sheet["F3"].value == datetime(2026, 11, 26)
    assert sheet["F4"].value == datetime(2026, 12, 26)
    assert sheet["F3"].number_format == 'yyyy"年"m"月"d"日"'
    issuer = [sheet.cell(row=row, column=4).value for row in range(5, 10)]
    assert issuer == [
        "株式会社見積",
        "東京都千代田区1-1",
        "登録番号：T1234567890123",
        "連絡先：03-0000-0000",
        "担当：山田",
    ]
    assert sheet["A6"].value == "お見積金額"
    assert sheet["A1"].font.name == "Yu Gothic"


@pytest.mark.parametrize(
    ("lang", "rounding", "function", "digits", "money"),
    [
        ("ja", "floor", "ROUNDDOWN", 0, "¥#,##0"),
        ("ja", "half_up", "ROUND", 0, "¥#,##0"),
        ("ja", "ceil", "ROUNDUP", 0, "¥#,##0"),
        ("en", "floor", "ROUNDDOWN", 2, "$#,##0.00"),
        ("en", "half_up", "ROUND", 2, "$#,##0.00"),
        ("en", "ceil", "ROUNDUP", 2, "$#,##0.00"),
    ],
)
def test_amounts_and_totals_are_formulas(lang: str, rounding: str, function: str, digits: int, money: str) -> None:
    currency = "JPY" if lang == "ja" else "USD"
    pricing = Pricing(currency=currency, unit_cost=Decimal("333.33"), tax_rate=Decimal("8.5"), rounding=rounding)
    doc = make_document(lang, pricing=pricing)
    sheet = load(doc).worksheets[0]
    last = FIRST_LINE + len(doc.estimate.lines) - 1
    for row, priced in enumerate(doc.estimate.lines, start=FIRST_LINE):
        assert sheet.cell(row=row, column=2).value == priced.line.deliverable
        assert sheet.cell(row=row, column=4).value == float(priced.line.person_days)
        assert sheet.cell(row=row, column=5).value == pytest.approx(333.33)
        assert sheet.cell(row=row, column=6).value == f"={function}(D{row}*E{row},{digits})"
        assert sheet.cell(row=row, column=4).number_format == "#,##0.00"
        assert sheet.cell(row=row, column=5).number_format == money
        assert sheet.cell(row=row, column=6).number_format == money
    subtotal, tax, total = last + 1, last + 2, last + 3
    assert sheet[f"F{subtotal}"].value == f"=SUM(F{FIRST_LINE}:F{last})"
    assert sheet[f"F{tax}"].value == f"={function}(F{subtotal}*8.5/100,{digits})"
    assert sheet[f"F{total}"].value == f"=F{subtotal}+F{tax}"
    assert sheet[f"E{tax}"].value == t("excel.quote.tax", lang, rate="8.5")
    assert {sheet[f"F{row}"].number_format for row in (subtotal, tax, total)} == {money}
    assert sheet["C6"].value == f"=F{total}"
    assert sheet["C6"].number_format == money + ('"（税込）"' if lang == "ja" else "")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_print_setup_and_frozen_header(lang: str) -> None:
    workbook = load(make_document(lang))
    quote, breakdown, qa = workbook.worksheets
    assert quote.freeze_panes == f"A{FIRST_LINE}"
    assert quote.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert [cell.value for cell in quote[HEADER_ROW]] == [
        t(f"excel.col.{key}", lang)
        for key in ("no", "deliverable", "description", "person_days", "unit_cost", "amount")
    ]
    for sheet, orientation in ((quote, "portrait"), (breakdown, "landscape"), (qa, "portrait")):
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.orientation == orientation
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.print_title_rows
        assert sheet.freeze_panes
    assert quote.column_dimensions["C"].width > quote.column_dimensions["A"].width
    assert quote.cell(row=FIRST_LINE, column=3).alignment.wrap_text is True


def test_assumptions_and_exclusions_follow_the_totals() -> None:
    doc = make_document("ja", exclusions=[])
    sheet = load(doc).worksheets[0]
    texts = [cell.value for cell in sheet["A"] if isinstance(cell.value, str)]
    assert texts[-4:] == ["前提条件", "・本番環境はお客様にてご用意", "見積対象外", "・なし"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_breakdown_has_phases_pert_and_totals(lang: str) -> None:
    doc = make_document(lang)
    sheet = load(doc).worksheets[1]
    header = [cell.value for cell in sheet[3]]
    assert header[2:9] == [t(f"phase.{phase.value}", lang) for phase in PHASES]
    assert header[9:14] == [
        t(f"excel.col.{key}", lang) for key in ("total_days", "optimistic", "most_likely", "pessimistic", "expected")
    ]
    first = doc.estimate.lines[0].line
    assert sheet["C4"].value == float(first.phases.requirements)
    assert sheet["J4"].value == "=SUM(C4:I4)"
    assert sheet["L4"].value == "=J4"
    assert sheet["N4"].value == "=(K4+4*L4+M4)/6"
    assert sheet["O4"].value == "画面数から算出"
    assert sheet["P4"].value == "・仕様変更"
    assert sheet["B6"].value == t("excel.breakdown.total", lang)
    assert [sheet.cell(row=6, column=c).value for c in (3, 9, 14)] == ["=SUM(C4:C5)", "=SUM(I4:I5)", "=SUM(N4:N5)"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_qa_marks_unanswered_and_lists_history(lang: str) -> None:
    sheet = load(make_document(lang)).worksheets[2]
    assert [c.value for c in sheet[3]][:3] == [1, "対応ブラウザは？", "Chrome と Edge"]
    assert sheet["C4"].value == t("excel.qa.unanswered", lang)
    assert sheet["C4"].font.italic is True
    history_title = cells_with(sheet, t("excel.history.title", lang))[0].row
    first, second = sheet[history_title + 2], sheet[history_title + 3]
    assert [c.value for c in first] == [1, None, None, t("origin.generated", lang), "2026-11-20 09:30"]
    assert [c.value for c in second][:4] == [2, "あと30万円安く", "テスト工数 -20%", t("origin.adjusted", lang)]


def test_empty_qa_and_history_say_so() -> None:
    sheet = load(make_document("en", qa=[], history=[])).worksheets[2]
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value]
    assert "No questions." in values
    assert "No history." in values


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    lines = [
        make_line(payload, "1", "1.5", description=payload, reasoning=payload, risks=[payload])
        for payload in INJECTIONS
    ]
    doc = make_document(
        "ja",
        lines=lines,
        client="=cmd|' /C calc'!A0",
        title="@title",
        assumptions=list(INJECTIONS),
        exclusions=list(INJECTIONS),
        qa=[QaItem(question=payload, answer=payload) for payload in INJECTIONS],
        history=[HistoryEntry(version=1, origin="=origin", request=payload, summary=payload) for payload in INJECTIONS],
        created_by="=USER()",
    )
    workbook = load(doc)
    found = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and any(payload in cell.value for payload in INJECTIONS):
                    found += 1
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                if cell.data_type == "f":
                    assert not any(marker in cell.value for marker in ("HYPERLINK", "1+1", "cmd", "USER", "origin"))
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cell.data_type == "s" or cell.value.startswith(("=SUM(", "=ROUND", "=F", "=J", "=(")), (
                        sheet.title,
                        cell.coordinate,
                    )
    assert found >= 6 * len(INJECTIONS)
    quote = workbook.worksheets[0]
    assert quote["B12"].value == "=1+1"
    assert quote["B12"].data_type == "s"
    assert quote["B12"].quotePrefix is True
    assert quote["A2"].value == "=cmd|' /C calc'!A0 御中"


def test_control_characters_do_not_break_the_workbook() -> None:
    doc = make_document("en", lines=[make_line("Bell\x07 line", "1", "1", description="tab\tok\x00null")])
    sheet = load(doc).worksheets[0]
    assert sheet["B12"].value == "Bell line"
    assert sheet["C12"].value == "tab\toknull"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ポータル刷新", "Q-2026-0001-02_ポータル刷新.xlsx"),
        ("基幹/販売:管理*システム?", "Q-2026-0001-02_基幹販売管理システム.xlsx"),
        ('..\\..\\etc/passwd<>|"', "Q-2026-0001-02_etcpasswd.xlsx"),
        ("改行\nと\tタブ と　全角空白", "Q-2026-0001-02_改行_と_タブ_と_全角空白.xlsx"),
        ("evil\u202egpj.exe\x00", "Q-2026-0001-02_evilgpj.exe.xlsx"),
        ("", "Q-2026-0001-02.xlsx"),
        ("///", "Q-2026-0001-02.xlsx"),
    ],
)
def test_quote_filename(title: str, expected: str) -> None:
    assert quote_filename(make_document("ja", title=title)) == expected


def test_quote_filename_is_bounded() -> None:
    name = quote_filename(make_document("ja", title="長" * 500))
    assert name == "Q-2026-0001-02_" + "長" * 60 + ".xlsx"
    assert len(name.encode()) < 255


def test_document_validation() -> None:
    with pytest.raises(ValidationError):
        make_document("ja", issuer_registration_number="1234567890123")
    with pytest.raises(ValidationError):
        make_document("ja", valid_until=date(2026, 11, 25))
    assert make_document("ja", revision=0).display_number == "Q-2026-0001-00"


def test_from_settings_fills_issuer_and_validity() -> None:
    settings = load_settings(
        issuer_company="株式会社設定",
        issuer_registration_number="T9999999999999",
        quote_validity_days=45,
    )
    base = make_document("ja")
    doc = QuoteDocument.from_settings(
        settings,
        issue_date=date(2026, 1, 10),
        language="ja",
        title="件名",
        quote_number="Q-2026-0007",
        revision=1,
        estimate=base.estimate,
    )
    assert doc.issuer_company == "株式会社設定"
    assert doc.issuer_registration_number == "T9999999999999"
    assert doc.valid_until == date(2026, 2, 24)
    assert load(doc).worksheets[0]["D6"].value == "登録番号：T9999999999999"


def test_a_thousand_lines_export() -> None:
    lines = [make_line(f"成果物{i}", "0.25", "1.5") for i in range(1000)]
    sheet = load(make_document("ja", lines=lines)).worksheets[0]
    assert sheet["F1011"].value == "=ROUNDDOWN(D1011*E1011,0)"
    assert sheet["F1012"].value == "=SUM(F12:F1011)"


NO_ISSUER = {
    "issuer_company": "",
    "issuer_address": " ",
    "issuer_registration_number": "",
    "issuer_contact": "\u200b",
    "created_by": "",
}


def test_without_issuer_settings_or_staff_the_issuer_rows_are_empty_and_unstyled() -> None:
    """No heading, border or merged row is left where the block would be; blank values count as unset."""
    sheet = load(make_document("ja", **NO_ISSUER)).worksheets[0]
    block = [sheet.cell(row=row, column=column) for row in range(5, 10) for column in range(4, 7)]
    assert [cell.value for cell in block] == [None] * len(block)
    assert {cell.style for cell in block} == {"Normal"}
    assert not [
        merged for merged in sheet.merged_cells.ranges if merged.min_row in range(5, 10) and merged.max_col >= 4
    ]
    assert not [
        cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str) and "担当" in cell.value
    ]


def test_staff_alone_takes_the_first_issuer_row() -> None:
    sheet = load(make_document("ja", **{**NO_ISSUER, "created_by": "山田 花子"})).worksheets[0]
    assert [sheet.cell(row=row, column=4).value for row in range(5, 10)] == ["担当：山田 花子", None, None, None, None]


def test_the_breakdown_prints_each_lines_reasoning_as_stored() -> None:
    """The note an adjustment appends is on its own line of the cell, which wraps."""
    reasoning = "画面数から算出→17.1人日\n調整: テストを20%削減 → 16.62人日"
    lines = [make_line("結合テスト", "0", "16.62", reasoning=reasoning)]
    cell = load(make_document("ja", lines=lines)).worksheets[1]["O4"]
    assert cell.value == reasoning
    assert cell.alignment.wrap_text is True
