"""The reader of counted units: what a deliverable contains and how many, in Japanese and English.

Each trap the previous engine fell into has its own test; `units_corpus.json` holds realistic
deliverables with the main kind, quantity and grade a reviewer expects; the property tests
check numbers in every script and that no text makes the reader fail.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from estimator.sizing.kinds import Grade, UnitKind
from estimator.sizing.units import GRADE_CUES, Count, UnitReading, parse_quantity, read_units
from tests.conftest import SAMPLES

CORPUS = json.loads((SAMPLES / "units_corpus.json").read_text(encoding="utf-8"))


def _totals(reading: UnitReading) -> dict[UnitKind, Decimal]:
    """Each kind's quantity: the sum of its counts, as the sizing adds them."""
    totals: dict[UnitKind, Decimal] = defaultdict(Decimal)
    for count in reading.counts:
        totals[count.kind] += count.quantity
    return dict(totals)


def _main(name: str, description: str = "") -> Count:
    return read_units(name, description).main


# --- parse_quantity ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", 5),
        ("５", 5),
        ("五", 5),
        ("十二", 12),
        ("二百", 200),
        ("二千二十四", 2024),
        ("二〇二四", 2024),
        ("1万", 10_000),
        ("５００万", 5_000_000),
        ("3千", 3_000),
        ("1.5万", 15_000),
        ("1万2千", 12_000),
        ("五百万", 5_000_000),
        ("約500万", 5_000_000),
        ("およそ20", 20),
        ("approx. 30", 30),
        ("12k", 12_000),
        ("1.2M", 1_200_000),
        ("5 million", 5_000_000),
        ("1,200", 1_200),
        ("１，２００", 1_200),
        ("twelve", 12),
        ("10〜15", 15),
        ("10-15", 15),
        ("十二画面", 12),
    ],
)
def test_parse_quantity_reads_every_way_of_writing_a_number(text: str, expected: int) -> None:
    assert parse_quantity(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "画面", "一覧", "統一", "数十", "第2", "Ver.3", "S3", "no numbers here"])
def test_parse_quantity_is_none_without_a_number(text: str) -> None:
    assert parse_quantity(text) is None


def test_quantities_are_whole_decimals_without_exponent() -> None:
    quantity = parse_quantity("1.5万")
    assert quantity is not None
    assert str(quantity) == "15000"


# --- screens and pages ---------------------------------------------------------------------


def test_static_pages_are_five_simple_screens() -> None:
    count = _main("静的ページ5枚")
    assert (count.kind, count.quantity, count.grade) == (UnitKind.SCREEN, 5, Grade.SIMPLE)
    assert count.cues == ("static",)
    assert count.quoted == "静的ページ5枚"
    assert count.stated


def test_pages_listed_before_their_number_are_counted_by_the_number() -> None:
    count = _main("会社概要・事業紹介・採用情報の3ページ")
    assert (count.kind, count.quantity) == (UnitKind.SCREEN, 3)


def test_english_screens() -> None:
    count = _main("12 screens")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.SCREEN, 12, "12 screens")


def test_a_labelled_screen_count() -> None:
    count = _main("画面数：約20")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.SCREEN, 20, "画面数：約20")


def test_named_sub_screens_in_brackets_count_one_each() -> None:
    count = _main("管理画面（一覧・登録・編集・削除）")
    assert (count.kind, count.quantity, count.stated) == (UnitKind.SCREEN, 4, True)
    assert count.quoted == "管理画面（一覧・登録・編集・削除）"


def test_a_written_number_wins_over_the_bracket_list() -> None:
    assert _totals(read_units("管理画面（一覧・登録・編集・削除）", "全6画面"))[UnitKind.SCREEN] == 4
    assert _totals(read_units("管理画面（一覧・登録・編集・削除の6画面）"))[UnitKind.SCREEN] == 6


def test_an_uncounted_form_is_one_normal_screen() -> None:
    count = _main("お問い合わせフォーム")
    assert (count.kind, count.quantity, count.grade) == (UnitKind.SCREEN, 1, Grade.NORMAL)
    assert (count.stated, count.quoted) == (False, "")


def test_joined_items_before_a_unit_word() -> None:
    assert _main("トップ・一覧・詳細画面").quantity == 3
    assert _main("list, detail and edit screens").quantity == 3


def test_a_list_of_platforms_is_no_list_of_screens() -> None:
    reading = read_units("PC・スマホ画面")
    assert reading.main.kind is UnitKind.SCREEN
    assert _totals(reading) == {UnitKind.SCREEN: 1, UnitKind.DEVICE: 2}


def test_pages_of_a_document_are_not_screens() -> None:
    assert UnitKind.SCREEN not in _totals(read_units("基本設計書", "設計書50ページ"))
    assert UnitKind.SCREEN not in _totals(read_units("Operations manual", "a 40-page manual"))


def test_a_document_listing_screens_is_no_screen() -> None:
    count = _main("要件定義書", "機能一覧・画面一覧・帳票一覧などを整理した文書")
    assert (count.kind, count.stated) == (UnitKind.FEATURE, False)


# --- reports -------------------------------------------------------------------------------


def test_five_kinds_of_report() -> None:
    count = _main("帳票5種")
    assert (count.kind, count.quantity) == (UnitKind.REPORT, 5)


def test_reports_named_in_brackets() -> None:
    count = _main("帳票出力（請求書・納品書）")
    assert (count.kind, count.quantity) == (UnitKind.REPORT, 2)


@pytest.mark.parametrize("name", ["帳票", "帳票出力", "帳票作成（PDF）", "Reports", "帳票出力機能"])
def test_a_line_named_for_reports_is_a_report(name: str) -> None:
    assert _main(name).kind is UnitKind.REPORT


# --- interfaces ----------------------------------------------------------------------------


def test_core_system_interfaces_are_three_complex_units() -> None:
    count = _main("基幹システム連携（受注・在庫・出荷の3IF）")
    assert (count.kind, count.quantity, count.grade) == (UnitKind.INTERFACE, 3, Grade.COMPLEX)
    assert "core_system" in count.cues
    assert count.quoted == "3IF"


def test_a_payment_gateway_is_one_complex_interface() -> None:
    count = _main("決済代行（クレジットカード）連携")
    assert (count.kind, count.quantity, count.grade, count.stated) == (UnitKind.INTERFACE, 1, Grade.COMPLEX, False)
    assert count.cues == ("payment",)


def test_an_inventory_api_is_a_complex_interface() -> None:
    count = _main("在庫連携API")
    assert (count.kind, count.grade) == (UnitKind.INTERFACE, Grade.COMPLEX)


def test_an_api_the_project_exposes_is_counted_by_its_endpoints() -> None:
    count = _main("REST API (20 endpoints)")
    assert (count.kind, count.quantity, count.grade, count.quoted) == (
        UnitKind.ENDPOINT,
        20,
        Grade.NORMAL,
        "20 endpoints",
    )
    assert [(c.kind, c.quantity) for c in read_units("API開発", "エンドポイント約30本").counts] == [
        (UnitKind.ENDPOINT, 30)
    ], "a bare API name that counts endpoints is the project's own API, not one more link"
    assert _main("在庫連携API").kind is UnitKind.INTERFACE, "an API to link to is another party's"
    assert _main("バックエンドAPI", "REST API 約25エンドポイント").kind is UnitKind.ENDPOINT


def test_a_design_line_counts_the_screens_it_designs_and_a_build_line_none() -> None:
    design = read_units("UI/UXデザイン", "アプリ12画面のデザイン").counts
    assert [(c.kind, c.quantity) for c in design] == [(UnitKind.DESIGN, 12)]
    coding = read_units("下層ページコーディング", "下層テンプレート2種を展開し、静的ページ15枚").counts
    assert [(c.kind, c.quantity) for c in coding] == [(UnitKind.SCREEN, 15)]


def test_if_is_an_interface_only_in_capitals() -> None:
    assert UnitKind.INTERFACE not in _totals(read_units("Admin screens", "add 3 if needed"))
    assert _main("受注IF", "IF 3本").quantity == 3


def test_digits_in_a_name_are_no_count() -> None:
    count = _main("S3連携")
    assert (count.kind, count.quantity, count.stated) == (UnitKind.INTERFACE, 1, False)


# --- batches and tables --------------------------------------------------------------------


def test_nightly_batches() -> None:
    count = _main("夜間バッチ4本")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.BATCH, 4, "夜間バッチ4本")


def test_a_bare_counter_counts_the_main_kind() -> None:
    assert _totals(read_units("夜間バッチ", "売上集計・在庫引当・データ連携の3本"))[UnitKind.BATCH] == 3
    assert _totals(read_units("バッチ処理", "日次2本、月次3本"))[UnitKind.BATCH] == 5


def test_a_function_cue_in_a_counted_list_grades_one_unit_not_all() -> None:
    """One payment endpoint among 25 does not make the other 24 complex; a cue in the name grades them all."""
    counts = read_units("バックエンドAPI", "会員・メニュー・注文・決済・店舗の REST API 約25エンドポイント").counts
    assert [(c.quantity, c.grade) for c in counts] == [(1, Grade.COMPLEX), (24, Grade.NORMAL)]
    batches = read_units("夜間バッチ", "在庫引当、売上集計、請求締め、マスタ取込、ログ削除の5本").counts
    assert [(c.quantity, c.grade) for c in batches] == [(1, Grade.COMPLEX), (4, Grade.NORMAL)]
    assert [(c.quantity, c.grade) for c in read_units("決済画面", "カード入力・確認・完了の3画面").counts] == [
        (3, Grade.COMPLEX)
    ]
    links = read_units("基幹連携IF", "会計への仕訳連携、販売実績連携、商品マスタ受信の3IF").counts
    assert [(c.quantity, c.grade) for c in links] == [(3, Grade.COMPLEX)], "基幹 is where all three go"


@pytest.mark.parametrize("name", ["テーブル200", "200テーブル", "200 tables"])
def test_tables(name: str) -> None:
    count = _main(name)
    assert (count.kind, count.quantity) == (UnitKind.TABLE, 200)


def test_entities_are_tables() -> None:
    count = _main("エンティティ30個")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.TABLE, 30, "エンティティ30個")


# --- data volume ---------------------------------------------------------------------------


def test_a_migration_volume_is_records_never_systems() -> None:
    reading = read_units("約500万件のデータ移行")
    assert (reading.main.kind, reading.main.quantity, reading.main.quoted) == (
        UnitKind.RECORDS,
        5_000_000,
        "約500万件",
    )
    assert _totals(reading) == {UnitKind.RECORDS: 5_000_000}


def test_a_volume_is_sized_by_its_records_not_graded_by_them() -> None:
    """8 million rows are 8 units already: grading them COMPLEX as well would count the volume twice."""
    count = _main("約500万件のデータ移行")
    assert (count.quantity, count.grade) == (5_000_000, Grade.NORMAL)
    assert _main("データ移行", "1,200件").grade is Grade.NORMAL
    assert _main("集計バッチ", "数百万件の明細を集計").grade is Grade.COMPLEX, "a batch that moves it is harder"
    assert _main("データ変換プログラム", "文字コード変換・外字置換、8テーブル分").grade is Grade.COMPLEX


def test_source_systems_are_interfaces_and_the_volume_records() -> None:
    without_volume = read_units("3システムからのデータ移行")
    assert without_volume.main.kind is UnitKind.RECORDS
    assert not without_volume.main.stated
    assert _totals(without_volume) == {UnitKind.RECORDS: 1, UnitKind.INTERFACE: 3}
    with_volume = read_units("3システムからのデータ移行", "約500万件")
    assert _totals(with_volume) == {UnitKind.RECORDS: 5_000_000, UnitKind.INTERFACE: 3}


def test_ken_tied_to_another_unit_counts_that_unit() -> None:
    assert _totals(read_units("API連携", "3件の外部連携")) == {UnitKind.INTERFACE: 3}


def test_ken_is_a_volume_only_on_a_line_that_handles_data() -> None:
    assert _totals(read_units("お知らせ機能", "トップページに最新5件表示")) == {UnitKind.FEATURE: 1}
    assert _totals(read_units("問い合わせ対応", "月間500件程度")) == {UnitKind.FEATURE: 1}
    assert _totals(read_units("受注CSV取込", "1日約10万件")) == {UnitKind.RECORDS: 100_000}


# --- devices and languages -----------------------------------------------------------------


def test_ios_and_android_are_two_devices() -> None:
    count = _main("iOS/Android対応")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.DEVICE, 2, "iOS/Android")


def test_ten_device_models() -> None:
    count = _main("対応端末10機種")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.DEVICE, 10, "対応端末10機種")


def test_an_app_is_its_screens_on_its_platforms() -> None:
    reading = read_units("スマホアプリ（iOS/Android）", "10画面")
    assert reading.main.kind is UnitKind.SCREEN
    assert _totals(reading) == {UnitKind.SCREEN: 10, UnitKind.DEVICE: 2}


@pytest.mark.parametrize(
    ("name", "description"),
    [
        ("3 languages", ""),
        ("多言語（日英中）", ""),
        ("多言語対応", "日本語・英語・中国語"),
        ("Localization", "English, Japanese and Korean"),
    ],
)
def test_three_languages(name: str, description: str) -> None:
    count = _main(name, description)
    assert (count.kind, count.quantity) == (UnitKind.LANGUAGE, 3)


def test_programming_languages_are_not_languages_to_support() -> None:
    assert UnitKind.LANGUAGE not in _totals(read_units("API開発", "2 programming languages"))


# --- what a line is not --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "description"),
    [("プッシュ通知", ""), ("Push notifications", "via APNs and FCM"), ("プッシュ通知", "FCM/APNs経由で配信")],
)
def test_push_notifications_are_a_normal_feature(name: str, description: str) -> None:
    count = _main(name, description)
    assert (count.kind, count.grade) == (UnitKind.FEATURE, Grade.NORMAL)
    assert "realtime" not in count.cues


def test_a_cutover_is_records_or_a_feature_even_when_it_is_verified() -> None:
    reading = read_units("本番移行・切替作業", "切替手順の検証、移行リハーサル、切替後の検証")
    assert reading.main.kind in (UnitKind.RECORDS, UnitKind.FEATURE)
    assert {count.kind for count in reading.counts} <= {UnitKind.RECORDS, UnitKind.FEATURE}


@pytest.mark.parametrize(("name", "description"), [("ログイン機能", "ID・パスワード"), ("SEO対策", ""), ("保守", "")])
def test_a_line_with_no_unit_is_one_feature(name: str, description: str) -> None:
    count = _main(name, description)
    assert (count.kind, count.quantity, count.stated, count.quoted) == (UnitKind.FEATURE, 1, False, "")


# --- negations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "absent"),
    [
        ("帳票なし", UnitKind.REPORT),
        ("帳票は不要", UnitKind.REPORT),
        ("外部連携なし", UnitKind.INTERFACE),
        ("no integration", UnitKind.INTERFACE),
        ("No external integrations and no reports.", UnitKind.REPORT),
        ("without reports", UnitKind.REPORT),
        ("多言語対応は不要", UnitKind.LANGUAGE),
    ],
)
def test_a_negated_kind_is_not_counted(description: str, absent: UnitKind) -> None:
    reading = read_units("受注管理画面（12画面）", description)
    assert absent not in _totals(reading)
    assert reading.main.kind is UnitKind.SCREEN


def test_a_negated_line_falls_to_a_feature() -> None:
    assert _main("受注管理", "外部連携なし、帳票なし").kind is UnitKind.FEATURE


def test_a_negated_cue_does_not_grade() -> None:
    assert _main("受注画面", "決済なし").grade is Grade.NORMAL


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "quantity"),
    [
        ("５画面", UnitKind.SCREEN, 5),
        ("三画面", UnitKind.SCREEN, 3),
        ("十二画面", UnitKind.SCREEN, 12),
        ("夜間バッチ二十本", UnitKind.BATCH, 20),
        ("データ移行1,200件", UnitKind.RECORDS, 1_200),
        ("データ移行約3千件", UnitKind.RECORDS, 3_000),
        ("データ移行１．５万件", UnitKind.RECORDS, 15_000),
        ("データ移行（約五百万件）", UnitKind.RECORDS, 5_000_000),
        ("Data migration, approx. 1.2M records", UnitKind.RECORDS, 1_200_000),
        ("画面およそ30", UnitKind.SCREEN, 30),
        ("About 40 tables", UnitKind.TABLE, 40),
        ("Two reports", UnitKind.REPORT, 2),
    ],
)
def test_numbers_in_every_script(name: str, kind: UnitKind, quantity: int) -> None:
    count = _main(name)
    assert (count.kind, count.quantity) == (kind, quantity)


def test_the_quote_is_as_written() -> None:
    assert _main("５画面").quoted == "５画面"
    assert _main("ﾍﾟｰｼﾞ５枚").quoted == "ﾍﾟｰｼﾞ５枚"


@pytest.mark.parametrize("name", ["10〜15画面", "10～15画面", "10-15 screens", "10画面〜15画面", "画面10から15"])
def test_a_range_counts_its_upper_bound(name: str) -> None:
    count = _main(name)
    assert (count.kind, count.quantity) == (UnitKind.SCREEN, 15)


@pytest.mark.parametrize(
    "description",
    [
        "画面は2024年度リリース",
        "第2期画面",
        "画面Ver.3",
        "画面は24時間365日稼働",
        "帳票99.9%",
        "バッチ3ヶ月",
        "画面5名で開発",
        "画面 2024-04-01 公開",
        "バッチ 10:00 起動",
        "Phase 2 screens",
        "screens for 3 months",
        "pages built by 5 people",
        "数十画面",
        "一覧画面",
        "統一画面",
    ],
)
def test_a_number_that_belongs_to_something_else_is_not_a_count(description: str) -> None:
    reading = read_units("管理", description)
    assert all(not count.stated for count in reading.counts), reading


# --- name and description ------------------------------------------------------------------


def test_a_count_restated_in_the_description_counts_once() -> None:
    assert _totals(read_units("12 screens", "12 screens for the admin"))[UnitKind.SCREEN] == 12


def test_the_description_may_break_down_the_name_s_figure() -> None:
    reading = read_units("受注画面（20画面）", "一覧8画面、登録12画面")
    assert [count.quantity for count in reading.counts] == [8, 12]


def test_the_name_s_figure_stands_when_the_description_differs() -> None:
    assert _totals(read_units("受注画面（20画面）", "うち新規10画面"))[UnitKind.SCREEN] == 20


def test_a_total_beside_its_breakdown_counts_once() -> None:
    assert _totals(read_units("受注画面", "全20画面：一覧8画面、登録12画面"))[UnitKind.SCREEN] == 20


@pytest.mark.parametrize("description", ["一覧5画面、登録5画面", "5画面、3画面、2画面"])
def test_counts_of_one_kind_add_up(description: str) -> None:
    assert _totals(read_units("受注画面", description))[UnitKind.SCREEN] == 10


def test_a_kinds_counter_counts_the_main_kind_only_after_a_list() -> None:
    assert _main("帳票出力", "請求書・納品書の2種").quantity == 2
    assert _main("アクセス解析ダッシュボード", "グラフ6種").stated is False


def test_english_counts_may_carry_modifiers() -> None:
    count = _main("Nightly processing", "4 nightly batch jobs")
    assert (count.kind, count.quantity, count.quoted) == (UnitKind.BATCH, 4, "4 nightly batch jobs")


def test_uncounted_clauses_grade_a_main_count_whose_own_clause_is_silent() -> None:
    assert _main("コーポレートサイト", "静的ページ5枚、サイト内検索").grade is Grade.SIMPLE
    assert _main("コーポレートサイト", "ページ5枚。すべて静的。").grade is Grade.SIMPLE
    assert _main("決済画面", "2画面").grade is Grade.COMPLEX


def test_counts_of_one_kind_keep_their_own_grades() -> None:
    reading = read_units("コーポレートサイト", "静的ページ5枚、検索付きの一覧ページ3枚")
    assert [(count.quantity, count.grade) for count in reading.counts] == [(5, Grade.SIMPLE), (3, Grade.NORMAL)]


def test_the_name_announces_the_main_kind() -> None:
    assert _main("帳票出力画面").kind is UnitKind.SCREEN
    assert _main("Data migration from 3 legacy systems").kind is UnitKind.RECORDS
    assert _main("受注管理", "一覧・登録画面、帳票3種").kind is UnitKind.SCREEN


# --- grades --------------------------------------------------------------------------------

CUE_PHRASES = {
    "static": "静的ページ",
    "fixed_content": "固定ページ",
    "display_only": "表示のみの画面",
    "crud_only": "単純なCRUDの管理画面",
    "master_maintenance": "マスタメンテナンス画面",
    "template": "テンプレート利用のページ",
    "modification": "既存画面に2列を追加",
    "stated_simple": "簡易画面",
    "staging": "ステージングテーブル作成",
    "low_code": "kintoneアプリ画面",
    "search": "検索画面",
    "aggregation": "集計画面",
    "input_validation": "入力チェック付きフォーム",
    "push_notification": "プッシュ通知",
    "stated_normal": "難易度：普通の画面",
    "external_system": "外部システム連携",
    "payment": "決済代行連携",
    "realtime": "リアルタイム在庫表示画面",
    "approval_flow": "承認フロー付き申請画面",
    "core_system": "基幹システム連携",
    "sso": "SSO連携",
    "offline_sync": "オフライン同期機能",
    "inventory_allocation": "在庫引当バッチ",
    "large_volume": "大量データ取込バッチ",
    "character_conversion": "外字変換プログラム",
    "complex_layout": "帳票レイアウトが複雑な請求書",
    "stated_complex": "複雑な画面",
}


def test_every_cue_has_a_phrase_here() -> None:
    assert set(CUE_PHRASES) == set(GRADE_CUES)


@pytest.mark.parametrize(("key", "phrase"), CUE_PHRASES.items())
def test_each_cue_grades_its_unit(key: str, phrase: str) -> None:
    count = _main(phrase)
    assert count.cues == (key,)
    assert count.grade is GRADE_CUES[key]


@pytest.mark.parametrize(
    ("name", "cue"),
    [
        ("Static pages", "static"),
        ("Read-only report", "display_only"),
        ("CRUD only admin screens", "crud_only"),
        ("Search screen", "search"),
        ("Sales aggregation report", "aggregation"),
        ("Payment gateway integration", "payment"),
        ("Real-time dashboard", "realtime"),
        ("Approval workflow screens", "approval_flow"),
        ("SAP integration", "core_system"),
        ("Single sign-on integration", "sso"),
        ("Integration with an external system", "external_system"),
    ],
)
def test_english_cues(name: str, cue: str) -> None:
    count = _main(name)
    assert cue in count.cues
    assert count.grade is GRADE_CUES[cue]


def test_the_highest_grade_wins_and_none_is_normal() -> None:
    assert _main("静的ページ", "サイト内検索つき").grade is Grade.NORMAL
    assert _main("静的ページ", "決済あり").grade is Grade.COMPLEX
    assert _main("会員一覧画面").grade is Grade.NORMAL


def test_a_count_takes_the_cues_of_its_own_clause() -> None:
    reading = read_units("受注システム", "一覧画面10画面、外部システム連携3本")
    assert [(count.kind, count.grade) for count in reading.counts] == [
        (UnitKind.SCREEN, Grade.NORMAL),
        (UnitKind.INTERFACE, Grade.COMPLEX),
    ]


# --- the value types -----------------------------------------------------------------------


def test_a_count_is_at_least_one_unit() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Count(UnitKind.SCREEN, Decimal(0), Grade.NORMAL, "", (), False)


def test_a_reading_has_a_count() -> None:
    with pytest.raises(ValueError, match="at least one"):
        UnitReading(())


# --- the corpus ----------------------------------------------------------------------------


def test_the_corpus_is_broad() -> None:
    japanese = [row for row in CORPUS if any("\u3040" <= char <= "\u9fff" for char in row["name"] + row["description"])]
    assert len(CORPUS) >= 60
    assert 20 <= len(japanese) <= len(CORPUS) - 20
    assert {row["kind"] for row in CORPUS} == {kind.value for kind in UnitKind}


@pytest.mark.parametrize("row", CORPUS, ids=[f"{row['name']}|{row['description']}"[:60] for row in CORPUS])
def test_corpus(row: dict[str, object]) -> None:
    reading = read_units(str(row["name"]), str(row["description"]))
    totals = _totals(reading)
    main = reading.main
    assert (main.kind.value, totals[main.kind], main.grade.value) == (
        row["kind"],
        Decimal(str(row["quantity"])),
        row["grade"],
    ), reading
    also = row.get("also", {})
    assert isinstance(also, dict)
    assert {kind.value: quantity for kind, quantity in totals.items() if kind is not main.kind} == {
        kind: Decimal(quantity) for kind, quantity in also.items()
    }, reading


# --- properties ----------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_KANJI = "〇一二三四五六七八九"


def _kanji(number: int) -> str:
    """A number below 10,000 in kanji numerals, as Japanese writes it (千二百三十四, 十, 百五)."""
    written = ""
    for value, mark in ((1000, "千"), (100, "百"), (10, "十")):
        digit, number = divmod(number, value)
        if digit:
            written += ("" if digit == 1 else _KANJI[digit]) + mark
    return written + (_KANJI[number] if number else "")


@given(st.integers(min_value=1, max_value=9999))
def test_every_number_reads_in_ascii_full_width_and_kanji(number: int) -> None:
    for written in (str(number), str(number).translate(_FULL_WIDTH), _kanji(number), f"{number:,}"):
        assert parse_quantity(written) == number, written


@given(
    st.integers(min_value=1, max_value=9999), st.sampled_from(["画面", "帳票", "テーブル", "本のバッチ", " screens"])
)
def test_every_number_counts_its_units(number: int, unit: str) -> None:
    for written in (str(number), str(number).translate(_FULL_WIDTH), _kanji(number)):
        assert _main(f"{written}{unit}").quantity == number


_UNIT_WORDS = [
    *"画面ページ帳票連携件万千百十一二三四五〇0123456789,.〜~-（）()・、。 :：IFapisxnoなし約第年%/",
    *("screens", "pages", "reports", "IF", "API", "バッチ", "テーブル", "移行", "iOS", "Android", " and "),
]
_UNIT_TEXT = st.lists(st.sampled_from(_UNIT_WORDS), max_size=40).map("".join)


@given(st.text(max_size=200), st.text(max_size=200))
def test_any_text_reads_without_error(name: str, description: str) -> None:
    reading = read_units(name, description)
    assert reading.main.quantity >= 1
    for count in reading.counts:
        assert count.quantity >= 1
        assert count.quoted in name or count.quoted in description
        assert count.stated or count.quoted == ""


@given(_UNIT_TEXT, _UNIT_TEXT)
def test_text_made_of_units_and_numbers_reads_without_error(name: str, description: str) -> None:
    reading = read_units(name, description)
    assert all(count.quantity >= 1 for count in reading.counts)
    assert all(count.quoted in name or count.quoted in description for count in reading.counts)


@given(_UNIT_TEXT, _UNIT_TEXT)
def test_adding_text_to_a_deliverable_never_fails(before: str, after: str) -> None:
    reading = read_units(f"{before}静的ページ5枚{after}", f"{after}REST API (20 endpoints){before}")
    assert reading.main.quantity >= 1


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        ("Source extraction jobs", "Shopify, Stripe and HubSpot connectors", [(UnitKind.INTERFACE, 3)]),
        ("集計バッチ", "売上・在庫・会員の3連携", [(UnitKind.INTERFACE, 3)]),
    ],
)
def test_a_job_line_that_counts_connectors_is_those_connectors(
    name: str, description: str, expected: list[tuple[UnitKind, int]]
) -> None:
    """A job and a connector are the same data-moving unit: one assumed job beside the three connectors it
    counts priced the same work twice."""
    assert [(count.kind, count.quantity) for count in read_units(name, description).counts] == expected


@pytest.mark.parametrize(
    ("name", "description"), [("データマート", "売上・在庫の6マート"), ("Reporting marts", "6 data marts")]
)
def test_marts_are_tables(name: str, description: str) -> None:
    assert [(c.kind, c.quantity) for c in read_units(name, description).counts if c.kind is UnitKind.TABLE] == [
        (UnitKind.TABLE, 6)
    ]


@pytest.mark.parametrize(
    ("name", "description", "expected"),
    [
        (
            "dbt models",
            "Staging models for 15 tables and 6 reporting marts",
            [(UnitKind.TABLE, 15, Grade.SIMPLE), (UnitKind.TABLE, 6, Grade.NORMAL)],
        ),
        ("画面", "単純な一覧5画面と3帳票", [(UnitKind.SCREEN, 5, Grade.SIMPLE), (UnitKind.REPORT, 3, Grade.NORMAL)]),
    ],
)
def test_a_count_joined_by_and_takes_only_its_own_cues(
    name: str, description: str, expected: list[tuple[UnitKind, int, Grade]]
) -> None:
    """ "Staging models for 15 tables and 6 reporting marts": the marts are modelled, not 1:1 staging copies."""
    assert [(c.kind, c.quantity, c.grade) for c in read_units(name, description).counts] == expected
