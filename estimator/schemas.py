"""Plain value types that cross layers: engines take and return these, the
workflow stores them, the Excel export and the pages show them.

Nothing here knows the database. Person-days are Decimal in hundredths; money
is never held here but computed by `estimator.money` from a line's person-days
and its version's unit cost, so a stored version can always be re-added up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from estimator.config import Rounding
from estimator.errors import InvalidInputError
from estimator.i18n import Language
from estimator.money import (
    CURRENCY_DIGITS,
    MAX_UNIT_COST,
    PERSON_DAY_QUANTUM,
    ROUNDING_MODES,
    currency_digits,
    is_unit_cost,
    line_amount,
    round_person_days,
    totals,
)
from estimator.text import is_blank, visible

FACTOR_QUANTUM = Decimal("0.01")
"""A calibration factor is stored and shown to hundredths (×1.32)."""
MAX_LINE_PERSON_DAYS = Decimal(500)
"""No line may exceed this: a deliverable that large is several deliverables."""
MIN_QUESTIONS = 3
MAX_QUESTIONS = 7
MAX_PROPOSALS = 3
NAME_LIMIT = 200
"""The longest deliverable name, in characters: typed, imported or saved, the same limit."""
DESCRIPTION_LIMIT = 5000
"""The longest deliverable description, in characters."""
MAX_DELIVERABLES = 1000
# The file types an upload is read from (`Workflow.read_upload`); the uploader offers exactly these.
UPLOAD_TYPES = ("xlsx", "csv")
"""The most deliverables one project may hold; an imported file may hold no more rows."""
OFFLINE_MODEL = "offline"
"""The name the embedded engine records its calls under; they cost nothing and never count against the rate limit."""


class Phase(StrEnum):
    """The six IPA phases of new development, plus documents / PM; order is the display order."""

    REQUIREMENTS = "requirements"
    BASIC_DESIGN = "basic_design"
    DETAILED_DESIGN = "detailed_design"
    IMPLEMENTATION = "implementation"
    INTEGRATION_TEST = "integration_test"
    SYSTEM_TEST = "system_test"
    PM_DOCS = "pm_docs"


PHASES: tuple[Phase, ...] = tuple(Phase)


class QuestionKind(StrEnum):
    COMPLEXITY = "complexity"
    SCHEDULE = "schedule"
    TEAM = "team"
    INTEGRATION = "integration"
    NON_FUNCTIONAL = "non_functional"
    SCOPE = "scope"
    ENVIRONMENT = "environment"


class DeliverableKind(StrEnum):
    DOCUMENT = "document"
    SCREEN = "screen"
    API = "api"
    BATCH = "batch"
    DATABASE = "database"
    TEST = "test"
    MANUAL = "manual"
    INFRASTRUCTURE = "infrastructure"
    PM = "pm"
    RISK_BUFFER = "risk_buffer"
    OTHER = "other"


def name_key(name: str) -> str:
    """What makes two deliverable names the same one: width, case and invisible or space ends ignored (ＡＰＩ = api).

    The one rule for "the same name": duplicates in a list or a file, a model's answer naming
    a line, an adjustment naming one. Two rules would let a name be a duplicate on one screen
    and a different line on the next.
    """
    return visible(unicodedata.normalize("NFKC", name)).casefold()


class Deliverable(BaseModel):
    name: str = Field(min_length=1, max_length=NAME_LIMIT)
    description: str = Field(default="", max_length=DESCRIPTION_LIMIT)

    @field_validator("name", "description", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        """Invisible ends go, so a name of zero-width spaces is empty and min_length=1 refuses it."""
        return visible(value) if isinstance(value, str) else value


def name_problem(name: str, *, row: int) -> InvalidInputError | None:
    """Why `name` cannot name the deliverable on row `row` (as the user numbers rows), or None.

    Too long, or empty once `Deliverable` strips its invisible ends (a name of zero-width spaces
    is empty, not a name).
    """
    if len(name) > NAME_LIMIT:
        return InvalidInputError("errors.input.name_too_long", row=row, limit=NAME_LIMIT)
    if is_blank(name):
        return InvalidInputError("errors.input.empty_name", row=row)
    return None


def description_problem(description: str, *, row: int) -> InvalidInputError | None:
    """Why `description` cannot describe the deliverable on row `row`, or None."""
    if len(description) > DESCRIPTION_LIMIT:
        return InvalidInputError("errors.import.description_too_long", row=row, limit=DESCRIPTION_LIMIT)
    return None


def unit_cost_problem(value: Decimal, currency: str) -> InvalidInputError | None:
    """Why `value` cannot be a unit cost in `currency` (a new project's, a quick action's, a model's), or None."""
    if is_unit_cost(value, currency):
        return None
    return InvalidInputError(
        f"errors.adjust.bad_unit_cost.{currency}", value=format(value, "f"), limit=format(MAX_UNIT_COST[currency], ",")
    )


def checked_deliverable(name: str, description: str, *, row: int) -> Deliverable:
    """Row `row` as a deliverable, or InvalidInputError with its first problem (the name's before the description's).

    The one check of a single deliverable: the table editor and the file import refuse the same
    rows with the same messages, and the limits are those `Deliverable` itself enforces, so a
    row that passes is never refused later by a pydantic error. The import, which lists every
    problem of a row, calls `name_problem` and `description_problem` itself.
    """
    for problem in (name_problem(name, row=row), description_problem(description, row=row)):
        if problem is not None:
            raise problem
    return Deliverable(name=name, description=description)


def check_deliverables(deliverables: Sequence[Deliverable]) -> None:
    """The rules every saved list obeys: at least one row, at most `MAX_DELIVERABLES`, names unique by `name_key`.

    Here, next to `checked_deliverable`, so whoever saves a list (a page, the command line)
    checks it the same way.
    """
    if not deliverables:
        raise InvalidInputError("errors.input.no_deliverables")
    if len(deliverables) > MAX_DELIVERABLES:
        raise InvalidInputError("errors.input.too_many", limit=MAX_DELIVERABLES)
    seen: set[str] = set()
    for row, item in enumerate(deliverables, start=1):
        key = name_key(item.name)
        if key in seen:
            raise InvalidInputError("errors.input.duplicate_name", row=row, name=item.name)
        seen.add(key)


class ProjectBrief(BaseModel):
    """What an engine is told about a project: never ids, never money."""

    language: Language
    title: str = ""
    deliverables: list[Deliverable] = Field(min_length=1)
    requirements: str = ""


class Question(BaseModel):
    """A clarifying question; `key` is stable so answers survive regeneration."""

    key: str
    text: str
    why: str = ""
    kind: QuestionKind
    affects: list[str] = Field(default_factory=list)
    choices: list[str] = Field(default_factory=list)


class QaItem(BaseModel):
    """A question as the quote's Q&A sheet lists it, with its answer (None or blank: unanswered)."""

    question: str
    answer: str | None = None

    @property
    def answered(self) -> bool:
        return bool(self.answer and self.answer.strip())


class Answer(QaItem):
    """An answer an engine is told, by the key of the question it answers."""

    key: str


class PhaseDays(BaseModel):
    """Person-days per phase; the line's person-days are their sum."""

    model_config = ConfigDict(frozen=True)

    requirements: Decimal = Decimal(0)
    basic_design: Decimal = Decimal(0)
    detailed_design: Decimal = Decimal(0)
    implementation: Decimal = Decimal(0)
    integration_test: Decimal = Decimal(0)
    system_test: Decimal = Decimal(0)
    pm_docs: Decimal = Decimal(0)

    @field_validator("*")
    @classmethod
    def _non_negative_hundredths(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("person-days cannot be negative")
        return round_person_days(value)

    def get(self, phase: Phase) -> Decimal:
        days: Decimal = getattr(self, phase)  # a Phase is its own field name (StrEnum); `.value` is slow
        return days

    @property
    def total(self) -> Decimal:
        # Spelled out: read for every line on every page run and every history project, a loop over
        # PHASES with enum look-ups was most of the time the Accuracy page took.
        return (
            self.requirements
            + self.basic_design
            + self.detailed_design
            + self.implementation
            + self.integration_test
            + self.system_test
            + self.pm_docs
        )

    def scaled(self, factor: Decimal) -> PhaseDays:
        """Every phase times `factor`, rounding residue put on the largest phase so the sum is exact."""
        return self.with_total(round_person_days(self.total * factor))

    def with_total(self, target: Decimal) -> PhaseDays:
        """The same split, rescaled so the phases add up to `target` exactly."""
        return _split({p: self.get(p) for p in PHASES}, target)

    def reshaped(self, weights: Mapping[Phase, Decimal]) -> PhaseDays:
        """The same total, split in proportion to each phase's days times its weight (1 for a phase not named)."""
        return _split({p: self.get(p) * weights.get(p, Decimal(1)) for p in PHASES}, self.total)

    def with_phase(self, phase: Phase, value: Decimal) -> PhaseDays:
        return self.model_copy(update={phase.value: round_person_days(value)})


def _split(amounts: Mapping[Phase, Decimal], target: Decimal) -> PhaseDays:
    """`target` person-days split among the phases in proportion to `amounts`, adding up exactly.

    Largest-remainder rounding in hundredths: every phase is rounded down, then the
    hundredths still missing go to the phases that lost the most, so no phase can go
    negative and the sum is exact even for tiny targets.
    """
    target = round_person_days(target)
    current = sum(amounts.values(), Decimal(0))
    if current == 0:
        return PhaseDays(implementation=target)
    shares = {p: amounts[p] * target / current / PERSON_DAY_QUANTUM for p in PHASES}
    units = {p: int(share.to_integral_value(rounding=ROUND_FLOOR)) for p, share in shares.items()}
    missing = int(target / PERSON_DAY_QUANTUM) - sum(units.values())
    by_remainder = sorted(PHASES, key=lambda p: (units[p] - shares[p], PHASES.index(p)))
    for phase in by_remainder[:missing]:
        units[phase] += 1
    return PhaseDays(**{p.value: Decimal(units[p]) * PERSON_DAY_QUANTUM for p in PHASES})


class EstimateLine(BaseModel):
    """One priced line: person-days = Σ phases = most likely; O and P bound it."""

    model_config = ConfigDict(frozen=True)

    deliverable: str = Field(min_length=1, max_length=200)
    description: str = ""
    kind: DeliverableKind = DeliverableKind.OTHER
    phases: PhaseDays
    optimistic: Decimal
    pessimistic: Decimal
    reasoning: str = ""
    assumptions: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    calibration: Decimal = Field(Decimal(1), gt=0, le=10)
    """The factor the firm's actuals multiplied the line by when it was generated (1: none); kept through
    adjustments so the estimate without calibration can always be shown."""

    @field_validator("optimistic", "pessimistic")
    @classmethod
    def _hundredths(cls, value: Decimal) -> Decimal:
        return round_person_days(value)

    @field_validator("calibration")
    @classmethod
    def _factor_hundredths(cls, value: Decimal) -> Decimal:
        return value.quantize(FACTOR_QUANTUM)

    @model_validator(mode="after")
    def _ordered_range(self) -> EstimateLine:
        days = self.person_days
        if days <= 0 or days > MAX_LINE_PERSON_DAYS:
            raise ValueError(f"person-days of {self.deliverable!r} must be > 0 and ≤ 500, got {days}")
        if not self.optimistic <= days <= self.pessimistic:
            raise ValueError(
                f"{self.deliverable!r}: expected optimistic ≤ most likely ≤ pessimistic, "
                f"got {self.optimistic} / {days} / {self.pessimistic}"
            )
        return self

    @property
    def person_days(self) -> Decimal:
        return self.phases.total

    @property
    def most_likely(self) -> Decimal:
        return self.person_days

    @property
    def expected(self) -> Decimal:
        """PERT mean E = (O + 4M + P) / 6."""
        return (self.optimistic + 4 * self.most_likely + self.pessimistic) / 6

    @property
    def variance(self) -> Decimal:
        """PERT σ² with σ = (P − O) / 6; variances of independent lines add."""
        return ((self.pessimistic - self.optimistic) / 6) ** 2

    def rescaled(self, factor: Decimal) -> EstimateLine:
        """The line with phases, O and P all multiplied by `factor`."""
        phases = self.phases.scaled(factor)
        return self._with_phases(phases, factor)

    def with_person_days(self, target: Decimal) -> EstimateLine:
        phases = self.phases.with_total(target)
        factor = phases.total / self.person_days
        return self._with_phases(phases, factor)

    def _with_phases(self, phases: PhaseDays, range_factor: Decimal) -> EstimateLine:
        days = phases.total
        optimistic = min(round_person_days(self.optimistic * range_factor), days)
        pessimistic = max(round_person_days(self.pessimistic * range_factor), days)
        return self.model_copy(update={"phases": phases, "optimistic": optimistic, "pessimistic": pessimistic})


class EstimateDraft(BaseModel):
    """What `Engine.estimate` returns: one line per deliverable, in input order, then any lines the engine
    added (whole-project phases the list has no line for); `project_type` is the type it sized with."""

    lines: list[EstimateLine] = Field(min_length=1)
    assumptions: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)
    project_type: str | None = None


class Pricing(BaseModel):
    """The money terms a version is priced with; stored on the version so it never changes."""

    model_config = ConfigDict(frozen=True)

    currency: Literal["JPY", "USD"]
    unit_cost: Decimal = Field(gt=0)
    tax_rate: Decimal = Field(ge=0, le=100)
    rounding: Rounding = "floor"

    @property
    def digits(self) -> int:
        """The currency's decimals: 0 for yen, 2 for dollars."""
        return currency_digits(self.currency)


class PricedLine(BaseModel):
    line: EstimateLine
    amount: Decimal


class PricedEstimate(BaseModel):
    """Lines with their amounts and the totals, all computed by `estimator.money`."""

    pricing: Pricing
    lines: list[PricedLine]
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    person_days: Decimal
    expected_person_days: Decimal
    sigma_person_days: Decimal

    def expected_range(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """PERT E ± 2σ in person-days, and the same in money before tax (the low end never below zero)."""
        spread = 2 * self.sigma_person_days
        low = max(self.expected_person_days - spread, Decimal(0))
        high = self.expected_person_days + spread
        pricing = self.pricing
        return (
            low,
            high,
            line_amount(low, pricing.unit_cost, pricing.currency, pricing.rounding),
            line_amount(high, pricing.unit_cost, pricing.currency, pricing.rounding),
        )


def price(lines: list[EstimateLine], pricing: Pricing) -> PricedEstimate:
    """Amounts and totals for `lines` under `pricing`: the one place a version is added up."""
    priced = [
        PricedLine(
            line=line,
            amount=line_amount(line.person_days, pricing.unit_cost, pricing.currency, pricing.rounding),
        )
        for line in lines
    ]
    summed = totals((p.amount for p in priced), pricing.tax_rate, pricing.currency, pricing.rounding)
    variance = sum((line.variance for line in lines), Decimal(0))
    return PricedEstimate(
        pricing=pricing,
        lines=priced,
        subtotal=summed.subtotal,
        tax=summed.tax,
        total=summed.total,
        person_days=sum((line.person_days for line in lines), Decimal(0)),
        expected_person_days=round_person_days(sum((line.expected for line in lines), Decimal(0))),
        sigma_person_days=round_person_days(variance.sqrt()) if variance else Decimal(0),
    )


class OperationKind(StrEnum):
    SCALE_LINE = "scale_line"
    SCALE_PHASE = "scale_phase"
    SET_PERSON_DAYS = "set_person_days"
    REMOVE_LINE = "remove_line"
    ADD_LINE = "add_line"
    SET_UNIT_COST = "set_unit_cost"
    ADD_RISK_BUFFER = "add_risk_buffer"


class Operation(BaseModel):
    """One change to a version. `line` names an existing line (None for all lines where allowed).

    - scale_line: line (or all), factor
    - scale_phase: phase, factor, line (or all)
    - set_person_days: line, person_days
    - remove_line: line
    - add_line: new_line
    - set_unit_cost: unit_cost
    - add_risk_buffer: percent (a new line of that share of the person-days, so days × cost still holds)
    """

    kind: OperationKind
    line: str | None = None
    phase: Phase | None = None
    factor: Decimal | None = Field(default=None, ge=0, le=10)
    person_days: Decimal | None = Field(default=None, gt=0, le=MAX_LINE_PERSON_DAYS)
    unit_cost: Decimal | None = Field(default=None, gt=0)
    percent: Decimal | None = Field(default=None, gt=0, le=100)
    new_line: EstimateLine | None = None


class Proposal(BaseModel):
    """A change offered to the analyst; `understood` states the request as it was read (「理解した内容」)."""

    title: str
    reason: str = ""
    understood: str = ""
    operations: list[Operation] = Field(min_length=1)


class AdjustmentContext(BaseModel):
    """What `Engine.adjust` sees: the current version's lines and pricing, and the request."""

    language: Language
    lines: list[EstimateLine]
    pricing: Pricing
    request: str
    understood: str = ""
    """The parts of the request the rules read, as stated to the analyst; sent to the model with the request."""


@dataclass(frozen=True)
class CallRecord:
    """One HTTP request to a model, as `llm_calls` stores it, whatever became of it.

    `status` is "ok" (a usable answer), "error" (an HTTP or connection error, a refusal, or an
    answer that could not be used; `error` says which) or "timeout" (the operation's deadline
    cut the request).
    """

    kind: str
    model: str
    status: str
    latency_ms: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    error: str = ""


# What the workflow returns to pages and the command line: plain values, never database rows,
# so a screen can change without reading the store and the store without reading a screen.

CURRENCIES: tuple[str, ...] = tuple(CURRENCY_DIGITS)
ROUNDINGS: tuple[str, ...] = tuple(ROUNDING_MODES)


class VersionOrigin(StrEnum):
    """How an estimate version came to be."""

    GENERATED = "generated"
    ADJUSTED = "adjusted"
    EDITED = "edited"
    RESTORED = "restored"
    IMPORTED = "imported"


class ProjectStatus(StrEnum):
    """Where a project is in its life: 見積中 → 提出済 → 受注 → 完了, or 失注 / 取下げ."""

    ESTIMATING = "estimating"
    SUBMITTED = "submitted"
    WON = "won"
    DONE = "done"
    LOST = "lost"
    WITHDRAWN = "withdrawn"


STATUS_TRANSITIONS: Mapping[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.ESTIMATING: frozenset({ProjectStatus.SUBMITTED, ProjectStatus.WITHDRAWN}),
    # A quote the client asks to revise goes back to 見積中, and is submitted again with its new version.
    ProjectStatus.SUBMITTED: frozenset(
        {ProjectStatus.WON, ProjectStatus.LOST, ProjectStatus.WITHDRAWN, ProjectStatus.ESTIMATING}
    ),
    ProjectStatus.WON: frozenset({ProjectStatus.DONE, ProjectStatus.WITHDRAWN}),
    # Finished is finished: its actuals are the evidence later estimates learn from.
    ProjectStatus.DONE: frozenset(),
    ProjectStatus.LOST: frozenset({ProjectStatus.ESTIMATING}),
    ProjectStatus.WITHDRAWN: frozenset({ProjectStatus.ESTIMATING}),
}
"""The moves a status may make; any other is refused with the moves it allows."""


class EffortUnit(StrEnum):
    """The unit a timesheet states effort in; person-days are what an estimate is in."""

    PERSON_DAYS = "person-days"
    HOURS = "hours"
    PERSON_MONTHS = "person-months"


@dataclass(frozen=True)
class ActualEntry:
    """Actual effort recorded against a project: for a line of its baseline version, or for a line added
    during delivery (`change_request`), and for one phase or (None) the line as a whole."""

    deliverable: str
    person_days: Decimal
    phase: Phase | None = None
    change_request: bool = False


@dataclass(frozen=True)
class CalibrationFactor:
    """A correction learned from completed projects, with its evidence.

    For a deliverable kind (`phase` None) it multiplies a line's person-days; for a phase
    (`kind` None) it reshapes the split of a line's days among phases and leaves its total.
    `project_type` None: learned from projects of every type; `engine` None: from projects of
    every engine. `used` is False while the evidence is below the minimum: the factor is shown,
    not applied.
    """

    kind: DeliverableKind | None
    phase: Phase | None
    project_type: str | None
    engine: str | None
    factor: Decimal
    median_ratio: Decimal
    projects: int
    lines: int
    used: bool


@dataclass(frozen=True)
class Calibration:
    """The factors a version was estimated with, stored with it so the version never changes.

    `enabled` False: the analyst or the operator had calibration off (the factors are then
    empty). `completed` is the number of completed projects with actuals it was learned from.
    """

    enabled: bool
    completed: int
    factors: tuple[CalibrationFactor, ...] = ()

    @property
    def applied(self) -> tuple[CalibrationFactor, ...]:
        return tuple(factor for factor in self.factors if factor.used)


NO_CALIBRATION = Calibration(enabled=False, completed=0)


@dataclass(frozen=True)
class Measures:
    """The field's accuracy measures over a set of observations (one per project, or per project and kind).

    MRE = |actual − estimate| / actual; MdMRE is its median, Pred(25) the share of observations
    with MRE ≤ 0.25; `bias` is the median of actual / estimate − 1 (+0.32: the work took 32 %
    more than estimated). None when there is no observation.
    """

    observations: int
    projects: int
    lines: int
    mdmre: float | None
    pred25: float | None
    bias: float | None


@dataclass(frozen=True)
class LineAccuracy:
    """A baseline line with actuals: its estimate as submitted and what it took, in person-days."""

    deliverable: str
    kind: DeliverableKind
    estimate: Decimal
    actual: Decimal
    calibration: Decimal = Decimal(1)


@dataclass(frozen=True)
class ProjectAccuracy:
    """A completed project's estimate against its actuals, over the baseline lines that have actuals.

    `estimate` is the submitted version (after adjustments); `first_estimate` the version it was
    first generated as, for the same lines; `change_requests`, the days of lines added in delivery,
    which no estimate covered and no ratio counts.
    """

    project_id: int
    title: str
    quote_number: str
    project_type: str | None
    engine: str
    done_at: datetime | None
    version: int
    estimate: Decimal
    first_estimate: Decimal
    actual: Decimal
    change_requests: Decimal
    lines: tuple[LineAccuracy, ...]

    @property
    def ratio(self) -> float:
        return float(self.actual / self.estimate)

    @property
    def mre(self) -> float:
        return float(abs(self.actual - self.estimate) / self.actual) if self.actual else float(self.estimate > 0)

    def by_kind(self) -> dict[DeliverableKind, tuple[Decimal, Decimal, int]]:
        """The lines with actuals added up per kind, in the kinds' order: (estimate, actual, lines)."""
        sums: dict[DeliverableKind, tuple[Decimal, Decimal, int]] = {}
        for line in self.lines:
            estimate, actual, count = sums.get(line.kind, (Decimal(0), Decimal(0), 0))
            sums[line.kind] = (estimate + line.estimate, actual + line.actual, count + 1)
        return {kind: sums[kind] for kind in DeliverableKind if kind in sums}


@dataclass(frozen=True)
class AccuracyReport:
    """Accuracy across completed projects: each project, and the measures overall (as submitted and as first
    generated), by deliverable kind, by phase and by project type, keyed by their values."""

    projects: tuple[ProjectAccuracy, ...]
    overall: Measures
    first_generated: Measures
    by_kind: Mapping[str, Measures]
    by_phase: Mapping[str, Measures]
    by_type: Mapping[str, Measures]


@dataclass(frozen=True)
class TimesheetRow:
    """One row of an imported timesheet, in person-days, and the baseline line it matched.

    `line` is the baseline line whose name is the row's by the project's one name rule
    (`name_key`); when none is, `suggestions` holds the lines whose names are close (rapidfuzz),
    for the analyst to confirm, and the row is shown, never dropped.
    """

    row: int
    name: str
    person_days: Decimal
    phase: Phase | None = None
    line: str | None = None
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timesheet:
    """An imported timesheet: its rows, the rows that could not be read, and where its header was."""

    rows: tuple[TimesheetRow, ...]
    problems: tuple[RowProblem, ...]
    sheet: str | None
    header_row: int
    units: tuple[EffortUnit, ...]
    """The units its effort columns were in, as read (converted to person-days in `rows`)."""


class ProposalStatus(StrEnum):
    """A proposal waits (pending) until it is applied as a new version or discarded; closed ones never reopen."""

    PENDING = "pending"
    APPLIED = "applied"
    DISCARDED = "discarded"


class Author(StrEnum):
    """Who made a proposal or a version when no model did (models are recorded by their name)."""

    QUICK_ACTION = "quick-action"
    MANUAL = "manual"


class CallStatus(StrEnum):
    """What became of one model request: a usable answer, an error, or the action's deadline."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"


class ChatRole(StrEnum):
    """Who wrote a chat message: the analyst, or the rules or model answering."""

    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class ProjectSettings:
    """What the analyst chooses when creating a project; defaults come from Settings."""

    title: str
    client: str
    language: str
    currency: str
    unit_cost: Decimal
    tax_rate: Decimal
    rounding: str


@dataclass(frozen=True)
class ProjectSummary:
    """One row of the project list."""

    id: int
    title: str
    client: str
    language: str
    currency: str
    quote_number: str
    updated_at: datetime
    latest_version: int | None
    latest_total: Decimal | None
    deliverable_count: int
    status: ProjectStatus = ProjectStatus.ESTIMATING


@dataclass(frozen=True)
class QuestionAnswer:
    """A stored clarifying question and its answer (None until answered)."""

    key: str
    kind: str
    question: str
    why: str
    affects: tuple[str, ...]
    choices: tuple[str, ...]
    answer: str | None


@dataclass(frozen=True)
class ProjectDetail:
    """A project as stored: settings, deliverables, requirements, questions; `row_version` guards its writes."""

    id: int
    title: str
    client: str
    language: str
    pricing: Pricing
    """The money terms a new version of this project is priced with."""
    quote_number: str
    system_requirements: str
    deliverables: tuple[Deliverable, ...]
    qa_pairs: tuple[QuestionAnswer, ...]
    row_version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    project_type: str | None = None
    """The project type the analyst chose for the sizing (a value of `sizing.kinds.ProjectType`); None: detected."""
    status: ProjectStatus = ProjectStatus.ESTIMATING
    submitted_version: int | None = None
    """The version submitted to the client: the baseline actuals are compared against (None until submitted)."""
    calibration: bool = True
    """Whether a new estimate of this project applies the factors learned from the firm's actuals."""


@dataclass(frozen=True)
class StatusChange:
    """One move of a project's status: who made it, when, and the version submitted with it."""

    status: ProjectStatus
    version: int | None
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class VersionSummary:
    """An estimate version without its lines: who made it, how, and its totals as stored."""

    id: int
    project_id: int
    number: int
    parent_id: int | None
    origin: VersionOrigin
    engine: str
    request_text: str
    pricing: Pricing
    """The money terms the version was priced with, stored with it."""
    person_days: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    assumptions: tuple[str, ...]
    exclusions: tuple[str, ...]
    inputs_digest: str | None
    """The digest of the inputs the version was estimated from (`workflow.inputs_digest`); None: not known."""
    rates_version: int | None
    """The rate table version the version was sized with; None: stored before rate tables existed."""
    created_by: str
    created_at: datetime
    calibration: Calibration = NO_CALIBRATION
    """The factors learned from actuals the version was generated with (a derived version keeps its base's)."""

    @property
    def currency(self) -> str:
        return self.pricing.currency


@dataclass(frozen=True)
class RateTableVersion:
    """A stored version of the productivity tables, without its rows: for the Settings page's history."""

    version: int
    created_at: datetime
    created_by: str
    note: str


@dataclass(frozen=True)
class RateRow:
    """One unit rate of a project type as the Settings editor shows it: identifiers as text, figures as stored.

    Plain values, so a page can edit a rate table without importing the sizing (which imports
    this module: the sizing's own value types cannot cross to the pages without a cycle).
    `kind` and `grade` are values of `sizing.kinds.UnitKind` and `Grade`; `days` the
    build-side person-days of one unit, `optimistic` / `pessimistic` percents around them.
    """

    kind: str
    grade: str
    days: Decimal
    optimistic: Decimal
    pessimistic: Decimal


JuasVerdict = Literal["within", "below_half", "above_double"]


@dataclass(frozen=True)
class JuasCheck:
    """An estimate beside the JUAS screen/batch relation for business systems: a sanity band, not a second estimate.

    `person_days` is what the relation gives for the counted screens and batches; `ratio` the
    estimate's person-days over it (two decimals), and `verdict` says whether the estimate is
    below half of it, above twice it, or within that band.
    """

    screens: Decimal
    batches: Decimal
    person_days: Decimal
    estimate_days: Decimal
    ratio: Decimal
    verdict: JuasVerdict


@dataclass(frozen=True)
class StoredProposal:
    """A proposal as stored against version `base_version`, waiting to be applied or discarded."""

    id: int
    project_id: int
    base_version: int
    request_text: str
    title: str
    reason: str
    operations: tuple[Operation, ...]
    engine: str
    status: ProposalStatus
    created_by: str
    created_at: datetime
    understood: str = ""
    # True when this is a pending proposal handed back because the same change was asked for again.
    repeated: bool = False


@dataclass(frozen=True)
class ChatTurn:
    """What one chat request got: proposals, an answer to a question, or a clarifying question with choices.

    `reply` is the assistant's message as stored in the conversation; a refusal is raised, not returned.
    """

    reply: str
    proposals: list[StoredProposal] = field(default_factory=list)
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Choice:
    """One answer to a clarifying question: what the button says, and the request it sends."""

    label: str
    request: str


@dataclass(frozen=True)
class ChatMessage:
    id: int
    role: ChatRole
    content: str
    created_by: str
    created_at: datetime
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class LineChange:
    """One line of a diff; `before_*` is None for an added line, `after_*` for a removed one."""

    deliverable: str
    before_days: Decimal | None
    after_days: Decimal | None
    before_amount: Decimal | None
    after_amount: Decimal | None

    @property
    def status(self) -> Literal["added", "removed", "changed"]:
        if self.before_days is None:
            return "added"
        if self.after_days is None:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class VersionComparison:
    """What changed from version `older` to `newer`, line by line, and by how much the total moved."""

    older: VersionSummary
    newer: VersionSummary
    changes: tuple[LineChange, ...]
    total_change: Decimal


@dataclass(frozen=True)
class CallTotals:
    """Model calls of one group (a day, a project): counts, tokens and cost."""

    calls: int
    errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal


@dataclass(frozen=True)
class DayUsage:
    day: date
    totals: CallTotals


@dataclass(frozen=True)
class ProjectUsage:
    """Calls of one project; `project_id` None for calls made outside a project, `title` None once deleted."""

    project_id: int | None
    title: str | None
    totals: CallTotals


@dataclass(frozen=True)
class LastCall:
    created_at: datetime
    kind: str
    model: str
    status: str
    latency_ms: int
    error: str


@dataclass(frozen=True)
class CapUsage:
    """One cap (daily or monthly cost, hourly calls) as the workflow enforces it; `limit` None means no cap."""

    name: Literal["daily", "monthly", "rate"]
    used: Decimal
    limit: Decimal | None

    @property
    def left(self) -> Decimal | None:
        return None if self.limit is None else max(self.limit - self.used, Decimal(0))

    @property
    def share(self) -> float:
        """How much of the cap is used, 0 to 1, for a progress bar."""
        return 0.0 if not self.limit else min(float(self.used / self.limit), 1.0)


@dataclass(frozen=True)
class UsageSummary:
    """Model usage this month: the caps as enforced, the last call, and calls per day and per project."""

    caps: tuple[CapUsage, ...]
    last_call: LastCall | None
    per_day: tuple[DayUsage, ...]
    per_project: tuple[ProjectUsage, ...]


# What an uploaded deliverables file held: the rows taken, and each row that was not, with why.


class RowProblem(BaseModel):
    """A row that was not imported: `row` as the user sees it, a locale key, its values, the text."""

    row: int
    key: str
    values: dict[str, str | int] = Field(default_factory=dict)
    message: str


class ImportNotice(BaseModel):
    """Something the user should know about an accepted file (ignored columns, where the header was)."""

    key: str
    values: dict[str, str | int] = Field(default_factory=dict)
    message: str


class ImportResult(BaseModel):
    deliverables: list[Deliverable]
    problems: list[RowProblem]
    notices: list[ImportNotice]
    sheet: str | None = Field(description="the worksheet read; None for CSV")
    header_row: int
    rows_read: int = Field(description="rows under the header that are not blank: each is imported or has problems")
    encoding: str | None = Field(default=None, description="the text encoding of a CSV file")


@dataclass(frozen=True)
class ImportedQuestion:
    question: Question
    answer: str | None


@dataclass(frozen=True)
class ImportedProject:
    """A project as another system kept it, stored whole in one transaction (`Store.import_project`).

    `legacy_id` is the other system's id, so importing the same file twice finds it already there.
    """

    legacy_id: str
    settings: ProjectSettings
    deliverables: tuple[Deliverable, ...]
    requirements: str
    questions: tuple[ImportedQuestion, ...]
    messages: tuple[tuple[ChatRole, str], ...]
    lines: tuple[EstimateLine, ...]
    pricing: Pricing
    created_at: datetime | None = None


@dataclass(frozen=True)
class AmountDifference:
    """A line whose legacy amount is not person-days × unit cost under this system's money rules."""

    line: str
    legacy: Decimal
    recomputed: Decimal


class ImportOutcome(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already"
    PLANNED = "planned"
    """--dry-run: what would be imported."""


@dataclass(frozen=True)
class ImportedTask:
    """One legacy task in the import report."""

    legacy_id: str
    title: str
    language: str
    outcome: ImportOutcome
    project_id: int | None
    deliverables: int
    questions: int
    messages: int
    lines: int
    unit_cost: Decimal
    total: Decimal | None
    differences: tuple[AmountDifference, ...] = ()
    skipped_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentSource:
    """Where in an uploaded document a proposed deliverable was read: page (PDF), section and the text."""

    page: int | None
    section: str
    excerpt: str


@dataclass(frozen=True)
class ProposedDeliverable:
    name: str
    description: str
    source: DocumentSource


@dataclass(frozen=True)
class DeliverableDraft:
    """Deliverables proposed from a document (an RFP), for the analyst to review before anything is saved;
    `requirements` is the rest of the document, as the system requirements text."""

    items: tuple[ProposedDeliverable, ...]
    requirements: str
    pages: int | None
    engine: str
