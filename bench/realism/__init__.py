"""The realism set: projects an experienced estimator has sized, each with the range they would defend.

One JSON file per project in `projects/` (UTF-8): id, language (ja / en), type (one of
`TYPES`), title, requirements, deliverables (name + description, as an RFP lists them),
answers (question key → answer text, often empty), expected (low, high in person-days
across all phases including PM, and the reasoning behind them) and rank_checks (the
engine's person-days for `larger` must be ≥ factor × those for `smaller`, with why).

The ranges come from counts × productivity with named sources where they exist (JUAS,
IPA, common web-agency figures) and stated judgement otherwise; they are the yardstick
the engine is measured by, so they are never adjusted to what an engine answers.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from estimator.schemas import name_key

PROJECTS_DIR = Path(__file__).resolve().parent / "projects"
TYPES: tuple[str, ...] = ("website", "business_system", "app_api", "migration_batch", "internal_tool", "other")
LANGUAGES: tuple[str, ...] = ("ja", "en")
MIN_PROJECTS = 14
MIN_ENGLISH = 4
MIN_PER_TYPE = {"website": 2, "business_system": 2, "app_api": 2, "migration_batch": 2, "internal_tool": 2, "other": 1}
DELIVERABLE_ROWS = (3, 25)


@dataclass(frozen=True)
class RankCheck:
    larger: str
    smaller: str
    factor: Decimal
    why: str = ""

    def label(self) -> str:
        return f"{self.larger} ≥ {self.factor} × {self.smaller}"


@dataclass(frozen=True)
class Expected:
    low: Decimal
    high: Decimal
    reasoning: str

    @property
    def middle(self) -> Decimal:
        """The geometric middle of the range: a ratio of 1 to it is as far from either end."""
        return (self.low * self.high).sqrt()


@dataclass(frozen=True)
class Deliverable:
    name: str
    description: str = ""


@dataclass(frozen=True)
class RealismProject:
    id: str
    language: str
    type: str
    title: str
    requirements: str
    deliverables: tuple[Deliverable, ...]
    expected: Expected
    rank_checks: tuple[RankCheck, ...] = ()
    answers: dict[str, str] = field(default_factory=dict)
    source: str = ""


def _decimal(value: object) -> Decimal:
    return Decimal(str(value))


def _typed(data: dict[str, object], key: str, kind: type, default: object = None) -> Any:
    value = data.get(key, default) if default is not None else data[key]
    if not isinstance(value, kind):
        raise TypeError(f"{key} must be a {kind.__name__}, got {type(value).__name__}")
    return value


def parse(data: dict[str, object], source: str = "") -> RealismProject:
    """One project from its JSON object; a missing or mistyped field raises (KeyError, TypeError, ValueError)."""
    expected = _typed(data, "expected", dict)
    deliverables = _typed(data, "deliverables", list)
    checks = _typed(data, "rank_checks", list, [])
    answers = _typed(data, "answers", dict, {})
    return RealismProject(
        id=str(data["id"]),
        language=str(data["language"]),
        type=str(data["type"]),
        title=str(data["title"]),
        requirements=str(data.get("requirements", "")),
        deliverables=tuple(Deliverable(str(row["name"]), str(row.get("description", ""))) for row in deliverables),
        expected=Expected(_decimal(expected["low"]), _decimal(expected["high"]), str(expected.get("reasoning", ""))),
        rank_checks=tuple(
            RankCheck(str(c["larger"]), str(c["smaller"]), _decimal(c["factor"]), str(c.get("why", ""))) for c in checks
        ),
        answers={str(key): str(value) for key, value in answers.items()},
        source=source,
    )


def load(folder: Path = PROJECTS_DIR) -> list[RealismProject]:
    """Every project in `folder`, in file-name order."""
    return [
        parse(json.loads(path.read_text(encoding="utf-8")), source=path.name) for path in sorted(folder.glob("*.json"))
    ]


def project_problems(project: RealismProject) -> list[str]:
    """What is wrong with one project, in words; empty when it is usable."""
    found: list[str] = []
    where = project.id or project.source or "?"
    if not project.id:
        found.append(f"{where}: no id")
    if project.source and project.source != f"{project.id}.json":
        found.append(f"{where}: file {project.source} is not named after its id")
    if project.language not in LANGUAGES:
        found.append(f"{where}: language {project.language!r} is not one of {LANGUAGES}")
    if project.type not in TYPES:
        found.append(f"{where}: type {project.type!r} is not one of {TYPES}")
    if not project.title.strip():
        found.append(f"{where}: no title")
    if not project.requirements.strip():
        found.append(f"{where}: no requirements text")
    low_rows, high_rows = DELIVERABLE_ROWS
    if not low_rows <= len(project.deliverables) <= high_rows:
        found.append(f"{where}: {len(project.deliverables)} deliverables, expected {low_rows}–{high_rows}")
    keys = Counter(name_key(item.name) for item in project.deliverables)
    for item in project.deliverables:
        if not item.name.strip():
            found.append(f"{where}: a deliverable without a name")
        elif keys[name_key(item.name)] > 1:
            found.append(f"{where}: deliverable {item.name!r} is listed more than once")
    expected = project.expected
    if not 0 < expected.low < expected.high:
        found.append(f"{where}: expected range {expected.low}–{expected.high} is not 0 < low < high")
    if not expected.reasoning.strip():
        found.append(f"{where}: the expected range has no reasoning")
    names = {item.name for item in project.deliverables}
    for check in project.rank_checks:
        for name in (check.larger, check.smaller):
            if name not in names:
                found.append(f"{where}: rank check names {name!r}, which is not one of its deliverables")
        if check.larger == check.smaller:
            found.append(f"{where}: rank check compares {check.larger!r} with itself")
        if check.factor <= 0:
            found.append(f"{where}: rank check factor {check.factor} is not positive")
    return found


def problems(projects: list[RealismProject]) -> list[str]:
    """What is wrong with the set: each project's problems, then the coverage rules."""
    found = [problem for project in projects for problem in project_problems(project)]
    ids = Counter(project.id for project in projects)
    found += [f"id {key!r} is used by {count} projects" for key, count in ids.items() if count > 1]
    if len(projects) < MIN_PROJECTS:
        found.append(f"{len(projects)} projects, expected at least {MIN_PROJECTS}")
    english = sum(project.language == "en" for project in projects)
    if english < MIN_ENGLISH:
        found.append(f"{english} projects in English, expected at least {MIN_ENGLISH}")
    types = Counter(project.type for project in projects)
    for kind, least in MIN_PER_TYPE.items():
        if types[kind] < least:
            found.append(f"{types[kind]} projects of type {kind}, expected at least {least}")
    return found
