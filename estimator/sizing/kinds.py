"""The vocabulary the sizing shares: what a unit is, how hard it is, what kind of project it sits in.

The values are stable identifiers: they are stored in the rate tables, written in their
CSV export and named in locale keys (`sizing.unit.<kind>`, `sizing.grade.<grade>`,
`sizing.type.<type>`).
"""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """What a deliverable is made of, counted: 「静的ページ5枚」 is 5 SCREEN units."""

    SCREEN = "screen"  # screens and pages (画面, ページ, page, screen)
    REPORT = "report"  # 帳票, reports, printed forms
    INTERFACE = "interface"  # IF, 連携, EDI, a link to another party's system or API
    ENDPOINT = "endpoint"  # an endpoint of the project's own API (REST API 25 endpoints, 予約照会API)
    BATCH = "batch"  # batch jobs
    TABLE = "table"  # tables and entities
    RECORDS = "records"  # a data volume in records (件): a volume, never a count of systems
    DEVICE = "device"  # devices and platforms (iOS / Android, 10 devices)
    LANGUAGE = "language"  # languages to support (多言語: 3 languages)
    DESIGN = "design"  # one screen, page or template designed (visual / UI design, wireframes)
    FEATURE = "feature"  # a function with no countable unit of the kinds above (認証機能, 検索機能)


class Grade(StrEnum):
    """Difficulty of one unit: 単純 / 普通 / 複雑."""

    SIMPLE = "simple"
    NORMAL = "normal"
    COMPLEX = "complex"


class ProjectType(StrEnum):
    """The kind of project, each with its own productivity table."""

    WEBSITE = "website"  # Webサイト制作 (corporate site, LP, CMS pages)
    BUSINESS = "business_system"  # 業務システム (受発注・基幹・管理)
    APP = "app_api"  # Web/モバイルアプリ + API
    MIGRATION = "migration_batch"  # データ移行・バッチ
    TOOL = "internal_tool"  # 社内ツール (EUC / VBA / RPA)
    OTHER = "other"


GRADES: tuple[Grade, ...] = tuple(Grade)
UNIT_KINDS: tuple[UnitKind, ...] = tuple(UnitKind)
PROJECT_TYPES: tuple[ProjectType, ...] = tuple(ProjectType)
