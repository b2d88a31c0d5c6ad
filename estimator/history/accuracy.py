"""Accuracy measured the way the field measures it: MRE, MdMRE, Pred(25) and the median bias.

An observation is one project's estimate against its actuals, over the baseline lines that
have actuals (a line nobody booked to is not known to have taken nothing). By kind, by phase
and by type, an observation is one project's lines of that kind (phase, type) added up, so
a project with forty screens counts once beside a project with four: the measures speak of
projects, as the firm's next estimate is one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from estimator.history.records import CompletedProject, LineActual, matched
from estimator.schemas import (
    PHASES,
    AccuracyReport,
    EstimateLine,
    LineAccuracy,
    Measures,
    ProjectAccuracy,
    name_key,
)

PRED_LEVEL = 0.25
"""Pred(25): the share of estimates within 25 % of what the work took."""


@dataclass(frozen=True)
class Observation:
    project_id: int
    estimate: Decimal
    actual: Decimal
    lines: int

    @property
    def mre(self) -> float:
        if self.actual == 0:
            return 1.0
        return float(abs(self.actual - self.estimate) / self.actual)

    @property
    def ratio(self) -> float:
        return float(self.actual / self.estimate)


def measures(observations: Sequence[Observation]) -> Measures:
    """MdMRE, Pred(25) and the median bias of `observations` (None for each when there are none)."""
    kept = [obs for obs in observations if obs.estimate > 0]
    if not kept:
        return Measures(0, 0, 0, None, None, None)
    errors = [obs.mre for obs in kept]
    return Measures(
        observations=len(kept),
        projects=len({obs.project_id for obs in kept}),
        lines=sum(obs.lines for obs in kept),
        mdmre=median(errors),
        pred25=sum(error <= PRED_LEVEL for error in errors) / len(errors),
        bias=median(obs.ratio for obs in kept) - 1,
    )


def project_accuracy(record: CompletedProject) -> ProjectAccuracy | None:
    """The project's estimate, as submitted and as first generated, against its actuals; None without actuals."""
    actuals = record.line_actuals()
    pairs = matched(record.submitted, actuals)
    if not pairs:
        return None
    generated = {name_key(line.deliverable): line for line in record.generated}
    first = sum(
        (generated.get(name_key(line.deliverable), line).person_days for line, _actual in pairs),
        Decimal(0),
    )
    return ProjectAccuracy(
        project_id=record.project_id,
        title=record.title,
        quote_number=record.quote_number,
        project_type=record.project_type,
        engine=record.engine,
        done_at=record.done_at,
        version=record.version,
        estimate=sum((line.person_days for line, _actual in pairs), Decimal(0)),
        first_estimate=first,
        actual=sum((actual.total for _line, actual in pairs), Decimal(0)),
        change_requests=record.change_request_days,
        lines=tuple(
            LineAccuracy(line.deliverable, line.kind, line.person_days, actual.total, line.calibration)
            for line, actual in pairs
        ),
    )


def _by_kind(project: ProjectAccuracy) -> dict[str, Observation]:
    return {
        kind.value: Observation(project.project_id, estimate, actual, lines)
        for kind, (estimate, actual, lines) in project.by_kind().items()
    }


def _by_phase(record: CompletedProject, pairs: Iterable[tuple[EstimateLine, LineActual]]) -> dict[str, Observation]:
    """Per phase, over the lines whose actuals were booked by phase."""
    estimate: dict[str, Decimal] = defaultdict(Decimal)
    actual: dict[str, Decimal] = defaultdict(Decimal)
    lines: dict[str, int] = defaultdict(int)
    for line, booked in pairs:
        if booked.phases is None:
            continue
        for phase in PHASES:
            planned = line.phases.get(phase)
            took = booked.phases.get(phase, Decimal(0))
            if planned or took:
                estimate[phase.value] += planned
                actual[phase.value] += took
                lines[phase.value] += 1
    return {phase: Observation(record.project_id, estimate[phase], actual[phase], lines[phase]) for phase in estimate}


def _measured(groups: dict[str, list[Observation]]) -> dict[str, Measures]:
    return {group: measures(observations) for group, observations in sorted(groups.items())}


def accuracy_report(records: Sequence[CompletedProject]) -> AccuracyReport:
    """Every completed project with actuals, oldest finished first, and the measures across them."""
    projects: list[ProjectAccuracy] = []
    overall: list[Observation] = []
    first: list[Observation] = []
    by_kind: dict[str, list[Observation]] = defaultdict(list)
    by_phase: dict[str, list[Observation]] = defaultdict(list)
    by_type: dict[str, list[Observation]] = defaultdict(list)
    for record in records:
        project = project_accuracy(record)
        if project is None:
            continue
        projects.append(project)
        count = len(project.lines)
        overall.append(Observation(record.project_id, project.estimate, project.actual, count))
        first.append(Observation(record.project_id, project.first_estimate, project.actual, count))
        if record.project_type:
            by_type[record.project_type].append(overall[-1])
        for group, observation in _by_kind(project).items():
            by_kind[group].append(observation)
        for group, observation in _by_phase(record, matched(record.submitted, record.line_actuals())).items():
            by_phase[group].append(observation)
    projects.sort(key=lambda p: (p.done_at is None, p.done_at, p.project_id))
    return AccuracyReport(
        projects=tuple(projects),
        overall=measures(overall),
        first_generated=measures(first),
        by_kind=_measured(by_kind),
        by_phase=_measured(by_phase),
        by_type=_measured(by_type),
    )
