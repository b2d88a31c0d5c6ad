"""Small builders for test data."""

from __future__ import annotations

from decimal import Decimal

from estimator.schemas import EstimateLine, PhaseDays, Pricing, ProjectSettings, VersionSummary
from estimator.workflow import Workflow

JPY = Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10), rounding="floor")


def project_settings(title: str = "Portal renewal", language: str = "ja") -> ProjectSettings:
    if language == "ja":
        return ProjectSettings(title, "ACME株式会社", "ja", "JPY", Decimal(40000), Decimal(10), "floor")
    return ProjectSettings(title, "ACME Inc.", "en", "USD", Decimal(500), Decimal(0), "floor")


def line(name: str, days: str, *, phase: str = "implementation") -> EstimateLine:
    value = Decimal(days)
    return EstimateLine(
        deliverable=name,
        phases=PhaseDays(**{phase: value}),
        optimistic=value * Decimal("0.8"),
        pessimistic=value * Decimal("1.5"),
        reasoning=f"{name} sized by test",
    )


def lines_of(flow: Workflow, version: VersionSummary) -> list[EstimateLine]:
    """The lines of a version the workflow returned, as it prices them."""
    return [item.line for item in flow.priced(version.project_id, version.number).lines]
