"""The offline engine: golden numbers on the legacy sample, questions, answers, ranges, text."""

from __future__ import annotations

import csv
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.engines.base import CallHooks, CallRecord
from estimator.engines.offline import OfflineEngine
from estimator.engines.reading import classify
from estimator.engines.sizing import PROFILES, QUESTION_TOPICS, TOPICS
from estimator.errors import EngineError
from estimator.i18n import has_key, t
from estimator.schemas import (
    MAX_LINE_PERSON_DAYS,
    PHASES,
    AdjustmentContext,
    Answer,
    Deliverable,
    DeliverableKind,
    EstimateDraft,
    Phase,
    Pricing,
    ProjectBrief,
    QuestionKind,
    price,
)
from estimator.sizing.kinds import Grade, ProjectType, UnitKind
from estimator.sizing.rates import DEFAULT_RATES
from tests.conftest import SAMPLES
from tests.offline_samples import PRICING, SAMPLE_EN, SAMPLE_JA, brief

ENGINE = OfflineEngine()
HOOKS = CallHooks()

# The legacy sample with the shipped table and no answers: (ja name, en name, kind, most likely, O, P).
# Its one feature line (プログラム開発) states no count, so it is one unit; every other line is a
# whole-project phase derived from it. A list without counts is small by design: the engine asks for the
# counts first (unit_counts), and the answer makes it real.
GOLDEN = [
    ("要件定義書", "Requirements Definition Document", "document", "0.89", "0.65", "1.62"),
    ("基本設計書", "Basic Design Document", "document", "1.33", "0.89", "2.63"),
    ("詳細設計書", "Detailed Design Document", "document", "1.42", "0.95", "2.81"),
    ("プログラム開発", "Program Development", "other", "1.80", "1.21", "3.56"),
    ("単体テスト", "Unit Testing", "test", "0.77", "0.56", "1.40"),
    ("結合テスト", "Integration Testing", "test", "1.60", "1.07", "3.17"),
    ("総合テスト", "System Testing", "test", "1.07", "0.72", "2.12"),
    ("運用マニュアル", "Operations Manual", "manual", "0.20", "0.16", "0.33"),
    ("ユーザーマニュアル", "User Manual", "manual", "0.20", "0.16", "0.33"),
    ("プロジェクト管理（自動追加）", "Project management (added)", "pm", "0.59", "0.40", "1.17"),
]
GOLDEN_TOTAL = Decimal("9.87")
SAMPLE_QUESTIONS = [
    "unit_counts",
    "integrations",
    "users_scale",
    "authentication",
    "availability",
    "schedule",
    "team_experience",
]


def estimate(b: ProjectBrief, answers: list[Answer] | None = None) -> EstimateDraft:
    return ENGINE.estimate(b, answers or [], HOOKS)


def hundredths(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def days(draft: EstimateDraft) -> dict[str, Decimal]:
    return {line.deliverable: line.person_days for line in draft.lines}


def answer(key: str, text: str | None) -> Answer:
    return Answer(key=key, question=key, answer=text)


def label(topic: str, option: str, lang: str) -> str:
    return t(f"offline.option.{topic}.{option}", lang)


def test_the_copied_sample_is_the_legacy_csv() -> None:
    with (SAMPLES / "legacy_sample_input.csv").open(encoding="utf-8-sig") as handle:
        rows = [(row["成果物名称"], row["説明"]) for row in csv.DictReader(handle)]
    assert rows == SAMPLE_JA


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_golden_sample_without_answers(lang: str) -> None:
    draft = estimate(brief(lang))
    assert draft.project_type == "business_system"
    assert len(draft.lines) == len(GOLDEN), "the sample has a line for every phase but PM: only PM is added"
    for line, (ja, en, kind, most_likely, optimistic, pessimistic) in zip(draft.lines, GOLDEN, strict=True):
        assert line.deliverable == (ja if lang == "ja" else en)
        assert line.kind == DeliverableKind(kind)
        assert line.person_days == Decimal(most_likely)
        assert (line.optimistic, line.pessimistic) == (Decimal(optimistic), Decimal(pessimistic))
    assert sum(line.person_days for line in draft.lines) == GOLDEN_TOTAL
    one_phase = {name: phase for name, phase in (("要件定義書", "requirements"), ("結合テスト", "integration_test"))}
    for line in draft.lines:
        if line.deliverable in one_phase:
            assert line.phases.get(Phase(one_phase[line.deliverable])) == line.person_days


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_golden_sample_with_answers(lang: str) -> None:
    """Tight schedule ×1.14, experienced team ×0.88 and 5,000+ users ×1.2 size the feature line, and every
    whole-project line follows it: the phases stay in the type's ratios."""
    answers = [
        answer("schedule", label("schedule", "tight", lang)),
        answer("team_experience", label("team_experience", "experienced", lang)),
        answer("users_scale", label("users_scale", "large", lang)),
    ]
    base = estimate(brief(lang))
    got = estimate(brief(lang), answers)
    factor = Decimal("1.14") * Decimal("0.88") * Decimal("1.2")
    for before, after in zip(base.lines, got.lines, strict=True):
        assert abs(after.person_days - before.person_days * factor) <= Decimal("0.02"), before.deliverable


def test_a_feature_list_gets_each_missing_phase_added_once_and_the_mix_of_its_type() -> None:
    """A list of features only: the engine adds the whole-project lines, and the project's phase mix is the
    type's ratios (within rounding)."""
    rows = [("受注一覧画面", "受注を検索して一覧表示する"), ("受注登録画面", "受注の登録・編集・削除の3画面")]
    draft = estimate(brief("ja", rows))
    names = [line.deliverable for line in draft.lines]
    added = [t(f"sizing.added.{key}", "ja") for key in ("requirements", "basic_design", "integration_test")]
    assert names[:2] == ["受注一覧画面", "受注登録画面"] and names[2:5] == added
    assert names[-1] == t("sizing.added.pm_docs", "ja")
    assert draft.lines[1].person_days > 2 * draft.lines[0].person_days, "three screens against one"
    total = sum(line.person_days for line in draft.lines)

    for phase, ratio in DEFAULT_RATES.phase_ratios[ProjectType.BUSINESS].items():
        share = sum(line.phases.get(phase) for line in draft.lines) * 100 / total
        assert abs(share - ratio) < 1, phase


@pytest.mark.parametrize(
    ("name", "description", "profile"),
    [
        ("要件定義書", "", "requirements_doc"),
        ("Requirements specification", "", "requirements_doc"),
        ("外部設計書", "", "basic_design_doc"),
        ("Low-level design", "", "detailed_design_doc"),
        ("ユニットテスト", "", "unit_test"),
        ("Integration tests", "", "integration_test"),
        ("受入テスト", "", "system_test"),
        ("操作説明書", "", "manual"),
        ("Admin guide", "", "manual"),
        ("プロジェクト管理", "", "pm"),
        ("Weekly status reports", "", "pm"),
        ("DB設計書", "", "design_doc"),
        ("移行計画書", "", "document"),
        ("テスト", "", "test"),
        ("AWS環境構築", "", "infrastructure"),
        ("Database schema", "", "database"),
        ("夜間バッチ", "", "batch"),
        ("Nightly ETL job", "", "batch"),
        ("在庫照会API", "", "api"),
        ("Order webhook endpoint", "", "api"),
        ("ログイン画面", "", "screen"),
        ("Customer dashboard", "", "screen"),
        ("プログラム開発", "", "program"),
        ("機能A", "顧客情報を登録する画面", "screen"),
        ("Feature B", "REST API returning the stock level", "api"),
        ("謎の成果物", "", "other"),
    ],
)
def test_classification_in_both_languages(name: str, description: str, profile: str) -> None:
    assert classify(Deliverable(name=name, description=description)).key == profile


def test_the_name_decides_before_the_description() -> None:
    """基本設計書's description talks about screens and DB; it is still a basic design document."""
    assert classify(Deliverable(name="基本設計書", description="画面設計・DB設計")).key == "basic_design_doc"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_questions(lang: str) -> None:
    questions = ENGINE.questions(brief(lang), HOOKS)
    assert [q.key for q in questions] == SAMPLE_QUESTIONS
    names = {name for name, _ in (SAMPLE_JA if lang == "ja" else SAMPLE_EN)}
    for question in questions:
        assert question.text == t(f"offline.question.{question.key}.text", lang)
        assert question.why == t(f"offline.question.{question.key}.why", lang)
        assert 2 <= len(question.choices) <= 4 or question.key == "unit_counts"
        assert question.affects and set(question.affects) <= names
    assert questions[0].kind == QuestionKind.SCOPE and not questions[0].choices, "the counts come first, free text"
    assert questions[0].affects == ["プログラム開発" if lang == "ja" else "Program Development"]
    by_key = {q.key: q for q in questions}
    assert by_key["schedule"].kind == QuestionKind.SCHEDULE
    assert by_key["team_experience"].kind == QuestionKind.TEAM
    assert by_key["integrations"].kind == QuestionKind.INTEGRATION
    manual = "運用マニュアル" if lang == "ja" else "Operations Manual"
    assert manual in by_key["schedule"].affects
    assert manual not in by_key["integrations"].affects


@pytest.mark.parametrize(
    ("lang", "requirements", "skipped"),
    [
        ("ja", "社内の SSO でログインする。", "authentication"),
        ("ja", "利用者は認証して使う。", "authentication"),
        ("en", "Staff sign in with single sign-on.", "authentication"),
        ("ja", "外部連携はなし。", "integrations"),
        ("en", "It integrates with the accounting system.", "integrations"),
        ("ja", "利用者は約200名。", "users_scale"),
        ("en", "About 8,000 users.", "users_scale"),
        ("ja", "24時間365日の無停止運用。", "availability"),
        ("ja", "短納期の案件。", "schedule"),
        ("en", "The team is new to this domain.", "team_experience"),
        ("ja", "テストはエビデンス提出あり。", "test_doc_scope"),
    ],
)
def test_no_question_the_text_answers(lang: str, requirements: str, skipped: str) -> None:
    keys = [q.key for q in ENGINE.questions(brief(lang, requirements=requirements), HOOKS)]
    assert skipped not in keys
    assert 3 <= len(keys) <= 7
    assert keys[0] == "unit_counts", "the sample states no count: the counts are asked first"
    assert keys[1:] == [topic.key for topic in QUESTION_TOPICS if topic.key in keys], "then bank order"


def test_a_deliverable_can_answer_a_question_too() -> None:
    rows = [*SAMPLE_JA, ("ログイン画面", "ID・パスワードで認証する")]
    assert "authentication" not in [q.key for q in ENGINE.questions(brief("ja", rows), HOOKS)]


def test_answered_topics_make_room_for_the_rest_of_the_bank() -> None:
    requirements = "外部連携なし。利用者は50名。SSOで認証。業務時間内の稼働。"
    keys = [q.key for q in ENGINE.questions(brief("ja", requirements=requirements), HOOKS)]
    assert keys == [
        "unit_counts",
        "schedule",
        "team_experience",
        "test_doc_scope",
        "environment",
        "data_migration",
        "requirements_stability",
    ]


@pytest.mark.parametrize(
    ("lang", "written", "screens", "reports", "interfaces", "batches"),
    [
        ("ja", "画面20、帳票5、外部連携3、バッチ4", 20, 5, 3, 4),
        ("ja", "画面は約二十、帳票５本、IF3本", 20, 5, 3, 0),
        ("en", "About 12 screens, 3 reports and 2 batch jobs", 12, 3, 0, 2),
    ],
)
def test_the_unit_count_answer_sizes_the_lines_that_state_no_count(
    lang: str, written: str, screens: int, reports: int, interfaces: int, batches: int
) -> None:
    """A list of work names with no counts (the legacy sample) was one assumed unit per line, 15 person-days for a
    whole system; the answer to the count question gives the build line its units, and the reasoning says so."""
    plain = estimate(brief(lang))
    counted = estimate(brief(lang), [answer("unit_counts", written)])
    program = "プログラム開発" if lang == "ja" else "Program Development"
    line = next(line for line in counted.lines if line.deliverable == program)
    rates = DEFAULT_RATES
    expected_build = (
        screens * rates.rate(ProjectType.BUSINESS, UnitKind.SCREEN, Grade.NORMAL).days
        + reports * rates.rate(ProjectType.BUSINESS, UnitKind.REPORT, Grade.NORMAL).days
        + batches * rates.rate(ProjectType.BUSINESS, UnitKind.BATCH, Grade.NORMAL).days
    )
    assert written in line.reasoning
    total = sum(x.person_days for x in counted.lines)
    assert total > 10 * sum(x.person_days for x in plain.lines)
    assert total > expected_build + interfaces * rates.rate(ProjectType.BUSINESS, UnitKind.INTERFACE, Grade.NORMAL).days


def test_the_count_question_is_not_asked_when_a_line_states_a_count() -> None:
    rows = [("受注画面", "受注の登録・一覧の2画面"), ("プログラム開発", "")]
    assert "unit_counts" not in [q.key for q in ENGINE.questions(brief("ja", rows), HOOKS)]


def test_an_answer_that_counts_nothing_is_said_so_and_changes_nothing() -> None:
    plain = estimate(brief("ja"))
    unread = estimate(brief("ja"), [answer("unit_counts", "まだ分かりません")])
    assert days(unread) == days(plain)
    assert any("まだ分かりません" in text for text in unread.assumptions)


def test_questions_only_about_what_the_deliverables_depend_on() -> None:
    keys = [q.key for q in ENGINE.questions(brief("ja", [("ユーザーマニュアル", "")]), HOOKS)]
    assert keys == ["schedule", "team_experience", "test_doc_scope"]


@pytest.mark.parametrize(
    ("lang", "key", "text", "factor"),
    [
        ("ja", "schedule", "非常に短い（標準の75%程度）", "1.43"),
        ("ja", "schedule", "かなり厳しいです", "1.43"),
        ("en", "schedule", "very tight, sorry", "1.43"),
        ("ja", "schedule", "Short (about 85% of normal)", "1.14"),
        ("en", "schedule", "短め（標準の85%程度）", "1.14"),
        ("ja", "team_experience", "経験豊富です", "0.88"),
        ("en", "team_experience", "they are new to this", "1.22"),
        ("ja", "team_experience", "未経験のメンバーが多い", "1.22"),
        ("ja", "schedule", "標準的（余裕あり）", "1.00"),
    ],
)
def test_answers_move_every_line(lang: str, key: str, text: str, factor: str) -> None:
    base = days(estimate(brief(lang)))
    moved = days(estimate(brief(lang), [answer(key, text)]))
    for name, value in base.items():
        assert abs(moved[name] - value * Decimal(factor)) <= Decimal("0.02"), name


@pytest.mark.parametrize(
    ("text", "factor"),
    [("約8000人", "1.2"), ("5,000人以上", "1.2"), ("50人くらい", "0.9"), ("1万人", "1.2"), ("中規模", "1.0")],
)
def test_user_numbers_size_the_features_and_the_phases_follow(text: str, factor: str) -> None:
    base = days(estimate(brief("ja")))
    moved = days(estimate(brief("ja"), [answer("users_scale", text)]))
    for name in ("プログラム開発", "要件定義書", "運用マニュアル"):
        assert abs(moved[name] - base[name] * Decimal(factor)) <= Decimal("0.02"), name


def test_integrations_answer_counts_systems() -> None:
    base = days(estimate(brief("en")))["Program Development"]
    many = days(estimate(brief("en"), [answer("integrations", "4")]))["Program Development"]
    two = days(estimate(brief("en"), [answer("integrations", "two systems")]))["Program Development"]
    assert abs(many - base * Decimal("1.25")) <= Decimal("0.02") and abs(two - base * Decimal("1.10")) <= Decimal(
        "0.02"
    )
    assert days(estimate(brief("en"), [answer("integrations", "none")]))["Program Development"] == base


def test_unanswered_questions_widen_ranges() -> None:
    """Answering with the neutral choice keeps the most likely value and narrows every range."""
    b = brief("ja")
    neutral = [
        answer(topic.key, label(topic.key, next(o.key for o in topic.options if o.factor == 1), "ja"))
        for topic in QUESTION_TOPICS
        if topic.key in SAMPLE_QUESTIONS
    ]
    open_draft = estimate(b)
    half_draft = estimate(b, neutral[:3])
    closed_draft = estimate(b, neutral)
    for wide, half, narrow in zip(open_draft.lines, half_draft.lines, closed_draft.lines, strict=True):
        assert wide.person_days == half.person_days == narrow.person_days
        assert wide.optimistic <= half.optimistic <= narrow.optimistic
        assert wide.pessimistic >= half.pessimistic >= narrow.pessimistic
        assert wide.pessimistic - wide.optimistic > narrow.pessimistic - narrow.optimistic
    assert "未回答" in open_draft.lines[0].assumptions[0]
    assert not closed_draft.lines[0].assumptions


def test_an_answer_the_engine_cannot_read_counts_as_answered_but_neutral() -> None:
    b = brief("ja")
    base = estimate(b)
    draft = estimate(b, [answer("schedule", "未定です（来月決まる）")])
    assert days(draft) == days(base)
    assert draft.lines[0].pessimistic < base.lines[0].pessimistic
    assert any("未定です（来月決まる）" in text for text in draft.assumptions)


def test_blank_answers_are_unanswered() -> None:
    b = brief("en")
    assert estimate(b, [answer("schedule", "  "), answer("team_experience", None)]) == estimate(b)


@pytest.mark.parametrize(
    ("rows", "requirements", "raised"),
    [
        ([("受注API", "基幹システムと連携する")], "", True),
        ([("受注画面", "在庫をリアルタイムに表示する")], "", True),
        ([("Order screen", "Shown in 3 languages (multilingual)")], "", True),
        ([("Order screen", "")], "No multilingual support is needed.", False),
        ([("受注画面", "")], "多言語対応は不要。", False),
    ],
)
def test_complexity_cues_of_the_line_raise_its_size(
    rows: list[tuple[str, str]], requirements: str, raised: bool
) -> None:
    lang = "en" if rows[0][0].isascii() else "ja"
    plain = estimate(brief(lang, [(rows[0][0], "")])).lines[0].person_days
    cued = estimate(brief(lang, rows, requirements)).lines[0].person_days
    assert (cued > plain) if raised else (cued == plain)


@pytest.mark.parametrize(
    ("name", "requirements"),
    [
        ("受注API", "基幹システムと連携する"),
        ("Order screen", "The UI must be multilingual."),
        ("受注画面", "在庫をリアルタイムに表示する。"),
        ("受注画面", "24時間365日の無停止運用。"),
        ("受注画面", "個人情報を扱う。SSOで認証。"),
    ],
)
def test_conditions_stated_only_in_the_requirements_widen_the_range_not_the_most_likely(
    name: str, requirements: str
) -> None:
    """A project condition written in the requirements is not one screen's build: multiplying every line by it
    compounded into totals far above an expert's; it widens each line's pessimistic side and says so."""
    lang = "en" if name.isascii() else "ja"
    plain = estimate(brief(lang, [(name, "")])).lines[0]
    stated = estimate(brief(lang, [(name, "")], requirements)).lines[0]
    assert stated.person_days == plain.person_days
    assert stated.pessimistic > plain.pessimistic
    assert t("sizing.reasoning.widening", lang).split("{")[0].strip() in stated.reasoning


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_reasoning_names_kind_cues_and_factors_in_the_project_language(lang: str) -> None:
    rows = [("受注API", "基幹システムと連携する")] if lang == "ja" else [("Order API", "Integrates with the ERP")]
    line = estimate(brief(lang, rows), [answer("schedule", label("schedule", "tight", lang))]).lines[0]
    assert rows[0][0] in line.reasoning, "the reasoning names the line it sizes"
    assert t("sizing.unit.interface", lang) in line.reasoning and t("sizing.grade.complex", lang) in line.reasoning
    assert t("offline.topic.integrations", lang) not in line.reasoning, "the interface's grade prices the link once"
    assert t("offline.topic.schedule", lang) in line.reasoning
    assert t("offline.source.answer", lang) in line.reasoning
    assert "×1.14" in line.reasoning
    japanese = re.search(r"[\u3040-\u30ff]", line.reasoning)
    assert bool(japanese) == (lang == "ja")
    assert line.risks == [t("offline.risk.schedule", lang)]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_assumptions_and_exclusions(lang: str) -> None:
    draft = estimate(brief(lang))
    assert draft.assumptions[0] == t("sizing.assumption.method", lang)
    assert t("sizing.type.business_system", lang) in draft.assumptions[1]
    assert "26.1%" in draft.assumptions[3] and "10%" in draft.assumptions[3]
    assert t("offline.exclusion.migration", lang) in draft.exclusions
    migrating = estimate(brief(lang, requirements="既存システムからのデータ移行あり"))
    assert t("offline.exclusion.migration", lang) not in migrating.exclusions
    assert any(t("offline.topic.data_migration", lang) in text for text in migrating.assumptions)


def test_same_input_same_output() -> None:
    b = brief("ja", requirements="SSOで認証。短納期。")
    answers = [answer("team_experience", "少ない")]
    assert estimate(b, answers).model_dump() == estimate(b, answers).model_dump()
    assert ENGINE.questions(b, HOOKS) == ENGINE.questions(b, HOOKS)


def test_every_text_comes_from_the_locales() -> None:
    """t() returns the key itself when it is missing, so no output may contain a bare key."""
    for lang in ("ja", "en"):
        for profile in PROFILES:
            assert has_key(f"offline.profile.{profile.key}", lang)
        for topic in TOPICS:
            assert has_key(f"offline.topic.{topic.key}", lang) and has_key(f"offline.risk.{topic.key}", lang)
            for option in topic.options:
                assert has_key(f"offline.option.{topic.key}.{option.key}", lang)
        for phase in PHASES:
            assert has_key(f"offline.phase.{phase.value}", lang)
        requirements = "SSO。24時間365日。多言語。リアルタイム。個人情報。データ移行あり。"
        rows = [*SAMPLE_JA, ("受注API", "基幹システムと連携"), ("設計書", ""), ("テスト", "")]
        draft = estimate(brief(lang, rows, requirements), [answer("schedule", "??")])
        questions = ENGINE.questions(brief(lang), HOOKS)
        texts = [*draft.assumptions, *draft.exclusions, *(q.text for q in questions), *(q.why for q in questions)]
        for line in draft.lines:
            texts += [line.reasoning, *line.assumptions, *line.risks]
        for text in texts:
            assert "offline." not in text and "{" not in text, text


def test_calls_are_reported_to_the_recorder() -> None:
    records: list[CallRecord] = []
    hooks = CallHooks(record=records.append)
    ENGINE.questions(brief("ja"), hooks)
    ENGINE.estimate(brief("ja"), [], hooks)
    lines = ENGINE.estimate(brief("ja"), [], hooks).lines
    context = AdjustmentContext(language="ja", lines=lines, pricing=PRICING["ja"], request="???")
    with pytest.raises(EngineError):
        ENGINE.adjust(context, hooks)
    assert [(r.kind, r.model, r.status) for r in records] == [
        ("questions", "offline", "ok"),
        ("estimate", "offline", "ok"),
        ("estimate", "offline", "ok"),
        ("adjust", "offline", "error"),
    ]
    assert records[-1].error == "errors.engine.unparsed_request"
    assert all(r.cost_usd == 0 and r.prompt_tokens == 0 for r in records)


def test_the_engine_never_guards_a_call() -> None:
    """Cost caps and rate limits are for model calls; the offline engine must work when they are exhausted."""

    def refuse(_: str) -> None:
        raise AssertionError("guard called")

    hooks = CallHooks(guard=refuse)
    ENGINE.questions(brief("en"), hooks)
    ENGINE.estimate(brief("en"), [], hooks)


WORDS = [
    "画面",
    "API",
    "バッチ",
    "DB",
    "テスト",
    "マニュアル",
    "設計書",
    "インフラ",
    "連携",
    "SSO",
    "多言語",
    "リアルタイム",
    "24時間365日",
    "個人情報",
    "データ移行",
    "screen",
    "integration",
    "real-time",
    "high availability",
    "不要",
    "no",
    "5000人",
    "3システム",
]


@st.composite
def briefs(draw: st.DrawFn) -> tuple[ProjectBrief, list[Answer]]:
    count = draw(st.integers(min_value=1, max_value=12))
    rows = [
        (
            f"{index}-" + "".join(draw(st.lists(st.sampled_from(WORDS), max_size=3))),
            " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=6))),
        )
        for index in range(count)
    ]
    lang = draw(st.sampled_from(["ja", "en"]))
    requirements = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=8)))
    answers = []
    for topic in draw(st.lists(st.sampled_from(QUESTION_TOPICS), unique=True)):
        choice = draw(st.sampled_from([*(o.key for o in topic.options), "free"]))
        text = draw(st.text(max_size=12)) if choice == "free" else label(topic.key, choice, lang)
        answers.append(answer(topic.key, text))
    return brief(lang, rows, requirements), answers


@settings(max_examples=150, deadline=None)
@given(briefs())
def test_any_brief_gives_valid_deterministic_lines(case: tuple[ProjectBrief, list[Answer]]) -> None:
    b, answers = case
    draft = estimate(b, answers)
    listed = [item.name for item in b.deliverables]
    assert [line.deliverable for line in draft.lines][: len(listed)] == listed, "the list first, in its order"
    added = draft.lines[len(listed) :]
    assert all(line.description == t("sizing.added.description", b.language) for line in added)
    reasons = [line.reasoning for line in draft.lines]
    assert len(set(reasons)) == len(reasons), "no two lines share their reasoning word for word"
    for line in draft.lines:
        assert 0 < line.person_days <= MAX_LINE_PERSON_DAYS
        assert line.person_days == line.phases.total
        assert line.optimistic <= line.person_days <= line.pessimistic
        assert line.reasoning
    assert draft == estimate(b, answers)
    questions = ENGINE.questions(b, HOOKS)
    assert len(questions) <= 7
    assert len({q.key for q in questions}) == len(questions)
    priced = price(draft.lines, Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10)))
    assert priced.subtotal == sum((line.amount for line in priced.lines), Decimal(0))


@pytest.mark.parametrize(
    ("name", "description"),
    [("本番・検証環境構築", "本番環境と検証環境のサーバ構築"), ("本番移行・切替作業", "移行データの検証と本番切替")],
)
def test_an_environment_or_a_cutover_is_no_test_phase(name: str, description: str) -> None:
    """検証 in 検証環境 or in a cutover's description does not make the line carry the project's testing."""
    rows = [("受注画面", "受注の登録・検索の2画面"), (name, description)]
    line = estimate(brief("ja", rows)).lines[1]
    assert line.kind == DeliverableKind.INFRASTRUCTURE
    assert line.phases.integration_test == 0 and line.phases.system_test == 0


def test_a_link_the_list_itemises_sizes_its_own_line_not_every_screen() -> None:
    rows = [("受注画面", "受注の登録・検索の2画面"), ("受注送信IF", "")]
    plain = days(estimate(brief("ja", rows)))
    stated = estimate(brief("ja", rows, "外部システム5つと連携する。"))
    linked = days(stated)
    assert linked["受注画面"] == plain["受注画面"], "the screen is not raised by the integrations"
    wide = {line.deliverable: line.pessimistic for line in stated.lines}
    narrow = {line.deliverable: line.pessimistic for line in estimate(brief("ja", rows)).lines}
    assert wide["受注送信IF"] > narrow["受注送信IF"], "the interface line carries the stated integrations' risk"


@pytest.mark.parametrize(
    ("lang", "requirements"),
    [
        ("ja", "稼働中の販売管理システムに返品処理を追加する。"),
        ("en", "Add a returns module to the running sales system."),
    ],
)
def test_an_addition_to_a_running_system_is_sized_below_a_new_build(lang: str, requirements: str) -> None:
    """IPA keeps 改良開発 apart from 新規開発: a screen added to a running system reuses its architecture, common
    parts and database. Stated in the requirements this is a scope fact, so it sizes the lines (×0.6), and an
    answer saying it is a new build overrides it."""
    rows = [("返品登録画面", "返品明細を登録する"), ("返品伝票", "PDF帳票1種")]
    new_build = estimate(brief(lang, rows))
    added = estimate(brief(lang, rows, requirements))
    for before, after in zip(new_build.lines, added.lines, strict=True):
        assert abs(after.person_days - before.person_days * Decimal("0.6")) <= Decimal("0.02"), before.deliverable
    assert t("offline.topic.system_context", lang) in added.lines[0].reasoning
    answered = estimate(
        brief(lang, rows, requirements), [answer("system_context", label("system_context", "new", lang))]
    )
    assert days(answered) == days(new_build)
