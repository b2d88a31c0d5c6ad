"""The firm's productivity tables: build-side person-days per unit, and the phase ratios, per project type.

A table is data, not code: it lives in the database with a version (the store maps its
rows to these value types), is edited on the Settings page and exported and imported as
CSV (`python -m estimator rates export|import FILE`). Each estimate version records the
table version it used, so a stored version is never recomputed differently. The shipped
defaults (`DEFAULT_RATES`) and the source of every figure are in docs/sizing-sources.md.

Units: `days` is the build side of one unit — 詳細設計 + 製作 (coding and unit test), the
phases a unit's own size drives; the engine derives the other phases from the type's phase
ratios. A unit is one screen, report, interface, batch job, table or feature, except:

- RECORDS: up to 1,000,000 records (`RECORDS_PER_UNIT`) is one unit; beyond it each doubling
  adds one (8 million records are 4 units). It covers only the work that grows with the volume
  (runs, rehearsals, reconciliation, exceptions); mapping and cleansing are sized per table, as
  TABLE units. A migration line that states no volume (移行リハーサル, 本番移行) is one piece of
  migration work, rated at the FEATURE rate.
- DEVICE and LANGUAGE: one unit is one device, platform or language *beyond the first*
  (iOS + Android is 1 DEVICE unit; ja + en + zh is 2 LANGUAGE units).

`optimistic` and `pessimistic` are percents below and above the most likely:
O = M × (1 − optimistic / 100), P = M × (1 + pessimistic / 100).

The CSV is one file with one header, `RATE_COLUMNS`; the first column says what a row is:

    section,project_type,kind,grade,days,optimistic,pessimistic,phase,percent
    rate,business_system,screen,normal,8.7,15,40,,
    phase,business_system,,,,,,requirements,9

A `rate` row fills kind, grade, days, optimistic and pessimistic; a `phase` row fills phase
and percent; the cells the other section uses stay empty. Identifiers are the values of
`ProjectType`, `UnitKind`, `Grade` and `Phase`; numbers use '.' for decimals, at most two.
Every type × kind × grade and every type × phase must be present once, and each type's
percents add up to 100 (± 0.01). Rows are numbered as a spreadsheet shows them (the header
is row 1); blank rows are skipped. UTF-8 with or without a BOM and CP932 (what Japanese
Excel saves) are read; full-width digits and letters read as their ASCII forms.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from estimator.errors import InvalidInputError
from estimator.schemas import PHASES, Phase
from estimator.sizing.kinds import GRADES, PROJECT_TYPES, UNIT_KINDS, Grade, ProjectType, UnitKind
from estimator.text import reading_form, visible

D = Decimal

RECORDS_PER_UNIT = 1_000_000
"""One RECORDS unit is this many records: a rate per record would be a row of zeros."""

RATE_COLUMNS: tuple[str, ...] = (
    "section",
    "project_type",
    "kind",
    "grade",
    "days",
    "optimistic",
    "pessimistic",
    "phase",
    "percent",
)
RATE_SECTION = "rate"
PHASE_SECTION = "phase"
_SECTION_COLUMNS: Mapping[str, frozenset[str]] = {
    RATE_SECTION: frozenset({"section", "project_type", "kind", "grade", "days", "optimistic", "pessimistic"}),
    PHASE_SECTION: frozenset({"section", "project_type", "phase", "percent"}),
}

MAX_DAYS = D(200)
"""More build-side days than this for one unit is a typo (a whole project is not one screen)."""
MAX_OPTIMISTIC = D(90)
MAX_PESSIMISTIC = D(500)
MAX_PERCENT = D(100)
PHASE_SUM_TOLERANCE = D("0.01")
QUANTUM = D("0.01")
"""Two decimals: what the database keeps (hundredths, like every person-day in Estimator)."""

_UPPER_BOUNDS: Mapping[str, tuple[Decimal, str]] = {
    "days": (MAX_DAYS, "errors.rates.days_too_large"),
    "optimistic": (MAX_OPTIMISTIC, "errors.rates.optimistic_range"),
    "pessimistic": (MAX_PESSIMISTIC, "errors.rates.pessimistic_range"),
    "percent": (MAX_PERCENT, "errors.rates.percent_range"),
}

RateKey = tuple[ProjectType, UnitKind, Grade]
_Member = TypeVar("_Member", ProjectType, UnitKind, Grade, Phase)


@dataclass(frozen=True)
class UnitRate:
    """Build-side person-days (詳細設計 + 製作) of one unit, and its range in percent around them."""

    project_type: ProjectType
    kind: UnitKind
    grade: Grade
    days: Decimal
    optimistic: Decimal
    pessimistic: Decimal

    @property
    def key(self) -> RateKey:
        return (self.project_type, self.kind, self.grade)


@dataclass(frozen=True)
class RateTable:
    """One version of the productivity tables; `version` is None until the store keeps it.

    The mappings are read-only views: a table is shared (every estimate of a process reads
    the same defaults) and a stored version must never change under the estimate sizing with it.
    """

    version: int | None
    rates: Mapping[RateKey, UnitRate]
    phase_ratios: Mapping[ProjectType, Mapping[Phase, Decimal]]
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))
        frozen = {kind: MappingProxyType(dict(ratios)) for kind, ratios in self.phase_ratios.items()}
        object.__setattr__(self, "phase_ratios", MappingProxyType(frozen))

    def rate(self, project_type: ProjectType, kind: UnitKind, grade: Grade) -> UnitRate:
        """The rate for one unit; a type without its own row takes OTHER's.

        Every table imported or saved is complete, but one stored before a kind existed is
        not: it then takes OTHER's row, and the shipped default's as a last resort, so a known
        kind never fails an estimate.
        """
        for key in ((project_type, kind, grade), (ProjectType.OTHER, kind, grade)):
            if key in self.rates:
                return self.rates[key]
        return DEFAULT_RATES.rates[(ProjectType.OTHER, kind, grade)]

    def ratios(self, project_type: ProjectType) -> Mapping[Phase, Decimal]:
        """The percent of effort per phase for `project_type`, falling back as `rate` does."""
        for kind in (project_type, ProjectType.OTHER):
            if kind in self.phase_ratios:
                return self.phase_ratios[kind]
        return DEFAULT_RATES.phase_ratios[ProjectType.OTHER]


# The shipped defaults. Every figure and its source: docs/sizing-sources.md (a test keeps the two equal).

_SPREADS: Mapping[UnitKind, tuple[tuple[int, int], ...]] = {
    # (optimistic %, pessimistic %) for simple, normal, complex. House judgement, skewed upwards
    # (software overruns more often than not) and wider where another party's system is involved.
    UnitKind.SCREEN: ((10, 25), (15, 40), (20, 60)),
    UnitKind.REPORT: ((10, 30), (15, 40), (20, 60)),
    UnitKind.INTERFACE: ((15, 50), (15, 70), (20, 100)),
    UnitKind.ENDPOINT: ((10, 30), (15, 40), (20, 60)),
    UnitKind.BATCH: ((10, 30), (15, 40), (20, 70)),
    UnitKind.TABLE: ((10, 25), (10, 30), (15, 50)),
    UnitKind.RECORDS: ((10, 50), (15, 60), (20, 80)),
    UnitKind.DEVICE: ((10, 40), (15, 50), (20, 80)),
    UnitKind.LANGUAGE: ((10, 30), (10, 40), (15, 60)),
    UnitKind.DESIGN: ((10, 30), (15, 50), (20, 70)),
    UnitKind.FEATURE: ((15, 40), (15, 50), (20, 80)),
}
_SPREAD_OVERRIDES: Mapping[tuple[ProjectType, UnitKind], tuple[tuple[int, int], ...]] = {
    # Static and template pages are the most predictable unit there is.
    (ProjectType.WEBSITE, UnitKind.SCREEN): ((10, 20), (10, 30), (15, 50)),
    # The quality of data nobody has profiled yet is the usual surprise of a migration.
    (ProjectType.MIGRATION, UnitKind.TABLE): ((10, 40), (15, 60), (20, 100)),
    (ProjectType.MIGRATION, UnitKind.RECORDS): ((10, 60), (15, 80), (20, 100)),
}
OTHER_EXTRA_PESSIMISTIC = 10
"""House judgement: a project of no known type fits any table less well, so its pessimistic side is wider."""

_BUSINESS_DAYS: Mapping[UnitKind, tuple[str, str, str]] = {
    UnitKind.SCREEN: ("4.4", "8.7", "17.4"),  # JUAS: 0.97 人月 per screen × 20 days × 45 % build share
    UnitKind.REPORT: ("3", "6", "12"),
    UnitKind.INTERFACE: ("4", "8", "16"),
    UnitKind.ENDPOINT: ("1", "2", "4"),
    UnitKind.BATCH: ("1.2", "2.3", "4.6"),  # JUAS: 0.26 人月 per batch × 20 × 45 %
    UnitKind.TABLE: ("0.5", "0.9", "1.8"),  # JUAS (older editions): 0.1 人月 per ファイル × 20 × 45 %
    UnitKind.RECORDS: ("1", "2", "4"),
    UnitKind.DEVICE: ("4", "8", "16"),
    UnitKind.LANGUAGE: ("2", "4", "8"),
    UnitKind.DESIGN: ("0.5", "1", "2"),
    UnitKind.FEATURE: ("2", "4", "8"),
}
_DAYS: Mapping[ProjectType, Mapping[UnitKind, tuple[str, str, str]]] = {
    ProjectType.WEBSITE: {
        UnitKind.SCREEN: ("0.4", "1", "2.5"),
        UnitKind.REPORT: ("1", "2", "4"),
        UnitKind.INTERFACE: ("1", "2.5", "5"),
        UnitKind.ENDPOINT: ("0.5", "1", "2"),
        UnitKind.BATCH: ("0.5", "1", "2.5"),
        UnitKind.TABLE: ("0.5", "1", "2"),
        UnitKind.RECORDS: ("1", "2", "5"),
        UnitKind.DEVICE: ("2", "4", "8"),
        UnitKind.LANGUAGE: ("1.5", "3", "6"),
        UnitKind.DESIGN: ("0.7", "1", "2"),
        UnitKind.FEATURE: ("0.5", "1", "2.5"),
    },
    ProjectType.BUSINESS: _BUSINESS_DAYS,
    ProjectType.APP: {
        UnitKind.SCREEN: ("2", "3.5", "7"),
        UnitKind.REPORT: ("2", "4", "8"),
        UnitKind.INTERFACE: ("4", "8", "16"),
        UnitKind.ENDPOINT: ("0.6", "1.2", "2.5"),
        UnitKind.BATCH: ("1.2", "2.3", "4.6"),
        UnitKind.TABLE: ("0.5", "0.9", "1.8"),
        UnitKind.RECORDS: ("1", "2", "4"),
        UnitKind.DEVICE: ("4", "8", "16"),
        UnitKind.LANGUAGE: ("2", "4", "8"),
        UnitKind.DESIGN: ("0.6", "1.2", "2.4"),
        UnitKind.FEATURE: ("1.5", "3", "8"),
    },
    ProjectType.MIGRATION: {
        UnitKind.SCREEN: ("4.4", "8.7", "17.4"),
        UnitKind.REPORT: ("2", "4", "8"),
        UnitKind.INTERFACE: ("2", "4", "8"),
        UnitKind.ENDPOINT: ("1", "2", "4"),
        UnitKind.BATCH: ("1.5", "3", "6"),
        UnitKind.TABLE: ("0.5", "1", "2"),
        UnitKind.RECORDS: ("0.5", "1", "3"),
        UnitKind.DEVICE: ("3", "6", "12"),
        UnitKind.LANGUAGE: ("1", "2", "4"),
        UnitKind.DESIGN: ("0.5", "1", "2"),
        UnitKind.FEATURE: ("2", "5", "10"),
    },
    ProjectType.TOOL: {
        UnitKind.SCREEN: ("0.6", "1.2", "2.5"),
        UnitKind.REPORT: ("0.5", "1", "2.5"),
        UnitKind.INTERFACE: ("1", "3", "6"),
        UnitKind.ENDPOINT: ("0.5", "1", "2"),
        UnitKind.BATCH: ("1", "2", "4"),
        UnitKind.TABLE: ("0.25", "0.5", "1"),
        UnitKind.RECORDS: ("0.5", "1", "2"),
        UnitKind.DEVICE: ("1", "2", "4"),
        UnitKind.LANGUAGE: ("0.5", "1", "2"),
        UnitKind.DESIGN: ("0.3", "0.6", "1.2"),
        UnitKind.FEATURE: ("0.5", "1", "2"),
    },
    ProjectType.OTHER: _BUSINESS_DAYS,
}

IPA_NEW_DEVELOPMENT: Mapping[Phase, Decimal] = {
    Phase.REQUIREMENTS: D(10),
    Phase.BASIC_DESIGN: D(15),
    Phase.DETAILED_DESIGN: D(16),
    Phase.IMPLEMENTATION: D(29),
    Phase.INTEGRATION_TEST: D(18),
    Phase.SYSTEM_TEST: D(12),
}
"""IPA「ソフトウェア開発データ白書」, 新規開発, percent of effort per phase (no PM share of its own)."""


def _ipa_with_pm(pm_share: int) -> dict[Phase, Decimal]:
    """IPA's six phases scaled to leave `pm_share` percent for PM and documents."""
    scale = (100 - D(pm_share)) / 100
    return {**{phase: share * scale for phase, share in IPA_NEW_DEVELOPMENT.items()}, Phase.PM_DOCS: D(pm_share)}


def _leaning(pm_share: int, *shares: int) -> dict[Phase, Decimal]:
    """A type's own split of IPA's six phases (percent of those six, each within 4 points of IPA's, so
    every project's mix stays comparable with the published ratios), scaled to leave `pm_share`."""
    scale = (100 - D(pm_share)) / 100
    six = {phase: D(share) * scale for phase, share in zip(IPA_NEW_DEVELOPMENT, shares, strict=True)}
    return {**six, Phase.PM_DOCS: D(pm_share)}


_PHASE_RATIOS: Mapping[ProjectType, Mapping[Phase, Decimal]] = {
    # 要件定義, 基本設計, 詳細設計, 製作, 結合, 総合, PM/documents; reasons in docs/sizing-sources.md.
    ProjectType.WEBSITE: _leaning(8, 7, 15, 14, 33, 16, 15),
    ProjectType.BUSINESS: _ipa_with_pm(10),
    ProjectType.APP: _ipa_with_pm(10),
    ProjectType.MIGRATION: _leaning(10, 10, 14, 15, 25, 20, 16),
    ProjectType.TOOL: _leaning(5, 9, 14, 13, 33, 15, 16),
    ProjectType.OTHER: _ipa_with_pm(10),
}


def _default_rate(project_type: ProjectType, kind: UnitKind, grade: Grade) -> UnitRate:
    index = GRADES.index(grade)
    optimistic, pessimistic = _SPREAD_OVERRIDES.get((project_type, kind), _SPREADS[kind])[index]
    if project_type is ProjectType.OTHER:
        pessimistic += OTHER_EXTRA_PESSIMISTIC
    return UnitRate(project_type, kind, grade, D(_DAYS[project_type][kind][index]), D(optimistic), D(pessimistic))


DEFAULTS_AUTHOR = "estimator"
DEFAULTS_NOTE = "Shipped defaults: docs/sizing-sources.md"
DEFAULTS_UPDATED_NOTE = "Shipped defaults of a newer release (the table was never edited): docs/sizing-sources.md"
"""Who and what version 1 names when the store writes the defaults at first use."""

DEFAULT_RATES = RateTable(
    version=None,
    rates={(t, k, g): _default_rate(t, k, g) for t in PROJECT_TYPES for k in UNIT_KINDS for g in GRADES},
    phase_ratios=_PHASE_RATIOS,
    note="",
)
"""The shipped table, stored as version 1 the first time a database is asked for its table."""


# CSV


def rates_to_csv(table: RateTable) -> str:
    """The table as the CSV `rates_from_csv` reads: rate rows, then phase rows, in the enums' order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RATE_COLUMNS)
    for rate in sorted(table.rates.values(), key=_rate_order):
        figures = {"days": rate.days, "optimistic": rate.optimistic, "pessimistic": rate.pessimistic}
        writer.writerow(_row(RATE_SECTION, rate.project_type, {"kind": rate.kind, "grade": rate.grade, **figures}))
    for project_type in sorted(table.phase_ratios, key=PROJECT_TYPES.index):
        for phase, percent in sorted(table.phase_ratios[project_type].items(), key=lambda item: PHASES.index(item[0])):
            writer.writerow(_row(PHASE_SECTION, project_type, {"phase": phase, "percent": percent}))
    return out.getvalue()


def _rate_order(rate: UnitRate) -> tuple[int, int, int]:
    return (PROJECT_TYPES.index(rate.project_type), UNIT_KINDS.index(rate.kind), GRADES.index(rate.grade))


def _row(section: str, project_type: ProjectType, cells: Mapping[str, object]) -> list[str]:
    filled = {"section": section, "project_type": project_type.value, **cells}
    return [_cell(filled[column]) if column in filled else "" for column in RATE_COLUMNS]


def _cell(value: object) -> str:
    """A cell as text: plain decimals ('8.7', '100', never '1E+2'), identifiers as their values."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    return str(value)


def rates_from_csv(data: str | bytes) -> RateTable:
    """The table a CSV holds (version None), or InvalidInputError naming the first problem.

    Bytes are decoded as a spreadsheet saved them (`_decode`). The error's key is
    `errors.rates.*`; its values name the row (as a spreadsheet numbers it), the column and
    the value wherever the problem sits in one cell.
    """
    reader = _Reader()
    for number, cells in _records(_decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")):
        reader.take(number, cells)
    return reader.table()


def validated(table: RateTable) -> RateTable:
    """`table` if `rates_from_csv` would accept its export, else the same InvalidInputError.

    One rule for every way a table arrives (file, Settings editor): the rows are numbered as
    `rates_to_csv` writes them.
    """
    checked = rates_from_csv(rates_to_csv(table))
    return replace(checked, version=table.version, note=table.note)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else CP932 (Japanese Excel's 'CSV' encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "cp932")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise _refused("errors.rates.encoding")


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every non-blank record, cells in their reading form without invisible edges."""
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [visible(reading_form(cell)) for cell in row]
            if any(cells):
                yield number, cells
    except csv.Error as error:
        raise _refused("errors.rates.unreadable", reason=str(error)) from None


def _refused(key: str, **values: object) -> InvalidInputError:
    """The refusal `key` with its values (and no technical detail: every value is for the message)."""
    return InvalidInputError(key, "", **values)


@dataclass
class _Reader:
    """The state of one import: the header seen, and the rows taken so far (by key, with their row number)."""

    header_seen: bool = False
    rates: dict[RateKey, tuple[int, UnitRate]] = field(default_factory=dict)
    phases: dict[tuple[ProjectType, Phase], tuple[int, Decimal]] = field(default_factory=dict)

    def take(self, number: int, cells: list[str]) -> None:
        if not self.header_seen:
            _check_header(cells)
            self.header_seen = True
            return
        row = _named(number, cells)
        section = row["section"]
        if section not in _SECTION_COLUMNS:
            allowed = ", ".join(_SECTION_COLUMNS)
            raise _refused("errors.rates.unknown_section", row=number, column="section", value=section, allowed=allowed)
        for column in set(RATE_COLUMNS) - _SECTION_COLUMNS[section]:
            if row[column]:
                raise _refused("errors.rates.not_for_section", row=number, column=column, section=section)
        if section == RATE_SECTION:
            self._take_rate(number, row)
        else:
            self._take_phase(number, row)

    def _take_rate(self, number: int, row: Mapping[str, str]) -> None:
        rate = UnitRate(
            project_type=_member(ProjectType, number, "project_type", row, "errors.rates.unknown_type"),
            kind=_member(UnitKind, number, "kind", row, "errors.rates.unknown_kind"),
            grade=_member(Grade, number, "grade", row, "errors.rates.unknown_grade"),
            days=_number(number, "days", row),
            optimistic=_number(number, "optimistic", row),
            pessimistic=_number(number, "pessimistic", row),
        )
        if rate.key in self.rates:
            raise _refused(
                "errors.rates.duplicate_rate",
                row=number,
                first=self.rates[rate.key][0],
                project_type=rate.project_type.value,
                kind=rate.kind.value,
                grade=rate.grade.value,
            )
        self.rates[rate.key] = (number, rate)

    def _take_phase(self, number: int, row: Mapping[str, str]) -> None:
        project_type = _member(ProjectType, number, "project_type", row, "errors.rates.unknown_type")
        phase = _member(Phase, number, "phase", row, "errors.rates.unknown_phase")
        percent = _number(number, "percent", row)
        if (project_type, phase) in self.phases:
            raise _refused(
                "errors.rates.duplicate_phase",
                row=number,
                first=self.phases[(project_type, phase)][0],
                project_type=project_type.value,
                phase=phase.value,
            )
        self.phases[(project_type, phase)] = (number, percent)

    def table(self) -> RateTable:
        """The table read, once it is complete and each type's phases add up to 100."""
        if not self.rates and not self.phases:
            raise _refused("errors.rates.empty")
        _check_complete(
            "errors.rates.missing_rate",
            [(t, k, g) for t in PROJECT_TYPES for k in UNIT_KINDS for g in GRADES if (t, k, g) not in self.rates],
            ("project_type", "kind", "grade"),
        )
        _check_complete(
            "errors.rates.missing_phase",
            [(t, p) for t in PROJECT_TYPES for p in PHASES if (t, p) not in self.phases],
            ("project_type", "phase"),
        )
        ratios = {t: {p: self.phases[(t, p)][1] for p in PHASES} for t in PROJECT_TYPES}
        for project_type, shares in ratios.items():
            total = sum(shares.values(), D(0))
            if abs(total - 100) > PHASE_SUM_TOLERANCE:
                raise _refused("errors.rates.phase_sum", project_type=project_type.value, total=_cell(total))
        return RateTable(version=None, rates={key: rate for key, (_, rate) in self.rates.items()}, phase_ratios=ratios)


def _check_header(cells: list[str]) -> None:
    found = _without_trailing_blanks(cells)
    if tuple(found) != RATE_COLUMNS:
        raise _refused("errors.rates.bad_header", expected=",".join(RATE_COLUMNS), found=",".join(found))


def _without_trailing_blanks(cells: list[str]) -> list[str]:
    """Cells up to the last filled one: Excel pads a row to the widest row of the sheet."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _named(number: int, cells: list[str]) -> dict[str, str]:
    """A data row by column name; a short row reads as ending in empty cells, a longer one is refused."""
    filled = _without_trailing_blanks(cells)
    if len(filled) > len(RATE_COLUMNS):
        raise _refused("errors.rates.row_width", row=number, expected=len(RATE_COLUMNS), found=len(filled))
    return dict(zip(RATE_COLUMNS, filled + [""] * (len(RATE_COLUMNS) - len(filled)), strict=True))


def _member(kind: type[_Member], number: int, column: str, row: Mapping[str, str], key: str) -> _Member:
    """The enum member a cell names, or the refusal `key` listing the values it may take."""
    value = row[column]
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise _refused(key, row=number, column=column, value=value, allowed=allowed) from None


def _number(number: int, column: str, row: Mapping[str, str]) -> Decimal:
    """A non-negative number with at most two decimals, within its column's bound."""
    text = row[column]
    if not text:
        raise _refused("errors.rates.missing_value", row=number, column=column)
    try:
        value = D(text)
    except InvalidOperation:
        value = D("NaN")
    if not value.is_finite():
        raise _refused("errors.rates.not_a_number", row=number, column=column, value=text)
    if value < 0:
        raise _refused("errors.rates.negative", row=number, column=column, value=text)
    bound, key = _UPPER_BOUNDS[column]
    if value > bound:
        raise _refused(key, row=number, column=column, value=text, limit=_cell(bound))
    if value != value.quantize(QUANTUM):
        raise _refused("errors.rates.too_many_decimals", row=number, column=column, value=text)
    return value


def _check_complete(key: str, missing: Sequence[tuple[StrEnum, ...]], names: tuple[str, ...]) -> None:
    """Refuse a table with combinations missing, naming the first and how many there are."""
    if missing:
        first = {name: member.value for name, member in zip(names, missing[0], strict=True)}
        raise _refused(key, count=len(missing), **first)
