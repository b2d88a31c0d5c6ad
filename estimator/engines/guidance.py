"""The firm's sizing as guidance for a model: counted units × the rate table, and when a line is far off it.

The OpenAI engine gets the same footing as the offline one (`project_sizing`): each feature
line's counted units (`sizing.units`) and the table's build-side person-days for them
(`project_sizing.unit_days`, 詳細設計 + 製作 only), and the project's type. A line that stands
for a whole-project phase (要件定義書, 結合テスト …) is planned by code, not asked of the model;
its guide holds the person-days the plan derives for it from the table's build (`sizing.plan`).
The model proposes; this module only says how far a returned line is from the table
(`outlier`, more than `OUTLIER_FACTOR` times or less than its inverse) and words the flag
(`flag_outlier`), never changing a number. Pure: no I/O, no model, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from estimator.engines.project_sizing import migrates_tables, rate_units, unit_days
from estimator.engines.reading import role_of
from estimator.i18n import format_number, t
from estimator.money import round_person_days
from estimator.schemas import Deliverable, EstimateLine, Phase, ProjectBrief
from estimator.sizing.guide import SizingGuide
from estimator.sizing.kinds import ProjectType, UnitKind
from estimator.sizing.plan import ROLE_DUTIES, Duty, Role, plan
from estimator.sizing.project_type import detect_project_type
from estimator.sizing.rates import RateTable
from estimator.sizing.units import Count, read_units
from estimator.text import sentences

OUTLIER_FACTOR = Decimal(3)
"""A model line more than this many times the table's figure, or less than its inverse, is flagged."""

BUILD_PHASES = (Phase.DETAILED_DESIGN, Phase.IMPLEMENTATION)
"""The phases a rate covers: a model line's build side is their sum."""

_SENTENCE_END = ("。", ".", "!", "?", "！", "？", ")", "）", "」")
_FULL_STOP = {"ja": "。", "en": "."}


@dataclass(frozen=True)
class UnitFigure:
    """One count of a line and what the table says it costs on the build side."""

    count: Count
    rate: Decimal  # build-side person-days per rate unit, for the project's type
    units: Decimal  # rate units of the count (`project_sizing.rate_units`)
    capped: Decimal | None = (
        None  # the figure when it is not rate × units: a capped device or language, a migration table (`unit_days`)
    )

    @property
    def days(self) -> Decimal:
        return self.rate * self.units if self.capped is None else self.capped


@dataclass(frozen=True)
class LineGuide:
    """What the table says about one deliverable.

    A feature line (role BUILD) has its counts and `table_days`, their build-side sum. A phase
    line has no units: it carries whole-project duties, and `phase_days` is what the plan derives
    for them from the project's build (None until `project_guidance` knows the whole list, and when
    the list has no feature line to derive them from).
    """

    deliverable: str
    role: Role
    units: tuple[UnitFigure, ...] = ()
    duties: tuple[Duty, ...] = ()
    phase_days: Decimal | None = None

    @property
    def is_feature(self) -> bool:
        return self.role is Role.BUILD

    @property
    def table_days(self) -> Decimal | None:
        """The table's build-side person-days for the counted units; None for a phase line."""
        if not self.is_feature:
            return None
        return sum((unit.days for unit in self.units), Decimal(0))


@dataclass(frozen=True)
class ProjectGuide:
    """The type used (chosen by the analyst, or detected from `cues`), its phase ratios, and each line's guide."""

    project_type: ProjectType
    chosen: bool
    cues: tuple[str, ...]
    ratios: Mapping[Phase, Decimal]
    lines: tuple[LineGuide, ...]

    @property
    def build_days(self) -> Decimal:
        """Σ of the feature lines' table figures: the project's build side, as the table sizes it."""
        return sum((line.table_days or Decimal(0) for line in self.lines), Decimal(0))

    @property
    def held(self) -> tuple[Duty, ...]:
        """Whole-project duties some line of the list carries on its own, in the plan's order."""
        taken = {duty for line in self.lines if not line.is_feature for duty in line.duties}
        return tuple(duty for duty in Duty if duty in taken)


@dataclass(frozen=True)
class Outlier:
    """A model line's build side against the table's figure for its units."""

    model_days: Decimal
    table_days: Decimal

    @property
    def ratio(self) -> Decimal:
        return self.model_days / self.table_days


def line_guidance(deliverable: Deliverable, rates: RateTable, project_type: ProjectType) -> LineGuide:
    """The counts read from the line and the table's build-side figure for them; a phase line gets none."""
    role = role_of(deliverable)
    if role is not Role.BUILD:
        duties = tuple(duty for duty in Duty if duty in ROLE_DUTIES.get(role, frozenset()))
        return LineGuide(deliverable.name, role, duties=duties)
    counts = read_units(deliverable.name, deliverable.description).counts
    migration = migrates_tables(deliverable, counts)
    units = []
    for count, days in zip(counts, unit_days(counts, rates, project_type, migration=migration), strict=True):
        rate, quantity = rates.rate(project_type, count.kind, count.grade).days, rate_units(count)
        units.append(UnitFigure(count, rate, quantity, None if days == rate * quantity else days))
    return LineGuide(deliverable.name, role, tuple(units))


def project_guidance(brief: ProjectBrief, guide: SizingGuide) -> ProjectGuide:
    """Every line's guide for the type the analyst chose, or the one detected from the list.

    Phase lines get the person-days the plan derives for their duties from the feature lines'
    table figures, as the offline engine sizes them. A list with no feature line gives no
    figure at all: the offline engine then sizes each document as its own build work, but a
    model rightly puts a 要件定義書 into 要件定義, so a build-side figure would only flag it.
    """
    detected = detect_project_type([(d.name, d.description) for d in brief.deliverables], brief.requirements)
    chosen = guide.project_type is not None
    kind = guide.project_type or detected.project_type
    lines = [line_guidance(item, guide.rates, kind) for item in brief.deliverables]
    ratios = guide.rates.ratios(kind)
    return ProjectGuide(
        project_type=kind,
        chosen=chosen,
        cues=() if chosen else detected.cues,
        ratios=ratios,
        lines=tuple(_with_phase_days(lines, ratios)),
    )


def _with_phase_days(lines: Sequence[LineGuide], ratios: Mapping[Phase, Decimal]) -> list[LineGuide]:
    """Phase lines with the duties the plan gives them and its person-days for those, when there is a build
    to derive them from; as they were when there is none or the ratios give the build side no share."""
    try:
        planned = plan([line.table_days for line in lines], [line.role for line in lines], ratios)
    except ValueError:
        return list(lines)
    if planned.build_days <= 0:
        return list(lines)
    result = list(lines)
    for each in planned.lines:
        if each.index is None or lines[each.index].is_feature:
            continue
        duties = tuple(duty for duty in Duty if duty in each.duties)
        result[each.index] = replace(lines[each.index], duties=duties, phase_days=each.days)
    return result


def build_days(line: EstimateLine) -> Decimal:
    """A line's build side: its detailed design and implementation, the phases a rate covers."""
    return sum((line.phases.get(phase) for phase in BUILD_PHASES), Decimal(0))


def outlier(line: EstimateLine, guide: LineGuide, model_days: Decimal | None = None) -> Outlier | None:
    """The line against the table when its build side is beyond ×3 or below ⅓ of a positive figure; else None.

    `model_days` is the build the model gave the line, when the plan has since moved some of it to a
    phase line (a 詳細設計書); by default the line's own detailed design and implementation."""
    table = guide.table_days
    if table is None or table <= 0:
        return None
    model = build_days(line) if model_days is None else model_days
    if model > table * OUTLIER_FACTOR or model * OUTLIER_FACTOR < table:
        return Outlier(model, table)
    return None


def flag_outlier(line: EstimateLine, guide: LineGuide, lang: str, model_days: Decimal | None = None) -> EstimateLine:
    """The line with a sentence on its reasoning and risks when it is an outlier; its numbers never change."""
    found = outlier(line, guide, model_days)
    if found is None:
        return line
    number = partial(format_number, lang=lang)
    flag = t(
        "sizing.guide.outlier",
        lang,
        units=units_text(guide, lang),
        table=number(round_person_days(found.table_days)),
        model=number(round_person_days(found.model_days)),
        ratio=number(found.ratio),
    )
    reasoning = line.reasoning.strip()
    if reasoning and not reasoning.endswith(_SENTENCE_END):
        reasoning += _FULL_STOP[lang]
    return line.model_copy(
        update={
            "reasoning": sentences([reasoning, flag], lang) if reasoning else flag,
            "risks": [*line.risks, flag],
        }
    )


def units_text(guide: LineGuide, lang: str) -> str:
    """The line's counts as the flag names them: 「画面×5（普通）＋連携IF×2（複雑）」, "screen × 5 (normal) + …"."""
    return t("sizing.reasoning.plus", lang).join(_unit_text(unit.count, lang) for unit in guide.units)


def _unit_text(count: Count, lang: str) -> str:
    grade = t(f"sizing.grade.{count.grade.value}", lang)
    if count.kind is UnitKind.RECORDS:
        if not count.stated:
            return t("sizing.guide.unit_records_assumed", lang, grade=grade)
        return t("sizing.guide.unit_records", lang, quantity=format_number(count.quantity, lang), grade=grade)
    unit = t(f"sizing.unit.{count.kind.value}", lang)
    return t("sizing.guide.unit", lang, unit=unit, quantity=format_number(count.quantity, lang), grade=grade)
