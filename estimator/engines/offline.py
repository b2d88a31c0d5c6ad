"""The offline engine: deterministic, explainable, instant, in Japanese and English.

It is the embedded default whenever no OpenAI key is set, so it must never need the
network and must give the same numbers for the same input. A feature line's size is its
counted units × the firm's rates for the project's type × the factors the texts and the
answers give; the whole-project phases are derived once from their sum
(`estimator.engines.project_sizing`). Every sentence comes from the locales.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from estimator.documents.extract import Extracted
from estimator.documents.proposal import propose as propose_from_document
from estimator.engines.base import CallHooks
from estimator.engines.project_sizing import size_project
from estimator.engines.reading import (
    UNIT_COUNTS_KEY,
    Reading,
    classify,
    deliverable_texts,
    needs_unit_counts,
    option_label,
    read_project,
    read_text,
    role_of,
    select_questions,
)
from estimator.engines.sizing import TOPICS, Topic
from estimator.errors import EstimatorError
from estimator.i18n import format_number, t
from estimator.rules.proposals import propose
from estimator.schemas import (
    OFFLINE_MODEL,
    AdjustmentContext,
    Answer,
    CallRecord,
    DeliverableDraft,
    EstimateDraft,
    ProjectBrief,
    Proposal,
    Question,
    QuestionKind,
)
from estimator.sizing.guide import SizingGuide
from estimator.sizing.kinds import ProjectType
from estimator.sizing.plan import Role
from estimator.sizing.project_type import detect_project_type


def _question(topic: Topic, brief: ProjectBrief) -> Question:
    lang = brief.language
    assert topic.question is not None
    return Question(
        key=topic.key,
        text=t(f"offline.question.{topic.key}.text", lang),
        why=t(f"offline.question.{topic.key}.why", lang),
        kind=topic.question,
        affects=[item.name for item in brief.deliverables if classify(item).key in topic.applies_to],
        choices=[option_label(topic, option, lang) for option in sorted(topic.options, key=lambda o: o.factor)],
    )


def _unit_counts_question(brief: ProjectBrief) -> Question:
    """First when no line states a count: the size of the work depends on it more than on any factor."""
    lang = brief.language
    return Question(
        key=UNIT_COUNTS_KEY,
        text=t("offline.question.unit_counts.text", lang),
        why=t("offline.question.unit_counts.why", lang),
        kind=QuestionKind.SCOPE,
        affects=[item.name for item in brief.deliverables if role_of(item) is Role.BUILD],
    )


def _assumptions(
    brief: ProjectBrief, reading: Reading, guide: SizingGuide, kind: ProjectType, cues: tuple[str, ...]
) -> list[str]:
    lang = reading.lang
    separator = t("offline.list_separator", lang)
    ratios = separator.join(
        t(
            "offline.assumption.ratio",
            lang,
            phase=t(f"offline.phase.{phase.value}", lang),
            percent=format_number(ratio, lang),
        )
        for phase, ratio in guide.rates.phase_ratios[kind].items()
    )
    label = t(f"sizing.type.{kind.value}", lang)
    if guide.project_type is not None:
        typed = t("sizing.assumption.type_chosen", lang, type=label)
    elif cues:
        typed = t("sizing.assumption.type_detected", lang, type=label, cues=separator.join(cues))
    else:
        typed = t("sizing.assumption.type_default", lang, type=label)
    version = guide.rates.version
    found = [
        t("sizing.assumption.method", lang),
        typed,
        t(
            "sizing.assumption.rates",
            lang,
            version=t("sizing.rates.shipped", lang)
            if version is None
            else t("sizing.rates.version", lang, version=version),
        ),
        t("offline.assumption.phase_ratios", lang, ratios=ratios),
    ]
    if reading.requirements:
        by_key = {topic.key: topic for topic in TOPICS}
        items = separator.join(
            t(
                "offline.assumption.item",
                lang,
                topic=t(f"offline.topic.{key}", lang),
                option=option_label(by_key[key], option, lang),
            )
            for key, option in reading.requirements.items()
        )
        found.append(t("offline.assumption.read_from_requirements", lang, items=items))
    if reading.unanswered:
        topics = separator.join(t(f"offline.topic.{topic.key}", lang) for topic in reading.unanswered)
        found.append(t("offline.assumption.unanswered", lang, topics=topics))
    if reading.unit_counts_answer and not reading.unit_counts:
        found.append(t("offline.assumption.unit_counts_unread", lang, answer=reading.unit_counts_answer))
    for topic, answer in reading.uninterpreted:
        found.append(
            t("offline.assumption.uninterpreted", lang, topic=t(f"offline.topic.{topic.key}", lang), answer=answer)
        )
    return found


def _exclusions(brief: ProjectBrief, reading: Reading) -> list[str]:
    """What a quote from this engine does not cover; data migration only when nothing says it is in scope."""
    lang = reading.lang
    migration = next(topic for topic in TOPICS if topic.key == "data_migration")
    stated = [reading.answered.get(migration.key), reading.requirements.get(migration.key)]
    stated += [read_text(migration, text) for text in deliverable_texts(brief)]
    keys = ["licenses", "operations", "acceptance", "unlisted"]
    if not any(option is not None and option.factor > 1 for option in stated):
        keys.insert(2, "migration")
    return [t(f"offline.exclusion.{key}", lang) for key in keys]


@contextmanager
def _recorded(hooks: CallHooks, kind: str) -> Iterator[None]:
    """Report each call to the workflow's recorder (no tokens, no cost) so usage shows offline work too."""
    started = time.perf_counter()
    try:
        yield
    except EstimatorError as error:
        hooks.record(CallRecord(kind, OFFLINE_MODEL, "error", _elapsed_ms(started), error=error.key))
        raise
    hooks.record(CallRecord(kind, OFFLINE_MODEL, "ok", _elapsed_ms(started)))


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


class OfflineEngine:
    """The Engine protocol, answered by the sizing table; no model, no network, no randomness."""

    name = OFFLINE_MODEL

    def questions(self, brief: ProjectBrief, hooks: CallHooks) -> list[Question]:
        with _recorded(hooks, "questions"):
            asked = [_question(topic, brief) for topic in select_questions(brief)]
            if needs_unit_counts(brief.deliverables):
                asked = [_unit_counts_question(brief), *asked]
            return asked

    def estimate(
        self, brief: ProjectBrief, answers: list[Answer], hooks: CallHooks, guide: SizingGuide | None = None
    ) -> EstimateDraft:
        guide = guide or SizingGuide()
        with _recorded(hooks, "estimate"):
            reading = read_project(brief, answers)
            detected = detect_project_type([(d.name, d.description) for d in brief.deliverables], brief.requirements)
            kind = guide.project_type or detected.project_type
            lines = size_project(brief.deliverables, reading, guide.rates, kind)
            return EstimateDraft(
                lines=lines,
                assumptions=_assumptions(brief, reading, guide, kind, detected.cues),
                exclusions=_exclusions(brief, reading),
                project_type=kind.value,
            )

    def adjust(self, context: AdjustmentContext, hooks: CallHooks) -> list[Proposal]:
        with _recorded(hooks, "adjust"):
            return propose(context)

    def propose_deliverables(self, document: Extracted, language: str, hooks: CallHooks) -> DeliverableDraft:
        with _recorded(hooks, "propose_deliverables"):
            return propose_from_document(document, self.name)
