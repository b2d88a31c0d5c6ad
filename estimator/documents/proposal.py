"""Proposed deliverables out of an RFP's blocks, offline: what a reader of the document would list.

Deliverables come from the parts of the document that name things to build:

- the sections whose heading says so (機能要件, 画面一覧, 帳票, 外部連携, バッチ, データ移行, 成果物,
  開発範囲; "Functional requirements", "Screens", "Reports", "Interfaces", "Deliverables", "Scope"):
  each numbered or bulleted item is one, split into a name and a description at 「：」 or ":"; a
  sub-heading with only prose under it is one, its prose the description;
- when no section says so, the list items that name a unit to build (画面, 帳票, 連携, "screen", "report");
- tables whose header names things (画面名, 帳票名, 機能名, 連携先, 名称; "Screen", "Report", "Name",
  "Feature"): each row is one, its other cells the description;
- never a section about the project rather than the system (背景, 目的, 非機能要件, 体制, スケジュール,
  予算, 提出, 評価; background, schedule, budget, non-functional, submission).

Everything else becomes the system requirements text, headings kept, so nothing of the document is
dropped. Each proposal keeps its source: page (PDF), section and the text it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from estimator.documents.extract import Block, BlockKind, Extracted
from estimator.schemas import (
    DESCRIPTION_LIMIT,
    MAX_DELIVERABLES,
    NAME_LIMIT,
    DeliverableDraft,
    DocumentSource,
    ProposedDeliverable,
    name_key,
)
from estimator.text import reading_form

_OFF_SCOPE = re.compile(
    r"非機能|性能|可用性|セキュリティ|信頼性|運用|保守|体制|スケジュール|日程|工程表|納期|予算|費用|契約|提出|提案書|評価|選定|"
    r"背景|目的|概要|前提|制約|問い合わせ|連絡先|用語|会社|"
    r"non-?functional|performance|availability|security|reliability|operations?|maintenance|schedule|timeline|"
    r"budget|cost|contract|submission|proposals?\b|evaluation|selection|background|purpose|overview|"
    r"introduction|assumptions|constraints|contacts?|glossary|about us|company"
)
_IN_SCOPE = re.compile(
    r"機能|画面|帳票|レポート|外部連携|連携|インター?フェー?ス|api|バッチ|データ移行|移行|成果物|納品物|開発範囲|対象範囲|作業範囲|"
    r"スコープ|開発対象|システム構成|要件|要望|"
    r"functional|features?|functions?|screens?|pages?|reports?|interfaces?|integrations?|batch|jobs?|migration|"
    r"deliverables|scope|modules?|components?|requirements|capabilities"
)
_UNIT_WORDS = re.compile(
    r"画面|ページ|帳票|レポート|連携|インター?フェー?ス|api|バッチ|機能|移行|マニュアル|設計書|フォーム|取込|取り込み|"
    r"csv|出力|一覧|登録|検索|管理|"
    r"(?<![a-z])(?:screens?|pages?|reports?|interfaces?|integrations?|api|batch|jobs?|features?|migration|"
    r"dashboards?|forms?|portal|manuals?|notifications?)(?![a-z])"
)
_NAME_COLUMNS = re.compile(
    r"^(?:画面名?|帳票名?|機能名?|機能|if名|インター?フェー?ス名?|連携先|連携名|バッチ名?|ジョブ名?|成果物名?|名称|項目名?|対象|"
    r"name|screens?|reports?|interfaces?|features?|functions?|deliverables?|items?|jobs?|modules?|pages?)(?:\s*名)?$"
)
_SPLIT = re.compile(r"\s*(?:[：:]|\s[-–—]\s)\s*")
_CLAUSE = re.compile(r"[、。,.;；（(]")
NAME_CHARS = 40


def _classify(heading: str) -> bool | None:
    """True: a section that names things to build; False: one about the project; None: neither."""
    text = reading_form(heading)
    if _OFF_SCOPE.search(text) and not re.search(r"^[^非]*機能要件", text):
        return False
    if _IN_SCOPE.search(text):
        return True
    return None


def _split(text: str) -> tuple[str, str]:
    """「ログイン画面：ID/パスワード認証」 → (ログイン画面, ID/パスワード認証); a long item keeps its first clause."""
    parts = _SPLIT.split(text, maxsplit=1)
    if len(parts) == 2 and 0 < len(parts[0]) <= NAME_CHARS:
        return parts[0].strip(), parts[1].strip()
    if len(text) <= NAME_CHARS:
        return text.strip(), ""
    first = _CLAUSE.split(text, maxsplit=1)[0].strip()
    return (first if 0 < len(first) <= NAME_CHARS else text[:NAME_CHARS].strip()), text.strip()


def _source(block: Block, text: str | None = None) -> DocumentSource:
    return DocumentSource(page=block.page, section=block.section, excerpt=(text or block.text)[:300])


def propose(document: Extracted, engine: str) -> DeliverableDraft:
    """The deliverables the document names, each with its source, and the rest as requirements text."""
    proposed: list[tuple[int, ProposedDeliverable]] = []
    used: set[int] = set()
    blocks = document.blocks
    scope: bool | None = None
    top_level = 99
    for index, block in enumerate(blocks):
        if block.kind is BlockKind.HEADING:
            kind = _classify(block.text)
            if block.level <= top_level:  # a section of its own: it decides (or, unnamed, ends the last one)
                scope, top_level = kind, block.level if kind is not None else 99
            elif kind is False:  # 「2.4 非機能」 inside a section that names things
                scope, top_level = False, block.level
            nested = block.level > top_level or kind is None
            if scope and nested and kind is not False and _prose_only(blocks, index):
                description = " ".join(b.text for b in _under(blocks, index))
                name = _split(block.text)[0]
                proposed.append((index, ProposedDeliverable(name, description, _source(block))))
                used.add(index)
                used.update(range(index + 1, index + 1 + len(_under(blocks, index))))
            continue
        if index in used:
            continue
        if block.kind is BlockKind.ITEM and scope:
            name, description = _split(block.text)
            proposed.append((index, ProposedDeliverable(name, description, _source(block))))
            used.add(index)
        elif block.kind is BlockKind.PARAGRAPH and scope and _SPLIT.search(block.text):
            name, description = _split(block.text)
            if description and len(name) <= NAME_CHARS // 2:
                proposed.append((index, ProposedDeliverable(name, description, _source(block))))
                used.add(index)
    proposed += _table_rows(blocks, used)
    if not proposed:  # no section says "functions" or "screens": the items that name a thing to build
        proposed = _named_items(blocks, used)
    in_order = [item for _, item in sorted(proposed, key=lambda pair: pair[0])]
    return DeliverableDraft(
        items=tuple(_unique(in_order))[:MAX_DELIVERABLES],
        requirements=_requirements(blocks, used),
        pages=document.pages,
        engine=engine,
    )


def _named_items(blocks: Sequence[Block], used: set[int]) -> list[tuple[int, ProposedDeliverable]]:
    """List items naming a unit to build (画面, 帳票, 連携, "screen", "report" …) outside the sections about
    the project: a document with no section for its functions still lists them somewhere."""
    found: list[tuple[int, ProposedDeliverable]] = []
    for index, block in enumerate(blocks):
        if block.kind is not BlockKind.ITEM or _classify(block.section) is False:
            continue
        name, description = _split(block.text)
        if _UNIT_WORDS.search(reading_form(name)):
            found.append((index, ProposedDeliverable(name, description, _source(block))))
            used.add(index)
    return found


def _under(blocks: Sequence[Block], heading: int) -> list[Block]:
    """The blocks after a heading, up to the next heading."""
    found: list[Block] = []
    for block in blocks[heading + 1 :]:
        if block.kind is BlockKind.HEADING:
            break
        found.append(block)
    return found


def _prose_only(blocks: Sequence[Block], heading: int) -> bool:
    under = _under(blocks, heading)
    return bool(under) and all(block.kind is BlockKind.PARAGRAPH for block in under)


def _table_rows(blocks: Sequence[Block], used: set[int]) -> list[tuple[int, ProposedDeliverable]]:
    """Rows of tables whose header names things, outside the sections about the project."""
    found: list[tuple[int, ProposedDeliverable]] = []
    header: tuple[str, ...] = ()
    column: int | None = None
    for index, block in enumerate(blocks):
        if block.kind is not BlockKind.ROW:
            continue
        if block.header:
            header = block.cells
            column = next((i for i, cell in enumerate(header) if _NAME_COLUMNS.match(reading_form(cell).strip())), None)
            if column is not None and _classify(block.section) is not False:
                used.add(index)
            else:
                column = None
            continue
        if column is None or column >= len(block.cells) or not block.cells[column]:
            continue
        details = [
            f"{header[i]}: {cell}" if i < len(header) and header[i] else cell
            for i, cell in enumerate(block.cells)
            if i != column and cell and not re.fullmatch(r"\d{1,4}", cell)
        ]
        found.append((index, ProposedDeliverable(block.cells[column], "、".join(details), _source(block))))
        used.add(index)
    return found


def _unique(items: Iterable[ProposedDeliverable]) -> Iterable[ProposedDeliverable]:
    seen: set[str] = set()
    for item in items:
        name = item.name.strip()[:NAME_LIMIT]
        key = name_key(name)
        if not key or key in seen:
            continue
        seen.add(key)
        yield ProposedDeliverable(name, item.description[:DESCRIPTION_LIMIT], item.source)


def _requirements(blocks: Sequence[Block], used: set[int]) -> str:
    """The blocks no deliverable took, in order; a heading only when something of its own stays under it."""
    lines: list[str] = []
    for index, block in enumerate(blocks):
        if index in used:
            continue
        if block.kind is BlockKind.HEADING:
            following = next(
                (i for i in range(index + 1, len(blocks)) if blocks[i].kind is BlockKind.HEADING), len(blocks)
            )
            if all(i in used for i in range(index + 1, following)) and following > index + 1:
                continue
            lines.append(("\n" if lines else "") + f"■ {block.text}")
        elif block.kind is BlockKind.ITEM:
            lines.append(f"・{block.text}")
        else:
            lines.append(block.text)
    return "\n".join(lines).strip()
