"""Issue 13 on the Actuals page: actual person-days typed beside the baseline, change requests, and a
timesheet import whose unmatched rows the analyst resolves — in both languages."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from estimator.i18n import t
from estimator.schemas import ActualEntry, Deliverable, Phase
from tests.ui_support import flow, opened, texts

D = Decimal
ITEMS = {
    "ja": [Deliverable(name="受注管理画面", description="受注の登録・一覧の2画面"), Deliverable(name="請求書出力")],
    "en": [Deliverable(name="Order screens", description="2 screens"), Deliverable(name="Invoice printing")],
}


def won_project(lang: str) -> int:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(lang), title="実績"), user="local")
    workflow.save_deliverables(project.id, ITEMS[lang], requirements="", expected_row_version=None)
    workflow.generate_estimate(project.id, expected_row_version=None, user="local")
    workflow.set_status(project.id, "submitted", user="local", expected_row_version=None)
    workflow.set_status(project.id, "won", user="local", expected_row_version=None)
    return project.id


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_project_not_yet_won_is_told_where_to_move_it(lang: str) -> None:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(lang), title="見積中"), user="local")
    workflow.save_deliverables(project.id, ITEMS[lang], requirements="", expected_row_version=None)
    at = opened(project.id, "pages/actuals.py", lang=lang)
    assert not at.exception
    assert t("actuals.not_started", lang, status=t("project_status.estimating", lang)) in texts(at.info)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_typed_actuals_and_a_change_request_are_saved(lang: str) -> None:
    project_id = won_project(lang)
    at = opened(project_id, "pages/actuals.py", lang=lang)
    assert not at.exception and not at.error
    at.session_state["actuals_lines"] = {"edited_rows": {"0": {"actual": 12.5}}, "added_rows": [], "deleted_rows": []}
    added = {"deliverable": "CSV出力" if lang == "ja" else "CSV export", "actual": 2}
    at.session_state["actuals_added"] = {"edited_rows": {}, "added_rows": [added], "deleted_rows": []}
    at.run()
    at.button(key="actuals_save").click().run()
    assert not at.exception and not at.error
    assert flow().actuals(project_id) == [
        ActualEntry(ITEMS[lang][0].name, D("12.5")),
        ActualEntry(added["deliverable"], D(2), None, change_request=True),
    ]
    assert t("actuals.saved", lang, count=2) in texts(at.success)


def test_an_unchanged_total_keeps_the_phase_detail_an_import_gave() -> None:
    project_id = won_project("ja")
    detail = [
        ActualEntry("受注管理画面", D(3), Phase.IMPLEMENTATION),
        ActualEntry("受注管理画面", D(1), Phase.DETAILED_DESIGN),
    ]
    flow().record_actuals(project_id, detail, user="local", expected_row_version=None)
    at = opened(project_id, "pages/actuals.py", lang="ja")
    at.session_state["actuals_lines"] = {"edited_rows": {"1": {"actual": 2}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="actuals_save").click().run()
    assert flow().actuals(project_id) == [*detail, ActualEntry("請求書出力", D(2))]


def test_a_timesheet_import_matches_rows_and_the_analyst_resolves_the_rest() -> None:
    project_id = won_project("ja")
    at = opened(project_id, "pages/actuals.py", lang="ja")
    sheet = "成果物名称,工程,実績時間\n受注管理画面,製作,16\n受注画面,,8\n追加作業,,8\nおまけ,,4\n".encode()
    at.file_uploader[0].set_value(("ts.csv", sheet, "text/csv")).run()
    assert not at.exception
    assert t("actuals.import.matched", "ja", count=1, total=4) in texts(at.success)
    choices = {box.key: box for box in at.selectbox}
    assert choices["actuals_choice_3"].options[0] == t("actuals.import.as_line", "ja", line="受注管理画面")
    assert choices["actuals_choice_3"].value == "not_recorded", "a suggestion is offered, never taken unasked"
    at.session_state["actuals_choice_3"] = "受注管理画面"
    at.session_state["actuals_choice_4"] = "change_request"
    at.run()
    at.button(key="actuals_import").click().run()
    assert not at.exception and not at.error
    assert flow().actuals(project_id) == [
        ActualEntry("受注管理画面", D(2), Phase.IMPLEMENTATION),
        ActualEntry("受注管理画面", D(1), None),
        ActualEntry("追加作業", D(1), None, change_request=True),
    ]
