"""Issue 14: the chat corpus (tests/data/chat_corpus.json, 200 requests: 115 ja, 85 en) gives no wrong change,
offline and through the fake model server, and handles at least 90 % (a right proposal, an answer, or a precise
clarifying question)."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.workflow import open_workflow
from tests.chat_corpus import counts, load, run
from tests.fake_openai import FakeOpenAI, settings_for


def test_the_corpus_is_broad() -> None:
    rows = load()
    assert len(rows) >= 150
    assert {row["lang"] for row in rows} == {"ja", "en"}
    assert {row["expect"][0] for row in rows} >= {"answer", "clarify", "refuse", "remove", "cap_total", "all"}


def _report(outcomes) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(f"{o.verdict}: [{o.lang}] {o.request} — {o.detail}" for o in outcomes if o.verdict != "correct")


def test_offline_no_request_yields_a_wrong_change(isolated_settings: Path) -> None:
    outcomes = run(lambda: open_workflow(load_settings(), engine=OfflineEngine()))
    tally = counts(outcomes)
    assert tally["wrong"] == 0, _report(outcomes)
    assert tally["correct"] + tally["clarified"] >= 0.9 * len(outcomes), _report(outcomes)


@pytest.mark.slow
def test_through_the_fake_model_no_request_yields_a_wrong_change(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    """With a model configured the rules still answer what they read and ask what they find open; what they do
    not read goes to the model — here the fake server, whose answers are made up from the reply schema, so
    every one of them must be caught by the intent check and refused rather than offered."""
    outcomes = run(lambda: open_workflow(settings_for(fake_openai)))
    tally = counts(outcomes)
    assert tally["wrong"] == 0, _report(outcomes)
    assert tally["correct"] + tally["clarified"] >= 0.9 * len(outcomes), _report(outcomes)
    assert fake_openai.chat_requests, "the model was asked"
