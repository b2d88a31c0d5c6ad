"""The 見積書 as a PDF: the same `QuoteDocument` as the workbook, on A4, with the same numbers.

Built with fpdf2: pure Python, no system libraries beyond a font, and fast (a 200-line quote in well
under a second), where WeasyPrint needs Pango and ReportLab cannot embed the CFF outlines of Noto Sans
CJK. Text is real text in an embedded, subset TrueType font (IPAex Gothic, or any TrueType Japanese
font `find_font` finds), so the quote is selectable and searchable and its amounts can be read back.

Every figure is printed as `estimator.money` computed it (`schemas.price`): line amounts, the subtotal,
the tax, computed once per rate on the document, and the total. The invoice items that apply to a
quote are shown: the issuer's registration number (登録番号), the tax rate, and the subtotal and tax
per rate.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from estimator.errors import InvalidInputError
from estimator.excel.quote import QuoteDocument

FONT_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),  # Debian fonts-ipaexfont-gothic
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
    Path("/usr/share/fonts/ipa-gothic/ipag.ttf"),  # Amazon Linux / Fedora ipa-gothic-fonts
    Path("/usr/share/fonts/ipa-gothic-fonts/ipag.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
)
"""TrueType Japanese fonts, first found wins. TrueType (not the CFF outlines of Noto Sans CJK) because
text extractors such as pypdf read a TrueType subset's text back exactly."""


def find_font(configured: str = "") -> Path:
    """The font file to embed: the configured one, a known TrueType Japanese font, or what fontconfig offers.

    Raises InvalidInputError with the install command when there is none, so the page and the CLI say how
    to fix it instead of failing.
    """
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        raise InvalidInputError("errors.pdf.font_missing", configured, path=configured)
    for path in FONT_CANDIDATES:
        if path.is_file():
            return path
    found = _fontconfig_truetype()
    if found is not None:
        return found
    raise InvalidInputError("errors.pdf.no_font", path="")


@cache
def _fontconfig_truetype() -> Path | None:
    """A TrueType Japanese font fontconfig lists; asked once per process, not on every page run."""
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=ja", "file"], capture_output=True, text=True, timeout=5, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.split(":", 1)[0].strip() for line in listed.splitlines())
    return next((Path(name) for name in files if name.lower().endswith(".ttf")), None)


def build_quote_pdf(doc: QuoteDocument, font: Path) -> bytes:
    """The quote as PDF bytes, in the document's language, with `font` embedded (`estimator.pdf.render`)."""
    from estimator.pdf.render import quote_pdf

    return quote_pdf(doc, font)
