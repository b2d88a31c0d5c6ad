"""Export of the quote workbook (見積書): the quote, the phase breakdown, the Q&A.

Amounts, subtotal, tax and total are live formulas that restate the rules of
`estimator.money` (ROUNDDOWN / ROUND / ROUNDUP to the currency's minor unit), so
the client's spreadsheet recomputes exactly the numbers the app shows. Every
text from a user or the model is stored as a string cell, never as a formula.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field, model_validator

from estimator.config import RegistrationNumber, Settings
from estimator.i18n import Language, format_number, has_key, t
from estimator.money import currency_digits
from estimator.schemas import PHASES, PricedEstimate, QaItem
from estimator.text import is_blank

EXCEL_ROUNDING = {"floor": "ROUNDDOWN", "half_up": "ROUND", "ceil": "ROUNDUP"}
MONEY_FORMATS = {"JPY": "¥#,##0", "USD": "$#,##0.00"}
DAYS_FORMAT = "#,##0.00"
FONTS = {"ja": "Yu Gothic", "en": "Calibri"}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
FILENAME_TITLE_CHARS = 60

_FILENAME_UNSAFE = re.compile(r'[<>:"/\\|?*]')

# Quote sheet layout: the issuer block sits in rows 5-9 beside the headline; lines start under row 11.
QUOTE_HEADER_ROW = 11
QUOTE_WIDTHS = (6, 30, 46, 12, 14, 17)
BREAKDOWN_HEADER_ROW = 3
QA_HEADER_ROW = 2


class HistoryEntry(BaseModel):
    """One version in the adjustment history: how it came about and what changed."""

    version: int = Field(ge=1)
    origin: str
    request: str = ""
    summary: str = ""
    created_at: datetime | None = None


class QuoteDocument(BaseModel):
    """Everything the quote workbook shows; money comes priced from `schemas.price`."""

    language: Language
    issuer_company: str = ""
    issuer_address: str = ""
    issuer_registration_number: RegistrationNumber = ""
    issuer_contact: str = ""
    client: str = ""
    title: str
    quote_number: str = Field(min_length=1, max_length=40)
    revision: int = Field(ge=0, le=999)
    issue_date: date
    valid_until: date
    estimate: PricedEstimate
    assumptions: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)
    qa: list[QaItem] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    created_by: str = ""

    @model_validator(mode="after")
    def _valid_after_issue(self) -> QuoteDocument:
        if self.valid_until < self.issue_date:
            raise ValueError("valid_until is before issue_date")
        return self

    @property
    def display_number(self) -> str:
        """Q-2026-0001-02: the quote number with its two-digit revision."""
        return f"{self.quote_number}-{self.revision:02d}"

    @classmethod
    def from_settings(cls, settings: Settings, *, issue_date: date, **fields: object) -> QuoteDocument:
        """A document with the issuer and validity period from settings; `fields` may override them."""
        defaults: dict[str, object] = {
            "issuer_company": settings.issuer_company,
            "issuer_address": settings.issuer_address,
            "issuer_registration_number": settings.issuer_registration_number,
            "issuer_contact": settings.issuer_contact,
            "valid_until": issue_date + timedelta(days=settings.quote_validity_days),
        }
        return cls.model_validate({**defaults, **fields, "issue_date": issue_date})


def quote_filename(doc: QuoteDocument) -> str:
    """`Q-2026-0001-02_件名.xlsx`: Japanese kept; separators, reserved and control characters dropped."""
    number = _filename_part(doc.display_number)
    title = _filename_part(doc.title)[:FILENAME_TITLE_CHARS].rstrip("._")
    return f"{number}_{title}.xlsx" if title else f"{number}.xlsx"


def _filename_part(text: str) -> str:
    text = "_".join(unicodedata.normalize("NFC", text).split())
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return _FILENAME_UNSAFE.sub("", text).strip("._")


def build_quote_workbook(doc: QuoteDocument) -> bytes:
    """The .xlsx bytes of the quote: 見積書 / 内訳 / 質疑応答 (Quote / Breakdown / Q&A)."""
    workbook = Workbook()
    _add_styles(workbook, doc)
    workbook.properties.title = doc.title
    workbook.properties.creator = doc.created_by or doc.issuer_company or "Estimator"
    _write_quote(workbook.active, doc)
    _write_breakdown(workbook.create_sheet(), doc)
    _write_qa(workbook.create_sheet(), doc)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- cells and styles ----------------------------------------------------------------------------

_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def _add_styles(workbook: Workbook, doc: QuoteDocument) -> None:
    """Named styles: one object per look, so a 1,000-line quote is styled quickly."""
    lang = doc.language
    font = FONTS[lang]
    money = MONEY_FORMATS[doc.estimate.pricing.currency]
    top_left = Alignment(vertical="top", wrap_text=True)
    styles = [
        NamedStyle("est_text", font=Font(name=font, size=10), alignment=top_left, border=_BOX),
        NamedStyle("est_plain", font=Font(name=font, size=10), alignment=Alignment(vertical="top", wrap_text=True)),
        NamedStyle("est_bold", font=Font(name=font, size=10, bold=True), alignment=Alignment(vertical="center")),
        NamedStyle("est_title", font=Font(name=font, size=18, bold=True), alignment=Alignment(horizontal="center")),
        NamedStyle("est_client", font=Font(name=font, size=14, bold=True), border=Border(bottom=Side(style="medium"))),
        NamedStyle(
            "est_header",
            font=Font(name=font, size=10, bold=True),
            fill=_HEADER_FILL,
            border=_BOX,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle("est_days", font=Font(name=font, size=10), border=_BOX, number_format=DAYS_FORMAT),
        NamedStyle("est_money", font=Font(name=font, size=10), border=_BOX, number_format=money),
        NamedStyle("est_total", font=Font(name=font, size=10, bold=True), border=_BOX, number_format=money),
        NamedStyle(
            "est_headline",
            font=Font(name=font, size=16, bold=True),
            border=Border(bottom=Side(style="double")),
            number_format=money + _quoted(t("excel.quote.headline_suffix", lang)),
        ),
        NamedStyle("est_date", font=Font(name=font, size=10), number_format=t("excel.format.date", lang)),
        NamedStyle(
            "est_unanswered",
            font=Font(name=font, size=10, italic=True, color="C00000"),
            alignment=top_left,
            border=_BOX,
        ),
        NamedStyle("est_number", font=Font(name=font, size=10), border=_BOX, alignment=Alignment(vertical="top")),
    ]
    for style in styles:
        workbook.add_named_style(style)


def _quoted(text: str) -> str:
    return f'"{text}"' if text else ""


def _text(sheet: Worksheet, row: int, column: int, text: str, style: str = "est_text") -> Cell:
    """A string cell, even when the text looks like a formula (=, +, -, @, tab, CR): formula injection stays text."""
    cell = sheet.cell(row=row, column=column)
    clean = ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]
    cell.value = clean
    cell.style = style
    if clean.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _value(sheet: Worksheet, row: int, column: int, value: object, style: str) -> Cell:
    """A number, date or formula written by the app itself."""
    cell = sheet.cell(row=row, column=column, value=value)
    cell.style = style
    return cell


def _number(value: Decimal) -> int | Decimal:
    """Decimal as the cell stores it: whole numbers as int, others in plain (non-exponent) notation."""
    if value == value.to_integral_value():
        return int(value)
    return Decimal(format(value.normalize(), "f"))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_height(sheet: Worksheet, row: int, text: str, width: float) -> None:
    """Merged cells are never auto-fitted by Excel, so give a wrapped merged row the height its text needs."""
    lines = sum(max(1, math.ceil(_display_width(part) / max(width, 1))) for part in text.split("\n"))
    sheet.row_dimensions[row].height = max(15, 14 * lines)


def _column_widths(sheet: Worksheet, widths: tuple[float, ...]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _print_setup(sheet: Worksheet, header_row: int, *, landscape: bool = False) -> None:
    """A4, one page wide, as many pages tall as needed, the header row repeated, page numbers in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.oddFooter.center.text = "&P / &N"


def _header_row(sheet: Worksheet, row: int, labels: list[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _text(sheet, row, column, label, "est_header")


# --- 見積書 / Quote -------------------------------------------------------------------------------


def _write_quote(sheet: Worksheet, doc: QuoteDocument) -> None:
    lang = doc.language
    sheet.title = t("excel.sheet.quote", lang)
    _column_widths(sheet, QUOTE_WIDTHS)
    _quote_heading(sheet, doc)
    first = QUOTE_HEADER_ROW + 1
    last = _quote_lines(sheet, doc, first)
    total_row = _quote_totals(sheet, doc, first, last)
    headline = _value(sheet, 6, 3, f"=F{total_row}", "est_headline")
    headline.alignment = Alignment(horizontal="right")
    _text(sheet, 6, 1, t("excel.quote.headline", lang), "est_bold")
    sheet.merge_cells(start_row=6, start_column=1, end_row=6, end_column=2)
    row = _bullet_section(sheet, total_row + 2, t("excel.quote.assumptions", lang), doc.assumptions, lang)
    _bullet_section(sheet, row + 1, t("excel.quote.exclusions", lang), doc.exclusions, lang)
    sheet.freeze_panes = sheet.cell(row=first, column=1)
    _print_setup(sheet, QUOTE_HEADER_ROW)


def _quote_heading(sheet: Worksheet, doc: QuoteDocument) -> None:
    lang = doc.language
    _text(sheet, 1, 1, t("excel.quote.title", lang), "est_title")
    sheet.merge_cells("A1:F1")
    sheet.row_dimensions[1].height = 30
    if doc.client:
        _text(sheet, 2, 1, t("excel.quote.client", lang, client=doc.client), "est_client")
    for column in (2, 3):
        sheet.cell(row=2, column=column).style = "est_client"
    sheet.merge_cells("A2:C2")
    _text(sheet, 3, 1, t("excel.quote.subject", lang, title=doc.title), "est_plain")
    sheet.merge_cells("A3:C3")
    _text(sheet, 4, 1, t("excel.quote.greeting", lang), "est_plain")
    sheet.merge_cells("A4:C4")
    _text(sheet, 2, 5, t("excel.quote.number", lang), "est_bold")
    _text(sheet, 2, 6, doc.display_number, "est_plain").alignment = Alignment(horizontal="right")
    _text(sheet, 3, 5, t("excel.quote.issue_date", lang), "est_bold")
    _value(sheet, 3, 6, doc.issue_date, "est_date")
    _text(sheet, 4, 5, t("excel.quote.valid_until", lang), "est_bold")
    _value(sheet, 4, 6, doc.valid_until, "est_date")
    # (value, as printed, style): only a value that shows something is printed, packed from row 5,
    # so without issuer settings and 担当 rows 5-9 keep no label, style or merge.
    issuer = [
        (doc.issuer_company, doc.issuer_company, "est_bold"),
        (doc.issuer_address, doc.issuer_address, "est_plain"),
        (
            doc.issuer_registration_number,
            t("excel.quote.registration", lang, number=doc.issuer_registration_number),
            "est_plain",
        ),
        (doc.issuer_contact, t("excel.quote.contact", lang, contact=doc.issuer_contact), "est_plain"),
        (doc.created_by, t("excel.quote.created_by", lang, name=doc.created_by), "est_plain"),
    ]
    shown = [(text, style) for value, text, style in issuer if not is_blank(value)]
    for row, (text, style) in enumerate(shown, start=5):
        _text(sheet, row, 4, text, style)
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=6)
    header = ["no", "deliverable", "description", "person_days", "unit_cost", "amount"]
    _header_row(sheet, QUOTE_HEADER_ROW, [t(f"excel.col.{key}", lang) for key in header])


def _quote_lines(sheet: Worksheet, doc: QuoteDocument, first: int) -> int:
    """One row per line; the amount is ROUNDx(person-days × unit cost, digits) as money.line_amount rounds it."""
    pricing = doc.estimate.pricing
    function = EXCEL_ROUNDING[pricing.rounding]
    digits = currency_digits(pricing.currency)
    unit_cost = _number(pricing.unit_cost)
    row = first
    for index, priced in enumerate(doc.estimate.lines, start=1):
        row = first + index - 1
        _value(sheet, row, 1, index, "est_number")
        _text(sheet, row, 2, priced.line.deliverable)
        _text(sheet, row, 3, priced.line.description)
        _value(sheet, row, 4, _number(priced.line.person_days), "est_days")
        _value(sheet, row, 5, unit_cost, "est_money")
        _value(sheet, row, 6, f"={function}(D{row}*E{row},{digits})", "est_money")
    return row


def _quote_totals(sheet: Worksheet, doc: QuoteDocument, first: int, last: int) -> int:
    """Subtotal, tax on the subtotal (rounded once, as money.totals does) and total; returns the total's row."""
    lang = doc.language
    pricing = doc.estimate.pricing
    function = EXCEL_ROUNDING[pricing.rounding]
    digits = currency_digits(pricing.currency)
    subtotal, tax, total = last + 1, last + 2, last + 3
    rate = format_number(pricing.tax_rate, lang)
    rows = [
        (subtotal, t("excel.quote.subtotal", lang), f"=SUM(F{first}:F{last})"),
        (
            tax,
            t("excel.quote.tax", lang, rate=rate),
            f"={function}(F{subtotal}*{_number(pricing.tax_rate)}/100,{digits})",
        ),
        (total, t("excel.quote.total", lang), f"=F{subtotal}+F{tax}"),
    ]
    for row, label, formula in rows:
        _text(sheet, row, 5, label, "est_header")
        _value(sheet, row, 6, formula, "est_total" if row == total else "est_money")
    return total


def _bullet_section(sheet: Worksheet, row: int, heading: str, items: list[str], lang: str) -> int:
    """A heading and one merged, wrapped row per item; returns the row after the section."""
    _text(sheet, row, 1, heading, "est_bold")
    width = sum(QUOTE_WIDTHS) - 2
    for offset, item in enumerate(items or [t("excel.quote.none", lang)], start=1):
        text = f"・{item}"
        _text(sheet, row + offset, 1, text, "est_plain")
        sheet.merge_cells(start_row=row + offset, start_column=1, end_row=row + offset, end_column=6)
        _fit_height(sheet, row + offset, text, width)
    return row + max(len(items), 1) + 1


# --- 内訳 / Breakdown ------------------------------------------------------------------------------


def _write_breakdown(sheet: Worksheet, doc: QuoteDocument) -> None:
    """Person-days per phase; the line total, O / M / P and the PERT expected value, with phase totals."""
    lang = doc.language
    sheet.title = t("excel.sheet.breakdown", lang)
    phase_count = len(PHASES)
    total_col = 3 + phase_count
    optimistic, likely, pessimistic, expected = total_col + 1, total_col + 2, total_col + 3, total_col + 4
    _column_widths(sheet, (6, 28, *([10] * phase_count), 10, 10, 10, 10, 12, 40, 30))
    _text(sheet, 1, 1, t("excel.breakdown.title", lang), "est_bold")
    _text(sheet, 2, 1, t("excel.breakdown.note", lang), "est_plain")
    labels = [t("excel.col.no", lang), t("excel.col.deliverable", lang)]
    labels += [t(f"phase.{phase.value}", lang) for phase in PHASES]
    labels += [t(f"excel.col.{key}", lang) for key in ("total_days", "optimistic", "most_likely", "pessimistic")]
    labels += [t(f"excel.col.{key}", lang) for key in ("expected", "reasoning", "risks")]
    _header_row(sheet, BREAKDOWN_HEADER_ROW, labels)
    sheet.row_dimensions[BREAKDOWN_HEADER_ROW].height = 30
    first = BREAKDOWN_HEADER_ROW + 1
    row = first
    for index, priced in enumerate(doc.estimate.lines, start=1):
        line = priced.line
        row = first + index - 1
        _value(sheet, row, 1, index, "est_number")
        _text(sheet, row, 2, line.deliverable)
        for column, phase in enumerate(PHASES, start=3):
            _value(sheet, row, column, _number(line.phases.get(phase)), "est_days")
        first_phase, last_phase = get_column_letter(3), get_column_letter(total_col - 1)
        _value(sheet, row, total_col, f"=SUM({first_phase}{row}:{last_phase}{row})", "est_days")
        _value(sheet, row, optimistic, _number(line.optimistic), "est_days")
        _value(sheet, row, likely, f"={get_column_letter(total_col)}{row}", "est_days")
        _value(sheet, row, pessimistic, _number(line.pessimistic), "est_days")
        o, m, p = (get_column_letter(c) for c in (optimistic, likely, pessimistic))
        _value(sheet, row, expected, f"=({o}{row}+4*{m}{row}+{p}{row})/6", "est_days")
        _text(sheet, row, expected + 1, line.reasoning)
        _text(sheet, row, expected + 2, "\n".join(f"・{risk}" for risk in line.risks))
    totals_row = row + 1
    _text(sheet, totals_row, 2, t("excel.breakdown.total", lang), "est_header")
    for column in range(3, expected + 1):
        letter = get_column_letter(column)
        _value(sheet, totals_row, column, f"=SUM({letter}{first}:{letter}{row})", "est_days")
    sheet.freeze_panes = sheet.cell(row=first, column=3)
    _print_setup(sheet, BREAKDOWN_HEADER_ROW, landscape=True)


# --- 質疑応答 / Q&A -------------------------------------------------------------------------------


def _write_qa(sheet: Worksheet, doc: QuoteDocument) -> None:
    """Questions with their answers (unanswered ones marked), then the adjustment history."""
    lang = doc.language
    sheet.title = t("excel.sheet.qa", lang)
    _column_widths(sheet, (6, 50, 50, 30, 18))
    _text(sheet, 1, 1, t("excel.qa.title", lang), "est_bold")
    _header_row(sheet, QA_HEADER_ROW, [t(f"excel.col.{key}", lang) for key in ("no", "question", "answer")])
    row = QA_HEADER_ROW
    for index, item in enumerate(doc.qa, start=1):
        row += 1
        _value(sheet, row, 1, index, "est_number")
        _text(sheet, row, 2, item.question)
        if item.answered:
            _text(sheet, row, 3, item.answer or "")
        else:
            _text(sheet, row, 3, t("excel.qa.unanswered", lang), "est_unanswered")
    if not doc.qa:
        row += 1
        _text(sheet, row, 2, t("excel.qa.none", lang), "est_plain")
    _write_history(sheet, doc, row + 2)
    sheet.freeze_panes = sheet.cell(row=QA_HEADER_ROW + 1, column=1)
    _print_setup(sheet, QA_HEADER_ROW)


def _write_history(sheet: Worksheet, doc: QuoteDocument, row: int) -> None:
    lang = doc.language
    _text(sheet, row, 1, t("excel.history.title", lang), "est_bold")
    keys = ("version", "request", "summary", "origin", "date")
    _header_row(sheet, row + 1, [t(f"excel.col.{key}", lang) for key in keys])
    row += 1
    for entry in doc.history:
        row += 1
        origin_key = f"origin.{entry.origin}"
        _value(sheet, row, 1, entry.version, "est_number")
        _text(sheet, row, 2, entry.request)
        _text(sheet, row, 3, entry.summary)
        _text(sheet, row, 4, t(origin_key, lang) if has_key(origin_key, lang) else entry.origin)
        _text(sheet, row, 5, entry.created_at.strftime("%Y-%m-%d %H:%M") if entry.created_at else "")
    if not doc.history:
        _text(sheet, row + 1, 2, t("excel.history.none", lang), "est_plain")
