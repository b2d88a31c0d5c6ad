"""The JUAS screen/batch relation, as a cross-check of a business system's estimate.

JUAS (日本情報システム・ユーザー協会)「ソフトウェアメトリックス調査」 found, over 186
scratch-built business systems, 総工数 (person-months) ≈ 0.97 × 画面数 + 0.26 × バッチ数
(docs/sizing-sources.md). The offline engine's business-system rates are anchored on the
same figures, but it sizes each line from its own words and grades; the relation is a
second, independent reading of the whole. An estimate far outside it (below half, above
twice) is worth a look: it is a sanity band, not a second estimate.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from estimator.schemas import Deliverable, JuasCheck, JuasVerdict
from estimator.sizing.kinds import UnitKind
from estimator.sizing.units import Count, read_units

MONTHS_PER_SCREEN = Decimal("0.97")
"""JUAS ソフトウェアメトリックス調査 (186 projects): person-months of total effort per screen."""
MONTHS_PER_BATCH = Decimal("0.26")
"""JUAS ソフトウェアメトリックス調査 (186 projects): person-months of total effort per batch job."""
DAYS_PER_MONTH = 20
"""1 人月 = 20 人日, the usual convention in Japanese estimating (docs/sizing-sources.md)."""
LOW_BAND = Decimal("0.5")
HIGH_BAND = Decimal(2)
"""An estimate below half or above twice the relation's figure is called out."""


def screens_and_batches(deliverables: Iterable[Deliverable], answered: Iterable[Count] = ()) -> tuple[Decimal, Decimal]:
    """How many screens and batch jobs the deliverables count, read as the offline engine reads them
    (every count of every line, each line read once), plus those an answer counts for lines that state
    none (the unit-count question's)."""
    totals = {UnitKind.SCREEN: Decimal(0), UnitKind.BATCH: Decimal(0)}
    counts = [count for item in deliverables for count in read_units(item.name, item.description).counts]
    for count in [*counts, *answered]:
        if count.kind in totals:
            totals[count.kind] += count.quantity
    return totals[UnitKind.SCREEN], totals[UnitKind.BATCH]


def juas_person_days(screens: Decimal, batches: Decimal) -> Decimal:
    """Total person-days the JUAS relation gives for `screens` screens and `batches` batch jobs."""
    return (MONTHS_PER_SCREEN * screens + MONTHS_PER_BATCH * batches) * DAYS_PER_MONTH


def cross_check(screens: Decimal, batches: Decimal, estimate_days: Decimal) -> JuasCheck:
    """The estimate's person-days beside the relation's figure for the same screens and batches (screens > 0)."""
    figure = juas_person_days(screens, batches)
    verdict: JuasVerdict = "within"
    if estimate_days < figure * LOW_BAND:
        verdict = "below_half"
    elif estimate_days > figure * HIGH_BAND:
        verdict = "above_double"
    return JuasCheck(
        screens=screens,
        batches=batches,
        person_days=figure,
        estimate_days=estimate_days,
        ratio=(estimate_days / figure).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        verdict=verdict,
    )
