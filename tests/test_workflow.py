"""The walk as use cases: what is stored when, versions, proposals, failure safety, limits."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import Settings, load_settings
from estimator.engines.base import CallHooks
from estimator.engines.offline import OfflineEngine
from estimator.engines.openai_engine import OpenAIEngine
from estimator.errors import EngineError, InvalidInputError, LimitExceededError, StaleWriteError
from estimator.i18n import t
from estimator.schemas import PHASES, CallRecord, Deliverable
from estimator.workflow import Workflow, open_workflow, read_decimal
from tests.factories import lines_of, project_settings
from tests.fake_openai import FakeOpenAI, settings_for
from tests.offline_samples import SAMPLE_JA

USER = "analyst"


class FailingEngine(OfflineEngine):
    """The offline engine, except that every operation fails like a model outage would."""

    def questions(self, brief, hooks):  # type: ignore[no-untyped-def]
        raise EngineError("errors.engine.timeout")

    def estimate(self, brief, answers, hooks, guide=None):  # type: ignore[no-untyped-def]
        raise EngineError("errors.engine.timeout")

    def adjust(self, context, hooks):  # type: ignore[no-untyped-def]
        raise EngineError("errors.engine.timeout")


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def sample_project(flow: Workflow) -> int:
    project = flow.create_project(project_settings("販売管理システム"), user=USER)
    items = [Deliverable(name=n, description=d) for n, d in SAMPLE_JA]
    flow.save_deliverables(project.id, items, requirements="社内利用", expected_row_version=project.row_version)
    return project.id


def estimated(flow: Workflow) -> int:
    project_id = sample_project(flow)
    project = flow.generate_questions(project_id, expected_row_version=None, user=USER)
    flow.generate_estimate(project_id, expected_row_version=project.row_version, user=USER)
    return project_id


def test_walk_questions_answers_estimate(flow: Workflow) -> None:
    project_id = sample_project(flow)
    project = flow.generate_questions(project_id, expected_row_version=None, user=USER)
    assert 3 <= len(project.qa_pairs) <= 7
    unanswered = flow.generate_estimate(project_id, expected_row_version=project.row_version, user=USER)
    assert project.qa_pairs[0].key == "unit_counts" and not project.qa_pairs[0].choices, "the sample counts nothing"
    first_key = project.qa_pairs[1].key
    choice = project.qa_pairs[1].choices[0]
    project = flow.save_answers(project_id, {first_key: choice}, expected_row_version=project.row_version + 1)
    answered = flow.generate_estimate(project_id, expected_row_version=project.row_version, user=USER)
    assert (unanswered.number, answered.number) == (1, 2)
    assert [line.deliverable for line in lines_of(flow, answered)] == [
        *(name for name, _ in SAMPLE_JA),
        "プロジェクト管理（自動追加）",
    ], "the sample's lines in order, then the PM line it lacks"
    assert answered.origin == "generated" and answered.engine == "offline" and answered.created_by == USER
    widths = [(line.pessimistic - line.optimistic) for line in lines_of(flow, answered)]
    earlier = [(line.pessimistic - line.optimistic) for line in lines_of(flow, unanswered)]
    assert sum(widths) <= sum(earlier)
    priced = flow.priced(project_id, answered.number)
    assert priced.subtotal == sum(item.line.person_days * Decimal(40000) for item in priced.lines)
    assert priced.total == priced.subtotal + priced.tax == answered.total


def test_engine_failure_changes_nothing_already_saved(isolated_settings: Path) -> None:
    good = open_workflow(load_settings(), engine=OfflineEngine())
    project_id = estimated(good)
    before = good.store.get_project(project_id)
    bad = Workflow(good.store, FailingEngine(), good.settings)
    for action in (
        lambda: bad.generate_questions(project_id, expected_row_version=None, user=USER),
        lambda: bad.generate_estimate(project_id, expected_row_version=None, user=USER),
        lambda: bad.propose_adjustment(project_id, "管理画面をシンプルに", user=USER),
    ):
        with pytest.raises(EngineError) as refused:
            action()
    after = good.store.get_project(project_id)
    assert [(d.name, d.description) for d in after.deliverables] == [
        (d.name, d.description) for d in before.deliverables
    ]
    assert [(q.key, q.answer) for q in after.qa_pairs] == [(q.key, q.answer) for q in before.qa_pairs]
    assert [v.number for v in good.store.list_versions(project_id)] == [1]
    reason = t(refused.value.key, "ja", **refused.value.values)
    assert [m.content for m in good.store.list_messages(project_id)] == ["管理画面をシンプルに", reason]


def test_amount_request_is_answered_by_code_without_a_model_call(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    flow = open_workflow(settings_for(fake_openai))
    assert isinstance(flow.engine, OpenAIEngine)
    project_id = Workflow(flow.store, OfflineEngine(), flow.settings).store.create_project(project_settings()).id
    offline = Workflow(flow.store, OfflineEngine(), flow.settings)
    offline.save_deliverables(
        project_id,
        [Deliverable(name=n, description=d) for n, d in SAMPLE_JA],
        requirements="",
        expected_row_version=None,
    )
    version = offline.generate_estimate(project_id, expected_row_version=None, user=USER)
    fake_openai.reset()
    rows = flow.propose_adjustment(project_id, "あと30万円ほど安くする案を教えて", user=USER).proposals
    assert fake_openai.chat_requests == []
    assert 1 <= len(rows) <= 3
    for row in rows:
        after = flow.preview(project_id, row).after
        target = version.subtotal - Decimal(300000)
        assert target - version.pricing.unit_cost <= after.subtotal <= target + version.pricing.unit_cost


def test_apply_makes_a_new_version_and_leaves_unnamed_lines_identical(flow: Workflow) -> None:
    project_id = estimated(flow)
    before = lines_of(flow, flow.version(project_id))
    rows = flow.propose_adjustment(project_id, "ユーザーマニュアルを外して", user=USER).proposals
    version = flow.apply_proposal(project_id, rows[0].id, user=USER)
    after = lines_of(flow, version)
    assert version.number == 2 and version.origin == "adjusted" and version.parent_id is not None
    assert [line.deliverable for line in after] == [
        line.deliverable for line in before if line.deliverable != "ユーザーマニュアル"
    ]
    assert after == [line for line in before if line.deliverable != "ユーザーマニュアル"]
    manual = next(line for line in before if line.deliverable == "ユーザーマニュアル")
    assert flow.store.get_version(project_id, version.number).changes == [
        {
            "deliverable": "ユーザーマニュアル",
            "status": "removed",
            "before_days": str(manual.person_days),
            "after_days": None,
            "before_amount": str((manual.person_days * 40000).quantize(Decimal(1))),
            "after_amount": None,
        }
    ]
    assert version.request_text == "ユーザーマニュアルを外して"
    with pytest.raises(InvalidInputError):
        flow.apply_proposal(project_id, rows[0].id, user=USER)


def test_a_proposal_for_an_older_version_is_refused(flow: Workflow) -> None:
    project_id = estimated(flow)
    first = flow.propose_adjustment(project_id, "テストを20%削減", user=USER).proposals
    second = flow.quick_risk_buffer(project_id, Decimal(10), user=USER)
    flow.apply_proposal(project_id, second.id, user=USER)
    with pytest.raises(StaleWriteError) as refused:
        flow.apply_proposal(project_id, first[0].id, user=USER)
    assert (refused.value.key, refused.value.values) == ("errors.proposal.outdated", {"base": 1, "latest": 2})


def test_a_pending_proposal_made_before_an_edit_is_outdated_not_closed(flow: Workflow) -> None:
    """The outdated branch on its own: the proposal is still pending, only the estimate moved on."""
    project_id = estimated(flow)
    pending = flow.quick_risk_buffer(project_id, Decimal(10), user=USER)
    flow.edit_lines(project_id, {"要件定義書": Decimal(20)}, base_version=1, user=USER)
    assert [proposal.id for proposal in flow.pending_proposals(project_id)] == [pending.id]
    with pytest.raises(StaleWriteError) as refused:
        flow.apply_proposal(project_id, pending.id, user=USER)
    assert (refused.value.key, refused.value.values) == ("errors.proposal.outdated", {"base": 1, "latest": 2})
    assert flow.version(project_id).number == 2


def test_a_discarded_or_applied_proposal_on_the_current_version_is_closed(flow: Workflow) -> None:
    project_id = estimated(flow)
    discarded = flow.quick_risk_buffer(project_id, Decimal(10), user=USER)
    flow.discard_proposal(project_id, discarded.id)
    with pytest.raises(InvalidInputError) as refused:
        flow.apply_proposal(project_id, discarded.id, user=USER)
    assert refused.value.key == "errors.proposal.closed"
    applied = flow.quick_risk_buffer(project_id, Decimal(5), user=USER)
    flow.apply_proposal(project_id, applied.id, user=USER)
    with pytest.raises(InvalidInputError) as again:
        flow.apply_proposal(project_id, applied.id, user=USER)
    assert again.value.key == "errors.proposal.closed"


def test_quick_actions_unit_cost_risk_buffer_and_remove(flow: Workflow) -> None:
    project_id = estimated(flow)
    base = flow.store.get_version(project_id)
    cost = flow.apply_proposal(project_id, flow.quick_unit_cost(project_id, Decimal(50000), user=USER).id, user=USER)
    assert cost.pricing.unit_cost == Decimal(50000) and cost.person_days == base.person_days
    buffered = flow.apply_proposal(project_id, flow.quick_risk_buffer(project_id, Decimal(10), user=USER).id, user=USER)
    buffer = lines_of(flow, buffered)[-1]
    assert buffer.kind.value == "risk_buffer"
    assert buffer.person_days == (base.person_days * Decimal("0.1")).quantize(Decimal("0.01"))
    assert all(
        item.amount == item.line.person_days * Decimal(50000) for item in flow.priced(project_id, buffered.number).lines
    )
    removed = flow.apply_proposal(
        project_id,
        flow.quick_remove(project_id, ["運用マニュアル", "ユーザーマニュアル"], user=USER).id,
        user=USER,
    )
    assert "運用マニュアル" not in [line.deliverable for line in lines_of(flow, removed)]


def test_restore_and_edit_make_new_versions(flow: Workflow) -> None:
    project_id = estimated(flow)
    first = flow.version(project_id, 1)
    edited = flow.edit_lines(project_id, {"要件定義書": Decimal("20")}, base_version=1, user=USER)
    assert edited.origin == "edited" and edited.number == 2
    lines = {line.deliverable: line for line in lines_of(flow, edited)}
    assert lines["要件定義書"].person_days == Decimal(20)
    untouched = {line.deliverable: line for line in lines_of(flow, first)}
    assert all(lines[n] == untouched[n] for n in untouched if n != "要件定義書")
    assert sum(lines["要件定義書"].phases.get(p) for p in PHASES) == Decimal(20)
    restored = flow.restore_version(project_id, 1, base_version=2, user=USER)
    assert restored.origin == "restored" and restored.number == 3
    assert lines_of(flow, restored) == lines_of(flow, first) and restored.total == first.total
    assert [c.deliverable for c in flow.compare(project_id, 1, 2).changes] == ["要件定義書"]
    same = untouched["要件定義書"].person_days
    with pytest.raises(InvalidInputError):
        flow.edit_lines(project_id, {"要件定義書": same}, base_version=3, user=USER)


def test_stale_tab_cannot_generate_over_newer_input(flow: Workflow) -> None:
    project_id = sample_project(flow)
    stale = flow.store.get_project(project_id).row_version
    flow.save_deliverables(project_id, [Deliverable(name="画面")], requirements=None, expected_row_version=stale)
    with pytest.raises(StaleWriteError):
        flow.generate_estimate(project_id, expected_row_version=stale, user=USER)


def test_deliverable_rules(flow: Workflow) -> None:
    project_id = sample_project(flow)
    with pytest.raises(InvalidInputError) as empty:
        flow.save_deliverables(project_id, [], requirements=None, expected_row_version=None)
    assert empty.value.key == "errors.input.no_deliverables"
    with pytest.raises(InvalidInputError) as twice:
        flow.save_deliverables(
            project_id,
            [Deliverable(name="API"), Deliverable(name="api ")],
            requirements=None,
            expected_row_version=None,
        )
    assert twice.value.key == "errors.input.duplicate_name" and twice.value.values["row"] == 2


class CountingEngine(OfflineEngine):
    """Guards and records like a model engine, so the workflow's limits can be observed."""

    def questions(self, brief, hooks: CallHooks):  # type: ignore[no-untyped-def]
        hooks.guard("questions")
        hooks.record(CallRecord(kind="questions", model="m", status="ok", latency_ms=1, cost_usd=Decimal("0.40")))
        return super().questions(brief, hooks)


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ({"daily_cost_limit_usd": Decimal("1")}, "errors.limits.daily_cost"),
        ({"monthly_cost_limit_usd": Decimal("1")}, "errors.limits.monthly_cost"),
        ({"rate_limit_per_hour": 3}, "errors.limits.rate"),
    ],
)
def test_cost_caps_and_rate_limit_refuse_before_the_call(isolated_settings: Path, setting: dict, key: str) -> None:
    """The offline engine's own records (model "offline") never count against the limits."""
    settings = Settings(**setting)
    flow = open_workflow(settings, engine=CountingEngine())
    project_id = sample_project(flow)
    for _ in range(3):
        flow.generate_questions(project_id, expected_row_version=None, user=USER)
    with pytest.raises(LimitExceededError) as refused:
        flow.generate_questions(project_id, expected_row_version=None, user=USER)
    assert refused.value.key == key
    assert [call.model for call in flow.store.llm_calls() if call.model != "offline"] == ["m"] * 3


def test_usage_shows_the_caps_as_check_limits_counts_them(isolated_settings: Path) -> None:
    """The hourly figure counts this user's model calls only, as the rate limit does (not offline ones)."""
    flow = open_workflow(Settings(rate_limit_per_hour=2, daily_cost_limit_usd=Decimal("1")), engine=CountingEngine())
    project_id = sample_project(flow)
    flow.generate_questions(project_id, expected_row_version=None, user=USER)
    flow.store.record_llm_call(
        CallRecord(kind="adjust", model="m", status="ok", latency_ms=1), project_id=None, created_by="someone else"
    )
    usage = flow.usage(USER)
    daily, monthly, rate = usage.caps
    assert (rate.used, rate.limit, rate.left) == (Decimal(1), Decimal(2), Decimal(1))
    assert (daily.used, daily.limit, daily.left) == (Decimal("0.40"), Decimal(1), Decimal("0.60"))
    assert monthly.limit is None and monthly.left is None and monthly.share == 0.0
    offline_and_model = sum(entry.totals.calls for entry in usage.per_day)
    assert offline_and_model == len(flow.store.llm_calls()) == 3
    assert [(entry.title, entry.totals.calls) for entry in usage.per_project] == [("販売管理システム", 2), (None, 1)]
    flow.generate_questions(project_id, expected_row_version=None, user=USER)
    assert flow.usage(USER).caps[2].left == Decimal(0)
    with pytest.raises(LimitExceededError):
        flow.generate_questions(project_id, expected_row_version=None, user=USER)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"unit_cost": Decimal("40000.5")}, "errors.adjust.bad_unit_cost.JPY"),
        ({"unit_cost": Decimal(0)}, "errors.adjust.bad_unit_cost.JPY"),
        ({"currency": "USD", "unit_cost": Decimal("500.001")}, "errors.adjust.bad_unit_cost.USD"),
        ({"tax_rate": Decimal(101)}, "errors.input.bad_tax_rate"),
        ({"tax_rate": Decimal("1e-30")}, "errors.input.bad_tax_rate"),
        ({"currency": "EUR"}, "errors.input.bad_currency"),
        ({"rounding": "banker"}, "errors.input.bad_rounding"),
        ({"title": "  "}, "errors.input.empty_title"),
    ],
)
def test_a_project_with_unusable_money_terms_is_refused_for_every_caller(
    flow: Workflow, change: dict, key: str
) -> None:
    """The rules the Projects page used to check alone now hold in the workflow, for the CLI too."""
    with pytest.raises(InvalidInputError) as refused:
        flow.create_project(dataclasses.replace(project_settings(), **change), user=USER)
    assert refused.value.key == key
    assert flow.list_projects() == []


@pytest.mark.parametrize(
    ("typed", "value"), [("40,000", Decimal(40000)), ("10 %", Decimal(10)), ("１２.５", Decimal("12.5"))]
)
def test_typed_numbers_are_read_as_the_user_meant(typed: str, value: Decimal) -> None:
    assert read_decimal(typed, field="単価") == value


@pytest.mark.parametrize("typed", ["", "abc", "1,0.0.0", "nan", "inf"])
def test_text_that_is_no_number_names_the_field(typed: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_decimal(typed, field="単価")
    assert refused.value.key == "errors.input.not_a_number" and refused.value.values["field"] == "単価"
