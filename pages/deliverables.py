"""Deliverables: the table (type, add, delete, reorder), upload with an accept step, deliverables proposed
from an RFP document to review and take, sample files, system requirements with templates, Save."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError, InvalidInputError, StaleWriteError
from estimator.i18n import Phrase, t
from estimator.schemas import DESCRIPTION_LIMIT, NAME_LIMIT, UPLOAD_TYPES
from ui import deliverables as state
from ui import rfp
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

with st.expander(tr("deliverables.rfp.title"), icon=":material/description:", key="rfp_section", on_change="rerun"):
    limit_mb = settings().max_upload_size_mb
    rfp_types = ", ".join(f".{extension}" for extension in rfp.RFP_TYPES)
    st.caption(tr("deliverables.rfp.intro"))
    state.translate_uploader(tr("deliverables.upload.browse"), key_prefix="rfp_file_")
    document = st.file_uploader(
        tr("deliverables.rfp.label"), key=rfp.uploader_key(), max_upload_size=limit_mb, help=tr("deliverables.rfp.help")
    )
    st.caption(tr("deliverables.upload.limits", types=rfp_types, limit_mb=limit_mb))
    proposal = None
    if document is not None:
        try:
            with st.spinner(tr("deliverables.rfp.reading")):
                proposal = rfp.stage(document.getvalue(), document.name, document.file_id, project.id)
        except EstimatorError as error:
            show_error(error)
    if proposal is not None:
        found = proposal.draft
        st.info(tr("deliverables.rfp.found", filename=proposal.filename, count=len(found.items)))
        page_label = tr("deliverables.rfp.page")
        reviewed = st.data_editor(
            rfp.frame(proposal, page_label),
            key=rfp.RFP_EDITOR_KEY,
            hide_index=True,
            width="stretch",
            height=state.editor_height(len(found.items)),
            disabled=["source"],
            column_config={
                "take": st.column_config.CheckboxColumn(tr("deliverables.rfp.col.take"), width=60),
                "name": st.column_config.TextColumn(tr("deliverables.col.name"), max_chars=NAME_LIMIT, width="medium"),
                "description": st.column_config.TextColumn(
                    tr("deliverables.col.description"), max_chars=DESCRIPTION_LIMIT, width="large"
                ),
                "source": st.column_config.TextColumn(tr("deliverables.rfp.col.source"), width="small"),
            },
        )
        with st.expander(tr("deliverables.rfp.sources"), icon=":material/format_quote:"):
            for number, item in enumerate(found.items, start=1):
                st.markdown(f"**{number}. {item.name}** — {rfp.where(item.source, page_label)}")
                st.caption(item.source.excerpt or tr("deliverables.rfp.no_excerpt"))
        keep_requirements = st.checkbox(
            tr("deliverables.rfp.requirements", count=len(found.requirements)),
            value=bool(found.requirements),
            disabled=not found.requirements,
            key="rfp_requirements",
        )
        rows_now = len(draft.current)
        chosen = rfp.taken(reviewed)
        add_column, replace_column, discard_column = st.columns([2, 2, 1])
        if add_column.button(
            tr("deliverables.rfp.add", count=len(chosen)),
            type="primary",
            icon=":material/playlist_add:",
            disabled=not chosen,
            key="rfp_add",
            width="stretch",
        ):
            added, skipped = rfp.adopt(draft, chosen, replace=False, requirements=keep_requirements)
            flash(tr("deliverables.upload.appended", count=added, skipped=skipped))
            st.rerun()
        if rows_now:
            confirmed = replace_column.checkbox(
                tr("deliverables.rfp.confirm_replace", count=rows_now), key="rfp_confirm"
            )
            if replace_column.button(
                tr("deliverables.rfp.replace", count=len(chosen)),
                icon=":material/swap_horiz:",
                disabled=not (chosen and confirmed),
                key="rfp_replace",
                width="stretch",
            ):
                added, _skipped = rfp.adopt(draft, chosen, replace=True, requirements=keep_requirements)
                flash(tr("deliverables.upload.accepted", count=added))
                st.rerun()
        if discard_column.button(tr("deliverables.upload.cancel"), key="rfp_discard", width="stretch"):
            rfp.discard()
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
