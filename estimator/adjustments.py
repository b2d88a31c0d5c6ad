"""Applying adjustment operations to a version's lines, and the diff between versions.

This is the only place lines change. It is pure (no database, no model), so
the engines use it to check a proposal hits its target and the workflow uses
it to make the new version: a line no operation names comes out identical.
A line an adjustment does change is told so in its reasoning (`ChangeNote`), because
the quote's 内訳 prints that text next to the new figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from estimator.errors import AdjustmentError
from estimator.i18n import format_number, t
from estimator.money import round_person_days
from estimator.schemas import (
    PHASES,
    DeliverableKind,
    EstimateLine,
    LineChange,
    Operation,
    OperationKind,
    PhaseDays,
    Pricing,
    name_key,
    price,
    unit_cost_problem,
)


@dataclass(frozen=True)
class AdjustedVersion:
    lines: list[EstimateLine]
    pricing: Pricing


@dataclass(frozen=True)
class ChangeNote:
    """The adjustment a changed line's reasoning names: `what` (a proposal's title or the like, already
    in `language`); `apply_operations` writes it with the line's person-days after the change.

    A reasoning such as 「…→17.1人日」 stays as the engine wrote it, so without this sentence the
    customer would read a figure the line no longer has.
    """

    what: str
    language: str


def _index(lines: list[EstimateLine], name: str | None) -> int:
    wanted = name_key(name or "")
    for index, line in enumerate(lines):
        if name_key(line.deliverable) == wanted:
            return index
    raise AdjustmentError("errors.adjust.unknown_line", line=name or "")


def _targets(lines: list[EstimateLine], name: str | None) -> list[int]:
    """The named line, or every line but a risk buffer when no line is named."""
    if name:
        return [_index(lines, name)]
    return [i for i, line in enumerate(lines) if line.kind != DeliverableKind.RISK_BUFFER]


def _scale_phase(line: EstimateLine, operation: Operation) -> EstimateLine:
    assert operation.phase is not None and operation.factor is not None
    before = line.phases.get(operation.phase)
    if before == 0:
        return line
    phases = line.phases.with_phase(operation.phase, before * operation.factor)
    if phases.total <= 0:
        raise AdjustmentError("errors.adjust.empty_line", line=line.deliverable)
    return line.with_person_days(phases.total).model_copy(update={"phases": phases})


def _risk_buffer(lines: list[EstimateLine], operation: Operation) -> list[EstimateLine]:
    """Replace any buffer line with one holding `percent` of the other lines' person-days."""
    assert operation.percent is not None and operation.line
    kept = [line for line in lines if line.kind != DeliverableKind.RISK_BUFFER]
    split = PhaseDays(**{p.value: sum((line.phases.get(p) for line in kept), Decimal(0)) for p in PHASES})
    days = round_person_days(split.total * operation.percent / 100)
    if days <= 0:
        raise AdjustmentError("errors.adjust.empty_line", line=operation.line)
    buffer = EstimateLine(
        deliverable=operation.line,
        kind=DeliverableKind.RISK_BUFFER,
        phases=split.with_total(days),
        optimistic=Decimal(0),
        pessimistic=days,
        reasoning=f"{format(operation.percent, 'f')}% × {format(split.total, 'f')}",
    )
    return [*kept, buffer]


def _apply_one(lines: list[EstimateLine], pricing: Pricing, operation: Operation) -> AdjustedVersion:
    kind = operation.kind
    result = list(lines)
    if kind is OperationKind.SET_UNIT_COST:
        if operation.unit_cost is None:
            raise AdjustmentError("errors.adjust.missing_value", operation=kind.value)
        problem = unit_cost_problem(operation.unit_cost, pricing.currency)
        if problem is not None:
            raise AdjustmentError(problem.key, problem.detail, **problem.values)
        return AdjustedVersion(result, pricing.model_copy(update={"unit_cost": operation.unit_cost}))
    if kind is OperationKind.ADD_RISK_BUFFER:
        if operation.percent is None or not operation.line:
            raise AdjustmentError("errors.adjust.missing_value", operation=kind.value)
        return AdjustedVersion(_risk_buffer(result, operation), pricing)
    if kind is OperationKind.ADD_LINE:
        if operation.new_line is None:
            raise AdjustmentError("errors.adjust.missing_value", operation=kind.value)
        name = name_key(operation.new_line.deliverable)
        if any(name_key(line.deliverable) == name for line in result):
            raise AdjustmentError("errors.adjust.duplicate_line", line=operation.new_line.deliverable)
        return AdjustedVersion([*result, operation.new_line], pricing)
    if kind is OperationKind.REMOVE_LINE:
        del result[_index(result, operation.line)]
        if not result:
            raise AdjustmentError("errors.adjust.no_lines_left")
        return AdjustedVersion(result, pricing)
    if kind is OperationKind.SET_PERSON_DAYS:
        if operation.person_days is None:
            raise AdjustmentError("errors.adjust.missing_value", operation=kind.value)
        index = _index(result, operation.line)
        result[index] = result[index].with_person_days(operation.person_days)
        return AdjustedVersion(result, pricing)
    if operation.factor is None or (kind is OperationKind.SCALE_PHASE and operation.phase is None):
        raise AdjustmentError("errors.adjust.missing_value", operation=kind.value)
    for index in _targets(result, operation.line):
        line = result[index]
        if kind is OperationKind.SCALE_LINE:
            if round_person_days(line.person_days * operation.factor) <= 0:
                raise AdjustmentError("errors.adjust.empty_line", line=line.deliverable)
            result[index] = line.rescaled(operation.factor)
        else:
            result[index] = _scale_phase(line, operation)
    return AdjustedVersion(result, pricing)


def apply_operations(
    lines: list[EstimateLine], pricing: Pricing, operations: list[Operation], *, note: ChangeNote | None = None
) -> AdjustedVersion:
    """Apply operations in order; raise AdjustmentError (nothing partial) when one does not fit.

    With `note`, every line kept from `lines` whose person-days moved gets one sentence stating
    the adjustment and its final figure (`_noted`); engines checking a proposal pass none.
    """
    version = AdjustedVersion(list(lines), pricing)
    for operation in operations:
        version = _apply_one(version.lines, version.pricing, operation)
    if note is None:
        return version
    return AdjustedVersion(_noted(lines, version.lines, operations, note), version.pricing)


def _noted(
    before: list[EstimateLine], after: list[EstimateLine], operations: list[Operation], note: ChangeNote
) -> list[EstimateLine]:
    """`after` with the note appended, on its own line, to the reasoning of each changed line.

    Written once, after every operation has run, so two operations on one line make one note
    with the final figure. A line whose person-days did not move keeps its reasoning byte for
    byte, and a line the operations made (an added line, a new risk buffer) has reasoning of
    its own that already fits its figures.
    """
    made = {name_key(op.new_line.deliverable) for op in operations if op.new_line is not None}
    made |= {name_key(op.line) for op in operations if op.kind is OperationKind.ADD_RISK_BUFFER and op.line}
    days_before = {name_key(line.deliverable): line.person_days for line in before}
    noted: list[EstimateLine] = []
    for line in after:
        key = name_key(line.deliverable)
        if key in made or days_before.get(key, line.person_days) == line.person_days:
            noted.append(line)
            continue
        days = format_number(line.person_days, note.language)
        text = t("adjustments.note", note.language, what=" ".join(note.what.split()), days=days)
        reasoning = f"{line.reasoning.rstrip()}\n{text}" if line.reasoning.strip() else text
        noted.append(line.model_copy(update={"reasoning": reasoning}))
    return noted


def diff_versions(
    before: list[EstimateLine], before_pricing: Pricing, after: list[EstimateLine], after_pricing: Pricing
) -> list[LineChange]:
    """Lines whose person-days or amount differ, in the order of `after` then removed ones."""
    old = {line.line.deliverable: line for line in price(before, before_pricing).lines}
    new = {line.line.deliverable: line for line in price(after, after_pricing).lines}
    changes: list[LineChange] = []
    for name, item in new.items():
        previous = old.get(name)
        if previous is None:
            changes.append(LineChange(name, None, item.line.person_days, None, item.amount))
        elif previous.line != item.line or previous.amount != item.amount:
            changes.append(
                LineChange(name, previous.line.person_days, item.line.person_days, previous.amount, item.amount)
            )
    for name, item in old.items():
        if name not in new:
            changes.append(LineChange(name, item.line.person_days, None, item.amount, None))
    return changes
