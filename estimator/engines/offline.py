"""The offline engine: deterministic, explainable, instant, in Japanese and English.

It is the embedded default whenever no OpenAI key is set, so it must never need
the network and must give the same numbers for the same input. A line's size is
`base size of its kind × the factors of what the text, the requirements and the
answers say`, split by the IPA phase ratios; every number comes from
`estimator.engines.sizing`, and every sentence from the locales.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Literal

from estimator.engines.base import CallHooks
from estimator.engines.sizing import (
    CODING_SHARE_OF_IMPLEMENTATION,
    IPA_SPLIT,
    OPTIMISTIC_BASE,
    OPTIMISTIC_MAX,
    OPTIMISTIC_PER_UNANSWERED,
    OTHER,
    PESSIMISTIC_BASE,
    PESSIMISTIC_PER_UNANSWERED,
    PROFILES,
    QUESTION_TOPICS,
    REFERENCE_PROJECT_DAYS,
    TOPICS,
    Option,
    Profile,
    Topic,
    mentions,
)
from estimator.errors import EstimatorError
from estimator.i18n import LANGUAGES, format_number, has_key, t
from estimator.money import PERSON_DAY_QUANTUM, round_person_days
from estimator.rules import propose
from estimator.schemas import (
    MAX_LINE_PERSON_DAYS,
    MAX_QUESTIONS,
    OFFLINE_MODEL,
    AdjustmentContext,
    Answer,
    CallRecord,
    Deliverable,
    EstimateDraft,
    EstimateLine,
    PhaseDays,
    ProjectBrief,
    Proposal,
    Question,
)
from estimator.text import reading_form, sentences

Source = Literal["answer", "deliverable", "requirements"]
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(万|千|k(?![a-z]))?")
_MULTIPLIERS = {"万": 10_000, "千": 1_000, "k": 1_000}


def classify(deliverable: Deliverable) -> Profile:
    """The profile of a deliverable: by its name first, its description only when the name says nothing."""
    for text in (reading_form(deliverable.name), reading_form(deliverable.description)):
        for profile in PROFILES:
            if profile.names.search(text):
                return profile
    return OTHER


def _count(text: str, unit: re.Pattern[str] | None) -> int | None:
    """The first number in `text`; when `unit` is given it must follow the number (「300名」, "3 systems")."""
    for match in _NUMBER.finditer(text):
        if unit is not None and not unit.match(text[match.end() :]):
            continue
        value = Decimal(match.group(1).replace(",", "")) * _MULTIPLIERS.get(match.group(2) or "", 1)
        return int(value)
    return None


def _by_count(topic: Topic, count: int | None) -> Option | None:
    if count is None:
        return None
    for option in topic.options:
        if option.counts is not None and option.counts[0] <= count < option.counts[1]:
            return option
    return None


def read_text(topic: Topic, text: str) -> Option | None:
    """What a requirement or description (normalized) says about `topic`, if anything."""
    if topic.unit is not None:
        counted = _by_count(topic, _count(text, topic.unit))
        if counted is not None:
            return counted
    for option in topic.options:
        if option.text is not None and mentions(option.text, text):
            return option
    return None


def option_label(topic: Topic, option: Option, lang: str) -> str:
    return t(f"offline.option.{topic.key}.{option.key}", lang)


def read_answer(topic: Topic, answer: str) -> Option | None:
    """What an answer says: one of the offered choices (in either language), a number, or free text."""
    text = reading_form(answer).strip()
    for option in topic.options:
        if any(text == reading_form(option_label(topic, option, lang)) for lang in LANGUAGES):
            return option
    counted = _by_count(topic, _count(text, None))
    if counted is not None:
        return counted
    for patterns in ((option.text for option in topic.options), (option.answer for option in topic.options)):
        for option, pattern in zip(topic.options, patterns, strict=True):
            if pattern is not None and mentions(pattern, text):
                return option
    return None


@dataclass(frozen=True)
class Finding:
    """One factor applied to a line, and where it was read."""

    topic: Topic
    option: Option
    source: Source


@dataclass(frozen=True)
class Reading:
    """What the engine knows about the project as a whole, before sizing any line."""

    lang: str
    answered: Mapping[str, Option | None]
    requirements: Mapping[str, Option]
    unanswered: tuple[Topic, ...]
    uninterpreted: tuple[tuple[Topic, str], ...]


def _texts(brief: ProjectBrief) -> list[str]:
    return [reading_form(f"{item.name}\n{item.description}") for item in brief.deliverables]


def _answered_by_text(topic: Topic, texts: list[str]) -> bool:
    return any(read_text(topic, text) is not None for text in texts)


def select_questions(brief: ProjectBrief) -> list[Topic]:
    """The question topics the text leaves open and some deliverable depends on, in bank order, at most seven."""
    profiles = {classify(item).key for item in brief.deliverables}
    texts = [reading_form(brief.requirements), *_texts(brief)]
    open_topics = [
        topic for topic in QUESTION_TOPICS if topic.applies_to & profiles and not _answered_by_text(topic, texts)
    ]
    return open_topics[:MAX_QUESTIONS]


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


def read_project(brief: ProjectBrief, answers: list[Answer]) -> Reading:
    """Interpret the answers and the requirements once; unanswered means asked and left blank."""
    given = {answer.key: answer for answer in answers if answer.answered}
    by_key = {topic.key: topic for topic in QUESTION_TOPICS}
    answered: dict[str, Option | None] = {}
    uninterpreted: list[tuple[Topic, str]] = []
    for key, answer in given.items():
        topic = by_key.get(key)
        if topic is None:
            continue
        option = read_answer(topic, answer.answer or "")
        answered[key] = option
        if option is None:
            uninterpreted.append((topic, (answer.answer or "").strip()))
    requirements = reading_form(brief.requirements)
    found = {topic.key: option for topic in TOPICS if (option := read_text(topic, requirements)) is not None}
    unanswered = tuple(topic for topic in select_questions(brief) if topic.key not in given)
    return Reading(brief.language, answered, found, unanswered, tuple(uninterpreted))


def findings_for(profile: Profile, text: str, reading: Reading) -> list[Finding]:
    """The factor of each topic that applies: an answer first, then the line's own text, then the requirements."""
    found: list[Finding] = []
    for topic in TOPICS:
        if profile.key not in topic.applies_to:
            continue
        finding: Finding | None = None
        if topic.key in reading.answered:
            answered = reading.answered[topic.key]
            finding = Finding(topic, answered, "answer") if answered is not None else None
        elif (own := read_text(topic, text)) is not None:
            finding = Finding(topic, own, "deliverable")
        elif topic.key in reading.requirements:
            finding = Finding(topic, reading.requirements[topic.key], "requirements")
        if finding is not None and finding.option.factor != 1:
            found.append(finding)
    return found


def _phase_names(profile: Profile, lang: str) -> str:
    return t("offline.list_separator", lang).join(t(f"offline.phase.{phase.value}", lang) for phase in profile.split)


def _reasoning(profile: Profile, findings: list[Finding], days: Decimal, capped: bool, widened: int, lang: str) -> str:
    """Kind and base, each factor with where it was read, the phase split and the range, in the project's language."""
    number = partial(format_number, lang=lang)
    parts = [
        t(
            "offline.reasoning.base",
            lang,
            kind=t(f"offline.profile.{profile.key}", lang),
            base=number(profile.base_days),
        )
    ]
    if profile.whole_system:
        parts.append(t("offline.reasoning.whole_system", lang, reference=number(REFERENCE_PROJECT_DAYS)))
    if findings:
        factors = t("offline.list_separator", lang).join(
            t(
                "offline.reasoning.factor",
                lang,
                topic=t(f"offline.topic.{f.topic.key}", lang),
                option=option_label(f.topic, f.option, lang),
                factor=number(f.option.factor),
                source=t(f"offline.source.{f.source}", lang),
            )
            for f in findings
        )
        parts.append(t("offline.reasoning.factors", lang, factors=factors, days=number(days)))
    else:
        parts.append(t("offline.reasoning.no_factors", lang))
    if capped:
        parts.append(t("offline.reasoning.capped", lang, limit=number(MAX_LINE_PERSON_DAYS)))
    if dict(profile.split) == IPA_SPLIT:
        parts.append(t("offline.reasoning.split_ipa", lang))
    else:
        split = "offline.reasoning.split_phase" if len(profile.split) == 1 else "offline.reasoning.split_phases"
        parts.append(t(split, lang, phases=_phase_names(profile, lang)))
    note = f"offline.reasoning.note.{profile.key}"
    if has_key(note, lang):
        coding = CODING_SHARE_OF_IMPLEMENTATION * 100
        parts.append(t(note, lang, coding=number(coding), unit=number(100 - coding)))
    if widened:
        parts.append(t("offline.reasoning.widened", lang, count=widened))
    return sentences(parts, lang)


def size_line(deliverable: Deliverable, reading: Reading) -> EstimateLine:
    """One estimate line: base × factors, split by phase, with a range widened for open questions."""
    lang = reading.lang
    profile = classify(deliverable)
    findings = findings_for(profile, reading_form(f"{deliverable.name}\n{deliverable.description}"), reading)
    raw = profile.base_days
    for finding in findings:
        raw *= finding.option.factor
    days = min(max(round_person_days(raw), PERSON_DAY_QUANTUM), MAX_LINE_PERSON_DAYS)
    open_topics = [topic for topic in reading.unanswered if profile.key in topic.applies_to]
    widened = len(open_topics)
    low = min(OPTIMISTIC_BASE + OPTIMISTIC_PER_UNANSWERED * widened, OPTIMISTIC_MAX)
    high = PESSIMISTIC_BASE + PESSIMISTIC_PER_UNANSWERED * widened
    phases = PhaseDays(**{phase.value: ratio for phase, ratio in profile.split.items()}).with_total(days)
    assumptions = []
    if open_topics:
        names = t("offline.list_separator", lang).join(t(f"offline.topic.{topic.key}", lang) for topic in open_topics)
        assumptions.append(t("offline.line.unanswered", lang, topics=names))
    return EstimateLine(
        deliverable=deliverable.name,
        description=deliverable.description,
        kind=profile.kind,
        phases=phases,
        optimistic=round_person_days(days * (1 - low)),
        pessimistic=round_person_days(days * (1 + high)),
        reasoning=_reasoning(profile, findings, days, raw > MAX_LINE_PERSON_DAYS, widened, lang),
        assumptions=assumptions,
        risks=[t(f"offline.risk.{f.topic.key}", lang) for f in findings if f.option.factor > 1],
    )


def _assumptions(brief: ProjectBrief, reading: Reading) -> list[str]:
    lang = reading.lang
    separator = t("offline.list_separator", lang)
    ratios = separator.join(
        t(
            "offline.assumption.ratio",
            lang,
            phase=t(f"offline.phase.{phase.value}", lang),
            percent=format_number(ratio, lang),
        )
        for phase, ratio in IPA_SPLIT.items()
    )
    found = [t("offline.assumption.method", lang), t("offline.assumption.phase_ratios", lang, ratios=ratios)]
    if any(classify(item).whole_system for item in brief.deliverables):
        found.append(t("offline.assumption.reference", lang, days=format_number(REFERENCE_PROJECT_DAYS, lang)))
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
    stated += [read_text(migration, text) for text in _texts(brief)]
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
            return [_question(topic, brief) for topic in select_questions(brief)]

    def estimate(self, brief: ProjectBrief, answers: list[Answer], hooks: CallHooks) -> EstimateDraft:
        with _recorded(hooks, "estimate"):
            reading = read_project(brief, answers)
            lines = [size_line(item, reading) for item in brief.deliverables]
            return EstimateDraft(
                lines=lines, assumptions=_assumptions(brief, reading), exclusions=_exclusions(brief, reading)
            )

    def adjust(self, context: AdjustmentContext, hooks: CallHooks) -> list[Proposal]:
        with _recorded(hooks, "adjust"):
            return propose(context)
