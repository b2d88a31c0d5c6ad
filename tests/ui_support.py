"""Helpers for the AppTest suites: a fresh app per test, and projects prepared through the workflow.

ui/context.py keeps one settings object and one workflow per process with
st.cache_resource; every test has its own DATA_DIR, so the caches are cleared first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import streamlit as st
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from estimator.config import load_settings
from estimator.schemas import Deliverable
from estimator.workflow import Workflow, open_workflow
from tests.support import ROOT

TIMEOUT = 60
SAMPLE_NAMES = ("要件定義書", "ログイン画面", "管理画面", "結合テスト", "運用マニュアル")


class _AppRoutedPagesManager(PagesManager):
    """AppTest sets Streamlit's legacy `pages/` flag afresh before every run, where a server sets
    it once per process and app.py's st.navigation turns it off for good; keeping it off makes
    every test run go through app.py, as every run in a browser does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def app() -> AppTest:
    st.cache_resource.clear()
    app_test_module.PagesManager = _AppRoutedPagesManager
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def flow() -> Workflow:
    """A workflow over the test's own database (the one the app under test opens too)."""
    return open_workflow(load_settings())


def project_with_deliverables(names: tuple[str, ...] = SAMPLE_NAMES, language: str = "ja") -> int:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(language), title="UIテスト"), user="local")
    items = [Deliverable(name=name, description=f"{name}の説明") for name in names]
    workflow.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    return project.id


def estimated_project(names: tuple[str, ...] = SAMPLE_NAMES, language: str = "ja") -> int:
    project_id = project_with_deliverables(names, language)
    workflow = flow()
    workflow.generate_estimate(project_id, expected_row_version=None, user="local")
    return project_id


def opened(project_id: int, page: str, lang: str | None = None) -> AppTest:
    """The app on `page` with `project_id` open (in `lang` when given), after the first run."""
    at = app()
    at.session_state["project_id"] = project_id
    if lang is not None:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(page).run()
    return at


def texts(elements: object) -> list[str]:
    return [element.value for element in elements]  # type: ignore[attr-defined]


def labelled(widgets: Iterable[Any], label: str) -> Any:
    """The one widget of a kind with this label."""
    found = [widget for widget in widgets if widget.label == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]
