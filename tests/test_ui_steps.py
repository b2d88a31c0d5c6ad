"""Questions, Estimate, Adjust and Settings/Usage pages with the offline engine, through AppTest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from estimator.i18n import t
from tests.ui_support import app, estimated_project, flow, opened, project_with_deliverables, texts


def answer_boxes(at: AppTest) -> list[Any]:
    """The answer boxes of the Questions page, in question order."""
    return [box for box in at.text_input if box.key and box.key.startswith("answer_")]


def test_questions_are_generated_answered_saved_and_kept_on_regeneration() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/questions.py")
    at.button(key="generate_questions").click().run()

    assert not at.exception
    project = flow().store.get_project(project_id)
    assert project.qa_pairs and len(answer_boxes(at)) == len(project.qa_pairs)
    assert t("questions.why", "ja", why=project.qa_pairs[0].why) in [caption.value for caption in at.caption]
    assert texts(at.info) == [t("questions.unanswered", "ja", count=len(project.qa_pairs), total=len(project.qa_pairs))]

    first = project.qa_pairs[0]
    answer_boxes(at)[0].input("約300人").run()
    at.button(key="save_answers").click().run()
    assert flow().store.get_project(project_id).qa_pairs[0].answer == "約300人"

    at.button(key="generate_questions").click().run()
    kept = {qa.key: qa.answer for qa in flow().store.get_project(project_id).qa_pairs}
    assert kept[first.key] == "約300人"
    assert answer_boxes(at)[0].value == "約300人"


def test_a_choice_fills_the_answer_box() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/questions.py")
    at.button(key="generate_questions").click().run()
    qa = next(qa for qa in flow().store.get_project(project_id).qa_pairs if qa.choices)
    at.button_group(key=f"choice_{project_id}_{qa.key}").set_value(qa.choices[0]).run()

    assert at.text_input(key=f"answer_{project_id}_{qa.key}").value == qa.choices[0]


def test_answers_are_saved_before_the_estimate_is_generated() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/questions.py")
    at.button(key="generate_questions").click().run()
    answer_boxes(at)[0].input("5人").run()
    at.button(key="answers_to_estimate").click().run()

    assert not at.exception
    assert texts(at.title) == [t("estimate.title", "ja")]
    assert flow().store.get_project(project_id).qa_pairs[0].answer == "5人"
    assert flow().store.get_version(project_id).origin == "generated"


def test_estimate_page_shows_totals_lines_and_the_quote_download() -> None:
    project_id = project_with_deliverables()
    at = opened(project_id, "pages/estimate.py")
    assert texts(at.info) == [t("estimate.none_yet", "ja")]
    at.button(key="generate_estimate").click().run()

    version = flow().store.get_version(project_id)
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics[t("estimate.metric.total", "ja")] == f"¥{version.total:,.0f}"
    assert metrics[t("estimate.metric.tax", "ja", rate="10")] == f"¥{version.tax:,.0f}"
    assert len(at.expander) == len(version.lines)
    download = at.get("download_button")[0]
    assert download.proto.label == t("estimate.download", "ja")
    assert not at.exception


def test_editing_person_days_makes_an_edited_version() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/estimate.py")
    version = flow().store.get_version(project_id)
    at.session_state[f"lines_{version.id}"] = {
        "edited_rows": {1: {"person_days": 7.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key=f"FormSubmitter:lines_form_{version.id}-{t('estimate.save_edits', 'ja')}").click().run()

    edited = flow().store.get_version(project_id)
    assert (edited.number, edited.origin) == (2, "edited")
    assert edited.lines[1].person_days == Decimal("7.50")
    assert [line.person_days for i, line in enumerate(edited.lines) if i != 1] == [
        line.person_days for i, line in enumerate(version.lines) if i != 1
    ]
    assert t("estimate.edited", "ja", version=2) in texts(at.success)


def test_saving_without_edits_says_nothing_changed() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/estimate.py")
    version = flow().store.get_version(project_id)
    at.button(key=f"FormSubmitter:lines_form_{version.id}-{t('estimate.save_edits', 'ja')}").click().run()

    assert texts(at.error) == [t("errors.input.nothing_changed", "ja")]
    assert flow().store.get_version(project_id).number == 1


def test_versions_compare_and_restore() -> None:
    project_id = estimated_project()
    workflow = flow()
    first = workflow.store.get_version(project_id)
    name = first.lines[0].deliverable
    workflow.edit_lines(project_id, {name: Decimal(1)}, base_version=first.number, user="local")
    at = opened(project_id, "pages/estimate.py")
    at.session_state["estimate_tab"] = t("estimate.tab.versions", "ja")
    at.run()

    assert any(t("estimate.diff.changed", "ja") in str(frame.value) for frame in at.dataframe)
    at.selectbox(key="cmp_old_2").set_value(2).run()
    at.selectbox(key="cmp_new_2").set_value(1).run()
    at.selectbox(key="restore_choice_2").set_value(1).run()
    at.button(key="restore_version").click().run()

    restored = workflow.store.get_version(project_id)
    assert (restored.number, restored.origin, restored.total) == (3, "restored", first.total)
    assert t("estimate.restored", "ja", version=3, source=1) in texts(at.success)
    pair = (at.selectbox(key="cmp_old_3").value, at.selectbox(key="cmp_new_3").value)
    assert pair == (2, 3), "after a restore the compare selectors show the newest pair, not the old choice"


def test_detail_expanders_are_paged_and_drawn_only_when_opened() -> None:
    names = tuple(f"画面{i:02d}" for i in range(1, 46))
    project_id = estimated_project(names)
    at = opened(project_id, "pages/estimate.py")
    assert [expander.label.split(" — ")[0] for expander in at.expander] == [f"{i}. 画面{i:02d}" for i in range(1, 11)]
    assert not at.expander[0].markdown, "a closed line's details are not drawn"

    version = flow().store.get_version(project_id)
    total = len(version.lines)  # the 45 screens, then the whole-project lines the engine added
    assert total > 45 and all(line.deliverable.endswith("（自動追加）") for line in version.lines[45:])
    at.pagination(key=f"detail_page_{project_id}").set_value(5).run()
    shown = [f"{i}. {version.lines[i - 1].deliverable}" for i in range(41, min(total, 50) + 1)]
    assert [expander.label.split(" — ")[0] for expander in at.expander] == shown
    assert t("estimate.detail.page_range", "ja", first=41, last=min(total, 50), total=total) in [
        c.value for c in at.caption
    ]

    at.session_state[f"detail_{version.id}_41"] = True
    at.run()
    reasoning = version.lines[40].reasoning
    assert any(reasoning in block.value for block in at.expander[0].markdown)


def test_a_chat_request_makes_proposals_and_applying_one_makes_a_version() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py")
    at.chat_input[0].set_value("あと30万円安く").run()

    assert not at.exception and not at.error
    pending = flow().store.pending_proposals(project_id)
    assert pending
    assert [m.role for m in flow().store.list_messages(project_id)] == ["user", "assistant"]
    before = flow().store.get_version(project_id)
    at.button(key=f"apply_{pending[0].id}").click().run()

    after = flow().store.get_version(project_id)
    assert (after.number, after.origin) == (2, "adjusted")
    assert before.subtotal - after.subtotal <= Decimal(300_000) + before.unit_cost
    assert flow().store.pending_proposals(project_id) == []


def test_an_engine_error_is_the_reply_in_the_users_language_and_the_request_is_kept() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py", "en")
    at.chat_input[0].set_value("よろしく").run()

    assert not at.error, "the reason is part of the conversation, not a box that outlives it"
    messages = flow().store.list_messages(project_id)
    assert messages[0].content == "よろしく"
    assert [m.role for m in messages] == ["user", "assistant"]
    reply = messages[1].content
    assert reply.startswith("Could not understand") and "¥300,000" in reply and "「" not in reply
    assert reply in "".join(texts(at.markdown))


@pytest.mark.parametrize("action", ["budget", "unit_cost", "risk", "remove"])
def test_quick_actions_make_proposals(action: str) -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py")
    version = flow().store.get_version(project_id)
    form = {"budget": "quick_budget", "unit_cost": "quick_unit_cost", "risk": "quick_risk", "remove": "quick_remove"}
    if action == "budget":
        at.text_input(key="quick_budget_cap").input(f"{int(version.subtotal * Decimal('0.9')):,}")
    elif action == "unit_cost":
        at.text_input(key="quick_unit_cost").input("¥45,000")
    elif action == "remove":
        at.multiselect[0].set_value([version.lines[0].deliverable])
    label = t("adjust.quick.propose", "ja")
    at.button(key=f"FormSubmitter:{form[action]}-{label}").click().run()

    assert not at.exception and not at.error
    pending = flow().store.pending_proposals(project_id)
    assert pending and {row.engine for row in pending} == {"quick-action"}
    assert at.button(key=f"apply_{pending[0].id}")


def test_usage_page_shows_settings_without_secrets_engine_and_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    estimated_project()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    monkeypatch.setenv("DAILY_COST_LIMIT_USD", "5")
    at = app().run()
    at.switch_page("pages/usage.py").run()

    assert not at.exception
    shown = " ".join(str(frame.value) for frame in at.dataframe) + " ".join(m.value for m in at.markdown)
    assert "sk-test-secret-value" not in shown
    assert t("usage.settings.set", "ja") in shown
    assert t("usage.engine.openai", "ja", model="gpt-4o-mini", url=t("usage.settings.default_base_url", "ja")) in [
        m.value for m in at.markdown
    ]
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics[t("usage.caps.daily", "ja")] == t("usage.caps.left", "ja", left="$5")
    assert metrics[t("usage.caps.monthly", "ja")] == t("usage.caps.none", "ja")
