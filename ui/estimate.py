"""Tables, the chart and cached values for the Estimate and Adjust pages.

A stored version never changes (new versions are appended), so what is derived from
one — its priced lines, its quote workbook — is computed once per version and reused
on every rerun; that keeps a 200-line estimate quick to redraw.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from estimator.i18n import format_money, format_number, format_person_days, t
from estimator.schemas import PHASES, EstimateLine, LineChange, PricedEstimate, VersionSummary
from ui.context import lang, tr, workflow
from ui.formatting import money, number, phase

if TYPE_CHECKING:
    import altair as alt

DETAIL_PAGE_SIZE = 10
EXPORT_KEY = "quote_export"
SHOWN_KEY = "estimate_shown_version"


VersionKey = tuple[int, str, int, int]


def _key(version: VersionSummary) -> VersionKey:
    """What identifies a stored version for good: its id and creation time (ids of deleted rows may return)."""
    return version.id, version.created_at.isoformat(), version.project_id, version.number


@st.cache_resource(max_entries=64, show_spinner=False)
def _priced(key: VersionKey) -> PricedEstimate:
    _, _, project_id, number = key
    return workflow().priced(project_id, number)


def shown_version(project_id: int, versions: list[VersionSummary]) -> VersionSummary:
    """The version this browser session is looking at: the newest, until someone else adds one.

    A version saved from another tab or process does not replace the one on screen: an
    edit typed against it must stay there, and its save must be refused as stale, not
    vanish with the widgets of the old version. The page offers the newest instead.
    """
    shown: dict[int, int] = st.session_state.setdefault(SHOWN_KEY, {})
    by_number = {version.number: version for version in versions}
    if shown.get(project_id) not in by_number:
        shown[project_id] = versions[-1].number
    return by_number[shown[project_id]]


def show_version(project_id: int, number: int) -> None:
    """Look at version `number` from now on (after this session made it, or asked for the newest)."""
    st.session_state.setdefault(SHOWN_KEY, {})[project_id] = number


def priced(version: VersionSummary) -> PricedEstimate:
    """The version's lines, amounts and totals, computed once per version."""
    return _priced(_key(version))


@st.cache_data(max_entries=64, show_spinner=False)
def _lines_frame(key: VersionKey, language: str) -> pd.DataFrame:
    estimate = _priced(key)
    currency = estimate.pricing.currency
    return pd.DataFrame(
        {
            "no": range(1, len(estimate.lines) + 1),
            "deliverable": [item.line.deliverable for item in estimate.lines],
            "person_days": [float(item.line.person_days) for item in estimate.lines],
            "range": [
                f"{format_number(item.line.optimistic, language)} – {format_number(item.line.pessimistic, language)}"
                for item in estimate.lines
            ],
            "amount": [format_money(item.amount, currency, language) for item in estimate.lines],
        }
    )


def lines_frame(version: VersionSummary) -> pd.DataFrame:
    """One row per line for the person-days editor (only `person_days` is editable), built once per version
    and language: formatting 200 amounts per rerun would cost more than the rest of the page."""
    return _lines_frame(_key(version), lang())


@st.cache_data(max_entries=64, show_spinner=False)
def _detail_titles(key: VersionKey, language: str) -> list[str]:
    estimate = _priced(key)
    currency = estimate.pricing.currency
    return [
        t(
            "estimate.detail.title",
            language,
            no=index,
            name=item.line.deliverable,
            days=format_person_days(item.line.person_days, language),
            amount=format_money(item.amount, currency, language),
        )
        for index, item in enumerate(estimate.lines, start=1)
    ]


def detail_titles(version: VersionSummary) -> list[str]:
    """The expander title of every line ("3. 画面 — 12 人日 · ¥480,000"), built once per version and language."""
    return _detail_titles(_key(version), lang())


def table_height(rows: int) -> int:
    """Every line without an inner scrollbar up to 20 lines; beyond that the table scrolls."""
    return 38 + 35 * min(rows, 20)


def edited_person_days(estimate: PricedEstimate, frame: pd.DataFrame) -> dict[str, Decimal]:
    """Lines whose person-days the user changed in the editor, by deliverable name (the workflow rounds them)."""
    changed = {}
    for item, value in zip(estimate.lines, frame["person_days"].tolist(), strict=True):
        if value is None or pd.isna(value):
            continue
        wanted = Decimal(str(value))
        if wanted != item.line.person_days:
            changed[item.line.deliverable] = wanted
    return changed


def phase_frame(line: EstimateLine) -> pd.DataFrame:
    """A line's phase split as one row: phase labels as columns, person-days as values."""
    return pd.DataFrame([{phase(p.value): number(line.phases.get(p)) for p in PHASES}])


def chart(estimate: PricedEstimate) -> alt.Chart:
    """Person-days per deliverable, stacked by phase in the walk's phase order, labels in the user's language.

    Altair (about 25 MB once imported) is loaded only when someone opens the chart.
    """
    import altair as alt

    labels = [phase(p.value) for p in PHASES]
    rows = []
    names = []
    for index, item in enumerate(estimate.lines, start=1):
        name = f"{index}. {item.line.deliverable}"
        names.append(name)
        for order, p in enumerate(PHASES):
            value = item.line.phases.get(p)
            if value:
                rows.append({"deliverable": name, "phase": labels[order], "order": order, "days": float(value)})
    data = pd.DataFrame(rows)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "deliverable:N",
                sort=names,
                title=tr("estimate.chart.deliverable"),
                axis=alt.Axis(labelLimit=280, labelOverlap=False),
            ),
            x=alt.X("days:Q", title=tr("estimate.chart.person_days"), stack="zero"),
            color=alt.Color(
                "phase:N",
                title=tr("estimate.chart.phase"),
                scale=alt.Scale(domain=labels),
                sort=labels,
                legend=alt.Legend(orient="bottom", columns=4),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("deliverable:N", title=tr("estimate.chart.deliverable")),
                alt.Tooltip("phase:N", title=tr("estimate.chart.phase")),
                alt.Tooltip("days:Q", title=tr("estimate.chart.person_days"), format=".2f"),
            ],
        )
        .properties(height=max(160, 30 * len(names)))
    )


def changes_frame(changes: Sequence[LineChange], currency: str) -> pd.DataFrame:
    """A diff as the user reads it: line, what happened, person-days and amount before → after."""

    def shown(value: Decimal | None, formatter: Callable[[Decimal], str]) -> str:
        return "—" if value is None else formatter(value)

    return pd.DataFrame(
        [
            {
                tr("estimate.diff.line"): change.deliverable,
                tr("estimate.diff.status"): tr(f"estimate.diff.{change.status}"),
                tr("estimate.diff.days"): f"{shown(change.before_days, number)} → {shown(change.after_days, number)}",
                tr("estimate.diff.amount"): (
                    f"{shown(change.before_amount, lambda v: money(v, currency))} → "
                    f"{shown(change.after_amount, lambda v: money(v, currency))}"
                ),
            }
            for change in changes
        ]
    )


def quote_file(project_id: int, version: VersionSummary) -> tuple[str, bytes]:
    """The quote workbook of `version`, built once per version and day for this session."""
    wanted = (version.id, version.created_at.isoformat(), date.today().isoformat())
    cached = st.session_state.get(EXPORT_KEY)
    if cached is None or cached[0] != wanted:
        cached = (wanted, workflow().export_quote(project_id, version.number))
        st.session_state[EXPORT_KEY] = cached
    return cached[1]


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_quote(project_id: int, version: VersionSummary, label: str, *, key: str, help: str | None = None) -> None:
    """The download buttons of `version`'s quote, .xlsx and PDF side by side (the estimate page's, and the
    adjust page's after a change). The PDF is built only when clicked: most visits download neither."""
    filename, workbook = quote_file(project_id, version)
    row = st.container(horizontal=True, gap="small", width="content")
    row.download_button(
        label,
        data=workbook,
        file_name=filename,
        mime=XLSX_MIME,
        icon=":material/download:",
        type="primary",
        on_click="ignore",
        key=key,
        help=help,
    )
    flow = workflow()
    problem = flow.pdf_problem()
    row.download_button(
        tr("estimate.download_pdf"),
        data=lambda: flow.export_quote_pdf(project_id, version.number)[1],
        file_name=filename.removesuffix(".xlsx") + ".pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key=f"{key}_pdf",
        disabled=problem is not None,
        help=tr(problem.key, **problem.values) if problem is not None else help,
    )
