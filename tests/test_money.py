"""Money rules: Decimal only, tax once on the subtotal, every total reconciles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.money import MoneyError, line_amount, round_money, round_person_days, totals
from estimator.schemas import EstimateLine, Phase, PhaseDays, Pricing, price


def test_tax_is_computed_once_on_the_subtotal() -> None:
    # Per-line tax would give 3 × floor(33.3) = 99; the invoice rule taxes the sum once.
    result = totals([Decimal(333)] * 3, Decimal(10), "JPY", "floor")
    assert (result.subtotal, result.tax, result.total) == (Decimal(999), Decimal(99), Decimal(1098))


@pytest.mark.parametrize(
    ("mode", "expected"), [("floor", Decimal("12.34")), ("half_up", Decimal("12.35")), ("ceil", Decimal("12.35"))]
)
def test_rounding_modes_to_the_cent(mode: str, expected: Decimal) -> None:
    assert round_money(Decimal("12.345"), "USD", mode) == expected


@pytest.mark.parametrize(("mode", "expected"), [("floor", 1234), ("half_up", 1235), ("ceil", 1235)])
def test_rounding_modes_to_the_yen(mode: str, expected: int) -> None:
    assert round_money(Decimal("1234.5"), "JPY", mode) == Decimal(expected)


def test_line_amount_is_exact_for_whole_products() -> None:
    assert line_amount(Decimal("12.25"), Decimal(40000), "JPY", "floor") == Decimal(490000)
    assert line_amount(Decimal("0.01"), Decimal(500), "USD", "floor") == Decimal("5.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("0.135", "0.14"), ("0.124", "0.12"), ("1.005", "1.01"), ("2", "2.00")],
)
def test_person_days_round_half_up_to_hundredths(value: str, expected: str) -> None:
    """Half-up, not Decimal's half-even (which gives 0.12 for 0.125): the one rule, whoever rounds."""
    assert round_person_days(Decimal(value)) == Decimal(expected)
    assert PhaseDays(requirements=Decimal(value)).requirements == Decimal(expected)


def test_value_types_round_person_days_half_up() -> None:
    phases = PhaseDays(requirements=Decimal("0.125"), basic_design=Decimal("0.135"))
    assert (phases.requirements, phases.basic_design) == (Decimal("0.13"), Decimal("0.14"))
    assert phases.with_total(Decimal("0.125")).total == Decimal("0.13")
    assert phases.with_phase(Phase.REQUIREMENTS, Decimal("0.125")).requirements == Decimal("0.13")


def test_unknown_currency_and_rate_out_of_range_are_refused() -> None:
    with pytest.raises(MoneyError):
        round_money(Decimal(1), "XYZ", "floor")
    with pytest.raises(MoneyError):
        totals([Decimal(1)], Decimal(101), "JPY", "floor")


hundredths = st.integers(min_value=1, max_value=50_000).map(lambda n: Decimal(n) / 100)
unit_costs = st.one_of(
    st.integers(min_value=1, max_value=200_000).map(Decimal),
    st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) / 100),
)


@given(
    days=st.lists(hundredths, min_size=1, max_size=40),
    unit_cost=unit_costs,
    tax_rate=st.integers(min_value=0, max_value=2500).map(lambda n: Decimal(n) / 100),
    currency=st.sampled_from(["JPY", "USD"]),
    rounding=st.sampled_from(["floor", "half_up", "ceil"]),
)
def test_every_total_reconciles(
    days: list[Decimal], unit_cost: Decimal, tax_rate: Decimal, currency: str, rounding: str
) -> None:
    lines = [
        EstimateLine(deliverable=f"d{i}", phases=PhaseDays(implementation=d), optimistic=d, pessimistic=d)
        for i, d in enumerate(days)
    ]
    priced = price(lines, Pricing(currency=currency, unit_cost=unit_cost, tax_rate=tax_rate, rounding=rounding))
    step = Decimal(1) if currency == "JPY" else Decimal("0.01")
    for item in priced.lines:
        exact = item.line.person_days * unit_cost
        assert abs(item.amount - exact) < step
        assert item.amount % step == 0
    assert priced.subtotal == sum(item.amount for item in priced.lines)
    assert priced.total == priced.subtotal + priced.tax
    assert abs(priced.tax - priced.subtotal * tax_rate / 100) < step
    assert priced.tax % step == 0
    assert all(isinstance(v, Decimal) for v in (priced.subtotal, priced.tax, priced.total))
