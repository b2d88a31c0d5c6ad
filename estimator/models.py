"""Typed SQLAlchemy 2.0 models.

Table names follow the legacy system where the concept is the same (`tasks`,
`deliverables`, `qa_pairs`, `messages`) so operators' queries keep working.
Money and person-days are never floats: `Scaled` stores a Decimal as an integer
of hundredths (or millionths for model costs), exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Scaled(TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of 10^-places units."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.places} decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).scaleb(-self.places)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Ids are never reused, on SQLite too: a link (?project=ID), another tab's open project and widget
# keys (versions, proposals) name rows by id, and must not reach a newer row once one is deleted.
AUTOINCREMENT: dict[str, Any] = {"sqlite_autoincrement": True}


class Base(DeclarativeBase):
    pass


class Project(Base):
    """An estimate project (legacy table `tasks`)."""

    __tablename__ = "tasks"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    unit_cost: Mapped[Decimal] = mapped_column(Scaled(2))
    tax_rate: Mapped[Decimal] = mapped_column(Scaled(2))
    rounding: Mapped[str] = mapped_column(String(10))
    quote_number: Mapped[str] = mapped_column(String(40), unique=True)
    system_requirements: Mapped[str] = mapped_column(Text, default="")
    # The `ProjectType` value the analyst chose; None: the engine detects the type from the list (0003).
    project_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # Where the project is in its life (a `ProjectStatus` value) and the version submitted to the client (0004).
    status: Mapped[str] = mapped_column(String(20), server_default="estimating")
    submitted_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Whether a new estimate applies the factors learned from the firm's actuals (0006).
    calibration: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # The legacy system's task id (a UUID) this project was imported from; None when made here (0008).
    legacy_id: Mapped[str | None] = mapped_column(String(36), unique=True, index=True, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    deliverables: Mapped[list[DeliverableRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="DeliverableRow.position"
    )
    qa_pairs: Mapped[list[QAPair]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="QAPair.position"
    )
    versions: Mapped[list[EstimateVersion]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="EstimateVersion.number"
    )
    messages: Mapped[list[Message]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Message.id"
    )
    proposals: Mapped[list[ProposalRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProposalRow.id"
    )
    status_changes: Mapped[list[StatusChangeRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="StatusChangeRow.id"
    )
    actuals: Mapped[list[ActualEffortRow]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ActualEffortRow.position"
    )


class QuoteCounter(Base):
    """The last quote number issued in a year.

    A counter rather than the highest number still in `tasks`, so a number whose project was
    deleted is never issued again: a quote the client holds keeps naming one project only.
    """

    __tablename__ = "quote_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class DeliverableRow(Base):
    __tablename__ = "deliverables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    project: Mapped[Project] = relationship(back_populates="deliverables")


class QAPair(Base):
    """A clarifying question and its answer (None while unanswered)."""

    __tablename__ = "qa_pairs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    question: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text, default="")
    affects: Mapped[list[str]] = mapped_column(JSON, default=list)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)

    project: Mapped[Project] = relationship(back_populates="qa_pairs")


class EstimateVersion(Base):
    """One stored version of an estimate (legacy table name `estimates`); never updated."""

    __tablename__ = "estimates"
    __table_args__ = (UniqueConstraint("task_id", "number"), AUTOINCREMENT)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("estimates.id", ondelete="SET NULL"), nullable=True)
    origin: Mapped[str] = mapped_column(String(20))
    engine: Mapped[str] = mapped_column(String(100))
    request_text: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    unit_cost: Mapped[Decimal] = mapped_column(Scaled(2))
    tax_rate: Mapped[Decimal] = mapped_column(Scaled(2))
    rounding: Mapped[str] = mapped_column(String(10))
    person_days: Mapped[Decimal] = mapped_column(Scaled(2))
    subtotal: Mapped[Decimal] = mapped_column(Scaled(2))
    tax: Mapped[Decimal] = mapped_column(Scaled(2))
    total: Mapped[Decimal] = mapped_column(Scaled(2))
    assumptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclusions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # SHA-256 of the inputs the estimate was made from (`workflow.inputs_digest`); None before migration 0002.
    inputs_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The rate table version the estimate was sized with; None before migration 0003. No foreign key:
    # rate table versions are never deleted, and one would make SQLite rebuild `estimates` to add it.
    rates_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The calibration factors the version was generated with, and their evidence; None before migration 0006.
    calibration: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="versions")
    lines: Mapped[list[EstimateLineRow]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="EstimateLineRow.position"
    )


class EstimateLineRow(Base):
    """One line of a version: person-days per phase (their sum is the line's person-days)."""

    __tablename__ = "estimate_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("estimates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    deliverable: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(30))
    requirements: Mapped[Decimal] = mapped_column(Scaled(2))
    basic_design: Mapped[Decimal] = mapped_column(Scaled(2))
    detailed_design: Mapped[Decimal] = mapped_column(Scaled(2))
    implementation: Mapped[Decimal] = mapped_column(Scaled(2))
    integration_test: Mapped[Decimal] = mapped_column(Scaled(2))
    system_test: Mapped[Decimal] = mapped_column(Scaled(2))
    pm_docs: Mapped[Decimal] = mapped_column(Scaled(2))
    person_days: Mapped[Decimal] = mapped_column(Scaled(2))
    optimistic: Mapped[Decimal] = mapped_column(Scaled(2))
    pessimistic: Mapped[Decimal] = mapped_column(Scaled(2))
    amount: Mapped[Decimal] = mapped_column(Scaled(2))
    reasoning: Mapped[str] = mapped_column(Text, default="")
    assumptions: Mapped[list[str]] = mapped_column(JSON, default=list)
    risks: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The factor learned from actuals the line was multiplied by (0006); 1 when none.
    calibration: Mapped[Decimal] = mapped_column(Scaled(2), server_default="100")

    version: Mapped[EstimateVersion] = relationship(back_populates="lines")


class RateTableRow(Base):
    """One version of the productivity tables (`estimator.sizing.rates`); never updated, never deleted.

    `version` is numbered by the store (the newest + 1, the primary key refusing a concurrent
    duplicate), not by a sequence: version 1 is written with its number when the shipped
    defaults are first stored, which a PostgreSQL sequence would not know about.
    """

    __tablename__ = "rate_tables"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rates: Mapped[list[UnitRateRow]] = relationship(back_populates="table", cascade="all, delete-orphan")
    phases: Mapped[list[PhaseRatioRow]] = relationship(back_populates="table", cascade="all, delete-orphan")


class UnitRateRow(Base):
    """Build-side person-days of one unit of a kind and grade in a project type, and its range in percent."""

    __tablename__ = "unit_rates"

    version: Mapped[int] = mapped_column(ForeignKey("rate_tables.version", ondelete="CASCADE"), primary_key=True)
    project_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    grade: Mapped[str] = mapped_column(String(10), primary_key=True)
    days: Mapped[Decimal] = mapped_column(Scaled(2))
    optimistic: Mapped[Decimal] = mapped_column(Scaled(2))
    pessimistic: Mapped[Decimal] = mapped_column(Scaled(2))

    table: Mapped[RateTableRow] = relationship(back_populates="rates")


class PhaseRatioRow(Base):
    """The percent of a project type's effort that goes to one phase."""

    __tablename__ = "phase_ratios"

    version: Mapped[int] = mapped_column(ForeignKey("rate_tables.version", ondelete="CASCADE"), primary_key=True)
    project_type: Mapped[str] = mapped_column(String(30), primary_key=True)
    phase: Mapped[str] = mapped_column(String(30), primary_key=True)
    percent: Mapped[Decimal] = mapped_column(Scaled(2))

    table: Mapped[RateTableRow] = relationship(back_populates="phases")


class StatusChangeRow(Base):
    """One move of a project's status, appended and never changed: who, when, to what, with which version."""

    __tablename__ = "project_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="status_changes")


class ActualEffortRow(Base):
    """Actual person-days spent on one line of the project (one phase of it, or the line as a whole);
    a line added during delivery is a change request. Replaced as a whole set, like the deliverables."""

    __tablename__ = "actual_efforts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    deliverable: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str | None] = mapped_column(String(30), nullable=True)
    person_days: Mapped[Decimal] = mapped_column(Scaled(2))
    change_request: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="actuals")


class Message(Base):
    """The adjustment chat: requests and the replies shown to them."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    # A clarifying question's choices: [{"label": …, "request": …}]; NULL for every other message.
    choices: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="messages")


class ProposalRow(Base):
    """A proposed adjustment against one version, kept until applied or discarded."""

    __tablename__ = "proposals"
    __table_args__ = (AUTOINCREMENT,)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    base_version: Mapped[int] = mapped_column(Integer)
    request_text: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    understood: Mapped[str] = mapped_column(Text, default="", server_default="")
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    engine: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="proposals")


class LLMCall(Base):
    """Every engine call that reached (or was meant to reach) a model, for cost and audit."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    model: Mapped[str] = mapped_column(String(100))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Scaled(8), default=Decimal(0))
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="local")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
