"""Numbers, money, person-days, dates and labels as the user's language writes them.

Pages never format by hand: one place decides that ¥1,234,567 / $1,234.50, 「12.5 人日」
/ "12.5 person-days" and 2026年11月26日 10:05 / Nov 26, 2026 10:05 read naturally.

Stored identifiers (an engine name, a version origin, a call's kind, status or error key)
never reach the screen as they are: the `*_label` functions below name them in the given
language, and a value they do not know reads as a generic label, never as a key.
"""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from decimal import Decimal

from estimator.i18n import catalog, format_date, format_money, format_number, format_person_days, has_key, t
from estimator.schemas import OFFLINE_MODEL, Author
from ui.context import lang, settings, tr

# Engines recorded by name that are not models; any other engine name is the OpenAI-compatible model's.
_ENGINE_KEYS = {
    OFFLINE_MODEL: "engine.offline",
    Author.QUICK_ACTION: "engine.quick_action",
    Author.MANUAL: "engine.manual",
}
# A stored error shaped like a locale key this build does not have (an older or newer one): never shown.
_LOCALE_KEY = re.compile(r"[a-z_]+(\.[a-z_]+)+")


def money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, lang())


def number(value: Decimal | int | float, digits: int = 2) -> str:
    return format_number(value, lang(), digits)


def days(value: Decimal) -> str:
    """Person-days with their unit, e.g. 「12.5 人日」 / "12.5 person-days"."""
    return format_person_days(value, lang())


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


def engine_label(name: str, language: str) -> str:
    """Who made a version or a proposal: 「オフライン（内蔵エンジン）」, "OpenAI (gpt-4o-mini)", a quick action …"""
    key = _ENGINE_KEYS.get(name)
    return t(key, language) if key else t("engine.openai", language, model=name)


def engine_in_use() -> str:
    """The engine this server estimates with, in the session's language."""
    return engine_label(settings().engine_name, lang())


def origin_label(origin: str, language: str) -> str:
    """How a version came to be (generated, adjusted, edited, restored)."""
    return _label(f"origin.{origin}", language, "origin.unknown")


def call_kind_label(kind: str, language: str) -> str:
    """What a recorded model call was for (questions, estimate, adjust)."""
    return _label(f"usage.kind.{kind}", language, "usage.kind.unknown")


def call_status_label(status: str, language: str) -> str:
    """ok / error / timeout; a status this build does not know was no success, so it reads as an error."""
    return _label(f"usage.status.{status}", language, "usage.status.error")


def call_error_label(stored: str, language: str) -> tuple[str, str]:
    """A recorded call error as (message, technical detail).

    Calls store `errors.…` keys, `key: detail` or an engine's own text, but not the message
    values, so a known message shows "…" where a value went; an unknown key, or plain text,
    reads as a generic message, the text (never a key) kept as the detail.
    """
    key, _, detail = stored.partition(": ")
    if has_key(key, language):
        names = {name for _, name, _, _ in string.Formatter().parse(catalog(language)[key]) if name}
        return t(key, language, **dict.fromkeys(names, "…")), detail
    unknown = t("usage.engine.error_unknown", language)
    return (unknown, detail) if _LOCALE_KEY.fullmatch(key) else (unknown, stored)


def _label(key: str, language: str, fallback: str) -> str:
    """The text of `key`, or of the generic `fallback` when a stored value has no label of its own."""
    return t(key if has_key(key, language) else fallback, language)
