"""The rate tables as data: the shipped defaults, their documentation, and the CSV that carries them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.errors import InvalidInputError
from estimator.i18n import LANGUAGES, t
from estimator.schemas import PHASES, Phase
from estimator.sizing.kinds import GRADES, PROJECT_TYPES, UNIT_KINDS, Grade, ProjectType, UnitKind
from estimator.sizing.rates import (
    DEFAULT_RATES,
    MAX_DAYS,
    MAX_OPTIMISTIC,
    MAX_PESSIMISTIC,
    RATE_COLUMNS,
    RateTable,
    UnitRate,
    rates_from_csv,
    rates_to_csv,
    validated,
)
from tests.conftest import ROOT

D = Decimal
DOC = ROOT / "docs" / "sizing-sources.md"
EXPORT = rates_to_csv(DEFAULT_RATES)
LINES = EXPORT.splitlines()
BUSINESS_SCREEN = "rate,business_system,screen,normal,8.7,15,40,,"
BUSINESS_REQUIREMENTS = "phase,business_system,,,,,,requirements,9"


def row_of(line: str) -> int:
    """The spreadsheet row number of an exported line (the header is row 1)."""
    return LINES.index(line) + 1


def with_line(line: str, new: str | None) -> str:
    """The export with `line` replaced by `new` (removed when None)."""
    return "\n".join(new if row == line else row for row in LINES if not (row == line and new is None)) + "\n"


def refusal(data: str | bytes) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as refused:
        rates_from_csv(data)
    return refused.value


# The shipped defaults


def test_the_defaults_fill_every_type_kind_and_grade_within_the_bounds() -> None:
    assert DEFAULT_RATES.version is None
    keys = {(t, k, g) for t in PROJECT_TYPES for k in UNIT_KINDS for g in GRADES}
    assert set(DEFAULT_RATES.rates) == keys
    for key, rate in DEFAULT_RATES.rates.items():
        assert rate.key == key
        assert 0 < rate.days <= MAX_DAYS
        assert 0 <= rate.optimistic <= MAX_OPTIMISTIC and 0 <= rate.pessimistic <= MAX_PESSIMISTIC
        assert rate.pessimistic > rate.optimistic, "ranges are skewed upwards"


@pytest.mark.parametrize("project_type", PROJECT_TYPES)
def test_the_phase_ratios_of_every_type_name_every_phase_and_add_up_to_100(project_type: ProjectType) -> None:
    ratios = DEFAULT_RATES.phase_ratios[project_type]
    assert list(ratios) == list(PHASES)
    assert sum(ratios.values()) == 100
    assert ratios[Phase.PM_DOCS] > 0


@pytest.mark.parametrize("project_type", PROJECT_TYPES)
def test_harder_units_cost_more_and_spread_wider(project_type: ProjectType) -> None:
    for kind in UNIT_KINDS:
        simple, normal, complex_ = (DEFAULT_RATES.rate(project_type, kind, grade) for grade in GRADES)
        assert simple.days < normal.days < complex_.days
        assert simple.pessimistic <= normal.pessimistic <= complex_.pessimistic
    interface = DEFAULT_RATES.rate(project_type, UnitKind.INTERFACE, Grade.COMPLEX)
    screen = DEFAULT_RATES.rate(project_type, UnitKind.SCREEN, Grade.COMPLEX)
    assert interface.pessimistic > screen.pessimistic, "another party's system is the wider risk"


def test_the_anchors_of_the_sources() -> None:
    """JUAS for business screens, batches and tables (人月 × 20 days × the 45 % build share); the stated anchors."""

    def days(project_type: ProjectType, kind: UnitKind, grade: Grade = Grade.NORMAL) -> Decimal:
        return DEFAULT_RATES.rate(project_type, kind, grade).days

    build_share = (D(16) + D(29)) / 100
    assert days(ProjectType.BUSINESS, UnitKind.SCREEN) == round(D("0.97") * 20 * build_share, 1)
    assert days(ProjectType.BUSINESS, UnitKind.BATCH) == round(D("0.26") * 20 * build_share, 1)
    assert days(ProjectType.BUSINESS, UnitKind.TABLE) == round(D("0.1") * 20 * build_share, 1)
    site = DEFAULT_RATES.phase_ratios[ProjectType.WEBSITE]
    site_build_share = (site[Phase.DETAILED_DESIGN] + site[Phase.IMPLEMENTATION]) / 100
    static_page_all_in = days(ProjectType.WEBSITE, UnitKind.SCREEN, Grade.SIMPLE) / site_build_share
    assert D("0.5") <= static_page_all_in <= 1, "a static page is 0.5–1 person-day with every phase in"
    assert days(ProjectType.WEBSITE, UnitKind.SCREEN) > days(ProjectType.WEBSITE, UnitKind.SCREEN, Grade.SIMPLE)
    assert 1 <= days(ProjectType.TOOL, UnitKind.SCREEN) <= 2
    assert 12 <= days(ProjectType.BUSINESS, UnitKind.INTERFACE, Grade.COMPLEX) <= 20
    complex_interface = DEFAULT_RATES.rate(ProjectType.BUSINESS, UnitKind.INTERFACE, Grade.COMPLEX)
    assert 80 <= complex_interface.pessimistic <= 100
    client_build = 10 * days(ProjectType.APP, UnitKind.SCREEN)
    assert D("0.2") * client_build <= days(ProjectType.APP, UnitKind.DEVICE) <= D("0.3") * client_build


def test_the_business_phase_ratios_are_ipa_with_a_pm_share() -> None:
    ipa = (10, 15, 16, 29, 18, 12)
    ratios = DEFAULT_RATES.phase_ratios[ProjectType.BUSINESS]
    assert [ratios[phase] for phase in PHASES[:6]] == [D(share) * D("0.9") for share in ipa]
    assert ratios[Phase.PM_DOCS] == 10


def documented() -> tuple[
    dict[tuple[ProjectType, UnitKind], tuple[Decimal, ...]],
    dict[ProjectType, dict[Phase, Decimal]],
    dict[UnitKind, tuple[tuple[Decimal, ...], tuple[Decimal, ...]]],
]:
    """The rates, phase ratios and ranges as the tables of docs/sizing-sources.md state them."""
    days: dict[tuple[ProjectType, UnitKind], tuple[Decimal, ...]] = {}
    ratios: dict[ProjectType, dict[Phase, Decimal]] = {}
    spreads: dict[UnitKind, tuple[tuple[Decimal, ...], tuple[Decimal, ...]]] = {}
    section, project_type = "", None
    types, kinds = {p.value for p in PROJECT_TYPES}, {k.value for k in UNIT_KINDS}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, project_type = line[3:], None
        elif line.startswith("### ") and (named := re.search(r"`(\w+)`", line)) and named[1] in types:
            project_type = ProjectType(named[1])
        elif line.startswith("| `"):
            first, *cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
            if section == "Phase ratios" and first in types:
                ratios[ProjectType(first)] = {phase: D(cells[i]) for i, phase in enumerate(PHASES)}
            elif section.startswith("Ranges") and first in kinds:
                spreads[UnitKind(first)] = (
                    tuple(D(x) for x in cells[0].split("/")),
                    tuple(D(x) for x in cells[1].split("/")),
                )
            elif project_type is not None and first in kinds:
                days[(project_type, UnitKind(first))] = tuple(D(cell) for cell in cells[:3])
    return days, ratios, spreads


def test_the_documentation_states_every_shipped_figure() -> None:
    days, ratios, spreads = documented()
    assert days == {
        (t, k): tuple(DEFAULT_RATES.rate(t, k, g).days for g in GRADES) for t in PROJECT_TYPES for k in UNIT_KINDS
    }
    assert ratios == {t: dict(DEFAULT_RATES.phase_ratios[t]) for t in PROJECT_TYPES}
    business = {
        k: (
            tuple(DEFAULT_RATES.rate(ProjectType.BUSINESS, k, g).optimistic for g in GRADES),
            tuple(DEFAULT_RATES.rate(ProjectType.BUSINESS, k, g).pessimistic for g in GRADES),
        )
        for k in UNIT_KINDS
    }
    assert spreads == business


def test_the_documentation_states_the_unit_conventions_and_the_csv_header() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "1,000,000 records" in text and "beyond the first" in text
    assert ",".join(RATE_COLUMNS) in text
    assert "python -m estimator rates export" in text and "python -m estimator rates import" in text


def test_a_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_RATES.rates[(ProjectType.OTHER, UnitKind.SCREEN, Grade.SIMPLE)] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        DEFAULT_RATES.phase_ratios[ProjectType.OTHER][Phase.PM_DOCS] = D(0)  # type: ignore[index]


def test_a_type_without_its_own_rows_takes_others_then_the_shipped_ones() -> None:
    mine = UnitRate(ProjectType.OTHER, UnitKind.SCREEN, Grade.NORMAL, D(3), D(10), D(20))
    table = RateTable(version=7, rates={mine.key: mine}, phase_ratios={})
    assert table.rate(ProjectType.WEBSITE, UnitKind.SCREEN, Grade.NORMAL) == mine
    shipped = DEFAULT_RATES.rate(ProjectType.OTHER, UnitKind.BATCH, Grade.SIMPLE)
    assert table.rate(ProjectType.WEBSITE, UnitKind.BATCH, Grade.SIMPLE) == shipped
    assert table.ratios(ProjectType.TOOL) == DEFAULT_RATES.phase_ratios[ProjectType.OTHER]
    assert DEFAULT_RATES.ratios(ProjectType.TOOL) == DEFAULT_RATES.phase_ratios[ProjectType.TOOL]


# CSV


def test_the_export_has_one_header_then_every_rate_and_phase_row() -> None:
    assert LINES[0] == ",".join(RATE_COLUMNS)
    assert len(LINES) == 1 + len(PROJECT_TYPES) * (len(UNIT_KINDS) * len(GRADES) + len(PHASES))
    assert BUSINESS_SCREEN in LINES and BUSINESS_REQUIREMENTS in LINES
    assert "E" not in EXPORT.replace("section", ""), "plain decimals, never 1E+2"


def test_export_then_import_gives_an_equal_table() -> None:
    assert rates_from_csv(EXPORT) == DEFAULT_RATES


def test_a_bom_and_excels_line_ends_padding_and_blank_rows_are_read() -> None:
    excel = "\r\n".join(f"{line},," if index % 3 else line for index, line in enumerate(LINES))
    excel = excel.replace(BUSINESS_SCREEN, '"rate","business_system","screen","normal","8.70","15","40",,')
    saved = ("\ufeff" + excel + "\r\n,,,,,,,,\r\n,,,,,,,,\r\n").encode("utf-8")
    assert saved.startswith(b"\xef\xbb\xbf")
    assert rates_from_csv(saved) == DEFAULT_RATES
    assert rates_from_csv(saved.decode("utf-8")) == DEFAULT_RATES, "a BOM left in decoded text is read too"


def test_cp932_from_japanese_excel_is_read_with_full_width_figures() -> None:
    typed = with_line(BUSINESS_SCREEN, "rate,business_system,screen,normal,８．７,１５,４０,,").replace("\n", "\r\n")
    saved = typed.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        saved.decode("utf-8")
    assert rates_from_csv(saved) == DEFAULT_RATES


BAD_INPUTS: dict[str, tuple[Callable[[], str | bytes], str, dict[str, object]]] = {
    "wrong header": (
        lambda: EXPORT.replace("project_type", "type", 1),
        "errors.rates.bad_header",
        {"expected": ",".join(RATE_COLUMNS)},
    ),
    "unknown section": (
        lambda: with_line(BUSINESS_SCREEN, "rates" + BUSINESS_SCREEN[4:]),
        "errors.rates.unknown_section",
        {"row": row_of(BUSINESS_SCREEN), "column": "section", "value": "rates"},
    ),
    "unknown type": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("business_system", "webshop")),
        "errors.rates.unknown_type",
        {"row": row_of(BUSINESS_SCREEN), "column": "project_type", "value": "webshop"},
    ),
    "unknown kind": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("screen", "widget")),
        "errors.rates.unknown_kind",
        {"row": row_of(BUSINESS_SCREEN), "column": "kind", "value": "widget"},
    ),
    "unknown grade": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("normal", "medium")),
        "errors.rates.unknown_grade",
        {"row": row_of(BUSINESS_SCREEN), "column": "grade", "value": "medium"},
    ),
    "unknown phase": (
        lambda: with_line(BUSINESS_REQUIREMENTS, BUSINESS_REQUIREMENTS.replace("requirements", "design")),
        "errors.rates.unknown_phase",
        {"row": row_of(BUSINESS_REQUIREMENTS), "column": "phase", "value": "design"},
    ),
    "non-numeric days": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", "eight")),
        "errors.rates.not_a_number",
        {"row": row_of(BUSINESS_SCREEN), "column": "days", "value": "eight"},
    ),
    "decimal comma": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", '"8,7"')),
        "errors.rates.not_a_number",
        {"row": row_of(BUSINESS_SCREEN), "column": "days", "value": "8,7"},
    ),
    "negative days": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", "-1")),
        "errors.rates.negative",
        {"row": row_of(BUSINESS_SCREEN), "column": "days", "value": "-1"},
    ),
    "absurd days": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", "870")),
        "errors.rates.days_too_large",
        {"row": row_of(BUSINESS_SCREEN), "column": "days", "value": "870", "limit": "200"},
    ),
    "too many decimals": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", "8.725")),
        "errors.rates.too_many_decimals",
        {"row": row_of(BUSINESS_SCREEN), "column": "days", "value": "8.725"},
    ),
    "missing value": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace("8.7", "")),
        "errors.rates.missing_value",
        {"row": row_of(BUSINESS_SCREEN), "column": "days"},
    ),
    "optimistic out of range": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace(",15,", ",95,")),
        "errors.rates.optimistic_range",
        {"row": row_of(BUSINESS_SCREEN), "column": "optimistic", "value": "95", "limit": "90"},
    ),
    "pessimistic out of range": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN.replace(",40,", ",501,")),
        "errors.rates.pessimistic_range",
        {"row": row_of(BUSINESS_SCREEN), "column": "pessimistic", "value": "501", "limit": "500"},
    ),
    "percent out of range": (
        lambda: with_line(BUSINESS_REQUIREMENTS, BUSINESS_REQUIREMENTS.replace(",9", ",109")),
        "errors.rates.percent_range",
        {"row": row_of(BUSINESS_REQUIREMENTS), "column": "percent", "value": "109"},
    ),
    "a cell of the other section": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN + "10"),
        "errors.rates.not_for_section",
        {"row": row_of(BUSINESS_SCREEN), "column": "percent", "section": "rate"},
    ),
    "too many cells": (
        lambda: with_line(BUSINESS_SCREEN, BUSINESS_SCREEN + ",extra"),
        "errors.rates.row_width",
        {"row": row_of(BUSINESS_SCREEN), "expected": 9, "found": 10},
    ),
    "missing combination": (
        lambda: with_line(BUSINESS_SCREEN, None),
        "errors.rates.missing_rate",
        {"count": 1, "project_type": "business_system", "kind": "screen", "grade": "normal"},
    ),
    "missing phase": (
        lambda: with_line(BUSINESS_REQUIREMENTS, None),
        "errors.rates.missing_phase",
        {"count": 1, "project_type": "business_system", "phase": "requirements"},
    ),
    "phases not adding up to 100": (
        lambda: with_line(BUSINESS_REQUIREMENTS, BUSINESS_REQUIREMENTS.replace(",9", ",9.02")),
        "errors.rates.phase_sum",
        {"project_type": "business_system", "total": "100.02"},
    ),
    "duplicate rate": (
        lambda: EXPORT + BUSINESS_SCREEN + "\n",
        "errors.rates.duplicate_rate",
        {"row": len(LINES) + 1, "first": row_of(BUSINESS_SCREEN), "kind": "screen"},
    ),
    "duplicate phase": (
        lambda: EXPORT + BUSINESS_REQUIREMENTS + "\n",
        "errors.rates.duplicate_phase",
        {"row": len(LINES) + 1, "first": row_of(BUSINESS_REQUIREMENTS), "phase": "requirements"},
    ),
    "empty file": (lambda: b"", "errors.rates.empty", {}),
    "header only": (lambda: LINES[0] + "\n\n", "errors.rates.empty", {}),
    "not text": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "errors.rates.encoding", {}),
    "unreadable CSV": (lambda: EXPORT + '"' + "x" * 200_000 + '"\n', "errors.rates.unreadable", {}),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_every_bad_input_has_its_own_message_in_both_languages(case: str) -> None:
    make, key, values = BAD_INPUTS[case]
    error = refusal(make())
    assert error.key == key
    assert {name: error.values.get(name) for name in values} == values
    for lang in LANGUAGES:
        text = t(error.key, lang, **error.values)
        assert text != error.key and "{" not in text, text
        if "row" in values:
            assert str(values["row"]) in text


def test_each_kind_of_bad_input_has_a_key_of_its_own() -> None:
    keys = {key for _, key, _ in BAD_INPUTS.values()}
    assert len(keys) == len(BAD_INPUTS) - 2, "only an empty file and a header alone, a word and 8,7 share a key"


def test_a_table_from_the_editor_is_checked_as_its_export_would_be() -> None:
    assert validated(DEFAULT_RATES) == DEFAULT_RATES
    key = (ProjectType.BUSINESS, UnitKind.SCREEN, Grade.NORMAL)
    bad = replace(DEFAULT_RATES, rates={**DEFAULT_RATES.rates, key: replace(DEFAULT_RATES.rates[key], days=D(-2))})
    with pytest.raises(InvalidInputError) as refused:
        validated(bad)
    assert (refused.value.key, refused.value.values["row"]) == ("errors.rates.negative", row_of(BUSINESS_SCREEN))
    incomplete = replace(DEFAULT_RATES, rates={k: v for k, v in DEFAULT_RATES.rates.items() if k != key})
    with pytest.raises(InvalidInputError) as refused:
        validated(incomplete)
    assert refused.value.key == "errors.rates.missing_rate"


def hundredths(top: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, top * 100).map(lambda n: D(n).scaleb(-2))


@st.composite
def tables(draw: st.DrawFn) -> RateTable:
    """Any complete table with values in bounds (two decimals, phases adding up to exactly 100)."""
    rates = {
        (t, k, g): UnitRate(t, k, g, draw(hundredths(200)), draw(hundredths(90)), draw(hundredths(500)))
        for t in PROJECT_TYPES
        for k in UNIT_KINDS
        for g in GRADES
    }
    ratios = {}
    for project_type in PROJECT_TYPES:
        cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(PHASES) - 1, max_size=len(PHASES) - 1)))
        bounds = [0, *cuts, 10_000]
        ratios[project_type] = {p: D(bounds[i + 1] - bounds[i]).scaleb(-2) for i, p in enumerate(PHASES)}
    return RateTable(version=None, rates=rates, phase_ratios=ratios)


@settings(deadline=None)
@given(tables())
def test_any_valid_table_round_trips(table: RateTable) -> None:
    assert rates_from_csv(rates_to_csv(table)) == table
    assert rates_from_csv(rates_to_csv(table).encode("utf-8-sig")) == table
