"""The Settings page's rate tables: one project type's unit rates and phase ratios edited and saved as a
new version of the whole table, and the table exported and imported as CSV.

A session keeps editing the version it was shown until it saves one or asks for the newest (as the
Estimate page keeps its version): a table saved meanwhile by someone else must not replace the
figures being typed, and a save made against the older version is refused as stale, edits kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from estimator.errors import EstimatorError
from estimator.schemas import RateRow, RateTableVersion
from ui.context import flash, settings, show_error, tr, user, workflow
from ui.deliverables import translate_uploader
from ui.estimate import table_height
from ui.formatting import when
from ui.sizing_view import type_label

SHOWN_KEY = "rates_shown_version"
TYPE_KEY = "rates_type"
UPLOADER_PREFIX = "rates_file_"
SHIPPED_VERSION = 1
"""The store writes the shipped defaults as version 1 on first use; every save or import comes after it."""
FIGURES = ("days", "optimistic", "pessimistic")


def shown_version(versions: Sequence[RateTableVersion]) -> RateTableVersion:
    """The version this session edits: the newest when first seen (or when its own is gone, after a restore)."""
    by_number = {info.version: info for info in versions}
    if st.session_state.get(SHOWN_KEY) not in by_number:
        st.session_state[SHOWN_KEY] = versions[-1].version
    return by_number[st.session_state[SHOWN_KEY]]


def show_rate_version(number: int) -> None:
    """Edit version `number` from now on (after this session stored it, or asked for the newest)."""
    st.session_state[SHOWN_KEY] = number


def rate_tables() -> None:
    """The section: the version shown, the editor of one type, the CSV download and import."""
    flow = workflow()
    newest = flow.current_rate_version()
    versions = flow.rate_table_versions()
    shown = shown_version(versions)
    st.subheader(tr("usage.rates.title"))
    st.caption(tr("usage.rates.intro"))
    st.markdown(tr("usage.rates.current", version=shown.version, who=shown.created_by, when=when(shown.created_at)))
    note = tr("sizing.rates.shipped") if shown.version == SHIPPED_VERSION else shown.note
    if note:
        st.caption(tr("usage.rates.note_shown", note=note))
    if shown.version != newest.version:
        st.warning(tr("usage.rates.newer", shown=shown.version, newest=newest.version, who=newest.created_by))
        st.button(
            tr("usage.rates.show_newest"),
            icon=":material/refresh:",
            key="rates_show_newest",
            on_click=show_rate_version,
            args=(newest.version,),
        )
    labels = {value: type_label(value) for value in flow.project_types()}
    project_type = st.selectbox(tr("usage.rates.type"), list(labels), format_func=labels.__getitem__, key=TYPE_KEY)
    _editor(shown.version, project_type)
    _csv_exchange(shown.version)


def rates_frame(rows: Sequence[RateRow]) -> pd.DataFrame:
    """One row per kind × grade, labelled in the user's language; the figures are what the editor changes."""
    return pd.DataFrame(
        {
            "kind": [tr(f"sizing.unit.{row.kind}") for row in rows],
            "grade": [tr(f"sizing.grade.{row.grade}") for row in rows],
            **{column: [float(getattr(row, column)) for row in rows] for column in FIGURES},
        }
    )


def shares_frame(shares: dict[str, Decimal]) -> pd.DataFrame:
    return pd.DataFrame(
        {"phase": [tr(f"offline.phase.{phase}") for phase in shares], "percent": [float(v) for v in shares.values()]}
    )


def _typed(value: object, stored: Decimal) -> Decimal:
    """A figure as typed (floats read through their shortest text: 8.7, not 8.699…); an empty cell, which the
    editor does not submit (its columns require a value), keeps the stored figure."""
    if value is None or pd.isna(value):
        return stored
    return Decimal(str(value))


def edited_rows(rows: Sequence[RateRow], frame: pd.DataFrame) -> list[RateRow]:
    """The rows with the figures of the edited frame (same order: the editor adds and deletes no rows)."""
    return [
        RateRow(
            row.kind,
            row.grade,
            **{column: _typed(frame[column].iloc[index], getattr(row, column)) for column in FIGURES},
        )
        for index, row in enumerate(rows)
    ]


def edited_shares(shares: dict[str, Decimal], frame: pd.DataFrame) -> dict[str, Decimal]:
    return {
        phase: _typed(value, stored)
        for (phase, stored), value in zip(shares.items(), frame["percent"].tolist(), strict=True)
    }


def _figure_column(key: str) -> ColumnConfig:
    """A figure column: hundredths, never empty. Upper bounds are the workflow's to refuse, naming the limit."""
    return st.column_config.NumberColumn(tr(key), min_value=0.0, step=0.01, format="%.2f", required=True)


def _editor(version: int, project_type: str) -> None:
    """The type's rates and phase ratios in one form, saved as a new version; a refusal keeps the edits on screen."""
    flow = workflow()
    rows = flow.rate_rows(project_type, version)
    shares = flow.phase_shares(project_type, version)
    suffix = f"{version}_{project_type}"
    with st.form(f"rates_form_{suffix}", border=False):
        rate_column, phase_column = st.columns([3, 2], gap="large")
        rate_column.caption(tr("usage.rates.rates"))
        rates = rate_column.data_editor(
            rates_frame(rows),
            key=f"rates_{suffix}",
            hide_index=True,
            width="stretch",
            height=table_height(len(rows)),
            disabled=["kind", "grade"],
            column_config={
                "kind": st.column_config.TextColumn(tr("rates.col.kind")),
                "grade": st.column_config.TextColumn(tr("rates.col.grade")),
                "days": _figure_column("rates.col.days"),
                "optimistic": _figure_column("rates.col.optimistic"),
                "pessimistic": _figure_column("rates.col.pessimistic"),
            },
        )
        phase_column.caption(tr("usage.rates.phases"))
        phases = phase_column.data_editor(
            shares_frame(shares),
            key=f"shares_{suffix}",
            hide_index=True,
            width="stretch",
            disabled=["phase"],
            column_config={
                "phase": st.column_config.TextColumn(tr("rates.col.phase")),
                "percent": _figure_column("rates.col.percent"),
            },
        )
        note = st.text_input(
            tr("usage.rates.note"), key=f"rates_note_{suffix}", placeholder=tr("usage.rates.note_placeholder")
        )
        save = st.form_submit_button(tr("usage.rates.save"), type="primary", icon=":material/save:")
    if not save:
        return
    try:
        saved = flow.save_rate_rows(
            project_type,
            edited_rows(rows, rates),
            edited_shares(shares, phases),
            user=user(),
            note=note.strip(),
            expected_version=version,
        )
    except EstimatorError as error:
        show_error(error)
    else:
        show_rate_version(saved.version)
        flash(tr("usage.rates.saved", version=saved.version))
        st.rerun()


def _csv_exchange(version: int) -> None:
    """The shown version as CSV, and a CSV imported as a new version (nothing stored unless all of it is valid)."""
    flow = workflow()
    st.download_button(
        tr("usage.rates.download", version=version),
        data=flow.export_rates(version),
        file_name=f"rates-v{version}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="rates_download",
        on_click="ignore",
    )
    translate_uploader(tr("deliverables.upload.browse"), key_prefix=UPLOADER_PREFIX)
    limit_mb = settings().max_upload_size_mb
    # No `type` filter: Streamlit would refuse another file in English; the reader says why in the user's language.
    uploaded = st.file_uploader(
        tr("usage.rates.upload"),
        key=f"{UPLOADER_PREFIX}{version}",
        help=tr("usage.rates.upload_help"),
        max_upload_size=limit_mb,
    )
    st.caption(tr("deliverables.upload.limits", types=".csv", limit_mb=limit_mb))
    if uploaded is None or not st.button(tr("usage.rates.import"), icon=":material/upload:", key="rates_import"):
        return
    try:
        table = flow.import_rates(
            uploaded.getvalue(), user=user(), note=tr("usage.rates.import_note", filename=uploaded.name)
        )
    except EstimatorError as error:
        show_error(error)
    else:
        show_rate_version(table.version)
        flash(tr("usage.rates.imported", filename=uploaded.name, version=table.version))
        st.rerun()
