"""Estimate: choose the project type, generate a version, move the project's status, read it (lines,
details, totals, PERT range, the JUAS cross-check of a business system, chart), edit person-days into a
new version, compare and restore versions, download the quote."""

from __future__ import annotations

import math

import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import MAX_LINE_PERSON_DAYS
from ui import calibration_view, sizing_view, status_view
from ui import estimate as view
from ui.context import (
    flash,
    lang,
    require_deliverables,
    require_project,
    show_error,
    through_app,
    tr,
    user,
    workflow,
)
from ui.formatting import engine_label, money, number, origin_label, when
from ui.steps import generate_estimate, stale_estimate_notice

through_app()

project = require_project()
flow = workflow()

st.title(tr("estimate.title"))
require_deliverables(project)

versions = flow.versions(project.id)
sizing_view.type_selector(project, estimated=bool(versions))
# Buttons as wide as their labels (a fixed column cut 「変更前のバージョン3をダウンロ…」), the caption beside them.
actions = st.container(horizontal=True, vertical_alignment="center", gap="medium", key="estimate_actions")
label = tr("estimate.regenerate") if versions else tr("estimate.generate")
if actions.button(
    label, type="secondary" if versions else "primary", icon=":material/calculate:", key="generate_estimate"
) and generate_estimate(project):
    st.rerun()

if not versions:
    st.info(tr("estimate.none_yet"))
    st.stop()

status_view.status_control(project, versions)
newest = versions[-1]
latest = view.shown_version(project.id, versions)
if latest.number != newest.number:
    notice, newest_column = st.columns([4, 1], vertical_alignment="center")
    notice.warning(
        tr("estimate.newer_version", shown=latest.number, newest=newest.number, who=newest.created_by),
        icon=":material/update:",
    )
    newest_column.button(
        tr("estimate.show_newest"),
        icon=":material/refresh:",
        key="show_newest",
        on_click=view.show_version,
        args=(project.id, newest.number),
        width="stretch",
    )
stale = stale_estimate_notice(project, latest.number, key="stale_regenerate")
estimate = view.priced(latest)
currency = estimate.pricing.currency
with actions:
    view.download_quote(
        project.id,
        latest,
        tr("estimate.download_stale", version=latest.number) if stale else tr("estimate.download"),
        key="download_quote",
        help=tr("estimate.download_stale_help", version=latest.number) if stale else None,
    )
actions.caption(
    tr(
        "estimate.version_caption",
        version=latest.number,
        origin=origin_label(latest.origin, lang()),
        who=latest.created_by,
        when=when(latest.created_at),
        engine=engine_label(latest.engine, lang()),
    )
)

low, high, low_amount, high_amount = estimate.expected_range()
# Metrics as wide as their figures, wrapping to a second row when the page is narrow:
# fixed columns cut a 9-digit yen total to "¥10,657,…" at 1280 px.
with st.container(horizontal=True, gap="large", key="headline_metrics"):
    st.metric(tr("estimate.metric.person_days"), number(estimate.person_days), width="content")
    st.metric(tr("estimate.metric.subtotal"), money(estimate.subtotal, currency), width="content")
    st.metric(
        tr("estimate.metric.tax", rate=number(estimate.pricing.tax_rate)),
        money(estimate.tax, currency),
        width="content",
    )
    st.metric(tr("estimate.metric.total"), money(estimate.total, currency), width="content")
    st.metric(
        tr("estimate.metric.expected"),
        number(estimate.expected_person_days),
        help=tr("estimate.metric.expected_help"),
        width="content",
    )
st.caption(
    tr(
        "estimate.range",
        low=number(low),
        high=number(high),
        low_amount=money(low_amount, currency),
        high_amount=money(high_amount, currency),
        sigma=number(estimate.sigma_person_days),
    )
)
calibration_view.version_summary(project, latest, estimate)
sizing_view.juas_note(project, latest)


@st.fragment
def show_details() -> None:
    """One page of per-line details; a fragment, so paging or opening a line redraws only this part."""
    st.subheader(tr("estimate.details"))
    size = view.DETAIL_PAGE_SIZE
    start = 0
    if len(estimate.lines) > size:
        chosen = st.pagination(math.ceil(len(estimate.lines) / size), key=f"detail_page_{project.id}")
        start = (chosen - 1) * size
    st.caption(
        tr(
            "estimate.detail.page_range",
            first=start + 1,
            last=min(start + size, len(estimate.lines)),
            total=len(estimate.lines),
        )
    )
    titles = view.detail_titles(latest)
    for index, item in enumerate(estimate.lines[start : start + size], start=start + 1):
        line = item.line
        detail = st.expander(titles[index - 1], key=f"detail_{latest.id}_{index}", on_change="rerun")
        if not detail.open:
            continue
        with detail:
            st.dataframe(view.phase_frame(line), hide_index=True, width="stretch")
            st.markdown(
                tr(
                    "estimate.detail.range",
                    optimistic=number(line.optimistic),
                    likely=number(line.person_days),
                    pessimistic=number(line.pessimistic),
                )
            )
            if line.reasoning:
                st.markdown(f"**{tr('estimate.detail.reasoning')}**  \n{line.reasoning}")
            if line.assumptions:
                st.markdown(f"**{tr('estimate.detail.assumptions')}**")
                st.markdown("\n".join(f"- {text}" for text in line.assumptions))
            if line.risks:
                st.markdown(f"**{tr('estimate.detail.risks')}**")
                st.markdown("\n".join(f"- {text}" for text in line.risks))


def show_lines() -> None:
    """One row per line with editable person-days, then the details of one page of lines."""
    with st.form(f"lines_form_{latest.id}", border=False):
        edited = st.data_editor(
            view.lines_frame(latest),
            key=f"lines_{latest.id}",
            hide_index=True,
            width="stretch",
            height=view.table_height(len(estimate.lines)),
            disabled=["no", "deliverable", "range", "amount"],
            column_config={
                "no": st.column_config.NumberColumn(tr("estimate.col.no"), width=50),
                "deliverable": st.column_config.TextColumn(tr("estimate.col.deliverable"), width="large"),
                "person_days": st.column_config.NumberColumn(
                    tr("estimate.col.person_days"),
                    help=tr("estimate.col.person_days_help"),
                    min_value=0.01,
                    max_value=float(MAX_LINE_PERSON_DAYS),
                    step=0.25,
                    format="%.2f",
                ),
                "range": st.column_config.TextColumn(tr("estimate.col.range"), help=tr("estimate.col.range_help")),
                "amount": st.column_config.TextColumn(tr("estimate.col.amount")),
            },
        )
        save_edits = st.form_submit_button(tr("estimate.save_edits"), icon=":material/edit:")
    if save_edits:
        try:
            version = flow.edit_lines(
                project.id,
                view.edited_person_days(estimate, edited),
                base_version=latest.number,
                user=user(),
            )
        except EstimatorError as error:
            show_error(error)
        else:
            view.show_version(project.id, version.number)
            flash(tr("estimate.edited", version=version.number))
            st.rerun()

    show_details()


def show_chart() -> None:
    """Person-days by deliverable, stacked by phase."""
    st.altair_chart(view.chart(estimate), width="stretch")


def show_versions() -> None:
    """Every version, the difference between two, and restoring an older one."""
    st.dataframe(
        [
            {
                tr("estimate.versions.number"): f"v{v.number}",
                tr("estimate.versions.origin"): origin_label(v.origin, lang()),
                tr("estimate.versions.who"): v.created_by,
                tr("estimate.versions.when"): when(v.created_at),
                tr("estimate.versions.person_days"): number(v.person_days),
                tr("estimate.versions.total"): money(v.total, v.currency),
                tr("estimate.versions.request"): v.request_text,
            }
            for v in reversed(versions)
        ],
        hide_index=True,
        width="stretch",
    )
    numbers = [v.number for v in versions]
    if len(numbers) > 1:
        st.subheader(tr("estimate.compare.title"))
        older_column, newer_column = st.columns(2)
        # Keyed by the number of versions: a new version (a restore, an edit) resets the pair to the newest two.
        older = older_column.selectbox(
            tr("estimate.compare.older"),
            numbers,
            index=len(numbers) - 2,
            format_func=lambda n: f"v{n}",
            key=f"cmp_old_{len(numbers)}",
        )
        newer = newer_column.selectbox(
            tr("estimate.compare.newer"),
            numbers,
            index=len(numbers) - 1,
            format_func=lambda n: f"v{n}",
            key=f"cmp_new_{len(numbers)}",
        )
        comparison = flow.compare(project.id, older, newer)
        st.caption(
            tr(
                "estimate.compare.totals",
                older=money(comparison.older.total, comparison.older.currency),
                newer=money(comparison.newer.total, comparison.newer.currency),
                difference=money(comparison.total_change, comparison.newer.currency),
            )
        )
        if comparison.changes:
            st.dataframe(view.changes_frame(comparison.changes, currency), hide_index=True, width="stretch")
        else:
            st.info(tr("estimate.compare.same"))

        st.subheader(tr("estimate.restore.title"))
        by_number = {v.number: v for v in versions}
        options = {
            n: tr(
                "estimate.restore.option",
                version=n,
                origin=origin_label(by_number[n].origin, lang()),
                total=money(by_number[n].total, by_number[n].currency),
            )
            for n in numbers
            if n != latest.number
        }
        chosen = st.selectbox(
            tr("estimate.restore.label"),
            list(options),
            index=len(options) - 1,
            format_func=options.get,
            key=f"restore_choice_{len(numbers)}",
        )
        # On its own row, as wide as its label: beside the selector it was cut to 「復元（新しいバージョン…」.
        if st.button(tr("estimate.restore.button"), icon=":material/history:", key="restore_version"):
            try:
                version = flow.restore_version(project.id, chosen, base_version=latest.number, user=user())
            except EstimatorError as error:
                show_error(error)
            else:
                view.show_version(project.id, version.number)
                flash(tr("estimate.restored", version=version.number, source=chosen))
                st.rerun()


def show_notes() -> None:
    """The version's assumptions and exclusions, as the quote lists them."""
    st.markdown(f"**{tr('estimate.notes.assumptions')}**")
    st.markdown("\n".join(f"- {text}" for text in latest.assumptions) or tr("estimate.notes.none"))
    st.markdown(f"**{tr('estimate.notes.exclusions')}**")
    st.markdown("\n".join(f"- {text}" for text in latest.exclusions) or tr("estimate.notes.none"))


# Only the open tab is drawn (each tab switch reruns the page): a 200-line estimate stays quick.
tabs = st.tabs(
    [tr("estimate.tab.lines"), tr("estimate.tab.chart"), tr("estimate.tab.versions"), tr("estimate.tab.notes")],
    key="estimate_tab",
    on_change="rerun",
)
for tab, show in zip(tabs, (show_lines, show_chart, show_versions, show_notes), strict=True):
    if tab.open:
        with tab:
            show()

st.page_link("pages/adjust.py", label=tr("estimate.next"), icon=":material/arrow_forward:")
