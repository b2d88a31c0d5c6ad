"""Issue 11 items 8, 10 and 11 on the Adjust page: every reply is part of the conversation,
an error box never outlives the next action, asking twice does not pile up proposals,
examples follow the UI language and the project's currency, money inputs show separators,
and the adjusted quote downloads right there (one action fewer on the shortest walk)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from estimator.i18n import format_money, format_number, t
from estimator.rules.reading import read_request
from tests.ui_support import estimated_project, flow, opened, texts

PROPOSE = "adjust.quick.propose"


def submit(at, form: str, lang: str = "ja"):  # type: ignore[no-untyped-def]
    return at.button(key=f"FormSubmitter:{form}-{t(PROPOSE, lang)}").click().run()


def test_repeating_a_request_points_to_the_pending_proposal_instead_of_a_copy() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py")
    at.chat_input[0].set_value("リスクバッファ10%").run()
    first = [row.id for row in flow().store.pending_proposals(project_id)]
    at.chat_input[0].set_value("リスクバッファ10%").run()

    assert [row.id for row in flow().store.pending_proposals(project_id)] == first
    replies = [m.content for m in flow().store.list_messages(project_id) if m.role == "assistant"]
    assert replies[-1].startswith(t("workflow.proposals_repeated", "ja", titles="").strip())
    submit(at, "quick_risk")
    assert [row.id for row in flow().store.pending_proposals(project_id)] == first, "the quick action too"


def test_a_quick_action_error_shows_once_and_the_next_action_clears_it() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py", "en")
    at.text_input(key="quick_budget_cap").input("not a number")
    submit(at, "quick_budget", "en")
    assert len(at.error) == 1

    at.chat_input[0].set_value("add a 10% risk buffer").run()
    assert not at.error
    at.run()
    assert not at.error


def test_an_unclear_request_then_a_good_one_leaves_no_stale_box() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py")
    at.chat_input[0].set_value("よろしく").run()
    at.chat_input[0].set_value("あと30万円安く").run()

    assert not at.error
    roles = [m.role for m in flow().store.list_messages(project_id)]
    assert roles == ["user", "assistant", "user", "assistant"]


@pytest.mark.parametrize(("lang", "project_lang"), [("en", "ja"), ("ja", "en"), ("en", "en"), ("ja", "ja")])
def test_examples_follow_the_ui_language_and_the_projects_currency(lang: str, project_lang: str) -> None:
    project_id = estimated_project(language=project_lang)
    currency = flow().store.get_version(project_id).currency
    at = opened(project_id, "pages/adjust.py", lang)
    caption = next(text for text in texts(at.caption) if text.startswith(t("adjust.chat.examples", lang, examples="")))

    yen = "¥" in caption or "円" in caption
    assert (yen, "$" in caption) == ((True, False) if currency == "JPY" else (False, True))
    quoted = re.findall(r"「(.*?)」" if lang == "ja" else r"“(.*?)”", caption)
    assert len(quoted) >= 6
    assert all(read_request(example).understood for example in quoted), "every example is a request the rules read"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_money_inputs_show_thousands_separators_and_read_them_back(lang: str) -> None:
    project_id = estimated_project()
    version = flow().store.get_version(project_id)
    at = opened(project_id, "pages/adjust.py", lang)

    assert at.text_input(key="quick_budget_cap").value == format_number(version.subtotal, "en", digits=0)
    assert "," in at.text_input(key="quick_budget_cap").value
    assert at.text_input(key="quick_unit_cost").value == "40,000"
    cap = version.subtotal * 9 // 10
    at.text_input(key="quick_budget_cap").input(format_money(cap, "JPY", lang))
    submit(at, "quick_budget", lang)
    assert not at.error
    assert flow().store.pending_proposals(project_id)


def test_the_adjusted_versions_quote_downloads_from_the_adjust_page() -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py")
    submit(at, "quick_risk")
    at.button(key=f"apply_{flow().pending_proposals(project_id)[0].id}").click().run()

    button, pdf = at.get("download_button")
    assert button.proto.label == t("adjust.download", "ja", version=2)
    assert pdf.proto.label == t("estimate.download_pdf", "ja") and not pdf.proto.disabled, "the PDF beside it"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_budget_without_its_basis_asks_with_choices_and_a_choice_gets_the_proposal(lang: str) -> None:
    """Issue 14: 「予算180万円」 on a taxed estimate whose subtotal is within it but whose total is not is asked
    about (税込 or 税抜) with clickable choices, not guessed; clicking 税込 gets proposals that state what was
    understood and bring the total with tax within the budget."""
    project_id = estimated_project()
    version = flow().versions(project_id)[-1]
    budget = 1_800_000
    assert version.subtotal <= budget < version.total, "the basis decides whether anything must change"
    shown = format_money(budget, "JPY", lang)
    at = opened(project_id, "pages/adjust.py", lang)
    at.chat_input[0].set_value("予算180万円").run()

    assert not flow().store.pending_proposals(project_id), "no guess is offered"
    labels = [button.label for button in at.button if button.key and button.key.startswith("adjust_choice_")]
    assert labels == [
        t("chat.clarify.tax_included.label", lang, amount=shown),
        t("chat.clarify.tax_excluded.label", lang, amount=shown),
    ]
    assert t("chat.clarify.basis.question", lang, amount=shown) in texts(at.markdown)

    next(b for b in at.button if b.label == labels[0]).click().run()
    pending = flow().pending_proposals(project_id)
    assert pending
    assert any(t("adjust.proposals.understood", lang) in text for text in texts(at.info))
    for row in pending:
        assert row.understood
        after = flow().preview(project_id, row).after
        assert budget - after.pricing.unit_cost * Decimal("1.1") <= after.total <= budget


@pytest.mark.parametrize(
    ("lang", "question"), [("ja", "テストを減らしたら品質は大丈夫？"), ("en", "is a 10% buffer normal?")]
)
def test_a_question_is_answered_in_the_chat_and_proposes_nothing(lang: str, question: str) -> None:
    project_id = estimated_project()
    at = opened(project_id, "pages/adjust.py", lang)
    at.chat_input[0].set_value(question).run()

    assert not flow().store.pending_proposals(project_id)
    reply = [m.content for m in flow().store.list_messages(project_id) if m.role == "assistant"][-1]
    assert reply.endswith(t("chat.answer.how_to_change", lang))
    assert any(reply.splitlines()[0] in text for text in texts(at.markdown))
