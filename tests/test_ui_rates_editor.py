"""Issue 12 on the Settings page: one project type's rates and phase ratios are edited and saved as a new
version of the rate table; a refused save or import stores nothing and keeps what was typed or chosen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from estimator.i18n import t
from tests.ui_support import app, flow, texts

SCREEN_NORMAL = 1
"""Row 1 of every type's rates (0-based): screen, normal (kind by kind, grade by grade)."""


def settings_page(lang: str, project_type: str = "business_system") -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/usage.py").run()
    at.selectbox(key="rates_type").set_value(project_type).run()
    assert not at.exception
    return at


def edit(at: AppTest, editor: str, rows: dict[int, dict[str, float]]) -> None:
    at.session_state[editor] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def save(at: AppTest, version: int, project_type: str, lang: str) -> None:
    at.button(key=f"FormSubmitter:rates_form_{version}_{project_type}-{t('usage.rates.save', lang)}").click().run()
    assert not at.exception


def versions() -> list[int]:
    return [info.version for info in flow().rate_table_versions()]


def shows_version(at: AppTest, lang: str, version: int, who: str) -> bool:
    """Whether the section names `version`, saved by `who`, as the one shown."""
    prefix = t("usage.rates.current", lang, version=version, who=who, when="")
    return any(text.startswith(prefix) for text in texts(at.markdown))


def with_days(csv: str, prefix: str, days: str) -> str:
    """The CSV with the days cell of the row starting `prefix` (section,type,kind,grade) set to `days`."""
    rows = []
    for row in csv.splitlines():
        cells = row.split(",")
        if row.startswith(prefix + ","):
            cells[4] = days
        rows.append(",".join(cells))
    changed = "\n".join(rows) + "\n"
    assert changed != csv
    return changed


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_shown_version_and_the_chosen_type_s_figures_are_on_the_page(lang: str) -> None:
    at = settings_page(lang)
    current = flow().current_rate_version()
    assert t("usage.rates.title", lang) in texts(at.subheader)
    assert shows_version(at, lang, 1, "estimator")
    assert t("usage.rates.note_shown", lang, note=t("sizing.rates.shipped", lang)) in texts(at.caption)
    assert current.version == 1
    rates, shares = (frame.value for frame in at.dataframe[:2])
    row = flow().rate_rows("business_system")[SCREEN_NORMAL]
    assert list(rates.iloc[SCREEN_NORMAL]) == [
        t("sizing.unit.screen", lang),
        t("sizing.grade.normal", lang),
        float(row.days),
        float(row.optimistic),
        float(row.pessimistic),
    ]
    assert list(shares["phase"]) == [
        t(f"offline.phase.{phase}", lang) for phase in flow().phase_shares("business_system")
    ]
    [download] = at.get("download_button")
    assert download.proto.label == t("usage.rates.download", lang, version=1)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_edited_figure_is_saved_as_version_2_with_its_note(lang: str) -> None:
    at = settings_page(lang)
    before = flow().rate_rows("business_system")
    edit(at, "rates_1_business_system", {SCREEN_NORMAL: {"days": 9.25}})
    at.text_input(key="rates_note_1_business_system").input("画面の見直し")
    save(at, 1, "business_system", lang)

    assert versions() == [1, 2]
    current = flow().current_rate_version()
    assert (current.note, current.created_by) == ("画面の見直し", "local")
    after = flow().rate_rows("business_system")
    assert after[SCREEN_NORMAL].days == Decimal("9.25")
    assert [row for index, row in enumerate(after) if index != SCREEN_NORMAL] == [
        row for index, row in enumerate(before) if index != SCREEN_NORMAL
    ]
    assert flow().rate_rows("website") == flow().rate_rows("website", 1)
    assert t("usage.rates.saved", lang, version=2) in texts(at.success)
    assert shows_version(at, lang, 2, "local")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_phase_ratios_that_do_not_add_up_are_refused_and_the_edits_kept(lang: str) -> None:
    at = settings_page(lang, "website")
    shares = flow().phase_shares("website")
    first = next(iter(shares))
    edit(at, "shares_1_website", {0: {"percent": float(shares[first] + 5)}})
    edit(at, "rates_1_website", {SCREEN_NORMAL: {"days": 2.0}})
    save(at, 1, "website", lang)

    assert versions() == [1]
    label = t("sizing.type.website", lang)
    assert texts(at.error) == [t("errors.rates.phase_sum", lang, project_type=label, total="105")]
    assert at.session_state["shares_1_website"]["edited_rows"] == {0: {"percent": float(shares[first] + 5)}}
    assert at.session_state["rates_1_website"]["edited_rows"] == {SCREEN_NORMAL: {"days": 2.0}}
    assert not texts(at.success)


def test_a_figure_above_its_limit_is_refused_naming_the_item_and_column() -> None:
    at = settings_page("ja", "app_api")
    edit(at, "rates_1_app_api", {SCREEN_NORMAL: {"days": 250.0}})
    save(at, 1, "app_api", "ja")

    assert versions() == [1]
    assert texts(at.error) == [
        "画面（普通）の1 単位の人日: 250 は 0〜200 の範囲で、小数点以下 2 桁までにしてください。"
    ]


def test_a_save_after_someone_else_saved_is_refused_with_the_edits_kept_and_the_newest_can_be_shown() -> None:
    at = settings_page("ja")
    workflow = flow()
    workflow.save_rate_rows("other", workflow.rate_rows("other"), workflow.phase_shares("other"), user="tab-b")
    at.run()
    assert t("usage.rates.newer", "ja", shown=1, newest=2, who="tab-b") in texts(at.warning)

    edit(at, "rates_1_business_system", {SCREEN_NORMAL: {"days": 9.25}})
    save(at, 1, "business_system", "ja")
    assert texts(at.error) == [t("errors.rates.stale", "ja", version=1, latest=2)]
    assert versions() == [1, 2]
    assert at.session_state["rates_1_business_system"]["edited_rows"] == {SCREEN_NORMAL: {"days": 9.25}}

    at.button(key="rates_show_newest").click().run()
    assert not texts(at.warning)
    assert shows_version(at, "ja", 2, "tab-b")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_refused_csv_import_shows_why_in_the_user_s_language_and_stores_nothing(lang: str) -> None:
    at = settings_page(lang)
    broken = with_days(flow().export_rates(1), "rate,business_system,screen,normal", "abc")
    row = next(number for number, line in enumerate(broken.splitlines(), start=1) if ",abc," in line)
    at.file_uploader[0].set_value(("rates.csv", broken.encode(), "text/csv")).run()
    at.button(key="rates_import").click().run()

    assert not at.exception
    assert versions() == [1]
    assert texts(at.error) == [t("errors.rates.not_a_number", lang, row=row, column="days", value="abc")]
    assert not texts(at.success)


def test_a_valid_csv_import_is_a_new_version_named_after_its_file() -> None:
    at = settings_page("ja")
    edited = with_days(flow().export_rates(1), "rate,website,screen,normal", "1.75")
    at.file_uploader[0].set_value(("rates-edited.csv", edited.encode(), "text/csv")).run()
    at.button(key="rates_import").click().run()

    assert versions() == [1, 2]
    assert flow().current_rate_version().note == t("usage.rates.import_note", "ja", filename="rates-edited.csv")
    assert flow().rate_rows("website")[SCREEN_NORMAL].days == Decimal("1.75")
    assert t("usage.rates.imported", "ja", filename="rates-edited.csv", version=2) in texts(at.success)
