"""Chat corpus: correct, clarified, refused and wrong outcomes (issue 14), offline and through the fake model

The requests of tests/data/chat_corpus.json (200: 115 Japanese, 85 English) are sent through the workflow to a
fresh estimate per language and judged by their machine-checked expectations (tests/chat_corpus.py). Wrong is
a proposal whose effect the request does not allow: the target is 0. Handled is correct + clarified (a precise
clarifying question with choices): the target is at least 90 %. The fake model server answers from the reply
schema, so what it proposes is made up: every such proposal must be caught by the intent check.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.workflow import open_workflow
from tests.chat_corpus import Outcome, counts
from tests.chat_corpus import run as run_corpus
from tests.fake_openai import FakeOpenAI, settings_for

_OUTCOMES: dict[str, list[Outcome]] = {}


def _measured(label: str, outcomes: list[Outcome]) -> list[dict]:
    tally = counts(outcomes)
    handled = (tally["correct"] + tally["clarified"]) / len(outcomes) * 100
    return [
        {
            "name": f"{label}: requests",
            "value": len(outcomes),
            "unit": "",
            "target": "≥ 150",
            "ok": len(outcomes) >= 150,
        },
        {"name": f"{label}: correct", "value": tally["correct"], "unit": "", "target": "—", "ok": True, "gate": False},
        {
            "name": f"{label}: clarified",
            "value": tally["clarified"],
            "unit": "",
            "target": "—",
            "ok": True,
            "gate": False,
        },
        {"name": f"{label}: refused", "value": tally["refused"], "unit": "", "target": "—", "ok": True, "gate": False},
        {"name": f"{label}: wrong", "value": tally["wrong"], "unit": "", "target": "0", "ok": tally["wrong"] == 0},
        {"name": f"{label}: handled", "value": round(handled, 1), "unit": "%", "target": "≥ 90 %", "ok": handled >= 90},
    ]


def run() -> list[dict]:
    results: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        # Settings passed, not set in the environment: the benchmarks after this one must not inherit them.
        data = Path(folder)
        offline = run_corpus(lambda: open_workflow(load_settings(data_dir=data), engine=OfflineEngine()))
        _OUTCOMES["offline"] = offline
        results += _measured("offline", offline)
        fake = FakeOpenAI().start()
        try:
            settings = settings_for(fake, data_dir=data, database_url=f"sqlite:///{folder}/model.db")
            model = run_corpus(lambda: open_workflow(settings))
        finally:
            fake.stop()
        _OUTCOMES["model"] = model
        results += _measured("fake model", model)
    return results


def markdown() -> list[str]:
    """The requests not judged correct, so a reader sees what was clarified or refused and why."""
    lines = ["", "| run | outcome | request | detail |", "|---|---|---|---|"]
    for label, outcomes in _OUTCOMES.items():
        for o in outcomes:
            if o.verdict != "correct":
                detail = " ".join(o.detail.split())[:90].replace("|", "/")
                lines.append(f"| {label} | {o.verdict} | [{o.lang}] {o.request} | {detail} |")
    return lines
