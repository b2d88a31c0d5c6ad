"""Adjust: ask for a change in the chat or with a quick action; each answer is a
proposal card (what changes, the new total) to apply as a new version or discard."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import StoredProposal
from ui import estimate as view
from ui.context import flash, require_project, show_error, through_app, tr, user, workflow
from ui.formatting import days, money, number
from ui.steps import engine_label

through_app()

ERROR_KEY = "adjust_error"
APPLY_ERROR_KEY = "adjust_apply_error"

project = require_project()
flow = workflow()

st.title(tr("adjust.title"))
versions = flow.versions(project.id)
if not versions:
    st.info(tr("adjust.no_estimate"))
    st.page_link("pages/estimate.py", label=tr("nav.estimate"), icon=":material/calculate:")
    st.stop()

latest = versions[-1]
estimate = view.priced(latest)
currency = estimate.pricing.currency
errors: dict[int, tuple[str, dict[str, object]]] = st.session_state.setdefault(ERROR_KEY, {})


def propose(action: Callable[[], object], *, redraw: bool = False) -> None:
    """Run a request or quick action; its error is kept (as a locale key) to show under the chat.

    A quick action runs after the chat is drawn, so it asks for a redraw to show its outcome there.
    """
    try:
        with st.spinner(tr("adjust.thinking", engine=engine_label())):
            action()
    except EstimatorError as error:
        errors[project.id] = (error.key, error.values)
    else:
        errors.pop(project.id, None)
    if redraw:
        st.rerun()


def money_input(label: str, value: Decimal, help: str | None = None) -> Decimal:
    """An amount in the estimate's currency: whole yen, or dollars and cents (the workflow rounds to them)."""
    if estimate.pricing.digits == 0:
        return Decimal(st.number_input(label, min_value=1, value=int(value), step=10000, help=help))
    amount = st.number_input(label, min_value=0.01, value=float(value), step=100.0, format="%.2f", help=help)
    return Decimal(str(amount))


request = st.chat_input(tr("adjust.chat.placeholder"), key="adjust_chat", max_chars=2000)
if request:
    propose(lambda: flow.propose_adjustment(project.id, request, user=user()))

st.caption(
    tr(
        "adjust.current",
        version=latest.number,
        total=money(estimate.total, currency),
        subtotal=money(estimate.subtotal, currency),
        days=days(estimate.person_days),
    )
)

chat_column, quick_column = st.columns([3, 2], gap="large")

with chat_column:
    st.subheader(tr("adjust.chat.title"))
    messages = flow.messages(project.id)
    with st.container(height=380, border=True):
        if not messages:
            st.caption(tr("adjust.chat.empty"))
        for message in messages:
            with st.chat_message("user" if message.role == "user" else "assistant"):
                st.markdown(message.content)
    if project.id in errors:
        key, values = errors.pop(project.id)
        st.error(tr(key, **values))
    st.caption(tr("adjust.chat.examples", examples=tr("adjust.chat.example_list")))

with quick_column:
    st.subheader(tr("adjust.quick.title"))
    budget_tab, cost_tab, buffer_tab, remove_tab = st.tabs(
        [tr("adjust.quick.budget"), tr("adjust.quick.unit_cost"), tr("adjust.quick.risk"), tr("adjust.quick.remove")]
    )
    with budget_tab, st.form("quick_budget", border=False):
        cap = money_input(
            tr("adjust.quick.budget_label", currency=currency),
            estimate.subtotal,
            help=tr("adjust.quick.budget_help"),
        )
        if st.form_submit_button(tr("adjust.quick.propose")):
            propose(lambda: flow.quick_budget(project.id, cap, user=user()), redraw=True)
    with cost_tab, st.form("quick_unit_cost", border=False):
        unit_cost = money_input(tr("adjust.quick.unit_cost_label", currency=currency), estimate.pricing.unit_cost)
        if st.form_submit_button(tr("adjust.quick.propose")):
            propose(lambda: flow.quick_unit_cost(project.id, unit_cost, user=user()), redraw=True)
    with buffer_tab, st.form("quick_risk", border=False):
        percent = st.number_input(tr("adjust.quick.risk_label"), min_value=1.0, max_value=100.0, value=10.0, step=1.0)
        if st.form_submit_button(tr("adjust.quick.propose")):
            propose(lambda: flow.quick_risk_buffer(project.id, Decimal(str(percent)), user=user()), redraw=True)
    with remove_tab, st.form("quick_remove", border=False):
        names = st.multiselect(
            tr("adjust.quick.remove_label"),
            [item.line.deliverable for item in estimate.lines],
            placeholder=tr("adjust.quick.remove_placeholder"),
        )
        if st.form_submit_button(tr("adjust.quick.propose")):
            propose(lambda: flow.quick_remove(project.id, names, user=user()), redraw=True)


def apply(proposal_id: int, title: str) -> None:
    """Apply a proposal (a button callback, so it runs even when another tab closed the card meanwhile)."""
    try:
        version = flow.apply_proposal(project.id, proposal_id, user=user())
    except EstimatorError as error:
        st.session_state[APPLY_ERROR_KEY] = (project.id, error.key, error.values)
    else:
        view.show_version(project.id, version.number)
        flash(tr("adjust.applied", version=version.number, title=title))


def discard(proposal_id: int) -> None:
    try:
        flow.discard_proposal(project.id, proposal_id)
    except EstimatorError as error:
        st.session_state[APPLY_ERROR_KEY] = (project.id, error.key, error.values)


st.subheader(tr("adjust.proposals.title"))
refused = st.session_state.pop(APPLY_ERROR_KEY, None)
if refused is not None and refused[0] == project.id:
    st.error(tr(refused[1], **refused[2]))
pending: list[StoredProposal] = flow.pending_proposals(project.id)
if not pending:
    st.caption(tr("adjust.proposals.none"))
for proposal in pending:
    with st.container(border=True):
        summary_column, changes_column = st.columns([2, 3], gap="large")
        outdated = proposal.base_version != latest.number
        with summary_column:
            st.markdown(f"**{proposal.title}**")
            st.caption(tr("adjust.proposals.meta", version=proposal.base_version, engine=proposal.engine))
            if proposal.reason:
                st.markdown(proposal.reason)
        try:
            preview = flow.preview(project.id, proposal)
        except EstimatorError as error:
            with summary_column:
                show_error(error)
            outdated = True
        else:
            changes_column.dataframe(
                view.changes_frame(preview.changes, currency),
                hide_index=True,
                width="stretch",
                height=view.table_height(len(preview.changes)),
            )
            after_currency = preview.after.pricing.currency
            summary_column.metric(
                tr("adjust.proposals.new_total"),
                money(preview.after.total, after_currency),
                delta=money(preview.total_change, after_currency),
                delta_color="inverse",
            )
            summary_column.caption(
                tr(
                    "adjust.proposals.subtotal",
                    before=money(preview.before.subtotal, currency),
                    after=money(preview.after.subtotal, after_currency),
                    days_before=number(preview.before.person_days),
                    days_after=number(preview.after.person_days),
                )
            )
        with summary_column:
            if outdated:
                st.warning(tr("adjust.proposals.outdated", version=proposal.base_version, latest=latest.number))
            apply_column, discard_column = st.columns(2)
            apply_column.button(
                tr("adjust.proposals.apply"),
                type="primary",
                icon=":material/check:",
                key=f"apply_{proposal.id}",
                disabled=outdated,
                width="stretch",
                on_click=apply,
                args=(proposal.id, proposal.title),
            )
            discard_column.button(
                tr("adjust.proposals.discard"),
                icon=":material/close:",
                key=f"discard_{proposal.id}",
                width="stretch",
                on_click=discard,
                args=(proposal.id,),
            )
