"""The offline engine's lines: counted units × the firm's rates, then the whole-project plan.

Each feature line is sized from what its name and description say (`sizing.units`): every
counted unit at the rate of its kind and grade for this project's type, times the factors
the answers and texts give. The whole-project phases are then derived once from the sum
(`sizing.plan`), carried by the list's own phase lines or by lines the engine adds.
Reasoning quotes what was read, so two deliverables never share it word for word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from estimator.engines import assessment
from estimator.engines.assessment import Assessed, assess, is_assessment
from estimator.engines.reading import (
    SIZE_KINDS,
    Finding,
    Reading,
    classify,
    findings_for,
    is_data_migration,
    option_label,
    role_of,
    states_a_size,
)
from estimator.engines.sizing import (
    OPTIMISTIC_MAX,
    OPTIMISTIC_PER_UNANSWERED,
    PESSIMISTIC_PER_UNANSWERED,
    Profile,
)
from estimator.i18n import format_number, t
from estimator.money import PERSON_DAY_QUANTUM, round_person_days
from estimator.schemas import MAX_LINE_PERSON_DAYS, Deliverable, DeliverableKind, EstimateLine, PhaseDays
from estimator.sizing.kinds import ProjectType, UnitKind
from estimator.sizing.plan import Duty, PlannedLine, Role, plan
from estimator.sizing.rates import RECORDS_PER_UNIT, RateTable
from estimator.sizing.units import Count, read_units
from estimator.text import reading_form, sentences

GRADED_TOPICS = frozenset({"integrations", "realtime", "authentication", "multilingual"})
"""Topics a line's own text already prices through its units (an interface's grade, a COMPLEX
realtime screen, extra LANGUAGE units): read from that text again they would count twice."""
MIGRATION_TOPIC = "data_migration"
"""A whole data migration sized by its tables at migration rates is the migration: the topic's factor would
count it a second time."""

_SIGN_IN = re.compile(r"認証|ログイン|サインイン|(?<![a-z])(?:log[- ]?in|sign[- ]?in|auth\w*|sso)(?![a-z])", re.I)


def itemised_topics(deliverables: Sequence[Deliverable]) -> frozenset[str]:
    """Topics the feature lines price in lines of their own: then the topic, even stated in the requirements or an
    answer, does not also multiply every other line (the 基幹連携 lines carry the integrations, the
    データ移行 line the migration, the login line the authentication)."""
    found: set[str] = set()
    for item in deliverables:
        counts = read_units(item.name, item.description).counts
        kinds = {count.kind for count in counts}
        if UnitKind.INTERFACE in kinds:
            found.add("integrations")
        if UnitKind.RECORDS in kinds:
            found.add("data_migration")
        if UnitKind.LANGUAGE in kinds:
            found.add("multilingual")
        if any("realtime" in count.cues for count in counts):
            found.add("realtime")
        if _SIGN_IN.search(reading_form(item.name)):
            found.add("authentication")
    return frozenset(found)


EXTRA_SHARE = {UnitKind.DEVICE: Decimal("0.3"), UnitKind.LANGUAGE: Decimal("0.2")}
"""House judgement: one more device or language on a line that builds something costs at most this
share of the line's own work per extra unit (a smartphone layout of one landing page is not the 4
days a whole site's smartphone layout is); a line that is only devices or languages takes the rate."""


ADDED_KIND = {
    Duty.REQUIREMENTS: DeliverableKind.DOCUMENT,
    Duty.BASIC_DESIGN: DeliverableKind.DOCUMENT,
    Duty.INTEGRATION_TEST: DeliverableKind.TEST,
    Duty.SYSTEM_TEST: DeliverableKind.TEST,
    Duty.PM: DeliverableKind.PM,
    Duty.DOCUMENTS: DeliverableKind.PM,
}


@dataclass(frozen=True)
class Sized:
    """One feature line's build-side size, and what it was made of (for the reasoning and the range)."""

    days: Decimal
    parts: tuple[tuple[Count, Decimal], ...]  # each count and its person-days before the factors
    findings: tuple[Finding, ...]
    optimistic: Decimal  # percent below
    pessimistic: Decimal  # percent above
    widening: tuple[Finding, ...] = ()
    """Factors only the requirements text states: they widen the range, not the most likely (`size_feature`)."""
    answered: bool = False
    """Whether the units came from the answer to the unit-count question rather than the line's own text."""
    migration: bool = False
    """Whether the line is a whole data migration, its tables sized at migration rates per step (`unit_days`)."""


def rate_units(count: Count) -> Decimal:
    """How many rate units a count is, as the rate table defines them (`estimator.sizing.rates`).

    Records are rated per million up to a million, at least one unit: a line that moves 5,000
    records still needs its mapping, tooling and rehearsal, and a line that states no volume is
    one unit. Beyond a million each doubling adds one unit (8 million records are 4 units, not 8):
    what grows with a volume is the run time, the batching and the rehearsal windows, and loading
    twice the rows is one more round of tuning, not twice the work.
    Devices and languages count beyond the first (iOS + Android is one extra platform).
    Everything else counts one by one.
    """
    if count.kind is UnitKind.RECORDS:
        millions = count.quantity / RECORDS_PER_UNIT if count.stated else Decimal(1)
        if millions <= 1:
            return Decimal(1)
        return (1 + millions.ln() / Decimal(2).ln()).quantize(Decimal("0.01"))
    if count.kind in (UnitKind.DEVICE, UnitKind.LANGUAGE):
        return max(count.quantity - 1, Decimal(0))
    return count.quantity


def _shares(total: Decimal, parts: int) -> list[Decimal]:
    """`total` whole units over `parts` lines, the remainder to the first lines (20 over 3 is 7, 7, 6)."""
    whole = int(total)
    base, extra = divmod(whole, parts)
    shares = [Decimal(base + (1 if i < extra else 0)) for i in range(parts)]
    shares[0] += total - whole  # records keep their exact volume
    return shares


def distribute_counts(counts: Sequence[Count], mains: Mapping[int, UnitKind]) -> dict[int, list[Count]]:
    """The answered counts spread over the lines that state none: each kind to the lines of that kind
    (split evenly), the rest to the lines that name no unit (features: 「プログラム開発」), else the first."""
    given: dict[int, list[Count]] = {}
    generic = [i for i, main in mains.items() if main is UnitKind.FEATURE] or list(mains)[:1]
    for count in counts:
        targets = [i for i, main in mains.items() if main is count.kind] or generic
        for index, quantity in zip(targets, _shares(count.quantity, len(targets)), strict=True):
            if quantity >= 1 or (count.kind is UnitKind.RECORDS and quantity > 0):
                given.setdefault(index, []).append(replace(count, quantity=max(quantity, Decimal(1))))
    return given


MIGRATION_STEPS = 3
"""A whole data migration in one line carries, for each table, the mapping, the extraction and the conversion
that a migration project has a line each for; the データ移行・バッチ table rate is per table and per such line."""
MIGRATED = frozenset({UnitKind.TABLE, UnitKind.RECORDS})


def unit_days(
    counts: Sequence[Count], rates: RateTable, kind: ProjectType, *, migration: bool = False
) -> list[Decimal]:
    """Each count's build-side person-days: rate × rate units, an extra device or language capped at its
    `EXTRA_SHARE` of the line's own work. The one figure both engines size a line by.

    `migration` (a whole data migration, `is_data_migration`): its tables and volumes are migration work in
    any project, at the データ移行・バッチ rates, each table MIGRATION_STEPS times."""
    plain = [_unit_rate(count, rates, kind, migration) * rate_units(count) for count in counts]

    own_work = sum(
        (days for count, days in zip(counts, plain, strict=True) if count.kind not in EXTRA_SHARE), Decimal(0)
    )
    return [
        min(days, own_work * EXTRA_SHARE[count.kind] * rate_units(count))
        if count.kind in EXTRA_SHARE and own_work
        else days
        for count, days in zip(counts, plain, strict=True)
    ]


def migrates_tables(deliverable: Deliverable, counts: Sequence[Count]) -> bool:
    """Whether `unit_days` sizes the line's tables as a whole data migration's (both engines ask the same)."""
    return is_data_migration(deliverable) and any(count.kind is UnitKind.TABLE for count in counts)


def _unit_rate(count: Count, rates: RateTable, kind: ProjectType, migration: bool) -> Decimal:
    """The rate of one unit. A migration line that writes no volume (移行リハーサル, 本番移行, a bare データ移行)
    is one piece of migration work, rated as a feature: as one million records it would cost a day."""
    if count.kind is UnitKind.RECORDS and not count.stated:
        return rates.rate(ProjectType.MIGRATION if migration else kind, UnitKind.FEATURE, count.grade).days
    if migration and count.kind in MIGRATED:
        rate = rates.rate(ProjectType.MIGRATION, count.kind, count.grade).days
        return rate * MIGRATION_STEPS if count.kind is UnitKind.TABLE else rate
    return rates.rate(kind, count.kind, count.grade).days


def size_feature(
    deliverable: Deliverable,
    profile: Profile,
    reading: Reading,
    rates: RateTable,
    kind: ProjectType,
    itemised: frozenset[str] = frozenset(),
    given: Sequence[Count] = (),
) -> Sized:
    """Σ units × rate for the project type, times the factors of the answers and texts that no unit
    already prices: not the topics its own text graded, nor those other lines of the list itemise
    (`itemised_topics`): a requirement's 基幹連携 sizes the interface lines, not every screen.

    A factor that only the requirements text states (「会員数は5万人」, 「3システムと連携」) is a
    condition of the whole project, not of this screen's build: it widens the line's range by its
    excess (×1.2 adds 20 points to the pessimistic side) instead of multiplying the most likely, which
    an answer to the question, or the line's own words, still does."""
    counts = tuple(given) or read_units(deliverable.name, deliverable.description).counts
    parts: list[tuple[Count, Decimal]] = []
    low = high = weight = Decimal(0)
    migration = migrates_tables(deliverable, counts)
    for count, days in zip(counts, unit_days(counts, rates, kind, migration=migration), strict=True):
        rate = rates.rate(kind, count.kind, count.grade)
        parts.append((count, days))
        low += rate.optimistic * days
        high += rate.pessimistic * days
        weight += days
    text = reading_form(f"{deliverable.name}\n{deliverable.description}")
    own = itemised_topics([deliverable])
    findings = tuple(
        finding
        for finding in findings_for(profile, text, reading)
        if (finding.topic.key not in itemised or finding.topic.key in own)
        and not (finding.source == "deliverable" and finding.topic.key in GRADED_TOPICS)
        and not (migration and finding.topic.key == MIGRATION_TOPIC)
    )
    raw = sum((days for _, days in parts), Decimal(0))
    applied = tuple(finding for finding in findings if finding.source != "requirements" or finding.topic.scope)
    for finding in applied:
        raw *= finding.option.factor
    main = rates.rate(kind, counts[0].kind, counts[0].grade)
    optimistic = low / weight if weight else main.optimistic
    pessimistic = high / weight if weight else main.pessimistic
    widening = tuple(finding for finding in findings if finding not in applied)
    for finding in widening:
        excess = (finding.option.factor - 1) * 100
        if excess < 0:
            optimistic -= excess
        else:
            pessimistic += excess
    return Sized(
        days=max(raw, PERSON_DAY_QUANTUM),
        parts=tuple(parts),
        findings=applied,
        optimistic=min(max(optimistic, Decimal(0)), OPTIMISTIC_MAX * 100),
        pessimistic=pessimistic,
        widening=widening,
        answered=bool(given),
        migration=migration,
    )


def size_project(
    deliverables: Sequence[Deliverable], reading: Reading, rates: RateTable, kind: ProjectType
) -> list[EstimateLine]:
    """Every line of the list, then the lines the plan adds, each with phases, range and reasoning."""
    profiles = [classify(item) for item in deliverables]
    roles = plan_roles(deliverables)
    if is_assessment(deliverables, roles):
        return assessment_lines(deliverables, roles, reading)
    itemised = itemised_topics([item for item, role in zip(deliverables, roles, strict=True) if role is Role.BUILD])
    given: dict[int, list[Count]] = {}
    if reading.unit_counts:
        unstated = {
            i: read_units(item.name, item.description).main.kind
            for i, (item, role) in enumerate(zip(deliverables, roles, strict=True))
            if role is Role.BUILD and not states_a_size(item)
        }
        given = distribute_counts(reading.unit_counts, unstated) if unstated else {}
    sized = [
        size_feature(item, profile, reading, rates, kind, itemised, given.get(i, ())) if role is Role.BUILD else None
        for i, (item, profile, role) in enumerate(zip(deliverables, profiles, roles, strict=True))
    ]
    scope = system_days(deliverables, rates, kind) if is_engagement(roles) else None
    result = plan([s.days if s else None for s in sized], roles, rates.ratios(kind), system_days=scope)
    spread = _project_spread(sized)
    lines: list[EstimateLine] = []
    for planned in result.lines:
        size = None if planned.index is None else sized[planned.index]
        if size is None:
            lines.append(whole_project_line(planned, deliverables, roles, result.build_days, spread, reading, kind))
        else:
            item = deliverables[planned.index or 0]
            lines.append(_feature_line(item, profiles[planned.index or 0], planned, size, reading, kind))
    return lines


def plan_roles(deliverables: Sequence[Deliverable]) -> list[Role]:
    """Each line's role (`role_of`).

    A list with no line that builds is one of three things. A security assessment (`assessment`) keeps
    its roles and is sized by requests. When a line states the size of a system (「画面設計30画面」,
    "testing of 30 screens"), it is an engagement for those phases of that system: the phase lines keep
    their roles and `system_days` sizes them. When none does, it is a list of documents, each its own
    work: all BUILD, sized from their own units.
    """
    roles = [role_of(item) for item in deliverables]
    if Role.BUILD in roles or any(states_a_size(item) for item in deliverables) or is_assessment(deliverables, roles):
        return roles
    return [Role.BUILD] * len(roles)


ASSESSMENT_WHY = "sizing.assessment.why"
"""The sentence every line of an assessment ends with: why its phase mix is no IPA mix (the bench reads it)."""


def assessment_lines(
    deliverables: Sequence[Deliverable], roles: Sequence[Role], reading: Reading
) -> list[EstimateLine]:
    """A security assessment's lines: testing by the requests it covers, the rest as shares of it (`assessment`)."""
    lang = reading.lang
    lines = []
    for index, (item, assessed) in enumerate(zip(deliverables, assess(deliverables, roles), strict=True)):
        planned = PlannedLine(index, frozenset(), {assessed.phase: assessed.days})
        open_topics = _open_topics(classify(item).key, reading)
        reasoning = partial(_assessment_reasoning, item.name, assessed, widened=len(open_topics), lang=lang)
        lines.append(
            _line(planned, item.name, item.description, assessed.kind, assessment.SPREAD, open_topics, lang, reasoning)
        )
    return lines


def _assessment_reasoning(
    name: str, assessed: Assessed, days: Decimal, capped: bool, *, widened: int, lang: str
) -> str:
    number = partial(format_number, lang=lang)
    found = assessed.requests
    if found is None:
        share = assessment.SHARES[assessed.part] * 100
        text = t(
            "sizing.assessment.share",
            lang,
            name=name,
            part=t(f"sizing.assessment.part.{assessed.part.value}", lang),
            testing=number(assessed.testing_days),
            percent=number(share),
            days=number(days),
        )
    else:
        key = "stated" if found.stated else ("derived" if found.screens or found.endpoints else "assumed")
        text = t(
            f"sizing.assessment.testing_{key}",
            lang,
            name=name,
            requests=number(found.count),
            screens=number(found.screens),
            endpoints=number(found.endpoints),
            per_day=number(assessment.REQUESTS_PER_DAY),
            days=number(days),
        )
    return _closing([text, t(ASSESSMENT_WHY, lang)], capped, widened, lang)


def is_engagement(roles: Sequence[Role]) -> bool:
    """Whether the list holds only phases of a system it does not build (see `plan_roles`)."""
    return Role.BUILD not in roles


def system_counts(deliverables: Sequence[Deliverable]) -> tuple[Count, ...]:
    """The system an engagement's lines concern: each kind of unit once, at the largest count any line states.

    The lines describe one system from their phase's side (基本設計書 「30画面」, 結合テスト 「30画面」): adding
    their counts would size it twice."""
    largest: dict[UnitKind, Count] = {}
    for item in deliverables:
        for count in read_units(item.name, item.description).counts:
            known = largest.get(count.kind)
            if count.stated and count.kind in SIZE_KINDS and (known is None or count.quantity > known.quantity):
                largest[count.kind] = count
    return tuple(largest.values())


def system_days(deliverables: Sequence[Deliverable], rates: RateTable, kind: ProjectType) -> Decimal:
    """The build-side size of the system an engagement concerns, at the type's rates (both engines)."""
    counts = system_counts(deliverables)
    return max(sum(unit_days(counts, rates, kind), Decimal(0)), PERSON_DAY_QUANTUM)


def whole_project_line(
    planned: PlannedLine,
    deliverables: Sequence[Deliverable],
    roles: Sequence[Role],
    build_days: Decimal,
    spread: tuple[Decimal, Decimal],
    reading: Reading,
    kind: ProjectType,
) -> EstimateLine:
    """A line that carries whole-project duties: one of the list's phase lines, or one the plan added.

    Both engines build these the same way from the plan: the offline one from the table's build,
    the OpenAI one from the model's build of the feature lines."""
    system = _system_text(deliverables, reading.lang) if is_engagement(roles) else None
    if planned.index is None:
        return _added_line(planned, build_days, spread, reading, kind, system)
    item = deliverables[planned.index]
    return _phase_line(item, classify(item), planned, build_days, spread, reading, kind, roles, system)


def _system_text(deliverables: Sequence[Deliverable], lang: str) -> str:
    """The counts an engagement's system was sized from, as the lines wrote them: 「30画面」「5帳票」."""
    return t("offline.list_separator", lang).join(
        t("sizing.reasoning.quoted", lang, text=count.quoted) for count in system_counts(deliverables)
    )


def _project_spread(sized: Sequence[Sized | None]) -> tuple[Decimal, Decimal]:
    """The project's O/P percents: the feature lines' spreads weighted by their size."""
    features = [s for s in sized if s is not None]
    total = sum((s.days for s in features), Decimal(0))
    if not total:
        return Decimal(15), Decimal(40)
    return (
        sum((s.optimistic * s.days for s in features), Decimal(0)) / total,
        sum((s.pessimistic * s.days for s in features), Decimal(0)) / total,
    )


def _range(days: Decimal, optimistic: Decimal, pessimistic: Decimal, widened: int) -> tuple[Decimal, Decimal]:
    low = min(optimistic / 100 + OPTIMISTIC_PER_UNANSWERED * widened, OPTIMISTIC_MAX)
    high = pessimistic / 100 + PESSIMISTIC_PER_UNANSWERED * widened
    return round_person_days(days * (1 - low)), round_person_days(days * (1 + high))


def planned_phases(planned: PlannedLine) -> tuple[PhaseDays, Decimal, bool]:
    """The planned phases as PhaseDays, capped at the line maximum (then scaled down, phases kept in proportion)."""
    days = planned.days
    values = {phase.value: value for phase, value in planned.phases.items()}
    if days <= 0:
        return PhaseDays(**{"implementation": PERSON_DAY_QUANTUM}), PERSON_DAY_QUANTUM, False
    if days > MAX_LINE_PERSON_DAYS:
        return PhaseDays(**values).with_total(MAX_LINE_PERSON_DAYS), MAX_LINE_PERSON_DAYS, True
    return PhaseDays(**values), days, False


def _open_topics(profile_key: str, reading: Reading) -> list[str]:
    return [topic.key for topic in reading.unanswered if profile_key in topic.applies_to]


def _unanswered(topics: list[str], lang: str) -> list[str]:
    if not topics:
        return []
    names = t("offline.list_separator", lang).join(t(f"offline.topic.{key}", lang) for key in topics)
    return [t("offline.line.unanswered", lang, topics=names)]


def _feature_line(
    item: Deliverable, profile: Profile, planned: PlannedLine, size: Sized, reading: Reading, kind: ProjectType
) -> EstimateLine:
    lang = reading.lang
    open_topics = _open_topics(profile.key, reading)
    return _line(
        planned,
        item.name,
        item.description,
        profile.kind,
        (size.optimistic, size.pessimistic),
        open_topics,
        lang,
        lambda days, capped: _feature_reasoning(
            item.name, size, planned, days, capped, len(open_topics), lang, kind, reading.unit_counts_answer
        ),
        risks=[t(f"offline.risk.{f.topic.key}", lang) for f in size.findings if f.option.factor > 1],
    )


def _line(
    planned: PlannedLine,
    name: str,
    description: str,
    kind: DeliverableKind,
    spread: tuple[Decimal, Decimal],
    open_topics: list[str],
    lang: str,
    reasoning: Callable[[Decimal, bool], str],
    risks: list[str] | None = None,
) -> EstimateLine:
    """One estimate line from its planned phases: the range from `spread` (widened per open question),
    clamped around the most likely, and the reasoning written for the days and cap it ends with."""
    phases, days, capped = planned_phases(planned)
    optimistic, pessimistic = _range(days, *spread, len(open_topics))
    return EstimateLine(
        deliverable=name,
        description=description,
        kind=kind,
        phases=phases,
        optimistic=min(optimistic, days),
        pessimistic=max(pessimistic, days),
        reasoning=reasoning(days, capped),
        assumptions=_unanswered(open_topics, lang),
        risks=risks or [],
    )


def _closing(parts: list[str], capped: bool, widened: int, lang: str) -> str:
    """The reasoning's sentences, ending with the cap and the widened range when they apply."""
    if capped:
        parts.append(t("offline.reasoning.capped", lang, limit=format_number(MAX_LINE_PERSON_DAYS, lang)))
    if widened:
        parts.append(t("offline.reasoning.widened", lang, count=widened))
    return sentences(parts, lang)


def _feature_reasoning(
    name: str,
    size: Sized,
    planned: PlannedLine,
    days: Decimal,
    capped: bool,
    widened: int,
    lang: str,
    kind: ProjectType,
    counts_answer: str = "",
) -> str:
    number = partial(format_number, lang=lang)
    separator = t("sizing.reasoning.plus", lang)
    units = separator.join(
        t(
            _unit_key(count),
            lang,
            quoted=count.quoted,
            quantity=number(count.quantity),
            unit=t(f"sizing.unit.{count.kind.value}", lang),
            grade=t(f"sizing.grade.{count.grade.value}", lang),
            rate=number(days_part / rate_units(count) if rate_units(count) else days_part),
            units=number(rate_units(count)),
            days=number(days_part),
        )
        for count, days_part in size.parts
    )
    parts = [t("sizing.reasoning.units", lang, name=name, units=units, type=t(f"sizing.type.{kind.value}", lang))]
    if size.migration:
        parts.append(
            t(
                "sizing.reasoning.migration_line",
                lang,
                steps=MIGRATION_STEPS,
                type=t("sizing.type.migration_batch", lang),
            )
        )
    if size.answered:
        parts.append(t("sizing.reasoning.from_answer", lang, answer=counts_answer))
    if size.findings:
        factors = _findings_text(
            size.findings,
            "offline.reasoning.factor",
            lang,
            lambda f: {"factor": number(f.option.factor), "source": t(f"offline.source.{f.source}", lang)},
        )
        parts.append(t("sizing.reasoning.factors", lang, factors=factors))
    if size.widening:
        stated = _findings_text(
            size.widening,
            "sizing.reasoning.widening_factor",
            lang,
            lambda f: {
                "points": number(abs(f.option.factor - 1) * 100),
                "side": t("sizing.reasoning.side_" + ("high" if f.option.factor > 1 else "low"), lang),
            },
        )
        parts.append(t("sizing.reasoning.widening", lang, factors=stated))
    duties = _duty_names(planned.duties, lang)
    parts.append(t("sizing.reasoning.carries", lang, duties=duties, days=number(days)))
    return _closing(parts, capped, widened, lang)


def _findings_text(
    findings: Sequence[Finding], key: str, lang: str, values: Callable[[Finding], dict[str, str]]
) -> str:
    """Each finding as `key` words it (its topic and option, and the `values` of the sentence), in one list."""
    return t("offline.list_separator", lang).join(
        t(
            key,
            lang,
            topic=t(f"offline.topic.{f.topic.key}", lang),
            option=option_label(f.topic, f.option, lang),
            **values(f),
        )
        for f in findings
    )


def _phase_line(
    item: Deliverable,
    profile: Profile,
    planned: PlannedLine,
    build_days: Decimal,
    spread: tuple[Decimal, Decimal],
    reading: Reading,
    kind: ProjectType,
    roles: Sequence[Role],
    system: str | None,
) -> EstimateLine:
    lang = reading.lang
    open_topics = _open_topics(profile.key, reading)
    role = roles[planned.index or 0]
    sharing = sum(1 for other in roles if other is role)
    return _line(
        planned,
        item.name,
        item.description,
        profile.kind,
        spread,
        open_topics,
        lang,
        lambda days, capped: _phase_reasoning(
            item.name, planned, build_days, days, sharing, capped, len(open_topics), lang, kind, system
        ),
    )


def _phase_reasoning(
    name: str,
    planned: PlannedLine,
    build_days: Decimal,
    days: Decimal,
    sharing: int,
    capped: bool,
    widened: int,
    lang: str,
    kind: ProjectType,
    system: str | None,
) -> str:
    number = partial(format_number, lang=lang)
    duties = _duty_names(planned.duties, lang)
    parts = [
        t(
            "sizing.reasoning.phase" if system is None else "sizing.reasoning.phase_engagement",
            lang,
            name=name,
            duties=duties,
            build=number(build_days),
            type=t(f"sizing.type.{kind.value}", lang),
            days=number(days),
            system=system,
        )
    ]
    if sharing > 1:
        parts.append(t("sizing.reasoning.shared", lang, count=sharing))
    return _closing(parts, capped, widened, lang)


def _added_line(
    planned: PlannedLine,
    build_days: Decimal,
    spread: tuple[Decimal, Decimal],
    reading: Reading,
    kind: ProjectType,
    system: str | None,
) -> EstimateLine:
    lang = reading.lang
    key = "pm_docs" if {Duty.PM, Duty.DOCUMENTS} <= set(planned.added) else planned.added[0].value

    def reasoning(days: Decimal, _capped: bool) -> str:
        text = t(
            "sizing.reasoning.added" if system is None else "sizing.reasoning.added_engagement",
            lang,
            system=system,
            duties=_duty_names(frozenset(planned.added), lang),
            build=format_number(build_days, lang),
            type=t(f"sizing.type.{kind.value}", lang),
            days=format_number(days, lang),
        )
        return sentences([text], lang)

    return _line(
        planned,
        t(f"sizing.added.{key}", lang),
        t("sizing.added.description", lang),
        ADDED_KIND[planned.added[0]],
        spread,
        [topic.key for topic in reading.unanswered],
        lang,
        reasoning,
    )


def _unit_key(count: Count) -> str:
    """A counted unit's sentence: as quoted, assumed (no count written), or a data volume rated per million."""
    if count.kind is UnitKind.RECORDS:
        return "sizing.reasoning.unit_records" if count.stated else "sizing.reasoning.unit_records_assumed"
    return "sizing.reasoning.unit" if count.stated else "sizing.reasoning.unit_assumed"


def _duty_names(duties: frozenset[Duty], lang: str) -> str:
    """The duties a line carries, named in the plan's order."""
    return t("offline.list_separator", lang).join(
        t(f"sizing.duty.{duty.value}", lang) for duty in Duty if duty in duties
    )
