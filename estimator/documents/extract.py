"""Text out of an RFP (提案依頼書): PDF, Word, Excel, Markdown or plain text, as blocks with their place.

Each format is read by its maintained library (pypdf, python-docx, openpyxl through the upload gate
of `estimator.excel.reader`) into `Block`s: a heading, a list item, a table row or a paragraph, each
with the page (PDF) and the section heading it sits under, so a proposed deliverable can point back
to the text it came from. An upload is untrusted: its size, page count, unpacked size and extracted
text are bounded, and every refusal is one `InvalidInputError` under `errors.document.` (a scanned
PDF without a text layer, an encrypted one, a decompression bomb, a file that is not what its name
says). No OCR: a scan gets a message saying so.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from estimator.errors import InvalidInputError
from estimator.excel.reader import Table, check_package_sizes, read_tables
from estimator.text import visible

MAX_PAGES = 300
MAX_TEXT_CHARS = 1_000_000
MIN_TEXT_CHARS_PER_PAGE = 8
"""Below this many characters per page on average, a PDF has no text layer: a scan."""
DOCUMENT_TYPES = (".pdf", ".docx", ".xlsx", ".md", ".markdown", ".txt")


class BlockKind(StrEnum):
    HEADING = "heading"
    ITEM = "item"
    ROW = "row"
    PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Block:
    """One piece of the document: `cells` for a table row (the header row first, `header` True)."""

    kind: BlockKind
    text: str
    page: int | None = None
    section: str = ""
    level: int = 0
    cells: tuple[str, ...] = ()
    header: bool = False
    table: int | None = None


@dataclass(frozen=True)
class Extracted:
    blocks: tuple[Block, ...]
    pages: int | None


_BULLET = re.compile(
    r"^\s*(?:[・\-*•●○◆◇■□▪‣–—]|\(?\d{1,3}[).）]|[①-⑳]|[a-zA-Z][).]|[（(][0-9０-９一二三四五六七八九十]+[）)])\s*"
)
_NUMBERED_HEADING = re.compile(
    r"^\s*(?:第[0-9０-９一二三四五六七八九十]+[章節部]|[0-9０-９]+(?:[.．][0-9０-９]+)*[.．]?\s|[0-9０-９]+(?:[.．][0-9０-９]+)+|"
    r"【[^】]{1,30}】|■|chapter\s+\d+|section\s+\d+)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[。．.!?！？:：]$")


def extract(data: bytes, filename: str, *, max_bytes: int) -> Extracted:
    """The blocks of an uploaded document; InvalidInputError when it cannot or must not be read."""
    if not data:
        raise InvalidInputError("errors.document.empty", filename=filename)
    if len(data) > max_bytes:
        raise InvalidInputError(
            "errors.document.too_large", f"{len(data)} bytes", filename=filename, limit_mb=f"{max_bytes / 1048576:g}"
        )
    extension = PurePath(filename).suffix.lower()
    if extension == ".pdf":
        blocks, pages = _pdf(data, filename)
    elif extension == ".docx":
        blocks, pages = _docx(data, filename), None
    elif extension == ".xlsx":
        blocks, pages = _xlsx(data, filename, max_bytes), None
    elif extension in (".md", ".markdown", ".txt"):
        blocks, pages = list(_lines(_decode(data, filename).splitlines(), markdown=extension != ".txt")), None
    else:
        raise InvalidInputError(
            "errors.document.unsupported", extension, filename=filename, types=", ".join(DOCUMENT_TYPES)
        )
    characters = sum(len(block.text) for block in blocks)
    if characters > MAX_TEXT_CHARS:
        raise InvalidInputError(
            "errors.document.too_much_text", str(characters), filename=filename, limit=MAX_TEXT_CHARS
        )
    if not blocks:
        raise InvalidInputError("errors.document.no_text", filename=filename)
    return Extracted(tuple(_sectioned(blocks)), pages)


def _unsupported(extension: str, filename: str) -> InvalidInputError:
    return InvalidInputError(
        "errors.document.unsupported", extension, filename=filename, types=", ".join(DOCUMENT_TYPES)
    )


def _decode(data: bytes, filename: str) -> str:
    if b"\x00" in data[:4096]:
        raise InvalidInputError("errors.document.not_text", filename=filename)
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInputError("errors.document.not_text", filename=filename)


def _sectioned(blocks: Iterable[Block]) -> Iterator[Block]:
    """Every block with the heading it sits under (a heading is its own section)."""
    section = ""
    for block in blocks:
        if block.kind is BlockKind.HEADING:
            section = block.text
        yield replace(block, section=section)


def _lines(lines: Iterable[str], *, markdown: bool, page: int | None = None) -> Iterator[Block]:
    """Plain lines (a page of a PDF, a .txt or .md file) as headings, items, table rows and paragraphs."""
    table = 0
    in_table = False
    for raw in lines:
        line = visible(raw).strip()
        if not line:
            in_table = False
            continue
        if markdown and line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            yield Block(BlockKind.HEADING, line.lstrip("#").strip(), page, level=level)
            in_table = False
        elif markdown and line.startswith("|"):
            cells = tuple(cell.strip() for cell in line.strip("|").split("|"))
            if all(re.fullmatch(r":?-{2,}:?", cell) for cell in cells if cell):
                continue
            if not in_table:
                table += 1
            yield Block(BlockKind.ROW, " / ".join(cells), page, cells=cells, header=not in_table, table=table)
            in_table = True
        elif "\t" in raw.strip() and not markdown:
            cells = tuple(cell.strip() for cell in raw.strip().split("\t"))
            if not in_table:
                table += 1
            yield Block(BlockKind.ROW, " / ".join(cells), page, cells=cells, header=not in_table, table=table)
            in_table = True
        elif _BULLET.match(line) and not _is_heading(line):
            yield Block(BlockKind.ITEM, _BULLET.sub("", line, count=1).strip(), page)
            in_table = False
        elif _is_heading(line):
            yield Block(BlockKind.HEADING, line, page, level=_level(line))
            in_table = False
        else:
            yield Block(BlockKind.PARAGRAPH, line, page)
            in_table = False


def _level(line: str) -> int:
    """How deep a numbered heading sits: 「2.」 and 第2章 are 1, 「2.1」 2, 「2.1.3」 3; a bracketed one 2."""
    numbered = re.match(r"\s*[0-9０-９]+((?:[.．][0-9０-９]+)*)", line)
    if numbered:
        return 1 + len(re.findall(r"[.．][0-9０-９]", numbered.group(1)))
    return 1 if re.match(r"\s*(?:第|chapter|section)", line, re.IGNORECASE) else 2


def _is_heading(line: str) -> bool:
    """A numbered or bracketed short line with no sentence end: 「2. 機能要件」, 「【画面一覧】」, "3.1 Screens"."""
    return bool(_NUMBERED_HEADING.match(line)) and len(line) <= 40 and not _SENTENCE_END.search(line)


def _pdf(data: bytes, filename: str) -> tuple[list[Block], int]:
    import pypdf
    from pypdf.errors import LimitReachedError, PyPdfError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InvalidInputError("errors.document.not_pdf", filename=filename)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidInputError("errors.document.encrypted", filename=filename)
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise InvalidInputError("errors.document.too_many_pages", str(pages), filename=filename, limit=MAX_PAGES)
        blocks: list[Block] = []
        characters = 0
        for number, page in enumerate(reader.pages, start=1):
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()  # raises LimitReachedError on a bomb, which extract_text would swallow
            text = page.extract_text() or ""
            characters += len(text.strip())
            if characters > MAX_TEXT_CHARS:
                raise InvalidInputError(
                    "errors.document.too_much_text", str(characters), filename=filename, limit=MAX_TEXT_CHARS
                )
            blocks.extend(_lines(text.splitlines(), markdown=False, page=number))
    except InvalidInputError:
        raise
    except (LimitReachedError, MemoryError) as error:  # pypdf bounds every decompression at 75 MB
        raise InvalidInputError("errors.document.bomb", str(error), filename=filename) from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as error:
        raise InvalidInputError("errors.document.unreadable", str(error), filename=filename) from None
    if pages and characters < MIN_TEXT_CHARS_PER_PAGE * pages:
        raise InvalidInputError("errors.document.scanned", f"{characters} characters", filename=filename, pages=pages)
    return blocks, pages


def _docx(data: bytes, filename: str) -> list[Block]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_package_sizes(package.infolist())
            if "word/document.xml" not in package.namelist():
                raise InvalidInputError("errors.document.not_docx", filename=filename)
    except zipfile.BadZipFile:
        raise InvalidInputError("errors.document.not_docx", filename=filename) from None
    try:
        document = docx.Document(io.BytesIO(data))
        return _docx_blocks(document)
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, IndexError, zipfile.BadZipFile) as error:
        raise InvalidInputError("errors.document.unreadable", str(error), filename=filename) from None
    except SyntaxError as error:  # lxml's XMLSyntaxError: a part that is not well-formed XML
        raise InvalidInputError("errors.document.unreadable", str(error), filename=filename) from None


def _docx_blocks(document: Any) -> list[Block]:
    """A Word body in order: headings and list items by their style, paragraphs, and each table's rows."""
    blocks: list[Block] = []
    body = document.element.body
    tables = iter(document.tables)
    paragraphs = iter(document.paragraphs)
    table_number = 0
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        paragraph = next(paragraphs, None) if tag == "p" else None
        table = next(tables, None) if tag == "tbl" else None
        if paragraph is not None:
            blocks.extend(_paragraph(paragraph.text, paragraph.style.name if paragraph.style is not None else ""))
        elif table is not None:
            table_number += 1
            for index, row in enumerate(table.rows):
                cells = _unique_cells(visible(cell.text).strip() for cell in row.cells)
                if any(cells):
                    blocks.append(
                        Block(BlockKind.ROW, " / ".join(cells), cells=cells, header=index == 0, table=table_number)
                    )
    return blocks


def _unique_cells(cells: Iterable[str]) -> tuple[str, ...]:
    """A row's cells, a merged cell (python-docx repeats it) counted once."""
    seen: list[str] = []
    for cell in cells:
        if not seen or cell != seen[-1]:
            seen.append(cell)
    return tuple(seen)


def _paragraph(text: str, style: str) -> list[Block]:
    line = visible(text).strip()
    if not line:
        return []
    heading = re.match(r"(?:heading|見出し)\s*(\d)", style, re.IGNORECASE)
    if heading or style.lower() == "title":
        return [Block(BlockKind.HEADING, line, level=int(heading.group(1)) if heading else 0)]
    if "list" in style.lower() or "箇条書き" in style:
        return [Block(BlockKind.ITEM, _BULLET.sub("", line, count=1).strip())]
    return list(_lines([line], markdown=False))


def _xlsx(data: bytes, filename: str, max_bytes: int) -> list[Block]:
    def tables(sheets: Iterator[Table]) -> list[Block]:
        blocks: list[Block] = []
        for number, sheet in enumerate(sheets, start=1):
            rows = [cells for _row, values in sheet.rows if any(cells := _cells(values))]
            if rows and sheet.name:  # the sheet's name is the section its rows sit in
                blocks.append(Block(BlockKind.HEADING, sheet.name, level=1))
            for index, cells in enumerate(rows):
                blocks.append(Block(BlockKind.ROW, " / ".join(cells), cells=cells, header=index == 0, table=number))
        return blocks

    def not_a_table(_records: object, _encoding: str) -> list[Block]:
        raise InvalidInputError(
            "errors.document.unsupported", ".csv", filename=filename, types=", ".join(DOCUMENT_TYPES)
        )

    return read_tables(data, filename, max_bytes=max_bytes, csv=not_a_table, workbook=tables)


def _cells(values: Sequence[object]) -> tuple[str, ...]:
    cells = [visible("" if value is None else str(value)).strip() for value in values]
    while cells and not cells[-1]:
        cells.pop()
    return tuple(cells)
