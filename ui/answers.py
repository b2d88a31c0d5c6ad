"""Answers typed on the Questions page, kept in the session until stored.

Widget state disappears when its page is left, so each answer is also copied into
a plain session key; the Estimate page stores these drafts before it asks the
engine, so a failing model call never loses an answer.
"""

from __future__ import annotations

import streamlit as st

from estimator.schemas import ProjectDetail
from ui.context import workflow

DRAFTS_KEY = "answer_drafts"


def widget_key(project_id: int, question_key: str) -> str:
    return f"answer_{project_id}_{question_key}"


def choice_key(project_id: int, question_key: str) -> str:
    return f"choice_{project_id}_{question_key}"


def drafts(project_id: int) -> dict[str, str]:
    """This project's unsaved answers by question key."""
    every: dict[int, dict[str, str]] = st.session_state.setdefault(DRAFTS_KEY, {})
    return every.setdefault(project_id, {})


def prepare(project: ProjectDetail) -> None:
    """Give each answer box the draft (or the stored answer), and each choice its pill, before they are drawn.

    Streamlit forgets both widgets when the page is left; an answer that is one of the
    choices shows that pill selected again on return.
    """
    typed = drafts(project.id)
    for qa in project.qa_pairs:
        key = widget_key(project.id, qa.key)
        if key not in st.session_state:
            st.session_state[key] = typed.get(qa.key, qa.answer or "")
        pill = choice_key(project.id, qa.key)
        if pill not in st.session_state and qa.choices:
            answer = st.session_state[key].strip()
            st.session_state[pill] = answer if answer in qa.choices else None


def take_choice(project_id: int, question_key: str) -> None:
    """A chosen pill fills the answer box, where it can still be edited."""
    chosen = st.session_state.get(choice_key(project_id, question_key))
    if chosen:
        st.session_state[widget_key(project_id, question_key)] = chosen
        drafts(project_id)[question_key] = chosen


def pending(project: ProjectDetail) -> dict[str, str]:
    """Drafts that differ from what is stored."""
    stored = {qa.key: qa.answer or "" for qa in project.qa_pairs}
    return {key: text for key, text in drafts(project.id).items() if key in stored and text.strip() != stored[key]}


def store_pending(project: ProjectDetail) -> ProjectDetail:
    """Save the answers typed so far (if any); returns the project as stored afterwards."""
    changed = pending(project)
    if not changed:
        return project
    saved = workflow().save_answers(project.id, dict(changed), expected_row_version=project.row_version)
    drafts(project.id).clear()
    return saved
