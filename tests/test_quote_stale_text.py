"""What the customer reads on the exported quote is current: the reasoning of an adjusted line
states the adjustment and its figure now, and 担当 names a person or is left out.

Through the workflow, as the pages and the command line export it (issue 11, item 4).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.i18n import format_number, t
from estimator.schemas import Deliverable, EstimateLine
from estimator.workflow import Workflow, open_workflow
from tests.factories import lines_of, project_settings
from tests.offline_samples import SAMPLE_EN, SAMPLE_JA

REASONING_COLUMN = 15
"""内訳: No., deliverable, seven phases, total, O, M, P, expected, then the reasoning."""


def workflow() -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def estimated(flow: Workflow, user: str, language: str = "ja") -> int:
    project = flow.create_project(project_settings(language=language), user=user)
    sample = SAMPLE_JA if language == "ja" else SAMPLE_EN
    items = [Deliverable(name=name, description=text) for name, text in sample]
    flow.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    flow.generate_estimate(project.id, expected_row_version=None, user=user)
    return project.id


def workbook(flow: Workflow, project_id: int) -> openpyxl.Workbook:
    _name, data = flow.export_quote(project_id)
    return openpyxl.load_workbook(io.BytesIO(data))


def breakdown_reasoning(book: openpyxl.Workbook) -> dict[str, str]:
    sheet = book.worksheets[1]
    rows = sheet.iter_rows(min_row=4, max_row=sheet.max_row - 1, values_only=True)
    return {str(row[1]): str(row[REASONING_COLUMN - 1] or "") for row in rows}


def all_texts(book: openpyxl.Workbook) -> list[str]:
    return [cell.value for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def by_name(lines: list[EstimateLine]) -> dict[str, EstimateLine]:
    return {line.deliverable: line for line in lines}


@pytest.mark.parametrize(("language", "request_text"), [("ja", "テストを20%削減"), ("en", "cut testing by 20%")])
def test_an_applied_percentage_cut_is_stated_with_the_current_figure_on_the_quote(
    isolated_settings: Path, language: str, request_text: str
) -> None:
    flow = workflow()
    project_id = estimated(flow, "analyst", language)
    base = by_name(lines_of(flow, flow.version(project_id)))
    proposal = flow.propose_adjustment(project_id, request_text, user="analyst").proposals[0]
    after = by_name(lines_of(flow, flow.apply_proposal(project_id, proposal.id, user="analyst")))

    changed = [name for name in after if after[name].person_days != base[name].person_days]
    assert changed
    shown = breakdown_reasoning(workbook(flow, project_id))
    for name, line in after.items():
        if name in changed:
            days = format_number(line.person_days, language)
            note = t("adjustments.note", language, what=proposal.title, days=days)
            assert line.reasoning == f"{base[name].reasoning}\n{note}"
            assert shown[name].endswith(days + ("人日" if language == "ja" else " person-days"))
        else:
            assert line.reasoning == base[name].reasoning
            assert shown[name] == base[name].reasoning


def test_a_hand_edit_is_stated_once_even_after_an_earlier_adjustment(isolated_settings: Path) -> None:
    """Each adjustment adds its own sentence; the last one always carries the line's figure now."""
    flow = workflow()
    project_id = estimated(flow, "analyst")
    name = SAMPLE_JA[0][0]
    first = flow.edit_lines(project_id, {name: Decimal(12)}, base_version=1, user="analyst")
    second = flow.edit_lines(project_id, {name: Decimal("1E+1")}, base_version=first.number, user="analyst")
    reasoning = by_name(lines_of(flow, second))[name].reasoning
    assert reasoning.endswith("\n調整: 工数を見直し → 12人日\n調整: 工数を見直し → 10人日")
    assert breakdown_reasoning(workbook(flow, project_id))[name] == reasoning


def test_without_a_sign_in_the_quote_names_nobody_and_prints_no_empty_issuer_block(isolated_settings: Path) -> None:
    flow = workflow()
    book = workbook(flow, estimated(flow, "local"))
    assert [text for text in all_texts(book) if "担当" in text or "local" in text] == []
    quote = book.worksheets[0]
    block = [quote.cell(row=row, column=column) for row in range(5, 10) for column in range(4, 7)]
    assert [cell.value for cell in block] == [None] * len(block)
    assert {cell.style for cell in block} == {"Normal"}
    assert not any(cell.border.bottom.style or cell.font.b for cell in block)
    assert not [
        merged for merged in quote.merged_cells.ranges if merged.min_row in range(5, 10) and merged.max_col >= 4
    ]
    assert book.properties.creator == "Estimator"


@pytest.mark.parametrize(("login", "shown"), [("yamada", "担当：山田 花子"), ("suzuki", "担当：suzuki")])
def test_the_signed_in_user_is_named_by_staff_names_or_by_login(
    isolated_settings: Path, monkeypatch: pytest.MonkeyPatch, login: str, shown: str
) -> None:
    monkeypatch.setenv("STAFF_NAMES", "yamada=山田 花子;tanaka=田中 一郎")
    flow = workflow()
    book = workbook(flow, estimated(flow, login))
    assert [text for text in all_texts(book) if "担当" in text] == [shown]
    assert book.worksheets[0]["D5"].value == shown
