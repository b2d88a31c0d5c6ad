"""The offline engine's reading table: kinds of deliverable, the topics that move effort, their factors.

The sizes themselves are data (`estimator.sizing.rates`, docs/sizing-sources.md); here are
the profiles that classify a line (and so its role in the plan) and the topics a text or an
answer states, with their factors:

- Effort multipliers for schedule, team experience, availability and test/document
  depth — COCOMO II.2000 (Boehm et al., *Software Cost Estimation with COCOMO II*,
  2000; COCOMO II Model Definition Manual, 2000): SCED very low (75 % of the nominal
  schedule) 1.43, low (85 %) 1.14, nominal 1.00; APEX very low 1.22, nominal 1.00,
  high 0.88; RELY high 1.10, very high 1.26; DOCU low 0.91, nominal 1.00, high 1.11.
- The optimistic / most likely / pessimistic range follows PERT (DESIGN.md).

Everything else is a house assumption, marked as such where it is defined: the factors
of cues COCOMO has no driver for, and how far open questions widen a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from estimator.schemas import DeliverableKind, QuestionKind

D = Decimal

OPTIMISTIC_PER_UNANSWERED = D("0.03")
PESSIMISTIC_PER_UNANSWERED = D("0.08")
OPTIMISTIC_MAX = D("0.50")
"""House assumption: each unanswered question that affects a line widens its range by 3 points below
and 8 above the rate's own spread (at most 50 % below) — skewed upwards, because software overruns
more often than not."""


def _en(*words: str) -> str:
    """English alternatives that must stand as words, also right next to Japanese text (`API連携`)."""
    return r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])"


def _pattern(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


_NEGATION_AFTER = re.compile(
    r"^\s*(?:対応|機能|連携)?\s*(?:は|も|が)?\s*(?:不要|なし|無し|対象外|しない|ありません|行わない)"
)
_NEGATION_BEFORE = re.compile(r"(?<![a-z])(?:no|not|without|non)[\s-]+(?:[a-z]+\s+)?$")


def mentions(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `text` (normalized) states what `pattern` describes, not counting
    negated mentions such as 「多言語対応は不要」 or "without SSO"."""
    for match in pattern.finditer(text):
        after = text[match.end() : match.end() + 12]
        before = text[max(0, match.start() - 20) : match.start()]
        if not _NEGATION_AFTER.search(after) and not _NEGATION_BEFORE.search(before):
            return True
    return False


@dataclass(frozen=True)
class Profile:
    """One kind of deliverable as the offline engine sizes it.

    `names` classifies by name first, then by description. The size comes from the line's
    counted units (`estimator.sizing`), its role in the plan from the profile's key.
    """

    key: str
    kind: DeliverableKind
    names: re.Pattern[str]


PROFILES: tuple[Profile, ...] = (
    Profile(
        "requirements_doc",
        DeliverableKind.DOCUMENT,
        _pattern(
            r"要件定義|要求定義|要求仕様", _en(r"requirements?( definition| document| specification| spec)?", "srs")
        ),
    ),
    Profile(
        "basic_design_doc",
        DeliverableKind.DOCUMENT,
        _pattern(r"基本設計|外部設計|概要設計", _en("basic design", "external design", "high-level design")),
    ),
    Profile(
        "detailed_design_doc",
        DeliverableKind.DOCUMENT,
        _pattern(r"詳細設計|内部設計", _en("detailed design", "internal design", "low-level design")),
    ),
    Profile(
        "unit_test",
        DeliverableKind.TEST,
        _pattern(r"単体テスト|単体試験|ユニットテスト", _en(r"unit[- ]test(s|ing)?")),
    ),
    Profile(
        "integration_test",
        DeliverableKind.TEST,
        _pattern(r"結合テスト|結合試験|統合テスト|連結テスト", _en(r"integration test(s|ing)?")),
    ),
    Profile(
        "system_test",
        DeliverableKind.TEST,
        _pattern(
            r"総合テスト|総合試験|システムテスト|受入テスト|受け入れテスト",
            _en(r"system test(s|ing)?", r"acceptance test(s|ing)?", "uat", r"end-to-end test(s|ing)?"),
        ),
    ),
    Profile(
        "manual",
        DeliverableKind.MANUAL,
        _pattern(
            r"マニュアル|手順書|取扱説明書|操作説明書|ガイド", _en(r"manuals?", r"guides?", "handbook", "runbook")
        ),
    ),
    Profile(
        "pm",
        DeliverableKind.PM,
        _pattern(
            r"プロジェクト管理|プロジェクトマネジメント|進捗管理|進行管理|工程管理|定例会|ディレクション",
            _en("project management", "pmo", "pm", "status reports?", "meetings", "project coordination", "direction"),
        ),
    ),
    Profile(
        "design_doc",
        DeliverableKind.DOCUMENT,
        _pattern(r"設計書|仕様書|設計", _en(r"design( document| doc)?s?", r"specifications?", r"specs?")),
    ),
    Profile(
        "document",
        DeliverableKind.DOCUMENT,
        _pattern(
            r"計画書|報告書|定義書|文書|資料|ドキュメント",
            # A report someone writes (findings, a test's results) is a document; a 帳票 the system prints is not.
            _en(
                r"documents?",
                "documentation",
                r"plans?",
                r"(?:assessment|audit|final|test|inspection|evaluation|findings|analysis|investigation|diagnostic)"
                r" reports?",
            ),
        ),
    ),
    Profile(
        "test",
        DeliverableKind.TEST,
        # 検証環境 is an environment and 本番移行 with its 検証 a cutover: neither is a test phase.
        # A security assessment (脆弱性診断) tests a system; a bare 診断 may be a feature (画像診断), so it is not one.
        _pattern(
            r"テスト|試験|検証(?!環境)|脆弱性診断|セキュリティ診断|脆弱性検査|再診断",
            _en(r"test(s|ing)?", "qa", r"vulnerability (?:assessment|scan|scanning)s?"),
        ),
    ),
    Profile(
        "infrastructure",
        DeliverableKind.INFRASTRUCTURE,
        _pattern(
            r"インフラ|サーバ|環境構築|ネットワーク|クラウド|デプロイ|本番移行|切替|切り替え|移行リハーサル",
            _en(
                "infrastructure",
                r"servers?",
                "environment",
                "network",
                "cloud",
                "aws",
                "azure",
                "gcp",
                "ci/cd",
                "deploy",
            ),
        ),
    ),
    Profile(
        "database",
        DeliverableKind.DATABASE,
        _pattern(
            r"データベース|テーブル|スキーマ|データモデル", _en("database", "db", "schema", r"tables?", "data model")
        ),
    ),
    Profile(
        "batch",
        DeliverableKind.BATCH,
        _pattern(
            r"バッチ|夜間処理|定期処理|一括処理|ジョブ|集計処理|データ移行",
            _en(r"batch(es)?", r"jobs?", "scheduled", "cron", "nightly", "etl", "data migration"),
        ),
    ),
    Profile(
        "api",
        DeliverableKind.API,
        _pattern(
            r"インターフェース|インタフェース|エンドポイント|webサービス|連携機能",
            _en(r"apis?", r"endpoints?", "web services?", r"interfaces?", "rest", "graphql", r"webhooks?"),
        ),
    ),
    Profile(
        "screen",
        DeliverableKind.SCREEN,
        _pattern(
            r"画面|フロント|ページ|フォーム|ダッシュボード|ポータル",
            _en("ui", r"screens?", r"front[- ]?end", r"pages?", r"forms?", "dashboard", "portal", r"views?"),
        ),
    ),
    Profile(
        "program",
        DeliverableKind.OTHER,
        _pattern(
            r"プログラム|プログラミング|コーディング|実装|製作|開発",
            _en("development", "programming", "coding", "implementation", "program", "build"),
        ),
    ),
)
"""In classification order: the first profile whose `names` match the name wins,
then the first matching the description; a more specific kind comes first."""

OTHER = Profile("other", DeliverableKind.OTHER, _pattern(r"(?!)"))
PROFILE_KEYS: tuple[str, ...] = (*(profile.key for profile in PROFILES), OTHER.key)


@dataclass(frozen=True)
class Option:
    """One possible state of a topic: its factor, and how text and answers say it.

    `text` is strict (it reads requirements and descriptions, where a loose word
    would misfire); `answer` adds the looser words of a reply to the question;
    `counts` is the half-open range a number in the text or answer falls in.
    """

    key: str
    factor: Decimal
    text: re.Pattern[str] | None = None
    answer: re.Pattern[str] | None = None
    counts: tuple[int, int] | None = None


@dataclass(frozen=True)
class Topic:
    """Something that moves effort: a question the engine may ask, or a cue it only reads.

    `applies_to` holds the profile keys whose size it changes; `unit` is the word a
    number must carry to count in free text (「300名」, "3 systems").
    """

    key: str
    options: tuple[Option, ...]
    applies_to: frozenset[str]
    question: QuestionKind | None = None
    unit: re.Pattern[str] | None = None
    scope: bool = False
    """A fact about what the project is, not a risk: stated in the requirements it sizes the lines
    (「稼働中のシステムへの機能追加」), where a risk stated there only widens their range."""


def _profiles(*keys: str) -> frozenset[str]:
    unknown = set(keys) - set(PROFILE_KEYS)
    if unknown:
        raise ValueError(f"unknown profiles {sorted(unknown)}")
    return frozenset(keys)


_DESIGN = ("requirements_doc", "basic_design_doc", "detailed_design_doc", "design_doc")
_BUILD = ("screen", "api", "batch", "database", "program", "other")
_TESTS = ("unit_test", "integration_test", "system_test", "test")
_DOCS = ("manual", "document")
_NONE_WORDS = _en("no", "none", "nothing", "not needed", "n/a") + r"|^\s*(?:なし|無し|不要|ない|ありません)"
ALL_PROFILES = frozenset(PROFILE_KEYS)

TOPICS: tuple[Topic, ...] = (
    Topic(
        "integrations",
        (
            Option(
                "none",
                D("1.00"),
                _pattern(
                    r"(?:外部)?連携(?:は|も)?(?:なし|無し|不要|しない)",
                    _en(r"no (external )?integrations?", "standalone"),
                ),
                _pattern(_NONE_WORDS, r"単独|スタンドアロン"),
                (0, 1),
            ),
            # House factors; COCOMO II has no integration driver.
            Option(
                "many",
                D("1.25"),
                _pattern(
                    r"(?:複数|多数|多く)の(?:外部)?(?:システム|サービス)",
                    _en(r"(several|multiple|many) (external )?(systems|services)"),
                ),
                _pattern(r"多数|多い|複数|たくさん", _en("many", "several", "multiple", "numerous", "lots")),
                (3, 10**9),
            ),
            Option(
                "few",
                D("1.10"),
                _pattern(
                    r"外部連携|システム連携|外部システム|api連携|連携|インターフェース|インタフェース",
                    _en(
                        r"integrat(e|es|ion|ions)(?! test)",
                        r"interfaces?",
                        "third-party",
                        r"external (system|service)s?",
                    ),
                ),
                _pattern(r"少し|一つ|1つ|二つ|2つ|いくつか", _en("few", "one", "two", "a couple")),
                (1, 3),
            ),
        ),
        _profiles(*_DESIGN, *_BUILD, *_TESTS),
        QuestionKind.INTEGRATION,
        _pattern(
            r"^\s*(?:つ|個|件|本|システム|サービス|か所|箇所)",
            r"^\s*(?:external )?(?:systems?|services?|integrations?)",
        ),
    ),
    Topic(
        "users_scale",
        (
            # House factors for the size of the user base.
            Option(
                "small",
                D("0.90"),
                _pattern(r"小規模|少人数|部署内|数十人|数十名", _en("small team", "a few users", "small user base")),
                _pattern(r"小|少", _en("small", "few")),
                (0, 300),
            ),
            Option(
                "large",
                D("1.20"),
                _pattern(
                    r"大規模|全社|全国|数千人|数千名|数万",
                    _en("large[- ]scale", "enterprise-wide", "thousands of users", "millions"),
                ),
                _pattern(r"大|多", _en("large", "big", "many", "thousands")),
                (5000, 10**12),
            ),
            Option(
                "medium",
                D("1.00"),
                _pattern(r"中規模|数百人|数百名", _en("medium[- ]sized", "hundreds of users")),
                _pattern(r"中|普通|標準", _en("medium", "moderate", "average", "hundreds")),
                (300, 5000),
            ),
        ),
        _profiles(*_DESIGN, *_BUILD, *_TESTS),
        QuestionKind.SCOPE,
        _pattern(r"^\s*(?:人|名|ユーザー|ユーザ|アカウント|社員)", r"^\s*(?:users?|people|accounts?|employees)"),
    ),
    Topic(
        "authentication",
        (
            Option(
                "none",
                D("1.00"),
                _pattern(
                    r"(?:認証|ログイン|sso)(?:は|も)?(?:不要|なし|無し|しない)",
                    _en(r"no (authentication|login|sign-in)", r"without (authentication|login)", "public access"),
                ),
                _pattern(_NONE_WORDS, r"誰でも|公開", _en("public", "anonymous")),
            ),
            # House factors; the password option is the plain case a login screen implies.
            Option(
                "sso",
                D("1.15"),
                _pattern(
                    r"シングルサインオン|外部認証|認証基盤|多要素|二要素|2fa",
                    _en("sso", "single sign-on", "two-factor", "mfa", "ldap", "saml", "oauth", "openid"),
                    _en("active directory", "entra id", "azure ad", "okta"),
                ),
                _pattern(r"外部|社内認証", _en("external", "corporate")),
            ),
            Option(
                "password",
                D("1.05"),
                _pattern(
                    r"認証|ログイン|パスワード",
                    _en("authentication", r"log[- ]?in", r"sign[- ]?in", "password"),
                ),
                _pattern(r"id|メール", _en("email", "simple")),
            ),
        ),
        _profiles(
            "screen",
            "api",
            "program",
            "other",
            "basic_design_doc",
            "detailed_design_doc",
            "design_doc",
            "integration_test",
            "system_test",
            "test",
        ),
        QuestionKind.NON_FUNCTIONAL,
    ),
    Topic(
        "availability",
        (
            Option(
                "high",
                D("1.26"),  # COCOMO II.2000 RELY very high
                _pattern(
                    r"高可用|冗長|無停止|フェイルオーバ|24時間365日|99\.9",
                    _en(
                        "high availability",
                        r"redundan(t|cy)",
                        "failover",
                        "zero downtime",
                        "24/7/365",
                        "mission[- ]critical",
                    ),
                ),
                _pattern(r"止め|高い", _en("high", "critical")),
            ),
            Option(
                "extended",
                D("1.10"),  # COCOMO II.2000 RELY high
                _pattern(r"24時間|夜間も|休日も|土日も", _en("24/7", "24 hours", "around the clock")),
                _pattern(r"夜間|休日|土日", _en("nights?", "weekends?", "always")),
            ),
            Option(
                "standard",
                D("1.00"),
                _pattern(r"業務時間内|平日日中", _en("business hours", "office hours")),
                _pattern(r"業務時間|平日|日中|通常|標準|普通", _en("normal", "standard", "daytime")),
            ),
        ),
        _profiles(
            *_BUILD,
            "basic_design_doc",
            "detailed_design_doc",
            "design_doc",
            "infrastructure",
            "integration_test",
            "system_test",
            "test",
        ),
        QuestionKind.NON_FUNCTIONAL,
    ),
    Topic(
        "schedule",
        (
            Option(
                "very_tight",
                D("1.43"),  # COCOMO II.2000 SCED very low: 75 % of the nominal schedule
                _pattern(
                    r"大至急|超短納期|極めて短|非常に短|かなり短",
                    _en("very tight", "extremely tight", "urgent", "asap", "as soon as possible"),
                ),
                _pattern(r"非常に|かなり|とても|75", _en("very", "extremely", "75")),
            ),
            Option(
                "tight",
                D("1.14"),  # COCOMO II.2000 SCED low: 85 % of the nominal schedule
                _pattern(
                    r"短納期|納期が厳し|スケジュールが厳し|タイト",
                    _en(r"tight (deadline|schedule)", r"aggressive (deadline|schedule)", "short deadline"),
                ),
                _pattern(r"短|厳し|急ぎ|85", _en("tight", "short", "aggressive", "85")),
            ),
            Option(
                "nominal",
                D("1.00"),
                _pattern(
                    r"納期に余裕|スケジュールに余裕",
                    _en(r"flexible (deadline|schedule)", "no (fixed|hard) deadline", "relaxed schedule"),
                ),
                _pattern(r"余裕|標準|通常|普通|柔軟", _en("relaxed", "flexible", "normal", "standard", "nominal")),
            ),
        ),
        ALL_PROFILES,
        QuestionKind.SCHEDULE,
    ),
    Topic(
        "team_experience",
        (
            Option(
                "inexperienced",
                D("1.22"),  # COCOMO II.2000 APEX very low
                _pattern(
                    r"未経験|初めての|経験の浅い|不慣れ|新人",
                    _en("inexperienced", "junior team", "new to", "first time"),
                ),
                _pattern(r"少な|初めて|なし|無し|浅い", _en("little", "none", "no experience", "junior", "new")),
            ),
            Option(
                "experienced",
                D("0.88"),  # COCOMO II.2000 APEX high
                _pattern(
                    r"経験豊富|開発実績|熟練|慣れた",
                    _en("experienced team", "veteran", "familiar with", "done (this|it) before"),
                ),
                _pattern(r"豊富|経験あり|ある|慣れ", _en("experienced", "senior", "familiar", "lots", "yes")),
            ),
            Option(
                "average",
                D("1.00"),
                None,
                _pattern(r"標準|普通|一部|ある程度", _en("average", "some", "mixed", "normal", "standard")),
            ),
        ),
        ALL_PROFILES,
        QuestionKind.TEAM,
    ),
    Topic(
        "test_doc_scope",
        (
            Option(
                "thorough",
                D("1.11"),  # COCOMO II.2000 DOCU high
                _pattern(
                    r"エビデンス|第三者|網羅|監査",
                    _en("evidence", "third-party (testing|review)", "audit", "comprehensive test"),
                ),
                _pattern(r"詳細|厳格|厳密", _en("thorough", "detailed", "strict", "formal", "comprehensive")),
            ),
            Option(
                "minimal",
                D("0.91"),  # COCOMO II.2000 DOCU low
                _pattern(
                    r"(?:テスト|ドキュメント|文書|資料)(?:は|も)?(?:最小限|簡易|簡略)",
                    _en("minimal (testing|documentation)", "lightweight documentation"),
                ),
                _pattern(r"最小|簡易|簡略|最低限", _en("minimal", "light", "lean", "basic")),
            ),
            Option(
                "standard",
                D("1.00"),
                None,
                _pattern(r"標準|通常|普通", _en("standard", "normal", "usual")),
            ),
        ),
        _profiles(*_DESIGN, *_TESTS, *_DOCS),
        QuestionKind.SCOPE,
    ),
    Topic(
        "environment",
        (
            # House factors: building an environment costs more than reusing one.
            Option(
                "existing",
                D("1.00"),
                _pattern(
                    r"既存(?:の)?(?:環境|サーバ|基盤)|現行環境", _en(r"existing (environment|infrastructure|servers?)")
                ),
                _pattern(r"既存|現行|あり", _en("existing", "current", "already")),
            ),
            Option(
                "on_premises",
                D("1.20"),
                _pattern(
                    r"オンプレ|自社サーバ|データセンター", _en(r"on-?prem(ises)?", r"data ?cent(er|re)", "own servers")
                ),
                _pattern(r"社内|自社", _en("in-house", "own")),
            ),
            Option(
                "cloud",
                D("1.10"),
                _pattern(r"クラウド", _en("cloud", "aws", "azure", "gcp", "google cloud")),
                None,
            ),
        ),
        _profiles("infrastructure", "program", "other", "system_test", "test"),
        QuestionKind.ENVIRONMENT,
    ),
    Topic(
        "data_migration",
        (
            Option(
                "none",
                D("1.00"),
                _pattern(r"移行(?:は|も)?(?:なし|無し|不要|対象外|しない)", _en(r"no (data )?migration", "greenfield")),
                _pattern(_NONE_WORDS, r"新規", _en("new")),
            ),
            # House factors for moving data from an existing system.
            Option(
                "simple",
                D("1.10"),
                _pattern(r"(?:少量|手作業|簡易)の?(?:データ)?移行", _en(r"(small|simple|manual) (data )?migration")),
                _pattern(r"少量|手作業|簡易|csv", _en("small", "simple", "manual")),
            ),
            Option(
                "full",
                D("1.20"),
                _pattern(
                    r"データ移行|移行ツール|旧システム|既存システムから",
                    _en("data migration", "migrat(e|ion) from", "legacy data"),
                ),
                _pattern(r"大量|全件|本格|あり", _en("full", "large", "yes", "all")),
            ),
        ),
        _profiles(
            "requirements_doc",
            "basic_design_doc",
            "detailed_design_doc",
            "database",
            "batch",
            "program",
            "other",
            "integration_test",
            "system_test",
            "test",
        ),
        QuestionKind.SCOPE,
    ),
    Topic(
        "requirements_stability",
        (
            # House factors, after the idea (not the numbers) of COCOMO II's REVL.
            Option(
                "fixed",
                D("1.00"),
                _pattern(
                    r"(?:要件|仕様)(?:は|が)?(?:確定|決定|固ま)", _en(r"requirements are (fixed|final|settled|frozen)")
                ),
                _pattern(r"確定|決定|固ま", _en("fixed", "final", "settled", "frozen")),
            ),
            Option(
                "open",
                D("1.20"),
                _pattern(
                    r"(?:要件|仕様)(?:は|が)?(?:未定|未確定|流動|これから)",
                    _en(r"requirements (are )?(tbd|open|evolving|not (yet )?(fixed|final))", "likely to change"),
                ),
                _pattern(r"未定|未確定|流動|これから|変わ", _en("open", "tbd", "evolving", "undecided", "change")),
            ),
            Option(
                "partly",
                D("1.10"),
                _pattern(r"(?:要件|仕様)(?:は|が)?(?:概ね|おおむね)", _en(r"requirements are mostly")),
                _pattern(r"概ね|おおむね|ほぼ|一部|半分", _en("mostly", "partly", "partially", "some")),
            ),
        ),
        _profiles(*_DESIGN, *_BUILD),
        QuestionKind.COMPLEXITY,
    ),
    Topic(
        "system_context",
        (
            Option(
                "new",
                D("1.00"),
                _pattern(r"新規(?:構築|開発)|スクラッチ", _en("new build", "from scratch", "greenfield")),
                _pattern(r"新規|スクラッチ|ゼロから", _en("new", "scratch", "greenfield")),
            ),
            # House judgement: a unit added to a running system reuses its architecture, framework,
            # common components, database and environments, which a scratch-built unit (JUAS measured
            # scratch-built systems) pays for; IPA classifies 改良開発 apart from 新規開発 for this reason.
            Option(
                "enhancement",
                D("0.60"),
                _pattern(
                    r"稼働中の|改修案件|追加開発|既存(?:の)?(?:システム|サービス|サイト|アプリ)(?:に|へ|を)",
                    _en(
                        r"(?:running|live|existing)(?: [a-z-]+){0,2} (?:system|service|application|app|site)s?",
                        r"enhancement",
                    ),
                ),
                _pattern(r"既存|追加|改修|稼働中", _en("existing", "enhancement", "add", "extend")),
            ),
        ),
        _profiles(*_BUILD),
        QuestionKind.SCOPE,
        scope=True,
    ),
    # Cues without a question: the text either states them or it does not. House factors.
    Topic(
        "multilingual",
        (
            Option(
                "present",
                D("1.15"),
                _pattern(
                    r"多言語|英語対応|多国語|翻訳",
                    _en(r"multi-?lingual", r"multi-?language", r"locali[sz]ation", "i18n", r"internationali[sz]ation"),
                ),
            ),
        ),
        _profiles(
            "screen",
            "program",
            "other",
            "basic_design_doc",
            "detailed_design_doc",
            "design_doc",
            "system_test",
            "test",
            "manual",
        ),
    ),
    Topic(
        "realtime",
        (
            Option(
                "present",
                D("1.25"),
                # A push notification tells the user something happened; it is no realtime processing.
                _pattern(r"リアルタイム|即時反映|websocket", _en(r"real[- ]?time", "live updates")),
            ),
        ),
        _profiles(
            "screen",
            "api",
            "program",
            "other",
            "database",
            "basic_design_doc",
            "detailed_design_doc",
            "design_doc",
            "integration_test",
            "system_test",
            "test",
        ),
    ),
    Topic(
        "security",
        (
            Option(
                "present",
                D("1.15"),
                _pattern(
                    r"個人情報|暗号化|セキュリティ要件|脆弱性診断|マイナンバー|クレジットカード",
                    _en(
                        "personal data", "pii", "encryption", "security requirements", "penetration test", "gdpr", "pci"
                    ),
                ),
            ),
        ),
        _profiles(*_DESIGN, *_BUILD, *_TESTS, "infrastructure"),
    ),
)
"""Questions are asked in this order (at most seven); topics without a question are cues only."""

QUESTION_TOPICS: tuple[Topic, ...] = tuple(topic for topic in TOPICS if topic.question is not None)
