"""Issue 11 items 5 and 12: a reload (a new session with only the URL) reopens the same
project, page and language; the drafts of a session survive reruns and page changes;
a chosen answer pill shows selected again on return."""

from __future__ import annotations

import pytest

from estimator.i18n import t
from tests.ui_support import app, estimated_project, flow, opened, project_with_deliverables, texts


def reloaded(query: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    """A new browser session that starts from a URL: only the query string is known."""
    at = app()
    at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def page_html(at) -> str:  # type: ignore[no-untyped-def]
    return "".join(element.proto.body for element in at.get("html"))


def test_opening_a_project_writes_it_and_the_language_into_the_url() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/estimate.py", lang="en")

    assert at.query_params == {"project": str(project_id), "lang": "en"}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(
    ("page", "title"),
    [
        ("pages/deliverables.py", "deliverables.title"),
        ("pages/questions.py", "questions.title"),
        ("pages/estimate.py", "estimate.title"),
        ("pages/adjust.py", "adjust.title"),
    ],
)
def test_a_reload_reopens_the_project_page_and_language(lang: str, page: str, title: str) -> None:
    project_id = estimated_project()
    at = reloaded({"project": str(project_id), "lang": lang}, page)

    assert not at.exception
    assert texts(at.title) == [t(title, lang)]
    assert t("nav.choose_project_first", lang) not in texts(at.info)
    assert at.sidebar.selectbox(key="lang_select").value == lang
    assert "UIテスト" in "".join(texts(at.sidebar.markdown))
    assert at.query_params == {"project": str(project_id), "lang": lang}


def test_a_link_to_a_deleted_project_says_so_and_drops_it_from_the_url() -> None:
    project_id = project_with_deliverables()
    flow().delete_project(project_id)
    at = reloaded({"project": str(project_id), "lang": "en"})

    assert t("nav.project_gone", "en", id=project_id) in texts(at.warning)
    assert at.query_params == {"lang": "en"}


@pytest.mark.parametrize("query", [{"project": "abc"}, {"project": "-1"}, {"lang": "fr"}, {"project": "9" * 40}])
def test_a_malformed_url_opens_the_plain_projects_page(query: dict[str, str]) -> None:
    at = reloaded(query)

    assert not at.exception
    assert texts(at.title) == [t("projects.title", "ja")]


def test_closing_the_project_is_not_undone_by_the_url_it_was_opened_from() -> None:
    project_id = project_with_deliverables()
    at = reloaded({"project": str(project_id)})
    at.switch_page("pages/projects.py").run()
    at.button(key=f"delete_{project_id}").click().run()
    at.button(key=f"yes_{project_id}").click().run()
    at.switch_page("pages/deliverables.py").run()

    assert texts(at.info) == [t("nav.choose_project_first", "ja")]
    assert "project" not in at.query_params


def test_unsaved_deliverables_survive_a_trip_to_another_page_and_arm_the_reload_warning() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/deliverables.py")
    at.text_area(key="requirements_input").input("SSO 必須").run()
    assert "window.estimatorUnsaved = true" in page_html(at)

    at.switch_page("pages/usage.py").run()
    at.switch_page("pages/deliverables.py").run()

    assert at.text_area(key="requirements_input").value == "SSO 必須"
    assert t("deliverables.unsaved", "ja") in texts(at.warning)


def test_a_saved_page_disarms_the_reload_warning() -> None:
    at = opened(project_with_deliverables(), "pages/deliverables.py")

    assert "window.estimatorUnsaved = false" in page_html(at)


def test_a_chosen_pill_shows_selected_on_returning_to_the_questions() -> None:
    project_id = project_with_deliverables()
    workflow = flow()
    project = workflow.generate_questions(project_id, expected_row_version=None, user="local")
    question = next(qa for qa in project.qa_pairs if qa.choices)
    workflow.save_answers(project_id, {question.key: question.choices[0]}, expected_row_version=None)

    at = opened(project_id, "pages/questions.py")
    at.switch_page("pages/projects.py").run()
    at.switch_page("pages/questions.py").run()

    assert at.session_state[f"choice_{project_id}_{question.key}"] == question.choices[0]
    assert at.text_input(key=f"answer_{project_id}_{question.key}").value == question.choices[0]
