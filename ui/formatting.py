"""Numbers, money, person-days, dates and labels as the user's language writes them.

Pages never format by hand: one place decides that ¥1,234,567 / $1,234.50, 「12.5 人日」
/ "12.5 person-days" and 2026年11月26日 10:05 / Nov 26, 2026 10:05 read naturally.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from estimator.i18n import format_date, format_money, format_number
from ui.context import lang, tr


def money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, lang())


def number(value: Decimal | int | float, digits: int = 2) -> str:
    return format_number(value, lang(), digits)


def days(value: Decimal) -> str:
    """Person-days with their unit, e.g. 「12.5 人日」 / "12.5 person-days"."""
    return tr("units.person_days", value=number(value))


def usd(value: Decimal) -> str:
    """A model cost in US dollars, with the four decimals a single call needs."""
    return tr("units.usd", value=format_number(value, lang(), 4))


def day(value: date) -> str:
    """A calendar day, per locale."""
    return format_date(value, lang())


def when(moment: datetime) -> str:
    """A stored UTC time in the server's local time zone, date per locale plus hh:mm."""
    local = moment.astimezone()
    return f"{day(local.date())} {local:%H:%M}"


def phase(name: str) -> str:
    return tr(f"phase.{name}")


def origin(name: str) -> str:
    return tr(f"origin.{name}")
