"""Issue 9, parts 3 and 4: numbers a model writes, and how long an analyst can be kept waiting.

Through the real `openai` client against the fake server (tests/fake_openai.py). A model's
number is read exactly and checked before any arithmetic, so a huge, non-finite, negative or
too precise one is an unusable answer (retried once, then `errors.engine.invalid_answer`),
never a traceback; and OPENAI_TIMEOUT is one deadline for the whole operation, however the
server trickles its answer and whatever retries there are.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.engines.offline import OfflineEngine
from estimator.errors import EngineError
from estimator.i18n import t
from estimator.schemas import Deliverable, OperationKind
from estimator.workflow import Workflow, open_workflow
from tests import fake_openai as fake
from tests.factories import project_settings
from tests.fake_openai import FakeOpenAI, settings_for
from tests.offline_samples import SAMPLE_JA
from tests.test_openai_engine import DELIVERABLES, Hooks, brief, context, engine, listed

FIRST_CHUNK = '"items":[{"n":"ログイン画面"'
NAMES = [name for name, _ in DELIVERABLES["ja"]]
# A trickle that would take tens of seconds to deliver an answer of about a kilobyte.
TRICKLE_BYTES_PER_S = 64.0
DEADLINE_S = 1.0
# Generous, so the tests are not flaky: they show the wait is cut, they do not time it.
WAIT_BOUND_S = 3 * DEADLINE_S
# A request the rules do not read, so the workflow sends it to the model.
UNREAD_REQUEST = "もう少し現実的な見積りにしてください"


def estimated_offline(flow: Workflow) -> int:
    """A project with a first version made by the offline engine, in the same store as `flow`."""
    offline = Workflow(flow.store, OfflineEngine(), flow.settings)
    project_id = offline.store.create_project(project_settings()).id
    items = [Deliverable(name=n, description=d) for n, d in SAMPLE_JA]
    offline.save_deliverables(project_id, items, requirements="", expected_row_version=None)
    offline.generate_estimate(project_id, expected_row_version=None, user="analyst")
    return project_id


def estimate_answer(field: str, literal: str) -> str:
    """An estimate answer for the first chunk with `literal` written as is where `field` goes."""
    line: dict[str, object] = {"n": NAMES[0], "t": "document", "d": [2, 1, 1, 0, 0, 0, 1], "o": 4, "p": 8}
    line |= {"r": "x", "a": [], "k": []}
    if field == "d":
        line["d"] = [2, 1, 1, "@", 0, 0, 1]
    else:
        line[field] = "@"
    return json.dumps({"l": [line], "pa": [], "ex": []}, ensure_ascii=False).replace('"@"', literal)


def adjust_answer(kind: OperationKind, field: str, literal: str) -> str:
    """An adjust answer with one operation whose `field` is `literal` written as is."""
    line = NAMES[0] if kind in (OperationKind.SCALE_LINE, OperationKind.SET_PERSON_DAYS) else None
    operation = {"kind": kind.value, "line": line, "phase": None, "factor": None, "person_days": None}
    operation |= {"unit_cost": None, "percent": None, "new_line": None, field: "@"}
    reply = {"ps": [{"title": "案", "reason": "理由", "ops": [operation]}]}
    return json.dumps(reply, ensure_ascii=False).replace('"@"', literal)


# Model numbers --------------------------------------------------------------------------------

ESTIMATE_NUMBERS = [
    pytest.param("d", "1e30", "1E+30", id="d-1e30"),
    pytest.param("d", "1e400", "1E+400", id="d-1e400"),
    pytest.param("p", "1e30", "1E+30", id="p-1e30"),
    pytest.param("o", "NaN", "NaN", id="o-NaN"),
    pytest.param("d", "-Infinity", "-Infinity", id="d-minus-infinity"),
    pytest.param("o", "-5", "-5", id="o-negative"),
    pytest.param("d", "-0.5", "-0.5", id="d-negative"),
    pytest.param("d", "1" + "0" * 5000, "e+5000", id="d-5001-digit-integer"),
    pytest.param("d", "1e99999999999999999999", "1e99999999999999999999", id="d-beyond-any-decimal"),
]


@pytest.mark.parametrize(("field", "literal", "shown"), ESTIMATE_NUMBERS)
def test_estimate_with_an_impossible_number_is_an_invalid_answer_and_every_call_is_recorded(
    fake_openai: FakeOpenAI, field: str, literal: str, shown: str
) -> None:
    bad = estimate_answer(field, literal)
    fake_openai.script(fake.answer(bad, match=FIRST_CHUNK), fake.answer(bad, match=FIRST_CHUNK))
    seen = Hooks()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai).estimate(brief(), [], seen.hooks)

    assert raised.value.key == "errors.engine.invalid_answer"
    assert shown in raised.value.detail, "the problem names the number as the model wrote it"
    # Two chunks, then the retry of the bad one: each HTTP call is recorded, the bad ones as errors.
    assert len(seen.records) == len(fake_openai.chat_requests) == 3
    assert sorted(r.status for r in seen.records) == ["error", "error", "ok"]


def test_estimate_with_a_huge_number_is_retried_once_then_used(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.answer(estimate_answer("d", "1e30"), match=FIRST_CHUNK))
    seen = Hooks()
    draft = engine(fake_openai).estimate(brief(), [], seen.hooks)

    assert listed(draft) == NAMES
    assert len(seen.records) == len(fake_openai.chat_requests) == 3
    assert sorted(r.status for r in seen.records) == ["error", "ok", "ok"]
    (retry,) = [r for r in fake_openai.chat_requests if len(r.body["messages"]) == 4]
    assert "≤ 500 person-days, got 1E+30" in retry.body["messages"][3]["content"]


ADJUST_NUMBERS = [
    pytest.param(OperationKind.SET_PERSON_DAYS, "person_days", "1e30", "1E+30", id="person-days-1e30"),
    pytest.param(OperationKind.SET_PERSON_DAYS, "person_days", "1e400", "1E+400", id="person-days-1e400"),
    pytest.param(OperationKind.SET_PERSON_DAYS, "person_days", "-3", "-3", id="person-days-negative"),
    pytest.param(OperationKind.SCALE_LINE, "factor", "NaN", "NaN", id="factor-NaN"),
    pytest.param(OperationKind.SCALE_LINE, "factor", "1e30", "less than or equal to 10", id="factor-1e30"),
    pytest.param(OperationKind.SCALE_LINE, "factor", "-0.5", "greater than or equal to 0", id="factor-negative"),
    pytest.param(OperationKind.ADD_RISK_BUFFER, "percent", "1e400", "less than or equal to 100", id="percent-1e400"),
    # Unit costs are also refused by `apply_operations` (money.is_unit_cost); the engine checks
    # them first so the model is shown a short message even for a number of a million digits.
    pytest.param(OperationKind.SET_UNIT_COST, "unit_cost", "0.001", "0.001", id="unit-cost-yen-0.001"),
    pytest.param(OperationKind.SET_UNIT_COST, "unit_cost", "40000.5", "40000.5", id="unit-cost-half-yen"),
    pytest.param(OperationKind.SET_UNIT_COST, "unit_cost", "1e30", "unit", id="unit-cost-1e30"),
    pytest.param(OperationKind.SET_UNIT_COST, "unit_cost", "-40000", "unit", id="unit-cost-negative"),
    pytest.param(OperationKind.SET_UNIT_COST, "unit_cost", "1e999999", "1E+999999", id="unit-cost-1e999999"),
]


@pytest.mark.parametrize(("kind", "field", "literal", "shown"), ADJUST_NUMBERS)
def test_adjust_with_an_impossible_number_is_an_invalid_answer_and_every_call_is_recorded(
    fake_openai: FakeOpenAI, kind: OperationKind, field: str, literal: str, shown: str
) -> None:
    bad = adjust_answer(kind, field, literal)
    fake_openai.script(fake.answer(bad), fake.answer(bad))
    seen = Hooks()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai).adjust(context(), seen.hooks)

    assert raised.value.key == "errors.engine.invalid_answer"
    assert shown in raised.value.detail
    assert len(seen.records) == len(fake_openai.chat_requests) == 2
    assert [r.status for r in seen.records] == ["error", "error"]


def test_adjust_with_a_unit_cost_nobody_can_invoice_is_retried_once_then_used(fake_openai: FakeOpenAI) -> None:
    """¥0.001 a day once made a ¥0 preview; now the model is asked again and its whole-yen answer kept."""
    fake_openai.script(
        fake.answer(adjust_answer(OperationKind.SET_UNIT_COST, "unit_cost", "0.001")),
        fake.answer(adjust_answer(OperationKind.SET_UNIT_COST, "unit_cost", "45000")),
    )
    seen = Hooks()
    proposals = engine(fake_openai).adjust(context(), seen.hooks)

    assert [op.unit_cost for op in proposals[0].operations] == [Decimal(45000)]
    assert "0.001" in fake_openai.chat_requests[1].body["messages"][3]["content"]
    assert len(seen.records) == len(fake_openai.chat_requests) == 2
    assert [r.status for r in seen.records] == ["error", "ok"]


def test_adjust_with_a_huge_number_is_retried_once_then_used(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.answer(adjust_answer(OperationKind.SET_PERSON_DAYS, "person_days", "1e30")))
    seen = Hooks()
    proposals = engine(fake_openai).adjust(context(), seen.hooks)

    assert proposals
    retry = fake_openai.chat_requests[1].body["messages"][3]["content"]
    assert "person_days must be ≥ 0 and ≤ 500 person-days, got 1E+30" in retry
    assert len(seen.records) == len(fake_openai.chat_requests) == 2
    assert [r.status for r in seen.records] == ["error", "ok"]


def test_a_model_number_through_the_workflow_is_a_message_and_llm_calls_holds_every_call(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    flow = open_workflow(settings_for(fake_openai))
    project_id = estimated_offline(flow)
    bad = adjust_answer(OperationKind.SET_PERSON_DAYS, "person_days", "1e30")
    fake_openai.script(fake.answer(bad), fake.answer(bad))
    with pytest.raises(EngineError) as raised:
        flow.propose_adjustment(project_id, UNREAD_REQUEST, user="analyst")

    assert t(raised.value.key, "ja").startswith("AIモデルの回答が")
    calls = [call for call in flow.store.llm_calls() if call.model != "offline"]
    assert len(calls) == len(fake_openai.chat_requests) == 2
    assert [call.status for call in calls] == ["error", "error"]


# The deadline ---------------------------------------------------------------------------------


def test_estimate_against_a_trickling_server_stops_at_the_deadline(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.trickle(TRICKLE_BYTES_PER_S), fake.trickle(TRICKLE_BYTES_PER_S))
    seen = Hooks()
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai, openai_timeout=DEADLINE_S).estimate(brief(), [], seen.hooks)
    elapsed = time.monotonic() - started

    assert raised.value.key == "errors.engine.timeout"
    assert raised.value.values == {"seconds": 1}
    assert elapsed < WAIT_BOUND_S
    assert len(seen.records) == len(fake_openai.chat_requests) == 2
    assert [r.status for r in seen.records] == ["timeout", "timeout"]
    assert all(r.error.startswith("errors.engine.timeout") for r in seen.records)


def test_adjust_against_a_trickling_server_stops_at_the_deadline(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.trickle(TRICKLE_BYTES_PER_S))
    seen = Hooks()
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai, openai_timeout=DEADLINE_S).adjust(context(), seen.hooks)
    elapsed = time.monotonic() - started

    assert raised.value.key == "errors.engine.timeout"
    assert elapsed < WAIT_BOUND_S
    assert [r.status for r in seen.records] == ["timeout"]
    assert len(fake_openai.chat_requests) == 1


def test_a_retry_after_longer_than_the_time_left_is_not_waited_for(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.rate_limited(retry_after=20), fake.rate_limited(retry_after=20))
    seen = Hooks()
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai, openai_timeout=DEADLINE_S, openai_max_retries=1).adjust(context(), seen.hooks)

    assert raised.value.key == "errors.engine.rate_limited"
    assert time.monotonic() - started < WAIT_BOUND_S
    assert len(seen.records) == len(fake_openai.chat_requests) == 1


def test_the_retry_of_an_unusable_answer_gets_only_the_time_left(fake_openai: FakeOpenAI) -> None:
    unusable = fake.garbage_content()
    unusable.delay_s = 0.6 * DEADLINE_S
    fake_openai.script(unusable, fake.slow(5 * DEADLINE_S), fake.slow(5 * DEADLINE_S), fake.slow(5 * DEADLINE_S))
    seen = Hooks()
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        engine(fake_openai, openai_timeout=DEADLINE_S).questions(brief(), seen.hooks)

    assert raised.value.key == "errors.engine.timeout"
    assert time.monotonic() - started < 2 * DEADLINE_S
    assert [r.status for r in seen.records] == ["error", "timeout"]
    assert len(fake_openai.chat_requests) == 2


def test_a_timeout_through_the_workflow_keeps_the_request_and_records_the_call(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    flow = open_workflow(settings_for(fake_openai, openai_timeout=DEADLINE_S))
    project_id = estimated_offline(flow)
    fake_openai.script(fake.trickle(TRICKLE_BYTES_PER_S))
    started = time.monotonic()
    with pytest.raises(EngineError) as raised:
        flow.propose_adjustment(project_id, UNREAD_REQUEST, user="analyst")

    assert time.monotonic() - started < WAIT_BOUND_S
    assert t(raised.value.key, "ja", **raised.value.values).startswith("AIサービスが1秒以内に応答しませんでした")
    assert t(raised.value.key, "en", **raised.value.values).startswith("The AI service did not answer within 1 seconds")
    messages = flow.store.list_messages(project_id)
    assert [(m.role, m.content) for m in messages] == [
        ("user", UNREAD_REQUEST),
        ("assistant", t(raised.value.key, "ja", **raised.value.values)),
    ]
    calls = [call for call in flow.store.llm_calls() if call.model != "offline"]
    assert [call.status for call in calls] == ["timeout"]
