"""Deliverables: the table (type, add, delete, reorder), upload with an accept step,
sample files, system requirements with templates, Save."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError, InvalidInputError, StaleWriteError
from estimator.i18n import Phrase, t
from estimator.schemas import DESCRIPTION_LIMIT, NAME_LIMIT, UPLOAD_TYPES
from ui import deliverables as state
from ui.context import flash, lang, require_project, settings, show_error, through_app, tr, workflow

through_app()

TEMPLATES = ("web_site", "web_system", "mobile_app", "api")

project = require_project()
flow = workflow()
draft = state.draft_for(project)

st.title(tr("deliverables.title"))
st.caption(tr("deliverables.intro"))

staged = None
# A keyed expander keeps its open state across the rerun a chosen file causes; before,
# its `expanded` argument changed on that rerun and Streamlit collapsed it, hiding the import.
with st.expander(
    tr("deliverables.upload.title"),
    expanded=not project.deliverables,
    icon=":material/upload_file:",
    key="upload_section",
    on_change="rerun",
):
    upload_column, sample_column = st.columns([3, 2], gap="large")
    with upload_column:
        limit_mb = settings().max_upload_size_mb
        types = ", ".join(f".{extension}" for extension in UPLOAD_TYPES)
        state.translate_uploader(tr("deliverables.upload.browse"))
        # No `type` filter: Streamlit would refuse other files in English; the reader refuses
        # them in the user's language and says what to do (save an .xls as .xlsx, …).
        uploaded = st.file_uploader(
            tr("deliverables.upload.label"),
            key=state.uploader_key(),
            help=tr("deliverables.upload.help"),
            max_upload_size=limit_mb,
        )
        st.caption(tr("deliverables.upload.limits", types=types, limit_mb=limit_mb))
        if uploaded is not None:
            try:
                staged = state.stage_upload(uploaded.getvalue(), uploaded.name, uploaded.file_id)
            except InvalidInputError as error:
                show_error(error)
    with sample_column:
        st.caption(tr("deliverables.samples"))
        for code in ("ja", "en"):
            cells = st.columns(2)
            for cell, extension in zip(cells, ("xlsx", "csv"), strict=True):
                cell.download_button(
                    tr(f"deliverables.sample.{code}", extension=extension),
                    data=state.sample_bytes(code, extension),
                    file_name=state.SAMPLES[(code, extension)],
                    mime=state.MIME[extension],
                    icon=":material/download:",
                    key=f"sample_{code}_{extension}",
                    on_click="ignore",
                    width="stretch",
                )
    if staged is not None:
        found = staged.result
        st.info(tr("deliverables.upload.found", filename=staged.filename, count=len(found.deliverables)))
        for notice in found.notices:
            st.caption(t(notice.key, lang(), **notice.values))
        if found.problems:
            st.warning(tr("deliverables.upload.problems", count=len(found.problems)))
            st.dataframe(
                [
                    {
                        tr("deliverables.upload.col.row"): problem.row,
                        tr("deliverables.upload.col.problem"): t(problem.key, lang(), **problem.values),
                    }
                    for problem in found.problems
                ],
                hide_index=True,
                width="stretch",
            )
        rows_now = len(draft.current)
        if rows_now:
            st.info(tr("deliverables.upload.replace_or_append", count=rows_now), icon=":material/help:")
        replace_column, append_column, cancel_column = st.columns([2, 2, 1])
        if replace_column.button(
            tr(
                "deliverables.upload.replace",
                count=len(found.deliverables),
                rows=Phrase("units.rows", {"count": rows_now}),
            )
            if rows_now
            else tr("deliverables.upload.accept", count=len(found.deliverables)),
            type="primary",
            icon=":material/check:",
            disabled=not found.deliverables,
            key="upload_accept",
            width="stretch",
        ):
            flash(tr("deliverables.upload.accepted", count=state.accept_upload(draft)))
            st.rerun()
        if rows_now and append_column.button(
            tr("deliverables.upload.append", count=len(found.deliverables)),
            icon=":material/playlist_add:",
            disabled=not found.deliverables,
            key="upload_append",
            width="stretch",
        ):
            added, skipped = state.append_upload(draft)
            flash(tr("deliverables.upload.appended", count=added, skipped=skipped))
            st.rerun()
        if cancel_column.button(tr("deliverables.upload.cancel"), key="upload_cancel", width="stretch"):
            state.cancel_upload()
            st.rerun()

st.subheader(tr("deliverables.table.title"))
edited = st.data_editor(
    state.editor_frame(draft.base),
    key=state.EDITOR_KEY,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    height=state.editor_height(len(draft.base)),
    column_config={
        "order": st.column_config.NumberColumn(
            tr("deliverables.col.order"),
            help=tr("deliverables.col.order_help"),
            min_value=1,
            step=1,
            width=60,
            default=len(draft.base) + 1,
        ),
        "name": st.column_config.TextColumn(
            tr("deliverables.col.name"), max_chars=NAME_LIMIT, width="medium", default=""
        ),
        "description": st.column_config.TextColumn(
            tr("deliverables.col.description"), max_chars=DESCRIPTION_LIMIT, width="large", default=""
        ),
    },
)
draft.current = state.from_editor(edited)
help_column, sort_column = st.columns([4, 1], vertical_alignment="center")
help_column.caption(tr("deliverables.table.help", count=len(draft.current)))
if sort_column.button(tr("deliverables.sort"), icon=":material/sort:", key="sort_rows", width="stretch"):
    state.replace_table(draft, state.ordered(draft.current))
    st.rerun()

st.subheader(tr("deliverables.requirements.title"))
template_column, insert_column = st.columns([3, 1], vertical_alignment="bottom")
template = template_column.selectbox(
    tr("deliverables.template.label"),
    TEMPLATES,
    format_func={name: tr(f"deliverables.template.{name}.name") for name in TEMPLATES}.get,
    key="requirements_template",
)
insert_column.button(
    tr("deliverables.template.insert"),
    icon=":material/playlist_add:",
    on_click=state.insert_template,
    args=(tr(f"deliverables.template.{template}.text"),),
    key="insert_template",
    width="stretch",
)
draft.requirements = st.text_area(
    tr("deliverables.requirements.label"),
    key=state.REQUIREMENTS_KEY,
    height=220,
    max_chars=20000,
    placeholder=tr("deliverables.requirements.placeholder"),
)

if draft.dirty:
    st.warning(tr("deliverables.unsaved"))


def save(expected_row_version: int | None) -> None:
    """Store the draft; a refusal leaves it in place, with the reason on the page."""
    try:
        saved = flow.save_deliverables(
            project.id,
            state.deliverables(draft.current),
            requirements=draft.requirements,
            expected_row_version=expected_row_version,
        )
    except StaleWriteError as error:
        st.session_state[state.STALE_KEY] = True
        show_error(error)
    except EstimatorError as error:
        show_error(error)
    else:
        st.session_state.pop(state.STALE_KEY, None)
        st.session_state[state.DRAFT_KEY] = state.fresh_draft(saved)
        st.session_state.pop(state.EDITOR_KEY, None)
        flash(tr("deliverables.saved", count=len(saved.deliverables)))
        st.rerun()


save_column, next_column = st.columns([1, 3])
if save_column.button(tr("deliverables.save"), type="primary", icon=":material/save:", key="save_deliverables"):
    save(draft.row_version)
if st.session_state.get(state.STALE_KEY):
    overwrite, reload = st.columns(2)
    if overwrite.button(tr("deliverables.stale.overwrite"), key="stale_overwrite"):
        save(flow.project(project.id).row_version)
    if reload.button(tr("deliverables.stale.reload"), key="stale_reload"):
        st.session_state[state.DRAFT_KEY] = state.fresh_draft(flow.project(project.id))
        st.session_state.pop(state.EDITOR_KEY, None)
        st.session_state.pop(state.REQUIREMENTS_KEY, None)
        st.session_state.pop(state.STALE_KEY, None)
        st.rerun()
if project.deliverables and not draft.dirty:
    next_column.page_link("pages/questions.py", label=tr("deliverables.next"), icon=":material/arrow_forward:")
