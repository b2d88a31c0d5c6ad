"""Drawing the quote with fpdf2, imported only when a PDF is made: the library, Pillow and fontTools cost the
server about 20 MB it would otherwise hold from its start, for a download most visits never make."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace, XPos, YPos

from estimator.excel.quote import QuoteDocument
from estimator.i18n import format_date, format_money, format_number, t
from estimator.schemas import PHASES
from estimator.text import is_blank

FONT = "quote"
MARGIN = 15
PAGE_WIDTH = 210 - 2 * MARGIN
LINE_WIDTHS = (9, 43, 58, 23, 22, 25)
PHASE_WIDTHS = (60, 30, 25)
HEADER_FILL = (230, 236, 245)


class _QuotePdf(FPDF):
    """A4 pages with the quote number and page count in the footer."""

    def __init__(self, doc: QuoteDocument) -> None:
        super().__init__(format="A4", unit="mm")
        self.doc = doc
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 5)

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, size=8)
        self.set_text_color(110, 110, 110)
        page = t("pdf.page", self.doc.language, page=self.page_no(), pages="{nb}")
        self.cell(0, 5, f"{self.doc.display_number}    {page}", align="R")
        self.set_text_color(0, 0, 0)


def _money(doc: QuoteDocument, amount: Decimal) -> str:
    return format_money(amount, doc.estimate.pricing.currency, doc.language)


def _heading(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    lang = doc.language
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, t("excel.quote.title", lang), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    top = pdf.get_y()
    left = PAGE_WIDTH * 0.55
    pdf.set_font(FONT, size=12)
    if not is_blank(doc.client):
        pdf.multi_cell(left, 7, t("excel.quote.client", lang, client=doc.client), new_x=XPos.LMARGIN)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(left, 6, t("excel.quote.subject", lang, title=doc.title), new_x=XPos.LMARGIN)
    pdf.multi_cell(left, 6, t("excel.quote.greeting", lang), new_x=XPos.LMARGIN)
    pdf.ln(2)
    pdf.set_font(FONT, size=14)
    headline = f"{t('excel.quote.headline', lang)}  {_money(doc, doc.estimate.total)}"
    pdf.cell(left, 10, headline, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    below_left = pdf.get_y()
    pdf.set_xy(MARGIN + left + 5, top)
    width = PAGE_WIDTH - left - 5
    pdf.set_font(FONT, size=9)
    facts = [
        f"{t('excel.quote.number', lang)}: {doc.display_number}",
        f"{t('excel.quote.issue_date', lang)}: {format_date(doc.issue_date, lang)}",
        f"{t('excel.quote.valid_until', lang)}: {format_date(doc.valid_until, lang)}",
    ]
    issuer = [
        doc.issuer_company,
        doc.issuer_address,
        t("excel.quote.registration", lang, number=doc.issuer_registration_number)
        if doc.issuer_registration_number
        else "",
        t("excel.quote.contact", lang, contact=doc.issuer_contact) if not is_blank(doc.issuer_contact) else "",
        t("excel.quote.created_by", lang, name=doc.created_by) if not is_blank(doc.created_by) else "",
    ]
    for text in [*facts, "", *(item for item in issuer if not is_blank(item))]:
        pdf.set_x(MARGIN + left + 5)
        pdf.multi_cell(width, 5, text, align="R", new_x=XPos.LMARGIN)
    pdf.set_y(max(below_left, pdf.get_y()) + 6)


def _table(pdf: _QuotePdf, widths: tuple[float, ...], header: list[str], rows: Iterable[list[str]], align: str) -> None:
    """A table that repeats its header on each page; `align` gives each column L or R."""
    pdf.set_font(FONT, size=8.5)
    heading = FontFace(fill_color=HEADER_FILL)
    with pdf.table(
        col_widths=widths,
        width=sum(widths),
        align="L",
        headings_style=heading,
        line_height=5,
        text_align=tuple(align),
        repeat_headings=1,
        borders_layout="SINGLE_TOP_LINE",
        padding=1,
    ) as table:
        table.row(header)
        for values in rows:
            table.row(values)


def _lines(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    lang = doc.language
    keys = ("no", "deliverable", "description", "person_days", "unit_cost", "amount")
    unit_cost = _money(doc, doc.estimate.pricing.unit_cost)
    rows = (
        [
            str(index),
            priced.line.deliverable,
            priced.line.description,
            format_number(priced.line.person_days, lang),
            unit_cost,
            _money(doc, priced.amount),
        ]
        for index, priced in enumerate(doc.estimate.lines, start=1)
    )
    _table(pdf, LINE_WIDTHS, [t(f"excel.col.{key}", lang) for key in keys], rows, "RLLRRR")


def _totals(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    """Subtotal, then per tax rate the amount it applies to and its tax (one rate per estimate), then total."""
    lang = doc.language
    estimate = doc.estimate
    rate = format_number(estimate.pricing.tax_rate, lang)
    rows = [
        (t("excel.quote.subtotal", lang), _money(doc, estimate.subtotal)),
        (t("pdf.taxable", lang, rate=rate), _money(doc, estimate.subtotal)),
        (t("excel.quote.tax", lang, rate=rate), _money(doc, estimate.tax)),
        (t("excel.quote.total", lang), _money(doc, estimate.total)),
    ]
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    label_width, value_width = 55, 35
    for index, (label, value) in enumerate(rows):
        last = index == len(rows) - 1
        pdf.set_x(MARGIN + PAGE_WIDTH - label_width - value_width)
        pdf.set_font(FONT, size=11 if last else 10)
        pdf.cell(label_width, 6.5, label, border="T" if last else 0)
        pdf.cell(value_width, 6.5, value, align="R", border="T" if last else 0, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _phases(pdf: _QuotePdf, doc: QuoteDocument) -> None:
    """Person-days per phase over all lines, and each phase's share."""
    lang = doc.language
    lines = [priced.line for priced in doc.estimate.lines]
    total = sum((line.person_days for line in lines), Decimal(0))
    _section(pdf, t("pdf.phases", lang))
    rows = []
    for phase in PHASES:
        days = sum((line.phases.get(phase) for line in lines), Decimal(0))
        share = days / total * 100 if total else Decimal(0)
        rows.append([t(f"phase.{phase.value}", lang), format_number(days, lang), f"{format_number(share, lang, 1)}%"])
    rows.append([t("excel.breakdown.total", lang), format_number(total, lang), "100%"])
    header = [t("pdf.phase", lang), t("excel.col.person_days", lang), t("pdf.share", lang)]
    _table(pdf, PHASE_WIDTHS, header, rows, "LRR")
    pdf.ln(4)


def _section(pdf: _QuotePdf, heading: str) -> None:
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullets(pdf: _QuotePdf, heading: str, items: list[str], lang: str) -> None:
    _section(pdf, heading)
    pdf.set_font(FONT, size=9)
    for item in items or [t("excel.quote.none", lang)]:
        pdf.multi_cell(0, 5, f"・{item}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def quote_pdf(doc: QuoteDocument, font: Path) -> bytes:
    """The quote as PDF bytes, in the document's language, with `font` embedded."""
    pdf = _QuotePdf(doc)
    pdf.add_font(FONT, "", str(font))
    pdf.set_title(t("excel.quote.title", doc.language))
    pdf.set_subject(doc.title)
    pdf.set_creator("Estimator")
    pdf.alias_nb_pages()
    pdf.add_page()
    _heading(pdf, doc)
    _lines(pdf, doc)
    _totals(pdf, doc)
    _phases(pdf, doc)
    _bullets(pdf, t("excel.quote.assumptions", doc.language), doc.assumptions, doc.language)
    _bullets(pdf, t("excel.quote.exclusions", doc.language), doc.exclusions, doc.language)
    return bytes(pdf.output())
