"""Issue 12 on the Estimate page: the project type is shown and can be changed (a change marks the estimate
out of date), and a business system's estimate is set beside the JUAS screen/batch figure."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from estimator.i18n import Phrase, format_number, format_person_days, t
from estimator.schemas import Deliverable
from tests.ui_support import flow, opened, texts

BUSINESS = {
    "ja": [
        Deliverable(name="受注管理画面", description="受注の登録・検索・一覧 画面10枚"),
        Deliverable(name="マスタ管理画面", description="画面2枚"),
        Deliverable(name="夜間バッチ", description="日次の集計バッチ 2本"),
    ],
    "en": [
        Deliverable(name="Order management screens", description="order entry, search and lists: 10 screens"),
        Deliverable(name="Master data screens", description="2 screens"),
        Deliverable(name="Nightly batch jobs", description="2 batch jobs for the daily totals"),
    ],
}
KEY = "project_type_choice"


def business_project(lang: str, *, estimate: bool = True) -> int:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(lang), title="受注管理"), user="local")
    workflow.save_deliverables(project.id, BUSINESS[lang], requirements="", expected_row_version=None)
    if estimate:
        workflow.generate_estimate(project.id, expected_row_version=None, user="local")
    return project.id


# The project type


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_selector_shows_the_detected_type_and_its_cues(lang: str) -> None:
    project_id = business_project(lang)
    at = opened(project_id, "pages/estimate.py", lang=lang)
    selector = at.selectbox(key=KEY)
    assert selector.label == t("estimate.type.label", lang)
    assert selector.value == "auto"
    detected = t("sizing.type.business_system", lang)
    assert selector.options[0] == t("estimate.type.auto", lang, detected=detected)
    assert selector.options[1:] == [t(f"sizing.type.{value}", lang) for value in flow().project_types()]
    _, cues = flow().detected_project_type(project_id)
    assert cues and all(cue in selector.help for cue in cues)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_choosing_a_type_saves_it_and_marks_the_estimate_out_of_date_until_detection_is_chosen_again(
    lang: str,
) -> None:
    project_id = business_project(lang)
    at = opened(project_id, "pages/estimate.py", lang=lang)
    assert t("estimate.stale.notice", lang, version=1) not in texts(at.warning)

    at.selectbox(key=KEY).set_value("app_api").run()
    assert not at.exception
    assert flow().project(project_id).project_type == "app_api"
    label = t("sizing.type.app_api", lang)
    assert t("estimate.type.saved", lang, type=label) in texts(at.success)
    assert t("estimate.stale.notice", lang, version=1) in texts(at.warning)
    assert at.selectbox(key=KEY).value == "app_api"

    at.selectbox(key=KEY).set_value("auto").run()
    assert flow().project(project_id).project_type is None
    assert t("estimate.stale.notice", lang, version=1) not in texts(at.warning)


def test_a_type_chosen_before_the_first_estimate_sizes_it() -> None:
    project_id = business_project("ja", estimate=False)
    at = opened(project_id, "pages/estimate.py", lang="ja")
    at.selectbox(key=KEY).set_value("internal_tool").run()
    label = t("sizing.type.internal_tool", "ja")
    assert t("estimate.type.saved_first", "ja", type=label) in texts(at.success)

    at.button(key="generate_estimate").click().run()
    assert t("sizing.assumption.type_chosen", "ja", type=label) in flow().version(project_id).assumptions
    assert at.selectbox(key=KEY).value == "internal_tool"


def test_a_type_chosen_in_another_tab_shows_and_a_choice_on_a_stale_page_is_refused() -> None:
    project_id = business_project("ja")
    at = opened(project_id, "pages/estimate.py", lang="ja")
    other = flow()
    other.set_project_type(project_id, "other", expected_row_version=None)

    at.selectbox(key=KEY).set_value("website").run()
    assert texts(at.error) == [t("errors.stale_write", "ja", project=project_id)]
    assert flow().project(project_id).project_type == "other"
    assert at.selectbox(key=KEY).value == "other"


# The JUAS cross-check


def juas_caption(project_id: int, lang: str, number: int | None = None) -> str:
    check = flow().juas_check(project_id, number)
    assert check is not None
    return t(
        "estimate.juas.caption",
        lang,
        screens=Phrase("estimate.juas.screens", {"value": format_number(check.screens, lang), "count": check.screens}),
        batches=Phrase("estimate.juas.batches", {"value": format_number(check.batches, lang), "count": check.batches}),
        juas=format_person_days(check.person_days.to_integral_value(), lang),
        days=format_person_days(check.estimate_days, lang),
        ratio=format_number(check.ratio, lang),
    )


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_business_system_shows_the_juas_figure_under_the_metrics(lang: str) -> None:
    project_id = business_project(lang)
    at = opened(project_id, "pages/estimate.py", lang=lang)
    caption = juas_caption(project_id, lang)
    assert caption in texts(at.caption)
    expected = {
        "ja": "JUAS目安（画面12・バッチ2）: 約243 人日。",
        "en": "JUAS benchmark (12 screens, 2 batch jobs): about 243",
    }
    assert caption.startswith(expected[lang])
    assert not [text for text in texts(at.warning) if "JUAS" in text]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("days", "verdict"), [(1, "below_half"), (500, "above_double")])
def test_an_estimate_far_from_the_juas_figure_is_called_out(lang: str, days: int, verdict: str) -> None:
    project_id = business_project(lang)
    workflow = flow()
    names = [line.deliverable for line in workflow.store.get_version(project_id).lines]
    workflow.edit_lines(project_id, dict.fromkeys(names, Decimal(days)), base_version=1, user="local")
    at = opened(project_id, "pages/estimate.py", lang=lang)

    check = workflow.juas_check(project_id)
    assert check is not None and check.verdict == verdict
    assert juas_caption(project_id, lang) in texts(at.caption)
    assert t(f"estimate.juas.{verdict}", lang, ratio=format_number(check.ratio, lang)) in texts(at.warning)


def test_no_juas_figure_for_another_type() -> None:
    project_id = business_project("ja")
    flow().set_project_type(project_id, "app_api", expected_row_version=None)
    at = opened(project_id, "pages/estimate.py", lang="ja")
    assert not [text for text in texts(at.caption) if "JUAS" in text]
