"""Locales: same keys in both languages, placeholders that match, locale formatting."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from estimator.i18n import catalog, format_date, format_money, format_number, t

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_ja_and_en_have_the_same_keys() -> None:
    ja, en = catalog("ja"), catalog("en")
    assert sorted(set(ja) - set(en)) == []
    assert sorted(set(en) - set(ja)) == []


def test_placeholders_match_between_languages() -> None:
    ja, en = catalog("ja"), catalog("en")
    mismatched = [k for k in ja if set(PLACEHOLDER.findall(ja[k])) != set(PLACEHOLDER.findall(en[k]))]
    assert mismatched == []


def test_no_empty_texts_except_affixes() -> None:
    """Only a prefix or suffix may be empty in one language (お見積金額 … （税込） has none in English)."""
    for lang in ("ja", "en"):
        empty = [k for k, v in catalog(lang).items() if not v.strip()]
        assert [k for k in empty if not k.endswith(("_suffix", "_prefix"))] == []


def test_t_fills_values_and_shows_missing_keys() -> None:
    assert t("errors.adjust.unknown_line", "en", line="API") == "There is no line named “API”."
    assert t("errors.adjust.unknown_line", "ja", line="API") == "「API」という明細はありません。"
    assert t("no.such.key", "ja") == "no.such.key"


def test_money_number_and_date_formats_per_locale() -> None:
    assert format_money(Decimal(1234567), "JPY", "ja") == "¥1,234,567"
    assert format_money(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert format_money(Decimal("1234.5"), "USD", "ja") == "$1,234.50"
    assert format_number(Decimal("12.50"), "ja") == "12.5"
    assert format_number(Decimal("1234"), "en", 0) == "1,234"
    assert format_date(date(2026, 11, 26), "ja") == "2026年11月26日"
    assert format_date(date(2026, 11, 26), "en") == "Nov 26, 2026"
