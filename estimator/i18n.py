"""Every user-visible string comes from `locales/{ja,en}.json` (flat dotted keys).

`t()` looks a key up and fills `{name}` placeholders; money, numbers and dates
are formatted per locale with Babel so ¥1,234,567 and $1,234.50 read naturally.

Plurals: "{count} proposal(s)" reads badly, so a message whose wording follows a number
keeps its general form under the plain `key` and adds the forms that differ under
`key.<CLDR plural category>`: English writes `key.one` ("1 proposal ready") beside `key`
("{count} proposals ready"); Japanese, which has no plural, writes only `key`. Callers pass
the number as `count` and `t()` picks the form the language's CLDR rule gives for it,
falling back to the plain key. A second number that needs its own agreement is passed as
a `Phrase` whose own `count` picks its form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal
from babel.plural import PluralRule

from estimator.money import currency_digits

Language = Literal["ja", "en"]
"""A language the app speaks: owned here, by the catalogs, so settings and value types take it from
i18n (which imports nothing of theirs) and there is no second spelling of it."""
LANGUAGES: tuple[Language, ...] = ("ja", "en")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
_BABEL_LOCALE = {"ja": "ja_JP", "en": "en_US"}


@cache
def catalog(lang: str) -> dict[str, str]:
    """The flat key → text mapping of one language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    with (LOCALES_DIR / f"{lang}.json").open(encoding="utf-8") as handle:
        texts: dict[str, str] = json.load(handle)
    return texts


@dataclass(frozen=True)
class Phrase:
    """A placeholder value that is itself a text: translated in whatever language fills it.

    An error raised deep in the domain (in the project's language context) may be shown in
    another language; a Phrase value follows the message instead of freezing the first one.
    """

    key: str
    values: Mapping[str, object] = field(default_factory=dict)


@cache
def _plural_form(lang: str) -> PluralRule:
    """The CLDR rule naming the plural form of a number: English 1 → "one", else "other"; Japanese always "other"."""
    return Locale.parse(_BABEL_LOCALE[lang]).plural_form


def _text(key: str, lang: str, count: object) -> str | None:
    """The form of `key` that `count` calls for, else its plain text (see the module docstring)."""
    texts = catalog(lang)
    if isinstance(count, int | Decimal) and (form := _plural_form(lang)(count)) != "other":
        return texts.get(f"{key}.{form}", texts.get(key))
    return texts.get(key)


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` (the plural form `count` calls for); a missing key shows itself so it is noticed."""
    text = _text(key, lang, values.get("count"))
    if text is None:
        return key
    if not values:
        return text
    filled = {name: t(v.key, lang, **v.values) if isinstance(v, Phrase) else v for name, v in values.items()}
    try:
        return text.format(**filled)
    except (KeyError, IndexError, ValueError):
        return text


def has_key(key: str, lang: str) -> bool:
    return key in catalog(lang)


def format_money(amount: Decimal, currency: str, lang: str) -> str:
    """¥1,234,567 / $1,234.50 — always the currency's own number of decimals."""
    digits = currency_digits(currency)
    pattern = "¤#,##0" if digits == 0 else "¤#,##0.00"
    text = format_currency(amount, currency, format=pattern, locale=_BABEL_LOCALE[lang], currency_digits=False)
    return text.replace("￥", "¥")


def format_number(value: Decimal | int | float, lang: str, digits: int = 2) -> str:
    """A number with grouping and at most `digits` decimals (trailing zeros dropped)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_BABEL_LOCALE[lang])


def format_person_days(value: Decimal, lang: str) -> str:
    """Person-days with their unit: 「12.5 人日」, "12.5 person-days", "1 person-day".

    The plural follows the figure as shown (two decimals, trailing zeros dropped): 1.00 reads "1 person-day".
    """
    shown = value.quantize(Decimal("0.01")).normalize()
    return t("units.person_days", lang, value=format_number(value, lang), count=shown)


def format_date(value: date, lang: str) -> str:
    """2026年11月26日 / Nov 26, 2026."""
    return babel_format_date(value, format="long" if lang == "ja" else "medium", locale=_BABEL_LOCALE[lang])
