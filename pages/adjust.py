"""Adjust: ask for a change in the chat or with a quick action; each answer is a
proposal card (what changes, the new total) to apply as a new version or discard."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import streamlit as st

from estimator.errors import EstimatorError, NotFoundError
from estimator.i18n import format_number, t
from estimator.schemas import StoredProposal
from estimator.workflow import read_decimal
from ui import estimate as view
from ui.context import flash, lang, require_project, show_error, through_app, tr, user, workflow
from ui.formatting import days, engine_in_use, engine_label, money, number
from ui.steps import stale_estimate_notice

through_app()

QUICK_ERROR_KEY = "adjust_quick_error"
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
stale_estimate_notice(project, latest.number, key="adjust_stale_regenerate")
estimate = view.priced(latest)
currency = estimate.pricing.currency
# Each action clears the outcome of the one before: an error box never outlives the next action.
quick_error: tuple[int, str, dict[str, object]] | None = st.session_state.pop(QUICK_ERROR_KEY, None)


def ask(request: str) -> None:
    """A chat request: its reply (proposals, or why there are none) is stored in the conversation."""
    try:
        with st.spinner(tr("adjust.thinking", engine=engine_in_use())):
            flow.propose_adjustment(project.id, request, user=user(), language=lang())
    except NotFoundError as error:
        show_error(error)
    except EstimatorError:
        pass  # the workflow stored the reason as the assistant's reply, shown below


def quick(action: Callable[[], object]) -> None:
    """A quick action; its refusal shows once, under the form, and the chat is redrawn with its proposal."""
    try:
        with st.spinner(tr("adjust.thinking", engine=engine_in_use())):
            action()
    except EstimatorError as error:
        st.session_state[QUICK_ERROR_KEY] = (project.id, error.key, error.values)
    st.rerun()


def money_input(label: str, value: Decimal, key: str, help: str | None = None) -> str:
    """An amount in the estimate's currency as the user reads it: «10,657,200», with separators.

    A number box cannot show thousands separators, so this is a text box read by `read_decimal`.
    """
    shown = format_number(value, "en", digits=estimate.pricing.digits)
    return st.text_input(label, value=shown, key=key, help=help)


st.caption(
    tr(
        "adjust.current",
        version=latest.number,
        total=money(estimate.total, currency),
        subtotal=money(estimate.subtotal, currency),
        days=days(estimate.person_days),
    )
)

view.download_quote(project.id, latest, tr("adjust.download", version=latest.number), key="adjust_download_quote")

chat_column, quick_column = st.columns([5, 4], gap="large")

with chat_column:
    st.subheader(tr("adjust.chat.title"))
    history = st.container(height=380, border=True)
    # A clarifying question's choices sit under the conversation, in view, not scrolled away inside it.
    choice_area = st.container()
    # In the column, not pinned to the page's foot: a pinned chat input scrolls every load of the
    # page to its bottom, past the stale-estimate notice and the current version at the top.
    request = st.chat_input(tr("adjust.chat.placeholder"), key="adjust_chat", max_chars=2000)
    if request:
        ask(request)
    messages = flow.messages(project.id)
    with history:
        if not messages:
            st.caption(tr("adjust.chat.empty"))
        for message in messages:
            with st.chat_message("user" if message.role == "user" else "assistant"):
                st.markdown(message.content)
    # Only the newest message's choices still answer something: older ones were overtaken.
    if messages and messages[-1].choices:
        asked = messages[-1]
        with choice_area:
            st.caption(tr("adjust.chat.choices"))
            for index, (column, choice) in enumerate(zip(st.columns(len(asked.choices)), asked.choices, strict=True)):
                column.button(
                    choice.label,
                    key=f"adjust_choice_{asked.id}_{index}",
                    help=choice.request,
                    on_click=ask,
                    args=(choice.request,),
                    width="stretch",
                )
    st.caption(tr("adjust.chat.examples", examples=t(f"adjust.examples.{currency}", lang())))

with quick_column:
    st.subheader(tr("adjust.quick.title"))
    budget_tab, cost_tab, buffer_tab, remove_tab = st.tabs(
        [tr("adjust.quick.budget"), tr("adjust.quick.unit_cost"), tr("adjust.quick.risk"), tr("adjust.quick.remove")]
    )
    if quick_error is not None and quick_error[0] == project.id:
        st.error(tr(quick_error[1], **quick_error[2]))
    with budget_tab, st.form("quick_budget", border=False):
        budget_label = tr("adjust.quick.budget_label", currency=currency)
        cap_text = money_input(budget_label, estimate.subtotal, "quick_budget_cap", help=tr("adjust.quick.budget_help"))
        if st.form_submit_button(tr("adjust.quick.propose")):
            quick(lambda: flow.quick_budget(project.id, read_decimal(cap_text, field=budget_label), user=user()))
    with cost_tab, st.form("quick_unit_cost", border=False):
        cost_label = tr("adjust.quick.unit_cost_label", currency=currency)
        cost_text = money_input(cost_label, estimate.pricing.unit_cost, "quick_unit_cost")
        if st.form_submit_button(tr("adjust.quick.propose")):
            quick(lambda: flow.quick_unit_cost(project.id, read_decimal(cost_text, field=cost_label), user=user()))
    with buffer_tab, st.form("quick_risk", border=False):
        percent = st.number_input(tr("adjust.quick.risk_label"), min_value=1.0, max_value=100.0, value=10.0, step=1.0)
        if st.form_submit_button(tr("adjust.quick.propose")):
            quick(lambda: flow.quick_risk_buffer(project.id, Decimal(str(percent)), user=user()))
    with remove_tab, st.form("quick_remove", border=False):
        names = st.multiselect(
            tr("adjust.quick.remove_label"),
            [item.line.deliverable for item in estimate.lines],
            placeholder=tr("adjust.quick.remove_placeholder"),
        )
        if st.form_submit_button(tr("adjust.quick.propose")):
            quick(lambda: flow.quick_remove(project.id, names, user=user()))


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
            if proposal.understood:
                st.info(f"**{tr('adjust.proposals.understood')}**: {proposal.understood}", icon=":material/hearing:")
            st.caption(
                tr("adjust.proposals.meta", version=proposal.base_version, engine=engine_label(proposal.engine, lang()))
            )
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
