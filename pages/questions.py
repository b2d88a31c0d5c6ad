"""Questions: the engine's clarifying questions with why each is asked, answered inline
(choices or free text); saved answers survive regeneration by question key."""

from __future__ import annotations

import streamlit as st

from estimator.errors import EstimatorError
from ui import answers
from ui.context import flash, require_deliverables, require_project, show_error, through_app, tr, user, workflow
from ui.formatting import engine_in_use
from ui.steps import generate_estimate

through_app()

project = require_project()
flow = workflow()

st.title(tr("questions.title"))
require_deliverables(project)

st.caption(tr("questions.intro"))
answers.prepare(project)

label = tr("questions.regenerate") if project.qa_pairs else tr("questions.generate")
if st.button(
    label, type="secondary" if project.qa_pairs else "primary", icon=":material/quiz:", key="generate_questions"
):
    with st.status(tr("questions.generating", engine=engine_in_use()), expanded=True) as status:
        try:
            st.write(tr("questions.step.saving"))
            project = answers.store_pending(project)
            st.write(tr("questions.step.asking"))
            project = flow.generate_questions(project.id, expected_row_version=project.row_version, user=user())
        except EstimatorError as error:
            status.update(label=tr("questions.failed"), state="error")
            show_error(error)
        else:
            flash(tr("questions.generated", count=len(project.qa_pairs)))
            st.rerun()

typed = answers.drafts(project.id)
for number, qa in enumerate(project.qa_pairs, start=1):
    with st.container(border=True):
        head, badge = st.columns([6, 1])
        head.markdown(f"**{number}. {qa.question}**")
        badge.badge(tr(f"questions.kind.{qa.kind}"), color="gray")
        if qa.why:
            st.caption(tr("questions.why", why=qa.why))
        if qa.choices:
            st.pills(
                tr("questions.choices"),
                qa.choices,
                key=answers.choice_key(project.id, qa.key),
                on_change=answers.take_choice,
                args=(project.id, qa.key),
                label_visibility="collapsed",
            )
        typed[qa.key] = st.text_input(
            tr("questions.answer"),
            key=answers.widget_key(project.id, qa.key),
            placeholder=tr("questions.answer_placeholder" if qa.choices else "questions.answer_placeholder_free"),
            max_chars=2000,
        )

if project.qa_pairs:
    unanswered = sum(1 for qa in project.qa_pairs if not typed.get(qa.key, "").strip())
    if unanswered:
        st.info(tr("questions.unanswered", count=unanswered, total=len(project.qa_pairs)))
    save_column, estimate_column = st.columns([1, 2])
    if save_column.button(tr("questions.save"), icon=":material/save:", key="save_answers"):
        try:
            answers.store_pending(project)
        except EstimatorError as error:
            show_error(error)
        else:
            flash(tr("questions.saved"))
            st.rerun()
    if estimate_column.button(
        tr("questions.to_estimate"), type="primary", icon=":material/calculate:", key="answers_to_estimate"
    ) and generate_estimate(project):
        st.switch_page("pages/estimate.py")
