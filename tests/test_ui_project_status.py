"""Issue 13, a project's life on the pages: the Estimate page shows the status and moves it, the project list
shows each project's status and filters by it, in both languages."""

from __future__ import annotations

import pytest

from estimator.i18n import t
from estimator.schemas import ProjectStatus
from tests.ui_support import app, estimated_project, flow, opened, texts


def markdown_text(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(texts(at.markdown))


def key(name: str, project_id: int) -> str:
    project = flow().project(project_id)
    return f"status_{name}_{project.id}_{project.row_version}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_estimate_page_submits_the_chosen_version_and_shows_it(lang: str) -> None:
    project_id = estimated_project(language=lang)
    workflow = flow()
    workflow.generate_estimate(project_id, expected_row_version=None, user="local")
    at = opened(project_id, "pages/estimate.py", lang=lang)
    assert t("project_status.estimating", lang) in markdown_text(at)
    target = at.radio(key=key("target", project_id))
    assert target.options == [t(f"project_status.{s}", lang) for s in ("submitted", "withdrawn")]
    at.session_state[key("target", project_id)] = ProjectStatus.SUBMITTED
    at.run()
    at.session_state[key("version", project_id)] = 1
    at.run()
    at.button(key=key("apply", project_id)).click().run()
    assert not at.exception and not at.error
    project = workflow.project(project_id)
    assert (project.status, project.submitted_version) == (ProjectStatus.SUBMITTED, 1)
    shown = markdown_text(at)
    assert t("project_status.submitted", lang) in shown
    assert t("status.submitted_version", lang, version=1) in shown
    moves = at.radio(key=key("target", project_id)).options
    assert moves == [t(f"project_status.{s}", lang) for s in ("estimating", "won", "lost", "withdrawn")]


def test_a_click_on_a_page_another_tab_made_stale_changes_nothing() -> None:
    """Another tab withdrew the project meanwhile: the stale 「提出済」 click must not apply the new default move."""
    project_id = estimated_project()
    at = opened(project_id, "pages/estimate.py", lang="ja")
    stale_apply = key("apply", project_id)
    at.session_state[key("target", project_id)] = ProjectStatus.SUBMITTED
    at.run()
    workflow = flow()
    workflow.set_status(project_id, "withdrawn", user="other", expected_row_version=None)
    at.button(key=stale_apply).click().run()
    assert not at.exception
    assert workflow.project(project_id).status is ProjectStatus.WITHDRAWN
    assert [change.changed_by for change in workflow.status_changes(project_id)] == ["other"]
    assert t("project_status.withdrawn", "ja") in markdown_text(at)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_project_list_shows_each_status_and_filters_by_it(lang: str) -> None:
    workflow = flow()
    kept, moved = estimated_project(language=lang), estimated_project(language=lang)
    workflow.set_status(moved, "submitted", user="local", expected_row_version=None)
    at = app()
    at.session_state["lang"] = lang
    at.run()
    shown = markdown_text(at)
    assert t("project_status.estimating", lang) in shown and t("project_status.submitted", lang) in shown
    filter_box = at.selectbox(key="project_status_filter")
    assert filter_box.options[0] == t("projects.status_all", lang)
    at.session_state["project_status_filter"] = "submitted"
    at.run()
    buttons = {button.key for button in at.button}
    assert f"open_{moved}" in buttons and f"open_{kept}" not in buttons
