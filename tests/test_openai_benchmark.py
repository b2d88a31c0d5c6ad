"""How the estimate call is shaped, measured on the legacy 9-deliverable sample with the fake's latency model.

Latency model: 0.5 s to the first token, then 80 output tokens/s, for each concurrent call
on its own. Output tokens dominate, so parallel calls of two deliverables beat one batched
call by ~4×; more, smaller calls would not be faster (the first call, which also writes the
project's assumptions and exclusions, is the slowest either way) and would only repeat the
fixed prompt. Targets: ≤ 4,000 prompt tokens and ≤ 3.0 s for the whole estimate.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from estimator.engines.base import CallHooks, CallRecord
from estimator.engines.openai_engine import ESTIMATE_CHUNK_SIZE, OpenAIEngine
from estimator.schemas import Deliverable, ProjectBrief
from tests.fake_openai import FakeOpenAI, Latency, settings_for

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "legacy_sample_input.csv"
MAX_PROMPT_TOKENS = 4000
MAX_SECONDS = 3.0


@dataclass(frozen=True)
class Measured:
    calls: int
    prompt_tokens: int
    completion_tokens: int
    modelled_seconds: float
    wall_seconds: float


def sample_brief() -> ProjectBrief:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    deliverables = [Deliverable(name=row["成果物名称"], description=row["説明"]) for row in rows]
    return ProjectBrief(language="ja", title="販売管理システム", deliverables=deliverables)


def measure(fake: FakeOpenAI, chunk_size: int) -> Measured:
    records: list[CallRecord] = []
    engine = OpenAIEngine(settings_for(fake, openai_timeout=60), estimate_chunk_size=chunk_size)
    started = time.perf_counter()
    draft = engine.estimate(sample_brief(), [], CallHooks(record=records.append))
    wall = time.perf_counter() - started
    assert len(draft.lines) == 9
    latency = fake.latency or Latency()
    return Measured(
        calls=len(records),
        prompt_tokens=sum(r.prompt_tokens for r in records),
        completion_tokens=sum(r.completion_tokens for r in records),
        modelled_seconds=max(latency.seconds(r.completion_tokens) for r in records),
        wall_seconds=wall,
    )


@pytest.mark.slow
def test_parallel_chunks_meet_the_targets_and_beat_one_batched_call(fake_openai: FakeOpenAI) -> None:
    fake_openai.latency = Latency(first_token_s=0.5, tokens_per_s=80)
    chosen = measure(fake_openai, ESTIMATE_CHUNK_SIZE)
    batched = measure(fake_openai, chunk_size=9)
    per_line = measure(fake_openai, chunk_size=1)
    for label, result in (("chosen", chosen), ("batched", batched), ("per-line", per_line)):
        print(f"{label}: {result}")

    assert chosen.prompt_tokens <= MAX_PROMPT_TOKENS
    assert chosen.modelled_seconds <= MAX_SECONDS
    assert chosen.wall_seconds <= MAX_SECONDS + 0.3
    assert batched.calls == 1
    assert batched.wall_seconds > 3 * chosen.wall_seconds
    assert per_line.prompt_tokens > chosen.prompt_tokens
    assert per_line.wall_seconds >= chosen.wall_seconds - 0.2
