"""deploy/install.sh and uninstall.sh run for real into a staging root (DESTDIR), twice, then removed.

The staging root gets copies of this machine's user database and /etc/apache2, so
useradd, a2enmod and a2ensite work on it as on a server, and a venv whose
packages are hard links to the test venv's, so `pip install -r requirements.txt`
finds everything and needs no network. The service user is real inside the root:
init-db runs as its uid and must be able to write the data folder.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.deploy_support import DEPLOY, remove, scratch_dir

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

SITE_PACKAGES = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
UNITS = ("estimator.service", "estimator-backup.service", "estimator-backup.timer")


def staging_root() -> Path:
    """An empty server: user database, Apache's configuration, and a venv built from the system Python."""
    root = scratch_dir("estimator-install-")
    (root / "etc").mkdir()
    for name in ("passwd", "group", "shadow", "gshadow"):
        shutil.copy2(Path("/etc") / name, root / "etc" / name)
    shutil.copytree("/etc/apache2", root / "etc" / "apache2", symlinks=True)
    (root / "usr" / "sbin").mkdir(parents=True)
    shutil.copy2("/usr/sbin/nologin", root / "usr" / "sbin" / "nologin")
    venv = root / "opt" / "estimator" / ".venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(venv)], check=True)
    target = venv / SITE_PACKAGES.relative_to(sys.prefix)
    linked = subprocess.run(["cp", "-al", f"{SITE_PACKAGES}/.", f"{target}/"], capture_output=True)
    if linked.returncode != 0:
        shutil.copytree(SITE_PACKAGES, target, dirs_exist_ok=True, symlinks=True)
    return root


def install(root: Path, script: str = "install.sh", *args: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(DEPLOY / script), *args],
        env={**environment, "DESTDIR": str(root), "SERVER_NAME": "estimator.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def passwd_entry(root: Path, name: str) -> list[str] | None:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields
    return None


@pytest.fixture(scope="module")
def installed() -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    if os.geteuid() != 0:
        missing("install.sh creates users and owners: run as root")
    for tool in ("useradd", "setpriv", "a2enmod", "systemctl", "/usr/bin/python3"):
        if not shutil.which(tool):
            missing(f"{tool} is not installed")
    if not Path("/etc/apache2").is_dir():
        missing("apache2 is not installed")
    root = staging_root()
    first = install(root)
    assert first.returncode == 0, first.stdout + first.stderr
    yield root, first
    remove(root)


def test_install_creates_the_user_the_folders_and_a_private_env(installed: tuple[Path, object]) -> None:
    root, _ = installed
    user = passwd_entry(root, "estimator")
    assert user is not None and user[5] == "/var/lib/estimator" and user[6].endswith("nologin")
    uid, gid = int(user[2]), int(user[3])
    assert uid < 1000, "a system user"
    for folder, owner, mode in (
        ("opt/estimator", 0, 0o755),
        ("var/lib/estimator", uid, 0o750),
        ("var/backups/estimator", uid, 0o750),
    ):
        info = (root / folder).stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (owner, mode), folder
    env = (root / "opt" / "estimator" / ".env").stat()
    assert (env.st_uid, env.st_gid, stat.S_IMODE(env.st_mode)) == (uid, gid, 0o600)
    assert (root / "opt/estimator/.env").read_text() == (DEPLOY / "env.example").read_text()
    assert (root / "opt/estimator/app.py").stat().st_uid == 0, "the service must not own its code"
    assert os.access(root / "opt/estimator/deploy/backup.sh", os.X_OK)
    assert not (root / "opt/estimator/.git").exists()


def test_install_migrates_the_database_as_the_service_user(installed: tuple[Path, object]) -> None:
    root, _ = installed
    database = root / "var/lib/estimator/estimator.db"
    assert database.stat().st_uid == int(passwd_entry(root, "estimator")[2])
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()


def test_install_enables_the_units_and_the_site(installed: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, first = installed
    system = root / "etc/systemd/system"
    for name in UNITS:
        assert (system / name).read_text() == (DEPLOY / name).read_text()
    assert (system / "multi-user.target.wants/estimator.service").is_symlink()
    assert (system / "timers.target.wants/estimator-backup.timer").is_symlink()
    vhost = (root / "etc/apache2/sites-available/estimator.conf").read_text()
    assert "ServerName estimator.test" in vhost and "example.com" not in vhost
    assert (root / "etc/apache2/sites-enabled/estimator.conf").resolve() == (
        root / "etc/apache2/sites-available/estimator.conf"
    )
    for module in ("proxy", "proxy_http", "proxy_wstunnel", "ssl", "headers", "rewrite", "auth_basic", "authn_file"):
        assert (root / f"etc/apache2/mods-enabled/{module}.load").exists(), module
    assert "htpasswd -c -B /etc/estimator/htpasswd" in first.stdout


def test_the_installed_units_verify_against_the_installed_tree(installed: tuple[Path, object]) -> None:
    """`systemd-analyze verify --root` resolves ExecStart inside the staged root: the installed venv must be there.

    The staging root borrows this machine's /usr (bind-mounted in a private mount namespace) for
    the system Python the venv points at and for systemd's own targets.
    """
    root, _ = installed
    if not shutil.which("systemd-analyze") or not shutil.which("unshare"):
        missing("systemd-analyze and unshare are needed")
    (root / "usr").mkdir(exist_ok=True)
    paths = " ".join(f"/etc/systemd/system/{name}" for name in UNITS)
    result = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'mount --bind /usr "$1/usr" && exec systemd-analyze verify --root="$1" {paths}',
            "sh",
            str(root),
        ],
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_a_second_run_keeps_the_operators_changes_and_backs_up_first(installed: tuple[Path, object]) -> None:
    root, _ = installed
    env_file = root / "opt/estimator/.env"
    env_file.write_text(env_file.read_text().replace("LANGUAGE=ja", "LANGUAGE=en").replace("ROUNDING=floor\n", ""))
    vhost = root / "etc/apache2/sites-available/estimator.conf"
    vhost.write_text(vhost.read_text().replace("max-age=31536000", "max-age=63072000"))
    second = install(root)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "LANGUAGE=en" in env_file.read_text()
    assert "defaults apply: ROUNDING" in second.stdout
    assert "max-age=63072000" in vhost.read_text()
    assert Path(f"{vhost}.new").read_text() == (
        (DEPLOY / "apache/estimator.conf").read_text().replace("estimator.example.com", "estimator.test")
    )
    assert [line.split(":")[0] for line in (root / "etc/passwd").read_text().splitlines()].count("estimator") == 1
    assert len(list((root / "var/backups/estimator").glob("pre-update-*.db"))) == 1


def test_uninstall_removes_the_service_and_site_and_purge_removes_the_rest(installed: tuple[Path, object]) -> None:
    root, _ = installed
    removed = install(root, "uninstall.sh")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not list((root / "etc/systemd/system").rglob("estimator*"))
    assert not (root / "etc/apache2/sites-enabled/estimator.conf").exists()
    assert (root / "var/lib/estimator/estimator.db").exists() and (root / "opt/estimator/.env").exists()
    purged = install(root, "uninstall.sh", "--purge")
    assert purged.returncode == 0, purged.stdout + purged.stderr
    for path in ("opt/estimator", "var/lib/estimator", "var/backups/estimator", "etc/estimator"):
        assert not (root / path).exists(), path
    assert passwd_entry(root, "estimator") is None
