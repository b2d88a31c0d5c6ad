"""Domain rules for adjustment requests in Japanese or English: reading them, and turning them into
proposals by code (the budget-fit search among them). Both engines and the workflow use these.

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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from estimator.adjustments import apply_operations
from estimator.errors import AdjustmentError, EngineError
from estimator.i18n import Phrase, format_money, format_number, t
from estimator.money import PERSON_DAY_QUANTUM
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

SIMPLIFY_FACTOR = Decimal("0.7")
"""House assumption: a simplified item keeps about 70 % of its effort."""

DEFAULT_RISK_BUFFER_PERCENT = Decimal(10)
TESTS_AND_DOCS: tuple[Phase, ...] = (Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST, Phase.PM_DOCS)
TESTS_AND_DOCS_FLOOR = Decimal("0.5")
"""Cutting test and document phases by more than half would no longer be a responsible quote."""


class IntentKind(StrEnum):
    REDUCE_BY = "reduce_by"
    FIT_BUDGET = "fit_budget"
    SCALE = "scale"
    SET_UNIT_COST = "set_unit_cost"
    RISK_BUFFER = "risk_buffer"
    REMOVE = "remove"
    SIMPLIFY = "simplify"


@dataclass(frozen=True)
class Intent:
    """What a request asks for, before it meets a version.

    `amount` is money in `currency` (None: the version's currency); `factor` scales
    effort (SCALE, SIMPLIFY); `target` is the phrase naming lines or a category,
    `text` the whole normalized request, searched for line names when needed.
    """

    kind: IntentKind
    text: str = ""
    amount: Decimal | None = None
    currency: str | None = None
    percent: Decimal | None = None
    factor: Decimal | None = None
    target: str | None = None


def _en(*words: str) -> str:
    return r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])"


def _pattern(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(%|パーセント|percent|per cent|割)")
_AMOUNT = re.compile(
    r"(?P<pre>[¥$]|usd|jpy)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<mult>億|万|千|k(?![a-z])|thousand)?\s*"
    r"(?P<post>円|ドル|dollars?|usd|jpy|yen)?"
)
_MULTIPLIERS = {"億": 100_000_000, "万": 10_000, "千": 1_000, "k": 1_000, "thousand": 1_000}
_YEN = {"¥", "jpy", "円", "yen"}
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:人日|人月|件|人|名|個|行|ページ|時間|日|年|月|画面|本|つ|person|days?|hours?|items?|lines?|pages?)"
)
_BARE_AMOUNT_MIN = Decimal(1000)

_UNIT_COST = _pattern(
    r"単価|日額|日当",
    _en("unit (cost|price)", "day rate", "daily rate", "rate per day", "per[- ]day rate", "person-day (rate|cost)"),
)
_RISK = _pattern(
    r"リスクバッファ|リスク費|予備費|バッファ|コンティンジェンシー",
    _en("risk buffer", "contingency", "buffer", "risk reserve"),
)
_REMOVE = _pattern(
    r"外し|外す|外して|削除|除外|なくし|無くし|なくす|不要|取り除|やめ|抜い|抜く",
    _en("remove", "drop", "delete", "exclude", "take out", "get rid of", "without", "not needed", "unnecessary"),
)
_SIMPLIFY = _pattern(
    r"シンプル|簡略|簡素|簡易|軽く|軽量|最小限|スリム",
    _en(r"simplif(y|ied)", "simpler", "lighter", "leaner", "slim", "streamline", "basic version", "bare[- ]bones"),
)
_REDUCE = _pattern(
    r"安く|安い|下げ|減額|値引|削減|減ら|削っ|削る|カット|圧縮|抑え|節約",
    _en("reduce", "cut", "lower", "cheaper", "less", "save", "off", "discount", "decrease", "trim", "shave"),
)
_INCREASE = _pattern(r"増や|増し|増加|上げ|追加", _en("increase", "raise", "add", "more", "up"))
_BUDGET_WORDS = _pattern(r"予算|上限", _en("budget", "cap", "ceiling"))
_BUDGET_AFTER = re.compile(r"^\s*(?:ほど|程度|くらい|ぐらい)?\s*(?:に|以内|以下|まで|内)")
_BUDGET_BEFORE = re.compile(r"(?<![a-z])(?:to|within|under|below|at most|no more than|max(?:imum)?)\s*(?:of\s*)?$")
_TO_PERCENT_AFTER = re.compile(r"^\s*(?:に|まで)(?!\s*(?:削減|減ら|カット|下げ))")
_TO_PERCENT_BEFORE = re.compile(r"(?<![a-z])to\s*$")

_JA_TARGET = re.compile(
    r"^(?:あと|もう少し|できれば|なるべく)?\s*(?P<t>.+?)(?:の(?:工数|費用|金額|作業|分)(?:を|は)?|を|は|について|に関して)"
)
_EN_TARGETS = (
    re.compile(
        r"(?:remove|drop|delete|exclude|take out|get rid of|simplify|streamline|cut|reduce|trim|lower|decrease"
        r"|scale down|shrink|increase|raise)\s+(?:the\s+|all\s+|our\s+)?"
        r"(?P<t>.+?)(?:\s+(?:by|to|from|with)\b|\s*\d|[,.!?]|$)"
    ),
    re.compile(r"(?:from|on|of|for)\s+(?:the\s+|all\s+)?(?P<t>[a-z][a-z \-]*?)(?:\s+by\b|[,.!?]|$)"),
    re.compile(r"make\s+(?:the\s+|all\s+)?(?P<t>.+?)\s+(?:simpler|lighter|leaner|cheaper|smaller)"),
    re.compile(r"^(?:the\s+)?(?P<t>.+?)\s+(?:is|are)\s+(?:not needed|unnecessary)"),
)
_PREFIXES = re.compile(r"^(?:全ての|すべての|全部の|各|(?:all|every|each)\s+(?:the\s+|of the\s+)?)")
_SUFFIXES = re.compile(
    r"(?:類|関連|全般|系|工程|フェーズ|作業|部分|一式|など|等|\s+(?:work|effort|phases?|items?|costs?|lines?))+$"
)


@dataclass(frozen=True)
class Category:
    """A word for a group of lines: by kind (manuals, screens) or by phase (testing, design)."""

    key: str
    words: re.Pattern[str]
    kinds: frozenset[DeliverableKind] = frozenset()
    phases: tuple[Phase, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category(
        "all",
        _pattern(
            r"全体|全て|すべて|全部|全明細|全項目|見積り?|金額|費用|総額|合計|予算",
            _en("everything", "all", "overall", "whole", "total", "all lines", "price", "cost", "estimate", "quote"),
        ),
    ),
    Category(
        "test",
        _pattern(r"テスト|試験", _en(r"test(s|ing)?", "qa")),
        frozenset({DeliverableKind.TEST}),
        (Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST),
    ),
    Category(
        "manual",
        _pattern(r"マニュアル|手順書|説明書", _en(r"manuals?", r"guides?")),
        frozenset({DeliverableKind.MANUAL}),
    ),
    Category(
        "documentation",
        _pattern(r"ドキュメント|文書|資料|書類", _en("documentation", r"documents?", "docs", "paperwork")),
        frozenset({DeliverableKind.DOCUMENT, DeliverableKind.MANUAL}),
    ),
    Category(
        "design", _pattern(r"設計書?", _en(r"design( documents?)?")), phases=(Phase.BASIC_DESIGN, Phase.DETAILED_DESIGN)
    ),
    Category(
        "requirements", _pattern(r"要件定義|要件", _en("requirements?( definition)?")), phases=(Phase.REQUIREMENTS,)
    ),
    Category(
        "implementation",
        _pattern(
            r"実装|製作|開発|プログラミング|コーディング", _en("implementation", "coding", "development", "programming")
        ),
        phases=(Phase.IMPLEMENTATION,),
    ),
    Category("screen", _pattern(r"画面", _en("ui", r"screens?")), frozenset({DeliverableKind.SCREEN})),
    Category("api", _pattern(r"インターフェース", _en(r"apis?", r"interfaces?")), frozenset({DeliverableKind.API})),
    Category("batch", _pattern(r"バッチ", _en(r"batch(es)?", r"jobs?")), frozenset({DeliverableKind.BATCH})),
    Category("database", _pattern(r"データベース", _en("db", r"databases?")), frozenset({DeliverableKind.DATABASE})),
    Category(
        "infrastructure",
        _pattern(r"インフラ|環境構築", _en("infra(structure)?")),
        frozenset({DeliverableKind.INFRASTRUCTURE}),
    ),
    Category(
        "pm", _pattern(r"プロジェクト管理|進捗管理", _en("pm", "project management")), frozenset({DeliverableKind.PM})
    ),
)
_ALL = CATEGORIES[0]


def _percent(text: str) -> tuple[Decimal, re.Match[str]] | None:
    match = _PERCENT.search(text)
    if match is None:
        return None
    value = Decimal(match.group(1)) * (10 if match.group(2) == "割" else 1)
    return value, match


def _amount(text: str, skip: re.Match[str] | None) -> tuple[Decimal, str | None, re.Match[str]] | None:
    """The first money amount: marked by a currency or 万, or a bare number of at least 1,000."""
    for match in _AMOUNT.finditer(text):
        if skip is not None and match.start("num") < skip.end() and skip.start() < match.end("num"):
            continue
        pre, mult, post = match.group("pre"), match.group("mult"), match.group("post")
        value = Decimal(match.group("num").replace(",", "")) * _MULTIPLIERS.get(mult or "", 1)
        if not (pre or mult or post) and (value < _BARE_AMOUNT_MIN or _NOT_MONEY_AFTER.match(text[match.end() :])):
            continue
        marks = {pre, post} - {None}
        currency = None if not marks else "JPY" if marks & _YEN else "USD"
        return value, currency, match
    return None


def _target(text: str) -> str | None:
    """The phrase naming what to change (「マニュアル類」 → 「マニュアル」, "the admin screen" → "admin screen")."""
    candidates = [m.group("t") for m in (_JA_TARGET.match(text), *(p.search(text) for p in _EN_TARGETS)) if m]
    for candidate in candidates:
        phrase = candidate.strip(" 、,。.「」『』\"'")
        stripped = _SUFFIXES.sub("", _PREFIXES.sub("", phrase)).strip() or phrase
        if stripped and not re.search(r"\d", stripped):
            return stripped
    return None


def parse_request(text: str) -> Intent | None:
    """The intent of a request in Japanese or English, or None when it is none of the forms understood."""
    n = reading_form(text).strip()
    if not n:
        return None
    percent = _percent(n)
    amount = _amount(n, percent[1] if percent else None)
    if _UNIT_COST.search(n):
        if amount is None:
            return None
        return Intent(IntentKind.SET_UNIT_COST, n, amount=amount[0], currency=amount[1])
    removing = _REMOVE.search(n) is not None
    if _RISK.search(n) and not removing:
        value = percent[0] if percent else DEFAULT_RISK_BUFFER_PERCENT
        return Intent(IntentKind.RISK_BUFFER, n, percent=value)
    if percent is not None:
        value, match = percent
        factor = _percent_factor(n, value, match)
        return Intent(IntentKind.SCALE, n, percent=value, factor=factor, target=_target(n)) if factor else None
    if amount is not None:
        value, currency, match = amount
        before, after = n[: match.start()], n[match.end() :]
        if _BUDGET_WORDS.search(n) or _BUDGET_AFTER.match(after) or _BUDGET_BEFORE.search(before):
            return Intent(IntentKind.FIT_BUDGET, n, amount=value, currency=currency)
        if _REDUCE.search(n):
            return Intent(IntentKind.REDUCE_BY, n, amount=value, currency=currency)
        return None
    if removing:
        return Intent(IntentKind.REMOVE, n, target=_target(n))
    if _SIMPLIFY.search(n):
        return Intent(IntentKind.SIMPLIFY, n, factor=SIMPLIFY_FACTOR, target=_target(n))
    return None


_ACTION_VERBS = (
    "add|remove|drop|delete|exclude|skip|cut|reduce|lower|raise|increase|decrease|make|simplify|set|change"
    "|put|give|fit|keep|include|double|halve|trim|take|get|scale|shrink|streamline|apply|use"
)
# Where one request holds several: a sentence end, a Japanese て-form comma (「半分にして、単価も」),
# a linking word, or an English "and"/"then"/"also" that opens a new action ("… and add a CSV export").
_CLAUSE_BREAK = re.compile(
    r"[。！？!?\n;；]+"
    r"|\.(?=\s|$)"
    r"|(?<=[てで])\s*[、,]\s*"
    r"|\s*[、,]?\s*(?:それと|それから|あと[、,]|また[、,]|さらに|加えて|ついでに)\s*"
    rf"|,?\s+(?:and|then|also|plus)\s+(?:also\s+|then\s+)?(?=(?:{_ACTION_VERBS})\b)"
    r"|,\s*(?:and\s+)?(?:also|then|plus)\s+",
    re.IGNORECASE,
)
_POLITENESS = re.compile(
    r"お願いします|お願い|ください|下さい|よろしく|頼みます|please|thanks|thank you|pls|[\s、。,.!?！？]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RequestReading:
    """A request split into its parts: those the rules understood (with their intent) and those they did not."""

    understood: list[tuple[str, Intent]]
    missed: list[str]


def request_parts(text: str) -> list[str]:
    """The parts of a compound request, in order; politeness alone («お願いします», "please") is no part."""
    parts = [part.strip(" 、,") for part in _CLAUSE_BREAK.split(unicodedata.normalize("NFKC", text))]
    return [part for part in parts if part and _POLITENESS.sub("", part)]


def read_request(text: str) -> RequestReading:
    """Which parts of `text` the rules understand: the whole request, or each of its parts when it has several."""
    parts = request_parts(text)
    if len(parts) <= 1:
        intent = parse_request(text)
        return RequestReading([(text.strip(), intent)], []) if intent else RequestReading([], [text.strip()])
    understood: list[tuple[str, Intent]] = []
    missed: list[str] = []
    for part in parts:
        intent = parse_request(part)
        if intent is None:
            missed.append(part)
        else:
            understood.append((part, intent))
    return RequestReading(understood, missed)


def proposals_for_parts(
    understood: list[tuple[str, Intent]], context: AdjustmentContext
) -> tuple[list[Proposal], list[str]]:
    """Proposals covering every understood part, and the parts that could not be applied (with the reason).

    One part gives its own alternatives. Several parts give one proposal doing all of them
    in the order asked, each part sized against the version the earlier parts leave (so
    「テストを半分にして、あと10万円安く」 cuts tests first, then fits the amount).
    """
    if len(understood) == 1:
        return proposals_for(understood[0][1], context), []
    lang = context.language
    operations: list[Operation] = []
    titles: list[str] = []
    reasons: list[str] = []
    failed: list[str] = []
    current = context
    for part, intent in understood:
        try:
            first = proposals_for(intent, current)[0]
        except EngineError as error:
            failed.append(
                f"{part}（{t(error.key, lang, **error.values)}）"
                if lang == "ja"
                else f"{part} ({t(error.key, lang, **error.values)})"
            )
            continue
        after = apply_operations(current.lines, current.pricing, first.operations)
        current = current.model_copy(update={"lines": after.lines, "pricing": after.pricing})
        operations.extend(first.operations)
        titles.append(first.title)
        reasons.append(first.reason)
    if not operations:
        return [], failed
    title = t("offline.adjust.combined_separator", lang).join(titles)
    return [Proposal(title=title, reason="\n".join(reasons), operations=operations)], failed


def _percent_factor(text: str, value: Decimal, match: re.Match[str]) -> Decimal | None:
    """「20%削減」 → 0.8, 「80%に」 / "to 80%" → 0.8, "increase by 10%" → 1.1; None when out of range."""
    if _TO_PERCENT_AFTER.match(text[match.end() :]) or _TO_PERCENT_BEFORE.search(text[: match.start()]):
        factor = value / 100
    elif _INCREASE.search(text) and not _REDUCE.search(text):
        factor = 1 + value / 100
    else:
        factor = 1 - value / 100
    return factor if 0 < factor <= 10 and factor != 1 else None


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


def _select(intent: Intent, lines: list[EstimateLine]) -> Selection | None:
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
        return Selection(names=partial) if partial else None
    for category in CATEGORIES[1:]:
        if category.words.search(intent.text):
            return Selection(category=category)
    return None


def _named_like(phrase: str, lines: list[EstimateLine]) -> tuple[str, ...]:
    """Lines whose name contains the phrase (「マニュアル」 → 運用マニュアル, ユーザーマニュアル)."""
    return tuple(line.deliverable for line in lines if phrase in reading_form(line.deliverable))


def _members(category: Category, lines: list[EstimateLine]) -> list[EstimateLine]:
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
    if category is _ALL:
        return [Operation(kind=OperationKind.SCALE_LINE, factor=factor)]
    if not category.phases:
        return [
            Operation(kind=OperationKind.SCALE_LINE, line=line.deliverable, factor=factor)
            for line in _members(category, lines)
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
    if selection.category is _ALL:
        return tuple(line.deliverable for line in lines)
    return tuple(line.deliverable for line in _members(selection.category, lines))


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
        if selection.names:
            return t("offline.list_separator", self.lang).join(selection.names)
        assert selection.category is not None
        return t(f"offline.adjust.category.{selection.category.key}", self.lang)


def _unknown_target(intent: Intent) -> EngineError:
    return EngineError("errors.engine.unknown_target", intent.text, target=intent.target or intent.text)


def _selection(intent: Intent, builder: _Builder, *, default_all: bool = False) -> Selection:
    selection = _select(intent, builder.lines)
    if selection is None:
        if default_all and intent.target is None:
            return Selection(category=_ALL)
        raise _unknown_target(intent)
    category = selection.category
    if category is None or category is _ALL:
        return selection
    in_phases = any(line.phases.get(phase) > 0 for line in builder.lines for phase in category.phases)
    if not in_phases and not _members(category, builder.lines):
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
    assert intent.factor is not None and intent.percent is not None
    selection = _selection(intent, builder, default_all=True)
    lang = builder.lang
    percent = format_number(intent.percent, lang, 1)
    label = builder.label(selection)
    if intent.factor == 1 - intent.percent / 100:
        title = t("offline.adjust.title.reduce", lang, target=label, percent=percent)
    elif intent.factor == 1 + intent.percent / 100:
        title = t("offline.adjust.title.increase", lang, target=label, percent=percent)
    else:
        title = t("offline.adjust.title.scale_to", lang, target=label, percent=percent)
    reason_key = "offline.adjust.reason.scale_all" if selection.category is _ALL else "offline.adjust.reason.scale"
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
    assert intent.amount is not None
    _check_currency(intent, builder.pricing)
    lang = builder.lang
    shown = builder.money(intent.amount)
    operation = Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=intent.amount)
    title = t("offline.adjust.title.unit_cost", lang, unit_cost=shown)
    return [builder.proposal(title, t("offline.adjust.reason.unit_cost", lang), [operation])]


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
    builder: _Builder, operations: Callable[[Decimal], list[Operation]], lowest: Decimal, target: Decimal
) -> Decimal | None:
    """The largest factor in [lowest, 1) whose operations bring the subtotal to `target` or just under.

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

    low, high = int(lowest * steps), steps - 1
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


def _amount_target(intent: Intent, builder: _Builder) -> list[Proposal]:
    """Up to three ways to reach a subtotal target, each verified to land within one person-day's cost under it."""
    assert intent.amount is not None
    _check_currency(intent, builder.pricing)
    lang = builder.lang
    unit_cost = builder.pricing.unit_cost
    if intent.kind is IntentKind.FIT_BUDGET:
        target = intent.amount
        if builder.subtotal <= target:
            raise EngineError(
                "errors.engine.already_within_budget",
                intent.text,
                budget=builder.money(target),
                subtotal=builder.money(builder.subtotal),
            )
    else:
        target = builder.subtotal - intent.amount
    if target <= 0:
        raise EngineError(
            "errors.engine.target_unreachable",
            intent.text,
            target=builder.money(target),
            subtotal=builder.money(builder.subtotal),
        )
    basis = t(
        "offline.adjust.reason.amount_basis",
        lang,
        target=builder.money(target),
        subtotal=builder.money(builder.subtotal),
        unit_cost=builder.money(unit_cost),
    )
    proposals = []
    for strategy in (_spread, _tests_and_docs_first, _drop_items):
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
    return _HANDLERS[intent.kind](intent, _Builder(context))


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
