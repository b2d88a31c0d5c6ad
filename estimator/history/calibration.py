"""Calibration: factors learned from completed projects, applied to new estimates as their own visible step.

The method, stated (docs/calibration.md says the same):

- An observation is one completed project's lines of one deliverable kind: what they took
  over what the engine first generated for them *before* any calibration (a line's stored
  factor is divided out), so a factor learns the engine's error and never its own.
- A kind's factor is the **median** of those ratios (one wild project cannot move a median
  far), **shrunk toward 1** in log space (so ×2 and ×0.5 shrink alike) by the number of
  projects behind it and by how much they agree: with m the median log ratio and se its
  standard error (from the median absolute deviation), factor = exp(m · w) with
  w = n / (n + SHRINK_PROJECTS) · m² / (m² + se²); then **clamped** to FACTOR_BAND (0.5–2.0).
  Projects that agree on a clear bias move the factor almost all the way; a median that is
  within its own noise of 1 stays near 1, so an unbiased kind is not "corrected" by noise.
- It is used once MIN_PROJECTS completed projects have lines of that kind; below that it is
  shown as evidence, not applied. Where MIN_TYPE_PROJECTS projects of the new project's type
  have the kind (and the history holds other types too), the type's own factor is used instead.
- The same for phases, over lines booked by phase: a phase's ratio is its share of what the
  lines took over its share of the estimate, so a phase factor reshapes a line's split and
  leaves its total to the kind factor (one correction is never counted twice).
- When the history holds projects of more than one engine, a kind's factor is learned from
  the projects of the new estimate's engine once there are MIN_PROJECTS of them, otherwise
  from all projects; the factor records which.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from estimator.history.records import CompletedProject, LineActual, engine_family, matched
from estimator.i18n import t
from estimator.schemas import (
    FACTOR_QUANTUM,
    MAX_LINE_PERSON_DAYS,
    PHASES,
    Calibration,
    CalibrationFactor,
    DeliverableKind,
    EstimateLine,
    Phase,
)
from estimator.text import sentences

MIN_PROJECTS = 3
"""Completed projects with lines of a kind (or booked by phase) before its factor is applied."""
MIN_TYPE_PROJECTS = 5
"""Completed projects of one type with lines of a kind before that type's own factor replaces the kind's."""
SHRINK_PROJECTS = 2
"""k in n / (n + k): with 2 projects' worth of doubt, 3 projects move a factor 60 % of the way, 8 projects 80 %."""
RATIO_LIMITS = (0.05, 20.0)
"""A project's ratio is read within these before its logarithm is taken (a line booked at 0 days has no log)."""
MAD_TO_SIGMA = 1.4826
"""The median absolute deviation times this estimates σ for normally spread (log) ratios."""
MEDIAN_ERROR = 1.2533
"""A median's standard error is about this times σ / √n (√(π/2))."""
FACTOR_BAND = (Decimal("0.5"), Decimal("2.0"))
"""No factor goes below or above these: a history that says more is a reason to look, not to multiply."""
UNCALIBRATED_KINDS = frozenset({DeliverableKind.RISK_BUFFER})
"""A risk buffer is a share of the other lines; calibrating it would correct them twice."""


@dataclass(frozen=True)
class _Ratio:
    project_id: int
    ratio: float
    lines: int


def _clamped(value: float) -> float:
    low, high = (float(bound) for bound in FACTOR_BAND)
    return min(max(value, low), high)


def _factor(
    ratios: Sequence[_Ratio],
    *,
    kind: DeliverableKind | None = None,
    phase: Phase | None = None,
    project_type: str | None = None,
    engine: str | None = None,
    minimum: int = MIN_PROJECTS,
) -> CalibrationFactor:
    """The shrunk, clamped median of `ratios`, used once `minimum` projects stand behind it."""
    projects = len({ratio.project_id for ratio in ratios})
    logs = [math.log(min(max(ratio.ratio, RATIO_LIMITS[0]), RATIO_LIMITS[1])) for ratio in ratios]
    centre = median(logs)
    # The median's standard error from the median absolute deviation (both robust to a wild project).
    spread = MAD_TO_SIGMA * median(abs(value - centre) for value in logs)
    error = MEDIAN_ERROR * spread / math.sqrt(len(logs))
    agreement = centre**2 / (centre**2 + error**2) if centre else 0.0
    weight = projects / (projects + SHRINK_PROJECTS) * agreement
    shrunk = _clamped(math.exp(centre * weight))
    middle = math.exp(centre)
    return CalibrationFactor(
        kind=kind,
        phase=phase,
        project_type=project_type,
        engine=engine,
        factor=Decimal(str(shrunk)).quantize(FACTOR_QUANTUM),
        median_ratio=Decimal(str(middle)).quantize(FACTOR_QUANTUM),
        projects=projects,
        lines=sum(ratio.lines for ratio in ratios),
        used=projects >= minimum,
    )


def _raw(line: EstimateLine, calibration: dict[Phase, Decimal]) -> tuple[Decimal, dict[Phase, Decimal]]:
    """A generated line's days before calibration: its factor divided out, its phase reshaping undone."""
    total = line.person_days / line.calibration
    weighted = {phase: line.phases.get(phase) / calibration.get(phase, Decimal(1)) for phase in PHASES}
    scale = sum(weighted.values(), Decimal(0))
    return total, {phase: total * days / scale if scale else Decimal(0) for phase, days in weighted.items()}


@dataclass(frozen=True)
class _Booked:
    """A generated line with actuals, as the engine sized it before calibration, and what it took."""

    kind: DeliverableKind
    total: Decimal
    split: dict[Phase, Decimal]
    actual: LineActual


def _booked(record: CompletedProject) -> list[_Booked]:
    """The record's generated lines that have actuals and take a factor, each with its calibration undone."""
    weights = _phase_weights(record.generated_calibration.applied)
    return [
        _Booked(line.kind, *_raw(line, weights), actual)
        for line, actual in matched(record.generated, record.line_actuals())
        if line.kind not in UNCALIBRATED_KINDS
    ]


def _kind_ratios(project_id: int, booked: Sequence[_Booked]) -> dict[DeliverableKind, _Ratio]:
    estimate: dict[DeliverableKind, Decimal] = defaultdict(Decimal)
    took: dict[DeliverableKind, Decimal] = defaultdict(Decimal)
    lines: dict[DeliverableKind, int] = defaultdict(int)
    for line in booked:
        estimate[line.kind] += line.total
        took[line.kind] += line.actual.total
        lines[line.kind] += 1
    return {
        kind: _Ratio(project_id, float(took[kind] / estimate[kind]), lines[kind])
        for kind in estimate
        if estimate[kind] > 0
    }


def _phase_ratios(project_id: int, booked: Sequence[_Booked]) -> dict[Phase, _Ratio]:
    planned: dict[Phase, Decimal] = defaultdict(Decimal)
    took: dict[Phase, Decimal] = defaultdict(Decimal)
    lines: dict[Phase, int] = defaultdict(int)
    for line in booked:
        phases = line.actual.phases
        if phases is None:
            continue
        for phase in PHASES:
            planned[phase] += line.split[phase]
            took[phase] += phases.get(phase, Decimal(0))
            if line.split[phase] or phases.get(phase):
                lines[phase] += 1
    planned_total = sum(planned.values(), Decimal(0))
    took_total = sum(took.values(), Decimal(0))
    if not planned_total or not took_total:
        return {}
    return {
        phase: _Ratio(project_id, float((took[phase] / took_total) / (planned[phase] / planned_total)), lines[phase])
        for phase in PHASES
        if planned[phase] > 0
    }


def _phase_weights(factors: Sequence[CalibrationFactor]) -> dict[Phase, Decimal]:
    return {factor.phase: factor.factor for factor in factors if factor.phase is not None and factor.kind is None}


def learn(
    records: Sequence[CompletedProject], *, engine: str, project_type: str | None = None, exclude: int | None = None
) -> Calibration:
    """The factors `records` teach an estimate by `engine` (of `project_type`, when known), with their evidence.

    `exclude` leaves out a project (the one being estimated again). Kinds below MIN_PROJECTS
    are returned unused, so the analyst sees how close a factor is to applying.
    """
    family = engine_family(engine)
    kept = [record for record in records if record.project_id != exclude]
    by_kind: dict[DeliverableKind, list[tuple[CompletedProject, _Ratio]]] = defaultdict(list)
    by_phase: dict[Phase, list[_Ratio]] = defaultdict(list)
    learned_from = 0
    for record in kept:
        booked = _booked(record)
        kinds = _kind_ratios(record.project_id, booked)
        learned_from += bool(kinds)
        for kind, ratio in kinds.items():
            by_kind[kind].append((record, ratio))
        for phase, ratio in _phase_ratios(record.project_id, booked).items():
            by_phase[phase].append(ratio)
    mixed = len({record.family for record in kept}) > 1
    factors: list[CalibrationFactor] = []
    for kind in DeliverableKind:
        found = by_kind.get(kind)
        if not found:
            continue
        own = [(record, ratio) for record, ratio in found if record.family == family]
        scope = family if mixed and len(own) >= MIN_PROJECTS else None
        pool = own if scope is not None else found
        factors.append(_factor([ratio for _record, ratio in pool], kind=kind, engine=scope))
        # A type's own factor only where the pool holds other types too: otherwise it is the kind's, twice.
        typed = [ratio for record, ratio in pool if project_type and record.project_type == project_type]
        if len(typed) >= MIN_TYPE_PROJECTS and len(typed) < len(pool):
            factors.append(
                _factor(typed, kind=kind, project_type=project_type, engine=scope, minimum=MIN_TYPE_PROJECTS)
            )
    for phase in PHASES:
        if by_phase.get(phase):
            factors.append(_factor(by_phase[phase], phase=phase))
    return Calibration(enabled=True, completed=learned_from, factors=tuple(factors))


def kind_factor(calibration: Calibration, kind: DeliverableKind, project_type: str | None) -> CalibrationFactor | None:
    """The factor a line of `kind` takes: its type's own when there is one, else the kind's; None: none applies."""
    if kind in UNCALIBRATED_KINDS:
        return None
    candidates = [f for f in calibration.applied if f.kind == kind and f.phase is None]
    typed = [f for f in candidates if f.project_type is not None and f.project_type == project_type]
    general = [f for f in candidates if f.project_type is None]
    chosen = typed or general
    return chosen[0] if chosen else None


def calibrated(
    lines: Sequence[EstimateLine], calibration: Calibration, *, project_type: str | None, lang: str
) -> list[EstimateLine]:
    """`lines` with the factors applied, each saying so in its reasoning; a line no factor concerns is unchanged."""
    weights = {phase: weight for phase, weight in _phase_weights(calibration.applied).items() if weight != 1}
    phase_evidence = max((f.projects for f in calibration.applied if f.phase is not None), default=0)
    result = []
    for line in lines:
        factor = kind_factor(calibration, line.kind, project_type)
        multiplier = factor.factor if factor is not None else Decimal(1)
        reshape = weights if line.kind not in UNCALIBRATED_KINDS and line.person_days > 0 else {}
        if multiplier == 1 and not reshape:
            result.append(line)
            continue
        notes = [line.reasoning] if line.reasoning else []
        changed = line
        if multiplier != 1 and factor is not None:
            target = line.person_days * multiplier
            changed = (
                line.rescaled(multiplier)
                if target <= MAX_LINE_PERSON_DAYS
                else line.with_person_days(MAX_LINE_PERSON_DAYS)
            )
            # A line the cap stopped records the factor it really took, so dividing it out gives the line back.
            multiplier = (changed.person_days / line.person_days).quantize(FACTOR_QUANTUM)
            notes.append(_kind_note(factor, lang))
        if reshape:
            changed = changed.model_copy(update={"phases": changed.phases.reshaped(reshape)})
            notes.append(_phase_note(reshape, phase_evidence, lang))
        result.append(changed.model_copy(update={"reasoning": sentences(notes, lang), "calibration": multiplier}))
    return result


def _kind_note(factor: CalibrationFactor, lang: str) -> str:
    kind = t(f"kind.{factor.kind}", lang)
    values: dict[str, object] = {"factor": str(factor.factor), "kind": kind, "count": factor.projects}
    if factor.project_type is not None:
        key = "calibration.reasoning.typed"
        values["project_type"] = t(f"sizing.type.{factor.project_type}", lang)
    elif factor.engine is not None:
        key = "calibration.reasoning.engine"
        values["engine"] = t(f"calibration.engine.{factor.engine}", lang)
    else:
        key = "calibration.reasoning.kind"
    return t(key, lang, **values)


def _phase_note(weights: dict[Phase, Decimal], projects: int, lang: str) -> str:
    parts = [
        t("calibration.reasoning.phase_factor", lang, phase=t(f"phase.{phase}", lang), factor=str(weight))
        for phase, weight in weights.items()
    ]
    return t(
        "calibration.reasoning.phases",
        lang,
        factors=t("calibration.reasoning.separator", lang).join(parts),
        count=projects,
    )


def without_calibration(lines: Sequence[EstimateLine]) -> list[EstimateLine]:
    """The lines with each one's kind factor divided out: the estimate the page shows beside the calibrated one."""
    return [
        line if line.calibration == 1 else line.rescaled(1 / line.calibration).model_copy(update={"calibration": 1})
        for line in lines
    ]
