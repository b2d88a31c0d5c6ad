"""Two browser sessions on one project: the one that saves second is told so and keeps its input.

Each case was seen losing work silently: an edit save that saved nothing and said nothing,
requirements text replaced by the other tab's as soon as the box lost focus (then "saved"),
and Apply on a proposal the other tab had superseded doing nothing under an old error box.
"""

from __future__ import annotations

from decimal import Decimal

from estimator.i18n import t
from tests.ui_support import estimated_project, flow, opened, project_with_deliverables, texts


def test_an_edit_saved_after_another_tab_made_a_version_is_refused_and_kept() -> None:
    project_id = estimated_project()
    tab_a = opened(project_id, "pages/estimate.py")
    first = flow().store.get_version(project_id)
    other = flow()
    proposal = other.quick_unit_cost(project_id, Decimal(50000), user="tab-b")
    other.apply_proposal(project_id, proposal.id, user="tab-b")

    tab_a.session_state[f"lines_{first.id}"] = {
        "edited_rows": {1: {"person_days": 7.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    tab_a.run()
    tab_a.button(key=f"FormSubmitter:lines_form_{first.id}-{t('estimate.save_edits', 'ja')}").click().run()

    assert not tab_a.exception
    assert texts(tab_a.error) == [t("errors.stale_version", "ja", base=1, latest=2)]
    assert [v.number for v in flow().store.list_versions(project_id)] == [1, 2]
    assert t("estimate.newer_version", "ja", shown=1, newest=2, who="tab-b") in texts(tab_a.warning)
    assert tab_a.session_state[f"lines_{first.id}"]["edited_rows"] == {1: {"person_days": 7.5}}
    assert not texts(tab_a.success)

    tab_a.button(key="show_newest").click().run()
    assert not texts(tab_a.warning)
    assert tab_a.session_state["estimate_shown_version"] == {project_id: 2}


def test_requirements_typed_in_one_tab_survive_a_save_in_the_other() -> None:
    project_id = project_with_deliverables(("A", "B"))
    tab_a = opened(project_id, "pages/deliverables.py")
    tab_b = opened(project_id, "pages/deliverables.py")

    tab_a.text_area(key="requirements_input").input("Aの要件").run()
    tab_a.button(key="save_deliverables").click().run()
    assert flow().store.get_project(project_id).system_requirements == "Aの要件"

    tab_b.text_area(key="requirements_input").input("Bの要件").run()
    assert tab_b.text_area(key="requirements_input").value == "Bの要件"
    tab_b.button(key="save_deliverables").click().run()

    assert texts(tab_b.error) == [t("errors.stale_write", "ja", project=project_id)]
    assert t("deliverables.saved", "ja", count=2) not in texts(tab_b.success)
    assert tab_b.text_area(key="requirements_input").value == "Bの要件"
    assert flow().store.get_project(project_id).system_requirements == "Aの要件"


def test_apply_of_a_proposal_another_tab_superseded_says_why() -> None:
    project_id = estimated_project()
    workflow = flow()
    mine = workflow.quick_unit_cost(project_id, Decimal(45000), user="tab-a")
    theirs = workflow.quick_unit_cost(project_id, Decimal(50000), user="tab-b")
    tab_a = opened(project_id, "pages/adjust.py")
    tab_a.chat_input(key="adjust_chat").set_value("意味のない依頼").run()
    refusal = flow().store.list_messages(project_id)[-1].content
    assert refusal in "".join(texts(tab_a.markdown)), "the chat refusal is on screen before the other tab applies"
    workflow.apply_proposal(project_id, theirs.id, user="tab-b")

    tab_a.button(key=f"apply_{mine.id}").click().run()

    assert not tab_a.exception
    assert texts(tab_a.error) == [t("errors.proposal.outdated", "ja", base=1, latest=2)]
    assert flow().store.get_version(project_id).unit_cost == Decimal(50000)
    assert [v.number for v in flow().store.list_versions(project_id)] == [1, 2]
