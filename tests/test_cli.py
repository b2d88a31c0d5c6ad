"""The command line as an operator uses it: help, check, init-db, list, show, purge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimator.db import SCHEMA_REVISION, Database
from estimator.store import Store
from tests.factories import JPY, line, project_settings
from tests.support import run_cli

COMMANDS = ["check", "init-db", "list", "show", "backup", "restore", "purge", "serve", "estimate", "adjust", "export"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "usage: python -m estimator" in result.stdout


def test_check_reports_settings_without_secrets(monkeypatch: pytest.MonkeyPatch, isolated_settings: Path) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    assert run_cli("init-db").returncode == 0
    result = run_cli("--lang", "en", "check")
    assert result.returncode == 0, result.stderr
    assert "sk-test-secret-value" not in result.stdout + result.stderr
    assert "OpenAI API key: set" in result.stdout
    assert "Engine: gpt-4o-mini" in result.stdout
    assert f"Schema: at {SCHEMA_REVISION}, newest {SCHEMA_REVISION}" in result.stdout
    assert str(isolated_settings / "estimator.db") in result.stdout


def test_check_hides_the_database_password_and_fails_when_unreachable() -> None:
    result = run_cli(
        "--lang", "en", "check", env={"DATABASE_URL": "postgresql://estimator:hunter2@127.0.0.1:1/estimator"}
    )
    assert result.returncode == 1
    assert "hunter2" not in result.stdout + result.stderr
    assert "***" in result.stdout
    assert "Cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_fails_before_migration(isolated_settings: Path) -> None:
    isolated_settings.mkdir(parents=True)
    result = run_cli("--lang", "en", "check")
    assert result.returncode == 1
    assert "init-db" in result.stderr


def test_list_and_show_as_text_and_json(isolated_settings: Path) -> None:
    store = Store(Database.from_url(f"sqlite:///{isolated_settings / 'estimator.db'}"))
    project = store.create_project(project_settings("基幹システム刷新"))
    store.append_version(
        project.id, lines=[line("画面", "10")], pricing=JPY, origin="generated", engine="offline", base_number=None
    )
    listed = json.loads(run_cli("list", "--json").stdout)
    assert [(p["id"], p["title"], p["latest_total"]) for p in listed] == [(project.id, "基幹システム刷新", 440000)]
    shown = json.loads(run_cli("show", str(project.id), "--json").stdout)
    assert shown["lines"][0]["deliverable"] == "画面"
    assert (shown["subtotal"], shown["tax"], shown["total"]) == (400000, 40000, 440000)
    text = run_cli("show", str(project.id)).stdout
    assert "¥440,000" in text and "画面" in text


def test_show_unknown_project_is_a_clear_message() -> None:
    run_cli("init-db")
    result = run_cli("--lang", "en", "show", "999")
    assert result.returncode == 1
    assert result.stderr.strip() == "Project 999 was not found."


def test_purge_dry_run_lists_without_deleting(isolated_settings: Path) -> None:
    store = Store(Database.from_url(f"sqlite:///{isolated_settings / 'estimator.db'}"))
    store.create_project(project_settings("Recent"))
    result = run_cli("--lang", "en", "purge", "--older-than", "0", "--dry-run")
    assert result.returncode == 0
    assert "1 project not updated for 0 days" in result.stdout and "Recent" in result.stdout
    assert len(store.list_projects()) == 1
    assert run_cli("purge", "--older-than", "0").returncode == 0
    assert store.list_projects() == []
