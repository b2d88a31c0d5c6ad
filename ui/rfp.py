"""The Deliverables page's RFP import: a document staged with the deliverables proposed from it, until the
analyst takes the rows they keep into the draft table (nothing is saved before the page's Save).

The proposal is kept per file, so reruns (ticking rows, editing a name) never ask the engine again; the
rows the analyst edits live in the editor's state like the main table's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from estimator.schemas import DeliverableDraft, DocumentSource, name_key
from ui import deliverables as table
from ui.context import lang, user, workflow

RFP_KEY = "deliverables_rfp"
RFP_EDITOR_KEY = "deliverables_rfp_editor"
RFP_UPLOADER_COUNT_KEY = "deliverables_rfp_uploader"
RFP_TYPES = ("pdf", "docx", "xlsx", "md", "txt")


@dataclass(frozen=True)
class StagedDocument:
    file_id: str
    filename: str
    draft: DeliverableDraft


def uploader_key() -> str:
    return f"rfp_file_{st.session_state.get(RFP_UPLOADER_COUNT_KEY, 0)}"


def stage(data: bytes, filename: str, file_id: str, project_id: int) -> StagedDocument:
    """The proposal for an uploaded document, made once per file; a refusal raises InvalidInputError."""
    staged: StagedDocument | None = st.session_state.get(RFP_KEY)
    if staged is None or staged.file_id != file_id:
        draft = workflow().propose_deliverables(data, filename, language=lang(), user=user(), project_id=project_id)
        staged = StagedDocument(file_id, filename, draft)
        st.session_state[RFP_KEY] = staged
        st.session_state.pop(RFP_EDITOR_KEY, None)
    return staged


def where(source: DocumentSource, page_label: str) -> str:
    """「p.3 · 2.1 画面」: the page (PDF) and the section a row was read from."""
    parts = [page_label.format(page=source.page) if source.page else "", source.section]
    return " · ".join(part for part in parts if part)


def frame(staged: StagedDocument, page_label: str) -> pd.DataFrame:
    rows = [
        {"take": True, "name": item.name, "description": item.description, "source": where(item.source, page_label)}
        for item in staged.draft.items
    ]
    return pd.DataFrame(rows, columns=["take", "name", "description", "source"])


def taken(edited: pd.DataFrame) -> list[dict[str, Any]]:
    """The ticked rows with a name, as the analyst edited them."""
    rows = []
    for record in edited.to_dict("records"):
        name = table.text(record.get("name"))
        if bool(record.get("take")) and name:
            rows.append({"name": name, "description": table.text(record.get("description"))})
    return rows


def adopt(draft: table.Draft, rows: list[dict[str, Any]], *, replace: bool, requirements: bool) -> tuple[int, int]:
    """Put the taken rows in the draft table — after its rows, or instead of them — and, when asked, the
    document's other text after the requirements. Returns (added, skipped as already there)."""
    staged: StagedDocument = st.session_state.pop(RFP_KEY)
    current = [] if replace else table.ordered(draft.current)
    known = {name_key(row["name"]) for row in current}
    skipped = 0
    for row in rows:
        if name_key(row["name"]) in known:
            skipped += 1
            continue
        known.add(name_key(row["name"]))
        current.append({"order": len(current) + 1, **row})
    table.replace_table(draft, current)
    if requirements and staged.draft.requirements:
        existing = st.session_state.get(table.REQUIREMENTS_KEY, draft.requirements).rstrip()
        st.session_state[table.REQUIREMENTS_KEY] = (
            f"{existing}\n\n{staged.draft.requirements}" if existing else staged.draft.requirements
        )
    discard()
    return len(rows) - skipped, skipped


def discard() -> None:
    st.session_state.pop(RFP_KEY, None)
    st.session_state.pop(RFP_EDITOR_KEY, None)
    st.session_state[RFP_UPLOADER_COUNT_KEY] = st.session_state.get(RFP_UPLOADER_COUNT_KEY, 0) + 1
