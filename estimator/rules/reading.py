"""Reading a chat request in Japanese or English into what it asks: its intent, before it meets a version.

The reading keeps every part of the request the answer depends on — the target (lines or a group),
the direction (down, up or to a value), the amount and its basis (税込 / 税抜), the scope — so a
proposal can be checked against it (`estimator.rules.check`) and stated back to the analyst as
「理解した内容」. Where the words leave one of these open (「500万円で」: a cap or a cut? 「予算500万」:
with tax or without?), the reading says so (`Intent.open`), and the chat asks instead of guessing.

Numbers are read as the sizing reads a deliverable (`estimator.sizing.units.number_spans`):
full-width digits, kanji numerals, 万 / 千 / 億 combined (4万8千, 三十万, 1.5億), k / K; money is
marked by 円, ¥, $, ドル or a number of at least 1,000.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from estimator.schemas import DeliverableKind, Phase
from estimator.sizing.units import number_spans
from estimator.text import reading_form

SIMPLIFY_FACTOR = Decimal("0.7")
"""House assumption: a simplified item keeps about 70 % of its effort."""

DEFAULT_RISK_BUFFER_PERCENT = Decimal(10)


class IntentKind(StrEnum):
    REDUCE_BY = "reduce_by"
    INCREASE_BY = "increase_by"
    FIT_BUDGET = "fit_budget"
    SCALE = "scale"
    SET_UNIT_COST = "set_unit_cost"
    SET_PERSON_DAYS = "set_person_days"
    RISK_BUFFER = "risk_buffer"
    REMOVE = "remove"
    SIMPLIFY = "simplify"
    QUESTION = "question"


class Basis(StrEnum):
    """Which figure an amount is on: the total with tax (税込) or the subtotal before it (税抜)."""

    TAX_INCLUDED = "tax_included"
    TAX_EXCLUDED = "tax_excluded"


class Open(StrEnum):
    """What the words leave open, so the chat asks rather than guesses."""

    BASIS = "basis"
    """A cap with no 税込 / 税抜 on a taxed estimate."""
    AMOUNT_USE = "amount_use"
    """An amount with no word saying whether it is a cap, a cut or an increase (「500万円で」)."""
    DIRECTION = "direction"
    """A percent with no word saying up, down or to (「テストを10%」)."""


@dataclass(frozen=True)
class Intent:
    """What a request asks for.

    `amount` is money in `currency` (None: the version's currency); `factor` scales effort (SCALE,
    SIMPLIFY) or the unit cost (SET_UNIT_COST without an amount); `days` is person-days (SET_PERSON_DAYS);
    `delta` marks an amount or days that are a change by that much, not the value to set; `target` is the
    phrase naming lines or a group,
    `text` the whole normalized request, searched for line names when needed.
    """

    kind: IntentKind
    text: str = ""
    amount: Decimal | None = None
    currency: str | None = None
    percent: Decimal | None = None
    factor: Decimal | None = None
    target: str | None = None
    basis: Basis | None = None
    days: Decimal | None = None
    delta: bool = False
    open: Open | None = None


def _en(*words: str) -> str:
    return r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])"


def _pattern(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))


_PERCENT_AFTER = re.compile(r"\s*(%|パーセント|percent|per cent|割|pct)")
_DAYS_AFTER = re.compile(r"\s*(?:人日|man-?days?|person-?days?|pd|md|days?|日分)(?![a-z])")
_CURRENCY_BEFORE = re.compile(r"(?:(?P<yen>[¥￥]|jpy)|(?P<usd>\$|usd|us\$))\s*(?:約)?\s*$")
_CURRENCY_AFTER = re.compile(r"^\s*(?:(?P<yen>円|jpy|yen)|(?P<usd>ドル|dollars?|usd|bucks))")
_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:人月|件|人|名|個|行|ページ|時間|年|月|画面|本|つ|倍|person|hours?|items?|lines?|pages?|screens?|x(?![a-z]))"
)
_BARE_AMOUNT_MIN = Decimal(1000)

_ASKS_WHY = _pattern(
    r"なぜ|何故|どうして|なんで|理由|根拠|内訳|いくら|何人日|どのくらい|どれくらい|どういう(?:内容|根拠|計算)",
    _en(
        "why",
        "how come",
        "what if",
        "what happens",
        "how much",
        "how many",
        "explain",
        "breakdown of",
        "what is",
        "what's",
    ),
)
_ASKS_WHETHER = _pattern(
    r"大丈夫|問題|妥当|普通|一般的|適切|適正|相場|すぎ|高い|安い|影響|リスク|足りる|十分|必要",
    _en(
        "normal",
        "ok",
        "okay",
        "safe",
        "reasonable",
        "enough",
        "typical",
        "standard",
        "fair",
        "too",
        "risky",
        "should (?:we|i)",
        "do we (?:really )?need",
        "does (?:it|this|that|the)",
        "is (?:it|this|that|there|a|an|the)",
        "are (?:they|these|those|the)",
        "would",
    ),
)
_QUESTION_END = re.compile(r"(?:[?？]|か|かな|かね|の|でしょう|ですか|ますか)\s*$")
_ASKS_FOR_PROPOSAL = _pattern(r"案|方法|提案|パターン", _en("options?", "proposals?", "ways? to", "suggest"))
_UNIT_COST = _pattern(
    r"単価|日額|日当|人日単価|レート",
    _en(
        "unit (?:cost|price|rate)",
        "day ?rate",
        "daily rate",
        "rate per day",
        "per[- ]day rate",
        "person-day (?:rate|cost)",
        "(?<!tax )rate",
    ),
)
_RISK = _pattern(
    r"リスクバッファ|リスク費|予備費|バッファ|コンティンジェンシー|リスク",
    _en("risk buffer", "contingency", "buffer", "risk reserve", "risk margin", "risk"),
)
_REMOVE = _pattern(
    r"外し|外す|外して|外そう|削除|除外|除いて|除く|なくし|無くし|なくす|不要|要らない|いらない|取り除|やめ|止め|抜い|抜く|"
    r"スコープ外|対象外|見送|省い|省く|省略|なしで|無しで|カットして(?:ください)?$",
    _en(
        "remove",
        "drop",
        "delete",
        "exclude",
        "take out",
        "get rid of",
        "without",
        "not needed",
        "unnecessary",
        "skip",
        "leave out",
        "no longer need(?:ed)?",
        "(?:don't|do not|won't|will not) need",
        "out of scope",
        "descope",
        "scrap",
        "cancel",
        "omit",
    ),
)
_SIMPLIFY = _pattern(
    r"シンプル|簡略|簡素|簡易|軽く|軽量|最小限|スリム",
    _en(r"simplif(?:y|ied)", "simpler", "lighter", "leaner", "slim", "streamline", "basic version", "bare[- ]bones"),
)
_REDUCE = _pattern(
    r"安く|安い|下げ|減額|値引|削減|減ら|減らし|削っ|削る|カット|圧縮|抑え|節約|減|マイナス|引いて|引き",
    _en(
        "reduce",
        "cut",
        "lower",
        "cheaper",
        "less",
        "save",
        "off",
        "discount",
        "decrease",
        "trim",
        "shave",
        "knock",
        "minus",
        "down",
        "shrink",
    ),
)
_INCREASE = _pattern(
    r"増や|増し|増加|増額|上げ|追加|上乗せ|乗せ|プラス|加算|足し|盛|増",
    _en("increase", "raise", "add", "more", "up", "bump", "pad", "extra", "plus", "on top", "higher", "boost"),
)
_CAP_WORDS = _pattern(
    r"予算|上限|以内|以下|未満|内に|収め|収ま|抑え(?:て|たい)",
    _en("budget", "cap", "ceiling", "under", "within", "below", "at most", "no more than", "max(?:imum)?", "fit"),
)
_TO_VALUE = re.compile(
    r"^\s*(?:ほど|程度|くらい|ぐらい)?\s*(?:に(?!\s*(?:削減|減ら|カット|下げ|増や|上乗せ))|まで(?!に)|ちょうど)"
)
_TO_BEFORE = re.compile(r"(?<![a-z])(?:to|at|=)\s*(?:about\s*|around\s*)?$")
_BY_BEFORE = re.compile(r"(?<![a-z])by\s*(?:about\s*|around\s*)?$")
_BY_AFTER = re.compile(r"^\s*(?:ほど|程度|くらい|ぐらい)?\s*(?:分|を|だけ|も)")

_TAX_INCLUDED = _pattern(
    r"税込|込み|消費税込|内税|税金込",
    _en(
        "tax included",
        "including tax",
        "incl\\.? tax",
        "inc\\.? tax",
        "with tax",
        "after tax",
        "gross",
        "tax-inclusive",
    ),
)
_TAX_EXCLUDED = _pattern(
    r"税抜|税別|外税|税前|本体価格|小計",
    _en(
        "tax excluded",
        "excluding tax",
        "excl\\.? tax",
        "ex\\.? tax",
        "before tax",
        "pre-?tax",
        "net",
        "without tax",
        "tax-exclusive",
        "subtotal",
    ),
)

_HALF = _pattern(r"半分|半減|二分の一|1/2", _en("half", "halve", "halved", "50-50"))
_TIMES = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*倍|(?<![\d.])倍(?:に|へ)|(?P<n2>\d+(?:\.\d+)?)\s*x(?![a-z])")
_EN_TIMES = {"double": Decimal(2), "twice": Decimal(2), "triple": Decimal(3), "quadruple": Decimal(4)}
_THIRD = _pattern(r"三分の一|1/3", _en("a third", "one third"))

_JA_TARGET = re.compile(
    r"^(?:あと|もう少し|できれば|なるべく)?\s*(?P<t>.+?)(?:の(?:工数|費用|金額|作業|分|人日)(?:を|は|が)?|を|は|が|について|に関して|も|だけ|のみ)"
)
_EN_TARGETS = (
    re.compile(r"^(?:the\s+)?(?P<t>.+?)\s+(?:is|are)\s+(?:not needed|unnecessary|out of scope|no longer needed)"),
    re.compile(
        r"(?:remove|drop|delete|exclude|take out|get rid of|simplify|streamline|cut|reduce|trim|lower|decrease"
        r"|scale down|shrink|increase|raise|skip|leave out|omit|scrap|cancel|descope|halve|double|triple|set|bring"
        r"|make|put|no longer need|don't need|do not need|won't need)\s+(?:the\s+|all\s+|our\s+|of\s+)?"
        r"(?P<t>.+?)(?:\s+(?:by|to|from|with|at|down|up|in half|simpler|lighter|leaner|cheaper|smaller|"
        r"twice|out of scope)\b|\s*\d|[,.!?]|$)"
    ),
    re.compile(r"(?:from|on|of|for|off)\s+(?:the\s+|all\s+)?(?P<t>[a-z][a-z \-]*?)(?:\s+by\b|[,.!?]|$)"),
    re.compile(r"^(?:the\s+)?(?P<t>[a-z][a-z \-]*?)\s+(?:to|at)\s*\d"),
)
_PREFIXES = re.compile(r"^(?:全ての|すべての|全部の|各|(?:all|every|each)\s+(?:the\s+|of the\s+)?)")
_SUFFIXES = re.compile(
    r"(?:類|関連|全般|系|工程|工数|費用|コスト|周り|まわり|フェーズ|作業|部分|一式|など|等|の|"
    r"\s+(?:work|effort|phases?|items?|costs?|lines?|days?|stuff|part))+$"
)
_NOT_A_TARGET = re.compile(
    r"^(?:あと|もう少し|全体的に|ちょっと|少し|さらに|合計|総額|金額|見積|見積り|見積もり|it|this|that|everything)$"
)


@dataclass(frozen=True)
class Category:
    """A word for a group of lines: by kind (manuals, screens) or by phase (testing, design)."""

    key: str
    words: re.Pattern[str]
    kinds: frozenset[DeliverableKind] = frozenset()
    phases: tuple[Phase, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category(
        "all",
        _pattern(
            r"全体|全て|すべて|全部|全明細|全項目|見積り?|見積もり|金額|費用|総額|合計|予算|工数",
            _en(
                "everything",
                "all",
                "overall",
                "whole",
                "whole thing",
                "the lot",
                "total",
                "all lines",
                "lines",
                "price",
                "cost",
                "estimate",
                "quote",
            ),
        ),
    ),
    Category(
        "test",
        _pattern(r"テスト|試験|検証|品質保証", _en(r"test(s|ing)?", "qa", "quality assurance")),
        frozenset({DeliverableKind.TEST}),
        (Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST),
    ),
    Category(
        "manual",
        _pattern(r"マニュアル|手順書|説明書", _en(r"manuals?", r"guides?", "handbooks?")),
        frozenset({DeliverableKind.MANUAL}),
    ),
    Category(
        "documentation",
        _pattern(
            r"ドキュメント|文書|資料|書類|ドキュメンテーション",
            _en("documentation", r"documents?", "docs", "paperwork", "write-?ups?"),
        ),
        frozenset({DeliverableKind.DOCUMENT, DeliverableKind.MANUAL}),
    ),
    Category(
        "design", _pattern(r"設計書?", _en(r"design( documents?)?")), phases=(Phase.BASIC_DESIGN, Phase.DETAILED_DESIGN)
    ),
    Category(
        "requirements", _pattern(r"要件定義|要件", _en("requirements?( definition)?")), phases=(Phase.REQUIREMENTS,)
    ),
    Category(
        "implementation",
        _pattern(
            r"実装|製作|開発|プログラミング|コーディング|製造",
            _en("implementation", "coding", "development", "programming", "build"),
        ),
        phases=(Phase.IMPLEMENTATION,),
    ),
    Category("screen", _pattern(r"画面", _en("ui", r"screens?")), frozenset({DeliverableKind.SCREEN})),
    Category("api", _pattern(r"インターフェース", _en(r"apis?", r"interfaces?")), frozenset({DeliverableKind.API})),
    Category("batch", _pattern(r"バッチ", _en(r"batch(es)?", r"jobs?")), frozenset({DeliverableKind.BATCH})),
    Category("database", _pattern(r"データベース", _en("db", r"databases?")), frozenset({DeliverableKind.DATABASE})),
    Category(
        "infrastructure",
        _pattern(r"インフラ|環境構築", _en("infra(structure)?")),
        frozenset({DeliverableKind.INFRASTRUCTURE}),
    ),
    Category(
        "pm",
        _pattern(r"プロジェクト管理|進捗管理|pm", _en("pm", "project management", "management")),
        frozenset({DeliverableKind.PM}),
    ),
)
ALL = CATEGORIES[0]


@dataclass(frozen=True)
class _Number:
    value: Decimal
    start: int
    end: int


_EXPONENT = re.compile(r"\d[eE][+-]?\d")
_SIGN_BEFORE = re.compile(r"(?<![0-9a-z.,])([-−▲△+])\s*$")


def _sign(text: str, number: _Number) -> int:
    """-1 for a number written with a minus (-10%, ▲10%), +1 with a plus, 0 without a sign."""
    match = _SIGN_BEFORE.search(text[: number.start])
    if match is None:
        return 0
    return 1 if match.group(1) == "+" else -1


def _numbers(text: str) -> list[_Number]:
    return [_Number(value, start, end) for value, start, end in number_spans(text)]


def _percent(text: str, numbers: list[_Number]) -> tuple[Decimal, _Number] | None:
    for number in numbers:
        match = _PERCENT_AFTER.match(text, number.end)
        if match:
            end = match.end()
            return number.value * (10 if match.group(1) == "割" else 1), _Number(number.value, number.start, end)
    return None


def _person_days(text: str, numbers: list[_Number]) -> _Number | None:
    for number in numbers:
        match = _DAYS_AFTER.match(text, number.end)
        if match:
            return _Number(number.value, number.start, match.end())
    return None


def _money(text: str, numbers: list[_Number], *, bare_ok: bool) -> tuple[_Number, str | None] | None:
    """The first money amount and its currency (None: unmarked), skipping percents and person-days."""
    for number in numbers:
        if _PERCENT_AFTER.match(text, number.end) or _DAYS_AFTER.match(text, number.end):
            continue
        before = _CURRENCY_BEFORE.search(text[: number.start])
        after = _CURRENCY_AFTER.match(text[number.end :])
        mark = before or after
        if mark is None:
            if _NOT_MONEY_AFTER.match(text[number.end :]) or (not bare_ok and number.value < _BARE_AMOUNT_MIN):
                continue
            return number, None
        end = number.end + after.end() if after else number.end
        return _Number(number.value, number.start, end), "JPY" if mark.group("yen") else "USD"
    return None


def _basis(text: str) -> Basis | None:
    if _TAX_INCLUDED.search(text):
        return Basis.TAX_INCLUDED
    if _TAX_EXCLUDED.search(text):
        return Basis.TAX_EXCLUDED
    return None


def target_phrase(text: str) -> str | None:
    """The phrase naming what to change (「マニュアル類」 → 「マニュアル」, "the admin screen" → "admin screen")."""
    candidates = [m.group("t") for m in (_JA_TARGET.match(text), *(p.search(text) for p in _EN_TARGETS)) if m]
    for candidate in candidates:
        phrase = re.sub(r"^(?:by|to|from|with|at|of|off)(?![a-z])\s*", "", candidate.strip(" 、,。.「」『』\"'"))
        phrase = phrase.strip(" $¥")
        stripped = _SUFFIXES.sub("", _PREFIXES.sub("", phrase)).strip() or phrase
        named = stripped and not re.search(r"\d", stripped) and re.search(r"[a-zぁ-んァ-ヶ一-龥]", stripped)
        if named and not _NOT_A_TARGET.match(stripped):
            if _REMOVE.fullmatch(stripped) or _REDUCE.fullmatch(stripped) or _INCREASE.fullmatch(stripped):
                continue
            return stripped
    return None


_AMOUNT_SOURCE = re.compile(r"^(?:あと|もう少し)?\s*(?P<t>[^\d¥$、,]+?)(?:から|で)(?=.*\d)")


def _amount_source(text: str) -> str | None:
    """「テストで5万円」, 「管理画面から2万円」: the lines an amount is to come from (税込で, 全体で name none)."""
    match = _AMOUNT_SOURCE.match(text)
    if match is None:
        return None
    phrase = _SUFFIXES.sub("", match.group("t")).strip()
    if not phrase or _TAX_INCLUDED.fullmatch(phrase) or _TAX_EXCLUDED.fullmatch(phrase) or _NOT_A_TARGET.match(phrase):
        return None
    return phrase


def is_question(text: str) -> bool:
    """A question about the estimate (「なぜ高いの？」, "is 10 % normal?"), not a change asked politely.

    Why-words (なぜ, 根拠, "why", "how much") make a question anywhere; judging words (大丈夫, 妥当,
    "normal", "should we") only in a sentence that ends as a question, so 「問題ない範囲で減らして」 and
    "can you cut the tests?" stay requests. Asking for options (「安くする案を教えて」) is a request.
    """
    n = reading_form(text).strip()
    if _ASKS_FOR_PROPOSAL.search(n):
        return False
    return bool(_ASKS_WHY.search(n) or (_ASKS_WHETHER.search(n) and _QUESTION_END.search(n)))


def _scale_factor(text: str) -> Decimal | None:
    """半分 / halve → 0.5, 2倍 / double → 2, 三分の一 → 1/3 (to four places); None when no such word."""
    if _HALF.search(text):
        return Decimal("0.5")
    if _THIRD.search(text):
        return Decimal("0.3333")
    match = _TIMES.search(text)
    if match:
        value = match.group("n") or match.group("n2")
        return Decimal(value) if value else Decimal(2)
    for word, factor in _EN_TIMES.items():
        if re.search(_en(word), text):
            return factor
    return None


def _direction(text: str) -> int:
    """-1 for words of cutting, +1 for words of adding, 0 when neither or both."""
    down, up = bool(_REDUCE.search(text)), bool(_INCREASE.search(text))
    return -1 if down and not up else 1 if up and not down else 0


def parse_request(text: str) -> Intent | None:
    """The intent of a request in Japanese or English, or None when it is none of the forms understood."""
    n = "".join(ch for ch in reading_form(text) if unicodedata.category(ch) != "Cf").strip()
    if not n:
        return None
    if is_question(n):
        return Intent(IntentKind.QUESTION, n, target=target_phrase(n))
    if _EXPONENT.search(n):  # 「1e9円」: no analyst writes that; a guess at it would be a wrong change
        return None
    numbers = _numbers(n)
    percent = _percent(n, numbers)
    signed = _sign(n, percent[1]) if percent is not None else 0
    if percent is None and any(_sign(n, number) for number in numbers):
        return None  # 「-5人日に」, 「▲3万円」: a sign on an amount or days is read by no rule here
    basis = _basis(n)
    direction = _direction(n)
    removing = _REMOVE.search(n) is not None
    if _UNIT_COST.search(n) and not _RISK.search(n):
        return _unit_cost(n, numbers, percent, direction)
    if _RISK.search(n) and not removing:
        value = percent[0] if percent else DEFAULT_RISK_BUFFER_PERCENT
        return Intent(IntentKind.RISK_BUFFER, n, percent=value)
    factor = _scale_factor(n)
    if factor is not None and percent is None:
        return Intent(IntentKind.SCALE, n, factor=factor, target=target_phrase(n))
    if percent is not None:
        return _percent_intent(n, percent, signed or direction, signed=bool(signed))
    days = _person_days(n, numbers)
    if days is not None and _money(n, numbers, bare_ok=False) is None:
        return _days_intent(n, days, direction)
    money = _money(n, numbers, bare_ok=False)
    if money is not None:
        return _amount_intent(n, money, basis, direction)
    if removing:
        return Intent(IntentKind.REMOVE, n, target=target_phrase(n))
    if _SIMPLIFY.search(n):
        return Intent(IntentKind.SIMPLIFY, n, factor=SIMPLIFY_FACTOR, target=target_phrase(n))
    return None


def _unit_cost(
    n: str, numbers: list[_Number], percent: tuple[Decimal, _Number] | None, direction: int
) -> Intent | None:
    """「単価を45,000円に」, "day rate to 450" (any number is the rate here), 「単価を1割下げ」 (a factor on it)."""
    if percent is not None:
        value, number = percent
        factor = _percent_factor(n, value, number, direction)
        if factor is None:
            return Intent(IntentKind.SET_UNIT_COST, n, percent=value, open=Open.DIRECTION)
        return Intent(IntentKind.SET_UNIT_COST, n, percent=value, factor=factor)
    money = _money(n, numbers, bare_ok=True)
    if money is None:
        return None
    number, currency = money
    before = _CURRENCY_BEFORE.sub("", n[: number.start])
    to_value = _TO_VALUE.match(n[number.end :]) or _TO_BEFORE.search(before)
    by = _BY_BEFORE.search(before) or _BY_AFTER.match(n[number.end :])
    if by or (direction and not to_value):  # "raise the rate by 50", 「単価を5000円上げて」: a change, not the rate
        if direction == 0:
            return None
        return Intent(IntentKind.SET_UNIT_COST, n, amount=number.value * direction, currency=currency, delta=True)
    return Intent(IntentKind.SET_UNIT_COST, n, amount=number.value, currency=currency)


def _percent_factor(text: str, value: Decimal, number: _Number, direction: int) -> Decimal | None:
    """「20%削減」 → 0.8, 「80%に」 / "to 80%" → 0.8, "up by 10%" → 1.1; None without a direction or out of range."""
    to_value = _TO_VALUE.match(text[number.end :]) or _TO_BEFORE.search(text[: number.start])
    if to_value and not _BY_BEFORE.search(text[: number.start]):
        factor = value / 100
    elif direction > 0:
        factor = 1 + value / 100
    elif direction < 0:
        factor = 1 - value / 100
    else:
        return None
    return factor if 0 < factor <= 10 and factor != 1 else None


def _percent_intent(n: str, percent: tuple[Decimal, _Number], direction: int, *, signed: bool = False) -> Intent:
    """A percent on effort; 「+10%」 / "-15%" carry their direction, and past 100 % down is beyond any cut."""
    value, number = percent
    factor = 1 + direction * value / 100 if signed else _percent_factor(n, value, number, direction)
    if factor is not None and not 0 < factor <= 10:
        factor = None
    if factor is None and direction:
        return Intent(IntentKind.SCALE, n, percent=value, factor=Decimal(0), target=target_phrase(n))
    if factor is None:
        return Intent(IntentKind.SCALE, n, percent=value, target=target_phrase(n), open=Open.DIRECTION)
    return Intent(IntentKind.SCALE, n, percent=value, factor=factor, target=target_phrase(n))


def _days_intent(n: str, days: _Number, direction: int) -> Intent:
    """「管理画面を15人日に」 sets a line; 「テストを5人日減らす」 / "cut X by 3 days" changes it by that much."""
    to_value = _TO_VALUE.match(n[days.end :]) or _TO_BEFORE.search(n[: days.start])
    target = target_phrase(n)
    if direction and (not to_value or _BY_BEFORE.search(n[: days.start])):
        return Intent(IntentKind.SET_PERSON_DAYS, n, days=days.value * direction, delta=True, target=target)
    if to_value or direction == 0:
        return Intent(IntentKind.SET_PERSON_DAYS, n, days=days.value, target=target)
    return Intent(IntentKind.SET_PERSON_DAYS, n, days=days.value * direction, delta=True, target=target)


def _amount_intent(n: str, money: tuple[_Number, str | None], basis: Basis | None, direction: int) -> Intent:
    """An amount is a cap (予算, 以内, under, 「500万円に」), a cut (安く, by), an increase (上乗せ), or open."""
    number, currency = money
    before, after = _CURRENCY_BEFORE.sub("", n[: number.start]), n[number.end :]
    by = _BY_BEFORE.search(before) or _BY_AFTER.match(after)
    cap = _CAP_WORDS.search(n) or _TO_VALUE.match(after) or _TO_BEFORE.search(before)
    target = target_phrase(n) or _amount_source(n)
    if cap and not by:
        return Intent(IntentKind.FIT_BUDGET, n, amount=number.value, currency=currency, basis=basis)
    if direction < 0:
        return Intent(IntentKind.REDUCE_BY, n, amount=number.value, currency=currency, basis=basis, target=target)
    if direction > 0:
        return Intent(IntentKind.INCREASE_BY, n, amount=number.value, currency=currency, basis=basis, target=target)
    return Intent(IntentKind.FIT_BUDGET, n, amount=number.value, currency=currency, basis=basis, open=Open.AMOUNT_USE)


_ACTION_VERBS = (
    "add|remove|drop|delete|exclude|skip|cut|reduce|lower|raise|increase|decrease|make|simplify|set|change"
    "|put|give|fit|keep|include|double|halve|trim|take|get|scale|shrink|streamline|apply|use|bring|leave|omit"
)
# Where one request holds several: a sentence end, a Japanese て-form comma (「半分にして、単価も」),
# a linking word, or an English "and"/"then"/"also" that opens a new action ("… and add a CSV export").
_CLAUSE_BREAK = re.compile(
    r"[。！？!?\n;；]+"
    r"|\.(?=\s|$)"
    r"|(?<=[てで])\s*[、,]\s*"
    r"|\s*[、,]?\s*(?:それと|それから|あと[、,]|また[、,]|さらに|加えて|ついでに|その上で)\s*"
    rf"|,?\s+(?:and|then|also|plus)\s+(?:also\s+|then\s+)?(?=(?:{_ACTION_VERBS})\b)"
    r"|,\s*(?:and\s+)?(?:also|then|plus)\s+"
    rf"|,\s*(?=(?:{_ACTION_VERBS})\b)",
    re.IGNORECASE,
)
_POLITENESS = re.compile(
    r"お願いします|お願い|ください|下さい|よろしく|頼みます|please|thanks|thank you|pls|[\s、。,.!?！？]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RequestReading:
    """A request split into its parts: those the rules understood (with their intent) and those they did not."""

    understood: list[tuple[str, Intent]]
    missed: list[str]


def request_parts(text: str) -> list[str]:
    """The parts of a compound request, in order; politeness alone («お願いします», "please") is no part."""
    parts = [part.strip(" 、,") for part in _CLAUSE_BREAK.split(unicodedata.normalize("NFKC", text))]
    return [part for part in parts if part and _POLITENESS.sub("", part)]


def read_request(text: str) -> RequestReading:
    """Which parts of `text` the rules understand: the whole request, or each of its parts when it has several.

    A question is read whole: 「テストを減らしたら、品質は大丈夫？」 is one question, not a cut and a question.
    """
    parts = request_parts(text)
    if len(parts) <= 1 or is_question(text):
        intent = parse_request(text)
        return RequestReading([(text.strip(), intent)], []) if intent else RequestReading([], [text.strip()])
    understood: list[tuple[str, Intent]] = []
    missed: list[str] = []
    for part in parts:
        intent = parse_request(part)
        if intent is None:
            missed.append(part)
        else:
            understood.append((part, intent))
    return RequestReading(understood, missed)
