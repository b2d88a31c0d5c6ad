"""What counts as visible text: names made of characters that show nothing are empty."""

from __future__ import annotations

import unicodedata

import pytest

from estimator.text import is_blank, visible


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \t\r\n",
        "\u200b",
        "\u200c\u200d\u2060\ufeff\u00ad",
        "\u00a0\u3000\u2002\u2003\u2009\u202f\u205f",
        "\u2028\u2029",
        "\x00\x1f\x7f\x85\x9f",
        "\u200e\u200f\u202a\u202c",
        "\u3164\uffa0\u115f\u1160\u034f\u2800",
    ],
)
def test_text_that_shows_nothing_is_blank(text: str) -> None:
    assert is_blank(text)
    assert visible(text) == ""


def test_nfkc_alone_keeps_the_zero_width_characters() -> None:
    """Why `visible` exists: the normalisation that compares names leaves these in."""
    for char in "\u200b\u200d\u2060\ufeff\u00ad":
        assert unicodedata.normalize("NFKC", f"API{char}").strip() != "API"
        assert visible(unicodedata.normalize("NFKC", f"API{char}")) == "API"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeff\u200bログイン画面\u200b\u3000", "ログイン画面"),
        ("  API設計 ", "API設計"),
        ("ログ\u200bイン", "ログ\u200bイン"),
        ("\U0001f468\u200d\U0001f4bb", "\U0001f468\u200d\U0001f4bb"),
        ("葛\U000e0100", "葛\U000e0100"),
        ("\u00adSoft\u00adware\u00ad", "Soft\u00adware"),
    ],
    ids=["ends", "spaces", "inside stays", "emoji sequence", "ideographic variation selector", "soft hyphens"],
)
def test_visible_trims_only_the_ends(text: str, expected: str) -> None:
    assert visible(text) == expected
    assert not is_blank(text)


def test_a_typed_deliverable_of_invisible_characters_is_refused() -> None:
    import pydantic

    from estimator.schemas import Deliverable, name_key

    with pytest.raises(pydantic.ValidationError):
        Deliverable(name="\u200b\u3000")
    assert Deliverable(name="\ufeff ログイン\u200b").name == "ログイン"
    assert name_key("ログイン\u200b") == name_key("ログイン")
