"""Value types: phase splits stay exact and non-negative, lines keep O ≤ M ≤ P, PERT adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from estimator.errors import InvalidInputError
from estimator.schemas import (
    DESCRIPTION_LIMIT,
    MAX_DELIVERABLES,
    NAME_LIMIT,
    PHASES,
    Deliverable,
    EstimateLine,
    PhaseDays,
    Pricing,
    check_deliverables,
    checked_deliverable,
    price,
)

hundredths = st.integers(min_value=0, max_value=50_000).map(lambda n: Decimal(n) / 100)
phase_days = st.builds(PhaseDays, **{p.value: hundredths for p in PHASES})


@given(split=phase_days, target=st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 100))
def test_rescaled_split_is_exact_and_never_negative(split: PhaseDays, target: Decimal) -> None:
    rescaled = split.with_total(target)
    assert rescaled.total == target
    assert all(rescaled.get(p) >= 0 for p in PHASES)
    if split.total:
        assert all(rescaled.get(p) == 0 for p in PHASES if split.get(p) == 0)


def test_tiny_total_over_many_phases() -> None:
    split = PhaseDays(detailed_design=Decimal("11.16"), system_test=Decimal("11.16"), pm_docs=Decimal("22.31"))
    assert split.with_total(Decimal("0.01")).total == Decimal("0.01")
    assert split.with_total(Decimal("0.02")).get(PHASES[-1]) == Decimal("0.01")


def test_a_line_needs_an_ordered_range_and_positive_days() -> None:
    phases = PhaseDays(implementation=Decimal(10))
    with pytest.raises(ValidationError):
        EstimateLine(deliverable="A", phases=phases, optimistic=Decimal(11), pessimistic=Decimal(12))
    with pytest.raises(ValidationError):
        EstimateLine(deliverable="A", phases=PhaseDays(), optimistic=Decimal(0), pessimistic=Decimal(0))
    line = EstimateLine(deliverable="A", phases=phases, optimistic=Decimal(7), pessimistic=Decimal(19))
    assert line.expected == Decimal(11)
    assert line.variance == Decimal(4)


def test_expected_range_is_pert_mean_plus_minus_two_sigma_priced_by_the_money_rules() -> None:
    lines = [
        EstimateLine(
            deliverable=name,
            phases=PhaseDays(implementation=Decimal(10)),
            optimistic=Decimal(7),
            pessimistic=Decimal(19),
        )
        for name in ("A", "B")
    ]
    priced = price(lines, Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10)))
    sigma = Decimal(8).sqrt().quantize(Decimal("0.01"))
    assert priced.expected_person_days == Decimal(22)
    assert priced.sigma_person_days == sigma
    low, high, low_amount, high_amount = priced.expected_range()
    assert (low, high) == (Decimal(22) - 2 * sigma, Decimal(22) + 2 * sigma)
    assert (low_amount, high_amount) == (low * 40000, high * 40000)


@pytest.mark.parametrize(
    ("name", "description", "key", "values"),
    [
        ("", "説明", "errors.input.empty_name", {"row": 3}),
        ("\u200b\u3000", "", "errors.input.empty_name", {"row": 3}),
        ("名" * (NAME_LIMIT + 1), "", "errors.input.name_too_long", {"row": 3, "limit": NAME_LIMIT}),
        ("画面", "あ" * (DESCRIPTION_LIMIT + 1), "errors.import.description_too_long", {"row": 3, "limit": 5000}),
    ],
)
def test_a_row_that_cannot_be_a_deliverable_names_its_row_and_limit(
    name: str, description: str, key: str, values: dict[str, int]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        checked_deliverable(name, description, row=3)
    assert (raised.value.key, raised.value.values) == (key, values)


def test_a_row_at_the_limits_is_a_deliverable_with_its_invisible_ends_stripped() -> None:
    item = checked_deliverable("名" * NAME_LIMIT, "あ" * DESCRIPTION_LIMIT, row=1)
    assert item == Deliverable(name="名" * NAME_LIMIT, description="あ" * DESCRIPTION_LIMIT)
    assert checked_deliverable("\u200bログイン\u3000", " 認証 ", row=1) == Deliverable(
        name="ログイン", description="認証"
    )


@pytest.mark.parametrize(
    ("names", "key", "values"),
    [
        ([], "errors.input.no_deliverables", {}),
        ([f"画面{n}" for n in range(MAX_DELIVERABLES + 1)], "errors.input.too_many", {"limit": MAX_DELIVERABLES}),
        (["API設計", "ログイン", "ａｐｉ設計 "], "errors.input.duplicate_name", {"row": 3, "name": "ａｐｉ設計"}),
    ],
)
def test_a_list_is_refused_when_empty_too_long_or_a_name_repeats(
    names: list[str], key: str, values: dict[str, object]
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        check_deliverables([Deliverable(name=name) for name in names])
    assert (raised.value.key, raised.value.values) == (key, values)


def test_a_list_of_distinct_names_up_to_the_limit_is_accepted() -> None:
    check_deliverables([Deliverable(name=f"画面{n}") for n in range(MAX_DELIVERABLES)])
