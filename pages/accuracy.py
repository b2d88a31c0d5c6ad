"""Accuracy: firm-wide, how the estimates of completed projects compared with their actuals (MdMRE, Pred(25),
bias), as submitted and as first generated, by kind, phase and type, and the calibration factors learned."""

from __future__ import annotations

import streamlit as st

from ui import accuracy_view, calibration_view
from ui.context import through_app, tr, workflow

through_app()

flow = workflow()
report = flow.accuracy()

st.title(tr("accuracy.title"))
st.caption(tr("accuracy.intro"))
if not report.projects:
    st.info(
        tr(
            "accuracy.empty",
            won=tr("project_status.won"),
            done=tr("project_status.done"),
            actuals=tr("nav.actuals"),
        )
    )
    st.stop()

accuracy_view.summary(report)
accuracy_view.charts(report)
accuracy_view.measures_table(report.by_kind, "kind")
accuracy_view.measures_table(report.by_phase, "phase", empty="accuracy.by_phase.empty")
accuracy_view.measures_table(report.by_type, "type")
accuracy_view.projects_table(report.projects)

st.subheader(tr("accuracy.factors.title"))
st.caption(tr("accuracy.factors.caption"))
if not flow.calibration_enabled():
    st.info(tr("calibration.off_globally"))
calibration_view.factors_table(flow.calibration())
