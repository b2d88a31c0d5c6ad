"""Bad settings and unreachable databases: one clear line, never a traceback, never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.config import ConfigError, load_settings
from tests.support import run_cli


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOST", "999.1.1.1"),
        ("HOST", "bad host!"),
        ("DATABASE_URL", "garbage"),
        ("DAILY_UNIT_COST_USD", "0.001"),
        ("DAILY_UNIT_COST", "40000.5"),
        ("DAILY_UNIT_COST_JPY", "0"),
        ("TAX_RATE_EN", "1e-30"),
        ("TAX_RATE_JA", "nan"),
        ("TAX_RATE_JA", "10.005"),
    ],
)
def test_a_bad_value_is_one_line_naming_it(name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "\n" not in str(refused.value)
    result = run_cli("check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Invalid setting")


@pytest.mark.parametrize(("name", "value"), [("HOST", "0.0.0.0"), ("HOST", "estimator.local"), ("HOST", "::1")])
def test_good_hosts_are_accepted(name: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    assert load_settings().host == value


def test_cents_and_two_decimal_tax_rates_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAILY_UNIT_COST_USD", "512.50")
    monkeypatch.setenv("TAX_RATE_EN", "7.25")
    settings = load_settings()
    assert (str(settings.daily_unit_cost_usd), str(settings.tax_rate_en)) == ("512.50", "7.25")


def test_a_utf16_env_file_is_a_clear_line(isolated_settings: Path) -> None:
    (isolated_settings.parent / ".env").write_text("LANGUAGE=en\n", encoding="utf-16")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings()
    result = run_cli("list")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "UTF-8" in result.stderr


def test_a_utf8_env_file_with_a_bom_is_read(isolated_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGUAGE")
    (isolated_settings.parent / ".env").write_text("LANGUAGE=en\n", encoding="utf-8-sig")
    assert load_settings().language == "en"


@pytest.mark.parametrize("command", ["list", "check"])
def test_a_database_nobody_listens_on_is_one_line_with_the_password_hidden(command: str) -> None:
    result = run_cli(command, env={"DATABASE_URL": "postgresql://estimator:s3cret-pw@127.0.0.1:1/estimator"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "127.0.0.1" in result.stderr + result.stdout


def test_a_bad_url_with_a_password_never_prints_it() -> None:
    result = run_cli("check", env={"DATABASE_URL": "postgresql://u:s3cret-pw@[broken/x"})
    assert result.returncode == 1
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
