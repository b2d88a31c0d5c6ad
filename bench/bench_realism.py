"""Realism: the offline engine against an expert's ranges, the IPA phase mix and stated rank orders.

Every project of `bench/realism/projects/` goes through the real Workflow with the offline
engine on a temporary SQLite database (no model, no key): create, save the deliverables and
requirements, generate the questions, save the project's answers, generate the estimate.
For each project it reports the total against the expected range (inside / below / above,
and the ratio to the range's geometric middle), the project-level phase mix (Σ per phase /
total) and, of the six IPA phases renormalised to 100 % without pm_docs, the largest
deviation from IPA's ratios in points (pass ≤ 5), and each rank check. It measures: a
project out of its range never fails the run.

Usage: `.venv/bin/python -m bench.bench_realism [ID …]` prints the tables;
`.venv/bin/python -m bench.run` includes them in bench/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.realism import RankCheck, RealismProject, load, problems
from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.engines.project_sizing import ASSESSMENT_WHY
from estimator.i18n import t
from estimator.schemas import PHASES, Deliverable, Phase, PhaseDays, ProjectSettings
from estimator.sizing.rates import IPA_NEW_DEVELOPMENT
from estimator.workflow import Workflow, open_workflow

IPA_PHASE_RATIOS = IPA_NEW_DEVELOPMENT
"""The yardstick: IPA's published new-development ratios, not the tunable shipped table."""
PHASE_TOLERANCE = Decimal(5)
"""Points of the six-phase mix any phase may stray from IPA's ratio and still pass."""
IPA_PHASES: tuple[Phase, ...] = tuple(IPA_PHASE_RATIOS)
USER = "bench"


@dataclass(frozen=True)
class RankResult:
    check: RankCheck
    larger_days: Decimal | None
    smaller_days: Decimal | None

    @property
    def ok(self) -> bool:
        if self.larger_days is None or self.smaller_days is None:
            return False
        return self.larger_days >= self.check.factor * self.smaller_days


@dataclass(frozen=True)
class ProjectReport:
    project: RealismProject
    total: Decimal
    lines: dict[str, PhaseDays]
    answers_used: tuple[str, ...]
    """The keys of the project's answers the engine asked about (an answer to a question not asked is not seen)."""
    reasonings: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        expected = self.project.expected
        if self.total < expected.low:
            return "below"
        if self.total > expected.high:
            return "above"
        return "inside"

    @property
    def inside(self) -> bool:
        return self.verdict == "inside"

    @property
    def ratio(self) -> Decimal:
        """Total / the geometric middle of the expected range."""
        return self.total / self.project.expected.middle

    def phase_days(self) -> dict[Phase, Decimal]:
        return {phase: sum((days.get(phase) for days in self.lines.values()), Decimal(0)) for phase in PHASES}

    def phase_mix(self) -> dict[Phase, Decimal]:
        """Σ per phase / total, in percent, all seven phases."""
        days = self.phase_days()
        total = sum(days.values(), Decimal(0))
        return {phase: (100 * value / total if total else Decimal(0)) for phase, value in days.items()}

    def ipa_mix(self) -> dict[Phase, Decimal] | None:
        """The six IPA phases renormalised to 100 % (pm_docs left out); None when they hold no days."""
        days = self.phase_days()
        six = sum((days[phase] for phase in IPA_PHASES), Decimal(0))
        if not six:
            return None
        return {phase: 100 * days[phase] / six for phase in IPA_PHASES}

    @property
    def max_phase_deviation(self) -> Decimal:
        """The largest |engine − IPA| of the six phases in points; 100 when the six phases are empty."""
        mix = self.ipa_mix()
        if mix is None:
            return Decimal(100)
        return max(abs(mix[phase] - IPA_PHASE_RATIOS[phase]) for phase in IPA_PHASES)

    @property
    def phase_ok(self) -> bool:
        """Within ±PHASE_TOLERANCE of IPA, or an estimate whose every line says why IPA's mix is no yardstick."""
        return self.max_phase_deviation <= PHASE_TOLERANCE or self.phases_explained

    @property
    def phases_explained(self) -> bool:
        """Whether every line states why the project has no IPA phase mix (a vulnerability assessment is a service
        sized by requests): the issue's "within ±5 points of IPA, or states why not"."""
        why = t(ASSESSMENT_WHY, self.project.language)
        return bool(self.reasonings) and all(why in text for text in self.reasonings)

    @property
    def ranks(self) -> list[RankResult]:
        totals = {name: days.total for name, days in self.lines.items()}
        return [RankResult(c, totals.get(c.larger), totals.get(c.smaller)) for c in self.project.rank_checks]

    @property
    def ranks_passed(self) -> int:
        return sum(result.ok for result in self.ranks)


def _offline_workflow(folder: Path) -> Workflow:
    """The workflow over a fresh SQLite database in `folder`, with the offline engine and no model key."""
    settings = load_settings(data_dir=folder, database_url=f"sqlite:///{folder / 'realism.db'}", openai_api_key="")
    return open_workflow(settings, engine=OfflineEngine())


def walk(flow: Workflow, project: RealismProject, client: str = "realism") -> tuple[int, tuple[str, ...]]:
    """One project through the whole flow, as a user would take it: create, save the list and requirements,
    generate the questions, save the project's answers, generate the estimate. Returns the project id and
    the keys of the answers the engine asked for (the calibration bench walks its firm the same way)."""
    defaults = flow.project_defaults(project.language)
    created = flow.create_project(
        ProjectSettings(
            title=project.title,
            client=client,
            language=project.language,
            currency=defaults.currency,
            unit_cost=defaults.unit_cost,
            tax_rate=defaults.tax_rate,
            rounding=defaults.rounding,
        ),
        user=USER,
    )
    saved = flow.save_deliverables(
        created.id,
        [Deliverable(name=item.name, description=item.description) for item in project.deliverables],
        requirements=project.requirements,
        expected_row_version=created.row_version,
    )
    asked = flow.generate_questions(saved.id, expected_row_version=saved.row_version, user=USER)
    asked_keys = {qa.key for qa in asked.qa_pairs}
    used = tuple(key for key in project.answers if key in asked_keys)
    if project.answers:
        flow.save_answers(asked.id, dict(project.answers), expected_row_version=asked.row_version)
    flow.generate_estimate(asked.id, expected_row_version=None, user=USER)
    return asked.id, used


def estimate(flow: Workflow, project: RealismProject) -> ProjectReport:
    """One project through the whole flow, and what its estimate says."""
    project_id, used = walk(flow, project)
    priced = flow.priced(project_id)
    return ProjectReport(
        project=project,
        total=priced.person_days,
        lines={item.line.deliverable: item.line.phases for item in priced.lines},
        answers_used=used,
        reasonings=tuple(item.line.reasoning for item in priced.lines),
    )


def run_projects(projects: list[RealismProject], folder: Path | None = None) -> list[ProjectReport]:
    """Every project on one temporary database (in `folder` when given, else a temporary folder)."""
    if folder is not None:
        flow = _offline_workflow(folder)
        return [estimate(flow, project) for project in projects]
    with tempfile.TemporaryDirectory() as scratch:
        flow = _offline_workflow(Path(scratch))
        return [estimate(flow, project) for project in projects]


# Reporting


def _days(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')):,}"


def _points(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def _ratio(value: Decimal) -> str:
    return f"×{value.quantize(Decimal('0.01'))}"


def _geometric_mean(values: list[Decimal]) -> Decimal:
    return Decimal(str(statistics.geometric_mean(float(value) for value in values))) if values else Decimal(0)


@dataclass(frozen=True)
class Summary:
    projects: int
    inside: int
    below: int
    above: int
    phase_ok: int
    ranks: int
    ranks_passed: int
    ratio_geomean: Decimal
    worst_below: ProjectReport | None
    worst_above: ProjectReport | None


def summarise(reports: list[ProjectReport]) -> Summary:
    below = [r for r in reports if r.verdict == "below"]
    above = [r for r in reports if r.verdict == "above"]
    return Summary(
        projects=len(reports),
        inside=sum(r.inside for r in reports),
        below=len(below),
        above=len(above),
        phase_ok=sum(r.phase_ok for r in reports),
        ranks=sum(len(r.project.rank_checks) for r in reports),
        ranks_passed=sum(r.ranks_passed for r in reports),
        ratio_geomean=_geometric_mean([r.ratio for r in reports]),
        worst_below=min(below, key=lambda r: r.ratio, default=None),
        worst_above=max(above, key=lambda r: r.ratio, default=None),
    )


def table(reports: list[ProjectReport]) -> list[str]:
    """The markdown tables: one row per project, the phase mix per project, and the failed rank checks."""
    lines = [
        "| project | type | lang | expected range (person-days) | engine total | verdict (total / range middle)"
        " | max phase deviation (points) | rank checks |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        p = r.project
        lines.append(
            f"| {p.id} | {p.type} | {p.language} | {_days(p.expected.low)}–{_days(p.expected.high)}"
            f" | {_days(r.total)} | {'**' + r.verdict + '**' if not r.inside else r.verdict} ({_ratio(r.ratio)})"
            f" | {_points(r.max_phase_deviation)}{' (stated: no IPA phases)' if r.phases_explained else ''}"
            f"{'' if r.phase_ok else ' ✗'}"
            f" | {r.ranks_passed}/{len(p.rank_checks)} |"
        )
    ipa = " / ".join(f"{IPA_PHASE_RATIOS[phase]}" for phase in IPA_PHASES)
    lines += [
        "",
        f"Phase mix per project, percent of the engine's total (IPA, six phases: {ipa}). The deviation"
        " compares the six phases renormalised to 100 % without pm_docs.",
        "",
        "| project | " + " | ".join(phase.value for phase in PHASES) + " | max deviation |",
        "|---|" + "---|" * (len(PHASES) + 1),
    ]
    for r in reports:
        mix = r.phase_mix()
        lines.append(
            f"| {r.project.id} | "
            + " | ".join(_points(mix[phase]) for phase in PHASES)
            + f" | {_points(r.max_phase_deviation)} |"
        )
    failed = [(r, result) for r in reports for result in r.ranks if not result.ok]
    if failed:
        lines += ["", "Rank checks that failed (engine person-days):", ""]
        for r, result in failed:
            larger = "missing" if result.larger_days is None else _days(result.larger_days)
            smaller = "missing" if result.smaller_days is None else _days(result.smaller_days)
            lines.append(f"- {r.project.id}: {result.check.label()} — {larger} vs {smaller}")
    unused = [(r, sorted(set(r.project.answers) - set(r.answers_used))) for r in reports]
    unused = [(r, keys) for r, keys in unused if keys]
    if unused:
        lines += ["", "Answers the engine did not ask for (so did not see):", ""]
        lines += [f"- {r.project.id}: {', '.join(keys)}" for r, keys in unused]
    return lines


_LAST: list[ProjectReport] = []


def run() -> list[dict]:
    """The summary figures for bench/run.py; `markdown()` then gives the per-project tables of the same run."""
    projects = load()
    wrong = problems(projects)
    if wrong:
        raise ValueError("the realism set is not valid: " + "; ".join(wrong))
    started = time.perf_counter()
    reports = run_projects(projects)
    seconds = time.perf_counter() - started
    _LAST[:] = reports
    s = summarise(reports)
    worst = [f"{r.project.id} {_ratio(r.ratio)}" for r in (s.worst_below, s.worst_above) if r is not None]
    return [
        {
            "name": "projects inside their expected range",
            "value": f"{s.inside}/{s.projects} ({s.below} below, {s.above} above)",
            "unit": "projects",
            "target": f"all {s.projects} (measured, not a gate)",
            "ok": s.inside == s.projects,
            "gate": False,
        },
        {
            "name": "engine total / range middle, geometric mean (worst below, worst above)",
            "value": f"{_ratio(s.ratio_geomean)} ({', '.join(worst) or '—'})",
            "unit": "",
            "target": "reference (×1.00 is the middle of every range)",
            "ok": True,
        },
        {
            "name": "phase mix within ±5 points of IPA (six phases, without pm_docs)",
            "value": f"{s.phase_ok}/{s.projects}",
            "unit": "projects",
            "target": f"all {s.projects} (measured, not a gate)",
            "ok": s.phase_ok == s.projects,
            "gate": False,
        },
        {
            "name": "rank checks",
            "value": f"{s.ranks_passed}/{s.ranks}",
            "unit": "checks",
            "target": f"all {s.ranks} (measured, not a gate)",
            "ok": s.ranks_passed == s.ranks,
            "gate": False,
        },
        {
            "name": "time for the whole set (offline engine, SQLite)",
            "value": f"{seconds:.2f}",
            "unit": "s",
            "target": "—",
            "ok": True,
        },
    ]


def markdown() -> list[str]:
    """The per-project tables of the last `run()` (run.py appends them under the summary)."""
    return table(_LAST) if _LAST else []


NOTES = """
The set (bench/realism/projects/, one file per project) holds projects of all six types in
Japanese and English, from a three-item Excel VBA tool to a 受発注 system with 基幹 interfaces;
each file gives the expected range with the reasoning behind it (counts × productivity; JUAS
and IPA figures where they apply, web-agency figures for pages) and the rank checks with why.
The ranges were written before the engine was run on them and are not tuned to any engine.
A verdict is the engine's total against [low, high]; the ratio is the total over the range's
geometric middle. The phase mix is compared with IPA's new-development ratios for every
project, including those (the VBA tool, the AWS migration, the security assessment) whose own
reasoning says IPA is no yardstick there: the figure is reported, the reader judges it.
"""


def main(argv: list[str]) -> int:
    projects = load()
    wrong = problems(projects)
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        return 2
    if argv:
        unknown = set(argv) - {p.id for p in projects}
        if unknown:
            print(f"unknown project ids: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        projects = [p for p in projects if p.id in argv]
    reports = run_projects(projects)
    s = summarise(reports)
    print("\n".join(table(reports)))
    print()
    print(f"inside range {s.inside}/{s.projects} ({s.below} below, {s.above} above)")
    print(f"phase mix within ±{PHASE_TOLERANCE} points {s.phase_ok}/{s.projects}")
    print(f"rank checks {s.ranks_passed}/{s.ranks}")
    print(f"total / range middle, geometric mean {_ratio(s.ratio_geomean)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
