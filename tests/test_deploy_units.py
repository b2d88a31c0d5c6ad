"""The systemd units as systemd reads them, the settings file as systemd and the app read it.

`systemd-analyze verify` loads each unit rendered with paths that exist here
(this repository, the venv running the tests); it checks the syntax and that
every Exec binary is there, but not `User=` (systemd 252), so the service
user is checked against install.sh instead. The seccomp stand-in the Apache
tests run the app under is checked here to block what it claims to block.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from estimator.config import Settings, load_settings
from tests.conftest import missing
from tests.deploy_support import DEPLOY, Site, command_line, read_environment_file
from tests.support import ROOT
from tests.unit_sandbox import parse_unit

pytestmark = pytest.mark.deploy

UNITS = ("estimator.service", "estimator-backup.service", "estimator-backup.timer")


@pytest.fixture
def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if not found:
        missing("systemd-analyze is not installed (Debian package systemd)")
    return found


@pytest.fixture
def rendered(tmp_path: Path) -> tuple[Site, Path]:
    """All three units rendered into one folder (the timer names the backup service)."""
    site = Site(tmp_path)
    site.data_dir.mkdir()
    site.backup_dir.mkdir()
    units = tmp_path / "units"
    for name in UNITS:
        site.render_file(DEPLOY / name, units / name)
    return site, units


def unit(name: str) -> dict[str, list[str]]:
    return parse_unit((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", UNITS)
def test_systemd_analyze_verify_is_silent(systemd_analyze: str, rendered: tuple[Site, Path], name: str) -> None:
    result = subprocess.run([systemd_analyze, "verify", str(rendered[1] / name)], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")


def test_verify_would_catch_a_wrong_path(systemd_analyze: str, rendered: tuple[Site, Path]) -> None:
    """The check above is not hollow: a unit whose venv is missing fails it."""
    broken = rendered[1] / "estimator.service"
    broken.write_text(broken.read_text().replace(sys.prefix, "/nonexistent/venv"))
    result = subprocess.run([systemd_analyze, "verify", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0 and "/nonexistent/venv" in result.stderr


def test_hardening_scores_ok(systemd_analyze: str, rendered: tuple[Site, Path]) -> None:
    result = subprocess.run(
        [systemd_analyze, "security", "--offline=true", str(rendered[1] / "estimator.service")],
        capture_output=True,
        text=True,
    )
    score = re.search(r"Overall exposure level for estimator\.service: ([\d.]+)", result.stdout)
    assert score, result.stdout + result.stderr
    assert float(score.group(1)) <= 2.0, result.stdout


def test_the_service_runs_the_app_on_loopback_from_its_venv_as_the_install_user() -> None:
    service = unit("estimator.service")
    assert service["ExecStart"] == [
        "/usr/bin/env HOST=127.0.0.1 PORT=8100 /opt/estimator/.venv/bin/python -m estimator serve"
    ]
    assert command_line(service["ExecStartPre"][0])[-3:] == ["-m", "estimator", "init-db"]
    assert service["WorkingDirectory"] == ["/opt/estimator"]
    assert service["EnvironmentFile"] == ["/opt/estimator/.env"]
    assert (service["Restart"], service["RestartSec"]) == (["on-failure"], ["5"])
    assert service["ReadWritePaths"] == ["/var/lib/estimator"]
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "MemoryDenyWriteExecute", "LockPersonality"):
        assert service[option] == ["yes"], option
    assert service["ProtectSystem"] == ["strict"]
    install = (DEPLOY / "install.sh").read_text(encoding="utf-8")
    assert re.search(r"^SERVICE_USER=\$\{SERVICE_USER:-estimator\}$", install, re.M)
    assert unit("estimator.service")["User"] == unit("estimator-backup.service")["User"] == ["estimator"]


def test_streamlit_config_is_headless_with_xsrf_and_no_usage_stats() -> None:
    """The unit relies on .streamlit/config.toml beside app.py (Streamlit reads it from the script's folder)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_the_timer_runs_the_backup_daily_and_catches_up() -> None:
    timer = unit("estimator-backup.timer")
    assert timer["Unit"] == ["estimator-backup.service"]
    assert timer["Persistent"] == ["true"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"][0])
    assert timer["RandomizedDelaySec"]
    backup = unit("estimator-backup.service")
    assert backup["Type"] == ["oneshot"]
    assert backup["ExecStart"] == ["/opt/estimator/deploy/backup.sh"]
    assert "/var/lib/estimator" in backup["ReadWritePaths"][0]


def test_env_example_documents_every_setting() -> None:
    text = (DEPLOY / "env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.M))
    assert {name.upper() for name in Settings.model_fields} <= named


def test_env_example_as_systemd_passes_it_gives_the_server_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in read_environment_file(DEPLOY / "env.example").items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    assert settings.data_dir == Path("/var/lib/estimator")
    assert settings.database_url_effective == "sqlite:////var/lib/estimator/estimator.db"
    assert (settings.host, settings.port, settings.engine_name) == ("127.0.0.1", 8100, "offline")


def test_a_bad_env_value_stops_the_start_with_one_line(tmp_path: Path) -> None:
    """What `journalctl -u estimator` shows: ExecStartPre fails with one line naming the variable."""
    site = Site(tmp_path)
    env_file = site.render_file(DEPLOY / "env.example", tmp_path / "env")
    env_file.write_text(env_file.read_text().replace("TAX_RATE_JA=10", "TAX_RATE_JA=ten  # percent"))
    service = site.render_file(DEPLOY / "estimator.service", tmp_path / "estimator.service")
    environment = {"PATH": "/usr/bin:/bin", **read_environment_file(env_file)}
    result = subprocess.run(
        command_line(parse_unit(service.read_text())["ExecStartPre"][0]),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "TAX_RATE_JA=ten" in result.stderr


def sandboxed(tmp_path: Path, unit_text: str, code: str) -> subprocess.CompletedProcess[str]:
    unit_file = tmp_path / "probe.service"
    unit_file.write_text(unit_text)
    return subprocess.run(
        [sys.executable, "-m", "tests.unit_sandbox", str(unit_file), "--", sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_the_sandbox_blocks_what_the_unit_forbids(tmp_path: Path) -> None:
    """The Apache tests' claim "runs under the unit's restrictions" holds: forbidden calls fail, allowed ones work."""
    if not shutil.which("systemd-analyze"):
        missing("systemd-analyze is not installed (Debian package systemd)")
    code = """
import mmap, os, socket
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as error:
        return error.errno
print(attempt(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)))
print(attempt(lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)))
print(attempt(lambda: os.sched_setaffinity(0, {0})))
print(attempt(lambda: socket.socket(socket.AF_INET6).close()))
print(attempt(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE)))
"""
    service = (DEPLOY / "estimator.service").read_text(encoding="utf-8")
    confined = sandboxed(tmp_path, service, code)
    assert confined.returncode == 0, confined.stderr
    assert confined.stdout.split() == ["1", "97", "1", "allowed", "allowed"]
    free = sandboxed(tmp_path, "[Service]\n", code)
    assert free.stdout.split()[:2] == ["allowed", "allowed"]
