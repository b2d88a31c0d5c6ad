"""Short clarifying questions with clickable choices, asked instead of a guess.

When the words leave open what a proposal depends on — 税込 or 税抜, a cap or a cut, up or down, or a
line name that only looks like one — a guess would be a confident wrong change, the worst outcome
for an analyst in a hurry. Each choice is a complete request the rules read without doubt, so
clicking it answers the question and gets the proposal in one step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from estimator.errors import EngineError
from estimator.i18n import format_money, format_number, t
from estimator.schemas import Choice


@dataclass(frozen=True)
class Clarification:
    question: str
    choices: tuple[Choice, ...]


class ClarificationNeeded(EngineError):
    """The rules are unsure; `ask(lang)` is the question and its choices in the language the analyst reads."""

    def __init__(self, text: str, ask: Callable[[str], Clarification]) -> None:
        super().__init__("chat.clarify.needed", text)
        self.ask = ask


def _choices(lang: str, keys: tuple[str, ...], **values: object) -> tuple[Choice, ...]:
    return tuple(
        Choice(
            label=t(f"chat.clarify.{key}.label", lang, **values),
            request=t(f"chat.clarify.{key}.request", lang, **values),
        )
        for key in keys
    )


def basis_question(text: str, amount: Decimal, currency: str) -> ClarificationNeeded:
    """「500万円以内に」 on a taxed estimate: the total with tax, or the subtotal before it?"""

    def ask(lang: str) -> Clarification:
        shown = format_money(amount, currency, lang)
        return Clarification(
            t("chat.clarify.basis.question", lang, amount=shown),
            _choices(lang, ("tax_included", "tax_excluded"), amount=shown),
        )

    return ClarificationNeeded(text, ask)


def amount_use_question(text: str, amount: Decimal, currency: str, taxed: bool) -> ClarificationNeeded:
    """「500万円で」: a cap on the estimate, or a cut by that much?"""

    def ask(lang: str) -> Clarification:
        shown = format_money(amount, currency, lang)
        keys = ("tax_included", "tax_excluded", "reduce_by") if taxed else ("cap", "reduce_by")
        return Clarification(
            t("chat.clarify.amount_use.question", lang, amount=shown), _choices(lang, keys, amount=shown)
        )

    return ClarificationNeeded(text, ask)


def direction_question(text: str, percent: Decimal, target: str) -> ClarificationNeeded:
    """「テストを10%」: down by ten percent, or up?"""

    def ask(lang: str) -> Clarification:
        shown = format_number(percent, lang)
        return Clarification(
            t("chat.clarify.direction.question", lang, percent=shown, target=target),
            _choices(lang, ("down", "up"), percent=shown, target=target),
        )

    return ClarificationNeeded(text, ask)


def name_question(text: str, phrase: str, candidates: tuple[str, ...]) -> ClarificationNeeded:
    """A line name with a typo: 「『管理画面』のことですか？」, each choice the request with the line's real name."""

    def ask(lang: str) -> Clarification:
        choices = tuple(
            Choice(label=t("chat.clarify.name.label", lang, name=name), request=text.replace(phrase, name, 1))
            for name in candidates
        )
        return Clarification(t("chat.clarify.name.question", lang, name=candidates[0], phrase=phrase), choices)

    return ClarificationNeeded(text, ask)
