"""No number the user sees or the customer receives is written with an exponent («リスクバッファ 1E+1% を追加»).

`str(Decimal)` writes Decimal("10").normalize() as "1E+1". Every number shown goes through
`i18n.format_number` / `format_money`; these tests feed them, the quick actions and the
exported workbook values in every form a Decimal can take.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.i18n import format_money, format_number, t
from estimator.rules.proposals import risk_buffer_operation
from estimator.schemas import Deliverable
from estimator.workflow import Workflow, open_workflow
from tests.factories import project_settings
from tests.offline_samples import SAMPLE_JA

EXPONENT = re.compile(r"\d[eE][+-]?\d")
USER = "analyst"


def _forms(value: Decimal) -> list[Decimal]:
    """The same number as it may arrive: as typed, normalized (1E+1) and scaled (10.00)."""
    return [value, value.normalize(), value.quantize(Decimal("0.01"))]


percentages = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2)
amounts = st.decimals(min_value=Decimal(0), max_value=Decimal("999999999.99"), places=2)


@given(percentages, st.sampled_from(["ja", "en"]))
def test_a_risk_buffer_of_any_percentage_is_named_without_an_exponent(percent: Decimal, lang: str) -> None:
    for form in _forms(percent):
        line = risk_buffer_operation(form, lang).line
        assert line is not None and not EXPONENT.search(line), line
        title = t("offline.adjust.title.risk_buffer", lang, percent=format_number(form, lang))
        assert not EXPONENT.search(title), title


@given(amounts, st.sampled_from(["JPY", "USD"]), st.sampled_from(["ja", "en"]))
def test_any_amount_or_number_is_written_without_an_exponent(amount: Decimal, currency: str, lang: str) -> None:
    for form in _forms(amount):
        assert not EXPONENT.search(format_money(form, currency, lang))
        assert not EXPONENT.search(format_number(form, lang))


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def _workbook_texts(workbook: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return [str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


@pytest.mark.parametrize("percent", [Decimal("1E+1"), Decimal("2E+1"), Decimal("5"), Decimal("12.50")])
def test_the_quick_risk_buffer_reaches_the_quote_without_an_exponent(flow: Workflow, percent: Decimal) -> None:
    project = flow.create_project(project_settings(), user=USER)
    deliverables = [Deliverable(name=name, description=text) for name, text in SAMPLE_JA]
    project = flow.save_deliverables(project.id, deliverables, requirements="", expected_row_version=None)
    flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    proposal = flow.quick_risk_buffer(project.id, percent, user=USER)
    assert not EXPONENT.search(proposal.title), proposal.title
    flow.apply_proposal(project.id, proposal.id, user=USER)
    _name, workbook = flow.export_quote(project.id)
    shown = [text for text in _workbook_texts(workbook) if not text.startswith("=")]
    assert any("リスクバッファ" in text for text in shown)
    assert [text for text in shown if EXPONENT.search(text)] == []
