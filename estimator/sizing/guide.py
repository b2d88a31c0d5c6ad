"""What the firm tells an engine about sizing, beside the project itself.

The rate table comes from the database (the workflow reads it; engines never reach the
database) and the project type from the analyst, when they chose one; None means the
engine detects it from the list. The OpenAI engine gets the same footing as guidance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from estimator.sizing.kinds import ProjectType
from estimator.sizing.rates import DEFAULT_RATES, RateTable


@dataclass(frozen=True)
class SizingGuide:
    rates: RateTable = field(default_factory=lambda: DEFAULT_RATES)
    project_type: ProjectType | None = None
