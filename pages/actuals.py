"""Actuals: for a 受注 or 完了 project, the actual person-days beside the baseline estimate, typed or imported
from a timesheet export, with the lines added during delivery as change requests."""

from __future__ import annotations

import streamlit as st

from estimator.schemas import ProjectStatus
from ui import accuracy_view, actuals_view, status_view
from ui.context import require_project, through_app, tr, workflow

through_app()

project = require_project()
flow = workflow()

st.title(tr("actuals.title"))
if project.status not in (ProjectStatus.WON, ProjectStatus.DONE):
    st.info(tr("actuals.not_started", status=status_view.status_label(project.status)))
    st.page_link("pages/estimate.py", label=tr("nav.estimate"), icon=":material/calculate:")
    st.stop()

baseline = flow.baseline_lines(project.id)
st.caption(tr("actuals.intro", version=project.submitted_version or "—"))
actuals_view.editor(project, baseline)
st.divider()
st.subheader(tr("actuals.import.title"))
actuals_view.importer(project)
measured = flow.project_accuracy(project.id)
if measured is not None:
    st.divider()
    accuracy_view.project_summary(measured, finished=project.status is ProjectStatus.DONE)
