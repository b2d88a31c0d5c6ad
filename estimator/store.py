"""Persistence operations; the only module that writes SQL (through the ORM).

Every operation runs in its own transaction. Writes that change a project take
the `row_version` the caller read and are refused with `StaleWriteError` when
someone saved in between, so two browser tabs never silently overwrite each
other. Estimate versions are append-only: nothing here updates or deletes a
version except deleting its whole project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from estimator.db import Database
from estimator.errors import InvalidInputError, NotFoundError, StaleWriteError
from estimator.history.records import CompletedProject
from estimator.models import (
    ActualEffortRow,
    DeliverableRow,
    EstimateLineRow,
    EstimateVersion,
    LLMCall,
    Message,
    PhaseRatioRow,
    Project,
    ProposalRow,
    QAPair,
    QuoteCounter,
    RateTableRow,
    StatusChangeRow,
    UnitRateRow,
    utcnow,
)
from estimator.schemas import (
    NO_CALIBRATION,
    PHASES,
    ActualEntry,
    Answer,
    Calibration,
    CalibrationFactor,
    CallRecord,
    ChatMessage,
    ChatRole,
    Choice,
    Deliverable,
    DeliverableKind,
    EstimateLine,
    ImportedProject,
    Operation,
    Phase,
    PhaseDays,
    PricedEstimate,
    Pricing,
    ProjectDetail,
    ProjectSettings,
    ProjectStatus,
    ProjectSummary,
    Proposal,
    ProposalStatus,
    Question,
    QuestionAnswer,
    RateTableVersion,
    StatusChange,
    StoredProposal,
    VersionOrigin,
    VersionSummary,
    price,
)
from estimator.sizing.kinds import Grade, ProjectType, UnitKind
from estimator.sizing.rates import (
    DEFAULT_RATES,
    DEFAULTS_AUTHOR,
    DEFAULTS_NOTE,
    DEFAULTS_UPDATED_NOTE,
    RateTable,
    UnitRate,
)

WRITE_ATTEMPTS = 5
"""How often a write that lost a race for a primary key (a quote number, a rate table version) is tried again."""


def _affected(result: Result[Any]) -> int:
    """How many rows an UPDATE changed (an UPDATE's result is always a cursor result)."""
    return cast(CursorResult[Any], result).rowcount


def _bump(session: Session, project_id: int, expected: int | None) -> int:
    """Advance the project's row version, refusing when `expected` is stale; returns the new one."""
    statement = (
        update(Project).where(Project.id == project_id).values(row_version=Project.row_version + 1, updated_at=utcnow())
    )
    if expected is not None:
        statement = statement.where(Project.row_version == expected)
    if _affected(session.execute(statement)) == 0:
        _require_project(session, project_id)
        raise StaleWriteError("errors.stale_write", project=project_id)
    return session.execute(select(Project.row_version).where(Project.id == project_id)).scalar_one()


def _head_number(session: Session, project_id: int) -> int | None:
    """The newest version's number, None before the first estimate."""
    return session.execute(
        select(func.max(EstimateVersion.number)).where(EstimateVersion.task_id == project_id)
    ).scalar_one()


def _close_applied(session: Session, project_id: int, proposal_id: int, base_number: int | None) -> None:
    """Mark the proposal applied (it must still be pending) and its pending siblings on the same base discarded."""
    applied = _affected(
        session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.task_id == project_id,
                ProposalRow.id == proposal_id,
                ProposalRow.status == ProposalStatus.PENDING,
            )
            .values(status=ProposalStatus.APPLIED)
        )
    )
    if applied != 1:
        raise InvalidInputError("errors.proposal.closed", proposal=proposal_id)
    session.execute(
        update(ProposalRow)
        .where(
            ProposalRow.task_id == project_id,
            ProposalRow.base_version == base_number,
            ProposalRow.status == ProposalStatus.PENDING,
        )
        .values(status=ProposalStatus.DISCARDED)
    )


def _require_project(session: Session, project_id: int) -> None:
    """NotFoundError when the project is not there (a row it owns is asked for, or written to)."""
    if session.get(Project, project_id) is None:
        raise NotFoundError("errors.not_found.project", project=project_id)


def _project(session: Session, project_id: int) -> Project:
    project = session.execute(
        select(Project)
        .where(Project.id == project_id)
        .options(selectinload(Project.deliverables), selectinload(Project.qa_pairs))
    ).scalar_one_or_none()
    if project is None:
        raise NotFoundError("errors.not_found.project", project=project_id)
    return project


def _new_project(session: Session, settings: ProjectSettings, created_by: str) -> Project:
    project = Project(
        title=settings.title,
        client=settings.client,
        language=settings.language,
        currency=settings.currency,
        unit_cost=settings.unit_cost,
        tax_rate=settings.tax_rate,
        rounding=settings.rounding,
        quote_number=_next_quote_number(session, utcnow().year),
        created_by=created_by,
    )
    session.add(project)
    session.flush()
    return project


def _qa_row(position: int, question: Question, answer: str | None) -> QAPair:
    return QAPair(
        position=position,
        key=question.key,
        kind=question.kind.value,
        question=question.text,
        why=question.why,
        affects=list(question.affects),
        choices=list(question.choices),
        answer=answer,
    )


IMPORT_ENGINE = "legacy"
"""The engine an imported version is recorded under: the legacy system made it."""


def _version_row(
    project_id: int,
    number: int,
    parent_id: int | None,
    priced: PricedEstimate,
    *,
    origin: VersionOrigin,
    engine: str,
    request_text: str = "",
    changes: list[dict[str, Any]] | None = None,
    assumptions: Sequence[str] = (),
    exclusions: Sequence[str] = (),
    inputs_digest: str | None = None,
    rates_version: int | None = None,
    calibration: Calibration = NO_CALIBRATION,
    created_by: str = "local",
) -> EstimateVersion:
    """A version row with its line rows, priced as `priced` says; the caller adds it to its session."""
    pricing = priced.pricing
    version = EstimateVersion(
        task_id=project_id,
        number=number,
        parent_id=parent_id,
        origin=origin,
        engine=engine,
        request_text=request_text,
        changes=changes or [],
        currency=pricing.currency,
        unit_cost=pricing.unit_cost,
        tax_rate=pricing.tax_rate,
        rounding=pricing.rounding,
        person_days=priced.person_days,
        subtotal=priced.subtotal,
        tax=priced.tax,
        total=priced.total,
        assumptions=list(assumptions),
        exclusions=list(exclusions),
        inputs_digest=inputs_digest,
        rates_version=rates_version,
        calibration=calibration_record(calibration),
        created_by=created_by,
    )
    for position, item in enumerate(priced.lines):
        line = item.line
        version.lines.append(
            EstimateLineRow(
                position=position,
                deliverable=line.deliverable,
                description=line.description,
                kind=line.kind.value,
                person_days=line.person_days,
                optimistic=line.optimistic,
                pessimistic=line.pessimistic,
                amount=item.amount,
                reasoning=line.reasoning,
                assumptions=list(line.assumptions),
                risks=list(line.risks),
                calibration=line.calibration,
                **{p.value: line.phases.get(p) for p in PHASES},
            )
        )
    return version


def _next_quote_number(session: Session, year: int) -> str:
    """Take the year's next number from its counter, in the caller's transaction.

    The increment is one UPDATE … RETURNING, so two writers are serialised by the row's lock
    and each gets its own number; a number goes with the project whose insert commits it, and
    is never handed out again even when that project is deleted. The first number of a year
    inserts the year's row: a concurrent first insert hits the primary key (IntegrityError),
    which `Store._with_quote_number` retries, then finding the row.
    """
    issued = session.execute(
        update(QuoteCounter)
        .where(QuoteCounter.year == year)
        .values(last_number=QuoteCounter.last_number + 1)
        .returning(QuoteCounter.last_number)
    ).scalar_one_or_none()
    if issued is None:
        issued = 1
        session.add(QuoteCounter(year=year, last_number=issued))
        session.flush()
    return f"Q-{year}-{issued:04d}"


def version_lines(version: EstimateVersion) -> list[EstimateLine]:
    """The stored lines of a version as value objects."""
    return [
        EstimateLine(
            deliverable=row.deliverable,
            description=row.description,
            kind=DeliverableKind(row.kind),
            phases=PhaseDays(**{p.value: getattr(row, p.value) for p in PHASES}),
            optimistic=row.optimistic,
            pessimistic=row.pessimistic,
            reasoning=row.reasoning,
            assumptions=list(row.assumptions),
            risks=list(row.risks),
            calibration=row.calibration,
        )
        for row in version.lines
    ]


def lineage(version: EstimateVersion, by_id: dict[int, EstimateVersion]) -> list[EstimateVersion]:
    """The versions that led to `version` since it was last generated, oldest first, following parents."""
    chain = [version]
    while chain[-1].origin != VersionOrigin.GENERATED and chain[-1].parent_id in by_id and len(chain) <= len(by_id):
        chain.append(by_id[chain[-1].parent_id])
    return list(reversed(chain))


def _actual_entry(row: ActualEffortRow) -> ActualEntry:
    return ActualEntry(
        row.deliverable, row.person_days, None if row.phase is None else Phase(row.phase), row.change_request
    )


def calibration_record(calibration: Calibration) -> dict[str, Any]:
    """A version's calibration as the JSON it is stored in (figures as strings: no float on the way)."""
    return {
        "enabled": calibration.enabled,
        "completed": calibration.completed,
        "factors": [
            {
                "kind": None if factor.kind is None else factor.kind.value,
                "phase": None if factor.phase is None else factor.phase.value,
                "project_type": factor.project_type,
                "engine": factor.engine,
                "factor": str(factor.factor),
                "median_ratio": str(factor.median_ratio),
                "projects": factor.projects,
                "lines": factor.lines,
                "used": factor.used,
            }
            for factor in calibration.factors
        ],
    }


def stored_calibration(record: dict[str, Any] | None) -> Calibration:
    """The calibration a version stored; a version from before migration 0006 had none."""
    if not record:
        return NO_CALIBRATION
    return Calibration(
        enabled=bool(record["enabled"]),
        completed=int(record["completed"]),
        factors=tuple(
            CalibrationFactor(
                kind=None if item["kind"] is None else DeliverableKind(item["kind"]),
                phase=None if item["phase"] is None else Phase(item["phase"]),
                project_type=item["project_type"],
                engine=item["engine"],
                factor=Decimal(item["factor"]),
                median_ratio=Decimal(item["median_ratio"]),
                projects=int(item["projects"]),
                lines=int(item["lines"]),
                used=bool(item["used"]),
            )
            for item in record["factors"]
        ),
    )


def version_pricing(version: EstimateVersion) -> Pricing:
    return Pricing(
        currency=version.currency, unit_cost=version.unit_cost, tax_rate=version.tax_rate, rounding=version.rounding
    )


def priced_version(version: EstimateVersion) -> PricedEstimate:
    """A stored version added up again by the money rules (equal to its stored totals)."""
    return price(version_lines(version), version_pricing(version))


def project_detail(project: Project) -> ProjectDetail:
    """A stored project (loaded with its deliverables and questions) as a value."""
    return ProjectDetail(
        id=project.id,
        title=project.title,
        client=project.client,
        language=project.language,
        pricing=Pricing(
            currency=project.currency,
            unit_cost=project.unit_cost,
            tax_rate=project.tax_rate,
            rounding=project.rounding,
        ),
        quote_number=project.quote_number,
        system_requirements=project.system_requirements,
        deliverables=tuple(Deliverable(name=row.name, description=row.description) for row in project.deliverables),
        qa_pairs=tuple(
            QuestionAnswer(**_question_fields(qa), affects=tuple(qa.affects), choices=tuple(qa.choices))
            for qa in project.qa_pairs
        ),
        row_version=project.row_version,
        created_by=project.created_by,
        created_at=project.created_at,
        updated_at=project.updated_at,
        project_type=project.project_type,
        status=ProjectStatus(project.status),
        submitted_version=project.submitted_version,
        calibration=project.calibration,
    )


def _question_fields(qa: QAPair) -> dict[str, Any]:
    """A stored question's text and answer, as both its copy and its value take them."""
    return {"key": qa.key, "kind": qa.kind, "question": qa.question, "why": qa.why, "answer": qa.answer}


def _owned(row: EstimateVersion | ProposalRow) -> dict[str, Any]:
    """What every row a project owns carries: its id, its project, who made it and when."""
    return {"id": row.id, "project_id": row.task_id, "created_by": row.created_by, "created_at": row.created_at}


def version_summary(version: EstimateVersion) -> VersionSummary:
    return VersionSummary(
        **_owned(version),
        number=version.number,
        parent_id=version.parent_id,
        origin=VersionOrigin(version.origin),
        engine=version.engine,
        request_text=version.request_text,
        pricing=version_pricing(version),
        person_days=version.person_days,
        subtotal=version.subtotal,
        tax=version.tax,
        total=version.total,
        assumptions=tuple(version.assumptions),
        exclusions=tuple(version.exclusions),
        inputs_digest=version.inputs_digest,
        rates_version=version.rates_version,
        calibration=stored_calibration(version.calibration),
    )


def rate_table(row: RateTableRow) -> RateTable:
    """A stored rate table (loaded with its rows) as a value.

    A row naming a type, kind, grade or phase this code does not know (written by a newer
    release sharing the database) is left out; `RateTable.rate` falls back for what is missing.
    """
    rates = [
        UnitRate(ProjectType(r.project_type), UnitKind(r.kind), Grade(r.grade), r.days, r.optimistic, r.pessimistic)
        for r in row.rates
        if _known(ProjectType, r.project_type) and _known(UnitKind, r.kind) and _known(Grade, r.grade)
    ]
    ratios: dict[ProjectType, dict[Phase, Decimal]] = {}
    for p in row.phases:
        if _known(ProjectType, p.project_type) and _known(Phase, p.phase):
            ratios.setdefault(ProjectType(p.project_type), {})[Phase(p.phase)] = p.percent
    return RateTable(version=row.version, rates={rate.key: rate for rate in rates}, phase_ratios=ratios, note=row.note)


def _known(kind: type[StrEnum], value: str) -> bool:
    return value in kind._value2member_map_


def _rate_table_row(table: RateTable, version: int, created_by: str, note: str) -> RateTableRow:
    return RateTableRow(
        version=version,
        note=note,
        created_by=created_by,
        rates=[
            UnitRateRow(
                project_type=rate.project_type.value,
                kind=rate.kind.value,
                grade=rate.grade.value,
                days=rate.days,
                optimistic=rate.optimistic,
                pessimistic=rate.pessimistic,
            )
            for rate in table.rates.values()
        ],
        phases=[
            PhaseRatioRow(project_type=project_type.value, phase=phase.value, percent=percent)
            for project_type, ratios in table.phase_ratios.items()
            for phase, percent in ratios.items()
        ],
    )


def _newest_rate_version(session: Session) -> int | None:
    return session.execute(select(func.max(RateTableRow.version))).scalar_one()


def _rate_author(session: Session, version: int) -> str:
    return session.execute(select(RateTableRow.created_by).where(RateTableRow.version == version)).scalar_one()


def _same_figures(a: RateTable, b: RateTable) -> bool:
    """Whether two tables hold the same rates and phase ratios, whatever their versions and notes."""
    ratios = {kind: dict(shares) for kind, shares in a.phase_ratios.items()}
    return dict(a.rates) == dict(b.rates) and ratios == {kind: dict(shares) for kind, shares in b.phase_ratios.items()}


def _stored_rate_table(session: Session, version: int) -> RateTable:
    row = session.execute(
        select(RateTableRow)
        .where(RateTableRow.version == version)
        .options(selectinload(RateTableRow.rates), selectinload(RateTableRow.phases))
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError("errors.not_found.rate_table", version=version)
    return rate_table(row)


def stored_proposal(row: ProposalRow) -> StoredProposal:
    return StoredProposal(
        **_owned(row),
        base_version=row.base_version,
        request_text=row.request_text,
        title=row.title,
        reason=row.reason,
        understood=row.understood,
        operations=tuple(Operation.model_validate(op) for op in row.operations),
        engine=row.engine,
        status=ProposalStatus(row.status),
    )


def chat_message(message: Message) -> ChatMessage:
    return ChatMessage(
        id=message.id,
        role=ChatRole(message.role),
        content=message.content,
        created_by=message.created_by,
        created_at=message.created_at,
        choices=tuple(Choice(label=c["label"], request=c["request"]) for c in message.choices or ()),
    )


class Store:
    """Persistence for the walk; takes and returns ORM rows detached from their session."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create_project(self, settings: ProjectSettings, *, created_by: str = "local") -> Project:
        return self._with_quote_number(lambda session: _new_project(session, settings, created_by))

    def _with_quote_number(self, build: Callable[[Session], Project]) -> Project:
        """Run `build` in one transaction, again when a concurrent writer started the year's quote counter first."""
        for _attempt in range(WRITE_ATTEMPTS):
            try:
                with self.database.transaction() as session:
                    project = build(session)
                    return _project(session, project.id)
            except IntegrityError:
                continue
        raise InvalidInputError("errors.quote_number_busy")

    def import_project(self, imported: ImportedProject, *, created_by: str) -> Project | None:
        """Store a project another system kept — deliverables, Q&A, chat and its estimate as version 1 (origin
        imported) — in one transaction, so a failure leaves nothing half-imported. None when a project with
        the same `legacy_id` exists already: an import run twice adds nothing."""

        def build(session: Session) -> Project:
            project = _new_project(session, imported.settings, created_by)
            project.legacy_id = imported.legacy_id
            project.system_requirements = imported.requirements
            if imported.created_at is not None:
                project.created_at = imported.created_at
            for position, item in enumerate(imported.deliverables):
                project.deliverables.append(
                    DeliverableRow(position=position, name=item.name, description=item.description)
                )
            for position, asked in enumerate(imported.questions):
                project.qa_pairs.append(_qa_row(position, asked.question, asked.answer))
            for role, content in imported.messages:
                session.add(Message(task_id=project.id, role=role, content=content, created_by=created_by))
            if imported.lines:
                priced = price(list(imported.lines), imported.pricing)
                session.add(
                    _version_row(
                        project.id,
                        1,
                        None,
                        priced,
                        origin=VersionOrigin.IMPORTED,
                        engine="legacy",
                        created_by=created_by,
                    )
                )
            session.flush()
            return project

        if imported.legacy_id in self.legacy_ids():
            return None
        return self._with_quote_number(build)

    def legacy_ids(self) -> set[str]:
        """The legacy task ids already imported."""
        with self.database.transaction() as session:
            found = session.execute(select(Project.legacy_id).where(Project.legacy_id.is_not(None))).scalars()
            return {legacy_id for legacy_id in found if legacy_id is not None}

    def get_project(self, project_id: int) -> Project:
        with self.database.transaction() as session:
            return _project(session, project_id)

    def list_projects(self, search: str = "", status: ProjectStatus | None = None) -> list[ProjectSummary]:
        """Newest first; `search` matches title, client or quote number, case-insensitively; `status` filters."""
        with self.database.transaction() as session:
            latest = (
                select(EstimateVersion.task_id, func.max(EstimateVersion.number).label("number"))
                .group_by(EstimateVersion.task_id)
                .subquery()
            )
            counts = (
                select(DeliverableRow.task_id, func.count().label("count")).group_by(DeliverableRow.task_id).subquery()
            )
            query = (
                select(Project, EstimateVersion.number, EstimateVersion.total, counts.c.count)
                .outerjoin(latest, latest.c.task_id == Project.id)
                .outerjoin(
                    EstimateVersion,
                    (EstimateVersion.task_id == Project.id) & (EstimateVersion.number == latest.c.number),
                )
                .outerjoin(counts, counts.c.task_id == Project.id)
                .order_by(Project.updated_at.desc(), Project.id.desc())
            )
            if status is not None:
                query = query.where(Project.status == status.value)
            if search.strip():
                pattern = f"%{search.strip().lower()}%"
                query = query.where(
                    func.lower(Project.title).like(pattern)
                    | func.lower(Project.client).like(pattern)
                    | func.lower(Project.quote_number).like(pattern)
                )
            return [
                ProjectSummary(
                    id=project.id,
                    title=project.title,
                    client=project.client,
                    language=project.language,
                    currency=project.currency,
                    quote_number=project.quote_number,
                    updated_at=project.updated_at,
                    latest_version=number,
                    latest_total=total,
                    deliverable_count=count or 0,
                    status=ProjectStatus(project.status),
                )
                for project, number, total, count in session.execute(query)
            ]

    def set_status(
        self,
        project_id: int,
        status: ProjectStatus,
        *,
        version: int | None,
        changed_by: str,
        expected_row_version: int | None,
    ) -> Project:
        """Move the project to `status` and append the move (with the submitted `version`) to its history.

        The workflow checks the move is allowed; here it is one project write like the others, refused
        when `expected_row_version` is stale. A submission records its version as the baseline.
        """
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            values: dict[str, Any] = {"status": status.value}
            if status is ProjectStatus.SUBMITTED:
                values["submitted_version"] = version
            session.execute(update(Project).where(Project.id == project_id).values(**values))
            session.add(
                StatusChangeRow(task_id=project_id, status=status.value, version=version, changed_by=changed_by)
            )
            session.flush()
            return _project(session, project_id)

    def replace_actuals(
        self, project_id: int, entries: Sequence[ActualEntry], *, recorded_by: str, expected_row_version: int | None
    ) -> Project:
        """The project's actuals become `entries` (in their order), in one project write refused when stale."""
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            session.execute(delete(ActualEffortRow).where(ActualEffortRow.task_id == project_id))
            session.add_all(
                ActualEffortRow(
                    task_id=project_id,
                    position=position,
                    deliverable=entry.deliverable,
                    phase=None if entry.phase is None else entry.phase.value,
                    person_days=entry.person_days,
                    change_request=entry.change_request,
                    recorded_by=recorded_by,
                )
                for position, entry in enumerate(entries)
            )
            session.flush()
            return _project(session, project_id)

    def actuals(self, project_id: int) -> list[ActualEntry]:
        """The project's recorded actuals, in the order they were saved."""
        with self.database.transaction() as session:
            _require_project(session, project_id)
            rows = session.execute(
                select(ActualEffortRow).where(ActualEffortRow.task_id == project_id).order_by(ActualEffortRow.position)
            ).scalars()
            return [_actual_entry(row) for row in rows]

    def history_stamp(self) -> tuple[int, int, datetime | None]:
        """What changes whenever the completed projects' history does: their number, the sum of their row
        versions and their latest update (actuals, versions and status moves all bump the project)."""
        with self.database.transaction() as session:
            count, versions, latest = session.execute(
                select(
                    func.count(Project.id),
                    func.coalesce(func.sum(Project.row_version), 0),
                    func.max(Project.updated_at),
                ).where(Project.status == ProjectStatus.DONE.value)
            ).one()
            return int(count), int(versions), latest

    def completed_projects(self) -> list[tuple[ProjectDetail, CompletedProject]]:
        """Every project in 完了 that has actuals, with its baseline, its generated version and what it took.

        Four queries whatever the number of projects: this is read on every estimate and on every run of
        the Accuracy page. The project type is the analyst's choice (None: the caller detects it).
        """
        return self._histories(Project.status == ProjectStatus.DONE.value)

    def project_history(self, project_id: int) -> tuple[ProjectDetail, CompletedProject] | None:
        """One project's estimate and actuals as `completed_projects` reads them, whatever its status;
        None while it has no actuals or no version."""
        found = self._histories(Project.id == project_id)
        if not found:
            self.get_project(project_id)  # a project that does not exist is refused, not None
            return None
        return found[0]

    def _histories(self, which: ColumnElement[bool]) -> list[tuple[ProjectDetail, CompletedProject]]:
        with self.database.transaction() as session:
            projects = (
                session.execute(
                    select(Project)
                    .where(which)
                    .options(selectinload(Project.deliverables), selectinload(Project.qa_pairs))
                    .order_by(Project.id)
                )
                .scalars()
                .all()
            )
            ids = [project.id for project in projects]
            booked: dict[int, list[ActualEntry]] = {}
            for row in session.execute(
                select(ActualEffortRow)
                .where(ActualEffortRow.task_id.in_(ids))
                .order_by(ActualEffortRow.task_id, ActualEffortRow.position)
            ).scalars():
                booked.setdefault(row.task_id, []).append(_actual_entry(row))
            done_at = {
                row.task_id: row.changed_at
                for row in session.execute(
                    select(StatusChangeRow)
                    .where(StatusChangeRow.task_id.in_(ids), StatusChangeRow.status == ProjectStatus.DONE.value)
                    .order_by(StatusChangeRow.id)
                ).scalars()
            }
            versions: dict[int, dict[int, EstimateVersion]] = {}
            for version in session.execute(
                select(EstimateVersion)
                .where(EstimateVersion.task_id.in_(ids))
                .options(selectinload(EstimateVersion.lines))
            ).scalars():
                versions.setdefault(version.task_id, {})[version.id] = version
            result = []
            for project in projects:
                own = versions.get(project.id, {})
                if project.id not in booked or not own:
                    continue
                numbered = {version.number: version for version in own.values()}
                baseline = numbered.get(project.submitted_version or 0) or numbered[max(numbered)]
                generated = lineage(baseline, own)[0]
                result.append(
                    (
                        project_detail(project),
                        CompletedProject(
                            project_id=project.id,
                            title=project.title,
                            quote_number=project.quote_number,
                            project_type=project.project_type,
                            engine=generated.engine,
                            done_at=done_at.get(project.id),
                            version=baseline.number,
                            submitted=tuple(version_lines(baseline)),
                            generated=tuple(version_lines(generated)),
                            actuals=tuple(booked[project.id]),
                            generated_calibration=stored_calibration(generated.calibration),
                        ),
                    )
                )
            return result

    def status_changes(self, project_id: int) -> list[StatusChange]:
        """The project's status moves, oldest first."""
        with self.database.transaction() as session:
            _require_project(session, project_id)
            rows = session.execute(
                select(StatusChangeRow).where(StatusChangeRow.task_id == project_id).order_by(StatusChangeRow.id)
            ).scalars()
            return [StatusChange(ProjectStatus(r.status), r.version, r.changed_by, r.changed_at) for r in rows]

    def update_project(self, project_id: int, *, expected_row_version: int | None, **fields: Any) -> Project:
        """Change project settings (title, client, unit_cost, project_type …); refused when `expected_row_version`
        is stale."""
        allowed = {
            "title",
            "client",
            "language",
            "currency",
            "unit_cost",
            "tax_rate",
            "rounding",
            "project_type",
            "calibration",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not a project setting: {sorted(unknown)}")
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            if fields:
                session.execute(update(Project).where(Project.id == project_id).values(**fields))
            return _project(session, project_id)

    def duplicate_project(self, project_id: int, *, title: str, created_by: str = "local") -> Project:
        """A new project with the same settings, deliverables, requirements, project type and Q&A; no versions.

        One transaction: a failure leaves no half-copied project behind.
        """

        def build(session: Session) -> Project:
            source = _project(session, project_id)
            copy = _new_project(
                session,
                ProjectSettings(
                    title=title,
                    client=source.client,
                    language=source.language,
                    currency=source.currency,
                    unit_cost=source.unit_cost,
                    tax_rate=source.tax_rate,
                    rounding=source.rounding,
                ),
                created_by,
            )
            copy.system_requirements = source.system_requirements
            copy.project_type = source.project_type
            copy.calibration = source.calibration
            copy.deliverables.extend(
                DeliverableRow(position=row.position, name=row.name, description=row.description)
                for row in source.deliverables
            )
            copy.qa_pairs.extend(
                QAPair(position=qa.position, **_question_fields(qa), affects=list(qa.affects), choices=list(qa.choices))
                for qa in source.qa_pairs
            )
            session.flush()
            return copy

        return self._with_quote_number(build)

    def delete_project(self, project_id: int) -> None:
        """Delete a project and everything it owns; its LLM call records stay, unlinked, for cost history."""
        with self.database.transaction() as session:
            project = session.get(Project, project_id)
            if project is None:
                raise NotFoundError("errors.not_found.project", project=project_id)
            session.delete(project)

    def replace_deliverables(
        self,
        project_id: int,
        deliverables: Sequence[Deliverable],
        *,
        requirements: str | None = None,
        expected_row_version: int | None,
    ) -> Project:
        """Store the deliverable list (in order) and optionally the system requirements."""
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            project = _project(session, project_id)
            project.deliverables.clear()
            session.flush()
            for position, item in enumerate(deliverables):
                project.deliverables.append(
                    DeliverableRow(position=position, name=item.name, description=item.description)
                )
            if requirements is not None:
                project.system_requirements = requirements
            session.flush()
            return _project(session, project_id)

    def save_questions(
        self, project_id: int, questions: Sequence[Question], *, expected_row_version: int | None
    ) -> Project:
        """Replace the question list; an answer is kept when its question's key is asked again."""
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            project = _project(session, project_id)
            kept = {qa.key: qa.answer for qa in project.qa_pairs}
            project.qa_pairs.clear()
            session.flush()
            for position, question in enumerate(questions):
                project.qa_pairs.append(_qa_row(position, question, kept.get(question.key)))
            session.flush()
            return _project(session, project_id)

    def save_answers(
        self, project_id: int, answers: dict[str, str | None], *, expected_row_version: int | None
    ) -> Project:
        """Set answers by question key; blank text means unanswered."""
        with self.database.transaction() as session:
            _bump(session, project_id, expected_row_version)
            project = _project(session, project_id)
            for qa in project.qa_pairs:
                if qa.key in answers:
                    text = (answers[qa.key] or "").strip()
                    qa.answer = text or None
            session.flush()
            return _project(session, project_id)

    def answers(self, project_id: int) -> list[Answer]:
        project = self.get_project(project_id)
        return [Answer(key=qa.key, question=qa.question, answer=qa.answer) for qa in project.qa_pairs]

    def append_version(
        self,
        project_id: int,
        *,
        lines: Sequence[EstimateLine],
        pricing: Pricing,
        origin: VersionOrigin,
        engine: str,
        base_number: int | None,
        expected_row_version: int | None = None,
        applies_proposal: int | None = None,
        request_text: str = "",
        changes: list[dict[str, Any]] | None = None,
        assumptions: Sequence[str] = (),
        exclusions: Sequence[str] = (),
        inputs_digest: str | None = None,
        rates_version: int | None = None,
        calibration: Calibration = NO_CALIBRATION,
        created_by: str = "local",
    ) -> EstimateVersion:
        """Store the version that follows `base_number` (None: the project's first); totals come from `price`.

        A compare-and-set on the head: the new version is numbered `base_number + 1` and
        its parent is the base, and the database's unique (task_id, number) lets exactly
        one writer take that number, across processes and app instances. Whoever loses
        gets StaleWriteError naming the version the estimate is now at, and nothing is
        written. `expected_row_version`, when given, also refuses a project changed since it
        was read (the deliverables an estimate was made from). `applies_proposal` closes
        that proposal as applied and the other pending ones on the same base as discarded,
        in the same transaction. `inputs_digest` is stored as given: the caller knows
        whether the version was estimated from the inputs now or derived from another;
        `rates_version`, the rate table version it was sized with, and `calibration`, the factors it
        was generated with, likewise.
        """
        origin = VersionOrigin(origin)
        priced = price(list(lines), pricing)
        try:
            with self.database.transaction() as session:
                _bump(session, project_id, expected_row_version)
                head = _head_number(session, project_id)
                if head != base_number:
                    raise StaleWriteError("errors.stale_version", base=base_number or 0, latest=head or 0)
                parent_id = None
                if base_number is not None:
                    parent_id = self._version(session, project_id, base_number).id
                number = (base_number or 0) + 1
                version = _version_row(
                    project_id,
                    number,
                    parent_id,
                    priced,
                    origin=origin,
                    engine=engine,
                    request_text=request_text,
                    changes=changes or [],
                    assumptions=assumptions,
                    exclusions=exclusions,
                    inputs_digest=inputs_digest,
                    rates_version=rates_version,
                    calibration=calibration,
                    created_by=created_by,
                )
                session.add(version)
                session.flush()
                if applies_proposal is not None:
                    _close_applied(session, project_id, applies_proposal, base_number)
                return self._version(session, project_id, number)
        except IntegrityError:
            # Another writer took `number` between our read of the head and our insert.
            with self.database.transaction() as session:
                latest = _head_number(session, project_id)
            raise StaleWriteError("errors.stale_version", base=base_number or 0, latest=latest or 0) from None

    @staticmethod
    def _version(session: Session, project_id: int, number: int | None) -> EstimateVersion:
        query = select(EstimateVersion).where(EstimateVersion.task_id == project_id)
        if number is None:
            query = query.order_by(EstimateVersion.number.desc()).limit(1)
        else:
            query = query.where(EstimateVersion.number == number)
        version = session.execute(query.options(selectinload(EstimateVersion.lines))).scalar_one_or_none()
        if version is None:
            _require_project(session, project_id)
            raise NotFoundError("errors.not_found.version", project=project_id, version=number or "—")
        return version

    def get_version(self, project_id: int, number: int | None = None) -> EstimateVersion:
        """Version `number`, or the newest when None."""
        with self.database.transaction() as session:
            return self._version(session, project_id, number)

    def head_number(self, project_id: int) -> int | None:
        """The newest version's number (None before the first estimate): the base a new version follows."""
        with self.database.transaction() as session:
            return _head_number(session, project_id)

    def has_versions(self, project_id: int) -> bool:
        with self.database.transaction() as session:
            return bool(
                session.execute(
                    select(func.count()).select_from(EstimateVersion).where(EstimateVersion.task_id == project_id)
                ).scalar_one()
            )

    def list_versions(self, project_id: int) -> list[EstimateVersion]:
        """All versions, oldest first, without their lines."""
        with self.database.transaction() as session:
            return list(
                session.execute(
                    select(EstimateVersion)
                    .where(EstimateVersion.task_id == project_id)
                    .order_by(EstimateVersion.number)
                ).scalars()
            )

    # Rate tables: append-only versions, like estimates

    def current_rate_table(self) -> RateTable:
        """The newest rate table; on first use the shipped defaults, stored as version 1.

        When the newest version is shipped defaults nobody edited (its author is
        `DEFAULTS_AUTHOR`) and this release ships different ones, those are stored as the next
        version: a firm that never touched its table gets the new figures (new kinds included),
        a firm that edited it keeps its own, and every estimate keeps the version it was made
        with. Two processes racing for the same version number: the loser's transaction is
        rolled back whole and it reads the winner's table.
        """
        with self.database.transaction() as session:
            newest = _newest_rate_version(session)
            if newest is not None:
                stored = _stored_rate_table(session, newest)
                if _rate_author(session, newest) != DEFAULTS_AUTHOR or _same_figures(stored, DEFAULT_RATES):
                    return stored
        version = (newest or 0) + 1
        try:
            with self.database.transaction() as session:
                note = DEFAULTS_NOTE if version == 1 else DEFAULTS_UPDATED_NOTE
                session.add(_rate_table_row(DEFAULT_RATES, version, DEFAULTS_AUTHOR, note))
                session.flush()
                return _stored_rate_table(session, version)
        except IntegrityError:
            with self.database.transaction() as session:
                return _stored_rate_table(session, _newest_rate_version(session) or 1)

    def rate_table(self, version: int) -> RateTable:
        """Rate table `version` exactly as it was saved; NotFoundError when there is none."""
        with self.database.transaction() as session:
            return _stored_rate_table(session, version)

    def save_rate_table(self, table: RateTable, *, created_by: str, note: str = "") -> RateTable:
        """Store `table` as a new version (the newest + 1) with `note`; no stored version is ever changed.

        A concurrent save that took the same number first makes the primary key refuse this
        insert, and it is tried again with the next number.
        """
        for _attempt in range(WRITE_ATTEMPTS):
            try:
                with self.database.transaction() as session:
                    version = (_newest_rate_version(session) or 0) + 1
                    session.add(_rate_table_row(table, version, created_by, note))
                    session.flush()
                    return _stored_rate_table(session, version)
            except IntegrityError:
                continue
        raise InvalidInputError("errors.rates.busy")

    def rate_table_versions(self) -> list[RateTableVersion]:
        """Every stored rate table version without its rows, oldest first."""
        with self.database.transaction() as session:
            rows = session.execute(select(RateTableRow).order_by(RateTableRow.version)).scalars()
            return [RateTableVersion(row.version, row.created_at, row.created_by, row.note) for row in rows]

    def add_message(
        self,
        project_id: int,
        role: ChatRole,
        content: str,
        *,
        created_by: str = "local",
        choices: Sequence[Choice] = (),
    ) -> Message:
        with self.database.transaction() as session:
            _require_project(session, project_id)
            stored = [{"label": c.label, "request": c.request} for c in choices] or None
            message = Message(task_id=project_id, role=role, content=content, created_by=created_by, choices=stored)
            session.add(message)
            session.flush()
            return message

    def list_messages(self, project_id: int) -> list[Message]:
        with self.database.transaction() as session:
            return list(
                session.execute(select(Message).where(Message.task_id == project_id).order_by(Message.id)).scalars()
            )

    def save_proposals(
        self,
        project_id: int,
        *,
        base_version: int,
        request_text: str,
        proposals: Sequence[Proposal],
        engine: str,
        created_by: str = "local",
    ) -> list[ProposalRow]:
        with self.database.transaction() as session:
            _require_project(session, project_id)
            rows = [
                ProposalRow(
                    task_id=project_id,
                    base_version=base_version,
                    request_text=request_text,
                    title=proposal.title,
                    reason=proposal.reason,
                    understood=proposal.understood,
                    operations=[op.model_dump(mode="json") for op in proposal.operations],
                    engine=engine,
                    created_by=created_by,
                )
                for proposal in proposals
            ]
            session.add_all(rows)
            session.flush()
            return rows

    def get_proposal(self, project_id: int, proposal_id: int) -> ProposalRow:
        with self.database.transaction() as session:
            row = session.get(ProposalRow, proposal_id)
            if row is None or row.task_id != project_id:
                raise NotFoundError("errors.not_found.proposal", proposal=proposal_id)
            return row

    def pending_proposals(self, project_id: int) -> list[ProposalRow]:
        with self.database.transaction() as session:
            return list(
                session.execute(
                    select(ProposalRow)
                    .where(ProposalRow.task_id == project_id, ProposalRow.status == ProposalStatus.PENDING)
                    .order_by(ProposalRow.id)
                ).scalars()
            )

    def close_proposals(self, project_id: int, proposal_ids: Sequence[int], status: ProposalStatus) -> None:
        """Mark pending proposals applied or discarded; a proposal already closed is not reopened."""
        with self.database.transaction() as session:
            session.execute(
                update(ProposalRow)
                .where(
                    ProposalRow.task_id == project_id,
                    ProposalRow.id.in_(list(proposal_ids)),
                    ProposalRow.status == ProposalStatus.PENDING,
                )
                .values(status=status)
            )

    def record_llm_call(self, record: CallRecord, *, project_id: int | None, created_by: str = "local") -> None:
        with self.database.transaction() as session:
            session.add(
                LLMCall(
                    task_id=project_id,
                    kind=record.kind,
                    model=record.model,
                    prompt_tokens=record.prompt_tokens,
                    completion_tokens=record.completion_tokens,
                    cached_tokens=record.cached_tokens,
                    cost_usd=record.cost_usd.quantize(Decimal("0.00000001")),
                    latency_ms=record.latency_ms,
                    status=record.status,
                    error=record.error[:2000],
                    created_by=created_by,
                )
            )

    def cost_since(self, since: datetime) -> Decimal:
        with self.database.transaction() as session:
            total = session.execute(select(func.sum(LLMCall.cost_usd)).where(LLMCall.created_at >= since)).scalar_one()
            return total if total is not None else Decimal(0)

    def calls_since(self, since: datetime, *, created_by: str, except_model: str = "") -> int:
        """Calls by `created_by` since `since`; `except_model` leaves out the offline engine's own records."""
        with self.database.transaction() as session:
            return session.execute(
                select(func.count())
                .select_from(LLMCall)
                .where(LLMCall.created_at >= since, LLMCall.created_by == created_by, LLMCall.model != except_model)
            ).scalar_one()

    def llm_calls(self, *, since: datetime | None = None) -> list[LLMCall]:
        with self.database.transaction() as session:
            query = select(LLMCall).order_by(LLMCall.id)
            if since is not None:
                query = query.where(LLMCall.created_at >= since)
            return list(session.execute(query).scalars())

    def purge_older_than(self, days: int, *, dry_run: bool = False) -> list[ProjectSummary]:
        """Delete projects not updated for `days` days (and what they own); returns what was (or would be) deleted."""
        cutoff = utcnow() - timedelta(days=days)
        doomed = [p for p in self.list_projects() if p.updated_at < cutoff]
        if not dry_run:
            for project in doomed:
                self.delete_project(project.id)
        return doomed


def start_of_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_month(moment: datetime) -> datetime:
    return start_of_day(moment).replace(day=1)
