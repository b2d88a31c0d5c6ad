"""Reading the legacy system's SQLite `app.db`, read-only, into projects of this one.

The legacy FastAPI system kept, per task (`tasks`: a UUID, the uploaded file's path, the system
requirements, a status this import does not need), its deliverables (`deliverables`), its Q&A
(`qa_pairs`, with their order), one estimate row per deliverable (`estimates`: person-days and amount
as floats, reasoning in up to three texts) and the adjustment chat (`messages`: user / assistant / agent).
It had one unit cost in yen for the whole installation and no phases, ranges, language or title per task.

So a task becomes a project as follows; every guess is stated in the line's reasoning or the report:

- the language is Japanese when any of its texts has kana or kanji, else English; the money is in yen,
  as the legacy priced everything (`DAILY_UNIT_COST`), with this installation's tax rate and rounding;
- the unit cost is the one the legacy's own amounts were computed with (the most common amount ÷
  person-days, to the yen), else this installation's;
- person-days come from the float to the hundredth, and amounts are recomputed as person-days × unit
  cost by `estimator.money`; each line whose legacy amount differs is reported, never copied;
- a line's phases are its role's (a 要件定義書 is requirements) or, for a feature, the rate table's
  phase ratios; its range is unknown, so optimistic and pessimistic are the most likely.

The file is opened with SQLite's read-only URI mode: nothing is ever written to it.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath, PureWindowsPath

from estimator.config import Settings
from estimator.engines.reading import classify, role_of
from estimator.errors import InvalidInputError
from estimator.i18n import t
from estimator.money import line_amount, round_person_days
from estimator.schemas import (
    DESCRIPTION_LIMIT,
    MAX_LINE_PERSON_DAYS,
    NAME_LIMIT,
    PHASES,
    AmountDifference,
    ChatRole,
    Deliverable,
    EstimateLine,
    ImportedProject,
    ImportedQuestion,
    Phase,
    PhaseDays,
    Pricing,
    ProjectSettings,
    Question,
    QuestionKind,
)
from estimator.sizing.plan import DUTY_PHASE, ROLE_DUTIES, Role

LEGACY_COLUMNS: Mapping[str, frozenset[str]] = {
    "tasks": frozenset({"id", "system_requirements", "created_at"}),
    "deliverables": frozenset({"id", "task_id", "name", "description"}),
    "qa_pairs": frozenset({"id", "task_id", "question", "answer", "order"}),
    "estimates": frozenset({"id", "task_id", "deliverable_name", "person_days", "amount"}),
    "messages": frozenset({"id", "task_id", "role", "content"}),
}
"""The tables and the columns this import needs, as the legacy models define them."""

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_ROLES = {"user": ChatRole.USER, "assistant": ChatRole.ASSISTANT, "agent": ChatRole.ASSISTANT}


@dataclass(frozen=True)
class LegacyLine:
    name: str
    description: str
    person_days: float | None
    amount: float | None
    reasoning: str


@dataclass(frozen=True)
class LegacyTask:
    id: str
    file_path: str
    requirements: str
    created_at: datetime | None
    deliverables: tuple[tuple[str, str], ...]
    qa: tuple[tuple[str, str | None], ...]
    lines: tuple[LegacyLine, ...]
    messages: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TaskPlan:
    """What one legacy task becomes, and what the import had to say about it."""

    task: LegacyTask
    project: ImportedProject
    differences: tuple[AmountDifference, ...]
    skipped_lines: tuple[str, ...]


def read_legacy(path: Path) -> list[LegacyTask]:
    """Every task of a legacy `app.db`, oldest first; InvalidInputError when the file is not one."""
    if not path.is_file():
        raise InvalidInputError("errors.legacy.no_file", str(path), path=str(path))
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise InvalidInputError("errors.legacy.not_legacy", str(error), path=str(path), missing="") from None
    try:
        connection.row_factory = sqlite3.Row
        _check_schema(connection, path)
        return _tasks(connection)
    except sqlite3.DatabaseError as error:
        raise InvalidInputError("errors.legacy.not_legacy", str(error), path=str(path), missing="") from None
    finally:
        connection.close()


def _check_schema(connection: sqlite3.Connection, path: Path) -> None:
    missing: list[str] = []
    for table, needed in LEGACY_COLUMNS.items():
        columns = {row["name"] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        absent = sorted(needed - columns) if columns else ["*"]
        missing += [f"{table}.{column}" if column != "*" else table for column in absent]
    if missing:
        raise InvalidInputError(
            "errors.legacy.not_legacy", ", ".join(missing), path=str(path), missing=", ".join(missing)
        )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _when(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


_DELIVERABLES = "SELECT name, description FROM deliverables WHERE task_id = ? ORDER BY rowid"
_QA = 'SELECT question, answer FROM qa_pairs WHERE task_id = ? ORDER BY "order", rowid'
_MESSAGES = "SELECT role, content FROM messages WHERE task_id = ? ORDER BY created_at, rowid"


def _tasks(connection: sqlite3.Connection) -> list[LegacyTask]:
    def rows(sql: str, task_id: str) -> list[sqlite3.Row]:
        return list(connection.execute(sql, (task_id,)))

    columns = {row["name"] for row in connection.execute('PRAGMA table_info("tasks")')}
    file_column = "excel_file_path" if "excel_file_path" in columns else "''"
    estimate_columns = {row["name"] for row in connection.execute('PRAGMA table_info("estimates")')}
    texts = [name for name in ("reasoning", "reasoning_breakdown", "reasoning_notes") if name in estimate_columns]
    described = "deliverable_description" if "deliverable_description" in estimate_columns else "''"
    reasoning = ", ".join(texts) or "''"
    tasks = []
    for task in connection.execute(
        f"SELECT id, {file_column} AS file_path, system_requirements, created_at FROM tasks ORDER BY created_at, id"
    ):
        task_id = _text(task["id"])
        estimates = rows(
            f"SELECT deliverable_name, {described} AS description, person_days, amount, {reasoning} "
            "FROM estimates WHERE task_id = ? ORDER BY rowid",
            task_id,
        )
        tasks.append(
            LegacyTask(
                id=task_id,
                file_path=_text(task["file_path"]),
                requirements=_text(task["system_requirements"]),
                created_at=_when(task["created_at"]),
                deliverables=tuple(
                    (_text(row["name"]), _text(row["description"]))
                    for row in rows(
                        "SELECT name, description FROM deliverables WHERE task_id = ? ORDER BY rowid", task_id
                    )
                ),
                qa=tuple(
                    (_text(row["question"]), None if row["answer"] is None else _text(row["answer"]))
                    for row in rows(
                        'SELECT question, answer FROM qa_pairs WHERE task_id = ? ORDER BY "order", rowid', task_id
                    )
                ),
                lines=tuple(
                    LegacyLine(
                        name=_text(row["deliverable_name"]),
                        description=_text(row["description"]),
                        person_days=_number(row["person_days"]),
                        amount=_number(row["amount"]),
                        reasoning="\n".join(_text(row[name]).strip() for name in texts if _text(row[name]).strip()),
                    )
                    for row in estimates
                ),
                messages=tuple(
                    (_text(row["role"]), _text(row["content"]))
                    for row in rows(
                        "SELECT role, content FROM messages WHERE task_id = ? ORDER BY created_at, rowid", task_id
                    )
                ),
            )
        )
    return tasks


def language_of(task: LegacyTask) -> str:
    texts = [task.requirements, *(f"{n} {d}" for n, d in task.deliverables), *(q for q, _ in task.qa)]
    texts += [line.name for line in task.lines]
    return "ja" if any(_JAPANESE.search(text) for text in texts) else "en"


def _title(task: LegacyTask, lang: str) -> str:
    """The uploaded file's name without its folder and extension, else the first deliverable, else the id."""
    for path in (PureWindowsPath(task.file_path), PurePosixPath(task.file_path)):
        stem = path.stem.strip()
        if stem and "\\" not in stem and "/" not in stem:
            return t("legacy.title", lang, name=stem)[:200]
    if task.deliverables:
        return t("legacy.title", lang, name=task.deliverables[0][0])[:200]
    return t("legacy.title", lang, name=task.id[:8])


def _decimal(value: float) -> Decimal:
    """A float as the decimal it prints as (0.1 is 0.1, not 0.1000000000000000055…)."""
    return Decimal(repr(value))


def legacy_unit_cost(task: LegacyTask, fallback: Decimal) -> Decimal:
    """The unit cost the legacy amounts were computed with: the most common amount ÷ person-days, in yen."""
    seen = Counter(
        (_decimal(line.amount) / _decimal(line.person_days)).quantize(Decimal(1))
        for line in task.lines
        if line.amount is not None and line.person_days and line.person_days > 0 and line.amount > 0
    )
    return seen.most_common(1)[0][0] if seen else fallback


def _phases(deliverable: Deliverable, days: Decimal, ratios: Mapping[Phase, Decimal]) -> PhaseDays:
    role = role_of(deliverable)
    if role is Role.BUILD:
        weights = {phase: ratios.get(phase, Decimal(0)) for phase in PHASES}
    else:
        carried = {DUTY_PHASE[duty] for duty in ROLE_DUTIES[role]}
        weights = {phase: Decimal(1) if phase in carried else Decimal(0) for phase in PHASES}
    return PhaseDays(**{phase.value: weight for phase, weight in weights.items()}).with_total(days)


def plan_task(task: LegacyTask, settings: Settings, ratios: Mapping[Phase, Decimal]) -> TaskPlan:
    """The project a legacy task becomes, with the amount differences and the lines that could not be kept."""
    lang = language_of(task)
    unit_cost = legacy_unit_cost(task, settings.unit_cost_for("ja"))
    pricing = Pricing(
        currency="JPY", unit_cost=unit_cost, tax_rate=settings.tax_rate_for("ja"), rounding=settings.rounding
    )
    lines: list[EstimateLine] = []
    differences: list[AmountDifference] = []
    skipped: list[str] = []
    note = t("legacy.reasoning", lang)
    for legacy in task.lines:
        try:
            days = round_person_days(_decimal(legacy.person_days)) if legacy.person_days is not None else Decimal(0)
        except InvalidOperation:
            days = Decimal(0)
        if not legacy.name.strip() or not 0 < days <= MAX_LINE_PERSON_DAYS:
            skipped.append(legacy.name or "?")
            continue
        deliverable = Deliverable(
            name=legacy.name.strip()[:NAME_LIMIT], description=legacy.description[:DESCRIPTION_LIMIT]
        )
        phases = _phases(deliverable, days, ratios)
        reasoning = f"{legacy.reasoning}\n{note}".strip()
        lines.append(
            EstimateLine(
                deliverable=deliverable.name,
                description=deliverable.description,
                kind=classify(deliverable).kind,
                phases=phases,
                optimistic=phases.total,
                pessimistic=phases.total,
                reasoning=reasoning,
            )
        )
        recomputed = line_amount(phases.total, unit_cost, "JPY", settings.rounding)
        if legacy.amount is None or _decimal(legacy.amount) != recomputed:
            legacy_amount = _decimal(legacy.amount) if legacy.amount is not None else Decimal(0)
            differences.append(AmountDifference(deliverable.name, legacy_amount, recomputed))
    project = ImportedProject(
        legacy_id=task.id,
        settings=ProjectSettings(
            title=_title(task, lang),
            client="",
            language=lang,
            currency="JPY",
            unit_cost=unit_cost,
            tax_rate=pricing.tax_rate,
            rounding=pricing.rounding,
        ),
        deliverables=tuple(
            Deliverable(name=name.strip()[:NAME_LIMIT], description=description[:DESCRIPTION_LIMIT])
            for name, description in task.deliverables
            if name.strip()
        ),
        requirements=task.requirements,
        questions=tuple(
            ImportedQuestion(Question(key=f"legacy_{index}", text=question, kind=QuestionKind.SCOPE), answer)
            for index, (question, answer) in enumerate(task.qa, start=1)
            if question.strip()
        ),
        messages=tuple((_ROLES.get(role, ChatRole.ASSISTANT), content) for role, content in task.messages if content),
        lines=tuple(lines),
        pricing=pricing,
        created_at=task.created_at,
    )
    return TaskPlan(task, project, tuple(differences), tuple(skipped))
