"""Questions answered from the estimate itself, never turned into proposals.

「なぜ管理画面は高いの？」, 「テストを減らしたら品質は大丈夫？」, "is a 10 % buffer normal?": the answer
reads the lines the question names (their person-days, phases, share, range and the sizing's own
reasoning, which holds the units and table figures) or the group it names, and ends by saying how
to ask for a change. A proposal is offered only when the analyst then asks for one.
"""

from __future__ import annotations

import re
from decimal import Decimal

from estimator.errors import EngineError
from estimator.i18n import format_money, format_number, t
from estimator.money import line_amount
from estimator.rules.proposals import TESTS_AND_DOCS_FLOOR, Selection, members, select_lines
from estimator.rules.reading import ALL, DEFAULT_RISK_BUFFER_PERCENT, Intent
from estimator.schemas import PHASES, AdjustmentContext, DeliverableKind, EstimateLine, PricedEstimate, price
from estimator.text import sentences

_BUFFER = re.compile(r"バッファ|予備費|コンティンジェンシー|buffer|contingency")
_CUT = re.compile(r"減ら|削|カット|下げ|外|やめ|cut|reduce|drop|less|fewer|remove|skip|lower")
_REASONING_CHARS = 400
BUFFER_RANGE = (Decimal(5), Decimal(15))
"""House judgement: the risk buffers seen on Japanese SI quotes, in percent of the effort."""


def answer(intent: Intent, context: AdjustmentContext, lang: str) -> str:
    """The answer to a question about the version in `context`, in `lang`."""
    priced = price(context.lines, context.pricing)
    try:
        selection = select_lines(intent, context.lines)
    except EngineError:
        selection = None
    if _BUFFER.search(intent.text):
        body = _buffer(priced, lang)
    elif selection is not None and selection.names:
        body = "\n\n".join(_line(line, priced, lang) for line in _lines(selection, context.lines)[:3])
    elif selection is not None and selection.category is not None and selection.category is not ALL:
        body = _group(selection, intent, context, priced, lang)
    else:
        body = _overall(priced, lang)
    return f"{body}\n\n{t('chat.answer.how_to_change', lang)}"


def _lines(selection: Selection, lines: list[EstimateLine]) -> list[EstimateLine]:
    return [line for line in lines if line.deliverable in selection.names]


def _share(value: Decimal, whole: Decimal, lang: str) -> str:
    return format_number(value / whole * 100 if whole else Decimal(0), lang, 1)


def _phases(line_phases: dict[str, Decimal], lang: str) -> str:
    return t("offline.list_separator", lang).join(
        f"{t(f'offline.phase.{phase.value}', lang)} {format_number(line_phases[phase.value], lang)}"
        for phase in PHASES
        if line_phases[phase.value] > 0
    )


def _line(line: EstimateLine, priced: PricedEstimate, lang: str) -> str:
    amount = next(item.amount for item in priced.lines if item.line.deliverable == line.deliverable)
    reasoning = " ".join(line.reasoning.split())
    if len(reasoning) > _REASONING_CHARS:
        reasoning = reasoning[:_REASONING_CHARS] + "…"
    facts = t(
        "chat.answer.line",
        lang,
        name=line.deliverable,
        days=format_number(line.person_days, lang),
        amount=format_money(amount, priced.pricing.currency, lang),
        share=_share(line.person_days, priced.person_days, lang),
        phases=_phases({p.value: line.phases.get(p) for p in PHASES}, lang),
        low=format_number(line.optimistic, lang),
        high=format_number(line.pessimistic, lang),
    )
    parts = [facts]
    if reasoning:
        parts.append(t("chat.answer.reasoning", lang, reasoning=reasoning))
    if line.risks:
        parts.append(t("chat.answer.risks", lang, risks=t("offline.list_separator", lang).join(line.risks[:3])))
    return sentences(parts, lang)


def _group(selection: Selection, intent: Intent, context: AdjustmentContext, priced: PricedEstimate, lang: str) -> str:
    category = selection.category
    assert category is not None
    label = t(f"offline.adjust.category.{category.key}", lang)
    if category.phases:
        days = sum((line.phases.get(p) for line in context.lines for p in category.phases), Decimal(0))
    else:
        days = sum((line.person_days for line in members(category, context.lines)), Decimal(0))
    parts = [
        t(
            "chat.answer.group",
            lang,
            group=label,
            days=format_number(days, lang),
            share=_share(days, priced.person_days, lang),
            amount=format_money(
                line_amount(days, priced.pricing.unit_cost, priced.pricing.currency, priced.pricing.rounding),
                priced.pricing.currency,
                lang,
            ),
        )
    ]
    if category.key == "test" and _CUT.search(intent.text):
        floor = format_number((1 - TESTS_AND_DOCS_FLOOR) * 100, lang)
        parts.append(t("chat.answer.test_cut", lang, floor=floor))
    return sentences(parts, lang)


def _buffer(priced: PricedEstimate, lang: str) -> str:
    buffers = [item for item in priced.lines if item.line.kind is DeliverableKind.RISK_BUFFER]
    work = priced.person_days - sum((item.line.person_days for item in buffers), Decimal(0))
    spread = sum((line.line.pessimistic - line.line.person_days for line in priced.lines), Decimal(0))
    parts = [
        t(
            "chat.answer.buffer_norm",
            lang,
            low=format_number(BUFFER_RANGE[0], lang),
            high=format_number(BUFFER_RANGE[1], lang),
            default=format_number(DEFAULT_RISK_BUFFER_PERCENT, lang),
        )
    ]
    if buffers:
        days = sum((item.line.person_days for item in buffers), Decimal(0))
        parts.append(
            t(
                "chat.answer.buffer_present",
                lang,
                days=format_number(days, lang),
                share=_share(days, work, lang),
                amount=format_money(sum((b.amount for b in buffers), Decimal(0)), priced.pricing.currency, lang),
            )
        )
    else:
        parts.append(t("chat.answer.buffer_absent", lang))
    parts.append(t("chat.answer.range", lang, spread=format_number(spread, lang), share=_share(spread, work, lang)))
    return sentences(parts, lang)


def _overall(priced: PricedEstimate, lang: str) -> str:
    days_by_phase = {p.value: sum((item.line.phases.get(p) for item in priced.lines), Decimal(0)) for p in PHASES}
    largest = sorted(priced.lines, key=lambda item: item.line.person_days, reverse=True)[:3]
    return sentences(
        [
            t(
                "chat.answer.overall",
                lang,
                days=format_number(priced.person_days, lang),
                subtotal=format_money(priced.subtotal, priced.pricing.currency, lang),
                total=format_money(priced.total, priced.pricing.currency, lang),
                phases=_phases(days_by_phase, lang),
            ),
            t(
                "chat.answer.largest",
                lang,
                lines=t("offline.list_separator", lang).join(
                    f"{item.line.deliverable} {format_number(item.line.person_days, lang)}" for item in largest
                ),
            ),
        ],
        lang,
    )
