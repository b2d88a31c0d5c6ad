"""Every proposal checked against what was asked, whoever made it (the rules or the model).

A proposal is applied once to the version it was made for and its effect compared with the parsed
intent: the direction the money moves, an amount target met on its basis (税込 / 税抜), the unit cost
asked for, and no line changed that the request did not name. A proposal that fails is never offered:
an analyst in a hurry applies what looks confident, so a wrong change is worse than no proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.adjustments import apply_operations
from estimator.errors import AdjustmentError, EngineError
from estimator.i18n import format_money, format_number, t
from estimator.rules.clarify import ClarificationNeeded
from estimator.rules.proposals import (
    Selection,
    amount_scope,
    keeps_lines,
    members,
    proposals_for,
    select_lines,
    selection_label,
    subtotal_target,
)
from estimator.rules.reading import ALL, CATEGORIES, Basis, Intent, IntentKind
from estimator.schemas import (
    AdjustmentContext,
    DeliverableKind,
    EstimateLine,
    Operation,
    OperationKind,
    PricedEstimate,
    Proposal,
    price,
)
from estimator.text import reading_form

_DOWN = {IntentKind.REDUCE_BY, IntentKind.FIT_BUDGET, IntentKind.REMOVE, IntentKind.SIMPLIFY}
_WHOLE = {IntentKind.REDUCE_BY, IntentKind.FIT_BUDGET, IntentKind.INCREASE_BY}
"""Intents that may touch every line: an amount is met by spreading or dropping, as the proposal says."""


def _direction(intent: Intent) -> int:
    if intent.kind in _DOWN:
        return -1
    if intent.kind is IntentKind.INCREASE_BY or intent.kind is IntentKind.RISK_BUFFER:
        return 1
    if intent.kind is IntentKind.SCALE and intent.factor is not None:
        return -1 if intent.factor < 1 else 1
    if intent.kind is IntentKind.SET_PERSON_DAYS and intent.delta and intent.days is not None:
        return -1 if intent.days < 0 else 1
    return 0


def _touched(before: list[EstimateLine], after: list[EstimateLine]) -> set[str]:
    """Names of lines removed, added or changed in any figure."""
    old = {line.deliverable: line for line in before}
    new = {line.deliverable: line for line in after}
    changed = {name for name in old.keys() & new.keys() if old[name] != new[name]}
    return changed | (old.keys() ^ new.keys())


def _mentioned(line: EstimateLine, text: str) -> bool:
    """Whether the request names this line: by its name, or by a group word its kind or phases belong to."""
    if reading_form(line.deliverable) in text or line.kind is DeliverableKind.RISK_BUFFER:
        return True
    for category in CATEGORIES[1:]:
        if category.words.search(text) and (line.kind in category.kinds or category.phases):
            return True
    return False


def _amount_problem(intent: Intent, context: AdjustmentContext, before: PricedEstimate, after: PricedEstimate) -> str:
    target = subtotal_target(intent, context.pricing, before.subtotal, before.total)
    if not target - context.pricing.unit_cost <= after.subtotal <= target:
        return "the subtotal misses the amount asked for"
    capped = intent.basis is Basis.TAX_INCLUDED and intent.kind is IntentKind.FIT_BUDGET
    if capped and intent.amount is not None and after.total > intent.amount:
        return "the total with tax is over the cap"
    return ""


def _members_of(selection: Selection, lines: list[EstimateLine]) -> set[str]:
    """The lines a selection may change: its names, or a group's lines (a phase group touches every line)."""
    if selection.names:
        return set(selection.names)
    category = selection.category
    if category is not None and category.phases:
        return {line.deliverable for line in lines}
    return {line.deliverable for line in members(category, lines)} if category is not None else set()


def _scope_problem(intent: Intent, context: AdjustmentContext, touched: set[str]) -> str:
    """Lines changed that the request did not name (an amount target may spread over all of them)."""
    if intent.kind in _WHOLE or intent.kind is IntentKind.SET_UNIT_COST:
        return ""
    if intent.kind is IntentKind.RISK_BUFFER:
        kept = {line.deliverable for line in context.lines if line.kind is not DeliverableKind.RISK_BUFFER}
        return "a line other than the buffer changed" if touched & kept else ""
    try:
        selection = select_lines(intent, context.lines)
    except EngineError:  # a name the rules would ask about: nothing to hold the proposal to
        selection = None
    if selection is None and intent.target is None:
        return ""
    if selection is None:  # a name the rules do not know (a model may): only lines the request mentions
        text = reading_form(context.request)
        kept = {line.deliverable for line in context.lines}
        strays = [name for name in touched & kept if not _named_in(name, context.lines, context.lines, text)]
        return f"lines the request does not mention changed: {sorted(strays)}" if strays else ""
    if selection.category is ALL:
        return ""
    if selection.names:
        allowed = set(selection.names)
        return "a line the request did not name changed" if touched - allowed else ""
    return ""


def mismatch(intents: list[Intent], context: AdjustmentContext, proposal: Proposal, *, partial: bool = False) -> str:
    """Why the proposal does not do what the request asks (English, for the call log), or "" when it does.

    With one intent every part of it is checked; a compound request's proposal is checked for what
    holds across its parts: no line changed that the request does not mention, and each cap met.
    `partial` is a model's proposal for a request the rules read only in part: the parts they read
    still bind it (done as the rules would do them, the unit cost untouched unless asked, each cap met
    on its basis), while the rest may change lines in words the rules do not know.
    """
    try:
        version = apply_operations(context.lines, context.pricing, proposal.operations)
    except AdjustmentError as error:
        return f"does not apply: {error.key}"
    before, after = price(context.lines, context.pricing), price(version.lines, version.pricing)
    touched = _touched(context.lines, version.lines)
    sets_cost = any(op.kind is OperationKind.SET_UNIT_COST for op in proposal.operations)
    if version.pricing.unit_cost != context.pricing.unit_cost and not any(
        intent.kind is IntentKind.SET_UNIT_COST for intent in intents
    ):
        return "the unit cost changed, which was not asked"
    if not intents:
        return _unread_scope_problem(context, version.lines, touched)
    if partial or len(intents) > 1:
        if partial and (missing := _not_carried_out(intents, context, version.lines, version.pricing.unit_cost)):
            return missing
        if partial and any(i.kind in _WHOLE for i in intents) and keeps_lines(context.request):
            return "an amount with lines to keep, which the rules cannot hold a proposal to"
        text = " ".join(intent.text for intent in intents)
        if not partial and not any(intent.kind in _WHOLE for intent in intents):
            strays = [name for name in touched if not _named_in(name, context.lines, version.lines, text)]
            if strays:
                return "a line the request did not mention changed"
        for intent in intents:
            if intent.kind is IntentKind.FIT_BUDGET and intent.amount is not None:
                figure = after.total if intent.basis is Basis.TAX_INCLUDED else after.subtotal
                if figure > intent.amount:
                    return "a cap is not met"
        return ""
    intent = intents[0]
    direction = _direction(intent)
    moved = after.subtotal - before.subtotal
    if intent.kind is IntentKind.SET_UNIT_COST:
        if touched:
            return "lines changed when only the unit cost was asked"
        if not sets_cost:
            return "the unit cost is not set"
        return ""
    if direction < 0 and moved >= 0:
        return "the amount does not go down"
    if direction > 0 and moved <= 0:
        return "the amount does not go up"
    if intent.kind in _WHOLE:
        try:
            named = amount_scope(intent, context.lines)
        except EngineError:
            return "the request names lines to keep"
        if named is not None and (strays := sorted(touched - _members_of(named, context.lines))):
            return f"lines the amount was not to come from changed: {strays}"
        return _amount_problem(intent, context, before, after)
    if intent.kind is IntentKind.REMOVE:
        kept = {line.deliverable for line in version.lines}
        if any(name in kept for name in touched):
            return "a line changed that was to be removed, or another line changed"
    return _scope_problem(intent, context, touched)


def _not_carried_out(
    intents: list[Intent], context: AdjustmentContext, after: list[EstimateLine], cost: Decimal
) -> str:
    """A model's proposal for a half-read request must do the parts the rules read as the rules would: the lines
    the rules' own change touches come out the same, removed lines are gone, a unit cost is the one asked.
    Amount targets are held by their caps instead (any of the rules' alternatives would do)."""
    new = {line.deliverable: line for line in after}
    for intent in intents:
        if intent.kind in _WHOLE:
            continue
        try:
            own = proposals_for(intent, context)[0]
        except EngineError:
            continue
        version = apply_operations(context.lines, context.pricing, own.operations)
        if version.pricing.unit_cost != context.pricing.unit_cost and cost != version.pricing.unit_cost:
            return "the unit cost asked for is not set"
        expected = {line.deliverable: line for line in version.lines}
        for name in _touched(context.lines, version.lines):
            if name not in expected and name in new:
                return f"{name} is not removed as asked"
            if name in expected and (name not in new or new[name].person_days != expected[name].person_days):
                return f"{name} is not changed as asked"
    return ""


def _unread_scope_problem(context: AdjustmentContext, after: list[EstimateLine], touched: set[str]) -> str:
    """A model's proposal for a request the rules could not read at all: it may add lines, and change the lines the
    request mentions (by name or group word), or any line when the request is about the whole estimate."""
    text = reading_form(context.request)
    if ALL.words.search(text):
        return ""
    kept = {line.deliverable for line in context.lines}
    strays = [name for name in touched & kept if not _named_in(name, context.lines, after, text)]
    return f"lines the request does not mention changed: {sorted(strays)}" if strays else ""


def _named_in(name: str, before: list[EstimateLine], after: list[EstimateLine], text: str) -> bool:
    line = next((line for line in [*before, *after] if line.deliverable == name), None)
    return line is not None and _mentioned(line, reading_form(text))


@dataclass(frozen=True)
class CheckedParts:
    """The proposals for a request's understood parts, the intents they carry out, and the parts left out
    (each with the reason, as the reply quotes it)."""

    proposals: list[Proposal]
    intents: list[Intent]
    failed: list[str]


def proposals_for_parts(understood: list[tuple[str, Intent]], context: AdjustmentContext) -> CheckedParts:
    """Checked proposals covering every understood part.

    One part gives its own alternatives, each checked against its intent. Several parts give one
    proposal doing all of them in the order asked, each part sized and checked against the version
    the earlier parts leave (so 「テストを半分にして、あと10万円安く」 cuts tests first, then fits the
    amount). A part that cannot be done, or whose change would not match it, is named with the reason;
    a part that needs a question answered first names the question.
    """
    lang = context.language
    if any(intent.kind in _WHOLE for _, intent in understood) and keeps_lines(context.request):
        # 「マニュアルは残して、あと10万円安く」: an amount spread over everything would cut what is to be kept
        raise EngineError("errors.engine.not_applicable", context.request, reason=t("chat.keeping_not_read", lang))
    if len(understood) == 1:
        intent = understood[0][1]
        proposals = [p for p in proposals_for(intent, context) if not mismatch([intent], context, p)]
        if not proposals:
            raise EngineError("errors.engine.not_applicable", intent.text, reason=t("chat.check_failed", lang))
        return CheckedParts(proposals, [intent], [])
    operations: list[Operation] = []
    titles: list[str] = []
    reasons: list[str] = []
    done: list[Intent] = []
    failed: list[str] = []
    current = context
    for part, intent in understood:
        try:
            first = next((p for p in proposals_for(intent, current) if not mismatch([intent], current, p)), None)
        except ClarificationNeeded as unsure:
            failed.append(_with_reason(part, unsure.ask(lang).question, lang))
            continue
        except EngineError as error:
            failed.append(_with_reason(part, t(error.key, lang, **error.values), lang))
            continue
        if first is None:
            failed.append(_with_reason(part, t("chat.check_failed", lang), lang))
            continue
        after = apply_operations(current.lines, current.pricing, first.operations)
        current = current.model_copy(update={"lines": after.lines, "pricing": after.pricing})
        operations.extend(first.operations)
        titles.append(first.title)
        reasons.append(first.reason)
        done.append(intent)
    if not operations:
        return CheckedParts([], [], failed)
    title = t("offline.adjust.combined_separator", lang).join(titles)
    return CheckedParts([Proposal(title=title, reason="\n".join(reasons), operations=operations)], done, failed)


def _with_reason(part: str, reason: str, lang: str) -> str:
    return f"{part}（{reason}）" if lang == "ja" else f"{part} ({reason})"


def understood(intents: list[Intent], context: AdjustmentContext, lang: str) -> str:
    """The request as the rules read it, one clause per part: shown as 「理解した内容」 / "What I understood"."""
    return t("offline.list_separator", lang).join(_statement(intent, context, lang) for intent in intents)


def _target_label(intent: Intent, context: AdjustmentContext, lang: str) -> str:
    """What the request names, as the proposal will change it: the lines by name, a group, or everything."""
    try:
        selection = select_lines(intent, context.lines)
    except EngineError:
        selection = None
    if selection is not None and selection.category is not ALL:
        return selection_label(selection, lang)
    if selection is None and intent.target:
        return intent.target
    return t("chat.understood.everything", lang)


def _statement(intent: Intent, context: AdjustmentContext, lang: str) -> str:
    pricing = context.pricing

    def money(value: Decimal) -> str:
        return format_money(value, intent.currency or pricing.currency, lang)

    basis = t(f"chat.understood.basis.{(intent.basis or Basis.TAX_EXCLUDED).value}", lang)
    target = _target_label(intent, context, lang)
    kind = intent.kind
    if kind in _WHOLE and intent.amount is not None:
        try:
            named = amount_scope(intent, context.lines)
        except EngineError:
            named = None
        key = f"chat.understood.{kind.value}" + (".named" if named is not None else "")
        return t(key, lang, basis=basis, amount=money(intent.amount), target=target)
    if kind is IntentKind.SCALE and intent.factor is not None:
        direction = "down" if intent.factor < 1 else "up"
        return t(
            f"chat.understood.scale.{direction}",
            lang,
            target=target,
            factor=format_number(intent.factor, lang, 4),
            percent=format_number(abs(1 - intent.factor) * 100, lang, 1),
        )
    if kind is IntentKind.SET_UNIT_COST:
        if intent.factor is not None:
            return t("chat.understood.unit_cost_factor", lang, factor=format_number(intent.factor, lang, 4))
        assert intent.amount is not None
        key = "chat.understood.unit_cost_delta" if intent.delta else "chat.understood.unit_cost"
        return t(key, lang, amount=money(abs(intent.amount)), direction=_word(intent.amount, lang))
    if kind is IntentKind.SET_PERSON_DAYS and intent.days is not None:
        key = "chat.understood.days_delta" if intent.delta else "chat.understood.days"
        return t(
            key, lang, target=target, days=format_number(abs(intent.days), lang), direction=_word(intent.days, lang)
        )
    if kind is IntentKind.RISK_BUFFER and intent.percent is not None:
        return t("chat.understood.risk_buffer", lang, percent=format_number(intent.percent, lang))
    return t(f"chat.understood.{kind.value}", lang, target=target)


def _word(value: Decimal, lang: str) -> str:
    return t("chat.understood.up" if value > 0 else "chat.understood.down", lang)
