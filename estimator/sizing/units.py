"""Counted units: what a deliverable is made of and how many, read from its name and description.

「静的ページ5枚」 is 5 SCREEN units, 「夜間バッチ4本」 4 BATCH units, 「約500万件のデータ移行」 a
RECORDS volume of 5,000,000, in Japanese and English alike. The previous engine read only the
kind of a line; the sizing multiplies a rate per unit, so the count matters as much as the kind.

How text is read (every rule has a test in tests/test_sizing_units.py):

- Text is compared in its reading form (`estimator.text.reading_form`: NFKC, lower case), so
  ５画面 reads like 5画面; `Count.quoted` is still cut from the text as written.
- Numbers: ASCII and full-width digits, commas between thousands (1,200), decimals (1.5万),
  kanji numerals (三, 十二, 二百, 二〇二四), 万 / 億 / 千 / 百 multipliers mixed with digits
  (500万, 1万2千), English k / m / thousand / million and the words one … twenty. Approximation
  words (約, およそ, 全, 計, about, approx., up to …) are quoted but do not change the value.
- A range (「10〜15画面」, "10-15 screens", 3から5本) counts as its **upper bound**: a scope the
  client may take to its top end is priced at that end, a midpoint would be a fraction
  (12.5 screens), and the quote keeps the words so the reasoning can show the range.
- A number counts only next to its unit: right before a unit word (5画面, 3IF, 200テーブル,
  "12 screens", up to two words between in English: "4 nightly batch jobs"), before a counter
  and の (3種類の帳票, "3 kinds of reports"), or right after a unit word (静的ページ5枚,
  テーブル200, 画面数：約20, "screens: 12"). Numbers that belong to something else are never
  taken: years and periods (2024年度, 3ヶ月), ordinals and versions (第2期, Ver.3, Phase 2),
  times and dates (24時間365日, 10:00, 2024-04-01), percents (99.9%), people (5名), and digits
  stuck to a name (S3, EC2). A kanji numeral inside a word (一覧, 統一, 数十) is not a number.
- 件 is a data volume (RECORDS), never a count of systems or interfaces, unless a counter and
  の tie it to another unit (3件の外部連携 is 3 interfaces). It is a volume only on a line that
  handles data (移行, 取込, CSV, バッチ, 連携, データ …): 「最新5件表示」 on a notice board is
  none. 「3システムからのデータ移行」 counts the 3 source systems as INTERFACE units; a written
  volume adds a RECORDS count.
- An API the project exposes is counted by its endpoints under ENDPOINT ("REST API
  (20 endpoints)" is 20, 「バックエンドAPI」, 「予約照会API」), graded NORMAL unless a cue says
  otherwise; a bare 「API開発」 that counts endpoints and no interface is one too. An API the
  project links to (「在庫連携API」, "HubSpot API integration") is an INTERFACE. Where a longer
  phrase of one kind contains a shorter word of another (REST API ⊃ API), the longer one names it.
- A design line (デザイン, wireframes, templates) counts the screens it designs as DESIGN units
  (「アプリ12画面のデザイン」 is 12); a line that builds counts no DESIGN (the templates it follows
  were designed on the design line).
- A bare counter with no unit word counts the main kind: 「夜間バッチ」 with 「…の3本」 or
  「日次2本、月次3本」 is 3 or 5 batches. 本 counts anywhere; 種 / 種類 only after の, a list or
  the start of a clause (「請求書・納品書の2種」), since 「グラフ6種」 counts charts. A volume is
  never counted this way: records come in 件.
- Lists count their items when no number of that unit is written in the same text: a bracket
  right after a unit word (「管理画面（一覧・登録・編集・削除）」 is 4 screens, 「帳票出力
  （請求書・納品書）」 2 reports), items joined by ・ before or into a unit word (「トップ・一覧・
  詳細画面」 is 3, 「納品書・請求書・受領書」 3), English items before a unit noun ("list, detail
  and edit screens"), platforms named together (iOS/Android is 2 DEVICE units; one platform
  counts with 対応 / 版 / support) and languages named together or inside a bracket after a
  language word (「多言語（日英中）」 is 3). Items must be short words, not clauses, and must not
  be a bare unit word or name a different unit; a list followed by の and a number is counted by
  that number; a volume is never a list.
- Page counts in a clause about a document (設計書50ページ, "a 40-page manual") are not screens.
- Negated mentions do not count: 「帳票なし」, 「外部連携は不要」, "no integration", "without reports".

Which count is the main one, the first rule that gives an answer winning:

1. the unit the name announces: its last unit word outside brackets (Japanese compounds and
   English noun phrases end in their head: 帳票出力画面 is a screen), an English name read up
   to its first preposition ("Data migration from 3 systems" is a migration);
2. the first unit counted (name, then description) other than devices, languages, volumes and
   features: those multiply or accompany other units (an app of 10 screens on iOS and Android,
   「最新5件表示」), and a feature is made of its counted units (「ブログ機能」 of 3 screens);
3. a feature word in the name (機能, 通知, "notifications") makes it a FEATURE;
4. a unit word inside the name's brackets;
5. the first count of any kind, then the first unit word of the description unless the name
   is a document (a 要件定義書 that lists 画面一覧 is no screen);
6. otherwise the line is one FEATURE.

How many: each written count is a `Count`; a kind's quantity is the sum of its counts
(「静的ページ5枚、動的ページ3枚」 is two SCREEN counts, 5 SIMPLE and 3 NORMAL; 「一覧5画面、登録5画面」
is 10). When the name and the description both count a kind, the name's figure stands, unless
the description has more counts that add up to it (then they are its breakdown, with their own
grades). A total written before its breakdown (「全20画面：一覧8画面、登録12画面」) counts once.
A kind mentioned without a number is counted only as the main kind: one unit, `stated=False`,
`quoted=""`; for RECORDS that one is a placeholder, not a volume. Fractional counts of units
round up (a half screen is still built); records keep their exact volume.

Grades come from cues (`GRADE_CUES`): the highest grade among the cues found wins, and a unit
with no cue is NORMAL. A count takes the cues of its own clause (clauses end at 。 . ; a line
break, or 、 and , outside brackets); the main kind's counts also take the name's cues, and the
cues of clauses that count nothing when their own clause has none; an assumed main unit takes
every cue. A volume is never graded by its size: its records are already its units (8 million
rows are 8 units), so a large_volume grade on top would count the volume twice.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from types import MappingProxyType

from estimator.sizing.kinds import Grade, UnitKind
from estimator.text import reading_form


@dataclass(frozen=True)
class Count:
    """A number of units of one kind and grade, and the words it was read from."""

    kind: UnitKind
    quantity: Decimal
    grade: Grade
    quoted: str
    cues: tuple[str, ...]
    stated: bool

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"a count is at least one unit, not {self.quantity}")


@dataclass(frozen=True)
class UnitReading:
    """Everything one deliverable counts; the first count is its main kind."""

    counts: tuple[Count, ...]

    def __post_init__(self) -> None:
        if not self.counts:
            raise ValueError("a reading has at least one count")

    @property
    def main(self) -> Count:
        """The count of the unit the deliverable is: the rates of its kind size the line."""
        return self.counts[0]


# ---------------------------------------------------------------------------------------------
# Text as read, and where each character came from

_ATTACHED = frozenset("\uff9e\uff9f")  # half-width (semi-)voiced marks belong to the kana before them
_WORD_CHAR = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff\u30a1-\u30fa\u30fc]")  # kanji, katakana
_IDEOGRAPH = re.compile(r"[\u3005\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class _Text:
    """One text in reading form, with the span of the source each character came from."""

    source: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def quote(self, start: int, end: int) -> str:
        """The source words behind `text[start:end]`, as the user wrote them."""
        if start >= end:
            return ""
        return self.source[self.starts[start] : self.ends[end - 1]].strip()


def _clusters(source: str) -> Iterator[tuple[int, int]]:
    """Spans of one character and the marks that combine with it (ﾍﾟ is one ペ)."""
    start = 0
    for index in range(1, len(source) + 1):
        if index == len(source) or not (source[index] in _ATTACHED or unicodedata.combining(source[index])):
            yield start, index
            start = index


def _fold(source: str) -> _Text:
    """The reading form of `source`, cluster by cluster so every character keeps its origin.

    Format characters (zero-width spaces, joiners, soft hyphens) are dropped: pasted into
    「5\u200b画面」 they would otherwise part a number from its unit.
    """
    text: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(source):
        if unicodedata.category(source[start]) == "Cf":
            continue
        folded = reading_form(source[start:end])
        text.append(folded)
        starts.extend([start] * len(folded))
        ends.extend([end] * len(folded))
    return _Text(source, "".join(text), tuple(starts), tuple(ends))


# ---------------------------------------------------------------------------------------------
# Numbers

_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_SMALL = {"十": 10, "百": 100, "千": 1000}
_KANJI_BIG = {"万": 10_000, "億": 100_000_000}
_SCALES = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORDS = {
    word: value
    for value, word in enumerate(
        (
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ),
        start=1,
    )
}
_ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_KANJI_LEAD = "".join(_KANJI_DIGITS) + "".join(_KANJI_SMALL)
_NUMBER = re.compile(
    rf"(?P<run>(?>(?:{_ARABIC}|[{_KANJI_LEAD}])(?:{_ARABIC}|[{_KANJI_LEAD}万億])*))"
    r"(?:\s?(?P<scale>thousand|million|billion)(?![a-z])|(?P<short>[km])(?![a-z]))?"
    rf"|(?<![a-z])(?P<word>{'|'.join(_WORDS)})(?![a-z])"
)
_RUN_TOKEN = re.compile(rf"{_ARABIC}|[{''.join(_KANJI_DIGITS)}]+|[十百千万億]")
_APPROX = re.compile(
    r"(?:約|およそ|凡そ|概ね|おおむね|大体|だいたい|ほぼ|最大|最小|最低|(?<![\u3400-\u9fff])(?:合計|計|全|総)|~|≒"
    r"|(?<![a-z])(?:approx\.?|approximately|about|around|roughly|circa|ca\.|up to|at least|at most|over"
    r"|more than|less than|some|(?:a )?total(?: of)?))\s*$"
)
_ORDINAL_BEFORE = re.compile(
    r"(?:第|フェーズ|ステップ|ステージ|(?<![a-z])(?:ver|version|v|phase|stage|step|sprint|release|round|part|wave)"
    r"|no\.|#|№)\.?\s*$"
)
_CONTINUED_BEFORE = re.compile(r"\d\s*[.:/]\s*$|\d-$")
_CONTINUED_AFTER = re.compile(r"\s*[.:/]\s*\d|-\d")
_RANGE = re.compile(r"\s*(?:〜|~|-|–|—|ー|から|to)\s*")


@dataclass(frozen=True)
class _Number:
    """A number in the reading form, and whether it stands free or is stuck to the word before it."""

    value: Decimal
    start: int  # where its words start: an approximation word (約, about) or the first digit
    digits: int
    end: int
    glued: bool  # right after a letter (S3) or, for kanji, after a kanji or katakana (統一, ページ五)
    kanji: bool


def _whole(value: Decimal) -> Decimal:
    """`value` without a trailing '.0', so 1.5万 is 15000 and no text shows an exponent."""
    return Decimal(int(value)) if value == value.to_integral_value() else value


def _digits_value(token: str) -> Decimal:
    if token[0] in _KANJI_DIGITS:
        return Decimal("".join(str(_KANJI_DIGITS[char]) for char in token))
    return Decimal(token.replace(",", ""))


def _run_value(run: str) -> Decimal | None:
    """The value of digits and kanji numerals written together (十二, 1万2千, 二〇二四), None if malformed."""
    total = section = Decimal(0)
    current: Decimal | None = None
    small_limit = big_limit = 10**12
    for token in _RUN_TOKEN.findall(run):
        if token in _KANJI_SMALL:
            factor = _KANJI_SMALL[token]
            if factor >= small_limit:
                return None
            section += (Decimal(1) if current is None else current) * factor
            current, small_limit = None, factor
        elif token in _KANJI_BIG:
            factor = _KANJI_BIG[token]
            group = section + (current or Decimal(0))
            if factor >= big_limit or group == 0:
                return None
            total += group * factor
            section, current, small_limit, big_limit = Decimal(0), None, 10**12, factor
        elif current is not None or (len(token) > 1 and token[0] in _KANJI_DIGITS and (section or total)):
            return None
        else:
            current = _digits_value(token)
    return total + section + (current or Decimal(0))


def _match_value(match: re.Match[str]) -> Decimal | None:
    if match.group("word"):
        return Decimal(_WORDS[match.group("word")])
    value = _run_value(match.group("run"))
    scale = match.group("scale") or match.group("short")
    if value is None:
        return None
    return _whole(value * _SCALES[scale]) if scale else _whole(value)


def _glued(text: str, position: int, kanji: bool) -> bool:
    if position == 0:
        return False
    before = text[position - 1]
    return "a" <= before <= "z" or (kanji and _WORD_CHAR.match(before) is not None)


def _single_numbers(text: str) -> Iterator[_Number]:
    for match in _NUMBER.finditer(text):
        value = _match_value(match)
        window = text[max(0, match.start() - 24) : match.start()]
        if value is None or _ORDINAL_BEFORE.search(window):
            continue
        approx = _APPROX.search(window)
        kanji = match.group(0)[0] in _KANJI_LEAD
        yield _Number(
            value=value,
            start=match.start() - len(approx.group(0)) if approx else match.start(),
            digits=match.start(),
            end=match.end(),
            glued=approx is None and _glued(text, match.start(), kanji),
            kanji=kanji,
        )


def _numbers(text: str) -> list[_Number]:
    """The numbers of `text`, a range (10〜15) as one number worth its upper bound.

    Numbers joined by '.', ':', '/' or a dash that is no range are dates, times, versions and
    fractions (2024-04-01, 10:00, 3.5.1, 1/3): none of them is a count.
    """
    found: list[_Number] = []
    for number in _single_numbers(text):
        previous = found[-1] if found else None
        if (
            previous is not None
            and _RANGE.fullmatch(text, previous.end, number.digits)
            and number.value >= previous.value
        ):
            found[-1] = replace(previous, value=number.value, end=number.end)
        else:
            found.append(number)
    return [
        number
        for number in found
        if not _CONTINUED_AFTER.match(text, number.end)
        and not _CONTINUED_BEFORE.search(text, max(0, number.digits - 4), number.digits)
    ]


# ---------------------------------------------------------------------------------------------
# Unit kinds: the words that name them and the words that count them


def _en(*words: str) -> str:
    """English words that must stand as words, also right next to Japanese text (`API連携`, `3IF`)."""
    return r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])"


def _any(*parts: str) -> str:
    return "(?:" + "|".join(part for part in parts if part) + ")"


_GENERIC = r"つ|個|本|種類|種|件|点|枚|か所|ヶ所|箇所|系統"
_STOP = (
    r"(?:of|for|in|on|at|to|by|with|from|per|and|or|the|a|an|each|months?|years?|days?|weeks?|hours?"
    r"|minutes?|people|persons?|members?|users?|times|percent|phases?)(?![a-z])"
)
_MODIFIERS = rf"(?:(?!{_STOP})[a-z][a-z'-]*[\s-]+){{0,2}}"
_BOUNDARY = re.compile(
    r"$|[\s、。,.;:!?()\[\]「」『』【】/・+&]|を|が|は|も|と|や|ほど|くらい|ぐらい|程度|前後|以上|以下|未満|まで|など|等|ずつ"
)
_FOREIGN = re.compile(
    r"\s*(?:年|月|ヶ月|か月|カ月|ヵ月|日|時|分|秒|週|名|人|%|円|ドル|期|回|倍|歳|度|階|版|号|位|番|\$"
    r"|(?:years?|months?|days?|hours?|weeks?|minutes?|seconds?|people|persons?|members?|users?|staff"
    r"|percent|times|yen|jpy|usd|dollars?|mb|gb|tb|kb|px|ms)(?![a-z]))"
)


@dataclass(frozen=True)
class _Kind:
    """How text names and counts one unit kind.

    `counted` follows a number (5画面, "12 screens"); `of` follows a number and a counter
    (3種類の帳票); `anchor` ends right before a number (静的ページ5枚, 画面数：約20) and `after`
    is what that number may carry; `names` finds the kind's words for the main kind, lists
    and negations. A `weak` kind (FEATURE) names the line only when no unit word does.
    """

    kind: UnitKind
    names: re.Pattern[str]
    counted: re.Pattern[str]
    of: re.Pattern[str] | None
    anchor: re.Pattern[str]
    after: re.Pattern[str]
    unit: re.Pattern[str]  # the bare unit word (画面, "reports"), which no list item may be
    weak: bool = False


def _kind(
    kind: UnitKind,
    *,
    names: str,
    ja: str,
    en: str,
    generic: str = _GENERIC,
    counted_by_of: bool = True,
    weak: bool = False,
) -> _Kind:
    of = None
    if counted_by_of:
        of = re.compile(
            # 「3件の外部連携」: the words between の and the unit modify it; a number or a particle there
            # starts another phrase (「500万件のデータを3システムから」 is a volume, then 3 systems).
            rf"\s*(?:{_GENERIC})\s*の\s*[^\s、。,()・/のをがはにでと\d]{{0,6}}?(?P<ja>{_any(names, ja)})"
            rf"|[\s-]+(?:kinds?|types?|sorts?|sets?)\s+of\s+{_MODIFIERS}(?P<en>{en})(?![a-z])"
        )
    return _Kind(
        kind=kind,
        names=re.compile(names),
        counted=re.compile(rf"\s*(?P<ja>{ja})(?!目|化)|[\s-]+{_MODIFIERS}(?P<en>{en})(?![a-z])"),
        of=of,
        anchor=re.compile(rf"(?P<ja>{names})(?:の?数|数量|\s*(?:count|number))?\s*(?:は|が|も)?\s*[:=×x*(]?\s*$"),
        after=re.compile(rf"\s*(?:{_any(generic, ja)})(?!目|化)"),
        unit=re.compile(_any(ja, en)),
        weak=weak,
    )


_KINDS: tuple[_Kind, ...] = (
    _kind(
        UnitKind.SCREEN,
        names=_any(
            r"画面|ページ|頁|(?<!ット)フ[ォオ]ーム|ダッシュボード|ポータル|サイト(?!内)|ランディング",
            _en("ui", "screens?", "pages?", "webpages?", "views?", "forms?", "dashboards?", "portals?", "lp"),
            _en("(?:admin|control|management) panels?"),
            _en(r"(?<!on-)(?<!on )(?:web)?sites?", "front[- ]?end", "landing pages?"),
        ),
        ja=r"画面|ページ|頁",
        en=r"screens?|(?:sub|web)?pages?|views?|forms?",
    ),
    _kind(
        UnitKind.REPORT,
        names=_any(
            r"帳票|帳表|レポート|伝票|送り状|(?:請求|納品|見積|発注|注文|領収|受領|明細)書",
            _en("reports?", "reporting", "printouts?", "invoices?"),
        ),
        ja=r"帳票|帳表|レポート",
        en=r"reports?|printouts?",
    ),
    _kind(
        UnitKind.ENDPOINT,
        names=_any(
            r"エンドポイント|(?:rest|web|graphql|バックエンド|サーバ|公開|外部公開|社外向け|提携先向け)\s*api",
            r"(?:照会|登録|取消|取り消し|更新|削除|一覧|検索|参照|取得|予約|注文|会員)\s*api(?![a-z])(?!\s*連携)",
            _en("endpoints?", "(?:rest|web|graphql|public|backend|internal|partner) apis?", "api (?:backend|server)"),
        ),
        ja=_any(r"エンドポイント", _en("apis?")),
        en=r"endpoints?|(?:rest )?apis?",
    ),
    _kind(
        UnitKind.INTERFACE,
        names=_any(
            r"連携|インタ[ー]?フェー?イ?ス|決済代行|ゲートウェイ",
            _en("if", "ifs", "i/f", "api", "apis", "edi", "webhooks?", "integrations?", "interfaces?"),
            _en("(?:payment )?gateways?", "connectors?"),
        ),
        ja=_any(r"連携|インタ[ー]?フェー?イ?ス|システム", _en("ifs?", "i/fs?")),
        en=r"interfaces?|integrations?|webhooks?|systems?|sources?|feeds?|i/fs?|connectors?",
    ),
    _kind(
        UnitKind.BATCH,
        names=_any(
            r"バッチ|ジョブ|(?:夜間|定期|定時|日次|週次|月次|年次|一括)処理|ロボット",
            _en("batch(?:es)?", "jobs?", "cron", "etl", "scheduled (?:tasks?|jobs?)", "nightly (?:runs?|processing)"),
            _en("robots?", "bots?", "scheduled flows?"),
        ),
        ja=r"バッチ|ジョブ|ロボット",
        en=r"batch(?:es)?|jobs?|batch processes|robots?|bots?",
    ),
    _kind(
        UnitKind.TABLE,
        names=_any(
            r"テーブル|エンティティ|データベース|スキーマ|データモデル|er図|カスタム投稿|投稿タイプ|コンテンツタイプ|データマート",
            _en(
                "tables?",
                "entit(?:y|ies)",
                "databases?",
                r"db(?!\s*(?:サーバ|server|インスタンス|instance))",
                "schemas?",
                "data models?",
                "er diagrams?",
                "custom post types?",
                "content types?",
                "(?:data )?marts?",
            ),
        ),
        ja=r"テーブル|エンティティ|カスタム投稿|投稿タイプ|(?:データ)?マート",
        en=r"tables?|entit(?:y|ies)|(?:custom )?post types?|content types?|(?:data )?marts?",
        generic=r"つ|個|本|種類|種|点|枚",  # テーブル…件 is a volume of rows, not tables
    ),
    _kind(
        UnitKind.RECORDS,
        names=_any(
            r"(?<!本番)移行|データ投入|データ移管|件数|レコード数|データ量",
            _en("migrat(?:e|es|ed|ing|ion|ions)", "data (?:loads?|imports?|volume)", "(?:record|row) count"),
        ),
        ja=r"レコード|行(?![目うい])",
        en=r"records?|rows?|entries",
        counted_by_of=False,
    ),
    _kind(
        UnitKind.DEVICE,
        names=_any(
            r"端末|機種|デバイス|ブラウザ|レスポンシブ|クロスプラットフォーム|マルチプラットフォーム",
            _en("devices?", "browsers?", "os", "responsive", "cross[- ]platform", "multi[- ]?(?:device|platform)"),
        ),
        ja=r"機種|端末|デバイス",
        en=r"devices?|platforms?|handsets?|browsers?",
    ),
    _kind(
        UnitKind.LANGUAGE,
        names=_any(
            r"多言語|多国語|言語対応|対応言語|言語数|言語切り?替|翻訳|ローカライ[ズゼ]|国際化",
            _en("multi-?lingual", "multi-?languages?", "i18n", "l10n", "locali[sz]ation"),
            _en("internationali[sz]ation", "translations?", "(?<!programming )languages?"),
        ),
        ja=r"言語|[かカヶケヵ箇]国語",
        en=r"(?<!programming )languages?|locales?",
    ),
    _kind(
        UnitKind.DESIGN,
        names=_any(
            r"デザイン(?!システム)|ワイヤーフレーム|ワイヤー|モックアップ|カンプ|(?<!メール)テンプレート(?!メール)",
            _en("(?:visual|ui|ux|ui/ux|graphic|web|site|app|screen|page) designs?", "wireframes?", "mock-?ups?"),
            _en("(?<!email )(?<!e-mail )(?:page )?templates?"),
        ),
        ja=r"案|カンプ|テンプレート",
        en=r"mock-?ups?|designs?|layouts?|templates?",
    ),
    _kind(
        UnitKind.FEATURE,
        names=_any(
            r"機能|通知|認証|ログイン|決済|チャット|同期|オフライン",
            _en("features?", "functions?", "functionality", "notifications?", "log[- ]?in", "sign[- ]?(?:in|up)"),
            _en("authentication", "payments?", "chat", "sync(?:hroni[sz]ation)?", "offline"),
        ),
        ja=r"機能",
        en=r"features?|functions?",
        weak=True,
    ),
)
_RECORDS_COUNTER = re.compile(r"\s*件(?!名)")
_KEN_RANK = 5  # a bare 件 yields to every other reading of its number
_HANDLES_DATA = re.compile(
    r"データ|移行|取込|取り込|インポート|エクスポート|投入|同期|連携|バッチ|レコード|"
    + _en("csv", "etl", "data", "imports?", "exports?", "sync", "batch(?:es)?", "records?", "rows?")
)
_MAIN_COUNTER = re.compile(r"\s*本(?!番|目|化)")
_TESTS_BEFORE = re.compile(r"(?:テスト|テストケース|試験|検証|テスト項目|試験項目)\s*$")
_MAIN_KINDS_COUNTER = re.compile(r"\s*(?:種類|種)(?!目)")
_LIST_END = re.compile(r"(?:^|[\s、,(:]|の)$")
_PAGE_WORD = re.compile(r"ページ|頁|pages?")
_DOCUMENT = re.compile(
    r"(?:設計|仕様|定義|計画|報告|手順|説明|提案)書|文書|マニュアル|ドキュメント|資料|冊子|パンフレット|スライド|"
    + _en("documents?", "documentation", "manuals?", "guides?", "handbooks?", "slides?", "brochures?", "specs?")
    + "|"
    + _en("specifications?")
)

# ---------------------------------------------------------------------------------------------
# Negation, brackets, clauses

_NEGATED_AFTER = re.compile(
    r"\s*(?:の)?(?:出力|作成|対応|機能|連携|開発|画面|処理)?\s*(?:は|も|が)?\s*[:=]?\s*"
    r"(?:不要|なし|無し|ナシ|対象外|しない|ありません|行わない|含まない|含めない|範囲外|スコープ外)"
)
_NEGATED_BEFORE = re.compile(r"(?<![a-z])(?:no|not|without|non|excluding|except)[\s-]+(?:[a-z]+[\s-]+){0,2}$")
_OPENERS, _CLOSERS = "([【「『", ")]】」』"


def _negated(text: str, start: int, end: int) -> bool:
    """Whether the words at `start:end` are said not to be wanted (「帳票なし」, "no integration")."""
    return bool(_NEGATED_AFTER.match(text, end) or _NEGATED_BEFORE.search(text[max(0, start - 30) : start]))


def _genuine(part: _Text, start: int, end: int) -> bool:
    """IF is an interface only in capitals: "if needed" is a conjunction, 受注IF an interface."""
    if part.text[start:end].rstrip("s") not in {"if", "i/f"}:
        return True
    return unicodedata.normalize("NFKC", part.quote(start, end)).startswith(("IF", "I/F"))


def _depths(text: str) -> list[int]:
    """Bracket depth at each character: a word inside brackets details, it does not name, the line."""
    depths, depth = [], 0
    for char in text:
        if char in _CLOSERS:
            depth = max(0, depth - 1)
        depths.append(depth)
        if char in _OPENERS:
            depth += 1
    return depths


_JOINED_COUNT = re.compile(r"(?:\s+(?:and|plus|&)\s+|と|及び|および|並びに)(?=\d|[一二三四五六七八九十])")


def _clause_bounds(text: str) -> tuple[int, ...]:
    """Where clauses start: after 。 . ; ! ? and line breaks, after 、 , outside brackets and numbers, and
    where "and" or と joins a new count ("staging models for 15 tables and 6 reporting marts": the marts
    are not staging; each count takes the cues of its own words)."""
    depths = _depths(text)
    bounds: list[int] = []
    for index, (char, depth) in enumerate(zip(text, depths, strict=True)):
        after = text[index + 1 : index + 2]
        sentence_end = char in "。;!?\n" or (char == "." and (not after or after.isspace()))
        in_list = char in "、," and depth == 0 and not (after.isdigit() and text[index - 1 : index].isdigit())
        if sentence_end or in_list:
            bounds.append(index + 1)
    bounds += [match.start() for match in _JOINED_COUNT.finditer(text) if depths[match.start()] == 0]
    return tuple(sorted(set(bounds)))


# ---------------------------------------------------------------------------------------------
# Reading counts out of one text (the name or the description)


@dataclass(frozen=True)
class _Read:
    """A count read from one text: its kind, quantity and the span of its words."""

    kind: UnitKind
    quantity: Decimal
    part: int
    start: int
    end: int
    claim: tuple[int, int]  # the characters it uses up: its number, or its list
    rank: int  # which reading wins a number several could claim: 1 (a unit word after it) first
    listed: bool = False
    for_main: bool = False  # 「…の3本」: a counter with no unit word counts the main kind, known only later


def _mentions(part: _Text, spec: _Kind) -> Iterator[re.Match[str]]:
    """The kind's words in `part`, except negated ones and a lower-case "if"."""
    for match in spec.names.finditer(part.text):
        if _genuine(part, match.start(), match.end()) and not _negated(part.text, match.start(), match.end()):
            yield match


def _word_end(match: re.Match[str]) -> tuple[int, int]:
    group = "ja" if match.group("ja") is not None else "en"
    return match.start(group), match.end(group)


def _extend_back(text: str, position: int) -> int:
    """The start of the compound a unit word ends (静的ページ, 対応端末), so the quote keeps it."""
    start = position
    while start > 0 and position - start < 8 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    return start


def _quantity(value: Decimal, kind: UnitKind) -> Decimal:
    if kind is UnitKind.RECORDS or value == value.to_integral_value():
        return value
    return Decimal(int(value.to_integral_value(rounding=ROUND_CEILING)))


def _after_anchor(part: _Text, spec: _Kind, number: _Number) -> int | None:
    """Where the words of a number that follows a unit word end, or None when the number is not its count."""
    carried = spec.after.match(part.text, number.end)
    end = carried.end() if carried else number.end
    if carried is None and (_FOREIGN.match(part.text, end) or part.text[end : end + 1] == "の"):
        return None  # 「画面3の改修」 names screen 3; 「帳票3本の改修」 counts three
    return end if _BOUNDARY.match(part.text, end) or part.text[end : end + 1] == "の" else None


def _anchored(part: _Text, index: int, spec: _Kind, number: _Number) -> _Read | None:
    """「静的ページ5枚」, 「テーブル200」, 「画面数：約20」: a number right after a unit word."""
    offset = max(0, number.start - 30)
    anchor = spec.anchor.search(part.text, offset, number.start)
    if anchor is None or not _genuine(part, *_word_end(anchor)) or (number.glued and anchor.end() != number.digits):
        return None
    end = _after_anchor(part, spec, number)
    if end is None:
        return None
    start = _extend_back(part.text, anchor.start())
    if not _balanced(part.text[start:end]) and part.text[end : end + 1] in tuple(_CLOSERS):
        end += 1  # 「管理画面（12）」 quotes its bracket whole
    return _Read(spec.kind, _quantity(number.value, spec.kind), index, start, end, (number.digits, number.end), 3)


def _followed(part: _Text, index: int, number: _Number) -> Iterator[_Read]:
    """The kinds a number's following words count: 5画面, "12 screens", 3種類の帳票, 約500万件."""
    claim = (number.digits, number.end)
    for spec in _KINDS:
        for rank, pattern in ((1, spec.counted), (2, spec.of)):
            match = pattern.match(part.text, number.end) if pattern else None
            if match and _genuine(part, *_word_end(match)):
                yield _Read(
                    spec.kind, _quantity(number.value, spec.kind), index, number.start, match.end(), claim, rank
                )
    records = _RECORDS_COUNTER.match(part.text, number.end)
    if records:
        yield _Read(UnitKind.RECORDS, number.value, index, number.start, records.end(), claim, _KEN_RANK)
    counter = _MAIN_COUNTER.match(part.text, number.end)
    if counter and _TESTS_BEFORE.search(part.text, max(0, number.start - 8), number.start):
        counter = None  # 「シナリオテスト50本」 counts test scenarios, not units of the main kind
    if counter is None and _LIST_END.search(part.text, max(0, number.start - 4), number.start):
        counter = _MAIN_KINDS_COUNTER.match(part.text, number.end)  # 「請求書・納品書の2種」, not 「グラフ6種」
    if counter:
        quantity = _quantity(number.value, UnitKind.FEATURE)
        yield _Read(UnitKind.FEATURE, quantity, index, number.start, counter.end(), claim, 6, for_main=True)


def _numbered(part: _Text, index: int) -> Iterator[_Read]:
    for number in _numbers(part.text):
        if number.value < 1:
            continue
        if not number.glued:
            yield from _followed(part, index, number)
        for spec in _KINDS:
            read = _anchored(part, index, spec, number)
            if read is not None:
                yield read


# Lists: items in a bracket after a unit word, items joined before one, platforms and languages named together.

_BRACKET = re.compile(
    rf"[^\s\d、。,・/:{re.escape(_OPENERS + _CLOSERS)}]{{0,4}}?[{re.escape(_OPENERS)}]"
    rf"(?P<body>[^{re.escape(_OPENERS + _CLOSERS)}]{{1,80}})[{re.escape(_CLOSERS)}]"
)
_ITEM_SPLIT = re.compile(r"\s*(?:[・、,/;&]|(?<![a-z])and(?![a-z]))\s*")
_ITEM_TAIL = re.compile(r"\s*(?:など|等|ほか|他|etc\.?)$")
_BREAKDOWN = re.compile(r"[(:\[【「]|うち|内訳|(?<![a-z])(?:including|of which)(?![a-z])")
_CLAUSE_LIKE = re.compile(r"[ぁ-ゖ]{3,}|\d")
_JA_ITEM = r"[^\s、。,()\[\]【】「」『』・/:のをはがでにともや\d]{1,10}"
_JA_LIST = re.compile(rf"(?:{_JA_ITEM}・)+(?:{_JA_ITEM})?$")
_EN_WORD = rf"(?!{_STOP})[a-z][a-z-]*"
_EN_LIST = re.compile(rf"(?:{_EN_WORD}(?:\s*,\s*(?:and\s+)?|\s*/\s*|\s+(?:and|&)\s+))+{_EN_WORD}\s+$")
# 「A・B・Cの3本」: the number after the list counts its items, whatever they are
_COUNTED_AFTER = re.compile(rf"\s*の\s*(?:約|全|計)?\s*[\d{_KANJI_LEAD}]")
_EN_SPLIT = re.compile(r"\s*(?:・|,\s*(?:and\s+)?|/|(?<![a-z])(?:and|&)(?![a-z]))\s*")
_LANGUAGE_LETTERS = re.compile(r"[日英中韓仏独西伊露葡泰越台]+")
_VERSION = r"(?:\s*\d+(?:[./]\d+)*\s*(?:以上|以降|\+|or later)?)?"
_PLATFORM = re.compile(
    r"スマートフォン|スマホ|タブレット|携帯電話|携帯|ガラケー|フィーチャーフォン|デスクトップ|パソコン|モバイル|"
    + _en(
        "ios",
        "ipados",
        "android",
        "iphone",
        "ipad",
        "windows",
        "macos",
        "mac",
        "linux",
        "chromeos",
        "chrome",
        "edge",
        "safari",
        "firefox",
        "ie ?11",
        "internet explorer",
        "pc",
        "web",
        "desktop",
        "smartphones?",
        "tablets?",
        "mobile",
    )
)
_LANGUAGE_NAME = re.compile(
    r"日本語|英語|中国語|簡体字|繁体字|韓国語|台湾華語|フランス語|ドイツ語|スペイン語|ポルトガル語|イタリア語|ロシア語|タイ語|"
    r"ベトナム語|インドネシア語|アラビア語|ヒンディー語|"
    + _en(
        "english",
        "japanese",
        "(?:simplified |traditional )?chinese",
        "korean",
        "french",
        "german",
        "spanish",
        "portuguese",
        "italian",
        "russian",
        "thai",
        "vietnamese",
        "indonesian",
        "arabic",
        "hindi",
    )
)
_NAMED_SEPARATOR = r"\s*(?:/|・|、|,|&|\+|と|及び|および|(?<![a-z])and(?![a-z]))\s*"
_SUPPORTED = re.compile(r"\s*(?:対応|版|向け|(?<![a-z])(?:support(?:ed)?|compatible|version)(?![a-z]))")


def _names_other_kind(item: str, kind: UnitKind) -> bool:
    """Whether a list item names another unit (ECサイト・管理画面 is no list of screens) or is a bare unit
    word ("sales report, inventory report": the items are the reports, not "report" and "inventory").
    A feature word may stand in an item (ログイン画面)."""
    if _PLATFORM.search(item) or _LANGUAGE_NAME.search(item) or any(spec.unit.fullmatch(item) for spec in _KINDS):
        return True
    return any(spec.kind is not kind and not spec.weak and spec.names.search(item) for spec in _KINDS)


def _items(body: str, kind: UnitKind) -> int:
    """How many short items a bracket lists (一覧・登録・編集・削除 is 4), 0 when it is not such a list."""
    items = [item for item in _ITEM_SPLIT.split(_ITEM_TAIL.sub("", body.strip())) if item]
    if len(items) < 2 or any(len(item) > 15 or len(item.split()) > 3 or _CLAUSE_LIKE.search(item) for item in items):
        return 0
    return 0 if any(_names_other_kind(item, kind) for item in items) else len(items)


def _bracket_count(body: str, kind: UnitKind) -> int:
    if kind is UnitKind.LANGUAGE:
        named = {match.group(0) for match in _LANGUAGE_NAME.finditer(body)}
        if _LANGUAGE_LETTERS.fullmatch(body.strip()):
            return len(set(body.strip()))
        if named:
            return len(named)
    if kind is UnitKind.DEVICE:
        return len({match.group(0) for match in _PLATFORM.finditer(body)})
    return _items(body, kind)


def _bracketed(part: _Text, index: int, spec: _Kind, mention: re.Match[str]) -> _Read | None:
    """「管理画面（一覧・登録・編集・削除）」: a list in brackets right after a unit word."""
    bracket = _BRACKET.match(part.text, mention.end())
    if bracket is None:
        return None
    count = _bracket_count(bracket.group("body"), spec.kind)
    if count < 1 or (count < 2 and spec.kind not in (UnitKind.LANGUAGE, UnitKind.DEVICE)):
        return None
    start = _extend_back(part.text, mention.start())
    return _Read(spec.kind, Decimal(count), index, start, bracket.end(), (start, bracket.end()), 4, listed=True)


def _joined(part: _Text, index: int, spec: _Kind, mention: re.Match[str]) -> _Read | None:
    """「トップ・一覧・詳細画面」, "list, detail and edit screens": items joined right before a unit word."""
    window = part.text[max(0, mention.start() - 60) : mention.start()]
    joined = _JA_LIST.search(window) or _EN_LIST.search(window)
    if joined is None or _COUNTED_AFTER.match(part.text, mention.end()):
        return None
    items = [item for item in _EN_SPLIT.split(joined.group(0).strip()) if item]
    if joined.group(0).endswith("・"):
        items.append(part.text[mention.start() : mention.end()])  # 「請求書・納品書」: the unit word is the last item
    if any(_CLAUSE_LIKE.search(item) or _names_other_kind(item, spec.kind) for item in items):
        return None
    start = mention.start() - len(joined.group(0))
    return _Read(spec.kind, Decimal(len(items)), index, start, mention.end(), (start, mention.end()), 4, listed=True)


def _run(name: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(rf"(?:{name.pattern}){_VERSION}(?:{_NAMED_SEPARATOR}(?:{name.pattern}){_VERSION})*")


_NAMED = ((UnitKind.DEVICE, _PLATFORM, _run(_PLATFORM)), (UnitKind.LANGUAGE, _LANGUAGE_NAME, _run(_LANGUAGE_NAME)))


def _named_together(part: _Text, index: int) -> Iterator[_Read]:
    """Platforms (iOS/Android) or languages (日本語・英語) named together: one unit each.

    One name alone counts only with 対応 / 版 / support after it (「iOS対応」), since 「iOSアプリ」
    names the kind of app, not a platform to add.
    """
    for kind, name, run in _NAMED:
        yield from _named_runs(part, index, kind, name, run)


def _named_runs(
    part: _Text, index: int, kind: UnitKind, name: re.Pattern[str], run: re.Pattern[str]
) -> Iterator[_Read]:
    for match in run.finditer(part.text):
        named = {found.group(0).strip() for found in name.finditer(match.group(0))}
        supported = _SUPPORTED.match(part.text, match.end())
        if _negated(part.text, match.start(), match.end()) or not (len(named) >= 2 or supported):
            continue
        end = supported.end() if supported and len(named) == 1 else match.end()
        yield _Read(kind, Decimal(len(named)), index, match.start(), end, (match.start(), end), 4, listed=True)


def _listed(part: _Text, index: int) -> Iterator[_Read]:
    spans = [(spec.kind, match.start(), match.end()) for spec in _KINDS for match in _mentions(part, spec)]
    for spec in _KINDS:
        if spec.weak or spec.kind is UnitKind.RECORDS:  # a list names things; a volume is counted in 件
            continue
        for mention in _mentions(part, spec):
            if _inside_longer(spec.kind, mention.start(), mention.end(), spans):
                continue
            for read in (_bracketed(part, index, spec, mention), _joined(part, index, spec, mention)):
                if read is not None:
                    yield read
    yield from _named_together(part, index)


def _inside_longer(kind: UnitKind, start: int, end: int, spans: Iterable[tuple[UnitKind, int, int]]) -> bool:
    """Whether a longer phrase of another kind holds these words (REST API holds API): the longer one names it."""
    return any(
        other is not kind and first <= start and end <= last and last - first > end - start
        for other, first, last in spans
    )


def _overlaps(claim: tuple[int, int], taken: Iterable[tuple[int, int]]) -> bool:
    return any(claim[0] < end and start < claim[1] for start, end in taken)


def _resolve(candidates: list[_Read], part: _Text) -> list[_Read]:
    """One reading per number or list: the best rank wins, and the widest words of its kind are quoted."""
    accepted: list[_Read] = []
    for read in sorted(candidates, key=lambda r: (r.rank, r.start, -r.end)):
        if _overlaps(read.claim, (taken.claim for taken in accepted)) or _negated(part.text, read.start, read.end):
            continue
        same = [other for other in candidates if other.claim == read.claim and other.kind is read.kind]
        start, end = min(other.start for other in same), max(other.end for other in same)
        accepted.append(replace(read, start=start, end=end) if _balanced(part.text[start:end]) else read)
    return sorted(accepted, key=lambda r: r.start)


def _balanced(words: str) -> bool:
    """Whether every bracket in `words` is closed, so a quote never reads 「API (20 endpoints」."""
    depth = 0
    for char in words:
        depth += (char in _OPENERS) - (char in _CLOSERS)
        if depth < 0:
            return False
    return depth == 0


def _merge_ranges(part: _Text, reads: list[_Read]) -> list[_Read]:
    """「10画面〜15画面」 is one range of screens, worth its upper bound, not 25 screens."""
    merged: list[_Read] = []
    for read in reads:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind is read.kind
            and read.start > previous.end
            and _RANGE.fullmatch(part.text, previous.end, read.start)
            and read.quantity >= previous.quantity
        ):
            merged[-1] = replace(previous, quantity=read.quantity, end=read.end)
        else:
            merged.append(read)
    return merged


def _without_totals(part: _Text, reads: list[_Read]) -> list[_Read]:
    """A total written before its breakdown (「全20画面（一覧8画面、登録12画面）」) counts once.

    Only a first count that the following ones add up to, with a bracket, a colon, うち or 内訳
    before them, is a total: 「5画面、3画面、2画面」 are ten screens.
    """
    dropped: list[_Read] = []
    for kind in dict.fromkeys(read.kind for read in reads):
        total, *parts = [read for read in reads if read.kind is kind]
        if (
            len(parts) >= 2
            and total.quantity == sum((read.quantity for read in parts), Decimal(0))
            and _BREAKDOWN.search(part.text, total.end, parts[0].start)
        ):
            dropped.append(total)
    return [read for read in reads if read not in dropped]


def _in_document(part: _Text, bounds: tuple[int, ...], kind: UnitKind, start: int, end: int) -> bool:
    """Whether pages sit in a clause about a document (設計書50ページ): pages of paper, not screens."""
    if kind is not UnitKind.SCREEN or not _PAGE_WORD.search(part.text, start, end):
        return False
    clause = bisect_right(bounds, start)
    start = bounds[clause - 1] if clause else 0
    end = bounds[clause] if clause < len(bounds) else len(part.text)
    return _DOCUMENT.search(part.text, start, end) is not None


def _reads(part: _Text, index: int, volumes: bool) -> list[_Read]:
    """The counts one text states, each number and list used once; 「…の3本」 still waits for the main kind.

    `volumes` says whether a number of 件 is a data volume here (`_handles_data`).
    """
    candidates = [read for read in _numbered(part, index) if volumes or read.rank != _KEN_RANK]
    reads = _resolve([*candidates, *_listed(part, index)], part)
    bounds = _clause_bounds(part.text)
    return [read for read in reads if not _in_document(part, bounds, read.kind, read.start, read.end)]


def _settle(part: _Text, reads: list[_Read], main: UnitKind) -> list[_Read]:
    """The counts of one text once the main kind is known.

    A bare counter (3本, 5種) counts the main kind, except a volume (records come in 件). Lists
    give way to written numbers of their kind.
    """
    reads = [
        replace(read, kind=main, for_main=False) if read.for_main else read
        for read in reads
        if not (read.for_main and main is UnitKind.RECORDS)
    ]
    numbered = {read.kind for read in reads if not read.listed}
    reads = [read for read in reads if not (read.listed and read.kind in numbered)]
    return _without_totals(part, _merge_ranges(part, reads))


def _reconcile(name: list[_Read], description: list[_Read]) -> list[_Read]:
    """A kind counted in both texts: the name's figure, unless the description's counts add up to it."""
    kept = list(name)
    for kind in dict.fromkeys(read.kind for read in description):
        detail = [read for read in description if read.kind is kind]
        headline = [read for read in name if read.kind is kind]
        if not headline:
            kept.extend(detail)
        elif len(detail) > len(headline) and sum((r.quantity for r in detail), Decimal(0)) == sum(
            (r.quantity for r in headline), Decimal(0)
        ):
            kept = [read for read in kept if read.kind is not kind] + detail
    return sorted(kept, key=lambda read: (read.part, read.start))


# ---------------------------------------------------------------------------------------------
# The main kind

_PREPOSITION = re.compile(_en("for", "of", "with", "from", "to", "in", "on", "by", "via", "using", "including"))


@dataclass(frozen=True)
class _Mention:
    kind: UnitKind
    start: int
    end: int
    depth: int
    weak: bool


def _all_mentions(part: _Text) -> list[_Mention]:
    depths = _depths(part.text)
    bounds = _clause_bounds(part.text)
    found = [
        _Mention(spec.kind, match.start(), match.end(), depths[match.start()], spec.weak)
        for spec in _KINDS
        for match in _mentions(part, spec)
        if not _in_document(part, bounds, spec.kind, match.start(), match.end())
    ]
    # The longer phrase names the unit: in 「バックエンドAPI」 or "REST API", the API is the project's own
    # endpoints, not the bare API of another party that the shorter word alone would mean.
    spans = [(mention.kind, mention.start, mention.end) for mention in found]
    kept = [mention for mention in found if not _inside_longer(mention.kind, mention.start, mention.end, spans)]
    return sorted(kept, key=lambda mention: (mention.end, mention.start))


_SECONDARY = (UnitKind.DEVICE, UnitKind.LANGUAGE, UnitKind.RECORDS)


def _main_kind(name: _Text, description: _Text, reads: list[_Read]) -> UnitKind:
    """The unit the deliverable is, in the order of the module docstring.

    Devices and languages multiply the other units (an app of 10 screens on iOS and Android) and
    件 is Japanese's counter for anything (最新5件表示), so these are the main unit only when the
    name announces them (多言語, 端末, 移行) or nothing else is counted.
    """
    mentions = _all_mentions(name)
    preposition = _PREPOSITION.search(name.text)
    limit = preposition.start() if preposition else len(name.text)
    known = [read for read in reads if not read.for_main]
    choices = (
        [m.kind for m in mentions if not m.weak and m.depth == 0 and m.end <= limit][-1:],
        [read.kind for read in known if read.kind not in (*_SECONDARY, UnitKind.FEATURE)][:1],
        [m.kind for m in mentions if m.weak and m.depth == 0][-1:],
        [m.kind for m in mentions if not m.weak][-1:],
        [read.kind for read in known][:1],
        [] if _DOCUMENT.search(name.text) else [m.kind for m in _all_mentions(description) if not m.weak][:1],
    )
    return next((choice[0] for choice in choices if choice), UnitKind.FEATURE)


# ---------------------------------------------------------------------------------------------
# Grades


@dataclass(frozen=True)
class _Cue:
    key: str
    grade: Grade
    pattern: re.Pattern[str]


def _cue(key: str, grade: Grade, *parts: str) -> _Cue:
    return _Cue(key, grade, re.compile("|".join(parts)))


_CUES: tuple[_Cue, ...] = (
    # Listed most specific first: where two cues match the same words, the earlier one is taken.
    _cue(
        "complex_layout",
        Grade.COMPLEX,
        r"(?:帳票)?レイアウト(?:が|は)?複雑|複雑な(?:帳票)?レイアウト",
        _en("(?:complex|complicated) (?:report )?layouts?"),
    ),
    _cue(
        "core_system",
        Grade.COMPLEX,
        r"基幹|汎用機|ホストコンピュータ",
        _en("erp", "sap", "mainframe", "core (?:business )?systems?"),
    ),
    _cue(
        "payment",
        Grade.COMPLEX,
        r"決済|クレジットカード|カード払い",
        _en("payments?", "credit[- ]cards?", "checkout"),
    ),
    _cue(
        "realtime",
        Grade.COMPLEX,
        r"リアルタイム|即時反映|即時更新",
        _en("real[- ]?time", "live updates?", "websockets?", "streaming"),
    ),
    _cue(
        "approval_flow",
        Grade.COMPLEX,
        r"承認(?:フロー|ワークフロー|機能|プロセス|経路|ルート)|多段承認|稟議|ワークフロー",
        _en("approval (?:flows?|workflows?|process(?:es)?|routes?)", "workflows?", "multi-step approvals?"),
    ),
    _cue(
        "offline_sync",
        Grade.COMPLEX,
        r"オフライン(?:対応|同期|動作)?|競合(?:解決|処理|検出)",
        _en("offline", "conflict (?:handling|resolution|detection)", "two-way sync"),
    ),
    _cue(
        "sso",
        Grade.COMPLEX,
        r"シングルサインオン|認証連携|認証基盤",
        _en("sso", "saml", "oauth", "openid", "ldap", "active directory", "azure ad", "entra id", "single sign-on"),
    ),
    _cue(
        "inventory_allocation",
        Grade.COMPLEX,
        r"在庫(?:引当|引き当て|連携|同期)",
        _en("inventory (?:allocation|sync(?:hroni[sz]ation)?|integration)", "stock allocation"),
    ),
    _cue(
        "large_volume",
        Grade.COMPLEX,
        r"大量(?:の)?データ|大容量|大規模データ|数(?:百万|千万|億)件",
        _en("(?:large|high|huge)[- ](?:volumes?|data ?sets?|amounts? of data)", "big data", "bulk data"),
        _en("millions of (?:records|rows)"),
    ),
    _cue(
        "character_conversion",
        Grade.COMPLEX,
        r"外字|文字コード変換|文字コードの変換|ebcdic|jef(?![a-z])|kei(?![a-z])",
        _en("character (?:set|encoding) conversion", "encoding conversion", "gaiji", "legacy encodings?"),
    ),
    _cue(
        "external_system",
        Grade.COMPLEX,
        r"外部システム|他システム|外部連携|外部api|外部サービス連携",
        _en("(?:external|third[- ]party|other) (?:systems?|services?|apis?)"),
    ),
    _cue("push_notification", Grade.NORMAL, r"プッシュ通知", _en("push notifications?")),
    _cue("search", Grade.NORMAL, r"検索|絞り込み|絞込", _en("search(?:es|ing)?", "filter(?:s|ing)?")),
    _cue("aggregation", Grade.NORMAL, r"集計|統計", _en("aggregat(?:e|es|ed|ion|ions)", "statistics")),
    _cue(
        "input_validation",
        Grade.NORMAL,
        r"入力チェック|入力規則|入力検証|バリデーション",
        _en("(?:input )?validations?"),
    ),
    _cue(
        "crud_only",
        Grade.SIMPLE,
        r"crud(?:のみ|だけ)|(?:単純|シンプル|簡単)な\s*crud",
        _en("crud only", "only crud", "(?:simple|basic|plain) crud"),
    ),
    # The archetypal 単純 screen of Japanese estimating: one master table's list, entry and update.
    _cue(
        "master_maintenance",
        Grade.SIMPLE,
        r"マスタ(?:ー)?(?:メンテナンス|メンテ|管理|保守|登録)",
        _en(r"master(?: data)? (?:maintenance|management|tables? maintenance)"),
    ),
    _cue("static", Grade.SIMPLE, r"静的", _en("static")),
    _cue(
        "low_code",
        Grade.SIMPLE,
        r"ローコード|ノーコード|kintone|キントーン|power ?apps",
        _en("low-?code", "no-?code", "canvas apps?", "power apps", "kintone"),
    ),
    _cue("staging", Grade.SIMPLE, r"ステージング(?:テーブル|層|モデル)", _en("staging (?:models?|tables?|layers?)")),
    _cue(
        "fixed_content",
        Grade.SIMPLE,
        r"固定ページ|固定コンテンツ|内容固定|固定表示|固定の(?:ページ|内容|文言)",
        _en("fixed (?:pages?|content)"),
    ),
    _cue(
        "display_only",
        Grade.SIMPLE,
        r"(?:表示|閲覧|参照)(?:のみ|だけ|専用)",
        _en("read[- ]?only", "display[- ]only", "view[- ]only"),
    ),
    _cue(
        "template",
        Grade.SIMPLE,
        r"(?<!メール)テンプレート(?!管理|作成|編集|機能|登録|設計|メール)",
        _en("(?<!email )(?<!e-mail )templates?(?! (?:management|editor|engine|builder))"),
    ),
    _cue(
        "modification",
        Grade.SIMPLE,
        r"改修|既存(?:の)?(?:画面|帳票|バッチ|機能|システム)(?:に|を|へ)|(?:列|項目)(?:を|の)?追加",
        _en("modif(?:y|ies|ied|ication)", r"changes? to (?:the )?existing", r"add(?:s|ing)? (?:\w+ )?columns?"),
    ),
    _cue("stated_complex", Grade.COMPLEX, r"複雑|高難度|難易度(?:が|は)?高", _en("complex", "complicated")),
    _cue("stated_normal", Grade.NORMAL, r"普通|中程度", _en("moderate")),
    _cue("stated_simple", Grade.SIMPLE, r"単純|簡易|簡単|シンプル", _en("simple")),
)

_CUE_BY_KEY: Mapping[str, _Cue] = {cue.key: cue for cue in _CUES}
GRADE_CUES: Mapping[str, Grade] = MappingProxyType({cue.key: cue.grade for cue in _CUES})
"""Each cue's stable key (written in reasoning text and `Count.cues`) and the grade it implies.

SIMPLE: static (静的, static), low_code (ローコード, kintone, Power Apps, canvas app: the platform
builds the plumbing), staging (ステージングテーブル, staging models: a 1:1 copy of a
source table), fixed_content (固定ページ), display_only (表示のみ, read-only),
crud_only (CRUDのみ, 単純なCRUD, CRUD only), master_maintenance (マスタメンテナンス, マスタ管理: one
master table's list, entry and update, the archetypal 単純 screen), template (テンプレート利用, template-based),
modification (改修, 既存画面に…, 列追加: changing what exists is less than building it),
stated_simple (単純, 簡易, simple).
NORMAL: search (検索, search), aggregation (集計, aggregation), input_validation (入力チェック,
validation), push_notification (プッシュ通知: a feature or an APNs/FCM interface, not realtime
work), stated_normal (普通, moderate).
COMPLEX: external_system (外部システム, 外部連携, external system), payment (決済, クレジットカード,
payment), realtime (リアルタイム, real-time), approval_flow (承認フロー, ワークフロー, approval
workflow), core_system (基幹, ERP), sso (SSO, 認証連携, SAML), inventory_allocation (在庫引当,
在庫連携), offline_sync (オフライン, 競合解決, offline, conflict handling), large_volume
(大量データ, 数百万件: a batch or interface that moves a large volume; a RECORDS count is sized
by its volume instead), character_conversion (外字, 文字コード変換, EBCDIC: legacy encodings are
the classic migration overrun), complex_layout (帳票レイアウトが複雑), stated_complex (複雑, complex).
"""

_GRADE_ORDER = (Grade.SIMPLE, Grade.NORMAL, Grade.COMPLEX)


@dataclass(frozen=True)
class _Found:
    key: str
    part: int
    clause: int
    position: int


def _cues(part: _Text, index: int) -> list[_Found]:
    """The cues of one text in order, negated ones left out, each span given to the first cue that matches it."""
    bounds = _clause_bounds(part.text)
    taken: list[tuple[int, int]] = []
    found: list[_Found] = []
    for cue in _CUES:
        for match in cue.pattern.finditer(part.text):
            span = match.span()
            if _overlaps(span, taken) or _negated(part.text, *span):
                continue
            taken.append(span)
            found.append(_Found(cue.key, index, bisect_right(bounds, span[0]), span[0]))
    return sorted(found, key=lambda cue: cue.position)


def _grade(keys: Iterable[str]) -> Grade:
    """The highest grade the cues imply; NORMAL when there is none."""
    grades = {GRADE_CUES[key] for key in keys}
    return max(grades, key=_GRADE_ORDER.index) if grades else Grade.NORMAL


_DATA_KINDS = (UnitKind.TABLE, UnitKind.RECORDS)
_DATA_CUES = frozenset(
    {"large_volume", "character_conversion", "core_system", "external_system", "modification", "crud_only", "staging"}
    | {"stated_complex", "stated_normal", "stated_simple"}
)
"""The cues that grade a table or a volume: 「決済・在庫の15テーブル」 names what the data is about, and a
payments table is no harder to map than a products table; only the data's own size, origin and
stated difficulty are."""


def _keys(found: Iterable[_Found], quantity: Decimal, kind: UnitKind) -> tuple[str, ...]:
    keys = [key for key in dict.fromkeys(cue.key for cue in found) if kind not in _DATA_KINDS or key in _DATA_CUES]
    if kind is UnitKind.RECORDS:
        keys = [key for key in keys if key != "large_volume"]
    if kind is UnitKind.DESIGN:  # designing a template is the work itself, not the reuse of one
        keys = [key for key in keys if key != "template"]
    return tuple(keys)


# ---------------------------------------------------------------------------------------------
# Public API


def number_spans(text: str) -> list[tuple[Decimal, int, int]]:
    """Every free-standing number of `text` as (value, start, end) in the reading form of `text`, read as
    `parse_quantity` reads one (4万8千, 三十万, 1.5億, 12k; dates, versions and glued digits are none).

    The chat reads amounts, percents and person-days with it, so a request's 「4万8千円」 is the same
    number a deliverable's 「4万8千件」 would be.
    """
    folded = _fold(text).text
    spans: list[tuple[Decimal, int, int]] = []
    for number in _numbers(folded):
        follower = folded[number.end : number.end + 1]
        if number.glued or (number.kanji and _IDEOGRAPH.match(follower) and not _counter_follows(folded, number.end)):
            continue
        spans.append((number.value, number.digits, number.end))
    return spans


def parse_quantity(text: str) -> Decimal | None:
    """The first number written in `text`, None when there is none.

    "5", "５", "五", "十二", "1万", "５００万", "1.5万", "約500万", "12k" and "1,200" all read; a
    range reads as its upper bound ("10〜15" is 15). A kanji numeral inside a word (一覧, 統一),
    an ordinal or version (第2, Ver.3) and digits stuck to a name (S3) are not numbers.
    """
    folded = _fold(text).text
    for number in _numbers(folded):
        if number.glued:
            continue
        follower = folded[number.end : number.end + 1]
        if number.kanji and _IDEOGRAPH.match(follower) and not _counter_follows(folded, number.end):
            continue
        return number.value
    return None


_OTHER_COUNTERS = re.compile(rf"{_GENERIC}|件|年|月|日|時|分|秒|週|名|人|円|期|回|倍|歳|度|階|版|号|位|番|割")


def _counter_follows(text: str, position: int) -> bool:
    """Whether a counter follows (十二画面, 三年): then a kanji numeral is a number, not part of a word (一覧)."""
    return _OTHER_COUNTERS.match(text, position) is not None or any(
        spec.counted.match(text, position) for spec in _KINDS
    )


@dataclass(frozen=True)
class _Grading:
    """Which cues grade which count: a count's own clause, and for the main kind the headline.

    The headline is the name's cues and those of description clauses that count nothing
    (「ページ5枚。すべて静的。」); a main count takes the latter only when its own clause has no
    cue, so 「静的ページ5枚、サイト内検索」 keeps its static pages SIMPLE.
    """

    cues: tuple[_Found, ...]
    bounds: tuple[tuple[int, ...], ...]
    counted: frozenset[tuple[int, int]]

    @classmethod
    def of(cls, parts: tuple[_Text, _Text], reads: list[_Read]) -> _Grading:
        bounds = tuple(_clause_bounds(part.text) for part in parts)
        counted = frozenset((read.part, bisect_right(bounds[read.part], read.start)) for read in reads)
        return cls((*_cues(parts[0], 0), *_cues(parts[1], 1)), bounds, counted)

    def of_read(self, read: _Read, main: UnitKind) -> list[_Found]:
        clause = (read.part, bisect_right(self.bounds[read.part], read.start))
        mine = [cue for cue in self.cues if (cue.part, cue.clause) == clause]
        if read.kind is not main:
            return mine
        return [
            cue
            for cue in self.cues
            if cue in mine or cue.part == 0 or (not mine and (cue.part, cue.clause) not in self.counted)
        ]


def _count(part: _Text, read: _Read, found: Iterable[_Found]) -> Count:
    keys = _keys(found, read.quantity, read.kind)
    return Count(read.kind, read.quantity, _grade(keys), part.quote(read.start, read.end), keys, stated=True)


def _handles_data(parts: tuple[_Text, _Text]) -> bool:
    """Whether the line moves or stores data, so that a number of 件 is its volume."""
    records = next(spec for spec in _KINDS if spec.kind is UnitKind.RECORDS)
    return any(_HANDLES_DATA.search(part.text) or records.names.search(part.text) for part in parts)


@lru_cache(maxsize=4096)
def read_units(name: str, description: str = "") -> UnitReading:
    """What a deliverable counts, main kind first (see the module docstring for every rule).

    Cached: sizing, the JUAS check and the OpenAI guidance all read the same lines, and the
    reading (a frozen value) depends on the two texts alone.
    """
    parts = (_fold(name), _fold(description))
    volumes = _handles_data(parts)
    found = (_reads(parts[0], 0, volumes), _reads(parts[1], 1, volumes))
    main = _own_api(_main_kind(parts[0], parts[1], [*found[0], *found[1]]), [*found[0], *found[1]])
    reads = _reconcile(_settle(parts[0], found[0], main), _settle(parts[1], found[1], main))
    main = _counted_mover(main, reads)
    grading = _Grading.of(parts, reads)
    counts = [_count(parts[read.part], read, grading.of_read(read, main)) for read in reads if read.kind is main]
    if not counts:  # nothing counted: one unit of the main kind, graded by every cue of the line
        # A line about devices or languages that counts none ("Device rollout", 「多言語対応」) is work of its
        # own, a feature: as a device or language unit it would be the first, which costs nothing extra.
        assumed = UnitKind.FEATURE if main in (UnitKind.DEVICE, UnitKind.LANGUAGE) else main
        keys = _keys(grading.cues, Decimal(1), assumed)
        counts.append(Count(assumed, Decimal(1), _grade(keys), "", keys, stated=False))
    counts.extend(
        _count(parts[read.part], read, grading.of_read(read, main)) for read in reads if read.kind is not main
    )
    counts.extend(_entities(parts, reads, counts))
    return UnitReading(tuple(_designed(main, _itemised(parts[0].text, counts))))


_ENTITY_LIST = re.compile(rf"((?:{_JA_ITEM}・)+{_JA_ITEM})\s*(?:の)?\s*(?:約|およそ|計|全)?\s*$")
_EN_ITEM = rf"{_EN_WORD}(?:\s+{_EN_WORD})?"
_EN_ENTITY_LIST = re.compile(
    rf"({_EN_ITEM}(?:\s*,\s*{_EN_ITEM})*\s*,?\s*and\s+{_EN_ITEM}|{_EN_ITEM}(?:\s*,\s*{_EN_ITEM})+)\s*[,:(]?\s*"
    r"(?:about|around|approx\.?|some|~)?\s*$"
)


def _entities(parts: tuple[_Text, _Text], reads: Sequence[_Read], counts: Sequence[Count]) -> list[Count]:
    """「得意先・商品・単価・受注残 約30万件」: the things a data volume is made of are its tables, when the line
    counts no table itself; a migration of four entities is no smaller than one of a single file."""
    if any(count.kind is UnitKind.TABLE for count in counts):
        return []
    for read in reads:
        if read.kind is not UnitKind.RECORDS:
            continue
        part = parts[read.part]
        found = _ENTITY_LIST.search(part.text, 0, read.start) or _EN_ENTITY_LIST.search(part.text, 0, read.start)
        if found is None:
            continue
        items = [item for item in _EN_SPLIT.split(found.group(1)) if item.strip()]
        if len(items) < 2:
            continue
        quoted = part.quote(found.start(1), found.end(1))
        return [Count(UnitKind.TABLE, Decimal(len(items)), Grade.NORMAL, quoted, (), stated=True)]
    return []


_ITEM_CUES = frozenset({"payment", "inventory_allocation", "approval_flow", "realtime", "sso", "offline_sync"})
"""Cues that name one function, not the target of every unit: in 「会員・注文・決済・店舗のAPI 25本」 payment
is one of the things the 25 endpoints do. 基幹 or an external system is where all of them go."""


def _itemised(name: str, counts: list[Count]) -> list[Count]:
    """A counted list graded COMPLEX only by function cues of its description grades one unit per such
    cue COMPLEX and the rest by the other cues: one payment endpoint does not make 25 endpoints complex.
    A cue in the name (「決済画面 3画面」) is what every unit is, and grades them all."""
    split: list[Count] = []
    for count in counts:
        complex_cues = [key for key in count.cues if GRADE_CUES[key] is Grade.COMPLEX]
        items = [key for key in complex_cues if key in _ITEM_CUES]
        in_name = any(_CUE_BY_KEY[key].pattern.search(name) for key in items)
        if not count.stated or len(items) != len(complex_cues) or not items or in_name or count.quantity <= len(items):
            split.append(count)
            continue
        rest = tuple(key for key in count.cues if key not in items)
        hard = Decimal(len(items))
        split.append(replace(count, quantity=hard))
        split.append(replace(count, quantity=count.quantity - hard, grade=_grade(rest), cues=rest))
    return split


_MOVERS = (UnitKind.BATCH, UnitKind.INTERFACE)


def _counted_mover(main: UnitKind, reads: Sequence[_Read]) -> UnitKind:
    """ "Source extraction jobs" that counts 「Shopify, Stripe and HubSpot connectors」, or a 連携 line that counts
    its batch jobs: a job and a connector are the same data-moving unit, so the line is the ones it counts. One
    assumed job priced beside the three connectors would price the same work twice."""
    if main not in _MOVERS or any(read.kind is main for read in reads):
        return main
    return next((read.kind for read in reads if read.kind in _MOVERS), main)


def _own_api(main: UnitKind, reads: list[_Read]) -> UnitKind:
    """「API開発」 or "Order management API" that counts endpoints and no interface is the project's own
    API: the endpoints are its unit, not one link to another party that the bare word API would be."""
    kinds = {read.kind for read in reads}
    if main is UnitKind.INTERFACE and UnitKind.ENDPOINT in kinds and UnitKind.INTERFACE not in kinds:
        return UnitKind.ENDPOINT
    return main


def _designed(main: UnitKind, counts: list[Count]) -> list[Count]:
    """On a design line, the screens it counts are screens designed, not built: 「アプリ12画面のデザイン」
    is 12 DESIGN units (its one assumed unit gives way to them), and building them is another line.
    A line that builds counts no design: the templates it follows were designed on the design line."""
    if main is not UnitKind.DESIGN:  # the templates a coding line builds from were designed on the design line
        return [count for count in counts if count.kind is not UnitKind.DESIGN]
    if not any(count.kind is UnitKind.SCREEN for count in counts):
        return counts
    screens = [replace(count, kind=UnitKind.DESIGN) for count in counts if count.kind is UnitKind.SCREEN]
    stated = [count for count in counts if count.kind is UnitKind.DESIGN and count.stated]
    return [*stated, *screens, *(count for count in counts if count.kind not in (UnitKind.DESIGN, UnitKind.SCREEN))]
