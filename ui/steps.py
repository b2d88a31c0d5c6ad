"""Steps that more than one page starts, each behind an st.status so a slow model shows progress."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import ProjectDetail
from ui import answers
from ui.context import flash, settings, show_error, tr, user, workflow
from ui.estimate import show_version


def engine_label() -> str:
    """The engine in use as the user reads it: the offline engine by name, else the model."""
    name = settings().engine_name
    return tr("sidebar.engine_offline") if name == "offline" else name


def generate_estimate(project: ProjectDetail) -> bool:
    """Store the answers typed so far, then ask the engine for a new version; False (with the error shown) on failure.

    The answers are stored first, so a failing model call loses none of them.
    """
    with st.status(tr("estimate.generating", engine=engine_label()), expanded=True) as status:
        try:
            st.write(tr("estimate.step.saving"))
            project = answers.store_pending(project)
            st.write(tr("estimate.step.asking"))
            version = workflow().generate_estimate(project.id, expected_row_version=project.row_version, user=user())
        except EstimatorError as error:
            status.update(label=tr("estimate.failed"), state="error")
            show_error(error)
            return False
        status.update(label=tr("estimate.generated", version=version.number), state="complete", expanded=False)
    show_version(project.id, version.number)
    flash(tr("estimate.generated", version=version.number))
    return True
