"""One typed Settings object, read from the environment and `.env`.

Variable names follow the legacy deployment guide so an operator's existing
`.env` keeps working (`DAILY_UNIT_COST` is accepted for `DAILY_UNIT_COST_JPY`).
A bad value stops the program with one line naming the variable, the value and
what is expected: `load_settings()` raises `ConfigError` with that line.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from estimator.i18n import Language
from estimator.money import MAX_UNIT_COST, is_tax_rate, is_unit_cost

Rounding = Literal["floor", "half_up", "ceil"]


def normalise_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here; everything else is taken as written."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_INLINE_COMMENT = re.compile(r"\s+#.*$")
_HOST_NAME = re.compile(r"(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")
# From "scheme://" to the last "@" before the host ends: a user, with or without a password.
_USER_INFO = re.compile(r"^(?P<scheme>[^:/?#]+://)[^/?#]*@")


def hide_password(url: str) -> str:
    """`url` with any user:password@ part reduced to ***@, for anything shown or logged.

    The one way a URL (a database's, a proxy's) is shown: the settings page, `check`, an error
    line. A regular expression rather than a URL parser, so it never raises: even a URL too
    broken to parse (a port of "abc") keeps its password out of the message that refuses it.
    """
    return _USER_INFO.sub(r"\g<scheme>***@", url, count=1)


def _registration_number(value: str) -> str:
    if value and not re.fullmatch(r"T\d{13}", value):
        raise ValueError("expected T followed by 13 digits (適格請求書発行事業者登録番号)")
    return value


# A qualified-invoice issuer number (適格請求書発行事業者登録番号): T and 13 digits, or empty.
RegistrationNumber = Annotated[str, AfterValidator(_registration_number)]


LOCAL_USER = "local"
"""Who a change is recorded under when nobody signed in (no Apache Basic auth in front of the app)."""

_STAFF_NAMES_FORMAT = "expected login=Display Name pairs separated by ';', e.g. yamada=山田 花子;suzuki=Suzuki Ichiro"


def _staff_names(value: object) -> object:
    """`login=Display Name;login2=名前` as a mapping, refused with what is wrong with which pair.

    One line in a `.env` or an EnvironmentFile holds every name; an empty pair (a trailing ";")
    is allowed, a pair without a login or a name, or a login given twice, is a typo to report.
    """
    if not isinstance(value, str):
        return value
    names: dict[str, str] = {}
    for pair in value.split(";"):
        if not pair.strip():
            continue
        login, equals, name = (part.strip() for part in pair.partition("="))
        problem = (
            (not equals and "has no '='")
            or (not login and "has no login")
            or (not name and "has no display name")
            or (login in names and "repeats a login given before")
        )
        if problem:
            raise ValueError(f"the pair {pair.strip()!r} {problem}; {_STAFF_NAMES_FORMAT}")
        names[login] = name
    return names


# STAFF_NAMES: the name a quote prints for each login; its own format, not JSON.
StaffNames = Annotated[dict[str, str], NoDecode, BeforeValidator(_staff_names)]


class ConfigError(Exception):
    """A setting has a value the program cannot use; the message is one line for the operator."""


class Settings(BaseSettings):
    """Everything configurable, with the defaults of the embedded (offline, SQLite) setup."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8-sig",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    data_dir: Path = Path("data")
    database_url: str = ""
    upload_dir: Path | None = None
    max_upload_size_mb: int = Field(10, ge=1, le=200)

    openai_api_key: str = ""
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str = ""
    openai_timeout: float = Field(60, gt=0, le=600)
    openai_max_retries: int = Field(3, ge=0, le=10)
    openai_json_object_mode: bool = False
    openai_price_input_per_1m: Decimal = Field(Decimal("0.15"), ge=0)
    openai_price_output_per_1m: Decimal = Field(Decimal("0.60"), ge=0)
    openai_price_cached_per_1m: Decimal = Field(Decimal("0.075"), ge=0)
    daily_cost_limit_usd: Decimal = Field(Decimal("0"), ge=0)
    monthly_cost_limit_usd: Decimal = Field(Decimal("0"), ge=0)
    rate_limit_per_hour: int = Field(0, ge=0)

    daily_unit_cost_jpy: Decimal = Field(
        Decimal("40000"),
        gt=0,
        le=Decimal("100000000"),
        validation_alias=AliasChoices("daily_unit_cost_jpy", "daily_unit_cost"),
    )
    daily_unit_cost_usd: Decimal = Field(Decimal("500"), gt=0, le=Decimal("1000000"))
    tax_rate_ja: Decimal = Field(Decimal("10"), ge=0, le=100)
    tax_rate_en: Decimal = Field(Decimal("0"), ge=0, le=100)
    rounding: Rounding = "floor"
    quote_validity_days: int = Field(30, ge=1, le=365)
    # How a timesheet's hours and person-months become person-days (actuals import).
    hours_per_day: Decimal = Field(Decimal("8"), gt=0, le=24)
    days_per_month: Decimal = Field(Decimal("20"), gt=0, le=31)
    # Whether new estimates apply the factors learned from completed projects' actuals (each project can opt out).
    calibration: bool = True
    data_retention_days: int = Field(0, ge=0)

    language: Language = "ja"
    host: str = "127.0.0.1"
    port: int = Field(8100, ge=1, le=65535)

    issuer_company: str = ""
    issuer_address: str = ""
    issuer_registration_number: RegistrationNumber = ""
    issuer_contact: str = ""
    staff_names: StaffNames = Field(default_factory=dict)
    pdf_font: str = ""
    """A TrueType Japanese font file for the PDF quote; empty: IPAex Gothic or what fontconfig finds."""

    @field_validator("*", mode="before")
    @classmethod
    def _strip_inline_comment(cls, value: Any) -> Any:
        """`KEY=40000  # note` reaches us with the comment when systemd's EnvironmentFile reads it."""
        if isinstance(value, str):
            return _INLINE_COMMENT.sub("", value).strip()
        return value

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        """An IP address or an RFC 1123 host name: 999.1.1.1 is refused here, not by a traceback in `serve`."""
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if re.fullmatch(r"[\d.]+", value) or not _HOST_NAME.fullmatch(value):
                raise ValueError("expected an IP address or a host name") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        """A URL SQLAlchemy can open with an installed driver: a typo stops here, not at the first query."""
        if not value:
            return value
        try:
            url = make_url(normalise_url(value))
        except (ArgumentError, ValueError):
            raise ValueError(
                "expected a URL such as sqlite:///path/estimator.db or postgresql://user@host/db"
            ) from None
        try:
            url.get_dialect().import_dbapi()
        except ArgumentError:
            raise ValueError(f"unknown kind of database {url.drivername!r}; expected sqlite or postgresql") from None
        except ImportError as error:
            raise ValueError(f"the driver for {url.drivername} is not installed ({error.name})") from None
        return value

    @field_validator("daily_unit_cost_jpy", "daily_unit_cost_usd")
    @classmethod
    def _unit_cost(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        """Whole yen or whole cents: a quote priced at $0.001 a day would print $0.00."""
        currency = "JPY" if info.field_name == "daily_unit_cost_jpy" else "USD"
        if not is_unit_cost(value, currency):
            unit = "whole yen" if currency == "JPY" else "dollars in whole cents"
            raise ValueError(f"expected {unit} above 0 and at most {MAX_UNIT_COST[currency]:,}")
        return value

    @field_validator("tax_rate_ja", "tax_rate_en")
    @classmethod
    def _tax_rate(cls, value: Decimal) -> Decimal:
        if not is_tax_rate(value):
            raise ValueError("expected a percentage from 0 to 100 with at most two decimals")
        return value

    @property
    def database_url_effective(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'estimator.db').resolve()}"

    @property
    def upload_dir_effective(self) -> Path:
        return self.upload_dir or self.data_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_size_mb * 1024 * 1024

    @property
    def engine_name(self) -> str:
        """What the sidebar and `check` show: the model when a key is set, else the offline engine."""
        return self.openai_model if self.openai_api_key else "offline"

    def unit_cost_for(self, language: Language) -> Decimal:
        return self.daily_unit_cost_jpy if language == "ja" else self.daily_unit_cost_usd

    def tax_rate_for(self, language: Language) -> Decimal:
        return self.tax_rate_ja if language == "ja" else self.tax_rate_en

    def staff_name(self, login: str) -> str:
        """Who the quote names as 担当 for `login`: its STAFF_NAMES name, else the login itself.

        Empty for `LOCAL_USER` unless STAFF_NAMES names it: a customer must never read
        「担当：local」, and without a sign-in nobody in particular made the quote.
        """
        if login in self.staff_names:
            return self.staff_names[login]
        return "" if login == LOCAL_USER else login

    @staticmethod
    def currency_for(language: Language) -> str:
        return "JPY" if language == "ja" else "USD"


def _first_error_line(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "?"
    value = first.get("input")
    shown = value if not isinstance(value, dict) else "?"
    if isinstance(shown, str):
        shown = hide_password(shown)
    return f"{name}={shown!s}: {first['msg']}"


def load_settings(**overrides: Any) -> Settings:
    """Read the settings once; raise ConfigError with one line when a value is wrong."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(f"Invalid setting {_first_error_line(error)}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"Cannot read .env: it is not UTF-8 ({error.reason} at byte {error.start}); save it as UTF-8"
        ) from None
