"""The Actuals page's parts: actual person-days typed beside the baseline estimate, and a timesheet import
whose unmatched rows the analyst resolves (a suggested line, a change request, or not recorded).

The baseline is the version submitted to the client (the newest when none was). Typed figures are per
line; a line whose total is left as it was keeps the per-phase detail an import gave it. Lines added
during delivery (change requests) are their own table. An import replaces what was recorded, as the
command line's `actuals` does, and says so before it does.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from estimator.errors import EstimatorError
from estimator.schemas import ActualEntry, EstimateLine, ProjectDetail, Timesheet
from estimator.workflow import timesheet_entries
from ui.context import flash, lang, settings, show_error, tr, user, workflow
from ui.deliverables import translate_uploader
from ui.formatting import days

LINES_KEY = "actuals_lines"
ADDED_KEY = "actuals_added"
SHEET_KEY = "actuals_sheet"
NOT_RECORDED = "not_recorded"
DAYS_PATTERN = r"^\s*(\d+(\.\d{0,2})?)?\s*$"
"""What an actual cell may hold: person-days with at most two decimals, or nothing (none recorded)."""
CHANGE_REQUEST = "change_request"


def _totals(entries: list[ActualEntry]) -> dict[tuple[str, bool], Decimal]:
    totals: dict[tuple[str, bool], Decimal] = {}
    for entry in entries:
        key = (entry.deliverable, entry.change_request)
        totals[key] = totals.get(key, Decimal(0)) + entry.person_days
    return totals


def _shown(days: Decimal) -> str:
    """Person-days as the editor shows them: '12.5', '3', never '3.00' or '1E+1'."""
    return format(days.normalize(), "f")


def _decimal(value: object) -> Decimal | None:
    """A typed cell as person-days: blank is none recorded; anything else must be a number ≥ 0."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(str(value)) from None


def editor(project: ProjectDetail, baseline: list[EstimateLine]) -> None:
    """The baseline lines with their estimate and an editable actual, and the change requests below them."""
    recorded = workflow().actuals(project.id)
    totals = _totals(recorded)
    frame = pd.DataFrame(
        {
            "deliverable": pd.Series([line.deliverable for line in baseline], dtype="string"),
            "estimate": pd.Series([float(line.person_days) for line in baseline], dtype="float64"),
            "actual": pd.Series(
                [
                    _shown(totals[(line.deliverable, False)]) if (line.deliverable, False) in totals else ""
                    for line in baseline
                ],
                dtype="string",
            ),
        }
    )
    lines = st.data_editor(
        frame,
        key=LINES_KEY,
        hide_index=True,
        use_container_width=True,
        disabled=["deliverable", "estimate"],
        column_config={
            "deliverable": st.column_config.TextColumn(tr("actuals.column.deliverable")),
            "estimate": st.column_config.NumberColumn(tr("actuals.column.estimate"), format="%.2f"),
            "actual": st.column_config.TextColumn(tr("actuals.column.actual"), validate=DAYS_PATTERN),
        },
    )
    st.subheader(tr("actuals.added.title"))
    st.caption(tr("actuals.added.help"))
    added_frame = pd.DataFrame(
        {
            "deliverable": pd.Series([name for (name, added) in totals if added], dtype="string"),
            "actual": pd.Series([_shown(value) for (_, added), value in totals.items() if added], dtype="string"),
        }
    )
    added = st.data_editor(
        added_frame,
        key=ADDED_KEY,
        hide_index=True,
        num_rows="dynamic",
        use_container_width=True,
        column_config={
            "deliverable": st.column_config.TextColumn(tr("actuals.column.deliverable"), max_chars=200),
            "actual": st.column_config.TextColumn(tr("actuals.column.actual"), validate=DAYS_PATTERN),
        },
    )
    if st.button(tr("actuals.save"), type="primary", icon=":material/save:", key="actuals_save"):
        try:
            entries = _typed_entries(lines, added, recorded, totals)
        except ValueError as bad:
            st.error(tr("actuals.bad_number", value=str(bad)))
            return
        _record(project, entries, tr("actuals.saved", count=len(entries)))


def _typed_entries(
    lines: pd.DataFrame, added: pd.DataFrame, recorded: list[ActualEntry], totals: dict[tuple[str, bool], Decimal]
) -> list[ActualEntry]:
    entries: list[ActualEntry] = []
    for name, value in zip(lines["deliverable"], lines["actual"], strict=True):
        typed = _decimal(value)
        if typed is None:
            continue
        before = totals.get((name, False))
        if before == typed:  # both in hundredths (stored, and `DAYS_PATTERN`): an unchanged total
            entries.extend(entry for entry in recorded if entry.deliverable == name and not entry.change_request)
        else:
            entries.append(ActualEntry(name, typed))
    for name, value in zip(added["deliverable"], added["actual"], strict=True):
        typed = _decimal(value)
        if typed is not None and str(name or "").strip():
            entries.append(ActualEntry(str(name).strip(), typed, None, change_request=True))
    return entries


def _record(project: ProjectDetail, entries: list[ActualEntry], message: str) -> None:
    try:
        workflow().record_actuals(project.id, entries, user=user(), expected_row_version=project.row_version)
    except EstimatorError as error:
        show_error(error)
    else:
        st.session_state.pop(SHEET_KEY, None)
        flash(message)
        st.rerun()


def importer(project: ProjectDetail) -> None:
    """Upload a timesheet, see what matched, resolve what did not, then import (replacing what was recorded)."""
    limit_mb = settings().max_upload_size_mb
    translate_uploader(tr("deliverables.upload.browse"), key_prefix="actuals_file")
    # No `type` filter: Streamlit would refuse other files in English; the reader refuses them in the
    # user's language and says what to do.
    upload = st.file_uploader(
        tr("actuals.upload"), key="actuals_file", help=tr("actuals.upload_help"), max_upload_size=limit_mb
    )
    st.caption(tr("deliverables.upload.limits", types=".csv, .xlsx", limit_mb=limit_mb))

    if upload is not None and st.session_state.get(SHEET_KEY, (None,))[0] != upload.file_id:
        try:
            sheet = workflow().read_timesheet(project.id, upload.getvalue(), upload.name, lang=lang())
        except EstimatorError as error:
            show_error(error)
            return
        st.session_state[SHEET_KEY] = (upload.file_id, sheet)
    if upload is None or SHEET_KEY not in st.session_state:
        return
    sheet: Timesheet = st.session_state[SHEET_KEY][1]
    for problem in sheet.problems:
        st.warning(problem.message)
    matched = [row for row in sheet.rows if row.line is not None]
    st.success(tr("actuals.import.matched", count=len(matched), total=len(sheet.rows)))
    choices: dict[int, str] = {}
    for row in sheet.rows:
        if row.line is not None:
            continue
        options = [*row.suggestions, CHANGE_REQUEST, NOT_RECORDED]
        labels = {option: tr("actuals.import.as_line", line=option) for option in row.suggestions}
        labels |= {CHANGE_REQUEST: tr("actuals.import.as_change"), NOT_RECORDED: tr("actuals.import.skip")}
        choices[row.row] = st.selectbox(
            tr("actuals.import.unmatched", row=row.row, name=row.name, days=days(row.person_days)),
            options,
            index=len(options) - 1,
            format_func=labels.__getitem__,
            key=f"actuals_choice_{row.row}",
        )
    if workflow().actuals(project.id):
        st.info(tr("actuals.import.replaces"))
    if st.button(tr("actuals.import.apply"), type="primary", key="actuals_import"):
        resolved = []
        for row in sheet.rows:
            choice = choices.get(row.row)
            if choice == NOT_RECORDED:
                continue
            resolved.append(row if choice in (None, CHANGE_REQUEST) else replace(row, line=choice))
        entries = timesheet_entries(replace(sheet, rows=tuple(resolved)), change_requests=True)
        _record(project, entries, tr("actuals.imported", count=len(entries)))
