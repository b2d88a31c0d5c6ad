"""The legacy sample (9 deliverables) in Japanese and in English, and contexts built from it.

The rows are copied here so the golden tests do not depend on a file outside the
repository; `test_offline_engine` checks the copy against the sample CSV in tests/data.
"""

from __future__ import annotations

import json
from decimal import Decimal

from estimator.schemas import AdjustmentContext, Deliverable, EstimateLine, Pricing, ProjectBrief
from tests.conftest import SAMPLES as SAMPLES_DIR

SAMPLE_JA: list[tuple[str, str]] = [
    ("要件定義書", "システム全体の要件を定義し、機能一覧・画面一覧・帳票一覧などを整理した文書"),
    ("基本設計書", "要件定義に基づき、画面設計・DB設計・処理フロー設計を行った文書"),
    ("詳細設計書", "基本設計に基づき、プログラム単位での詳細な仕様を記載した文書"),
    ("プログラム開発", "詳細設計に基づいたプログラミング・コーディング作業"),
    ("単体テスト", "プログラム単位での動作確認テスト"),
    ("結合テスト", "複数プログラムを組み合わせた機能単位での動作確認テスト"),
    ("総合テスト", "システム全体での動作確認・性能確認テスト"),
    ("運用マニュアル", "システムの運用手順・保守手順を記載したマニュアル"),
    ("ユーザーマニュアル", "エンドユーザー向けの操作マニュアル"),
]

SAMPLE_EN: list[tuple[str, str]] = [
    (
        "Requirements Definition Document",
        "Document defining the requirements of the whole system: function list, screen list, report list and so on",
    ),
    ("Basic Design Document", "Screen design, DB design and process flow design, based on the requirements definition"),
    ("Detailed Design Document", "Detailed specifications for each program, based on the basic design"),
    ("Program Development", "Programming and coding work based on the detailed design"),
    ("Unit Testing", "Tests checking each program on its own"),
    ("Integration Testing", "Tests checking functions made of several programs combined"),
    ("System Testing", "Tests checking the whole system, including its performance"),
    ("Operations Manual", "Manual describing the system's operation and maintenance procedures"),
    ("User Manual", "Operating manual for end users"),
]

ADMIN_SCREEN = {"ja": ("管理画面", "ユーザー・権限の管理"), "en": ("Admin Screen", "User and permission management")}
SAMPLES = {"ja": SAMPLE_JA, "en": SAMPLE_EN}
PRICING = {
    "ja": Pricing(currency="JPY", unit_cost=Decimal(40000), tax_rate=Decimal(10), rounding="floor"),
    "en": Pricing(currency="USD", unit_cost=Decimal(500), tax_rate=Decimal(0), rounding="floor"),
}


def brief(lang: str, rows: list[tuple[str, str]] | None = None, requirements: str = "") -> ProjectBrief:
    chosen = SAMPLES[lang] if rows is None else rows
    return ProjectBrief(
        language=lang,
        deliverables=[Deliverable(name=name, description=text) for name, text in chosen],
        requirements=requirements,
    )


def sample_lines(lang: str) -> list[EstimateLine]:
    """A fixed estimate of the sample plus an admin screen (so item-level requests have a target).

    Frozen as data (tests/data/adjustment_sample_{lang}.json, the offline engine's output
    before the unit-based sizing of issue 12): the adjustment rules are tested against lines
    of a known shape, which must not move whenever the sizing table is tuned.
    """
    rows = json.loads((SAMPLES_DIR / f"adjustment_sample_{lang}.json").read_text(encoding="utf-8"))
    return [EstimateLine.model_validate(row) for row in rows]


def context(lang: str, request: str, lines: list[EstimateLine] | None = None) -> AdjustmentContext:
    return AdjustmentContext(
        language=lang, lines=lines if lines is not None else sample_lines(lang), pricing=PRICING[lang], request=request
    )
