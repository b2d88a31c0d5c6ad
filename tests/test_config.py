"""Settings: legacy names, defaults, inline comments, and one-line errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import LOCAL_USER, ConfigError, hide_password, load_settings
from tests.support import run_cli


def test_defaults_are_the_embedded_setup(isolated_settings: Path) -> None:
    settings = load_settings()
    assert settings.daily_unit_cost_jpy == Decimal(40000)
    assert settings.daily_unit_cost_usd == Decimal(500)
    assert (settings.tax_rate_ja, settings.tax_rate_en) == (Decimal(10), Decimal(0))
    assert (settings.host, settings.port, settings.language) == ("127.0.0.1", 8100, "ja")
    assert settings.openai_model == "gpt-4o-mini"
    assert settings.engine_name == "offline"
    assert settings.database_url_effective == f"sqlite:///{(isolated_settings / 'estimator.db').resolve()}"
    assert settings.upload_dir_effective == isolated_settings / "uploads"


def test_legacy_variable_with_inline_comment_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DAILY_UNIT_COST=45000  # note from the legacy guide\nPORT=9000 # web\n")
    settings = load_settings()
    assert settings.daily_unit_cost_jpy == Decimal(45000)
    assert settings.port == 9000


def test_inline_comment_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """systemd's EnvironmentFile passes the comment through; it must still read correctly."""
    monkeypatch.setenv("DAILY_UNIT_COST_JPY", "50000  # per day")
    assert load_settings().daily_unit_cost_jpy == Decimal(50000)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DAILY_UNIT_COST_JPY", "abc", "decimal"),
        ("LANGUAGE", "fr", "'ja' or 'en'"),
        ("TAX_RATE_JA", "-3", "greater than or equal to 0"),
        ("ROUNDING", "bankers", "'floor', 'half_up' or 'ceil'"),
        ("PORT", "99999", "less than or equal to 65535"),
        ("ISSUER_REGISTRATION_NUMBER", "123", "T followed by 13 digits"),
        ("STAFF_NAMES", "yamada", "the pair 'yamada' has no '='; expected login=Display Name pairs separated by ';'"),
        ("STAFF_NAMES", "yamada=山田;=鈴木", "the pair '=鈴木' has no login"),
        ("STAFF_NAMES", "yamada= ;suzuki=鈴木", "the pair 'yamada=' has no display name"),
        ("STAFF_NAMES", "yamada=山田;yamada=山田 花子", "the pair 'yamada=山田 花子' repeats a login given before"),
    ],
)
def test_bad_value_is_one_line_naming_variable_value_and_expectation(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert f"{name}={value}" in message
    assert expected in message


def test_cli_stops_with_one_line_and_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILY_UNIT_COST_JPY", "abc")
    result = run_cli("check")
    assert result.returncode == 1
    assert result.stderr.strip() == "Invalid setting DAILY_UNIT_COST_JPY=abc: Input should be a valid decimal"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "shown", "expected"),
    [
        ("foo://x", "foo://x", "unknown kind of database 'foo'"),
        ("mysql://u:s3cret-pw@db.example/x", "mysql://***@db.example/x", "driver for mysql is not installed"),
        ("postgresql://u:s3cret-pw@db.example:abc/x", "postgresql://***@db.example:abc/x", "expected a URL"),
    ],
)
def test_a_database_url_that_cannot_be_opened_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch, value: str, shown: str, expected: str
) -> None:
    """A URL that parses but names no installed dialect or driver used to pass and traceback in `check`."""
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith(f"Invalid setting DATABASE_URL={shown}: ")
    assert expected in str(raised.value)
    result = run_cli("check")
    assert result.returncode == 1
    assert result.stderr.strip() == str(raised.value)
    assert "s3cret-pw" not in result.stdout + result.stderr


@pytest.mark.parametrize("value", ["sqlite:///data/other.db", "postgresql://u:pw@db.example/estimator"])
def test_database_urls_the_app_supports_are_accepted(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DATABASE_URL", value)
    assert load_settings().database_url == value


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://estimator:hunter2@db.example:5432/estimator", "postgresql://***@db.example:5432/estimator"),
        ("postgresql://estimator@db.example/estimator", "postgresql://***@db.example/estimator"),
        ("http://user:p%40ss@proxy.example:8080/v1?next=a@b", "http://***@proxy.example:8080/v1?next=a@b"),
        ("postgresql://u:pw@[::1", "postgresql://***@[::1"),
        ("sqlite:///data/estimator.db", "sqlite:///data/estimator.db"),
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("", ""),
    ],
)
def test_hide_password_reduces_the_user_part_to_stars_and_never_raises(url: str, shown: str) -> None:
    assert hide_password(url) == shown


def test_staff_names_map_logins_to_the_name_the_quote_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spaces around names and a trailing ";" are forgiven; an inline comment is not part of the last name."""
    monkeypatch.setenv("STAFF_NAMES", " yamada = 山田 花子 ; suzuki=Suzuki Ichiro;  # sales")
    settings = load_settings()
    assert settings.staff_names == {"yamada": "山田 花子", "suzuki": "Suzuki Ichiro"}
    assert (settings.staff_name("yamada"), settings.staff_name("tanaka")) == ("山田 花子", "tanaka")


def test_nobody_signed_in_is_named_only_when_staff_names_says_so(isolated_settings: Path) -> None:
    """The fallback user "local" would print 「担当：local」; a one-person install may still name itself."""
    assert load_settings().staff_name(LOCAL_USER) == ""
    assert load_settings(staff_names="local=山田 花子").staff_name(LOCAL_USER) == "山田 花子"
