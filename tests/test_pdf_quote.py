"""Issue 15 part 3: the 見積書 as PDF — real, extractable Japanese text in an embedded font, the invoice items a
quote carries, every line on as many A4 pages as it takes, a clear message without a font, and the same PDF
from the workflow, the command line and the Estimate page. Its amounts are checked against the recalculated
workbook in tests/test_excel_recalc.py."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError
from estimator.i18n import format_money, t
from estimator.pdf.quote import build_quote_pdf, find_font
from estimator.workflow import open_workflow
from tests.support import run_cli
from tests.test_excel_quote import make_document, make_line
from tests.test_workflow_partial_requests import estimated


def text_of(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_quote_is_searchable_text_with_the_invoice_items(lang: str) -> None:
    doc = make_document(lang)
    document = build_quote_pdf(doc, find_font())
    text = text_of(document)
    estimate = doc.estimate
    rate = "10" if lang == "ja" else "0"

    assert text.startswith(t("excel.quote.title", lang))
    for expected in (
        t("excel.quote.client", lang, client=doc.client),
        doc.display_number,
        t("excel.quote.registration", lang, number="T1234567890123"),
        t("pdf.taxable", lang, rate=rate),
        t("excel.quote.tax", lang, rate=rate),
        f"{t('excel.quote.tax', lang, rate=rate)} {format_money(estimate.tax, estimate.pricing.currency, lang)}",
        "要件定義書",
        "本番環境はお客様にてご用意",
        "データ移行",
        t("pdf.phases", lang),
    ):
        assert expected in text, expected
    assert b"/FontFile2" in document, "a TrueType font is embedded, not referenced"


def test_two_hundred_lines_run_over_pages_with_the_header_repeated() -> None:
    lines = [make_line(f"画面{index:03d}", "0.5", "2", description="一覧・登録・編集の画面") for index in range(200)]
    document = build_quote_pdf(make_document("ja", lines=lines), find_font())
    reader = pypdf.PdfReader(io.BytesIO(document))
    assert len(reader.pages) > 3
    header = t("excel.col.deliverable", "ja")
    assert all(header in page.extract_text() for page in reader.pages[:-1])
    text = text_of(document)
    assert all(f"画面{index:03d}" in text for index in range(200))


def test_a_missing_font_is_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as refused:
        find_font(str(tmp_path / "nofont.ttf"))
    message = t(refused.value.key, "ja", **refused.value.values)
    assert "nofont.ttf" in message and "PDF_FONT" in message


def test_the_workflow_and_the_command_line_write_the_same_quote(isolated_settings: Path, tmp_path: Path) -> None:
    flow = open_workflow(load_settings(), engine=OfflineEngine())
    project_id = estimated(flow, "ja")
    name, document = flow.export_quote_pdf(project_id)
    assert name.endswith(".pdf") and name.removesuffix(".pdf") == flow.export_quote(project_id)[0].removesuffix(".xlsx")
    total = format_money(flow.versions(project_id)[-1].total, "JPY", "ja")
    assert total in text_of(document)

    output = tmp_path / "out" / "quote.pdf"
    result = run_cli("export", str(project_id), "--pdf", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert total in text_of(output.read_bytes())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_estimate_page_offers_the_pdf_beside_the_workbook(lang: str) -> None:
    from tests.ui_support import estimated_project, opened

    at = opened(estimated_project(), "pages/estimate.py", lang)
    labels = [str(button.proto.label) for button in at.get("download_button")]
    assert t("estimate.download_pdf", lang) in labels
    assert len(labels) == 2


def test_without_a_font_the_pdf_button_is_disabled_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui_support import estimated_project, opened

    monkeypatch.setenv("PDF_FONT", "/nonexistent/font.ttf")
    at = opened(estimated_project(), "pages/estimate.py", "en")
    [pdf] = [b for b in at.get("download_button") if b.proto.label == t("estimate.download_pdf", "en")]
    assert pdf.proto.disabled
    assert "/nonexistent/font.ttf" in pdf.proto.help
