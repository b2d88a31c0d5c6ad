"""The Engine protocol: the model proposes, code decides.

An engine turns plain pydantic inputs into pydantic outputs and knows nothing of
the database. What a call cost is reported to a `CallRecorder` the workflow
hands in, and a `CallGuard` may refuse a call before it is made (cost caps,
rate limits), so accounting lives with the store, not with the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from estimator.documents.extract import Extracted
from estimator.schemas import (
    AdjustmentContext,
    Answer,
    CallRecord,
    DeliverableDraft,
    EstimateDraft,
    ProjectBrief,
    Proposal,
    Question,
)
from estimator.sizing.guide import SizingGuide

CallRecorder = Callable[[CallRecord], None]
CallGuard = Callable[[str], None]


def _ignore_record(_: CallRecord) -> None:
    return None


def _allow(_: str) -> None:
    return None


@dataclass
class CallHooks:
    """What the workflow hands an engine for one use case.

    `guard` is asked before each call (once, its transport retries included); `record` is told
    of every HTTP request made, retries and failures included, so `llm_calls` counts them all.
    Both run on the thread that called the engine.
    """

    record: CallRecorder = field(default=_ignore_record)
    guard: CallGuard = field(default=_allow)


class Engine(Protocol):
    """Four operations; every implementation is deterministic given the same model answers."""

    name: str

    def questions(self, brief: ProjectBrief, hooks: CallHooks) -> list[Question]: ...

    def estimate(
        self, brief: ProjectBrief, answers: list[Answer], hooks: CallHooks, guide: SizingGuide | None = None
    ) -> EstimateDraft:
        """Lines for the deliverables; `guide` carries the firm's rate table and the analyst's project type."""
        ...

    def adjust(self, context: AdjustmentContext, hooks: CallHooks) -> list[Proposal]: ...

    def propose_deliverables(self, document: Extracted, language: str, hooks: CallHooks) -> DeliverableDraft:
        """The deliverables an uploaded document (an RFP) names, each with its source, for the analyst to review."""
        ...
