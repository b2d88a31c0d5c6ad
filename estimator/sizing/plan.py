"""Whole-project work derived once, from this project's own build effort; no phase counted twice.

The build-side lines (screens, interfaces, batches …) are sized from their counted units:
that is their 詳細設計 and 製作 (coding and unit test). The rest of the project — 要件定義,
基本設計, 結合テスト, 総合テスト, PM and documents — is not a property of any one feature,
so it is derived here as this project's phase ratios applied to its own build effort:

    total = build ÷ (share of 詳細設計 + 製作) and phase p = total × share of p.

Each phase is then carried by exactly one set of lines. When the list has its own lines for
a phase (要件定義書, 結合テスト, 操作マニュアル, プロジェクト管理 …) those lines carry it and
the feature lines carry only their own phases; when it has none, the plan adds a line for
it (`PlannedLine.added`). A list with a 詳細設計書 line takes the detailed design out of the
feature lines, and a 単体テスト line takes the unit-test part of 製作. So the project-level
mix equals the ratios, whatever the list looks like, and a phase is never counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from estimator.money import round_person_days
from estimator.schemas import PHASES, Phase

UNIT_TEST_SHARE_OF_IMPLEMENTATION = Decimal("0.30")
"""House assumption (as before): of IPA's 製作, 30 % is unit testing and 70 % coding."""

PM_SHARE_OF_PM_DOCS = Decimal("0.60")
"""House assumption: of the PM and documents share, 60 % is project management and 40 % documents
(manuals, operation guides). A PM line with no document line carries both (minutes and reports
are PM's own papers); a manual with no PM line carries only its documents, and the plan adds
the PM line: a runbook is not the project's management."""


class Role(StrEnum):
    """What a line of the list stands for in the plan."""

    BUILD = "build"  # a feature, sized from its units: its own 詳細設計 and 製作
    REQUIREMENTS = "requirements"  # 要件定義書
    BASIC_DESIGN = "basic_design"  # 基本設計書 / 外部設計書
    DETAILED_DESIGN = "detailed_design"  # 詳細設計書: the detailed design of every feature
    DESIGN = "design"  # 設計書 with no level: basic and detailed design
    UNIT_TEST = "unit_test"  # 単体テスト: the unit-test part of every feature's 製作
    INTEGRATION_TEST = "integration_test"  # 結合テスト
    SYSTEM_TEST = "system_test"  # 総合テスト / システムテスト / 受入
    TEST = "test"  # テスト with no level: integration and system test
    PM = "pm"  # プロジェクト管理
    DOCUMENTS = "documents"  # 操作マニュアル, 運用手順書 …


class Duty(StrEnum):
    """One piece of work of the project that exactly one set of lines carries."""

    REQUIREMENTS = "requirements"
    BASIC_DESIGN = "basic_design"
    DETAILED_DESIGN = "detailed_design"
    CODING = "coding"
    UNIT_TEST = "unit_test"
    INTEGRATION_TEST = "integration_test"
    SYSTEM_TEST = "system_test"
    PM = "pm"
    DOCUMENTS = "documents"


DUTY_PHASE: Mapping[Duty, Phase] = {
    Duty.REQUIREMENTS: Phase.REQUIREMENTS,
    Duty.BASIC_DESIGN: Phase.BASIC_DESIGN,
    Duty.DETAILED_DESIGN: Phase.DETAILED_DESIGN,
    Duty.CODING: Phase.IMPLEMENTATION,
    Duty.UNIT_TEST: Phase.IMPLEMENTATION,
    Duty.INTEGRATION_TEST: Phase.INTEGRATION_TEST,
    Duty.SYSTEM_TEST: Phase.SYSTEM_TEST,
    Duty.PM: Phase.PM_DOCS,
    Duty.DOCUMENTS: Phase.PM_DOCS,
}

ROLE_DUTIES: Mapping[Role, frozenset[Duty]] = {
    Role.REQUIREMENTS: frozenset({Duty.REQUIREMENTS}),
    Role.BASIC_DESIGN: frozenset({Duty.BASIC_DESIGN}),
    Role.DETAILED_DESIGN: frozenset({Duty.DETAILED_DESIGN}),
    Role.DESIGN: frozenset({Duty.BASIC_DESIGN, Duty.DETAILED_DESIGN}),
    Role.UNIT_TEST: frozenset({Duty.UNIT_TEST}),
    Role.INTEGRATION_TEST: frozenset({Duty.INTEGRATION_TEST}),
    Role.SYSTEM_TEST: frozenset({Duty.SYSTEM_TEST}),
    Role.TEST: frozenset({Duty.INTEGRATION_TEST, Duty.SYSTEM_TEST}),
    Role.PM: frozenset({Duty.PM}),
    Role.DOCUMENTS: frozenset({Duty.DOCUMENTS}),
}
"""The whole-project duties each phase line takes over; a build line carries what no line took."""

FEATURE_DUTIES = frozenset({Duty.DETAILED_DESIGN, Duty.CODING, Duty.UNIT_TEST})
PROJECT_DUTIES = (
    Duty.REQUIREMENTS,
    Duty.BASIC_DESIGN,
    Duty.INTEGRATION_TEST,
    Duty.SYSTEM_TEST,
    Duty.PM,
    Duty.DOCUMENTS,
)
"""Duties of the whole project, in the order added lines appear; feature duties fall to the feature lines."""


@dataclass(frozen=True)
class PlannedLine:
    """One line of the plan: a line of the list (`index`) or one the plan added (`added`), and its phases."""

    index: int | None
    duties: frozenset[Duty]
    phases: Mapping[Phase, Decimal]
    added: tuple[Duty, ...] = ()

    @property
    def days(self) -> Decimal:
        return sum(self.phases.values(), Decimal(0))


@dataclass(frozen=True)
class Plan:
    """The lines with their phases, the project total and the duties' sizes it came from."""

    lines: tuple[PlannedLine, ...]
    build_days: Decimal
    total_days: Decimal
    duty_days: Mapping[Duty, Decimal] = field(default_factory=dict)


def duty_sizes(build_days: Decimal, ratios: Mapping[Phase, Decimal]) -> dict[Duty, Decimal]:
    """Each duty's person-days for a project whose feature lines add up to `build_days` (unrounded).

    `ratios` are percent per phase; the build side is 詳細設計 + 製作, so the project total is
    build ÷ that share, and every other phase is its share of that total.
    """
    build_share = ratios.get(Phase.DETAILED_DESIGN, Decimal(0)) + ratios.get(Phase.IMPLEMENTATION, Decimal(0))
    if build_share <= 0:
        raise ValueError("the phase ratios give the build side (detailed design + implementation) no share")
    total = build_days * 100 / build_share
    implementation = total * ratios.get(Phase.IMPLEMENTATION, Decimal(0)) / 100
    pm_docs = total * ratios.get(Phase.PM_DOCS, Decimal(0)) / 100
    sizes = {duty: total * ratios.get(DUTY_PHASE[duty], Decimal(0)) / 100 for duty in Duty}
    sizes[Duty.UNIT_TEST] = implementation * UNIT_TEST_SHARE_OF_IMPLEMENTATION
    sizes[Duty.CODING] = implementation - sizes[Duty.UNIT_TEST]
    sizes[Duty.PM] = pm_docs * PM_SHARE_OF_PM_DOCS
    sizes[Duty.DOCUMENTS] = pm_docs - sizes[Duty.PM]
    return sizes


def plan(
    build: Sequence[Decimal | None],
    roles: Sequence[Role],
    ratios: Mapping[Phase, Decimal],
    *,
    system_days: Decimal | None = None,
) -> Plan:
    """The phases of every line of the list, and the lines to add, so every duty is carried exactly once.

    `build[i]` is line i's build-side size (its units × the rates) when `roles[i]` is BUILD,
    None for a phase line. Feature duties a phase line took (detailed design, unit test) leave
    the feature lines with the rest of their build size; a duty two lines share is split evenly.
    PM and documents: a PM line with no document line carries both; a document line never carries PM.

    `system_days` makes the plan an engagement for some phases of a system the list does not build
    (要件定義書 and 基本設計書 only, or third-party testing): the build-side size of that system, which
    the phase lines' shares come from. Only the phases the list names are work: no phase line is
    added but project management, which is scaled to the share of the project those phases are.
    """
    if len(build) != len(roles):
        raise ValueError("one build size (or None) per role")
    feature = [i for i, role in enumerate(roles) if role is Role.BUILD]
    build_days = sum((build[i] or Decimal(0) for i in feature), Decimal(0)) if system_days is None else system_days
    sizes = duty_sizes(build_days, ratios)
    carriers = _carriers(roles)
    if system_days is not None:
        sizes = _engagement_sizes(sizes, carriers)
    if Duty.PM in carriers and Duty.DOCUMENTS not in carriers:
        carriers[Duty.DOCUMENTS] = carriers[Duty.PM]
    per_line: dict[int, dict[Phase, Decimal]] = {i: {} for i in range(len(roles))}
    for duty, lines in carriers.items():
        for i in lines:
            _add(per_line[i], DUTY_PHASE[duty], sizes[duty] / len(lines))
    for i in feature:
        share = (build[i] or Decimal(0)) / build_days if build_days else Decimal(0)
        for duty in FEATURE_DUTIES - carriers.keys():
            _add(per_line[i], DUTY_PHASE[duty], sizes[duty] * share)
    planned = [PlannedLine(i, _duties_of(roles[i], carriers, i), _rounded(per_line[i])) for i in range(len(roles))]
    planned.extend(_added_lines(carriers, sizes))
    total = sum((line.days for line in planned), Decimal(0))
    return Plan(tuple(planned), build_days, total, sizes)


def _engagement_sizes(sizes: Mapping[Duty, Decimal], carriers: Mapping[Duty, list[int]]) -> dict[Duty, Decimal]:
    """The duties of an engagement: those its lines carry, and PM and documents at the share of the project
    those duties are (managing the requirements phase of a system is not managing its whole build)."""
    managed = (Duty.PM, Duty.DOCUMENTS)
    work = [duty for duty in Duty if duty not in managed]
    whole = sum((sizes[duty] for duty in work), Decimal(0))
    carried = sum((sizes[duty] for duty in work if duty in carriers), Decimal(0))
    share = carried / whole if whole else Decimal(0)
    return {
        duty: sizes[duty] * share if duty in managed else (sizes[duty] if duty in carriers else Decimal(0))
        for duty in Duty
    }


def _carriers(roles: Sequence[Role]) -> dict[Duty, list[int]]:
    """For each duty a phase line of the list takes over, the lines that carry it."""
    carriers: dict[Duty, list[int]] = {}
    for i, role in enumerate(roles):
        for duty in ROLE_DUTIES.get(role, frozenset()):
            carriers.setdefault(duty, []).append(i)
    return carriers


def _duties_of(role: Role, carriers: Mapping[Duty, list[int]], index: int) -> frozenset[Duty]:
    if role is Role.BUILD:
        return FEATURE_DUTIES - carriers.keys()
    return frozenset(duty for duty, lines in carriers.items() if index in lines)


def _added_lines(carriers: Mapping[Duty, list[int]], sizes: Mapping[Duty, Decimal]) -> list[PlannedLine]:
    """One line per whole-project duty the list has no line for; PM and documents share one line."""
    added: list[PlannedLine] = []
    missing = [duty for duty in PROJECT_DUTIES if duty not in carriers and sizes[duty] > 0]
    pm_docs = tuple(duty for duty in missing if duty in (Duty.PM, Duty.DOCUMENTS))
    for duty in missing:
        if duty in pm_docs and duty is not pm_docs[0]:
            continue
        duties = pm_docs if duty in pm_docs else (duty,)
        phases: dict[Phase, Decimal] = {}
        for each in duties:
            _add(phases, DUTY_PHASE[each], sizes[each])
        added.append(PlannedLine(None, frozenset(duties), _rounded(phases), added=duties))
    return added


def _add(phases: dict[Phase, Decimal], phase: Phase, days: Decimal) -> None:
    phases[phase] = phases.get(phase, Decimal(0)) + days


def _rounded(phases: Mapping[Phase, Decimal]) -> dict[Phase, Decimal]:
    """Hundredths per phase, in display order, dropping phases that round to nothing."""
    rounded = {phase: round_person_days(phases[phase]) for phase in PHASES if phase in phases}
    return {phase: days for phase, days in rounded.items() if days > 0}
