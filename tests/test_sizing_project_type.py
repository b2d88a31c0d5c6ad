"""The project type read from the list and the requirements (issue 12, item 2)."""

from __future__ import annotations

import pytest

from estimator.sizing.kinds import ProjectType
from estimator.sizing.project_type import detect_project_type


@pytest.mark.parametrize(
    ("items", "requirements", "expected"),
    [
        ([("トップページ", "静的ページ"), ("会社概要", ""), ("お問い合わせフォーム", "")], "", ProjectType.WEBSITE),
        ([("受注入力画面", "受注の登録"), ("出荷指示", "基幹連携")], "受発注システムの刷新", ProjectType.BUSINESS),
        ([("ホーム画面", "iOS/Android"), ("プッシュ通知", "FCM")], "スマホアプリ", ProjectType.APP),
        ([("データ移行", "約500万件"), ("移行リハーサル", "2回")], "旧システムからのデータ移行", ProjectType.MIGRATION),
        ([("見積入力フォーム", "ユーザーフォーム"), ("マスタ管理シート", "")], "VBA で作る", ProjectType.TOOL),
        ([("Leave request app", "Power Apps canvas app"), ("Approval flow", "Power Automate")], "", ProjectType.TOOL),
        ([("Server move", "lift-and-shift of 5 servers to EC2")], "", ProjectType.OTHER),
        ([("資料作成", "")], "", ProjectType.OTHER),
    ],
)
def test_the_type_comes_from_the_words_of_the_list(
    items: list[tuple[str, str]], requirements: str, expected: ProjectType
) -> None:
    reading = detect_project_type(items, requirements)
    assert reading.project_type is expected
    assert bool(reading.cues) == (expected is not ProjectType.OTHER or bool(reading.scores[ProjectType.OTHER]))


def test_a_platform_word_outweighs_the_domain_it_serves() -> None:
    """A VBA tool for 請求 is a tool: the platform decides, not the business words around it."""
    items = [("請求書作成マクロ", "請求データから請求書を作成"), ("マスタ管理", "顧客マスタ")]
    assert detect_project_type(items, "Excel VBA で作成").project_type is ProjectType.TOOL
