"""Locales: the same messages in both languages, placeholders that match, plural forms, locale formatting."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from babel import Locale

from estimator.i18n import (
    LANGUAGES,
    Phrase,
    catalog,
    format_date,
    format_money,
    format_number,
    format_person_days,
    t,
)

PLACEHOLDER = re.compile(r"{(\w+)}")


def plural_forms(lang: str) -> dict[str, str]:
    """Each plural form key of `lang` (`key.one` in English; none in Japanese) → its message's plain key.

    A form is named by a CLDR category of the language's own rule, so `offline.option.integrations.few`
    (an answer option) is no form in English, whose rule knows only "one" beside "other".
    """
    tags = Locale.parse(lang).plural_form.tags
    return {key: key.rpartition(".")[0] for key in catalog(lang) if key.rpartition(".")[2] in tags}


def message_keys(lang: str) -> set[str]:
    """The keys callers pass: `key.one` is a form of message `key`, not a message of its own."""
    return set(catalog(lang)) - set(plural_forms(lang))


def test_ja_and_en_have_the_same_messages() -> None:
    ja, en = message_keys("ja"), message_keys("en")
    assert sorted(ja - en) == []
    assert sorted(en - ja) == []


def test_english_writes_plural_forms_and_japanese_none() -> None:
    assert plural_forms("en") and not plural_forms("ja")


def test_every_plural_form_has_its_plain_key_and_only_its_placeholders() -> None:
    for lang in LANGUAGES:
        texts = catalog(lang)
        assert [form for form, plain in plural_forms(lang).items() if plain not in texts] == []
        extra = [
            form
            for form, plain in plural_forms(lang).items()
            if not set(PLACEHOLDER.findall(texts[form])) <= set(PLACEHOLDER.findall(texts[plain]))
        ]
        assert extra == []


def test_placeholders_match_between_languages() -> None:
    ja, en = catalog("ja"), catalog("en")
    mismatched = [k for k in message_keys("ja") if set(PLACEHOLDER.findall(ja[k])) != set(PLACEHOLDER.findall(en[k]))]
    assert mismatched == []


def test_no_english_text_hedges_a_plural() -> None:
    assert [key for key, text in catalog("en").items() if "(s)" in text or "(es)" in text] == []


def test_the_count_picks_the_english_form_and_japanese_has_one() -> None:
    assert t("workflow.proposals_ready", "en", count=1, titles="A") == "1 proposal ready:\nA"
    assert t("workflow.proposals_ready", "en", count=2, titles="A\nB") == "2 proposals ready:\nA\nB"
    assert t("workflow.proposals_ready", "en", count=0, titles="") == "0 proposals ready:\n"
    assert t("questions.generated", "en", count=Decimal(1)) == "1 question is ready."
    assert t("questions.generated", "en") == "{count} questions are ready.", "no count: the plain (other) form"
    assert t("workflow.proposals_ready", "ja", count=1, titles="A") == "1 件の調整案を作成しました:\nA"
    assert t("workflow.proposals_ready", "ja", count=3, titles="A") == "3 件の調整案を作成しました:\nA"


def test_a_phrase_value_picks_its_own_form() -> None:
    def replace(rows: int, count: int, lang: str) -> str:
        return t("deliverables.upload.replace", lang, count=count, rows=Phrase("units.rows", {"count": rows}))

    assert replace(1, 1, "en") == "Replace the 1 row with this one"
    assert replace(3, 1, "en") == "Replace the 3 rows with this one"
    assert replace(1, 4, "en") == "Replace the 1 row with these 4"
    assert replace(3, 4, "ja") == "表の 3 行を 4 件で置き換える"


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


@pytest.mark.parametrize(
    ("days", "en", "ja"),
    [
        (Decimal("1.00"), "1 person-day", "1 人日"),
        (Decimal("1"), "1 person-day", "1 人日"),
        (Decimal("1.5"), "1.5 person-days", "1.5 人日"),
        (Decimal("0.25"), "0.25 person-days", "0.25 人日"),
        (Decimal("1200"), "1,200 person-days", "1,200 人日"),
    ],
)
def test_person_days_agree_with_the_figure_shown(days: Decimal, en: str, ja: str) -> None:
    assert (format_person_days(days, "en"), format_person_days(days, "ja")) == (en, ja)
