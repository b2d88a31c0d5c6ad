"""The use cases of the walk, composed from the store, an engine and money.

Pages and the command line call these and nothing below them. Two rules hold
everywhere: what the user entered is stored before any model call (so a
failing engine loses nothing), and a version is made only from code-applied
operations (`estimator.adjustments`), priced by `estimator.money`.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from estimator.adjustments import ChangeNote, apply_operations, diff_versions
from estimator.config import Settings
from estimator.db import Database
from estimator.documents.extract import extract
from estimator.engines.base import CallHooks, Engine
from estimator.engines.factory import make_engine
from estimator.engines.reading import UNIT_COUNTS_KEY, answered_unit_counts, needs_unit_counts
from estimator.errors import (
    EngineError,
    EstimatorError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    StaleWriteError,
)
from estimator.excel.quote import HistoryEntry, QuoteDocument, build_quote_workbook, quote_filename
from estimator.excel.reader import read_deliverables
from estimator.excel.timesheet import match_timesheet, read_timesheet
from estimator.history.accuracy import accuracy_report, project_accuracy
from estimator.history.calibration import calibrated, learn, without_calibration
from estimator.history.records import CompletedProject
from estimator.i18n import LANGUAGES, Language, Phrase, format_money, format_number, t
from estimator.legacy import plan_task, read_legacy
from estimator.models import EstimateVersion, LLMCall, Project
from estimator.money import CURRENCY_DIGITS, ROUNDING_MODES, is_tax_rate, quantum, round_person_days
from estimator.pdf.quote import build_quote_pdf, find_font
from estimator.rules.answers import answer
from estimator.rules.check import mismatch, proposals_for_parts, understood
from estimator.rules.clarify import ClarificationNeeded
from estimator.rules.proposals import proposals_for, risk_buffer_operation
from estimator.rules.reading import Basis, Intent, IntentKind, RequestReading, read_request
from estimator.schemas import (
    MAX_LINE_PERSON_DAYS,
    NO_CALIBRATION,
    OFFLINE_MODEL,
    PHASES,
    STATUS_TRANSITIONS,
    AccuracyReport,
    ActualEntry,
    AdjustmentContext,
    Author,
    Calibration,
    CallRecord,
    CallStatus,
    CallTotals,
    CapUsage,
    ChatMessage,
    ChatRole,
    ChatTurn,
    DayUsage,
    Deliverable,
    DeliverableDraft,
    EffortUnit,
    EstimateLine,
    ImportedTask,
    ImportOutcome,
    ImportResult,
    JuasCheck,
    LastCall,
    LineChange,
    Operation,
    OperationKind,
    Phase,
    PricedEstimate,
    ProjectAccuracy,
    ProjectBrief,
    ProjectDetail,
    ProjectSettings,
    ProjectStatus,
    ProjectSummary,
    ProjectUsage,
    Proposal,
    ProposalStatus,
    QaItem,
    RateRow,
    RateTableVersion,
    StatusChange,
    StoredProposal,
    Timesheet,
    UsageSummary,
    VersionComparison,
    VersionOrigin,
    VersionSummary,
    check_deliverables,
    name_key,
    price,
    unit_cost_problem,
)
from estimator.sizing.guide import SizingGuide
from estimator.sizing.juas import cross_check, screens_and_batches
from estimator.sizing.kinds import GRADES, PROJECT_TYPES, UNIT_KINDS, Grade, ProjectType, UnitKind
from estimator.sizing.project_type import TypeReading, detect_project_type
from estimator.sizing.rates import (
    MAX_DAYS,
    MAX_OPTIMISTIC,
    MAX_PERCENT,
    MAX_PESSIMISTIC,
    PHASE_SUM_TOLERANCE,
    QUANTUM,
    RateTable,
    UnitRate,
    rates_from_csv,
    rates_to_csv,
    validated,
)
from estimator.store import (
    Store,
    chat_message,
    lineage,
    priced_version,
    project_detail,
    start_of_day,
    start_of_month,
    stored_calibration,
    stored_proposal,
    version_lines,
    version_pricing,
    version_summary,
)
from estimator.text import reading_form, sentences

# Requests the rules understand are answered by code, recorded under the embedded engine's name.
RULES_ENGINE = OFFLINE_MODEL


@dataclass(frozen=True)
class ProposalPreview:
    """A proposal with what applying it would do, for the proposal card."""

    proposal: StoredProposal
    changes: list[LineChange]
    before: PricedEstimate
    after: PricedEstimate

    @property
    def total_change(self) -> Decimal:
        """How the total with tax moves if the proposal is applied (negative: cheaper)."""
        return self.after.total - self.before.total


def read_decimal(text: str, *, field: str) -> Decimal:
    """A number the user typed («40,000», «¥40,000», «10 %», «１２.５»), or InvalidInputError naming `field`."""
    cleaned = reading_form(text).strip()
    for mark in (",", "%", "¥", "$", "円"):
        cleaned = cleaned.replace(mark, "")
    cleaned = cleaned.strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidInputError("errors.input.not_a_number", field=field, value=text.strip()) from None
    if not value.is_finite():
        raise InvalidInputError("errors.input.not_a_number", field=field, value=text.strip())
    return value


def _operations_key(operations: Iterable[dict[str, object]]) -> str:
    """Operations as canonical JSON, so two proposals making the same change compare equal (10 % = 10.0 %)."""
    return json.dumps([Operation.model_validate(op).model_dump(mode="python") for op in operations], default=_plain)


def _plain(value: object) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def inputs_digest(project: ProjectDetail) -> str:
    """SHA-256 (hex) of what an estimate of `project` is made from: its deliverables in order, its system
    requirements, its questions with their answers, and the project type the analyst chose.

    Canonical JSON (sorted keys, fixed separators, text as written) so the same inputs give the same
    digest in every process and release, and a version stored with it can be compared later
    (`Workflow.inputs_changed`). Title, client and money terms are left out: changing them reprices
    or relabels a quote but does not make its person-days out of date. A chosen type sizes with
    another table, so it is in; it is left out while none is chosen, so a project that never chose
    one (and every version stored before types could be chosen) keeps the digest it had, and going
    back to detection makes an estimate made under detection current again.
    """
    inputs: dict[str, object] = {
        "deliverables": [{"name": item.name, "description": item.description} for item in project.deliverables],
        "requirements": project.system_requirements,
        "answers": [{"key": qa.key, "question": qa.question, "answer": qa.answer} for qa in project.qa_pairs],
    }
    if project.project_type is not None:
        inputs["project_type"] = project.project_type
    canonical = json.dumps(inputs, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_money_terms(currency: str, unit_cost: Decimal, tax_rate: Decimal, rounding: str) -> None:
    """The money terms a project may have: a known currency and rounding, a unit cost it can invoice, 0-100 % tax."""
    if currency not in CURRENCY_DIGITS:
        raise InvalidInputError("errors.input.bad_currency", value=currency)
    if rounding not in ROUNDING_MODES:
        raise InvalidInputError("errors.input.bad_rounding", value=rounding)
    problem = unit_cost_problem(unit_cost, currency)
    if problem is not None:
        raise problem
    if not is_tax_rate(tax_rate):
        raise InvalidInputError("errors.input.bad_tax_rate", value=format(tax_rate, "f"))


_TYPES: Mapping[str, ProjectType] = {kind.value: kind for kind in PROJECT_TYPES}
_KINDS: Mapping[str, UnitKind] = {kind.value: kind for kind in UNIT_KINDS}
_GRADES: Mapping[str, Grade] = {grade.value: grade for grade in GRADES}
_PHASES: Mapping[str, Phase] = {phase.value: phase for phase in PHASES}
_Member = TypeVar("_Member", UnitKind, Grade, Phase, ProjectStatus, EffortUnit)


def timesheet_entries(sheet: Timesheet, *, change_requests: bool) -> list[ActualEntry]:
    """A timesheet's rows summed per (line, phase), in the order lines first appear; unmatched rows summed per
    name as change requests when `change_requests`, else left out."""
    totals: dict[tuple[str, Phase | None, bool], Decimal] = {}
    for row in sheet.rows:
        if row.line is None and not change_requests:
            continue
        key = (row.line or row.name, row.phase, row.line is None)
        totals[key] = totals.get(key, Decimal(0)) + row.person_days
    return [ActualEntry(name, days, phase, added) for (name, phase, added), days in totals.items()]


def _parsed(kind: type[_Member], value: str, key: str, name: str, names: str) -> _Member:
    """`value` as a member of the enum `kind` (a status, an effort unit the user typed), or the refusal `key`
    naming the value (as `name`) and the members there are (as `names`)."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidInputError(key, **{name: value, names: ", ".join(member.value for member in kind)}) from None


MAX_ACTUAL_PERSON_DAYS = MAX_LINE_PERSON_DAYS * 10
"""Actuals may overrun an estimate line's cap by far, but not without bound (a typo in the unit)."""


def _project_type(value: str) -> ProjectType:
    """`value` as a project type, or the refusal listing the types there are."""
    kind = _TYPES.get(value)
    if kind is None:
        raise InvalidInputError("errors.input.bad_project_type", value=value, allowed=", ".join(_TYPES))
    return kind


def _chosen_type(project: ProjectDetail) -> ProjectType | None:
    """The type the analyst chose, None to detect; a value this release does not know (a newer one stored it)
    reads as None, so the estimate still runs, as the store reads such rate rows."""
    return _TYPES.get(project.project_type or "")


def _sizing_type(project: ProjectDetail) -> ProjectType:
    """The type a project is sized as: the analyst's choice, else the one detected from its list."""
    return _chosen_type(project) or _type_reading(project).project_type


def _type_reading(project: ProjectDetail) -> TypeReading:
    """The type the engines detect from the saved deliverables and requirements (what `OfflineEngine` reads)."""
    return detect_project_type(
        [(item.name, item.description) for item in project.deliverables], project.system_requirements
    )


class Workflow:
    """One instance per process; each call names the project and the user it acts for.

    Everything it returns is a plain value (`estimator.schemas`), never a database row.
    """

    def __init__(self, store: Store, engine: Engine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self._history_cache: tuple[object, list[CompletedProject]] | None = None

    # Projects

    def project_defaults(self, language: str) -> ProjectSettings:
        """A new project's money terms, from the settings for its language (as the legacy system did)."""
        lang: Language = "en" if language == "en" else "ja"
        return ProjectSettings(
            title="",
            client="",
            language=lang,
            currency=Settings.currency_for(lang),
            unit_cost=self.settings.unit_cost_for(lang),
            tax_rate=self.settings.tax_rate_for(lang),
            rounding=self.settings.rounding,
        )

    def create_project(self, project: ProjectSettings, *, user: str) -> ProjectDetail:
        """A new project with its own quote number; refused unless its title and money terms are usable."""
        if not project.title.strip():
            raise InvalidInputError("errors.input.empty_title")
        if project.language not in ("ja", "en"):
            raise InvalidInputError("errors.input.bad_language", value=project.language)
        check_money_terms(project.currency, project.unit_cost, project.tax_rate, project.rounding)
        return project_detail(self.store.create_project(project, created_by=user))

    def project(self, project_id: int) -> ProjectDetail:
        return project_detail(self.store.get_project(project_id))

    def list_projects(self, search: str = "", status: str | None = None) -> list[ProjectSummary]:
        """Newest first; `search` matches title, client or quote number; `status` (a `ProjectStatus` value) filters."""
        return self.store.list_projects(
            search,
            None if status is None else _parsed(ProjectStatus, status, "errors.status.unknown", "status", "statuses"),
        )

    def set_status(
        self,
        project_id: int,
        status: str,
        *,
        version: int | None = None,
        user: str,
        expected_row_version: int | None,
    ) -> ProjectDetail:
        """Move the project along its life (`STATUS_TRANSITIONS`); a submission names the version sent.

        Submitting takes `version` (the newest when None) and needs one to exist: the submitted
        version is the baseline the actuals are compared against. Any other move keeps the baseline
        and takes no version. A move the current status does not allow is refused, naming the ones
        it does.
        """
        target = _parsed(ProjectStatus, status, "errors.status.unknown", "status", "statuses")
        project = self.project(project_id)
        allowed = STATUS_TRANSITIONS[project.status]
        if target not in allowed:
            raise InvalidInputError(
                "errors.status.not_allowed",
                current=project.status.value,
                target=target.value,
                allowed=", ".join(sorted(item.value for item in allowed)) or "—",
            )
        submitted: int | None = None
        if target is ProjectStatus.SUBMITTED:
            numbers = [summary.number for summary in self.versions(project_id)]
            if not numbers:
                raise InvalidInputError("errors.status.no_version")
            submitted = numbers[-1] if version is None else version
            if submitted not in numbers:
                raise NotFoundError("errors.not_found.version", project=project_id, version=submitted)
        elif version is not None:
            raise InvalidInputError("errors.status.version_only_on_submit")
        return project_detail(
            self.store.set_status(
                project_id, target, version=submitted, changed_by=user, expected_row_version=expected_row_version
            )
        )

    def baseline_lines(self, project_id: int) -> list[EstimateLine]:
        """The lines actuals are compared against: the version submitted to the client, else the newest."""
        return self._baseline(self.project(project_id))

    def _baseline(self, project: ProjectDetail) -> list[EstimateLine]:
        return version_lines(self.store.get_version(project.id, project.submitted_version))

    def read_timesheet(
        self, project_id: int, data: bytes, filename: str, *, lang: str, unit: str | None = None
    ) -> Timesheet:
        """A timesheet export's rows in person-days, each matched to a baseline line or with suggestions.

        `unit` (an `EffortUnit` value) is the unit of an effort column that names none. Hours and
        person-months are converted at HOURS_PER_DAY and DAYS_PER_MONTH.
        """
        names = [line.deliverable for line in self.baseline_lines(project_id)]
        sheet = read_timesheet(
            data,
            filename,
            max_bytes=self.settings.max_upload_bytes,
            lang=lang,
            hours_per_day=self.settings.hours_per_day,
            days_per_month=self.settings.days_per_month,
            unit=None if unit is None else _parsed(EffortUnit, unit, "errors.timesheet.unknown_unit", "unit", "units"),
        )
        return match_timesheet(sheet, names)

    def record_actuals(
        self, project_id: int, entries: Sequence[ActualEntry], *, user: str, expected_row_version: int | None
    ) -> ProjectDetail:
        """The project's actuals become `entries`, once it is 受注 or 完了.

        An entry names a baseline line (by the name rule; it is stored with the line's spelling) or is a
        change request, a line added during delivery; an entry naming neither is refused, as is a
        figure outside 0–`MAX_LINE_PERSON_DAYS` × 10.
        """
        project = self.project(project_id)
        if project.status not in (ProjectStatus.WON, ProjectStatus.DONE):
            raise InvalidInputError("errors.actuals.not_started", status=project.status.value)
        by_key = {name_key(line.deliverable): line.deliverable for line in self._baseline(project)}
        kept: list[ActualEntry] = []
        for entry in entries:
            line = by_key.get(name_key(entry.deliverable))
            if line is None and not entry.change_request:
                raise InvalidInputError("errors.actuals.unknown_line", name=entry.deliverable)
            if not 0 <= entry.person_days <= MAX_ACTUAL_PERSON_DAYS:
                raise InvalidInputError("errors.actuals.bad_days", name=entry.deliverable, days=str(entry.person_days))
            name = entry.deliverable.strip() if line is None or entry.change_request else line
            kept.append(replace(entry, deliverable=name, person_days=round_person_days(entry.person_days)))
        return project_detail(
            self.store.replace_actuals(project_id, kept, recorded_by=user, expected_row_version=expected_row_version)
        )

    def import_timesheet(
        self, project_id: int, sheet: Timesheet, *, change_requests: bool, user: str, expected_row_version: int | None
    ) -> ProjectDetail:
        """Record a read timesheet as the project's actuals: its rows summed per line and phase (a timesheet has a
        row per person and day); rows that matched no line are change requests when `change_requests`, else
        left out, as the caller has shown them."""
        return self.record_actuals(
            project_id,
            timesheet_entries(sheet, change_requests=change_requests),
            user=user,
            expected_row_version=expected_row_version,
        )

    def actuals(self, project_id: int) -> list[ActualEntry]:
        """The actual efforts recorded for the project, in the order they were saved."""
        return self.store.actuals(project_id)

    # What completed projects teach

    def _history(self) -> list[CompletedProject]:
        """Every project in 完了 that has actuals, with its baseline, its generated version and what it took,
        each with its type: the analyst's choice, else the one detected from its list."""
        stamp = self.store.history_stamp()
        cached = self._history_cache
        if cached is not None and cached[0] == stamp:
            return cached[1]
        # Read in a few queries, kept until a completed project changes: every estimate and every run of
        # the Accuracy page reads it, and 200 projects' lines take some 0.3 s to read.
        records = [
            replace(record, project_type=_sizing_type(detail).value)
            for detail, record in self.store.completed_projects()
        ]
        self._history_cache = (stamp, records)
        return records

    def accuracy(self) -> AccuracyReport:
        """How the estimates of completed projects compared with what the work took: each project, and the
        MdMRE, Pred(25) and median bias overall, as first generated, by kind, by phase and by type."""
        return accuracy_report(self._history())

    def project_accuracy(self, project_id: int) -> ProjectAccuracy | None:
        """One project's estimate (as submitted and as first generated) against the actuals recorded so far;
        None while it has none. For a 受注 project the figures are of the work booked until now."""
        found = self.store.project_history(project_id)
        if found is None:
            return None
        detail, record = found
        return project_accuracy(replace(record, project_type=_sizing_type(detail).value))

    def calibration(self, project_id: int | None = None) -> Calibration:
        """The factors a new estimate would use, with their evidence, including those still below the minimum.

        For a project: learned without its own actuals, for its type and the engine. Without one:
        the factors for any project of the current engine.
        """
        if project_id is None:
            return learn(self._history(), engine=self.engine.name)
        project = self.project(project_id)
        return learn(
            self._history(),
            engine=self.engine.name,
            project_type=_sizing_type(project).value,
            exclude=project.id,
        )

    def _calibration_for(self, project: ProjectDetail, project_type: str | None) -> Calibration:
        if not (self.settings.calibration and project.calibration):
            return NO_CALIBRATION
        return learn(self._history(), engine=self.engine.name, project_type=project_type, exclude=project.id)

    def calibration_enabled(self) -> bool:
        """Whether the operator has calibration on (ESTIMATOR's CALIBRATION setting); each project can opt out."""
        return self.settings.calibration

    def set_calibration(self, project_id: int, enabled: bool, *, expected_row_version: int | None) -> ProjectDetail:
        """Switch calibration on or off for the project's next estimates; versions already made keep theirs."""
        return project_detail(
            self.store.update_project(project_id, expected_row_version=expected_row_version, calibration=enabled)
        )

    def uncalibrated(self, project_id: int, number: int | None = None) -> PricedEstimate:
        """Version `number` (newest when None) with every line's calibration factor divided out, priced alike."""
        version = self.store.get_version(project_id, number)
        return price(without_calibration(version_lines(version)), version_pricing(version))

    def status_changes(self, project_id: int) -> list[StatusChange]:
        """Who moved the project's status, when, to what and with which version, oldest first."""
        return self.store.status_changes(project_id)

    def duplicate_project(self, project_id: int, *, title: str, user: str) -> ProjectDetail:
        """A copy with the same settings, deliverables, requirements and answers (no versions), under `title`."""
        if not title.strip():
            raise InvalidInputError("errors.input.empty_title")
        return project_detail(self.store.duplicate_project(project_id, title=title.strip(), created_by=user))

    def delete_project(self, project_id: int) -> None:
        """The project and all it owns; its model-call records stay, for cost history."""
        self.store.delete_project(project_id)

    def read_upload(self, data: bytes, filename: str, *, lang: str) -> ImportResult:
        """The deliverables in an uploaded .xlsx / .csv, with the rows that could not be read."""
        return read_deliverables(data, filename, max_bytes=self.settings.max_upload_bytes, lang=lang)

    def save_deliverables(
        self,
        project_id: int,
        deliverables: Sequence[Deliverable],
        *,
        requirements: str | None,
        expected_row_version: int | None,
    ) -> ProjectDetail:
        check_deliverables(deliverables)
        return project_detail(
            self.store.replace_deliverables(
                project_id, deliverables, requirements=requirements, expected_row_version=expected_row_version
            )
        )

    def propose_deliverables(
        self, data: bytes, filename: str, *, language: str, user: str, project_id: int | None = None
    ) -> DeliverableDraft:
        """Deliverables proposed from an uploaded document (an RFP), nothing saved: the analyst reviews them.

        The text is extracted within the upload limit (`estimator.documents.extract`); the engine proposes
        the list — the offline rules, or one structured model call with the text fenced as data.
        """
        document = extract(data, filename, max_bytes=self.settings.max_upload_size_mb * 1024 * 1024)
        lang = language if language in LANGUAGES else self.settings.language
        return self.engine.propose_deliverables(document, lang, self._hooks(project_id, user))

    def project_types(self) -> list[str]:
        """The project types the sizing knows, in display order; `sizing.type.<value>` labels each."""
        return list(_TYPES)

    def set_project_type(
        self, project_id: int, project_type: str | None, *, expected_row_version: int | None
    ) -> ProjectDetail:
        """Size the project's next estimate as `project_type` (None: detect the type from the list again).

        A project write like the others: refused when the project changed since it was read. The type is
        part of `inputs_digest`, so an estimate made under another type shows as out of date.
        """
        value = None if project_type is None else _project_type(project_type).value
        return project_detail(
            self.store.update_project(project_id, expected_row_version=expected_row_version, project_type=value)
        )

    def detected_project_type(self, project_id: int) -> tuple[str, list[str]]:
        """The type an estimate would detect from the saved deliverables and requirements, and the cue words read."""
        reading = _type_reading(self.project(project_id))
        return reading.project_type.value, list(reading.cues)

    def _brief(self, project: Project) -> ProjectBrief:
        detail = project_detail(project)
        if not detail.deliverables:
            raise InvalidInputError("errors.input.no_deliverables")
        return ProjectBrief(
            language=project.language,
            title=project.title,
            deliverables=list(detail.deliverables),
            requirements=project.system_requirements,
        )

    # Model calls: recorded, capped

    def _hooks(self, project_id: int | None, user: str) -> CallHooks:
        def record(call: CallRecord) -> None:
            self.store.record_llm_call(call, project_id=project_id, created_by=user)

        def guard(kind: str) -> None:
            self.check_limits(user)

        return CallHooks(record=record, guard=guard)

    def _caps(self, user: str, now: datetime) -> tuple[CapUsage, CapUsage, CapUsage]:
        """The three caps as enforced: today's and this month's cost, and `user`'s model calls in the last hour.

        Offline calls cost nothing and never count against the rate limit.
        """
        settings = self.settings
        hour_calls = self.store.calls_since(now - timedelta(hours=1), created_by=user, except_model=RULES_ENGINE)
        return (
            CapUsage("daily", self.store.cost_since(start_of_day(now)), settings.daily_cost_limit_usd or None),
            CapUsage("monthly", self.store.cost_since(start_of_month(now)), settings.monthly_cost_limit_usd or None),
            CapUsage("rate", Decimal(hour_calls), Decimal(settings.rate_limit_per_hour) or None),
        )

    def check_limits(self, user: str) -> None:
        """Refuse a model call before it is made when a cost cap or the hourly rate limit is reached."""
        keys = {
            "daily": "errors.limits.daily_cost",
            "monthly": "errors.limits.monthly_cost",
            "rate": "errors.limits.rate",
        }
        for cap in self._caps(user, datetime.now(UTC)):
            if cap.limit is not None and cap.used >= cap.limit:
                limit = int(cap.limit) if cap.name == "rate" else cap.limit
                raise LimitExceededError(keys[cap.name], limit=limit)

    def usage(self, user: str) -> UsageSummary:
        """This month's model usage: the caps exactly as `check_limits` counts them, per day and per project."""
        now = datetime.now(UTC)
        calls = self.store.llm_calls(since=start_of_month(now))
        by_day: dict[date, list[LLMCall]] = defaultdict(list)
        by_project: dict[int | None, list[LLMCall]] = defaultdict(list)
        for call in calls:
            by_day[call.created_at.astimezone().date()].append(call)
            by_project[call.task_id].append(call)
        titles = {summary.id: summary.title for summary in self.store.list_projects()}
        last = calls[-1] if calls else None
        return UsageSummary(
            caps=self._caps(user, now),
            last_call=None
            if last is None
            else LastCall(last.created_at, last.kind, last.model, last.status, last.latency_ms, last.error),
            per_day=tuple(DayUsage(day, _totals(items)) for day, items in sorted(by_day.items(), reverse=True)),
            per_project=tuple(
                ProjectUsage(project_id, titles.get(project_id) if project_id else None, _totals(items))
                for project_id, items in sorted(by_project.items(), key=lambda pair: -len(pair[1]))
            ),
        )

    # Questions

    def generate_questions(self, project_id: int, *, expected_row_version: int | None, user: str) -> ProjectDetail:
        """Ask the engine; answers to questions asked again (same key) are kept."""
        project = self.store.get_project(project_id)
        if expected_row_version is not None and project.row_version != expected_row_version:
            raise StaleWriteError("errors.stale_write", project=project_id)
        questions = self.engine.questions(self._brief(project), self._hooks(project_id, user))
        return project_detail(
            self.store.save_questions(project_id, questions, expected_row_version=project.row_version)
        )

    def save_answers(
        self, project_id: int, answers: dict[str, str | None], *, expected_row_version: int | None
    ) -> ProjectDetail:
        return project_detail(self.store.save_answers(project_id, answers, expected_row_version=expected_row_version))

    # Versions

    def generate_estimate(self, project_id: int, *, expected_row_version: int | None, user: str) -> VersionSummary:
        """A new version (origin generated) from the deliverables and the answers as they are now.

        It stores the digest of those inputs; the write is refused if the project changed since
        it was read, so the digest is always of the inputs the engine was given. It also stores
        the version of the rate table current when it was made. The engine sizes with the
        project type the analyst chose, or detects one when none is chosen.
        """
        project = self.store.get_project(project_id)
        if expected_row_version is not None and project.row_version != expected_row_version:
            raise StaleWriteError("errors.stale_write", project=project_id)
        answers = self.store.answers(project_id)
        head = self.store.head_number(project_id)
        rates = self.store.current_rate_table()
        detail = project_detail(project)
        guide = SizingGuide(rates=rates, project_type=_chosen_type(detail))
        draft = self.engine.estimate(self._brief(project), answers, self._hooks(project_id, user), guide)
        project_type = draft.project_type or _sizing_type(detail).value
        calibration = self._calibration_for(detail, project_type)
        lines = calibrated(draft.lines, calibration, project_type=project_type, lang=detail.language)
        return version_summary(
            self.store.append_version(
                project_id,
                lines=lines,
                pricing=detail.pricing,
                origin=VersionOrigin.GENERATED,
                engine=self.engine.name,
                base_number=head,
                expected_row_version=project.row_version,
                assumptions=draft.assumptions,
                exclusions=draft.exclusions,
                inputs_digest=inputs_digest(detail),
                rates_version=rates.version,
                calibration=calibration,
                created_by=user,
            )
        )

    def inputs_changed(self, project_id: int, number: int | None = None) -> bool:
        """Whether version `number` (newest when None) was estimated from other inputs than the project has now.

        False when there is no estimate yet, and when the version's digest is None: versions
        stored before migration 0002 do not know their inputs, and an unknown is not reported
        as stale (that would flag every old estimate at once, changed or not).
        """
        project = self.project(project_id)
        if number is None and self.store.head_number(project_id) is None:
            return False
        made_from = self.store.get_version(project_id, number).inputs_digest
        return made_from is not None and made_from != inputs_digest(project)

    def versions(self, project_id: int) -> list[VersionSummary]:
        """Every version of the project, oldest first."""
        return [version_summary(version) for version in self.store.list_versions(project_id)]

    def version(self, project_id: int, number: int | None = None) -> VersionSummary:
        """Version `number`, or the newest when None."""
        return version_summary(self.store.get_version(project_id, number))

    def priced(self, project_id: int, number: int | None = None) -> PricedEstimate:
        """Version `number` (newest when None) with its lines, amounts and totals, added up by the money rules."""
        return priced_version(self.store.get_version(project_id, number))

    def compare(self, project_id: int, older: int, newer: int) -> VersionComparison:
        a = self.store.get_version(project_id, older)
        b = self.store.get_version(project_id, newer)
        return VersionComparison(
            older=version_summary(a),
            newer=version_summary(b),
            changes=tuple(diff_versions(version_lines(a), version_pricing(a), version_lines(b), version_pricing(b))),
            total_change=b.total - a.total,
        )

    def juas_check(self, project_id: int, number: int | None = None) -> JuasCheck | None:
        """Version `number` (newest when None) beside the JUAS screen/batch relation, for a business system.

        None unless the project's type (chosen, else detected) is a business system and its saved
        deliverables count at least one screen: JUAS measured business systems, and its relation
        says nothing of a site's pages or a tool's forms. Screens and batches are counted as the
        offline engine reads them, over every deliverable, and from the unit-count answer when no
        line states a count (the engine sizes those lines from it too).
        """
        project = self.project(project_id)
        if _sizing_type(project) is not ProjectType.BUSINESS:
            return None
        answered = next((qa.answer or "" for qa in project.qa_pairs if qa.key == UNIT_COUNTS_KEY), "")
        counts = answered_unit_counts(answered) if needs_unit_counts(project.deliverables) else ()
        screens, batches = screens_and_batches(project.deliverables, counts)
        if not screens:
            return None
        return cross_check(screens, batches, self.store.get_version(project_id, number).person_days)

    # Adjusting

    def messages(self, project_id: int) -> list[ChatMessage]:
        """The adjustment chat, oldest first."""
        return [chat_message(message) for message in self.store.list_messages(project_id)]

    def pending_proposals(self, project_id: int) -> list[StoredProposal]:
        """Proposals still waiting to be applied or discarded, oldest first."""
        return [stored_proposal(row) for row in self.store.pending_proposals(project_id)]

    def _context(self, project: Project, version: EstimateVersion, request: str) -> AdjustmentContext:
        return AdjustmentContext(
            language=project.language, lines=version_lines(version), pricing=version_pricing(version), request=request
        )

    def _store_proposals(
        self, project_id: int, base: int, request: str, proposals: Sequence[Proposal], engine: str, user: str
    ) -> list[StoredProposal]:
        """Store the proposals; one that repeats a pending proposal (same base, same operations) is not stored
        again: the pending one is returned, marked `repeated`, so asking twice does not pile up copies."""
        pending = {
            (row.base_version, _operations_key(row.operations)): row for row in self.store.pending_proposals(project_id)
        }
        repeated: dict[int, StoredProposal] = {}
        new: list[Proposal] = []
        for index, proposal in enumerate(proposals):
            row = pending.get((base, _operations_key(op.model_dump(mode="json") for op in proposal.operations)))
            if row is None:
                new.append(proposal)
            else:
                repeated[index] = replace(stored_proposal(row), repeated=True)
        rows = iter(
            self.store.save_proposals(
                project_id, base_version=base, request_text=request, proposals=new, engine=engine, created_by=user
            )
            if new
            else ()
        )
        return [repeated.get(index) or stored_proposal(next(rows)) for index in range(len(proposals))]

    def propose_adjustment(self, project_id: int, request: str, *, user: str, language: str | None = None) -> ChatTurn:
        """Answer one chat request against the newest version: proposals, an answer, or a question back.

        The request is stored as a chat message first, so it survives an engine failure, and every
        outcome is answered in the conversation: the proposals (each stating what was understood),
        the answer to a question, a clarifying question with choices, or why there is nothing (the
        error is stored as the reply, then raised). Replies are in `language`, the language the analyst
        reads (default: the project's); proposal titles stay in the project's language, as the quote
        prints them. Asking again for what is already pending points to that proposal.

        What the rules read fully is answered by code whatever the engine: exact, instant, no model
        call. The rest goes to the model when one is configured. What the rules read but find open
        (税込 or 税抜, up or down, a line name with a typo) is asked back with choices, model or not:
        only the analyst knows the answer, and a model would guess as the rules would. Every proposal,
        the model's too, passes the intent check (`estimator.rules.check`) before it is offered.
        """
        text = request.strip()
        if not text:
            raise InvalidInputError("errors.input.empty_request")
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id)
        reply_language = language if language in LANGUAGES else project.language
        self.store.add_message(project_id, ChatRole.USER, text, created_by=user)
        context = self._context(project, version, text)
        reading = read_request(text)
        try:
            if len(reading.understood) == 1 and reading.understood[0][1].kind is IntentKind.QUESTION:
                reply = answer(reading.understood[0][1], context, reply_language)
                self.store.add_message(project_id, ChatRole.ASSISTANT, reply, created_by=RULES_ENGINE)
                return ChatTurn(reply)
            stored, engine, not_handled = self._proposals_for_request(project, version, reading, context, user)
        except ClarificationNeeded as unsure:
            asked = unsure.ask(reply_language)
            self.store.add_message(
                project_id, ChatRole.ASSISTANT, asked.question, created_by=RULES_ENGINE, choices=asked.choices
            )
            return ChatTurn(asked.question, choices=asked.choices)
        except EstimatorError as error:
            self.store.add_message(
                project_id,
                ChatRole.ASSISTANT,
                t(error.key, reply_language, **error.values),
                created_by=self.engine.name,
            )
            raise
        fresh = [row for row in stored if not row.repeated]
        summary = "\n".join(f"{index}. {row.title}" for index, row in enumerate(stored, start=1))
        key = "workflow.proposals_ready" if fresh else "workflow.proposals_repeated"
        reply = t(key, reply_language, count=len(stored), titles=summary)
        if fresh and stored[0].understood:
            reply = t("workflow.understood", reply_language, understood=stored[0].understood) + "\n\n" + reply
        if not_handled:
            reply += "\n\n" + t("workflow.not_handled", reply_language, parts=_listed(not_handled, reply_language))
        self.store.add_message(project_id, ChatRole.ASSISTANT, reply, created_by=engine)
        return ChatTurn(reply, stored)

    def _proposals_for_request(
        self, project: Project, version: EstimateVersion, reading: RequestReading, context: AdjustmentContext, user: str
    ) -> tuple[list[StoredProposal], str, list[str]]:
        """The checked proposals for a request, the engine that made them and the parts nobody handled.

        The rules answer when they understood every part (or some parts, offline); otherwise, or when
        they are unsure and a model is configured, the model reads the whole request. Proposals that do
        not do what the request asks are dropped; when none is left the request is refused.
        """
        lang = project.language
        intents = [intent for _, intent in reading.understood]
        not_handled: list[str] = []
        offline = self.engine.name == RULES_ENGINE
        proposals: list[Proposal] = []
        engine = RULES_ENGINE
        read_all = bool(reading.understood) and not reading.missed
        if reading.understood and (read_all or offline):
            try:
                parts = proposals_for_parts(reading.understood, context)
            except ClarificationNeeded:
                raise  # 税込 or 税抜, up or down, which line: only the analyst knows; a model would guess too
            except EngineError as error:
                # Read in full but refused (already within budget, unreachable, lines to keep): that stands.
                # Only a name the rules do not know may be the model's to match, checked as strictly.
                if offline or error.key != "errors.engine.unknown_target":
                    raise
            else:
                proposals, intents = parts.proposals, parts.intents
                not_handled = [*reading.missed, *parts.failed]
                if not proposals:
                    raise EngineError(
                        "errors.engine.not_applicable", context.request, reason=_listed(not_handled, lang)
                    )
        if not proposals:
            # Nothing understood, or only part of it, or unsure, while a model is configured: the model reads it all.
            told = context.model_copy(update={"understood": understood(intents, context, lang)})
            proposals, engine = self.engine.adjust(told, self._hooks(project.id, user)), self.engine.name
            not_handled = []
        partial = engine != RULES_ENGINE and not read_all
        checked = [proposal for proposal in proposals if not mismatch(intents, context, proposal, partial=partial)]
        if not checked:
            raise EngineError("errors.engine.not_applicable", context.request, reason=t("chat.check_failed", lang))
        said = understood(intents, context, lang)
        if engine != RULES_ENGINE:
            said = sentences([said, t("chat.understood.by_model", lang)], lang)
        note = t("workflow.not_handled", lang, parts=_listed(not_handled, lang)) if not_handled else ""
        final = [
            proposal.model_copy(update={"reason": f"{proposal.reason}\n{note}".strip(), "understood": said})
            for proposal in checked
        ]
        stored = self._store_proposals(project.id, version.number, context.request, final, engine, user)
        return stored, engine, not_handled

    def propose_operations(
        self, project_id: int, title: str, reason: str, operations: list[Operation], *, user: str
    ) -> StoredProposal:
        """A quick action: a proposal built by code, checked by applying it once before it is stored."""
        version = self.store.get_version(project_id)
        apply_operations(version_lines(version), version_pricing(version), operations)
        proposal = Proposal(title=title, reason=reason, operations=operations)
        return self._store_proposals(project_id, version.number, title, [proposal], Author.QUICK_ACTION, user)[0]

    def quick_budget(self, project_id: int, cap: Decimal, *, user: str) -> list[StoredProposal]:
        """Up to three proposals that fit the subtotal before tax under `cap`.

        Built by the request parser's own code path (never a model), so the amounts it
        promises are exact whichever engine is active; it raises EngineError when the
        estimate is already within the cap or the cap cannot be met.
        """
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id)
        cap = _amount(cap, version.currency)
        text = t(
            "workflow.quick.budget.request", project.language, cap=format_money(cap, version.currency, project.language)
        )
        intent = Intent(IntentKind.FIT_BUDGET, text, amount=cap, currency=version.currency, basis=Basis.TAX_EXCLUDED)
        proposals = proposals_for(intent, self._context(project, version, text))
        return self._store_proposals(project_id, version.number, text, proposals, Author.QUICK_ACTION, user)

    def quick_unit_cost(self, project_id: int, unit_cost: Decimal, *, user: str) -> StoredProposal:
        lang = self.store.get_project(project_id).language
        currency = self.store.get_version(project_id).currency
        unit_cost = _amount(unit_cost, currency)
        return self.propose_operations(
            project_id,
            t("workflow.quick.unit_cost.title", lang, value=format_money(unit_cost, currency, lang)),
            t("workflow.quick.unit_cost.reason", lang),
            [Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=unit_cost)],
            user=user,
        )

    def quick_risk_buffer(self, project_id: int, percent: Decimal, *, user: str) -> StoredProposal:
        lang = self.store.get_project(project_id).language
        if not percent.is_finite() or not 0 < percent <= 100:
            raise InvalidInputError("errors.input.bad_percent", value=format(percent, "f"))
        shown = format_number(percent, lang)
        return self.propose_operations(
            project_id,
            t("offline.adjust.title.risk_buffer", lang, percent=shown),
            t("offline.adjust.reason.risk_buffer", lang, percent=shown),
            [risk_buffer_operation(percent, lang)],
            user=user,
        )

    def quick_remove(self, project_id: int, names: Sequence[str], *, user: str) -> StoredProposal:
        lang = self.store.get_project(project_id).language
        if not names:
            raise InvalidInputError("errors.input.nothing_selected")
        return self.propose_operations(
            project_id,
            t("workflow.quick.remove.title", lang, names="、".join(names) if lang == "ja" else ", ".join(names)),
            t("workflow.quick.remove.reason", lang),
            [Operation(kind=OperationKind.REMOVE_LINE, line=name) for name in names],
            user=user,
        )

    def preview(self, project_id: int, proposal: StoredProposal) -> ProposalPreview:
        """What applying `proposal` to its base version would change; changed lines' reasoning names the proposal."""
        base = self.store.get_version(project_id, proposal.base_version)
        lines, pricing = version_lines(base), version_pricing(base)
        note = ChangeNote(proposal.title, self.store.get_project(project_id).language)
        after = apply_operations(lines, pricing, list(proposal.operations), note=note)
        return ProposalPreview(
            proposal=proposal,
            changes=diff_versions(lines, pricing, after.lines, after.pricing),
            before=price(lines, pricing),
            after=price(after.lines, after.pricing),
        )

    def apply_proposal(self, project_id: int, proposal_id: int, *, user: str) -> VersionSummary:
        """A new version (origin adjusted) from the proposal, following the version it was made for.

        Refused with the stale-version message when the estimate moved on since (another tab
        or process applied, edited or restored first); the version and the closing of this
        proposal and its siblings are one transaction. It keeps its base's inputs digest and
        rate table version: an adjustment changes the figures, not what they were estimated from.
        """
        proposal = stored_proposal(self.store.get_proposal(project_id, proposal_id))
        if proposal.status == ProposalStatus.APPLIED:
            raise InvalidInputError("errors.proposal.closed", proposal=proposal_id)
        latest = self.store.get_version(project_id)
        if latest.number != proposal.base_version:
            raise StaleWriteError("errors.proposal.outdated", base=proposal.base_version, latest=latest.number)
        if proposal.status != ProposalStatus.PENDING:
            raise InvalidInputError("errors.proposal.closed", proposal=proposal_id)
        preview = self.preview(project_id, proposal)
        return version_summary(
            self.store.append_version(
                project_id,
                lines=[item.line for item in preview.after.lines],
                pricing=preview.after.pricing,
                origin=VersionOrigin.ADJUSTED,
                engine=proposal.engine,
                base_number=proposal.base_version,
                applies_proposal=proposal_id,
                request_text=proposal.request_text or proposal.title,
                changes=[_change_record(change) for change in preview.changes],
                assumptions=latest.assumptions,
                exclusions=latest.exclusions,
                inputs_digest=latest.inputs_digest,
                rates_version=latest.rates_version,
                calibration=stored_calibration(latest.calibration),
                created_by=user,
            )
        )

    def discard_proposal(self, project_id: int, proposal_id: int) -> None:
        self.store.get_proposal(project_id, proposal_id)
        self.store.close_proposals(project_id, [proposal_id], ProposalStatus.DISCARDED)

    def restore_version(self, project_id: int, number: int, *, base_version: int, user: str) -> VersionSummary:
        """A new version (origin restored) equal to version `number`, following `base_version`; nothing overwritten.

        It carries the digest and rate table version of version `number`, whose lines it copies:
        it was estimated from that version's inputs, not from those of the version it follows.
        """
        source = self.store.get_version(project_id, number)
        base = self.store.get_version(project_id, base_version)
        lines, pricing = version_lines(source), version_pricing(source)
        changes = diff_versions(version_lines(base), version_pricing(base), lines, pricing)
        return version_summary(
            self.store.append_version(
                project_id,
                lines=lines,
                pricing=pricing,
                origin=VersionOrigin.RESTORED,
                engine=source.engine,
                base_number=base_version,
                request_text=t("workflow.restored_from", self.store.get_project(project_id).language, number=number),
                changes=[_change_record(change) for change in changes],
                assumptions=source.assumptions,
                exclusions=source.exclusions,
                inputs_digest=source.inputs_digest,
                rates_version=source.rates_version,
                calibration=stored_calibration(source.calibration),
                created_by=user,
            )
        )

    def edit_lines(
        self, project_id: int, person_days: dict[str, Decimal], *, base_version: int, user: str
    ) -> VersionSummary:
        """A new version (origin edited) of `base_version` with the given lines set to new person-days.

        Like an adjustment, it keeps its base's inputs digest and rate table version.
        """
        base = self.store.get_version(project_id, base_version)
        lines, pricing = version_lines(base), version_pricing(base)
        operations = [
            Operation(kind=OperationKind.SET_PERSON_DAYS, line=name, person_days=days)
            for name, days in person_days.items()
        ]
        if not operations:
            raise InvalidInputError("errors.input.nothing_changed")
        lang = self.store.get_project(project_id).language
        after = apply_operations(lines, pricing, operations, note=ChangeNote(t("adjustments.edited", lang), lang))
        changes = diff_versions(lines, pricing, after.lines, after.pricing)
        if not changes:
            raise InvalidInputError("errors.input.nothing_changed")
        return version_summary(
            self.store.append_version(
                project_id,
                lines=after.lines,
                pricing=after.pricing,
                origin=VersionOrigin.EDITED,
                engine=Author.MANUAL,
                base_number=base_version,
                request_text="",
                changes=[_change_record(change) for change in changes],
                assumptions=base.assumptions,
                exclusions=base.exclusions,
                inputs_digest=base.inputs_digest,
                rates_version=base.rates_version,
                calibration=stored_calibration(base.calibration),
                created_by=user,
            )
        )

    # Rate tables

    def rate_table(self, version: int | None = None) -> RateTable:
        """Rate table `version`, or the current one (the newest; the shipped defaults on first use) when None."""
        return self.store.current_rate_table() if version is None else self.store.rate_table(version)

    def save_rate_table(self, table: RateTable, *, user: str, note: str = "") -> RateTable:
        """Store `table` (edited on the Settings page) as a new version, once it passes the checks an import does."""
        return self.store.save_rate_table(validated(table), created_by=user, note=note)

    def export_rates(self, version: int | None = None) -> str:
        """Rate table `version` (the current one when None) as CSV, for a spreadsheet."""
        return rates_to_csv(self.rate_table(version))

    def import_rates(self, text: str | bytes, *, user: str, note: str = "") -> RateTable:
        """A rate table CSV (text, or a file's bytes as a spreadsheet saved them) stored as a new version.

        Nothing is stored unless the whole file is valid: InvalidInputError names the first problem.
        """
        return self.store.save_rate_table(rates_from_csv(text), created_by=user, note=note)

    def rate_table_versions(self) -> list[RateTableVersion]:
        """Every stored rate table version, oldest first."""
        return self.store.rate_table_versions()

    def current_rate_version(self) -> RateTableVersion:
        """Who stored the current rate table, when and why (on first use: the shipped defaults, version 1)."""
        return self._rate_version(self.store.current_rate_table())

    def _rate_version(self, table: RateTable) -> RateTableVersion:
        return next(info for info in self.store.rate_table_versions() if info.version == table.version)

    def rate_rows(self, project_type: str, version: int | None = None) -> list[RateRow]:
        """The unit rates of `project_type` in rate table `version` (current when None), kind by kind, grade by grade.

        Plain rows for the Settings editor, which may not import the sizing's own types.
        """
        kind = _project_type(project_type)
        table = self.rate_table(version)
        return [_rate_row(table.rate(kind, unit, grade)) for unit in UNIT_KINDS for grade in GRADES]

    def phase_shares(self, project_type: str, version: int | None = None) -> dict[str, Decimal]:
        """The percent of effort per phase (phase value → percent) of `project_type`, in the phases' order."""
        ratios = self.rate_table(version).ratios(_project_type(project_type))
        return {phase.value: ratios[phase] for phase in PHASES if phase in ratios}

    def save_rate_rows(
        self,
        project_type: str,
        rows: Sequence[RateRow],
        shares: Mapping[str, Decimal],
        *,
        user: str,
        note: str = "",
        expected_version: int | None = None,
    ) -> RateTableVersion:
        """The current table with `project_type`'s rates and phase percents as edited, stored as a new version.

        What the Settings editor saves; every other type keeps its figures, and so does a kind,
        grade or phase the edit leaves out. Refused, with nothing stored, when a figure is out of
        range (the message names the item and column in the reader's language, not a CSV row),
        when the percents do not add up to 100, and as stale when the current table is no longer
        `expected_version`: someone stored a newer one since the editor was drawn, and saving
        over it would undo their figures for the other types.
        """
        kind = _project_type(project_type)
        base = self.store.current_rate_table()
        if expected_version is not None and base.version != expected_version:
            raise StaleWriteError("errors.rates.stale", version=expected_version, latest=base.version)
        rates = {rate.key: rate for rate in (_unit_rate(kind, row, number) for number, row in enumerate(rows, 1))}
        ratios = {**base.ratios(kind), **_phase_shares(shares)}
        total = sum(ratios.values(), Decimal(0))
        if abs(total - 100) > PHASE_SUM_TOLERANCE:
            raise InvalidInputError(
                "errors.rates.phase_sum", project_type=Phrase(f"sizing.type.{kind.value}"), total=_plain(total)
            )
        table = replace(base, rates={**base.rates, **rates}, phase_ratios={**base.phase_ratios, kind: ratios})
        return self._rate_version(self.save_rate_table(table, user=user, note=note))

    # The quote

    def quote_document(
        self, project_id: int, number: int | None = None, *, issue_date: date | None = None
    ) -> QuoteDocument:
        """Everything the 見積書 shows for version `number` (newest when None); revision = version number.

        担当 is the version's author as STAFF_NAMES names them, and left out when nobody signed in.
        """
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id, number)
        lang = project.language
        return QuoteDocument.from_settings(
            self.settings,
            issue_date=issue_date or date.today(),
            language=lang,
            client=project.client,
            title=project.title,
            quote_number=project.quote_number,
            revision=version.number,
            estimate=priced_version(version),
            assumptions=version.assumptions,
            exclusions=version.exclusions,
            qa=[QaItem(question=qa.question, answer=qa.answer) for qa in project.qa_pairs],
            history=[
                HistoryEntry(
                    version=step.number,
                    origin=step.origin,
                    request=step.request_text,
                    summary=_change_summary(step.changes, lang),
                    created_at=step.created_at,
                )
                for step in self._lineage(project_id, version)
            ],
            created_by=self.settings.staff_name(version.created_by),
        )

    def export_quote(self, project_id: int, number: int | None = None) -> tuple[str, bytes]:
        """(file name, .xlsx bytes) of the quote for version `number` (newest when None)."""
        document = self.quote_document(project_id, number)
        return quote_filename(document), build_quote_workbook(document)

    def import_legacy(self, path: Path, *, dry_run: bool, user: str) -> list[ImportedTask]:
        """Import every task of the legacy system's `app.db` (opened read-only) as a project, once.

        A task already imported is reported as such and left alone, so the command can run again after
        new tasks appeared; `dry_run` reads and plans everything and writes nothing. Amounts are always
        recomputed from person-days × unit cost; each line whose legacy float differs is reported.
        """
        tasks = read_legacy(path)
        ratios = self.store.current_rate_table().ratios(ProjectType.BUSINESS)
        done = self.store.legacy_ids()
        report: list[ImportedTask] = []
        for task in tasks:
            plan = plan_task(task, self.settings, ratios)
            imported = plan.project
            outcome = ImportOutcome.PLANNED if dry_run else ImportOutcome.IMPORTED
            project_id: int | None = None
            if task.id in done:
                outcome = ImportOutcome.ALREADY
            elif not dry_run:
                stored = self.store.import_project(imported, created_by=user)
                outcome = ImportOutcome.IMPORTED if stored is not None else ImportOutcome.ALREADY
                project_id = stored.id if stored is not None else None
            report.append(
                ImportedTask(
                    legacy_id=task.id,
                    title=imported.settings.title,
                    language=imported.settings.language,
                    outcome=outcome,
                    project_id=project_id,
                    deliverables=len(imported.deliverables),
                    questions=len(imported.questions),
                    messages=len(imported.messages),
                    lines=len(imported.lines),
                    unit_cost=imported.pricing.unit_cost,
                    total=price(list(imported.lines), imported.pricing).total if imported.lines else None,
                    differences=plan.differences,
                    skipped_lines=plan.skipped_lines,
                )
            )
        return report

    def export_quote_pdf(self, project_id: int, number: int | None = None) -> tuple[str, bytes]:
        """(file name, PDF bytes) of the same quote as `export_quote`, with the same numbers."""
        document = self.quote_document(project_id, number)
        name = quote_filename(document).removesuffix(".xlsx") + ".pdf"
        return name, build_quote_pdf(document, find_font(self.settings.pdf_font))

    def pdf_problem(self) -> EstimatorError | None:
        """Why no PDF quote can be made here (no Japanese font), or None; the page disables its button with it."""
        try:
            find_font(self.settings.pdf_font)
        except EstimatorError as error:
            return error
        return None

    def _lineage(self, project_id: int, version: EstimateVersion) -> list[EstimateVersion]:
        """The versions that led to `version` since it was last generated, oldest first, following parents."""
        return lineage(version, {v.id: v for v in self.store.list_versions(project_id)})


def _rate_row(rate: UnitRate) -> RateRow:
    return RateRow(rate.kind.value, rate.grade.value, rate.days, rate.optimistic, rate.pessimistic)


def _unit_rate(project_type: ProjectType, row: RateRow, number: int) -> UnitRate:
    """Edited row `number` as a rate of `project_type`."""
    kind = _member(_KINDS, row.kind, "errors.rates.unknown_kind", number, "kind")
    grade = _member(_GRADES, row.grade, "errors.rates.unknown_grade", number, "grade")
    item = Phrase("rates.item", {"kind": Phrase(f"sizing.unit.{kind}"), "grade": Phrase(f"sizing.grade.{grade}")})
    return UnitRate(
        project_type,
        kind,
        grade,
        days=_figure(row.days, MAX_DAYS, item, "days"),
        optimistic=_figure(row.optimistic, MAX_OPTIMISTIC, item, "optimistic"),
        pessimistic=_figure(row.pessimistic, MAX_PESSIMISTIC, item, "pessimistic"),
    )


def _phase_shares(shares: Mapping[str, Decimal]) -> dict[Phase, Decimal]:
    """Edited phase percents by phase."""
    ratios: dict[Phase, Decimal] = {}
    for number, (name, percent) in enumerate(shares.items(), start=1):
        phase = _member(_PHASES, name, "errors.rates.unknown_phase", number, "phase")
        ratios[phase] = _figure(percent, MAX_PERCENT, Phrase(f"offline.phase.{phase}"), "percent")
    return ratios


def _member(known: Mapping[str, _Member], value: str, key: str, number: int, column: str) -> _Member:
    """The identifier an edited row names, or the refusal an import gives for it (only a caller's bug gets here:
    the editor's identifiers are read-only)."""
    if value not in known:
        raise InvalidInputError(key, row=number, column=column, value=value, allowed=", ".join(known))
    return known[value]


def _figure(value: Decimal, limit: Decimal, item: Phrase, column: str) -> Decimal:
    """An edited figure: 0 to `limit` in hundredths, else the refusal naming its item and column in words.

    The import's own checks would name a row of the CSV export, which the editor does not show.
    """
    if not value.is_finite() or not 0 <= value <= limit or value != value.quantize(QUANTUM):
        raise InvalidInputError(
            "errors.rates.editor_value",
            item=item,
            column=Phrase(f"rates.col.{column}"),
            value=_plain(value),
            limit=_plain(limit),
        )
    return value


def _amount(value: Decimal, currency: str) -> Decimal:
    """An amount typed for a quick action, in the currency's minor unit; refused unless finite and above zero."""
    if not value.is_finite() or value <= 0:
        raise InvalidInputError("errors.input.bad_amount", value=format(value, "f"))
    return value.quantize(quantum(currency))


def _totals(calls: Sequence[LLMCall]) -> CallTotals:
    return CallTotals(
        calls=len(calls),
        errors=sum(1 for call in calls if call.status != CallStatus.OK),
        prompt_tokens=sum(call.prompt_tokens for call in calls),
        completion_tokens=sum(call.completion_tokens for call in calls),
        cost_usd=sum((call.cost_usd for call in calls), Decimal(0)),
    )


def _listed(parts: Sequence[str], lang: str) -> str:
    """「A」、「B」 / “A”, “B”: request parts quoted as the user wrote them."""
    if lang == "ja":
        return "、".join(f"「{part}」" for part in parts)
    return ", ".join(f"“{part}”" for part in parts)


def _change_record(change: LineChange) -> dict[str, str | None]:
    """A diff line as JSON-safe text, stored with the version it produced."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "deliverable": change.deliverable,
        "status": change.status,
        "before_days": text(change.before_days),
        "after_days": text(change.after_days),
        "before_amount": text(change.before_amount),
        "after_amount": text(change.after_amount),
    }


def _change_summary(changes: list[dict[str, str | None]], lang: str) -> str:
    """「画面: 10 → 8」 lines for the Q&A sheet's history, numbers written as the project's language writes them."""

    def days(value: str | None) -> str:
        return "—" if not value else format_number(Decimal(value), lang)

    parts = []
    for change in changes:
        before = days(change.get("before_days"))
        after = days(change.get("after_days"))
        parts.append(
            t(
                f"workflow.change.{change.get('status')}",
                lang,
                line=change.get("deliverable"),
                before=before,
                after=after,
            )
        )
    return "\n".join(parts)


def open_workflow(settings: Settings, *, engine: Engine | None = None) -> Workflow:
    """The workflow over the configured database (migrated on open) and engine."""
    database = Database.from_url(settings.database_url_effective)
    return Workflow(Store(database), engine or make_engine(settings), settings)
