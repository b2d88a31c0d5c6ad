"""The project type, detected from the list and the requirements: each type has its own rates.

A corporate site's page, a 受発注 system's screen and a VBA tool's form are all "a screen",
but they cost very differently; the type picks the productivity table. The detection counts
cue words of each type in the deliverables (a name counts twice: it says what the line is)
and in the requirements, and takes the type with most; no cue at all is OTHER. The analyst
can override it (`Workflow.set_project_type`, given to the engine as `SizingGuide.project_type`),
and the reasoning names the cues it used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from estimator.sizing.kinds import ProjectType
from estimator.text import reading_form


def _words(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts), re.IGNORECASE)


def _en(*words: str) -> str:
    """English words that must stand alone, also right next to Japanese text (`CMS構築`)."""
    return r"(?<![a-z])(?:" + "|".join(words) + r")(?![a-z])"


CUES: Mapping[ProjectType, re.Pattern[str]] = {
    ProjectType.WEBSITE: _words(
        r"コーポレートサイト|ホームページ|webサイト|ウェブサイト|ランディングページ|静的ページ|会社概要|採用情報|"
        r"サイトマップ|ワードプレス|お知らせ一覧|サイト制作|サイトリニューアル|ページ",
        _en(r"corporate (web)?site", "website", "landing page", "lp", "cms", "wordpress", "seo", r"(static )?pages?"),
    ),
    ProjectType.BUSINESS: _words(
        r"受発注|受注|発注|基幹|販売管理|在庫管理|生産管理|購買|会計|勤怠|人事|給与|ワークフロー|承認|"
        r"マスタ|帳票|業務システム|顧客管理|請求|契約|予約|画面",
        _en(
            "erp",
            "order management",
            "inventory management",
            "crm",
            "approval workflow",
            "back office",
            "invoicing",
            "screens?",
            "admin",
        ),
    ),
    ProjectType.APP: _words(
        r"アプリ|スマホ|スマートフォン|モバイル|プッシュ通知|バックエンド|ストア申請|エンドポイント|公開api",
        _en(
            "ios",
            "android",
            "mobile",
            "app",
            "flutter",
            "react native",
            "push notifications?",
            "backend",
            "rest api",
            "apis?",
            "endpoints?",
            "openapi",
            "graphql",
            "app store",
            "google play",
        ),
    ),
    ProjectType.MIGRATION: _words(
        r"データ移行|移行ツール|移行リハーサル|旧システム|バッチ|データクレンジング|名寄せ|件数照合|データウェアハウス",
        _en(
            "data migration",
            "etl",
            "elt",
            "batch",
            "cleansing",
            "legacy data",
            "cut-?over",
            "data warehouse",
            "dwh",
            "bigquery",
            "snowflake",
            "redshift",
            "dbt",
            "backfill",
            "airflow",
        ),
    ),
    ProjectType.TOOL: _words(
        r"マクロ|社内ツール|エクセル|スプレッドシート|業務効率化ツール|ユーザーフォーム|ロボット",
        _en(
            "vba",
            "excel",
            "rpa",
            "uipath",
            "power automate",
            "power apps",
            "sharepoint",
            "gas",
            "google apps script",
            "ms access",
            "access",
            "macro",
            "kintone",
        ),
    ),
    ProjectType.OTHER: _words(
        r"インフラ|サーバ移行|サーバー移行|環境移行|クラウド移行|脆弱性診断|セキュリティ診断|ペネトレーション",
        _en(
            "lift[- ]and[- ]shift",
            "vpc",
            "ec2",
            "penetration test(ing)?",
            "vulnerability",
            "security assessment",
            "owasp",
        ),
    ),
}
"""Cue words per type; OTHER's are work that is no software build (infrastructure moves, security testing)."""

TYPE_WEIGHT: Mapping[ProjectType, int] = {ProjectType.TOOL: 3, ProjectType.OTHER: 3}
"""A platform word decides more than a domain word: a VBA tool for 請求 is a VBA tool, not a 請求 system."""

NAME_WEIGHT = 2


@dataclass(frozen=True)
class TypeReading:
    """The detected type and the cue words it was read from (for the reasoning)."""

    project_type: ProjectType
    cues: tuple[str, ...]
    scores: Mapping[ProjectType, int]


def detect_project_type(items: Sequence[tuple[str, str]], requirements: str = "") -> TypeReading:
    """The type with most cues in (name, description) pairs and the requirements; OTHER when none."""
    scores = {kind: 0 for kind in CUES}
    found: dict[ProjectType, list[str]] = {kind: [] for kind in CUES}
    sources = [(name, NAME_WEIGHT) for name, _ in items]
    sources += [(description, 1) for _, description in items]
    sources.append((requirements, 1))
    for text, weight in sources:
        normalised = reading_form(text)
        for kind, pattern in CUES.items():
            for match in pattern.finditer(normalised):
                scores[kind] += weight * TYPE_WEIGHT.get(kind, 1)
                if match.group(0) not in found[kind]:
                    found[kind].append(match.group(0))
    best = max(CUES, key=lambda kind: scores[kind])
    if scores[best] == 0:
        return TypeReading(ProjectType.OTHER, (), scores)
    return TypeReading(best, tuple(found[best][:5]), scores)
