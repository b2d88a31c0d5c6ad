"""The menu, the sidebar and the Projects page, in Japanese and English, through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.i18n import t
from tests.conftest import ROOT
from tests.ui_support import app, flow, labelled, project_with_deliverables, texts

PAGES = (
    ("pages/projects.py", "nav.projects"),
    ("pages/deliverables.py", "nav.deliverables"),
    ("pages/questions.py", "nav.questions"),
    ("pages/estimate.py", "nav.estimate"),
    ("pages/adjust.py", "nav.adjust"),
    ("pages/actuals.py", "nav.actuals"),
    ("pages/accuracy.py", "nav.accuracy"),
    ("pages/usage.py", "nav.usage"),
)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_first_load_menu_is_exactly_our_pages_in_order_with_translated_titles(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGUAGE", lang)
    at = app().run()

    registered = list(at._registered_pages.values())
    assert [
        (Path(page["script_path"]).resolve().relative_to(ROOT).as_posix(), page["page_name"]) for page in registered
    ] == [(path, t(key, lang)) for path, key in PAGES]
    assert not at.exception
    assert texts(at.title) == [t("projects.title", lang)]
    sidebar = [caption.value for caption in at.sidebar.caption]
    assert t("sidebar.engine", lang, engine=t("engine.offline", lang)) in sidebar
    assert t("sidebar.user", lang, user="local") in sidebar
    assert at.sidebar.selectbox(key="lang_select").value == lang


def test_switching_language_translates_the_menu_and_the_page() -> None:
    at = app().run()
    at.sidebar.selectbox(key="lang_select").set_value("en").run()

    assert at.session_state["lang"] == "en"
    assert [page["page_name"] for page in at._registered_pages.values()] == [t(key, "en") for _, key in PAGES]
    assert texts(at.title) == [t("projects.title", "en")]
    at.switch_page("pages/usage.py").run()
    assert texts(at.title) == [t("usage.title", "en")]


@pytest.mark.parametrize(
    "page", ["pages/deliverables.py", "pages/questions.py", "pages/estimate.py", "pages/adjust.py"]
)
def test_a_step_page_without_a_project_points_to_projects(page: str) -> None:
    at = app().run()
    at.switch_page(page).run()

    assert texts(at.info) == [t("nav.choose_project_first", "ja")]
    assert not at.exception


def test_creating_a_project_opens_it_on_deliverables() -> None:
    at = app().run()
    labelled(at.text_input, t("projects.field.title", "ja")).input("新規案件")
    labelled(at.text_input, t("projects.field.client", "ja")).input("ACME株式会社")
    at.button[0].click().run()

    assert not at.exception
    assert texts(at.title) == [t("deliverables.title", "ja")]
    project = flow().store.get_project(at.session_state["project_id"])
    assert (project.title, project.client, project.currency) == ("新規案件", "ACME株式会社", "JPY")


@pytest.mark.parametrize(
    ("field", "typed", "key", "values"),
    [
        (
            "projects.field.unit_cost",
            "40000.5",
            "errors.adjust.bad_unit_cost.JPY",
            {"value": "40000.5", "limit": "10,000,000"},
        ),
        ("projects.field.unit_cost", "四万", "errors.input.not_a_number", {"value": "四万"}),
        ("projects.field.tax_rate", "150", "errors.input.bad_tax_rate", {"value": "150"}),
    ],
)
def test_unusable_money_terms_are_refused_by_the_workflow_and_the_form_keeps_them(
    field: str, typed: str, key: str, values: dict[str, str]
) -> None:
    at = app().run()
    labelled(at.text_input, t("projects.field.title", "ja")).input("新規案件")
    labelled(at.text_input, t(field, "ja")).input(typed)
    at.button[0].click().run()

    assert not at.exception
    assert texts(at.error) == [t(key, "ja", field=t(field, "ja"), **values)]
    assert labelled(at.text_input, t(field, "ja")).value == typed
    assert flow().list_projects() == []


def test_creating_without_a_title_is_refused_in_the_users_language() -> None:
    at = app().run()
    at.sidebar.selectbox(key="lang_select").set_value("en").run()
    labelled(at.text_input, t("projects.field.client", "en")).input("ACME")
    at.button[0].click().run()

    assert texts(at.error) == [t("errors.input.empty_title", "en")]
    assert labelled(at.text_input, t("projects.field.client", "en")).value == "ACME"
    assert flow().store.list_projects() == []


def test_duplicate_opens_the_copy_and_delete_asks_first() -> None:
    project_id = project_with_deliverables(("A", "B"))
    at = app()
    at.session_state["project_id"] = project_id
    at.run()
    at.button(key=f"copy_{project_id}").click().run()

    copy_id = at.session_state["project_id"]
    assert copy_id != project_id
    assert texts(at.title) == [t("deliverables.title", "ja")]
    assert [row.name for row in flow().store.get_project(copy_id).deliverables] == ["A", "B"]
    copy = flow().project(copy_id)
    said = t("projects.duplicated", "ja", title=copy.title, quote_number=copy.quote_number)
    assert said in texts(at.success), "the copy says what it copied and what it did not"

    at.switch_page("pages/projects.py").run()
    at.button(key=f"delete_{copy_id}").click().run()
    assert texts(at.warning) == [
        t("projects.confirm_delete", "ja", title=t("projects.copy_title", "ja", title="UIテスト"))
    ]
    at.button(key=f"yes_{copy_id}").click().run()

    assert [summary.id for summary in flow().store.list_projects()] == [project_id]
    assert "project_id" not in at.session_state
    assert t("projects.deleted", "ja", title=copy.title, quote_number=copy.quote_number) in texts(at.success)
