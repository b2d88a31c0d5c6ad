"""The Deliverables page's state: a draft table and requirements text that live in
`st.session_state` until saved, and an uploaded file staged until accepted.

Streamlit drops a widget's state when its page is left, so what the user typed is
copied into a plain session key on every run; coming back rebuilds the editor from
it. Nothing reaches the database before Save, and a refused save keeps the draft.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from estimator.schemas import Deliverable, ImportResult, ProjectDetail, checked_deliverable, name_key
from ui.context import lang, workflow

DRAFT_KEY = "deliverables_draft"
EDITOR_KEY = "deliverables_editor"
REQUIREMENTS_KEY = "requirements_input"
UPLOAD_KEY = "deliverables_upload"
UPLOADER_COUNT_KEY = "deliverables_uploader"
STALE_KEY = "deliverables_stale"
ASSETS = Path(__file__).resolve().parent.parent / "assets"
SAMPLES = {
    ("ja", "xlsx"): "sample_deliverables_ja.xlsx",
    ("ja", "csv"): "sample_deliverables_ja.csv",
    ("en", "xlsx"): "sample_deliverables_en.xlsx",
    ("en", "csv"): "sample_deliverables_en.csv",
}
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}

Row = dict[str, Any]


@dataclass
class Draft:
    """What the user is editing for one project; `row_version` is the project version it started from."""

    project_id: int
    row_version: int
    base: list[Row]
    current: list[Row]
    requirements: str
    saved: list[Row] = field(default_factory=list)
    saved_requirements: str = ""

    @property
    def dirty(self) -> bool:
        """Whether the table or the requirements differ from what was last loaded or saved."""
        return _comparable(self.current) != _comparable(self.saved) or self.requirements != self.saved_requirements


@dataclass(frozen=True)
class StagedUpload:
    """A parsed file waiting for the user to take its valid rows or cancel."""

    file_id: str
    filename: str
    result: ImportResult


def _rows(project: ProjectDetail) -> list[Row]:
    return [
        {"order": index, "name": item.name, "description": item.description}
        for index, item in enumerate(project.deliverables, start=1)
    ]


def text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _comparable(rows: list[Row]) -> list[tuple[str, str]]:
    return [(row["name"], row["description"]) for row in ordered(rows)]


def fresh_draft(project: ProjectDetail) -> Draft:
    rows = _rows(project)
    text = project.system_requirements
    return Draft(project.id, project.row_version, rows, list(rows), text, rows, text)


def draft_for(project: ProjectDetail) -> Draft:
    """The session's draft for `project`; a clean draft follows the stored list when it changed elsewhere."""
    draft: Draft | None = st.session_state.get(DRAFT_KEY)
    if (
        draft is None
        or draft.project_id != project.id
        or (draft.row_version != project.row_version and not touched(draft))
    ):
        draft = fresh_draft(project)
        st.session_state.pop(EDITOR_KEY, None)
        st.session_state.pop(REQUIREMENTS_KEY, None)
        st.session_state.pop(STALE_KEY, None)
        st.session_state[DRAFT_KEY] = draft
    if EDITOR_KEY not in st.session_state:
        draft.base = list(draft.current)
    if REQUIREMENTS_KEY not in st.session_state:
        st.session_state[REQUIREMENTS_KEY] = draft.requirements
    return draft


def touched(draft: Draft) -> bool:
    """Whether the user changed anything since the draft was loaded, counting what the widgets hold right now.

    The draft copies the widgets' values only when the page draws them, so the rerun that
    follows typing in the requirements box (or the table) still has the old copy: the
    widgets' own state must count too, or another tab's save would replace the typing.
    """
    typed = st.session_state.get(REQUIREMENTS_KEY, draft.requirements)
    edits = st.session_state.get(EDITOR_KEY) or {}
    edited_table = any(edits.get(kind) for kind in ("edited_rows", "added_rows", "deleted_rows"))
    return draft.dirty or typed != draft.saved_requirements or edited_table


def editor_height(rows: int) -> int:
    """Tall enough to show every row and the empty "add" row, up to about 15 rows, then it scrolls."""
    return 38 + 35 * (min(rows, 15) + 1)


def editor_frame(rows: list[Row]) -> pd.DataFrame:
    """The draft as the editor's table, every column typed even when it is empty (added rows need the types)."""
    return pd.DataFrame(
        {
            "order": pd.array([row.get("order") for row in rows], dtype="Int64"),
            "name": pd.array([row["name"] for row in rows], dtype="string"),
            "description": pd.array([row["description"] for row in rows], dtype="string"),
        }
    )


def from_editor(frame: pd.DataFrame) -> list[Row]:
    """The editor's table as rows; rows left completely blank (a fresh "add") are dropped."""
    rows = []
    for record in frame.to_dict("records"):
        order = record.get("order")
        row = {
            "order": None if order is None or pd.isna(order) else int(order),
            "name": text(record.get("name")),
            "description": text(record.get("description")),
        }
        if row["name"] or row["description"]:
            rows.append(row)
    return rows


def ordered(rows: list[Row]) -> list[Row]:
    """Rows by their No. column (blank No. last), ties in table order, renumbered 1…n."""
    ranked = sorted(enumerate(rows), key=lambda pair: (pair[1]["order"] is None, pair[1]["order"] or 0, pair[0]))
    return [{**row, "order": position} for position, (_, row) in enumerate(ranked, start=1)]


def deliverables(rows: list[Row]) -> list[Deliverable]:
    """The rows as deliverables, in No. order; the first row that cannot be one raises InvalidInputError."""
    return [
        checked_deliverable(row["name"], row["description"], row=number)
        for number, row in enumerate(ordered(rows), start=1)
    ]


def replace_table(draft: Draft, rows: list[Row]) -> None:
    """Put `rows` in the editor (after sorting, an upload, a reload): the editor restarts from them."""
    draft.base = list(rows)
    draft.current = list(rows)
    st.session_state.pop(EDITOR_KEY, None)


def stage_upload(data: bytes, filename: str, file_id: str) -> StagedUpload:
    """Parse an uploaded file once per upload; a refusal of the whole file raises InvalidInputError."""
    staged: StagedUpload | None = st.session_state.get(UPLOAD_KEY)
    if staged is None or staged.file_id != file_id:
        result = workflow().read_upload(data, filename, lang=lang())
        staged = StagedUpload(file_id, filename, result)
        st.session_state[UPLOAD_KEY] = staged
    return staged


def accept_upload(draft: Draft) -> int:
    """Replace the table with the staged file's valid rows (not saved yet); returns how many."""
    staged: StagedUpload = st.session_state.pop(UPLOAD_KEY)
    rows = [
        {"order": index, "name": item.name, "description": item.description}
        for index, item in enumerate(staged.result.deliverables, start=1)
    ]
    replace_table(draft, rows)
    clear_uploader()
    return len(rows)


def append_upload(draft: Draft) -> tuple[int, int]:
    """Add the staged file's rows after the table's (not saved yet); returns (added, skipped).

    A row whose name the table already has (as `name_key` compares names) is skipped:
    the list may not hold one name twice, and the row already there may have been edited.
    """
    staged: StagedUpload = st.session_state.pop(UPLOAD_KEY)
    rows = ordered(draft.current)
    taken = {name_key(row["name"]) for row in rows}
    skipped = 0
    for item in staged.result.deliverables:
        if name_key(item.name) in taken:
            skipped += 1
            continue
        taken.add(name_key(item.name))
        rows.append({"order": len(rows) + 1, "name": item.name, "description": item.description})
    replace_table(draft, rows)
    clear_uploader()
    return len(staged.result.deliverables) - skipped, skipped


def cancel_upload() -> None:
    st.session_state.pop(UPLOAD_KEY, None)
    clear_uploader()


def clear_uploader() -> None:
    """A new uploader key empties the file widget once its file is dealt with."""
    st.session_state[UPLOADER_COUNT_KEY] = st.session_state.get(UPLOADER_COUNT_KEY, 0) + 1


def uploader_key() -> str:
    return f"deliverables_file_{st.session_state.get(UPLOADER_COUNT_KEY, 0)}"


def translate_uploader(browse: str, *, key_prefix: str = "deliverables_file_") -> None:
    """Put the user's language on the drop zone of the uploaders keyed `key_prefix…`, whose texts Streamlit
    hard-codes in English.

    Its "Drag and drop" line and "Limit … per file" are hidden (the page's caption states the
    accepted types and the limit in the user's language) and the button reads `browse`.
    """
    zone = f'[class*="st-key-{key_prefix}"] [data-testid="stFileUploaderDropzone"]'
    # Only the browse button of the empty zone: a staged file's chip has its own remove and add icons.
    button = f'{zone} button[data-testid="stBaseButton-secondary"]'
    label = browse.replace("\\", "").replace('"', "")
    st.html(
        f"<style>{zone} [data-testid='stFileUploaderDropzoneInstructions'] {{display: none;}}"
        f"{button} [data-testid='stMarkdownContainer'] {{display: none;}}"
        f"{button} {{white-space: nowrap;}}"
        f'{button}::after {{content: "{label}"; margin-left: 0.5rem;}}</style>'
    )


def insert_template(text: str) -> None:
    """Append a checklist to the requirements text (a callback, so it runs before the text area)."""
    current = st.session_state.get(REQUIREMENTS_KEY, "").rstrip()
    st.session_state[REQUIREMENTS_KEY] = f"{current}\n\n{text}" if current else text


@cache
def sample_bytes(language: str, extension: str) -> bytes:
    return (ASSETS / SAMPLES[(language, extension)]).read_bytes()
