"""LibreOffice recalculates the exported quotes: every amount, subtotal, tax and total must equal the app's.

All workbooks go through one headless soffice call (it is slow to start), with a
user profile of its own so parallel runs never share one. With CI=true a missing
soffice fails the run instead of skipping.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest

from estimator.excel.quote import QuoteDocument, build_quote_workbook
from estimator.excel.reader import read_deliverables
from estimator.pdf.quote import build_quote_pdf, find_font
from estimator.schemas import PHASES, EstimateLine, Pricing
from tests.conftest import missing
from tests.test_excel_quote import FIRST_LINE, make_document, make_line

pytestmark = pytest.mark.slow

SOFFICE_TIMEOUT = 300
# Products that fall between minor units, so floor / half_up / ceil give different amounts (and an exact half).
DAYS = (("1.25", "0"), ("1", "0.5"), ("0.33", "0"), ("2", "1.07"))
PRICING = {
    "ja": dict(currency="JPY", unit_cost=Decimal(33333), tax_rate=Decimal(10)),
    "en": dict(currency="USD", unit_cost=Decimal("512.35"), tax_rate=Decimal("8.25")),
}


def tricky_lines() -> list[EstimateLine]:
    return [make_line(f"成果物{i}", req, impl) for i, (req, impl) in enumerate(DAYS, start=1)]


def documents() -> dict[str, QuoteDocument]:
    docs = {
        f"{lang}-{rounding}": make_document(
            lang, lines=tricky_lines(), pricing=Pricing(**PRICING[lang], rounding=rounding)
        )
        for lang in ("ja", "en")
        for rounding in ("floor", "half_up", "ceil")
    }
    docs["ja-defaults"] = make_document("ja")
    docs["en-defaults"] = make_document("en")
    return docs


DOCUMENTS = documents()


def formula_names_workbook() -> openpyxl.Workbook:
    """Names and descriptions that are formulas: once LibreOffice saves them, they carry cached values."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["成果物名称", "説明"])
    sheet.append(['=CONCATENATE("ログイン","画面")', '="認証"&"機能"'])
    sheet.append(['=UPPER("api")', "=1+2"])
    return workbook


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        missing("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    source = tmp_path_factory.mktemp("quotes")
    out = tmp_path_factory.mktemp("recalculated")
    profile = Path(f"/tmp/lo-{uuid.uuid4().hex}")
    files = []
    for name, doc in DOCUMENTS.items():
        files.append(source / f"{name}.xlsx")
        files[-1].write_bytes(build_quote_workbook(doc))
    formula_names_workbook().save(source / "formula-names.xlsx")
    files.append(source / "formula-names.xlsx")
    command = [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}"]
    command += ["--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    results = {path.stem: out / path.name for path in files}
    absent = [name for name, path in results.items() if not path.exists()]
    assert not absent, f"soffice did not convert {absent}: {completed.stdout} {completed.stderr}"
    return results


def as_decimal(value: object) -> Decimal:
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return Decimal(str(value))


def test_the_cases_really_differ_by_rounding() -> None:
    for lang in ("ja", "en"):
        totals = {DOCUMENTS[f"{lang}-{rounding}"].estimate.total for rounding in ("floor", "half_up", "ceil")}
        assert len(totals) == 3, totals
    half_up = DOCUMENTS["ja-half_up"].estimate
    assert half_up.lines[1].amount == Decimal(50000)  # 1.5 × 33,333 = 49,999.5 rounds half up
    assert DOCUMENTS["en-floor"].estimate.tax != DOCUMENTS["en-ceil"].estimate.tax


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_recalculated_money_equals_the_app(recalculated: dict[str, Path], name: str) -> None:
    estimate = DOCUMENTS[name].estimate
    sheet = openpyxl.load_workbook(recalculated[name], data_only=True).worksheets[0]
    amounts = [as_decimal(sheet.cell(row=FIRST_LINE + i, column=6).value) for i in range(len(estimate.lines))]
    assert amounts == [priced.amount for priced in estimate.lines]
    last = FIRST_LINE + len(estimate.lines) - 1
    subtotal, tax, total = (as_decimal(sheet.cell(row=last + k, column=6).value) for k in (1, 2, 3))
    assert (subtotal, tax, total) == (estimate.subtotal, estimate.tax, estimate.total)
    assert as_decimal(sheet["C6"].value) == estimate.total


@pytest.mark.parametrize("name", ["ja-half_up", "en-ceil", "en-defaults"])
def test_recalculated_breakdown_equals_the_app(recalculated: dict[str, Path], name: str) -> None:
    estimate = DOCUMENTS[name].estimate
    sheet = openpyxl.load_workbook(recalculated[name], data_only=True).worksheets[1]
    first = 4
    for i, priced in enumerate(estimate.lines):
        row = first + i
        assert as_decimal(sheet.cell(row=row, column=10).value) == priced.line.person_days
        assert as_decimal(sheet.cell(row=row, column=12).value) == priced.line.most_likely
        assert float(sheet.cell(row=row, column=14).value) == pytest.approx(float(priced.line.expected), abs=1e-9)
    totals = first + len(estimate.lines)
    assert as_decimal(sheet.cell(row=totals, column=10).value) == estimate.person_days
    for column, phase in enumerate(PHASES, start=3):
        phase_total = sum((p.line.phases.get(phase) for p in estimate.lines), Decimal(0))
        assert as_decimal(sheet.cell(row=totals, column=column).value) == phase_total
    expected_sum = sum((p.line.expected for p in estimate.lines), Decimal(0))
    assert float(sheet.cell(row=totals, column=14).value) == pytest.approx(float(expected_sum), abs=1e-9)


def test_import_reads_cached_values_of_formulas(recalculated: dict[str, Path]) -> None:
    path = recalculated["formula-names"]
    result = read_deliverables(path.read_bytes(), path.name, max_bytes=10 * 1024 * 1024, lang="ja")
    assert [(d.name, d.description) for d in result.deliverables] == [("ログイン画面", "認証機能"), ("API", "3")]


_MONEY = re.compile(r"[¥$][\d,]+(?:\.\d{2})?")


def _pdf_money(document: bytes) -> list[Decimal]:
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)
    return [Decimal(token[1:].replace(",", "")) for token in _MONEY.findall(text)]


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_the_pdf_prints_the_workbooks_numbers(recalculated: dict[str, Path], name: str) -> None:
    """Issue 15: every amount of the PDF quote, read back as text with pypdf, is the recalculated workbook's:
    the headline total, each line's unit cost and amount, the subtotal, the taxable amount, the tax and the
    total, in both languages and all three rounding modes."""
    document = DOCUMENTS[name]
    sheet = openpyxl.load_workbook(recalculated[name], data_only=True).worksheets[0]
    count = len(document.estimate.lines)
    last = FIRST_LINE + count - 1
    lines = [
        value
        for row in range(FIRST_LINE, last + 1)
        for value in (as_decimal(sheet.cell(row=row, column=5).value), as_decimal(sheet.cell(row=row, column=6).value))
    ]
    subtotal, tax, total = (as_decimal(sheet.cell(row=last + k, column=6).value) for k in (1, 2, 3))
    expected = [as_decimal(sheet["C6"].value), *lines, subtotal, subtotal, tax, total]

    assert _pdf_money(build_quote_pdf(document, find_font())) == expected
