"""Money, computed with Decimal only; the model never computes an amount.

Rules (the same ones the Excel export writes as formulas):
- line amount = person-days × unit cost, rounded to the currency's minor unit by
  the project's rounding mode (a no-op whenever the product is already whole, as
  with ¥40,000 or $500 per day and person-days in hundredths);
- subtotal = Σ line amounts;
- tax is computed once, on the subtotal (the Japanese qualified-invoice rule),
  and rounded by the same mode;
- total = subtotal + tax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CURRENCY_DIGITS: dict[str, int] = {"JPY": 0, "USD": 2}
ROUNDING_MODES: dict[str, str] = {"floor": ROUND_FLOOR, "half_up": ROUND_HALF_UP, "ceil": ROUND_CEILING}
PERSON_DAY_QUANTUM = Decimal("0.01")
# The largest unit cost per person-day accepted anywhere (settings, quick actions, chat, a model's answer).
MAX_UNIT_COST: dict[str, Decimal] = {"JPY": Decimal(10_000_000), "USD": Decimal(100_000)}
# Tax rates are percentages with at most two decimals (10, 8, 7.25).
TAX_RATE_QUANTUM = Decimal("0.01")


class MoneyError(ValueError):
    """An amount, rate or currency the rules cannot accept."""


def currency_digits(currency: str) -> int:
    try:
        return CURRENCY_DIGITS[currency]
    except KeyError:
        raise MoneyError(f"unsupported currency {currency!r}") from None


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_digits(currency))


def is_unit_cost(value: Decimal, currency: str) -> bool:
    """Whether `value` can be a unit cost in `currency`: finite, > 0, at most the cap, in whole minor units.

    ¥40,000.555 or $0.001 would print as an amount nobody can invoice, so they are refused, not rounded.
    """
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0 or value > MAX_UNIT_COST[currency]:
        return False
    return value == value.quantize(quantum(currency))


def is_tax_rate(value: Decimal) -> bool:
    """Whether `value` can be a tax rate in percent: finite, 0-100, at most two decimals (no 1e-30)."""
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 100:
        return False
    return value == value.quantize(TAX_RATE_QUANTUM)


def round_money(value: Decimal, currency: str, rounding: str) -> Decimal:
    """Round to the currency's minor unit by the named mode (floor | half_up | ceil)."""
    try:
        mode = ROUNDING_MODES[rounding]
    except KeyError:
        raise MoneyError(f"unsupported rounding {rounding!r}") from None
    return value.quantize(quantum(currency), rounding=mode)


def round_person_days(value: Decimal | int) -> Decimal:
    """Person-days rounded half-up to hundredths: the one rounding rule for effort, wherever it is computed.

    Half-up, not Decimal's default half-even, because that is what an estimator does by hand
    and what the engines always did (0.125 is 0.13, as 0.135 is 0.14); one rule means a value
    rounded by an engine, a value type or an adjustment cannot differ by a hundredth.
    """
    return Decimal(value).quantize(PERSON_DAY_QUANTUM, rounding=ROUND_HALF_UP)


def line_amount(days: Decimal, unit_cost: Decimal, currency: str, rounding: str) -> Decimal:
    return round_money(days * unit_cost, currency, rounding)


@dataclass(frozen=True)
class Totals:
    """What a quote shows under its lines."""

    subtotal: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


def totals(amounts: Iterable[Decimal], tax_rate: Decimal, currency: str, rounding: str) -> Totals:
    """Subtotal, tax on the subtotal (rate in percent) and total."""
    if tax_rate < 0 or tax_rate > 100:
        raise MoneyError(f"tax rate must be between 0 and 100 %, got {tax_rate}")
    subtotal = sum(amounts, Decimal(0)).quantize(quantum(currency))
    tax = round_money(subtotal * tax_rate / 100, currency, rounding)
    return Totals(subtotal=subtotal, tax_rate=tax_rate, tax=tax, total=subtotal + tax)


def largest_subtotal(total_cap: Decimal, tax_rate: Decimal, currency: str, rounding: str) -> Decimal:
    """The largest subtotal whose total with tax stays within `total_cap`: a 税込 budget as a pre-tax target.

    The tax is rounded once on the subtotal, so dividing by 1.1 can land one minor unit either side;
    a search on the minor units finds the exact boundary under the version's own rounding.
    """
    step = quantum(currency)
    low, high = 0, int(max(total_cap, Decimal(0)) / step)
    while low < high:
        middle = (low + high + 1) // 2
        if totals([middle * step], tax_rate, currency, rounding).total <= total_cap:
            low = middle
        else:
            high = middle - 1
    return low * step
