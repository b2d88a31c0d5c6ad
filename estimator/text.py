"""Text as the user sees it: characters that show nothing do not make a name.

A cell or a typed field can hold characters that render as nothing: zero-width
spaces (U+200B) pasted from web pages or chat, joiners (U+200C, U+200D), the word
joiner (U+2060), a stray byte-order mark (U+FEFF), soft hyphens (U+00AD), no-break
and ideographic spaces (U+00A0, U+3000), control characters. `str.strip` removes
only the spaces among them, and NFKC does not help either: it turns the no-break
and ideographic spaces into plain spaces but leaves U+200B, U+200D, U+2060, U+FEFF
and U+00AD as they are. So a name made of them looked filled in and was accepted.
"""

from __future__ import annotations

import unicodedata

# Controls (Cc), format characters (Cf: zero-width spaces and joiners, word joiner, BOM, soft hyphen,
# direction marks) and separators (Zs: every space incl. U+00A0 and U+3000; Zl, Zp: line and paragraph).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Blanks filed under other categories, known from "invisible" user names: the Hangul fillers (Lo),
# the combining grapheme joiner (Mn) and the blank braille pattern (So).
_INVISIBLE_OTHERS = frozenset("\u115f\u1160\u3164\uffa0\u034f\u2800")


def is_invisible(char: str) -> bool:
    """Whether one character shows nothing on its own (a space counts: it shows no mark)."""
    return char in _INVISIBLE_OTHERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def visible(text: str) -> str:
    """`text` without invisible characters at either end.

    Inside the text they stay: a zero-width joiner there builds an emoji sequence or
    shapes a script, and spaces between words are the user's.
    """
    start, end = 0, len(text)
    while start < end and is_invisible(text[start]):
        start += 1
    while end > start and is_invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(text: str) -> bool:
    """Whether `text` shows nothing at all: empty, or only spaces and invisible characters."""
    return not visible(text)


def reading_form(text: str) -> str:
    """NFKC and lower case, so ＡＰＩ, ３０万円 and ％ read like API, 30万円 and %: the form rules match against."""
    return unicodedata.normalize("NFKC", text).casefold()


_SENTENCE_GAP = {"ja": "", "en": " "}


def sentences(parts: list[str], lang: str) -> str:
    """Sentences as one text: Japanese runs them on after 。, English leaves a space after the full stop."""
    return _SENTENCE_GAP[lang].join(parts)
