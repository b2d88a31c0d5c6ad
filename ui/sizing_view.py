"""The Estimate page's sizing parts: the project type the estimate is sized as, and the JUAS cross-check."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError
from estimator.i18n import Phrase
from estimator.schemas import JuasCheck, ProjectDetail, VersionSummary
from ui.context import flash, tr, workflow
from ui.formatting import days, number

AUTO = "auto"
"""The selector's option for "detect the type from the list" (stored as no type at all)."""
TYPE_KEY = "project_type_choice"
TYPE_ERROR_KEY = "project_type_error"
SELECTOR_WIDTH = 420


def type_label(project_type: str) -> str:
    return tr(f"sizing.type.{project_type}")


def type_selector(project: ProjectDetail, *, estimated: bool) -> None:
    """Detect the type (naming the detected type, its cue words in the help) or choose one of the six.

    The widget is set from the stored choice on every run, so a choice saved in another tab shows
    here; a change is saved by the callback, before the page reads the project again (the
    sidebar's language choice works the same way). `estimated`: a version exists, so the message
    says that re-estimating applies the type.
    """
    flow = workflow()
    detected, cues = flow.detected_project_type(project.id)
    labels = {AUTO: tr("estimate.type.auto", detected=type_label(detected))}
    labels |= {value: type_label(value) for value in flow.project_types()}
    st.session_state[TYPE_KEY] = project.project_type if project.project_type in labels else AUTO
    help_text = (
        tr("estimate.type.help", detected=type_label(detected), cues=tr("offline.list_separator").join(cues))
        if cues
        else tr("estimate.type.help_none", detected=type_label(detected))
    )
    st.selectbox(
        tr("estimate.type.label"),
        list(labels),
        format_func=labels.__getitem__,
        key=TYPE_KEY,
        help=help_text,
        on_change=_save_type,
        args=(project.id, project.row_version, labels[AUTO], estimated),
        width=SELECTOR_WIDTH,
    )
    refused = st.session_state.pop(TYPE_ERROR_KEY, None)
    if refused is not None and refused[0] == project.id:
        st.error(tr(refused[1], **refused[2]))


def _save_type(project_id: int, row_version: int, auto_label: str, estimated: bool) -> None:
    """Store the chosen type (a callback); a refusal (another tab saved the project first) is shown by the page."""
    choice = st.session_state[TYPE_KEY]
    try:
        workflow().set_project_type(project_id, None if choice == AUTO else choice, expected_row_version=row_version)
    except EstimatorError as error:
        st.session_state[TYPE_ERROR_KEY] = (project_id, error.key, error.values)
    else:
        shown = auto_label if choice == AUTO else type_label(choice)
        flash(tr("estimate.type.saved" if estimated else "estimate.type.saved_first", type=shown))


JuasKey = tuple[int, int, str, int, str]


@st.cache_data(max_entries=64, show_spinner=False)
def _juas_check(key: JuasKey) -> JuasCheck | None:
    project_id, _, _, version_number, _ = key
    return workflow().juas_check(project_id, version_number)


def juas_note(project: ProjectDetail, version: VersionSummary) -> None:
    """For a business system, `version` beside the JUAS figure, and a warning when far from it.

    Counting the screens of a 200-line list takes a tenth of a second, so the check is made once
    per state of the project (its row version and update time move with every change to the
    list or the type; ids of deleted rows may return) and per stored version, not on every rerun.
    """
    key = (
        project.id,
        project.row_version,
        project.updated_at.isoformat(),
        version.number,
        version.created_at.isoformat(),
    )
    check = _juas_check(key)
    if check is None:
        return
    ratio = number(check.ratio)
    st.caption(
        tr(
            "estimate.juas.caption",
            screens=Phrase("estimate.juas.screens", {"value": number(check.screens), "count": check.screens}),
            batches=Phrase("estimate.juas.batches", {"value": number(check.batches), "count": check.batches}),
            juas=days(check.person_days.to_integral_value()),
            days=days(check.estimate_days),
            ratio=ratio,
        ),
        help=tr("estimate.juas.help"),
    )
    if check.verdict != "within":
        st.warning(tr(f"estimate.juas.{check.verdict}", ratio=ratio), icon=":material/rule:")
