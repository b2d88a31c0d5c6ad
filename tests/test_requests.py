"""Adjustment requests: parsing in ja/en, the proposals they give, and the invariants every proposal keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estimator.adjustments import apply_operations
from estimator.engines.base import CallHooks
from estimator.engines.offline import OfflineEngine
from estimator.errors import EngineError
from estimator.i18n import t
from estimator.money import line_amount
from estimator.rules.proposals import proposals_for, propose
from estimator.rules.reading import Intent, IntentKind, parse_request
from estimator.schemas import (
    PHASES,
    AdjustmentContext,
    DeliverableKind,
    EstimateLine,
    Operation,
    OperationKind,
    Phase,
    PhaseDays,
    Pricing,
    Proposal,
    price,
)
from tests.offline_samples import PRICING, context, sample_lines

D = Decimal
TEST_PHASES = (Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("あと30万円安く", Intent(IntentKind.REDUCE_BY, "あと30万円安く", amount=D(300_000), currency="JPY")),
        (
            "30万円ほど安くする案を教えて",
            Intent(IntentKind.REDUCE_BY, "30万円ほど安くする案を教えて", amount=D(300_000), currency="JPY"),
        ),
        (
            "予算300万円に収めて",
            Intent(IntentKind.FIT_BUDGET, "予算300万円に収めて", amount=D(3_000_000), currency="JPY"),
        ),
        (
            "３００万円以内にしてください",
            Intent(IntentKind.FIT_BUDGET, "300万円以内にしてください", amount=D(3_000_000), currency="JPY"),
        ),
        (
            "テストを20%削減",
            Intent(IntentKind.SCALE, "テストを20%削減", percent=D(20), factor=D("0.8"), target="テスト"),
        ),
        (
            "テスト工程を２割減らして",
            Intent(IntentKind.SCALE, "テスト工程を2割減らして", percent=D(20), factor=D("0.8"), target="テスト"),
        ),
        ("テストを80%に", Intent(IntentKind.SCALE, "テストを80%に", percent=D(80), factor=D("0.8"), target="テスト")),
        ("単価を5万円に", Intent(IntentKind.SET_UNIT_COST, "単価を5万円に", amount=D(50_000), currency="JPY")),
        ("リスクバッファ10%", Intent(IntentKind.RISK_BUFFER, "リスクバッファ10%", percent=D(10))),
        (
            "ユーザーマニュアルを外して",
            Intent(IntentKind.REMOVE, "ユーザーマニュアルを外して", target="ユーザーマニュアル"),
        ),
        (
            "管理画面をシンプルに",
            Intent(IntentKind.SIMPLIFY, "管理画面をシンプルに", factor=D("0.7"), target="管理画面"),
        ),
        (
            "マニュアル類をシンプルにして安くしてください",
            Intent(
                IntentKind.SIMPLIFY,
                "マニュアル類をシンプルにして安くしてください",
                factor=D("0.7"),
                target="マニュアル",
            ),
        ),
        ("reduce by $3,000", Intent(IntentKind.REDUCE_BY, "reduce by $3,000", amount=D(3000), currency="USD")),
        (
            "$3,000 cheaper, please",
            Intent(IntentKind.REDUCE_BY, "$3,000 cheaper, please", amount=D(3000), currency="USD"),
        ),
        ("Reduce by 3000", Intent(IntentKind.REDUCE_BY, "reduce by 3000", amount=D(3000))),
        (
            "fit in a budget of $20,000",
            Intent(IntentKind.FIT_BUDGET, "fit in a budget of $20,000", amount=D(20_000), currency="USD"),
        ),
        (
            "bring it down to $40k",
            Intent(IntentKind.FIT_BUDGET, "bring it down to $40k", amount=D(40_000), currency="USD"),
        ),
        (
            "cut documentation by 30%",
            Intent(
                IntentKind.SCALE, "cut documentation by 30%", percent=D(30), factor=D("0.7"), target="documentation"
            ),
        ),
        (
            "Cut 20% from testing",
            Intent(IntentKind.SCALE, "cut 20% from testing", percent=D(20), factor=D("0.8"), target="testing"),
        ),
        (
            "increase testing by 10%",
            Intent(IntentKind.SCALE, "increase testing by 10%", percent=D(10), factor=D("1.1"), target="testing"),
        ),
        (
            "set the unit cost to $450",
            Intent(IntentKind.SET_UNIT_COST, "set the unit cost to $450", amount=D(450), currency="USD"),
        ),
        ("add a 10% risk buffer", Intent(IntentKind.RISK_BUFFER, "add a 10% risk buffer", percent=D(10))),
        ("remove the user manual", Intent(IntentKind.REMOVE, "remove the user manual", target="user manual")),
        (
            "simplify the admin screen",
            Intent(IntentKind.SIMPLIFY, "simplify the admin screen", factor=D("0.7"), target="admin screen"),
        ),
    ],
)
def test_parse_request(text: str, expected: Intent) -> None:
    assert parse_request(text) == expected


@pytest.mark.parametrize("text", ["", "こんにちは", "hello there", "テストを3件減らして", "単価を上げて"])
def test_requests_that_are_none_of_the_forms(text: str) -> None:
    assert parse_request(text) is None


def proposals(lang: str, request: str, lines: list[EstimateLine] | None = None) -> list[Proposal]:
    return propose(context(lang, request, lines))


def applied(
    lang: str, proposal: Proposal, lines: list[EstimateLine] | None = None
) -> tuple[list[EstimateLine], Pricing]:
    version = apply_operations(lines if lines is not None else sample_lines(lang), PRICING[lang], proposal.operations)
    return version.lines, version.pricing


def subtotal(lines: list[EstimateLine], pricing: Pricing) -> Decimal:
    return price(lines, pricing).subtotal


def by_name(lines: list[EstimateLine]) -> dict[str, EstimateLine]:
    return {line.deliverable: line for line in lines}


@pytest.mark.parametrize(
    ("lang", "request_text", "cut"),
    [
        ("ja", "あと30万円安く", D(300_000)),
        ("ja", "30万円ほど安くする案を教えて", D(300_000)),
        ("en", "reduce by $3,000", D(3000)),
        ("en", "$3,000 cheaper, please", D(3000)),
    ],
)
def test_amount_target_gives_three_alternatives_within_one_day(lang: str, request_text: str, cut: Decimal) -> None:
    before = subtotal(sample_lines(lang), PRICING[lang])
    target = before - cut
    found = proposals(lang, request_text)
    assert len(found) == 3
    for proposal in found:
        after = subtotal(*applied(lang, proposal))
        assert target - PRICING[lang].unit_cost <= after <= target
        assert ("税抜" if lang == "ja" else "before tax") in proposal.reason
    spread, tests_docs, drop = found
    assert [(op.kind, op.line) for op in spread.operations] == [(OperationKind.SCALE_LINE, None)]
    assert tests_docs.title == t("offline.adjust.title.tests_docs", lang)
    assert {op.phase for op in tests_docs.operations} == {*TEST_PHASES, Phase.PM_DOCS}
    manuals = ["運用マニュアル", "ユーザーマニュアル"] if lang == "ja" else ["Operations Manual", "User Manual"]
    assert [op.line for op in drop.operations] == manuals[: len(drop.operations)]
    assert drop.operations[0].kind is OperationKind.REMOVE_LINE


def test_tests_and_docs_first_touches_only_those_phases() -> None:
    lines = sample_lines("ja")
    proposal = proposals("ja", "あと30万円安く")[1]
    after = by_name(applied("ja", proposal)[0])
    for line in lines:
        for phase in PHASES:
            if phase not in (*TEST_PHASES, Phase.PM_DOCS):
                assert after[line.deliverable].phases.get(phase) == line.phases.get(phase)
    assert after["結合テスト"].person_days < by_name(lines)["結合テスト"].person_days


@pytest.mark.parametrize(
    ("lang", "request_text", "budget", "count"),
    [
        ("ja", "税抜予算300万円に収めて", D(3_000_000), 2),
        ("ja", "予算650万円（税抜）に収めて", D(6_500_000), 3),
        ("en", "fit in a budget of $20,000", D(20_000), 2),
        ("en", "bring it down to $84,000", D(84_000), 3),
    ],
)
def test_budget_alternatives_fit_under_the_budget(lang: str, request_text: str, budget: Decimal, count: int) -> None:
    """Dropping manuals cannot reach a deep cut, so that alternative is left out rather than offered short."""
    found = proposals(lang, request_text)
    assert len(found) == count
    for proposal in found:
        after = subtotal(*applied(lang, proposal))
        assert budget - PRICING[lang].unit_cost <= after <= budget


@pytest.mark.parametrize(("lang", "request_text"), [("ja", "テストを20%削減"), ("en", "cut testing by 20%")])
def test_percentage_on_testing(lang: str, request_text: str) -> None:
    """Test phases shrink in every line (the admin screen too); test lines shrink whole (unit tests sit in 製作)."""
    lines = sample_lines(lang)
    (proposal,) = proposals(lang, request_text)
    after = by_name(applied(lang, proposal)[0])
    for line in lines:
        new = after[line.deliverable]
        if line.kind is DeliverableKind.TEST:
            assert new.person_days == (line.person_days * D("0.8")).quantize(D("0.01"))
        elif any(line.phases.get(phase) for phase in TEST_PHASES):
            for phase in PHASES:
                factor = D("0.8") if phase in TEST_PHASES else 1
                assert new.phases.get(phase) == (line.phases.get(phase) * factor).quantize(D("0.01"))
        else:
            assert new == line, "lines without test effort stay identical"
    screen = "管理画面" if lang == "ja" else "Admin Screen"
    assert after[screen] != by_name(lines)[screen]


@pytest.mark.parametrize(
    ("lang", "request_text"), [("ja", "ドキュメントを30%削減"), ("en", "cut documentation by 30%")]
)
def test_percentage_on_documentation(lang: str, request_text: str) -> None:
    lines = sample_lines(lang)
    (proposal,) = proposals(lang, request_text)
    after = by_name(applied(lang, proposal)[0])
    for line in lines:
        if line.kind in (DeliverableKind.DOCUMENT, DeliverableKind.MANUAL):
            assert after[line.deliverable].person_days == line.person_days * D("0.7")
        else:
            assert after[line.deliverable] == line


@pytest.mark.parametrize(
    ("lang", "request_text", "cost"), [("ja", "単価を5万円に", D(50_000)), ("en", "set the unit cost to $450", D(450))]
)
def test_unit_cost(lang: str, request_text: str, cost: Decimal) -> None:
    (proposal,) = proposals(lang, request_text)
    assert proposal.operations == [Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=cost)]
    lines, pricing = applied(lang, proposal)
    assert lines == sample_lines(lang)
    assert pricing.unit_cost == cost


@pytest.mark.parametrize(
    ("lang", "request_text", "name"),
    [("ja", "リスクバッファ10%", "リスクバッファ（10%）"), ("en", "add a 10% risk buffer", "Risk buffer (10%)")],
)
def test_risk_buffer(lang: str, request_text: str, name: str) -> None:
    (proposal,) = proposals(lang, request_text)
    assert proposal.operations == [Operation(kind=OperationKind.ADD_RISK_BUFFER, percent=D(10), line=name)]
    lines = applied(lang, proposal)[0]
    buffer = lines[-1]
    assert (buffer.deliverable, buffer.kind) == (name, DeliverableKind.RISK_BUFFER)
    assert buffer.person_days == sum(line.person_days for line in lines[:-1]) / 10


@pytest.mark.parametrize(
    ("lang", "request_text", "removed"),
    [("ja", "ユーザーマニュアルを外して", "ユーザーマニュアル"), ("en", "remove the user manual", "User Manual")],
)
def test_remove_a_named_item(lang: str, request_text: str, removed: str) -> None:
    (proposal,) = proposals(lang, request_text)
    assert proposal.operations == [Operation(kind=OperationKind.REMOVE_LINE, line=removed)]
    assert applied(lang, proposal)[0] == [line for line in sample_lines(lang) if line.deliverable != removed]


@pytest.mark.parametrize(
    ("lang", "request_text", "names"),
    [
        ("ja", "管理画面をシンプルに", ["管理画面"]),
        ("en", "simplify the admin screen", ["Admin Screen"]),
        ("ja", "マニュアル類をシンプルにして安くしてください", ["運用マニュアル", "ユーザーマニュアル"]),
        ("en", "make the manuals simpler and cheaper", ["Operations Manual", "User Manual"]),
    ],
)
def test_simplify_named_items_and_categories(lang: str, request_text: str, names: list[str]) -> None:
    lines = sample_lines(lang)
    (proposal,) = proposals(lang, request_text)
    assert [(op.kind, op.line, op.factor) for op in proposal.operations] == [
        (OperationKind.SCALE_LINE, name, D("0.7")) for name in names
    ]
    after = by_name(applied(lang, proposal)[0])
    for line in lines:
        expected = line.person_days * D("0.7") if line.deliverable in names else line.person_days
        assert after[line.deliverable].person_days == expected
        if line.deliverable not in names:
            assert after[line.deliverable] == line


def error_of(lang: str, request_text: str) -> EngineError:
    with pytest.raises(EngineError) as caught:
        proposals(lang, request_text)
    return caught.value


@pytest.mark.parametrize(
    ("lang", "request_text", "example"),
    [("ja", "いい感じにして", "「あと30万円安く」"), ("en", "make it nicer", "“reduce by $3,000”")],
)
def test_unparsed_request_lists_the_forms_in_the_users_language(lang: str, request_text: str, example: str) -> None:
    error = error_of(lang, request_text)
    assert error.key == "errors.engine.unparsed_request"
    message = t(error.key, lang, **error.values)
    assert request_text in message and example in message
    assert message.count("「" if lang == "ja" else "“") >= 7


@pytest.mark.parametrize(
    ("lang", "request_text", "key"),
    [
        ("ja", "存在しない画面を外して", "errors.engine.unknown_target"),
        ("en", "drop the billing widget", "errors.engine.unknown_target"),
        ("ja", "バッチをシンプルに", "errors.engine.unknown_target"),
        ("ja", "予算1000万円に収めて", "errors.engine.already_within_budget"),
        ("ja", "あと1億円安く", "errors.engine.target_unreachable"),
        ("ja", "reduce by $3,000", "errors.engine.currency_mismatch"),
        ("en", "単価を5万円に", "errors.engine.currency_mismatch"),
        ("ja", "全体を外して", "errors.engine.not_applicable"),
    ],
)
def test_requests_that_cannot_be_met_say_why(lang: str, request_text: str, key: str) -> None:
    error = error_of(lang, request_text)
    assert error.key == key
    message = t(error.key, lang, **error.values)
    assert "{" not in message and message != key


def test_the_engine_adjust_is_the_module() -> None:
    request_text = "あと30万円安く"
    ctx = context("ja", request_text)
    assert OfflineEngine().adjust(ctx, CallHooks()) == proposals_for(parse_request(request_text), ctx)  # type: ignore[arg-type]


@pytest.mark.parametrize(("lang", "request_text"), [("ja", "見積りを10%下げて"), ("en", "lower the price by 10%")])
def test_a_percentage_on_the_whole_estimate(lang: str, request_text: str) -> None:
    (proposal,) = proposals(lang, request_text)
    assert proposal.operations == [Operation(kind=OperationKind.SCALE_LINE, factor=D("0.9"))]


def test_a_risk_buffer_line_is_left_alone_by_category_cuts() -> None:
    lines = applied("ja", proposals("ja", "リスクバッファ10%")[0])[0]
    (proposal,) = proposals("ja", "テストを20%削減", lines)
    after = applied("ja", proposal, lines)[0]
    assert after[-1] == lines[-1]


NAMES = [
    "要件定義書",
    "基本設計書",
    "管理画面",
    "受注API",
    "夜間バッチ",
    "結合テスト",
    "運用マニュアル",
    "ユーザーマニュアル",
    "Admin Screen",
    "User Manual",
    "Integration Testing",
    "Order API",
    "Project management",
]
KINDS = [kind for kind in DeliverableKind if kind is not DeliverableKind.RISK_BUFFER]


@st.composite
def versions(draw: st.DrawFn) -> tuple[list[EstimateLine], Pricing, str]:
    lines = []
    for name in draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8, unique=True)):
        values = draw(st.lists(st.integers(0, 3000), min_size=7, max_size=7).filter(lambda v: sum(v) > 0))
        phases = PhaseDays(**{phase.value: D(value) / 100 for phase, value in zip(PHASES, values, strict=True)})
        total = phases.total
        lines.append(
            EstimateLine(
                deliverable=name,
                kind=draw(st.sampled_from(KINDS)),
                phases=phases,
                optimistic=(total * D("0.8")).quantize(D("0.01")),
                pessimistic=(total * D("1.3")).quantize(D("0.01")),
            )
        )
    currency = draw(st.sampled_from(["JPY", "USD"]))
    unit = D(draw(st.integers(100, 1000)) * 100) if currency == "JPY" else D(draw(st.integers(100, 2000)))
    pricing = Pricing(
        currency=currency,
        unit_cost=unit,
        tax_rate=D(draw(st.sampled_from([0, 8, 10]))),
        rounding=draw(st.sampled_from(["floor", "half_up", "ceil"])),
    )
    return lines, pricing, draw(st.sampled_from(["ja", "en"]))


def money_text(amount: int, currency: str, lang: str) -> str:
    if lang == "ja":
        return f"{amount}円" if currency == "JPY" else f"{amount}ドル"
    return f"¥{amount:,}" if currency == "JPY" else f"${amount:,}"


@st.composite
def requests(draw: st.DrawFn, lines: list[EstimateLine], pricing: Pricing, lang: str) -> str:
    total = int(subtotal(lines, pricing))
    amount = draw(st.integers(1, max(1, total)))
    money = money_text(amount, pricing.currency, lang)
    cost = money_text(draw(st.integers(1, 2000)) * (100 if pricing.currency == "JPY" else 1), pricing.currency, lang)
    percent = draw(st.integers(1, 90))
    name = draw(st.sampled_from([line.deliverable for line in lines]))
    word = draw(st.sampled_from(["テスト", "マニュアル", "ドキュメント", "設計", "画面", "全体"]))
    word_en = draw(st.sampled_from(["testing", "manuals", "documentation", "design", "screens", "everything"]))
    forms = {
        "ja": [
            f"あと{money}安く",
            f"予算{money}に収めて",
            f"{word}を{percent}%削減",
            f"単価を{cost}に",
            f"リスクバッファ{percent}%",
            f"{name}を外して",
            f"{name}をシンプルに",
            f"{word}をシンプルにして",
        ],
        "en": [
            f"reduce by {money}",
            f"fit in a budget of {money}",
            f"cut {word_en} by {percent}%",
            f"set the unit cost to {cost}",
            f"add a {percent}% risk buffer",
            f"remove {name}",
            f"simplify {name}",
            f"make the {word_en} simpler",
        ],
    }
    return draw(st.sampled_from(forms[lang]))


def touched(operation: Operation, lines: list[EstimateLine]) -> set[str]:
    """The lines an operation names: by name, or every line it reaches when it names none."""
    if operation.kind is OperationKind.SET_UNIT_COST:
        return set()
    if operation.kind is OperationKind.ADD_RISK_BUFFER:
        return {line.deliverable for line in lines if line.kind is DeliverableKind.RISK_BUFFER}
    if operation.line is not None:
        return {operation.line}
    reachable = [line for line in lines if line.kind is not DeliverableKind.RISK_BUFFER]
    if operation.kind is OperationKind.SCALE_PHASE:
        assert operation.phase is not None
        return {line.deliverable for line in reachable if line.phases.get(operation.phase) > 0}
    return {line.deliverable for line in reachable}


ALLOWED_REFUSALS = {
    "errors.engine.target_unreachable",
    "errors.engine.already_within_budget",
    "errors.engine.unknown_target",
    "chat.clarify.needed",
    "errors.engine.not_applicable",
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_proposal_reconciles_and_leaves_unnamed_lines_identical(data: st.DataObject) -> None:
    lines, pricing, lang = data.draw(versions())
    request_text = data.draw(requests(lines, pricing, lang))
    ctx = AdjustmentContext(language=lang, lines=lines, pricing=pricing, request=request_text)
    intent = parse_request(request_text)
    assert intent is not None, request_text
    try:
        found = proposals_for(intent, ctx)
    except EngineError as error:
        assert error.key in ALLOWED_REFUSALS, (request_text, error.key)
        return
    assert 1 <= len(found) <= 3
    before = price(lines, pricing).subtotal
    for proposal in found:
        version = apply_operations(lines, pricing, proposal.operations)
        priced = price(version.lines, version.pricing)
        assert priced.subtotal == sum((item.amount for item in priced.lines), D(0))
        assert priced.subtotal + priced.tax == priced.total
        for item in priced.lines:
            assert item.amount == item.line.person_days * version.pricing.unit_cost
            assert item.amount == line_amount(
                item.line.person_days, version.pricing.unit_cost, pricing.currency, pricing.rounding
            )
        named = set().union(*(touched(op, lines) for op in proposal.operations))
        after = by_name(version.lines)
        for line in lines:
            if line.deliverable not in named:
                assert after.get(line.deliverable) == line, (request_text, line.deliverable)
        if intent.kind in (IntentKind.REDUCE_BY, IntentKind.FIT_BUDGET):
            assert intent.amount is not None
            target = intent.amount if intent.kind is IntentKind.FIT_BUDGET else before - intent.amount
            assert target - pricing.unit_cost <= priced.subtotal <= target
