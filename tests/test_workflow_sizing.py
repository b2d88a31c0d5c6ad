"""Issue 12 through the workflow: the project type an analyst chooses (or leaves to detection), the rate table
edited as plain rows on the Settings page, and the JUAS cross-check of a business system's estimate."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from estimator.config import load_settings
from estimator.db import Database, migrate
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError, StaleWriteError
from estimator.i18n import t
from estimator.schemas import PHASES, Deliverable, RateRow
from estimator.sizing.juas import cross_check, juas_person_days
from estimator.sizing.kinds import Grade, UnitKind
from estimator.store import Store
from estimator.workflow import Workflow
from tests.factories import project_settings
from tests.schema_support import downgrade

D = Decimal
USER = "analyst"
BUSINESS = [
    Deliverable(name="受注管理画面", description="受注の登録・検索・一覧 画面10枚"),
    Deliverable(name="マスタ管理画面", description="画面2枚"),
    Deliverable(name="夜間バッチ", description="日次の集計バッチ 2本"),
]
WEBSITE = [
    Deliverable(name="コーポレートサイト", description="会社概要・採用情報など静的ページ8枚"),
    Deliverable(name="お知らせ一覧", description="CMSで更新"),
]


@pytest.fixture
def flow(database: Database) -> Iterator[Workflow]:
    yield Workflow(Store(database), OfflineEngine(), load_settings())


def project_with(flow: Workflow, items: list[Deliverable], *, estimate: bool = True) -> int:
    project = flow.create_project(project_settings("種別テスト"), user=USER)
    flow.save_deliverables(project.id, items, requirements="", expected_row_version=None)
    if estimate:
        flow.generate_estimate(project.id, expected_row_version=None, user=USER)
    return project.id


def choose(flow: Workflow, project_id: int, project_type: str | None) -> None:
    flow.set_project_type(project_id, project_type, expected_row_version=flow.project(project_id).row_version)


# The project type


def test_the_detected_type_names_its_cue_words(flow: Workflow) -> None:
    project_id = project_with(flow, WEBSITE, estimate=False)
    detected, cues = flow.detected_project_type(project_id)
    assert detected == "website"
    assert "コーポレートサイト" in cues
    assert flow.project(project_id).project_type is None
    assert flow.project_types() == [
        "website",
        "business_system",
        "app_api",
        "migration_batch",
        "internal_tool",
        "other",
    ]


def test_a_chosen_type_is_stored_bumps_the_row_version_and_sizes_the_next_estimate(flow: Workflow) -> None:
    project_id = project_with(flow, WEBSITE)
    detected_days = flow.version(project_id).person_days
    before = flow.project(project_id).row_version
    chosen = flow.set_project_type(project_id, "business_system", expected_row_version=before)
    assert (chosen.project_type, chosen.row_version) == ("business_system", before + 1)
    assert flow.project(project_id).project_type == "business_system"

    version = flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    label = t("sizing.type.business_system", "ja")
    assert t("sizing.assumption.type_chosen", "ja", type=label) in version.assumptions
    assert version.person_days != detected_days, "a business system's screen costs more than a site's page"


def test_a_type_change_makes_the_estimate_stale_and_detection_again_makes_it_current(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS)
    assert flow.inputs_changed(project_id) is False
    choose(flow, project_id, "app_api")
    assert flow.inputs_changed(project_id) is True
    choose(flow, project_id, None)
    assert flow.project(project_id).project_type is None
    assert flow.inputs_changed(project_id) is False


def test_an_unknown_type_is_refused_and_nothing_changes(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS, estimate=False)
    before = flow.project(project_id).row_version
    with pytest.raises(InvalidInputError) as refused:
        flow.set_project_type(project_id, "spaceship", expected_row_version=before)
    assert refused.value.key == "errors.input.bad_project_type"
    assert refused.value.values["value"] == "spaceship"
    assert "business_system" in str(refused.value.values["allowed"])
    assert t(refused.value.key, "en", **refused.value.values).startswith("“spaceship” is not a project type")
    project = flow.project(project_id)
    assert (project.project_type, project.row_version) == (None, before)


def test_a_type_chosen_on_a_stale_read_is_refused(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS, estimate=False)
    read = flow.project(project_id).row_version
    choose(flow, project_id, "other")
    with pytest.raises(StaleWriteError):
        flow.set_project_type(project_id, "website", expected_row_version=read)
    assert flow.project(project_id).project_type == "other"


def test_a_duplicate_keeps_the_chosen_type(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS, estimate=False)
    choose(flow, project_id, "migration_batch")
    copy = flow.duplicate_project(project_id, title="複製", user=USER)
    assert copy.project_type == "migration_batch"


def test_0003_downgrade_drops_the_chosen_type_and_the_upgrade_starts_it_empty(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS, estimate=False)
    choose(flow, project_id, "other")
    database = flow.store.database
    downgrade(database, "0002")
    assert "project_type" not in {column["name"] for column in inspect(database.engine).get_columns("tasks")}
    migrate(database.engine)
    project = flow.project(project_id)
    assert project.project_type is None and len(project.deliverables) == len(BUSINESS)


# Rate rows for the Settings editor


def edited(rows: list[RateRow], kind: str, grade: str, days: str) -> list[RateRow]:
    return [
        RateRow(row.kind, row.grade, D(days), row.optimistic, row.pessimistic)
        if (row.kind, row.grade) == (kind, grade)
        else row
        for row in rows
    ]


def test_rate_rows_round_trip_into_a_new_version_that_changes_only_the_edited_figure(flow: Workflow) -> None:
    rows = flow.rate_rows("business_system")
    shares = flow.phase_shares("business_system")
    assert len(rows) == len(UnitKind) * len(Grade) and (rows[0].kind, rows[0].grade) == ("screen", "simple")
    assert list(shares) == [phase.value for phase in PHASES] and sum(shares.values()) == 100
    saved = flow.save_rate_rows(
        "business_system",
        edited(rows, "screen", "normal", "9.5"),
        shares,
        user=USER,
        note="画面の見直し",
        expected_version=1,
    )
    assert (saved.version, saved.created_by, saved.note) == (2, USER, "画面の見直し")
    assert flow.current_rate_version().version == 2
    assert flow.rate_rows("business_system") == edited(rows, "screen", "normal", "9.5")
    assert flow.rate_rows("business_system", 1) == rows
    for other in flow.project_types():
        if other != "business_system":
            assert flow.rate_rows(other, 2) == flow.rate_rows(other, 1)
            assert flow.phase_shares(other, 2) == flow.phase_shares(other, 1)
    assert flow.export_rates(2) != flow.export_rates(1)


def test_new_phase_shares_that_add_up_to_100_are_saved(flow: Workflow) -> None:
    shares = flow.phase_shares("website")
    moved = {**shares, "requirements": shares["requirements"] + 1, "pm_docs": shares["pm_docs"] - 1}
    flow.save_rate_rows("website", flow.rate_rows("website"), moved, user=USER)
    assert flow.phase_shares("website") == moved


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_shares_that_do_not_add_up_to_100_are_refused_naming_the_type_in_words(flow: Workflow, lang: str) -> None:
    shares = flow.phase_shares("internal_tool")
    short = {**shares, "requirements": shares["requirements"] - 5}
    with pytest.raises(InvalidInputError) as refused:
        flow.save_rate_rows("internal_tool", flow.rate_rows("internal_tool"), short, user=USER)
    assert refused.value.key == "errors.rates.phase_sum"
    message = t(refused.value.key, lang, **refused.value.values)
    assert t("sizing.type.internal_tool", lang) in message and "95" in message
    assert [v.version for v in flow.rate_table_versions()] == [1]


@pytest.mark.parametrize(
    ("days", "shown"), [("250", "250"), ("-1", "-1"), ("8.755", "8.755")], ids=["too large", "negative", "decimals"]
)
def test_a_figure_out_of_range_is_refused_naming_the_item_and_column(flow: Workflow, days: str, shown: str) -> None:
    rows = edited(flow.rate_rows("app_api"), "report", "complex", days)
    with pytest.raises(InvalidInputError) as refused:
        flow.save_rate_rows("app_api", rows, flow.phase_shares("app_api"), user=USER)
    assert refused.value.key == "errors.rates.editor_value"
    ja = t(refused.value.key, "ja", **refused.value.values)
    en = t(refused.value.key, "en", **refused.value.values)
    assert ja.startswith("帳票（複雑）の1 単位の人日: " + shown)
    assert en.startswith(f"report (complex), Person-days per unit: {shown} must be between 0 and 200")
    assert [v.version for v in flow.rate_table_versions()] == [1]


def test_a_save_against_an_older_version_is_refused_as_stale(flow: Workflow) -> None:
    rows = flow.rate_rows("other")
    flow.save_rate_rows("other", edited(rows, "feature", "normal", "7"), flow.phase_shares("other"), user="someone")
    with pytest.raises(StaleWriteError) as refused:
        flow.save_rate_rows(
            "other", edited(rows, "table", "simple", "1"), flow.phase_shares("other"), user=USER, expected_version=1
        )
    assert refused.value.values == {"version": 1, "latest": 2}
    assert [v.version for v in flow.rate_table_versions()] == [1, 2]


def test_rate_rows_of_an_unknown_type_are_refused(flow: Workflow) -> None:
    with pytest.raises(InvalidInputError) as refused:
        flow.rate_rows("spaceship")
    assert refused.value.key == "errors.input.bad_project_type"


# The JUAS cross-check


def test_the_juas_relation_and_its_band() -> None:
    assert juas_person_days(D(12), D(2)) == D("243.20")
    assert cross_check(D(12), D(2), D("265")).ratio == D("1.09")
    assert cross_check(D(12), D(2), D("121.60")).verdict == "within", "exactly half is within the band"
    assert cross_check(D(12), D(2), D("121.59")).verdict == "below_half"
    assert cross_check(D(12), D(2), D("486.40")).verdict == "within", "exactly twice is within the band"
    assert cross_check(D(12), D(2), D("486.41")).verdict == "above_double"


def test_a_business_system_is_checked_against_its_counted_screens_and_batches(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS)
    check = flow.juas_check(project_id)
    assert check is not None
    assert (check.screens, check.batches, check.person_days) == (D(12), D(2), D("243.20"))
    assert check.estimate_days == flow.version(project_id).person_days
    assert check.ratio == (check.estimate_days / D("243.20")).quantize(D("0.01"))
    assert check.verdict == "within"


def test_an_estimate_far_from_the_juas_figure_is_called_out_either_way(flow: Workflow) -> None:
    project_id = project_with(flow, BUSINESS)
    names = [line.deliverable for line in flow.store.get_version(project_id).lines]
    small = flow.edit_lines(project_id, dict.fromkeys(names, D(1)), base_version=1, user=USER)
    large = flow.edit_lines(project_id, dict.fromkeys(names, D(500)), base_version=small.number, user=USER)
    below, above, first = (flow.juas_check(project_id, number) for number in (small.number, large.number, 1))
    assert below is not None and below.verdict == "below_half" and below.estimate_days == len(names)
    assert above is not None and above.verdict == "above_double"
    assert first is not None and first.verdict == "within"


def test_only_a_business_system_with_screens_is_checked(flow: Workflow) -> None:
    website = project_with(flow, WEBSITE)
    assert flow.juas_check(website) is None
    no_screens = project_with(flow, [Deliverable(name="受注データ連携", description="基幹システムとのファイル連携")])
    assert flow.detected_project_type(no_screens)[0] == "business_system"
    assert flow.juas_check(no_screens) is None


def test_the_chosen_type_decides_whether_the_check_applies(flow: Workflow) -> None:
    business = project_with(flow, BUSINESS)
    choose(flow, business, "app_api")
    assert flow.juas_check(business) is None
    website = project_with(flow, WEBSITE)
    choose(flow, website, "business_system")
    check = flow.juas_check(website)
    assert check is not None and check.screens >= 8


def test_the_unit_count_answer_sizes_a_list_without_counts_and_feeds_the_juas_check(flow: Workflow) -> None:
    """A list that names work but counts nothing: the engine asks for the counts first, and the answer both
    sizes the build line and gives the JUAS check its screens and batches."""
    items = [
        Deliverable(name="要件定義書", description="業務要件の整理"),
        Deliverable(name="受発注システム開発", description="受注・発注・在庫の業務システム"),
        Deliverable(name="総合テスト", description=""),
    ]
    project_id = project_with(flow, items, estimate=False)
    asked = flow.generate_questions(project_id, expected_row_version=None, user=USER)
    assert asked.qa_pairs[0].key == "unit_counts"
    small = flow.generate_estimate(project_id, expected_row_version=None, user=USER).person_days
    assert flow.juas_check(project_id) is None, "no screen counted yet"
    answered = flow.save_answers(
        project_id, {"unit_counts": "画面20、帳票5、バッチ4"}, expected_row_version=flow.project(project_id).row_version
    )
    large = flow.generate_estimate(answered.id, expected_row_version=None, user=USER).person_days
    assert large > 10 * small
    check = flow.juas_check(project_id)
    assert check is not None and (check.screens, check.batches) == (D(20), D(4))
    assert check.verdict == "within"
