"""Excel and PDF: quote export and deliverables import at the 1,000-line limit, and a 200-line PDF quote.

Each figure is the median of a few runs, so one slow run on a busy machine does
not decide it. Usage: `.venv/bin/python -m bench.run excel`.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl

from bench.timing import median_seconds
from estimator.excel.quote import QuoteDocument, build_quote_workbook
from estimator.excel.reader import MAX_DATA_ROWS, read_deliverables
from estimator.pdf.quote import build_quote_pdf, find_font
from estimator.schemas import EstimateLine, PhaseDays, Pricing, QaItem, price

TARGET_SECONDS = 1.0
PDF_TARGET_SECONDS = 2.0
PDF_LINES = 200
NOTES = (
    "Export: a 1,000-line version, all three sheets. Import: 1,000 data rows (the row limit), .xlsx and Shift_JIS .csv."
    " PDF: a 200-line version on A4 with the Japanese font embedded (issue 15)."
)


def _document(lines: int) -> QuoteDocument:
    phases = PhaseDays(requirements=Decimal("1.25"), basic_design=Decimal("2"), implementation=Decimal("4.5"))
    estimate_lines = [
        EstimateLine(
            deliverable=f"成果物 {i:04d}",
            description="画面・API・帳票を含む機能一式の設計と実装" * 3,
            phases=phases,
            optimistic=Decimal("6"),
            pessimistic=Decimal("12"),
            reasoning="類似案件の実績と画面数から算出" * 4,
            risks=["仕様変更", "外部連携の遅延"],
        )
        for i in range(lines)
    ]
    pricing = Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10), rounding="floor")
    return QuoteDocument(
        language="ja",
        client="ACME株式会社",
        title="大規模見積り",
        quote_number="Q-2026-0001",
        revision=1,
        issue_date=date(2026, 1, 1),
        valid_until=date(2026, 1, 31),
        estimate=price(estimate_lines, pricing),
        assumptions=["前提条件"] * 10,
        qa=[QaItem(question=f"質問{i}", answer="回答") for i in range(20)],
    )


def _workbook(rows: int) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["成果物名称", "説明"])
    for i in range(rows):
        sheet.append([f"成果物 {i:04d}", "画面・API・帳票を含む機能一式の設計と実装" * 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: int) -> bytes:
    lines = ["成果物名称,説明", *(f"成果物 {i:04d},画面・API・帳票を含む機能一式の設計と実装" for i in range(rows))]
    return "\r\n".join(lines).encode("cp932")


def _result(name: str, seconds: float, target: float = TARGET_SECONDS) -> dict[str, object]:
    return {
        "name": name,
        "value": round(seconds, 3),
        "unit": "s",
        "target": f"< {target:g} s",
        "ok": seconds < target,
    }


def run() -> list[dict[str, object]]:
    document = _document(MAX_DATA_ROWS)
    pdf_document, font = _document(PDF_LINES), find_font()
    xlsx, csv = _workbook(MAX_DATA_ROWS), _csv(MAX_DATA_ROWS)
    limit = 10 * 1024 * 1024
    return [
        _result("export 1,000-line quote (.xlsx)", median_seconds(lambda: build_quote_workbook(document))),
        _result(
            "import 1,000 rows (.xlsx)",
            median_seconds(lambda: read_deliverables(xlsx, "bench.xlsx", max_bytes=limit, lang="ja")),
        ),
        _result(
            "import 1,000 rows (.csv, Shift_JIS)",
            median_seconds(lambda: read_deliverables(csv, "bench.csv", max_bytes=limit, lang="ja")),
        ),
        _result(
            f"export {PDF_LINES}-line quote (PDF)",
            median_seconds(lambda: build_quote_pdf(pdf_document, font)),
            PDF_TARGET_SECONDS,
        ),
    ]
