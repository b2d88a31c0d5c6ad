"""What every page needs: the settings, the workflow (one per process), the
user's language, the signed-in user and the current project.

`st.cache_resource` keeps one workflow (one database engine, one model client)
per server process; `st.session_state` holds only UI state (language, project id).
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from estimator.config import ConfigError, Settings, load_settings
from estimator.errors import DatabaseUnavailableError, EstimatorError, NotFoundError
from estimator.i18n import LANGUAGES, t
from estimator.schemas import ProjectDetail
from estimator.workflow import Workflow, open_workflow

LANG_KEY = "lang"
LANG_WIDGET_KEY = "lang_select"
PROJECT_KEY = "project_id"
FLASH_KEY = "flash_messages"
NOTICE_KEY = "notice_message"
URL_READ_KEY = "url_read"
# The query parameters that keep the place: /estimate?project=12&lang=en reopens project 12 in English.
PROJECT_PARAM = "project"
LANG_PARAM = "lang"


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _workflow() -> Workflow:
    return open_workflow(_settings())


def through_app() -> None:
    """Run this page under app.py's menu, never under Streamlit's legacy `pages/` discovery.

    Until st.navigation has run once in a server process, Streamlit treats a folder named
    `pages/` as an old-style multipage app: a browser that reconnects straight to /estimate
    after a restart would get that page alone, under a menu of file names. When the run's
    page list holds app.py itself (only the legacy mode lists it), the legacy mode is
    switched off and the run starts again through app.py.
    """
    context = get_script_run_ctx()
    if context is None:
        return
    main = Path(context.pages_manager.main_script_path).resolve()
    pages = context.pages_manager.get_pages().values()
    if any(info.get("script_path") and Path(info["script_path"]).resolve() == main for info in pages):
        PagesManager.uses_pages_directory = False
        st.rerun()


_modules_at_freeze = 0


def freeze_loaded_modules() -> None:
    """Move what the imports created into the collector's permanent generation.

    Streamlit runs a full `gc.collect(2)` after every script run (runner.postScriptGC),
    holding the GIL while it walks every object; with pandas, pyarrow, SQLAlchemy and
    openpyxl loaded that walk takes 40-60 ms of each rerun. Module-level objects live as
    long as the process, so once new modules have been imported they are collected once
    and frozen; per-session objects made afterwards are still collected as before.
    Under AppTest the script shares the test runner's process, whose objects are left alone.
    """
    global _modules_at_freeze
    if st.get_option("global.appTest"):
        return
    if len(sys.modules) != _modules_at_freeze:
        gc.collect()
        gc.freeze()
        _modules_at_freeze = len(sys.modules)


def settings() -> Settings:
    """The settings, or a stop with the one-line reason when a value is wrong."""
    try:
        return _settings()
    except ConfigError as error:
        st.error(str(error))
        st.stop()
        raise


def workflow() -> Workflow:
    """The process's workflow, or a stop with the one-line reason when its database cannot be opened."""
    settings()
    try:
        return _workflow()
    except DatabaseUnavailableError as error:
        show_error(error)
        st.stop()
        raise


def read_url() -> None:
    """Take the language and the open project from the URL, once per browser session.

    A reload, a server restart, a bookmark or a shared link starts a new session with
    empty state; the URL is what survives. After this first read the session is the
    source of truth, so closing a project is not undone by the parameter still present.
    """
    if st.session_state.get(URL_READ_KEY):
        return
    st.session_state[URL_READ_KEY] = True
    asked = st.query_params.get(LANG_PARAM)
    if asked in LANGUAGES:
        st.session_state[LANG_KEY] = asked
    project = st.query_params.get(PROJECT_PARAM, "")
    if project.isdecimal() and len(project) < 10:
        st.session_state[PROJECT_KEY] = int(project)


def keep_place_in_url() -> None:
    """Write the language and the open project into the URL, so a reload reopens them.

    Streamlit clears the query string when the page changes, so this runs on every run.
    """
    wanted = {LANG_PARAM: lang()}
    if st.session_state.get(PROJECT_KEY) is not None:
        wanted[PROJECT_PARAM] = str(st.session_state[PROJECT_KEY])
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def lang() -> str:
    """The browser session's language: chosen in the sidebar, else the URL's, else LANGUAGE."""
    read_url()
    if st.session_state.get(LANG_KEY) not in LANGUAGES:
        st.session_state[LANG_KEY] = settings().language
    return st.session_state[LANG_KEY]


def _take_language() -> None:
    st.session_state[LANG_KEY] = st.session_state[LANG_WIDGET_KEY]


def language_switch() -> None:
    """The sidebar's language choice, kept for the browser session.

    The choice lives in a plain session key: Streamlit forgets a widget's own state
    when st.switch_page changes the page, so the widget is re-seeded from it each run.
    """
    st.session_state[LANG_WIDGET_KEY] = lang()
    st.selectbox(
        t("sidebar.language", lang()),
        LANGUAGES,
        format_func=lambda code: t(f"lang.{code}", code),
        key=LANG_WIDGET_KEY,
        on_change=_take_language,
    )


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


def user() -> str:
    """Who is signed in: Apache's Basic-auth user (X-Remote-User), or "local" without the proxy."""
    name = st.context.headers.get("X-Remote-User", "") if st.context.headers else ""
    return name.strip()[:100] or "local"


def current_project() -> ProjectDetail | None:
    """The open project; one deleted meanwhile (or named by an old link) is closed with a notice."""
    read_url()
    project_id = st.session_state.get(PROJECT_KEY)
    if project_id is None:
        return None
    try:
        return workflow().project(int(project_id))
    except NotFoundError:
        close_project()
        st.session_state[NOTICE_KEY] = tr("nav.project_gone", id=project_id)
        return None


def open_project(project_id: int) -> None:
    st.session_state[PROJECT_KEY] = project_id
    keep_place_in_url()


def close_project() -> None:
    st.session_state.pop(PROJECT_KEY, None)
    keep_place_in_url()


def show_error(error: EstimatorError) -> None:
    st.error(t(error.key, lang(), **error.values))


def flash(text: str) -> None:
    """A success message that survives the st.rerun / st.switch_page that follows an action."""
    st.session_state.setdefault(FLASH_KEY, []).append(text)


def show_flashes() -> None:
    """The outcomes of the last actions, and a warning that the open project is gone."""
    for text in st.session_state.pop(FLASH_KEY, []):
        st.success(text)
    if NOTICE_KEY in st.session_state:
        st.warning(st.session_state.pop(NOTICE_KEY), icon=":material/info:")


def require_project() -> ProjectDetail:
    """The current project, or a pointer to the Projects page and a stop."""
    project = current_project()
    if project is None:
        st.info(tr("nav.choose_project_first"))
        st.page_link("pages/projects.py", label=tr("nav.projects"), icon=":material/folder_open:")
        st.stop()
    return project


def require_deliverables(project: ProjectDetail) -> None:
    """Questions and estimates need deliverables: otherwise point to the Deliverables page and stop."""
    if not project.deliverables:
        st.info(tr("questions.no_deliverables"))
        st.page_link("pages/deliverables.py", label=tr("nav.deliverables"), icon=":material/list_alt:")
        st.stop()
