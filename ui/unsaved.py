"""Unsaved drafts and the browser's leave-page warning.

Drafts live in the browser session (`st.session_state`), so they survive reruns and
page changes but not a reload, which starts a new session. Streamlit cannot keep
them across that, so while a draft is unsaved the page asks the browser to warn
before it unloads (the standard `beforeunload` prompt).
"""

from __future__ import annotations

import streamlit as st

from estimator.schemas import ProjectDetail
from ui import answers
from ui.deliverables import DRAFT_KEY, Draft

# One listener per page load; each run only flips the flag it reads.
_GUARD = """<script>
window.estimatorUnsaved = {unsaved};
if (!window.estimatorGuard) {{
  window.estimatorGuard = true;
  window.addEventListener("beforeunload", (event) => {{
    if (window.estimatorUnsaved) {{ event.preventDefault(); event.returnValue = ""; }}
  }});
}}
</script>"""


def has_unsaved_work(project: ProjectDetail | None) -> bool:
    """Whether the open project has deliverables or answers typed but not saved."""
    if project is None:
        return False
    draft = st.session_state.get(DRAFT_KEY)
    if isinstance(draft, Draft) and draft.project_id == project.id and draft.dirty:
        return True
    return bool(answers.pending(project))


def guard_unsaved_work(project: ProjectDetail | None) -> None:
    """Arm (or disarm) the browser's warning before a reload or close drops unsaved drafts."""
    flag = "true" if has_unsaved_work(project) else "false"
    st.html(_GUARD.format(unsaved=flag), unsafe_allow_javascript=True, width="content")
