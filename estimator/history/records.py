"""A completed project as the accuracy measures and the calibration read it, and its actuals per line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from estimator.schemas import (
    NO_CALIBRATION,
    OFFLINE_MODEL,
    ActualEntry,
    Calibration,
    EstimateLine,
    Phase,
    name_key,
)

OPENAI_FAMILY = "openai"


def engine_family(engine: str) -> str:
    """The engine a version was made by, as calibration tells engines apart: the embedded one, or a model."""
    return OFFLINE_MODEL if engine == OFFLINE_MODEL else OPENAI_FAMILY


@dataclass(frozen=True)
class LineActual:
    """What one line took: its total, and its split by phase when every entry for it named a phase."""

    total: Decimal
    phases: dict[Phase, Decimal] | None


@dataclass(frozen=True)
class CompletedProject:
    """A project in 完了 with actuals: its baseline as submitted, the version that was first generated
    (with the calibration it was generated with), and what the work took."""

    project_id: int
    title: str
    quote_number: str
    project_type: str | None
    engine: str
    done_at: datetime | None
    version: int
    submitted: tuple[EstimateLine, ...]
    generated: tuple[EstimateLine, ...]
    actuals: tuple[ActualEntry, ...]
    generated_calibration: Calibration = field(default=NO_CALIBRATION)

    @property
    def family(self) -> str:
        return engine_family(self.engine)

    def line_actuals(self) -> dict[str, LineActual]:
        """The actuals of the baseline's lines keyed by the name rule; change requests are not among them."""
        return line_actuals(entry for entry in self.actuals if not entry.change_request)

    @property
    def change_request_days(self) -> Decimal:
        return sum((entry.person_days for entry in self.actuals if entry.change_request), Decimal(0))


def line_actuals(entries: Iterable[ActualEntry]) -> dict[str, LineActual]:
    """Entries summed per line (by `name_key`); a line's phase split is kept only if all its entries have one."""
    totals: dict[str, Decimal] = {}
    phases: dict[str, dict[Phase, Decimal] | None] = {}
    for entry in entries:
        key = name_key(entry.deliverable)
        totals[key] = totals.get(key, Decimal(0)) + entry.person_days
        split = phases.setdefault(key, {})
        if entry.phase is None or split is None:
            phases[key] = None
        else:
            split[entry.phase] = split.get(entry.phase, Decimal(0)) + entry.person_days
    return {key: LineActual(total, phases[key]) for key, total in totals.items()}


def matched(lines: Sequence[EstimateLine], actuals: dict[str, LineActual]) -> list[tuple[EstimateLine, LineActual]]:
    """The lines that have actuals, each with them."""
    return [(line, actuals[name_key(line.deliverable)]) for line in lines if name_key(line.deliverable) in actuals]
