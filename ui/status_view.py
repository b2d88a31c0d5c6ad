"""A project's status in its life (見積中 → 提出済 → 受注 → 完了, or 失注 / 取下げ): shown, and moved.

Only the moves the current status allows are offered (`STATUS_TRANSITIONS`); a submission names
the version sent to the client, the newest by default, which becomes the baseline actuals are
compared against. The widgets are keyed by the project's row version: when another tab changed
the project meanwhile, the rerun that the click causes draws fresh widgets for the new status, so
the stale click does nothing rather than apply whatever the new default would be.
"""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import STATUS_TRANSITIONS, ProjectDetail, ProjectStatus, VersionSummary
from ui.context import flash, show_error, tr, user, workflow

BADGE_COLOURS = {
    ProjectStatus.ESTIMATING: "gray",
    ProjectStatus.SUBMITTED: "blue",
    ProjectStatus.WON: "green",
    ProjectStatus.DONE: "violet",
    ProjectStatus.LOST: "red",
    ProjectStatus.WITHDRAWN: "orange",
}


def status_label(status: ProjectStatus) -> str:
    return tr(f"project_status.{status.value}")


def badge(status: ProjectStatus) -> str:
    """The status as a coloured markdown badge, for a list row or a heading."""
    return f":{BADGE_COLOURS[status]}-badge[{status_label(status)}]"


def control_key(name: str, project: ProjectDetail) -> str:
    return f"status_{name}_{project.id}_{project.row_version}"


def status_control(project: ProjectDetail, versions: list[VersionSummary]) -> None:
    """The current status (and submitted version), and a popover to move it where it may go."""
    row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="project_status_row")
    submitted = (
        tr("status.submitted_version", version=project.submitted_version)
        if project.submitted_version is not None
        else ""
    )
    row.markdown(f"{tr('status.label')} {badge(project.status)} {submitted}")
    moves = sorted(STATUS_TRANSITIONS[project.status], key=list(ProjectStatus).index)
    if not moves:
        return
    # Labels computed in this run: a format_func that translated at call time would read the language
    # wherever it is called (AppTest calls it outside the session).
    labels = {status: status_label(status) for status in moves}
    with row.popover(tr("status.change"), icon=":material/flag:"):
        target = st.radio(
            tr("status.target"),
            moves,
            format_func=labels.__getitem__,
            key=control_key("target", project),
            horizontal=True,
        )
        version = None
        if target is ProjectStatus.SUBMITTED:
            options = {summary.number: tr("status.version_option", version=summary.number) for summary in versions}
            version = st.selectbox(
                tr("status.version"),
                sorted(options, reverse=True),
                format_func=options.__getitem__,
                key=control_key("version", project),
                help=tr("status.version_help"),
            )
        if st.button(tr("status.apply"), type="primary", key=control_key("apply", project)):
            try:
                moved = workflow().set_status(
                    project.id,
                    target.value,
                    version=version,
                    user=user(),
                    expected_row_version=project.row_version,
                )
            except EstimatorError as error:
                show_error(error)
            else:
                flash(tr("status.changed", before=status_label(project.status), after=status_label(moved.status)))
                st.rerun()
