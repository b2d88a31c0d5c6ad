"""Adjustment operations: each refusal has its own message key, and a valid operation does what it says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.adjustments import ChangeNote, apply_operations
from estimator.errors import AdjustmentError
from estimator.schemas import DeliverableKind, EstimateLine, Operation, OperationKind, Phase
from tests.factories import JPY, line

D = Decimal


def lines() -> list[EstimateLine]:
    return [line("ログイン画面", "10"), line("API設計", "4", phase="basic_design")]


def refusal(operation: Operation, given: list[EstimateLine] | None = None) -> AdjustmentError:
    with pytest.raises(AdjustmentError) as raised:
        apply_operations(lines() if given is None else given, JPY, [operation])
    return raised.value


@pytest.mark.parametrize(
    "operation",
    [
        Operation(kind=OperationKind.SET_UNIT_COST),
        Operation(kind=OperationKind.ADD_RISK_BUFFER),
        Operation(kind=OperationKind.ADD_LINE),
        Operation(kind=OperationKind.SET_PERSON_DAYS, line="ログイン画面"),
        Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面"),
        Operation(kind=OperationKind.SCALE_PHASE, line="ログイン画面", factor=D(2)),
    ],
    ids=lambda operation: operation.kind.value,
)
def test_an_operation_without_its_value_is_missing_value(operation: Operation) -> None:
    error = refusal(operation)
    assert error.key == "errors.adjust.missing_value"
    assert error.values == {"operation": operation.kind.value}


def test_a_unit_cost_that_cannot_be_invoiced_is_bad_unit_cost_of_the_currency() -> None:
    error = refusal(Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=D("40000.5")))
    assert error.key == "errors.adjust.bad_unit_cost.JPY"
    assert error.values["value"] == "40000.5"


def test_a_line_the_version_does_not_have_is_unknown_line() -> None:
    error = refusal(Operation(kind=OperationKind.REMOVE_LINE, line="存在しない行"))
    assert (error.key, error.values) == ("errors.adjust.unknown_line", {"line": "存在しない行"})


def test_adding_a_line_under_a_name_already_there_is_duplicate_line() -> None:
    """Names compare by `name_key`: full-width ＡＰＩ設計 is the API設計 already in the version."""
    error = refusal(Operation(kind=OperationKind.ADD_LINE, new_line=line("ＡＰＩ設計", "2")))
    assert (error.key, error.values) == ("errors.adjust.duplicate_line", {"line": "ＡＰＩ設計"})


def test_removing_the_last_line_is_no_lines_left() -> None:
    error = refusal(Operation(kind=OperationKind.REMOVE_LINE, line="ログイン画面"), [line("ログイン画面", "10")])
    assert error.key == "errors.adjust.no_lines_left"


@pytest.mark.parametrize(
    "operation",
    [
        Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D("0.0004")),
        Operation(kind=OperationKind.SCALE_PHASE, line="ログイン画面", phase=Phase.IMPLEMENTATION, factor=D(0)),
        Operation(kind=OperationKind.ADD_RISK_BUFFER, line="リスク", percent=D("0.01")),
    ],
    ids=lambda operation: operation.kind.value,
)
def test_an_operation_that_leaves_a_line_without_days_is_empty_line(operation: Operation) -> None:
    error = refusal(operation)
    assert error.key == "errors.adjust.empty_line"
    assert error.values == {"line": operation.line}


def test_scaling_one_line_leaves_the_others_identical() -> None:
    before = lines()
    version = apply_operations(
        before, JPY, [Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D(2))]
    )
    assert version.lines[0].person_days == D(20)
    assert version.lines[1] == before[1]
    assert version.pricing == JPY


def test_a_risk_buffer_holds_its_percent_of_the_days_rounded_half_up_and_the_unit_cost_changes() -> None:
    """10 % of 1.25 person-days is 0.125, which rounds half-up to 0.13 (half-even would give 0.12)."""
    operations = [
        Operation(kind=OperationKind.ADD_RISK_BUFFER, line="リスク", percent=D(10)),
        Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=D(50000)),
    ]
    version = apply_operations([line("帳票", "1.25")], JPY, operations)
    buffer = version.lines[-1]
    assert (buffer.deliverable, buffer.kind, buffer.person_days) == ("リスク", DeliverableKind.RISK_BUFFER, D("0.13"))
    assert version.pricing.unit_cost == D(50000)


def test_nothing_is_applied_when_a_later_operation_is_refused() -> None:
    before = lines()
    operations = [
        Operation(kind=OperationKind.SET_PERSON_DAYS, line="ログイン画面", person_days=D(3)),
        Operation(kind=OperationKind.REMOVE_LINE, line="存在しない行"),
    ]
    with pytest.raises(AdjustmentError):
        apply_operations(before, JPY, operations)
    assert before == lines()


NOTE = ChangeNote("テストを20%削減", "ja")


def test_a_noted_cut_ends_the_changed_lines_reasoning_with_its_figure_now() -> None:
    """The engine's sentence stays; the adjustment follows it on its own line, with today's figure."""
    before = lines()
    cut = Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D("0.8"))
    version = apply_operations(before, JPY, [cut], note=NOTE)
    changed, untouched = version.lines
    assert changed.person_days == D(8)
    assert changed.reasoning == "ログイン画面 sized by test\n調整: テストを20%削減 → 8人日"
    assert untouched is before[1]
    assert untouched.reasoning == "API設計 sized by test"


def test_two_operations_on_one_line_leave_one_note_with_the_final_figure() -> None:
    operations = [
        Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D("0.8")),
        Operation(kind=OperationKind.SCALE_PHASE, line="ログイン画面", phase=Phase.IMPLEMENTATION, factor=D("0.831")),
    ]
    changed = apply_operations(lines(), JPY, operations, note=NOTE).lines[0]
    assert changed.person_days == D("6.65")
    assert changed.reasoning.count("調整:") == 1
    assert changed.reasoning.endswith("→ 6.65人日")


def test_the_note_writes_its_figure_with_format_number_never_an_exponent() -> None:
    """Decimal("1E+1") is ten person-days; str() would print 1E+1 on the customer's quote."""
    operation = Operation(kind=OperationKind.SET_PERSON_DAYS, line="API設計", person_days=D("1E+1"))
    note = ChangeNote("Set by hand", "en")
    changed = apply_operations(lines(), JPY, [operation], note=note).lines[1]
    assert changed.reasoning == "API設計 sized by test\nAdjusted: Set by hand → 10 person-days"


@pytest.mark.parametrize(
    "operations",
    [
        [Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=D(50000))],
        [Operation(kind=OperationKind.ADD_RISK_BUFFER, line="リスク", percent=D(10))],
        [Operation(kind=OperationKind.ADD_LINE, new_line=line("帳票", "3"))],
        [Operation(kind=OperationKind.SET_PERSON_DAYS, line="ログイン画面", person_days=D(10))],
        [Operation(kind=OperationKind.REMOVE_LINE, line="API設計")],
    ],
    ids=["unit_cost", "risk_buffer", "add_line", "same_days", "remove_line"],
)
def test_lines_whose_days_did_not_move_and_lines_the_operations_made_keep_their_own_reasoning(
    operations: list[Operation],
) -> None:
    """A unit cost moves only amounts; a new line or risk buffer is written for its own figures."""
    before = lines()
    version = apply_operations(before, JPY, operations, note=NOTE)
    assert all("調整:" not in item.reasoning for item in version.lines)
    kept = [item for item in version.lines if item.deliverable in ("ログイン画面", "API設計")]
    assert all(item in before for item in kept)


def test_a_risk_buffer_made_again_is_not_noted_as_adjusted() -> None:
    """Re-adding a buffer replaces it with one whose reasoning states its new basis already."""
    buffer = Operation(kind=OperationKind.ADD_RISK_BUFFER, line="リスク", percent=D(10))
    first = apply_operations(lines(), JPY, [buffer]).lines
    again = Operation(kind=OperationKind.ADD_RISK_BUFFER, line="リスク", percent=D(20))
    remade = apply_operations(first, JPY, [again], note=NOTE).lines[-1]
    assert remade.person_days == D("2.8")
    assert "調整:" not in remade.reasoning


def test_without_a_note_the_reasoning_is_never_touched() -> None:
    """Engines apply a proposal only to check it hits its target: nothing is written for them."""
    cut = Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D("0.8"))
    assert apply_operations(lines(), JPY, [cut]).lines[0].reasoning == "ログイン画面 sized by test"


def test_an_empty_reasoning_becomes_the_note_alone() -> None:
    bare = [line("ログイン画面", "10").model_copy(update={"reasoning": ""})]
    cut = Operation(kind=OperationKind.SCALE_LINE, line="ログイン画面", factor=D("0.8"))
    assert apply_operations(bare, JPY, [cut], note=NOTE).lines[0].reasoning == "調整: テストを20%削減 → 8人日"
