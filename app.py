"""Streamlit entry: page config, the translated menu over pages/, and the sidebar."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from estimator.i18n import t
from ui.context import (
    current_project,
    freeze_loaded_modules,
    keep_place_in_url,
    lang,
    language_switch,
    show_flashes,
    tr,
    user,
)
from ui.formatting import engine_in_use
from ui.unsaved import guard_unsaved_work

FAVICON = Path(__file__).resolve().parent / "assets" / "favicon.svg"

language = lang()
# A local icon: a :material/…: page icon makes browsers fetch it from Google's font servers.
st.set_page_config(page_title=t("app.title", language), page_icon=str(FAVICON), layout="wide")

PAGES = [
    ("pages/projects.py", "nav.projects", ":material/folder_open:", "projects"),
    ("pages/deliverables.py", "nav.deliverables", ":material/list_alt:", "deliverables"),
    ("pages/questions.py", "nav.questions", ":material/quiz:", "questions"),
    ("pages/estimate.py", "nav.estimate", ":material/calculate:", "estimate"),
    ("pages/adjust.py", "nav.adjust", ":material/tune:", "adjust"),
    ("pages/actuals.py", "nav.actuals", ":material/fact_check:", "actuals"),
    ("pages/accuracy.py", "nav.accuracy", ":material/query_stats:", "accuracy"),
    ("pages/usage.py", "nav.usage", ":material/monitoring:", "usage"),
]
navigation = st.navigation(
    [
        st.Page(path, title=t(key, language), icon=icon, url_path=slug, default=index == 0)
        for index, (path, key, icon, slug) in enumerate(PAGES)
    ]
)

with st.sidebar:
    language_switch()
    project = current_project()
    if project is not None:
        st.caption(tr("sidebar.project"))
        st.markdown(f"**{project.title}**  \n{project.quote_number}")
    else:
        st.caption(tr("sidebar.no_project"))
    st.caption(tr("sidebar.engine", engine=engine_in_use()))
    st.caption(tr("sidebar.user", user=user()))

keep_place_in_url()
show_flashes()
navigation.run()
with st.sidebar:
    guard_unsaved_work(project)
freeze_loaded_modules()
