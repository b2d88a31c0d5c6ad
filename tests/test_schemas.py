"""Value types: phase splits stay exact and non-negative, lines keep O ≤ M ≤ P, PERT adds up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from estimator.schemas import PHASES, EstimateLine, PhaseDays, Pricing, price

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
