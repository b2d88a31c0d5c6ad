"""Steps that more than one page starts, each behind an st.status so a slow model shows progress."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import ProjectDetail
from ui import answers
from ui.context import flash, show_error, tr, user, workflow
from ui.estimate import show_version
from ui.formatting import engine_in_use


def generate_estimate(project: ProjectDetail) -> bool:
    """Store the answers typed so far, then ask the engine for a new version; False (with the error shown) on failure.

    The answers are stored first, so a failing model call loses none of them.
    """
    with st.status(tr("estimate.generating", engine=engine_in_use()), expanded=True) as status:
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


def stale_estimate_notice(project: ProjectDetail, number: int, *, key: str) -> bool:
    """Warn when version `number` was made from other inputs than the project holds now, with a re-estimate button.

    Saved deliverables, requirements or answers that changed after the estimate would otherwise
    leave a quote that silently prices the old list. True when the estimate is out of date.
    """
    if not workflow().inputs_changed(project.id, number):
        return False
    st.warning(tr("estimate.stale.notice", version=number), icon=":material/sync_problem:")
    regenerate = st.button(tr("estimate.stale.regenerate"), type="primary", icon=":material/calculate:", key=key)
    if regenerate and generate_estimate(project):
        st.rerun()
    return True
