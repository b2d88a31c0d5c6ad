"""What the deliverables, the requirements and the answers say, as the offline engine reads them.

Classification of a line into its profile and its role in the plan (a phase line only when its
name says so), whether the list states any count at all, the option a text or an answer states for a
topic (with hedges such as 「ある程度」 read as middle values), and the factors that
apply to a line. Sizing (`project_sizing`) and the questions (`offline`) build on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from estimator.engines.sizing import OTHER, PROFILES, QUESTION_TOPICS, TOPICS, Option, Profile, Topic, mentions
from estimator.i18n import LANGUAGES, t
from estimator.schemas import MAX_QUESTIONS, Answer, Deliverable, ProjectBrief
from estimator.sizing.kinds import UnitKind
from estimator.sizing.plan import Role
from estimator.sizing.units import Count, read_units
from estimator.text import reading_form

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


ROLE_OF_PROFILE = {
    "requirements_doc": Role.REQUIREMENTS,
    "basic_design_doc": Role.BASIC_DESIGN,
    "detailed_design_doc": Role.DETAILED_DESIGN,
    "design_doc": Role.DESIGN,
    "unit_test": Role.UNIT_TEST,
    "integration_test": Role.INTEGRATION_TEST,
    "system_test": Role.SYSTEM_TEST,
    "test": Role.TEST,
    "pm": Role.PM,
    "manual": Role.DOCUMENTS,
    "document": Role.DOCUMENTS,
}
"""Profiles that stand for a whole-project phase; every other profile is a feature (BUILD)."""

_BUILT = re.compile(
    r"ツール|プログラム|スクリプト|ロボット|(?<![a-z])(?:tools?|tooling|scripts?|programs?|bots?|robots?)(?![a-z])"
)
"""A line whose name says it is built (移行検証ツール, a test script) is a feature, whatever phase word it has."""


_WHOLE_MIGRATION = re.compile(r"データ移行|データ移管|(?<![a-z])data migration(?![a-z])")
_MIGRATION_PART = re.compile(
    r"ツール|設計|計画|検証|リハーサル|本番|切替|切り替え|手順|"
    r"(?<![a-z])(?:tools?|design|plan|verification|rehearsals?|cutover|runbook)(?![a-z])"
)


def is_data_migration(deliverable: Deliverable) -> bool:
    """Whether the line is a whole data migration (「データ移行」), not a part of one (移行ツール, 移行設計書,
    本番移行): one line that carries each table's mapping, extraction and conversion."""
    name = reading_form(deliverable.name)
    return bool(_WHOLE_MIGRATION.search(name)) and not _MIGRATION_PART.search(name)


def role_of(deliverable: Deliverable) -> Role:
    """What a line stands for in the plan: a phase line only when its *name* says so.

    The description only describes: 「dbt tests」 in the text of "Data quality checks" does not make
    the line the project's testing, and a 検証ツール is a tool that is built, not a test phase. A
    design line ("Visual design", 「UI/UXデザイン」) produces designs, counted as units: it is no 設計書.
    """
    name = reading_form(deliverable.name)
    if _BUILT.search(name) or read_units(deliverable.name, deliverable.description).main.kind is UnitKind.DESIGN:
        return Role.BUILD
    for profile in PROFILES:
        if profile.names.search(name):
            return ROLE_OF_PROFILE.get(profile.key, Role.BUILD)
    return Role.BUILD


SIZE_KINDS = frozenset(
    {UnitKind.SCREEN, UnitKind.REPORT, UnitKind.INTERFACE, UnitKind.ENDPOINT, UnitKind.BATCH, UnitKind.TABLE}
    | {UnitKind.DESIGN, UnitKind.RECORDS}
)
"""The kinds whose count is the size of a line; a device, a language or a feature is not counted work."""


def states_a_size(deliverable: Deliverable) -> bool:
    """Whether the line writes how many of something it holds (3画面, "12 endpoints", 約30万件)."""
    return any(
        count.stated and count.kind in SIZE_KINDS
        for count in read_units(deliverable.name, deliverable.description).counts
    )


def needs_unit_counts(deliverables: Sequence[Deliverable]) -> bool:
    """True when no line that builds something states a count: the list names work, not its size (the
    legacy sample's 「プログラム開発」), and only the analyst can say how many screens, reports, interfaces and
    batches it holds. Without the answer each such line is one assumed unit, a figure far too small."""
    build = [item for item in deliverables if role_of(item) is Role.BUILD]
    return bool(build) and not any(states_a_size(item) for item in build)


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


# Words that qualify an answer towards the middle: 「ある程度」 is not 「ある」, 「概ね確定」 is not 「確定」.
_HEDGE = re.compile(
    r"ある程度|概ね|おおむね|ほぼ|一部|部分的|やや|多少|それなり|まあまあ|半分|普通|標準|"
    r"(?<![a-z])(?:somewhat|mostly|partly|partially|some|moderately|fairly|average|mixed|in part)(?![a-z])",
    re.IGNORECASE,
)


def _hedged(topic: Topic, text: str) -> Option | None:
    """The option a hedged answer means: the one whose own answer words include the hedge (the middle value)."""
    for hedge in _HEDGE.findall(text):
        for option in topic.options:
            if option.answer is not None and option.answer.fullmatch(hedge):
                return option
    return None


def read_answer(topic: Topic, answer: str) -> Option | None:
    """What an answer says: one of the offered choices (in either language), a number, or free text.

    A hedge (ある程度, 概ね, "somewhat", "mostly") decides before the words it qualifies, so
    「ある程度」 reads as average experience, not as 「ある」 (experienced).
    """
    text = reading_form(answer).strip()
    for option in topic.options:
        if any(text == reading_form(option_label(topic, option, lang)) for lang in LANGUAGES):
            return option
    counted = _by_count(topic, _count(text, None))
    if counted is not None:
        return counted
    hedged = _hedged(topic, text)
    if hedged is not None:
        return hedged
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


UNIT_COUNTS_KEY = "unit_counts"
"""The question asked when no line of the list states how many screens, reports, interfaces … it has."""


@dataclass(frozen=True)
class Reading:
    """What the engine knows about the project as a whole, before sizing any line."""

    lang: str
    answered: Mapping[str, Option | None]
    requirements: Mapping[str, Option]
    unanswered: tuple[Topic, ...]
    uninterpreted: tuple[tuple[Topic, str], ...]
    unit_counts: tuple[Count, ...] = ()
    """The counts the answer to the unit-count question states (「画面20、帳票5、連携3」), if any."""
    unit_counts_answer: str = ""
    """That answer as written; kept when it counts nothing, so the assumptions can say it was not read."""


def deliverable_texts(brief: ProjectBrief) -> list[str]:
    return [reading_form(f"{item.name}\n{item.description}") for item in brief.deliverables]


def _answered_by_text(topic: Topic, texts: list[str]) -> bool:
    return any(read_text(topic, text) is not None for text in texts)


def select_questions(brief: ProjectBrief) -> list[Topic]:
    """The question topics the text leaves open and some deliverable depends on, in bank order: at most seven
    questions in all, the unit-count question (`needs_unit_counts`) taking the first place when it is asked."""
    profiles = {classify(item).key for item in brief.deliverables}
    texts = [reading_form(brief.requirements), *deliverable_texts(brief)]
    open_topics = [
        topic for topic in QUESTION_TOPICS if topic.applies_to & profiles and not _answered_by_text(topic, texts)
    ]
    return open_topics[: MAX_QUESTIONS - needs_unit_counts(brief.deliverables)]


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
    counted = given.get(UNIT_COUNTS_KEY)
    written = (counted.answer or "").strip() if counted is not None else ""
    return Reading(
        brief.language, answered, found, unanswered, tuple(uninterpreted), answered_unit_counts(written), written
    )


def answered_unit_counts(answer: str) -> tuple[Count, ...]:
    """The units an answer counts, every kind it names with a number (「画面20、帳票5、外部連携3」, "12 screens,
    4 batch jobs"); nothing when it counts none. Devices, languages and features are not a size on their own."""
    if not answer.strip():
        return ()
    return tuple(
        count
        for count in read_units("", answer).counts
        if count.stated and count.kind not in (UnitKind.DEVICE, UnitKind.LANGUAGE, UnitKind.FEATURE)
    )


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
