"""What the model fills in (strict structured outputs) and how it becomes domain types.

Strict mode wants every field required, no defaults and no dict-typed fields, so these
models use lists of objects and `X | None`. Field names are terse because every output
token costs latency (the estimate is the slow call); the prompts explain them. The
`to_*` functions check what a schema cannot say (names, ranges, counts) and raise
`AnswerProblem` with an English message the model is shown when its answer is retried.

Numbers are read exactly: an answer is parsed with every JSON number as a Decimal (so
1e400 stays 1E+400 instead of becoming inf, and 0.1 stays 0.1), NaN and Infinity are
refused, and each number is checked before any arithmetic: person-days (each phase, o, p,
a line's new total) 0-500 (`MAX_LINE_PERSON_DAYS`), rounded half-up to hundredths as the
engine always has; factors and percents within `Operation`'s bounds; a unit cost as
`money.is_unit_cost` has it for the estimate's currency (¥0.001 or ¥40,000.5 is refused,
not rounded into a ¥0 quote). A number out of range makes the answer unusable, never an
exception of another kind.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Strict, ValidationError, WithJsonSchema

from estimator.adjustments import apply_operations
from estimator.documents.extract import Extracted
from estimator.errors import AdjustmentError
from estimator.i18n import t
from estimator.money import MAX_UNIT_COST, is_unit_cost, quantum, round_person_days
from estimator.rules.proposals import risk_buffer_operation
from estimator.schemas import (
    DESCRIPTION_LIMIT,
    MAX_DELIVERABLES,
    MAX_LINE_PERSON_DAYS,
    MAX_PROPOSALS,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
    NAME_LIMIT,
    PHASES,
    AdjustmentContext,
    Deliverable,
    DeliverableDraft,
    DeliverableKind,
    DocumentSource,
    EstimateLine,
    Operation,
    OperationKind,
    Phase,
    PhaseDays,
    Proposal,
    ProposedDeliverable,
    Question,
    QuestionKind,
    name_key,
)

_KEY_CHARS = re.compile(r"[^a-z0-9]+")
_SHOWN_DIGITS = 24

# A JSON number, read as an exact Decimal (see `read_json`); the schema the model sees is a plain number.
Number = Annotated[Decimal, Strict(), WithJsonSchema({"type": "number"})]


class AnswerProblem(ValueError):
    """The model's answer parsed but cannot be used; the message tells the model why."""


def _strip_titles(schema: dict[str, Any]) -> None:
    """Titles and docstrings are for developers; sent to the model they only cost prompt tokens."""
    schema.pop("title", None)
    schema.pop("description", None)
    for field in schema.get("properties", {}).values():
        field.pop("title", None)


def _exact(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can hold at all
        raise AnswerProblem(f"{text[:_SHOWN_DIGITS]} is not a usable number") from None


def _no_constant(name: str) -> Decimal:
    raise AnswerProblem(f"{name} is not a number; write a finite number")


def read_json(text: str | bytes | bytearray) -> Any:
    """JSON with every number an exact Decimal; anything that is not JSON is an `AnswerProblem`.

    Python's own reading would turn 1e400 into inf and 1e30 into a float that later blows
    up a Decimal quantize, and refuses integers of more than 4,300 digits with a ValueError.
    """
    try:
        return json.loads(text, parse_float=_exact, parse_int=_exact, parse_constant=_no_constant)
    except AnswerProblem:
        raise
    except (ValueError, RecursionError):
        raise AnswerProblem("the answer is not valid JSON") from None


class LLMReply(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_strip_titles)

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """The answer read by `read_json`, then validated: the SDK's structured-output parsing calls
        this too, so an answer takes the same exact path whether the SDK or the engine reads it."""
        return cls.model_validate(
            read_json(json_data), strict=strict, extra=extra, context=context, by_alias=by_alias, by_name=by_name
        )


class QuestionOut(LLMReply):
    key: str
    text: str
    why: str
    kind: QuestionKind
    affects: list[str]
    choices: list[str]


class QuestionsReply(LLMReply):
    qs: list[QuestionOut]


class LineOut(LLMReply):
    """n name, t kind, d person-days per phase (7, in PHASES order), o/p optimistic/pessimistic,
    r reasoning, a assumptions, k risks."""

    n: str
    t: DeliverableKind
    d: list[Number]
    o: Number
    p: Number
    r: str
    a: list[str]
    k: list[str]


class LinesReply(LLMReply):
    l: list[LineOut]  # noqa: E741 - one letter on purpose: it is repeated in every answer


class EstimateReply(LLMReply):
    """Lines plus the project's assumptions (pa) and exclusions (ex)."""

    l: list[LineOut]  # noqa: E741
    pa: list[str]
    ex: list[str]


class NotesReply(LLMReply):
    """Only the project's assumptions (pa) and exclusions (ex): the first call when chunks are of one line."""

    pa: list[str]
    ex: list[str]


class OperationOut(LLMReply):
    kind: OperationKind
    line: str | None
    phase: Phase | None
    factor: Number | None
    person_days: Number | None
    unit_cost: Number | None
    percent: Number | None
    new_line: LineOut | None


class ProposalOut(LLMReply):
    title: str
    reason: str
    ops: list[OperationOut]


class AdjustReply(LLMReply):
    ps: list[ProposalOut]


class ProposedOut(LLMReply):
    """n name, d description, s the number of the block it was read from."""

    n: str
    d: str
    s: int


class DeliverablesReply(LLMReply):
    """The deliverables the document names (it) and the rest of it as the system requirements (req)."""

    it: list[ProposedOut]
    req: str


def _shown(value: Decimal) -> str:
    """A number as the model wrote it, shortened when it has absurdly many digits."""
    text = str(value)
    return text if len(text) <= _SHOWN_DIGITS else f"{value:.6e}"


def _days(value: Decimal, what: str) -> Decimal:
    """Person-days from the model: checked against the line cap first (so no quantize can overflow),
    then rounded by `round_person_days` (half-up: 1.005 means about a day)."""
    if not 0 <= value <= MAX_LINE_PERSON_DAYS:
        raise AnswerProblem(f"{what} must be ≥ 0 and ≤ {MAX_LINE_PERSON_DAYS} person-days, got {_shown(value)}")
    return round_person_days(abs(value))  # abs: -0 reads as 0


def _texts(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v.strip()]


def to_line(out: LineOut, description: str = "") -> EstimateLine:
    """A domain line from the model's line.

    Most likely is Σ phases. Every number must be 0-500 person-days (a negative or absurd one
    means the answer is unusable). Optimistic and pessimistic are then clamped minimally to
    bracket M (O := min(O, M), P := max(P, M)): a range on the wrong side of its own sum is a
    slip, not a different estimate, so it is not worth a second call.
    """
    if len(out.d) != len(PHASES):
        raise AnswerProblem(f"line {out.n!r}: d must hold {len(PHASES)} numbers (one per phase), got {len(out.d)}")
    values = [_days(v, f"line {out.n!r}: each value of d") for v in out.d]
    phases = PhaseDays(**{p.value: v for p, v in zip(PHASES, values, strict=True)})
    most_likely = phases.total
    if not 0 < most_likely <= MAX_LINE_PERSON_DAYS:
        raise AnswerProblem(
            f"line {out.n!r}: the sum of d must be > 0 and ≤ {MAX_LINE_PERSON_DAYS} person-days, got {most_likely}"
        )
    optimistic = min(_days(out.o, f"line {out.n!r}: o"), most_likely)
    pessimistic = max(_days(out.p, f"line {out.n!r}: p"), most_likely)
    try:
        return EstimateLine(
            deliverable=out.n.strip(),
            description=description,
            kind=out.t,
            phases=phases,
            optimistic=optimistic,
            pessimistic=pessimistic,
            reasoning=out.r.strip(),
            assumptions=_texts(out.a),
            risks=_texts(out.k),
        )
    except ValidationError as error:
        raise AnswerProblem(f"line {out.n!r}: {error.errors()[0]['msg']}") from None


def to_lines(lines: list[LineOut], deliverables: list[Deliverable]) -> list[EstimateLine]:
    """One line per deliverable, names matching, in input order; the input's spelling of the name is kept."""
    if len(lines) != len(deliverables):
        raise AnswerProblem(f"expected {len(deliverables)} lines in l (one per item, in order), got {len(lines)}")
    result = []
    for index, (out, deliverable) in enumerate(zip(lines, deliverables, strict=True)):
        if name_key(out.n) != name_key(deliverable.name):
            raise AnswerProblem(f"l[{index}].n must be {deliverable.name!r} (items in order), got {out.n!r}")
        line = to_line(out, deliverable.description)
        result.append(line.model_copy(update={"deliverable": deliverable.name}))
    return result


def _key(raw: str, index: int, taken: set[str]) -> str:
    """A stable snake_case key; the model's own when usable, so answers survive regeneration."""
    key = _KEY_CHARS.sub("_", raw.strip().lower()).strip("_")[:40] or f"q{index + 1}"
    unique, suffix = key, 2
    while unique in taken:
        unique, suffix = f"{key}_{suffix}", suffix + 1
    taken.add(unique)
    return unique


def to_questions(reply: QuestionsReply, deliverables: list[Deliverable]) -> list[Question]:
    """3–7 questions: fewer is a problem to retry, more are cut to the first seven.

    `affects` keeps only names of deliverables of the project (in their input spelling).
    """
    if len(reply.qs) < MIN_QUESTIONS:
        raise AnswerProblem(f"ask {MIN_QUESTIONS} to {MAX_QUESTIONS} questions in qs, got {len(reply.qs)}")
    taken: set[str] = set()
    questions = []
    for index, out in enumerate(reply.qs[:MAX_QUESTIONS]):
        if not out.text.strip():
            raise AnswerProblem(f"qs[{index}].text is empty")
        named = {name_key(name) for name in out.affects}
        affects = [d.name for d in deliverables if name_key(d.name) in named]
        questions.append(
            Question(
                key=_key(out.key, index, taken),
                text=out.text.strip(),
                why=out.why.strip(),
                kind=out.kind,
                affects=affects,
                choices=_texts(out.choices),
            )
        )
    return questions


def _existing_name(name: str | None, context: AdjustmentContext) -> str | None:
    if name is None or not name.strip():
        return None
    wanted = name_key(name)
    for line in context.lines:
        if name_key(line.deliverable) == wanted:
            return line.deliverable
    raise AnswerProblem(f"line {name!r} is not a line of this estimate; use one of the names in lines")


def _unit_cost(value: Decimal | None, currency: str) -> Decimal | None:
    """A proposed unit cost, refused unless it could be invoiced as it is in the estimate's currency."""
    if value is not None and not is_unit_cost(value, currency):
        raise AnswerProblem(
            f"unit_cost must be > 0, at most {MAX_UNIT_COST[currency]} and a multiple of {quantum(currency)} "
            f"{currency}, got {_shown(value)}"
        )
    return value


def _operation(out: OperationOut, context: AdjustmentContext) -> Operation:
    line = None if out.kind is OperationKind.ADD_LINE else out.line
    if out.kind is OperationKind.ADD_RISK_BUFFER:
        name = (out.line or "").strip() or None
        if name is None and out.percent is not None and 0 < out.percent <= 100:
            name = risk_buffer_operation(out.percent, context.language).line
    else:
        name = _existing_name(line, context)
    try:
        return Operation(
            kind=out.kind,
            line=name,
            phase=out.phase,
            factor=out.factor,
            person_days=_days(out.person_days, "person_days") if out.person_days is not None else None,
            unit_cost=_unit_cost(out.unit_cost, context.pricing.currency),
            percent=out.percent,
            new_line=to_line(out.new_line) if out.new_line and out.kind is OperationKind.ADD_LINE else None,
        )
    except ValidationError as error:
        raise AnswerProblem(f"operation {out.kind.value}: {error.errors()[0]['msg']}") from None


def to_proposals(reply: AdjustReply, context: AdjustmentContext) -> list[Proposal]:
    """Up to three proposals (more are cut), each naming existing lines and applying cleanly."""
    proposals = []
    for index, out in enumerate(reply.ps[:MAX_PROPOSALS]):
        if not out.ops:
            raise AnswerProblem(f"ps[{index}] has no operations")
        operations = [_operation(op, context) for op in out.ops]
        try:
            apply_operations(context.lines, context.pricing, operations)
        except AdjustmentError as error:
            raise AnswerProblem(f"ps[{index}] does not apply: {t(error.key, 'en', **error.values)}") from None
        proposals.append(Proposal(title=out.title.strip(), reason=out.reason.strip(), operations=operations))
    return proposals


def to_deliverable_draft(reply: DeliverablesReply, document: Extracted, engine: str) -> DeliverableDraft:
    """The model's list with each item's source taken from the block it names (none when it names no block)."""
    blocks = document.blocks
    items: list[ProposedDeliverable] = []
    seen: set[str] = set()
    for out in reply.it[:MAX_DELIVERABLES]:
        name = out.n.strip()[:NAME_LIMIT]
        if not name or name_key(name) in seen:
            continue
        seen.add(name_key(name))
        block = blocks[out.s] if 0 <= out.s < len(blocks) else None
        source = DocumentSource(
            page=block.page if block else None,
            section=block.section if block else "",
            excerpt=block.text[:300] if block else "",
        )
        items.append(ProposedDeliverable(name, out.d.strip()[:DESCRIPTION_LIMIT], source))
    if not items:
        raise AnswerProblem("it is empty: list at least one deliverable the document names")
    return DeliverableDraft(tuple(items), reply.req.strip(), document.pages, engine)
