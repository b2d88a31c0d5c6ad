"""Turning a request's intent (`estimator.rules.reading`) into proposals by code, the budget-fit search
among them. Both engines and the workflow use these.

An amount request (「あと30万円安く」, "fit in a budget of $20,000") is answered here
even when the OpenAI engine is active: only code may promise an amount, so the
workflow calls `parse_request` and, for an amount intent, `proposals_for`, with no
model in between. Every proposal is applied once with `apply_operations` and priced
with `price` before it is returned, so what the analyst previews is what applies.

Requests are read in both languages whatever the project's language (analysts mix
them); proposal titles and reasons are written in the project's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from estimator.adjustments import apply_operations
from estimator.errors import AdjustmentError, EngineError
from estimator.i18n import Phrase, format_money, format_number, t
from estimator.money import PERSON_DAY_QUANTUM, largest_subtotal, round_money
from estimator.rules.clarify import amount_use_question, basis_question, direction_question, name_question
from estimator.rules.reading import ALL, CATEGORIES, Basis, Category, Intent, IntentKind, Open, parse_request
from estimator.schemas import (
    MAX_PROPOSALS,
    PHASES,
    AdjustmentContext,
    DeliverableKind,
    EstimateLine,
    Operation,
    OperationKind,
    Phase,
    Pricing,
    Proposal,
    price,
)
from estimator.text import reading_form, sentences

TESTS_AND_DOCS: tuple[Phase, ...] = (Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST, Phase.PM_DOCS)
TESTS_AND_DOCS_FLOOR = Decimal("0.5")
"""Cutting test and document phases by more than half would no longer be a responsible quote."""


@dataclass(frozen=True)
class Selection:
    """The lines (by exact name) or the category a request names."""

    names: tuple[str, ...] = ()
    category: Category | None = None


def _contained_names(text: str, lines: list[EstimateLine]) -> tuple[str, ...]:
    found = [line.deliverable for line in lines if reading_form(line.deliverable) in text]
    return tuple(
        name
        for name in found
        if not any(name != other and reading_form(name) in reading_form(other) for other in found)
    )


def select_lines(intent: Intent, lines: list[EstimateLine]) -> Selection | None:
    """Exact line names first; then the phrase as a category word, or as part of line names.

    A phrase that only contains a category word (「存在しない画面」) names nothing: guessing
    there would change lines the analyst did not mean.
    """
    names = _contained_names(intent.text, lines)
    if names:
        return Selection(names=names)
    phrase = intent.target
    if phrase:
        for category in CATEGORIES:
            if category.words.fullmatch(phrase):
                return Selection(category=category)
        partial = _named_like(phrase, lines)
        if partial:
            return Selection(names=partial)
        close = _close_names(phrase, lines)
        if close:
            raise name_question(intent.text, phrase, close)
        return None
    for category in CATEGORIES[1:]:
        if category.words.search(intent.text):
            return Selection(category=category)
    return None


FUZZY_CUTOFF = 80
"""How alike (rapidfuzz ratio, 0-100) a phrase and a line name must be to ask 「『管理画面』のことですか？」.

Typos of one or two characters score 88-97 ("admin scren", ユーザマニュアル, "intgration test"); two names
that only share a word score 75 or less ("login screen" against "Admin Screen"): asking about those would
be a question nobody means."""


def _close_names(phrase: str, lines: list[EstimateLine]) -> tuple[str, ...]:
    """Up to three line names a mistyped phrase may mean, best first: offered, never applied silently."""
    names = [line.deliverable for line in lines]
    found = process.extract(
        phrase, names, scorer=fuzz.ratio, processor=reading_form, score_cutoff=FUZZY_CUTOFF, limit=3
    )
    return tuple(name for name, _, _ in found)


def _named_like(phrase: str, lines: list[EstimateLine]) -> tuple[str, ...]:
    """Lines whose name contains the phrase (「マニュアル」 → 運用マニュアル, ユーザーマニュアル)."""
    return tuple(line.deliverable for line in lines if phrase in reading_form(line.deliverable))


def members(category: Category, lines: list[EstimateLine]) -> list[EstimateLine]:
    """Lines of the category's kinds, and lines whose effort lies entirely in its phases."""
    members = []
    for line in lines:
        if line.kind is DeliverableKind.RISK_BUFFER:
            continue
        in_phases = bool(category.phases) and all(line.phases.get(p) == 0 for p in PHASES if p not in category.phases)
        if line.kind in category.kinds or in_phases:
            members.append(line)
    return members


def _scale_operations(selection: Selection, lines: list[EstimateLine], factor: Decimal) -> list[Operation]:
    """Named lines scale whole; a phase category scales its phases in every line, and the rest of its kinds' lines."""
    if selection.names:
        return [Operation(kind=OperationKind.SCALE_LINE, line=name, factor=factor) for name in selection.names]
    category = selection.category
    assert category is not None
    if category is ALL:
        return [Operation(kind=OperationKind.SCALE_LINE, factor=factor)]
    if not category.phases:
        return [
            Operation(kind=OperationKind.SCALE_LINE, line=line.deliverable, factor=factor)
            for line in members(category, lines)
        ]
    scalable = [line for line in lines if line.kind is not DeliverableKind.RISK_BUFFER]
    operations = [
        Operation(kind=OperationKind.SCALE_PHASE, phase=phase, factor=factor)
        for phase in category.phases
        if any(line.phases.get(phase) > 0 for line in scalable)
    ]
    for line in scalable:
        if line.kind in category.kinds:
            operations += [
                Operation(kind=OperationKind.SCALE_PHASE, phase=phase, factor=factor, line=line.deliverable)
                for phase in PHASES
                if phase not in category.phases and line.phases.get(phase) > 0
            ]
    return operations


def _removed_names(selection: Selection, lines: list[EstimateLine]) -> tuple[str, ...]:
    if selection.names:
        return selection.names
    assert selection.category is not None
    if selection.category is ALL:
        return tuple(line.deliverable for line in lines)
    return tuple(line.deliverable for line in members(selection.category, lines))


def selection_label(selection: Selection, lang: str) -> str:
    """How titles and 「理解した内容」 name a selection: its lines by name, or the group's word."""
    if selection.names:
        return t("offline.list_separator", lang).join(selection.names)
    assert selection.category is not None
    return t(f"offline.adjust.category.{selection.category.key}", lang)


class _Builder:
    """Prices and checks candidate operations against one context, in its language."""

    def __init__(self, context: AdjustmentContext) -> None:
        self.context = context
        self.lang = context.language
        self.lines = context.lines
        self.pricing = context.pricing
        self.subtotal = price(self.lines, self.pricing).subtotal

    @property
    def factor_steps(self) -> int:
        """How finely a search steps a factor: at least 8 steps per person-day of the scalable lines,
        so one step moves the subtotal well under one person-day's cost (1/1,000 to 1/1,000,000)."""
        scalable = [line.person_days for line in self.lines if line.kind is not DeliverableKind.RISK_BUFFER]
        digits = len(str(int(sum(scalable, Decimal(0)) * 8)))
        return int(10 ** min(max(digits, 3), 6))

    @property
    def smallest_factor(self) -> Decimal:
        return Decimal(1) / self.factor_steps

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        return format_money(amount, currency or self.pricing.currency, self.lang)

    def subtotal_after(self, operations: list[Operation]) -> Decimal | None:
        """The subtotal the operations would give, or None when they do not apply."""
        try:
            version = apply_operations(self.lines, self.pricing, operations)
        except AdjustmentError:
            return None
        return price(version.lines, version.pricing).subtotal

    def proposal(self, title: str, reason: str, operations: list[Operation]) -> Proposal:
        """A proposal checked by applying it once; its reason ends with the subtotal before and after (tax excluded)."""
        try:
            version = apply_operations(self.lines, self.pricing, operations)
        except AdjustmentError as error:
            reason_text = t(error.key, self.lang, **error.values)
            raise EngineError("errors.engine.not_applicable", error.key, reason=reason_text) from error
        after = price(version.lines, version.pricing).subtotal
        change = t(
            "offline.adjust.reason.subtotal", self.lang, before=self.money(self.subtotal), after=self.money(after)
        )
        return Proposal(title=title, reason=sentences([reason, change], self.lang), operations=operations)

    def label(self, selection: Selection) -> str:
        return selection_label(selection, self.lang)


def _unknown_target(intent: Intent) -> EngineError:
    return EngineError("errors.engine.unknown_target", intent.text, target=intent.target or intent.text)


def _selection(intent: Intent, builder: _Builder, *, default_all: bool = False) -> Selection:
    selection = select_lines(intent, builder.lines)
    if selection is None:
        if default_all and intent.target is None:
            return Selection(category=ALL)
        raise _unknown_target(intent)
    category = selection.category
    if category is None or category is ALL:
        return selection
    in_phases = any(line.phases.get(phase) > 0 for line in builder.lines for phase in category.phases)
    if not in_phases and not members(category, builder.lines):
        # Lines from a model may carry other kinds than the rules would give; their names still count.
        named = _named_like(intent.target, builder.lines) if intent.target else ()
        if named:
            return Selection(names=named)
        raise _unknown_target(intent)
    return selection


def _check_currency(intent: Intent, pricing: Pricing) -> None:
    if intent.currency is not None and intent.currency != pricing.currency:
        raise EngineError(
            "errors.engine.currency_mismatch", intent.text, given=intent.currency, currency=pricing.currency
        )


def _scale(intent: Intent, builder: _Builder) -> list[Proposal]:
    if intent.open is Open.DIRECTION and intent.percent is not None:
        selection = _selection(intent, builder, default_all=True)
        raise direction_question(intent.text, intent.percent, builder.label(selection))
    assert intent.factor is not None
    if not 0 < intent.factor <= 10:  # 「5000%削減」: no cut takes more than all the effort
        raise EngineError("errors.engine.not_applicable", intent.text, reason=t("chat.out_of_range", builder.lang))
    selection = _selection(intent, builder, default_all=True)
    lang = builder.lang
    label = builder.label(selection)
    if intent.percent is None:
        title = t("offline.adjust.title.times", lang, target=label, factor=format_number(intent.factor, lang, 4))
        reason_key = "offline.adjust.reason.scale_all" if selection.category is ALL else "offline.adjust.reason.scale"
        reason = t(reason_key, lang, target=label, factor=format_number(intent.factor, lang, 4))
        return [builder.proposal(title, reason, _scale_operations(selection, builder.lines, intent.factor))]
    percent = format_number(intent.percent, lang, 1)
    if intent.factor == 1 - intent.percent / 100:
        title = t("offline.adjust.title.reduce", lang, target=label, percent=percent)
    elif intent.factor == 1 + intent.percent / 100:
        title = t("offline.adjust.title.increase", lang, target=label, percent=percent)
    else:
        title = t("offline.adjust.title.scale_to", lang, target=label, percent=percent)
    reason_key = "offline.adjust.reason.scale_all" if selection.category is ALL else "offline.adjust.reason.scale"
    reason = t(reason_key, lang, target=label, factor=format_number(intent.factor, lang, 4))
    return [builder.proposal(title, reason, _scale_operations(selection, builder.lines, intent.factor))]


def _simplify(intent: Intent, builder: _Builder) -> list[Proposal]:
    assert intent.factor is not None
    selection = _selection(intent, builder)
    label = builder.label(selection)
    lang = builder.lang
    reason = t(
        "offline.adjust.reason.simplify", lang, target=label, percent=format_number((1 - intent.factor) * 100, lang)
    )
    operations = _scale_operations(selection, builder.lines, intent.factor)
    return [builder.proposal(t("offline.adjust.title.simplify", lang, target=label), reason, operations)]


def _remove(intent: Intent, builder: _Builder) -> list[Proposal]:
    selection = _selection(intent, builder)
    names = _removed_names(selection, builder.lines)
    lang = builder.lang
    label = builder.label(selection)
    reason = t("offline.adjust.reason.remove", lang, names=t("offline.list_separator", lang).join(names))
    operations = [Operation(kind=OperationKind.REMOVE_LINE, line=name) for name in names]
    return [builder.proposal(t("offline.adjust.title.remove", lang, target=label), reason, operations)]


def _unit_cost(intent: Intent, builder: _Builder) -> list[Proposal]:
    """The unit cost set to an amount, changed by one (delta), or scaled by a percent (「単価を1割下げ」)."""
    pricing = builder.pricing
    if intent.open is Open.DIRECTION and intent.percent is not None:
        raise direction_question(intent.text, intent.percent, t("chat.understood.unit_cost_target", builder.lang))
    if intent.factor is not None:
        value = round_money(pricing.unit_cost * intent.factor, pricing.currency, "half_up")
    else:
        assert intent.amount is not None
        _check_currency(intent, pricing)
        value = pricing.unit_cost + intent.amount if intent.delta else intent.amount
    if value <= 0:
        raise EngineError(
            "errors.engine.not_applicable", intent.text, reason=t("chat.unit_cost_not_positive", builder.lang)
        )
    lang = builder.lang
    shown = builder.money(value)
    operation = Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=value)
    title = t("offline.adjust.title.unit_cost", lang, unit_cost=shown)
    return [builder.proposal(title, t("offline.adjust.reason.unit_cost", lang), [operation])]


def _person_days(intent: Intent, builder: _Builder) -> list[Proposal]:
    """「管理画面を15人日に」 or "cut the admin screen by 3 days": one named line, set or changed by that much."""
    assert intent.days is not None
    selection = _selection(intent, builder)
    if len(selection.names) != 1:
        raise EngineError(
            "errors.engine.not_applicable", intent.text, reason=t("chat.days_need_one_line", builder.lang)
        )
    name = selection.names[0]
    line = next(line for line in builder.lines if line.deliverable == name)
    days = line.person_days + intent.days if intent.delta else intent.days
    if days <= 0:
        raise EngineError("errors.engine.not_applicable", intent.text, reason=t("chat.days_not_positive", builder.lang))
    lang = builder.lang
    shown, before = format_number(days, lang), format_number(line.person_days, lang)
    operation = Operation(kind=OperationKind.SET_PERSON_DAYS, line=name, person_days=days)
    title = t("offline.adjust.title.person_days", lang, line=name, days=shown)
    return [
        builder.proposal(
            title, t("offline.adjust.reason.person_days", lang, line=name, before=before, days=shown), [operation]
        )
    ]


def risk_buffer_operation(percent: Decimal, lang: str) -> Operation:
    """The one way a risk buffer is added: its own line, named 「リスクバッファ（10%）」 / "Risk buffer (10%)"."""
    shown = format_number(percent, lang)
    return Operation(
        kind=OperationKind.ADD_RISK_BUFFER,
        percent=percent,
        line=t("offline.adjust.risk_buffer_line", lang, percent=shown),
    )


def _risk_buffer(intent: Intent, builder: _Builder) -> list[Proposal]:
    assert intent.percent is not None
    lang = builder.lang
    percent = format_number(intent.percent, lang)
    if not 0 < intent.percent <= 100:
        raise EngineError("errors.engine.not_applicable", intent.text, reason=t("offline.adjust.bad_percent", lang))
    operation = risk_buffer_operation(intent.percent, lang)
    title = t("offline.adjust.title.risk_buffer", lang, percent=percent)
    return [builder.proposal(title, t("offline.adjust.reason.risk_buffer", lang, percent=percent), [operation])]


def _largest_factor(
    builder: _Builder,
    operations: Callable[[Decimal], list[Operation]],
    lowest: Decimal,
    target: Decimal,
    highest: Decimal = Decimal(1),
) -> Decimal | None:
    """The largest factor in [lowest, highest) whose operations bring the subtotal to `target` or just under.

    The subtotal grows with the factor (each line rounds to hundredths monotonically),
    so a bisection finds it; operations that fail count as too low. The effort is
    close to linear in the factor, so a first guess by interpolation narrows the
    search to a small window before bisecting.
    """
    steps = builder.factor_steps

    def subtotal(step: int) -> Decimal | None:
        return builder.subtotal_after(operations(Decimal(step) / steps))

    def fits(step: int) -> bool:
        after = subtotal(step)
        return after is None or after <= target

    low, high = int(lowest * steps), int(highest * steps) - 1
    at_low, at_high = subtotal(low), subtotal(high)
    if at_low is not None and at_low > target:
        return None
    if at_high is None or at_high <= target:
        return Decimal(high) / steps
    high -= 1
    if at_low is not None and at_high > at_low:
        guess = low + int((target - at_low) / (at_high - at_low) * (high - low))
        window = max(2, (high - low) // 1000)
        near_low, near_high = max(low, guess - window), min(high, guess + window)
        if fits(near_low) and not fits(near_high):
            low, high = near_low, near_high - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return Decimal(low) / steps


def _spread(builder: _Builder, target: Decimal) -> tuple[str, str, list[Operation]] | None:
    def operations(factor: Decimal) -> list[Operation]:
        return [Operation(kind=OperationKind.SCALE_LINE, factor=factor)]

    factor = _largest_factor(builder, operations, builder.smallest_factor, target)
    if factor is None:
        return None
    lang = builder.lang
    percent = format_number((1 - factor) * 100, lang, 1)
    title = t("offline.adjust.title.spread", lang, percent=percent)
    return title, t("offline.adjust.reason.spread", lang, percent=percent), operations(factor)


def _spread_up(builder: _Builder, target: Decimal) -> tuple[str, str, list[Operation]] | None:
    """Every line up by the same share, to `target` or just under: 「30万円上乗せ」 spread over the estimate."""

    def operations(factor: Decimal) -> list[Operation]:
        return [Operation(kind=OperationKind.SCALE_LINE, factor=factor)]

    factor = _largest_factor(builder, operations, Decimal(1), target, highest=Decimal(10))
    if factor is None or factor <= 1:
        return None
    lang = builder.lang
    percent = format_number((factor - 1) * 100, lang, 1)
    title = t("offline.adjust.title.spread_up", lang, percent=percent)
    return title, t("offline.adjust.reason.spread_up", lang, percent=percent), operations(factor)


_KEEPING = re.compile(
    r"以外|除いて|除き|除く|残し|そのまま|維持|は変えず|は触らず|"
    r"(?<![a-z])(?:except|other than|besides|but not)(?![a-z])|"
    r"(?<![a-z])(?:keep|keeping|leave|leaving)\s+"
    r"(?!(?:(?:the|all)\s+)?(?:total|price|quote|estimate|cost|budget|subtotal|it|under|within|below|at|to)(?![a-z]))[a-z]"
)
"""Words that name lines to leave alone (「テスト以外で」, "keeping the tests"): the rules do not read exclusions."""


def keeps_lines(text: str) -> bool:
    """Whether a request names lines to leave alone (「テスト以外で」, "keeping the tests")."""
    return _KEEPING.search(reading_form(text)) is not None


def amount_scope(intent: Intent, lines: list[EstimateLine]) -> Selection | None:
    """The lines an amount is to come from when the request names them as its object, else None (all lines).

    Raises EngineError when the request names lines to keep instead: spreading the amount over them would be
    the opposite of what was asked, and the rules do not read exclusions.
    """
    if keeps_lines(intent.text):
        raise EngineError("errors.engine.not_applicable", intent.text, reason=Phrase("chat.keeping_not_read"))
    if intent.target is None:
        return None
    selection = select_lines(intent, lines)
    if selection is None or selection.category is ALL:
        return None
    return selection


def _spread_named(
    builder: _Builder, target: Decimal, selection: Selection, *, up: bool
) -> tuple[str, str, list[Operation]] | None:
    """The named lines (or a group's lines and phases) scaled by one factor to reach the target subtotal."""

    def operations(factor: Decimal) -> list[Operation]:
        return _scale_operations(selection, builder.lines, factor)

    lowest, highest = (Decimal(1), Decimal(10)) if up else (builder.smallest_factor, Decimal(1))
    factor = _largest_factor(builder, operations, lowest, target, highest=highest)
    if factor is None or factor == 1:
        return None
    lang = builder.lang
    label = builder.label(selection)
    percent = format_number(abs(1 - factor) * 100, lang, 1)
    key = "increase" if up else "reduce"
    title = t(f"offline.adjust.title.{key}", lang, target=label, percent=percent)
    reason = t("offline.adjust.reason.scale", lang, target=label, factor=format_number(factor, lang, 4))
    return title, reason, operations(factor)


def _tests_and_docs_first(builder: _Builder, target: Decimal) -> tuple[str, str, list[Operation]] | None:
    scalable = [line for line in builder.lines if line.kind is not DeliverableKind.RISK_BUFFER]
    phases = [phase for phase in TESTS_AND_DOCS if any(line.phases.get(phase) > 0 for line in scalable)]
    if not phases:
        return None

    def cut(factor: Decimal) -> list[Operation]:
        return [Operation(kind=OperationKind.SCALE_PHASE, phase=phase, factor=factor) for phase in phases]

    lang = builder.lang
    names = t("offline.list_separator", lang).join(t(f"offline.phase.{phase.value}", lang) for phase in phases)
    factor = _largest_factor(builder, cut, TESTS_AND_DOCS_FLOOR, target)
    if factor is not None:
        percent = format_number((1 - factor) * 100, lang, 1)
        return (
            t("offline.adjust.title.tests_docs", lang),
            t("offline.adjust.reason.tests_docs", lang, phases=names, percent=percent),
            cut(factor),
        )
    floor = cut(TESTS_AND_DOCS_FLOOR)

    def rest(factor: Decimal) -> list[Operation]:
        return [*floor, Operation(kind=OperationKind.SCALE_LINE, factor=factor)]

    factor = _largest_factor(builder, rest, builder.smallest_factor, target)
    if factor is None:
        return None
    percent = format_number((1 - factor) * 100, lang, 1)
    half = format_number((1 - TESTS_AND_DOCS_FLOOR) * 100, lang)
    reason = t("offline.adjust.reason.tests_docs_then_all", lang, phases=names, half=half, percent=percent)
    return t("offline.adjust.title.tests_docs", lang), reason, rest(factor)


_DROP_ORDER = (DeliverableKind.MANUAL, DeliverableKind.DOCUMENT, DeliverableKind.PM)


def _droppable(line: EstimateLine) -> int | None:
    """How expendable a line is (lower goes first): manuals, then documents outside the phases, then PM."""
    if line.kind is DeliverableKind.DOCUMENT and line.phases.get(Phase.PM_DOCS) != line.person_days:
        return None
    return _DROP_ORDER.index(line.kind) if line.kind in _DROP_ORDER else None


def _drop_items(builder: _Builder, target: Decimal) -> tuple[str, str, list[Operation]] | None:
    """Remove the least essential lines whole while they fit in the gap; trim the next one for the rest."""
    amounts = {p.line.deliverable: p.amount for p in price(builder.lines, builder.pricing).lines}
    ranked = sorted(
        (
            (rank, line.person_days, index, line)
            for index, line in enumerate(builder.lines)
            if (rank := _droppable(line)) is not None
        ),
        key=lambda item: item[:3],
    )
    need = builder.subtotal - target
    operations: list[Operation] = []
    removed: list[str] = []
    trimmed: list[str] = []
    for _, _, _, line in ranked:
        if need <= 0:
            break
        amount = amounts[line.deliverable]
        if amount <= need:
            operations.append(Operation(kind=OperationKind.REMOVE_LINE, line=line.deliverable))
            removed.append(line.deliverable)
            need -= amount
            continue
        cut_days = (need / builder.pricing.unit_cost).quantize(PERSON_DAY_QUANTUM, rounding=ROUND_CEILING)
        kept_days = line.person_days - cut_days
        if kept_days <= 0:
            operations.append(Operation(kind=OperationKind.REMOVE_LINE, line=line.deliverable))
            removed.append(line.deliverable)
        else:
            operations.append(
                Operation(kind=OperationKind.SET_PERSON_DAYS, line=line.deliverable, person_days=kept_days)
            )
            trimmed.append(line.deliverable)
        need = Decimal(0)
    if not operations:
        return None
    lang = builder.lang
    separator = t("offline.list_separator", lang)
    items = separator.join([*removed, *trimmed])
    parts = []
    if removed:
        parts.append(t("offline.adjust.reason.drop_removed", lang, names=separator.join(removed)))
    if trimmed:
        parts.append(t("offline.adjust.reason.drop_trimmed", lang, names=separator.join(trimmed)))
    reason = sentences(parts, lang)
    return t("offline.adjust.title.drop_items", lang, items=items), reason, operations


def subtotal_target(intent: Intent, pricing: Pricing, subtotal: Decimal, total: Decimal) -> Decimal:
    """The subtotal before tax an amount intent asks for, on its basis: a 税込 cap or cut is turned into the
    largest subtotal whose total with tax, under the version's rounding, meets it."""
    assert intent.amount is not None
    included = intent.basis is Basis.TAX_INCLUDED
    if intent.kind is IntentKind.FIT_BUDGET:
        cap = intent.amount
    elif intent.kind is IntentKind.REDUCE_BY:
        cap = (total if included else subtotal) - intent.amount
    else:
        cap = (total if included else subtotal) + intent.amount
    if not included:
        return cap
    return largest_subtotal(cap, pricing.tax_rate, pricing.currency, pricing.rounding)


def _amount_target(intent: Intent, builder: _Builder) -> list[Proposal]:
    """Up to three ways to reach an amount target, each verified to land within one person-day's cost under it.

    A cap with no 税込 / 税抜 on a taxed estimate, or an amount with no word of what it is for, is asked
    about instead (`estimator.rules.clarify`): 10 % either way is a quote over the client's budget.
    """
    assert intent.amount is not None
    _check_currency(intent, builder.pricing)
    pricing = builder.pricing
    taxed = pricing.tax_rate > 0
    if intent.open is Open.AMOUNT_USE:
        raise amount_use_question(intent.text, intent.amount, pricing.currency, taxed)
    total = price(builder.lines, pricing).total
    if intent.kind is IntentKind.FIT_BUDGET and intent.basis is None and taxed and total > intent.amount:
        raise basis_question(intent.text, intent.amount, pricing.currency)
    lang = builder.lang
    unit_cost = pricing.unit_cost
    target = subtotal_target(intent, pricing, builder.subtotal, total)
    if intent.kind is IntentKind.FIT_BUDGET and builder.subtotal <= target:
        raise EngineError(
            "errors.engine.already_within_budget",
            intent.text,
            budget=builder.money(intent.amount),
            subtotal=builder.money(total if intent.basis is Basis.TAX_INCLUDED else builder.subtotal),
        )
    if target <= 0:
        raise EngineError(
            "errors.engine.target_unreachable",
            intent.text,
            target=builder.money(target),
            subtotal=builder.money(builder.subtotal),
        )
    basis_key = "tax_included" if intent.basis is Basis.TAX_INCLUDED else "tax_excluded"
    basis = t(
        f"offline.adjust.reason.amount_basis.{basis_key}",
        lang,
        target=builder.money(target),
        subtotal=builder.money(builder.subtotal),
        unit_cost=builder.money(unit_cost),
        amount=builder.money(intent.amount),
    )
    named = amount_scope(intent, builder.lines)
    strategies: tuple[Callable[[_Builder, Decimal], tuple[str, str, list[Operation]] | None], ...]
    if named is not None:  # 「テストを5万円削って」, "cut $5,000 from testing": only those lines move
        strategies = (lambda b, goal: _spread_named(b, goal, named, up=intent.kind is IntentKind.INCREASE_BY),)
    elif intent.kind is IntentKind.INCREASE_BY:
        strategies = (_spread_up,)
    else:
        strategies = (_spread, _tests_and_docs_first, _drop_items)
    proposals = []
    for strategy in strategies:
        candidate = strategy(builder, target)
        if candidate is None:
            continue
        title, reason, operations = candidate
        after = builder.subtotal_after(operations)
        if after is None or not target - unit_cost <= after <= target:
            continue
        proposals.append(builder.proposal(title, sentences([basis, reason], lang), operations))
    if not proposals:
        raise EngineError(
            "errors.engine.target_unreachable",
            intent.text,
            target=builder.money(target),
            subtotal=builder.money(builder.subtotal),
        )
    return proposals[:MAX_PROPOSALS]


_HANDLERS: dict[IntentKind, Callable[[Intent, _Builder], list[Proposal]]] = {
    IntentKind.REDUCE_BY: _amount_target,
    IntentKind.FIT_BUDGET: _amount_target,
    IntentKind.INCREASE_BY: _amount_target,
    IntentKind.SET_PERSON_DAYS: _person_days,
    IntentKind.SCALE: _scale,
    IntentKind.SET_UNIT_COST: _unit_cost,
    IntentKind.RISK_BUFFER: _risk_buffer,
    IntentKind.REMOVE: _remove,
    IntentKind.SIMPLIFY: _simplify,
}


def proposals_for(intent: Intent, context: AdjustmentContext) -> list[Proposal]:
    """At most three proposals for `intent` against the version in `context`, each already applied once to check it.

    Raises EngineError (a full locale key) when the intent names nothing in the
    version, cannot be met, or its currency is not the version's.
    """
    handler = _HANDLERS.get(intent.kind)
    if handler is None:  # a question is answered (`estimator.rules.answers`), never turned into a change
        raise EngineError(
            "errors.engine.not_applicable", intent.text, reason=t("chat.question_not_change", context.language)
        )
    try:
        return handler(intent, _Builder(context))
    except ValidationError:  # 「20倍に」, 「9999人日に」: beyond what one operation may do (×10, 500 person-days)
        raise EngineError(
            "errors.engine.not_applicable", intent.text, reason=t("chat.out_of_range", context.language)
        ) from None


def unparsed_request(text: str, currency: str) -> EngineError:
    """The error for a request none of the forms match; its message lists the forms in the language
    it is shown in, with amounts in the project's currency."""
    return EngineError("errors.engine.unparsed_request", text, request=text.strip(), forms=request_examples(currency))


def request_examples(currency: str) -> Phrase:
    """The request forms the rules read, as examples with amounts in `currency` (the chat shows them too)."""
    return Phrase(f"adjust.examples.{currency}")


def propose(context: AdjustmentContext) -> list[Proposal]:
    """Parse the request in `context` and answer it: the offline engine's whole `adjust`."""
    intent = parse_request(context.request)
    if intent is None:
        raise unparsed_request(context.request, context.pricing.currency)
    return proposals_for(intent, context)
