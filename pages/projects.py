"""Projects: list with search, create, open, duplicate, delete (with confirmation)."""

from __future__ import annotations

import dataclasses

import streamlit as st

from estimator.errors import EstimatorError
from estimator.i18n import format_money, format_number, t
from estimator.schemas import CURRENCIES, ROUNDINGS, ProjectStatus
from estimator.workflow import read_decimal
from ui import status_view
from ui.context import (
    close_project,
    current_project,
    flash,
    lang,
    open_project,
    show_error,
    through_app,
    tr,
    user,
    workflow,
)
from ui.formatting import when

through_app()

flow = workflow()
language = lang()

st.title(tr("projects.title"))

with st.expander(tr("projects.new"), expanded=not flow.list_projects()):
    new_lang = st.radio(
        tr("projects.field.language"),
        ("ja", "en"),
        format_func=lambda code: t(f"lang.{code}", code),
        horizontal=True,
        key="new_project_lang",
        index=0 if language == "ja" else 1,
    )
    defaults = flow.project_defaults(new_lang)
    with st.form(f"new_project_{language}", clear_on_submit=False):
        title = st.text_input(tr("projects.field.title"), max_chars=200)
        client = st.text_input(tr("projects.field.client"), max_chars=200)
        left, middle, right, far = st.columns(4)
        currencies = list(CURRENCIES)
        currency = left.selectbox(tr("projects.field.currency"), currencies, index=currencies.index(defaults.currency))
        unit_cost_text = middle.text_input(
            tr("projects.field.unit_cost"), value=format_number(defaults.unit_cost, "en")
        )
        tax_text = right.text_input(tr("projects.field.tax_rate"), value=format_number(defaults.tax_rate, "en"))
        roundings = list(ROUNDINGS)
        rounding = far.selectbox(
            tr("projects.field.rounding"),
            roundings,
            index=roundings.index(defaults.rounding),
            format_func={mode: tr(f"rounding.{mode}") for mode in roundings}.get,
        )
        submitted = st.form_submit_button(tr("projects.create"), type="primary")
    if submitted:
        try:
            project = flow.create_project(
                dataclasses.replace(
                    defaults,
                    title=title.strip(),
                    client=client.strip(),
                    currency=currency,
                    unit_cost=read_decimal(unit_cost_text, field=tr("projects.field.unit_cost")),
                    tax_rate=read_decimal(tax_text, field=tr("projects.field.tax_rate")),
                    rounding=rounding,
                ),
                user=user(),
            )
        except EstimatorError as error:
            show_error(error)
        else:
            open_project(project.id)
            st.switch_page("pages/deliverables.py")

search_column, status_column = st.columns([3, 1])
search = search_column.text_input(tr("projects.search"), placeholder=tr("projects.search_hint"), key="project_search")
ALL = "all"
filters = {ALL: tr("projects.status_all")} | {s.value: status_view.status_label(s) for s in ProjectStatus}
chosen = status_column.selectbox(
    tr("projects.status_filter"), list(filters), format_func=filters.__getitem__, key="project_status_filter"
)
projects = flow.list_projects(search, None if chosen == ALL else chosen)
if not projects:
    st.info(tr("projects.empty"))

opened = current_project()
for summary in projects:
    with st.container(border=True):
        info, actions = st.columns([3, 2])
        status = (
            tr("projects.status.draft")
            if summary.latest_version is None
            else tr("projects.status.estimated", version=summary.latest_version)
        )
        total = "—" if summary.latest_total is None else format_money(summary.latest_total, summary.currency, language)
        marker = " :material/check_circle:" if opened is not None and opened.id == summary.id else ""
        info.markdown(
            f"**{summary.title}**{marker} {status_view.badge(summary.status)}  \n"
            f"{summary.client or '—'} · {summary.quote_number}"
        )
        info.caption(
            tr(
                "projects.row_caption",
                updated=when(summary.updated_at),
                total=total,
                status=status,
                count=summary.deliverable_count,
            )
        )
        open_col, copy_col, delete_col = actions.columns(3)
        if open_col.button(tr("projects.open"), key=f"open_{summary.id}", type="primary"):
            open_project(summary.id)
            st.switch_page("pages/deliverables.py")
        if copy_col.button(tr("projects.duplicate"), key=f"copy_{summary.id}", help=tr("projects.duplicate_help")):
            try:
                copy = flow.duplicate_project(
                    summary.id, title=tr("projects.copy_title", title=summary.title), user=user()
                )
            except EstimatorError as error:
                show_error(error)
            else:
                open_project(copy.id)
                flash(tr("projects.duplicated", title=copy.title, quote_number=copy.quote_number))
                st.switch_page("pages/deliverables.py")
        if delete_col.button(tr("projects.delete"), key=f"delete_{summary.id}"):
            st.session_state["confirm_delete"] = summary.id
        if st.session_state.get("confirm_delete") == summary.id:
            st.warning(tr("projects.confirm_delete", title=summary.title))
            yes, no = st.columns(2)
            if yes.button(tr("projects.confirm_yes"), key=f"yes_{summary.id}", type="primary"):
                try:
                    flow.delete_project(summary.id)
                except EstimatorError as error:
                    show_error(error)
                else:
                    st.session_state.pop("confirm_delete", None)
                    if opened is not None and opened.id == summary.id:
                        close_project()
                    flash(tr("projects.deleted", title=summary.title, quote_number=summary.quote_number))
                    st.rerun()
            if no.button(tr("projects.confirm_no"), key=f"no_{summary.id}"):
                st.session_state.pop("confirm_delete", None)
                st.rerun()
