"""The production path for real: Chromium → Apache (our vhost, TLS, Basic auth) → the app as its unit starts it.

One Apache and one app serve the whole module. Apache runs the vhost file
deploy/apache/estimator.conf with only paths, names and ports replaced; the app
runs the ExecStartPre / ExecStart lines of deploy/estimator.service with the
settings of deploy/env.example, under the unit's seccomp restrictions
(MemoryDenyWriteExecute, RestrictAddressFamilies, SystemCallFilter).
"""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from estimator.db import Database
from estimator.store import Store
from tests.conftest import missing
from tests.deploy_support import (
    CHROMIUM,
    DEPLOY,
    PASSWORD,
    SERVER_NAME,
    USER,
    App,
    Site,
    Walk,
    basic,
    browser_page,
    cookies_of,
    handshake_headers,
    read_environment_file,
    remove,
    request,
    require_tools,
    running_apache,
    scratch_dir,
    websocket_accept,
    websocket_handshake,
)
from tests.factories import project_settings

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

SECURITY_HEADERS = {
    "Strict-Transport-Security": re.compile(r"max-age=\d{7,}"),
    "X-Content-Type-Options": re.compile(r"^nosniff$"),
    "Content-Security-Policy": re.compile(r"frame-ancestors 'self'"),
    "Referrer-Policy": re.compile(r"\S"),
}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    require_tools()
    base = scratch_dir("estimator-deploy-")
    yield Site(base)
    remove(base)


@pytest.fixture(scope="module")
def app(site: Site) -> Iterator[App]:
    unit = site.render_file(DEPLOY / "estimator.service", site.base / "estimator.service")
    env_file = site.render_file(DEPLOY / "env.example", site.base / "env")
    app = App(site, unit, env_file, site.base / "app.log")
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def apache(site: Site, app: App) -> Iterator[Path]:
    with running_apache(site) as folder:
        yield folder


@pytest.fixture(scope="module")
def static_path(site: Site, apache: Path) -> str:
    """A real static file of the Streamlit frontend, named in the served index.html."""
    status, _, body = request(site, "/", headers={"Authorization": basic(USER, PASSWORD)})
    assert status == 200
    found = re.search(r'src="\.?(/?static/js/[^"]+\.js)"', body.decode())
    assert found, body[:500]
    return "/" + found.group(1).lstrip("/")


def live_store(site: Site) -> Store:
    return Store(Database.from_url(f"sqlite:///{site.data_dir / 'estimator.db'}", upgrade=False))


def table_contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: what "the same database" means for a restore."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY 1")]
        return {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}


def titles(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {row[0] for row in connection.execute("SELECT title FROM tasks")}


@pytest.mark.parametrize(
    "authorization",
    [None, basic(USER, "wrong password"), basic("mallory", PASSWORD)],
    ids=["no credentials", "wrong password", "unknown user"],
)
@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/_stcore/stream", "STATIC", "/projects?x=1"])
def test_every_path_needs_credentials(site: Site, static_path: str, path: str, authorization: str | None) -> None:
    target = static_path if path == "STATIC" else path
    headers = {"Authorization": authorization} if authorization else {}
    status, response_headers, body = request(site, target, headers=headers)
    assert status == 401, (target, status, body[:200])
    assert response_headers["WWW-Authenticate"] == 'Basic realm="Estimator"'


def test_credentials_open_the_page_the_health_check_and_the_static_files(site: Site, static_path: str) -> None:
    credentials = {"Authorization": basic(USER, PASSWORD)}
    status, _, body = request(site, "/", headers=credentials)
    assert status == 200 and b"<title>Streamlit</title>" in body
    assert request(site, "/_stcore/health", headers=credentials)[::2] == (200, b"ok")
    status, headers, _ = request(site, static_path, headers=credentials)
    assert status == 200 and "javascript" in headers["Content-Type"]


@pytest.mark.parametrize("authorization", [None, basic(USER, PASSWORD)], ids=["anonymous", "signed in"])
def test_security_headers_on_every_answer(site: Site, apache: Path, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    _, response_headers, _ = request(site, "/", headers=headers)
    for name, pattern in SECURITY_HEADERS.items():
        assert pattern.search(response_headers.get(name, "")), (name, response_headers.get(name))


def test_http_redirects_to_https_except_for_the_acme_challenge(site: Site, apache: Path) -> None:
    status, headers, _ = request(site, "/projects?x=1", https=False)
    assert status == 301
    assert headers["Location"] == f"https://{SERVER_NAME}/projects?x=1"
    challenge = apache / "acme" / ".well-known" / "acme-challenge"
    challenge.mkdir(parents=True, exist_ok=True)
    (challenge / "token").write_text("proof")
    (challenge / "token").chmod(0o644)
    for folder in (apache / "acme", apache / "acme" / ".well-known", challenge):
        folder.chmod(0o755)
    assert request(site, "/.well-known/acme-challenge/token", https=False)[::2] == (200, b"proof")


def test_websocket_upgrade_through_the_proxy(site: Site, apache: Path) -> None:
    """101 from Streamlit itself: it answers only when the Origin matches the Host it sees (ProxyPreserveHost)."""
    _, page_headers, _ = request(site, "/", headers={"Authorization": basic(USER, PASSWORD)})
    key, handshake = handshake_headers(site, cookies_of(page_headers))
    status, _ = websocket_handshake(site, handshake)
    assert status.split()[1] == "401"
    status, fields = websocket_handshake(site, {**handshake, "Authorization": basic(USER, PASSWORD)})
    assert status.split()[1] == "101", (status, fields)
    assert fields["sec-websocket-accept"] == websocket_accept(key)
    assert fields["sec-websocket-protocol"] == "streamlit"


def own_addresses() -> list[tuple[int, str, int]]:
    """This machine's non-loopback addresses (family, address, IPv6 scope id), as the kernel lists them.

    IPv4 from the local routing table (/proc/net/fib_trie "/32 host LOCAL"), IPv6 from
    /proc/net/if_inet6: the same as `ip -o addr`, without needing iproute2.
    """
    found: set[tuple[int, str, int]] = set()
    previous = ""
    for line in Path("/proc/net/fib_trie").read_text().splitlines():
        if "/32 host LOCAL" in line and not previous.startswith("127."):
            found.add((socket.AF_INET, previous, 0))
        previous = line.split("-- ")[-1].strip()
    for line in Path("/proc/net/if_inet6").read_text().splitlines():
        raw, index, _, scope, _, interface = line.split()
        address = socket.inet_ntop(socket.AF_INET6, bytes.fromhex(raw))
        if interface != "lo":
            found.add((socket.AF_INET6, address, int(index, 16) if scope == "20" else 0))
    return sorted(found)


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (/proc/net/tcp{,6}, state 0A)."""
    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                raw = bytes.fromhex(address)
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, size, 4))
                found.add(socket.inet_ntop(socket.AF_INET if size == 4 else socket.AF_INET6, words))
    return found


def test_the_app_answers_on_loopback_only(site: Site, app: App) -> None:
    """Only Apache (same machine) may reach the app: its port refuses every other address of this machine."""
    assert listening_addresses(site.app_port) == {"127.0.0.1"}
    addresses = own_addresses()
    for family, address, scope in addresses:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            target = (address, site.app_port) if family == socket.AF_INET else (address, site.app_port, 0, scope)
            with pytest.raises(ConnectionRefusedError):
                sock.connect(target)


def test_browser_walk_records_the_basic_auth_user(site: Site, apache: Path, tmp_path: Path) -> None:
    """Chromium signs in with Basic auth and creates a project; the app records Apache's user as its creator.

    The browser also sends its own X-Remote-User: Apache must replace it, or anyone could pose as anyone.
    """
    if not CHROMIUM.exists():
        missing("Chromium is not installed (Debian package chromium)")
    title = "配送管理システム刷新"
    with browser_page(site, extra_http_headers={"X-Remote-User": "mallory"}) as page:
        walk = Walk(page, site, tmp_path)
        walk.open()
        project_id = walk.create_project(title, "株式会社テスト物流")
    assert live_store(site).get_project(project_id).created_by == USER


def test_the_whole_walk_through_apache(site: Site, apache: Path, tmp_path: Path) -> None:
    """The UI's own browser walk (tests/test_browser_walk.py), but through Apache and the hardened app.

    Upload, file download and every rerun go through TLS, Basic auth and the proxied websocket;
    everything the walk stores is recorded under the Basic-auth user.
    """
    if not CHROMIUM.exists():
        missing("Chromium is not installed (Debian package chromium)")
    from tests.browser_support import Walk as AnalystWalk
    from tests.browser_support import run_walk

    with browser_page(site, accept_downloads=True, viewport={"width": 1440, "height": 1300}) as page:
        walk = AnalystWalk(page, "ja", tmp_path / "walk")
        try:
            run_walk(walk, site.origin, site.data_dir, tmp_path)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            raise
    store = live_store(site)
    [summary] = [p for p in store.list_projects() if p.title == "Walk ja"]
    assert store.get_project(summary.id).created_by == USER


def backup_environment(site: Site, app: App) -> dict[str, str]:
    """backup.sh's environment as estimator-backup.service gives it (see the unit's Environment=)."""
    unit = site.render_file(DEPLOY / "estimator-backup.service", site.base / "estimator-backup.service")
    environment = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG": "C.UTF-8"}
    for line in unit.read_text().splitlines():
        if line.startswith("Environment="):
            environment.update(item.split("=", 1) for item in line.removeprefix("Environment=").split())
    environment.update(read_environment_file(app.env_file))
    return {**environment, "PYTHON": sys.executable}


def test_backup_while_the_app_is_in_use_restores_to_the_same_database(site: Site, app: App, apache: Path) -> None:
    """backup.sh copies the live WAL database while the app holds it open and a writer writes; restore gives it back."""
    store = live_store(site)
    store.create_project(project_settings("Before the backup"), created_by=USER)
    environment = backup_environment(site, app)
    stop_writing = threading.Event()

    def write() -> None:
        n = 0
        while not stop_writing.is_set():
            store.create_project(project_settings(f"during {n}"), created_by=USER)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        during = subprocess.run(
            [str(DEPLOY / "backup.sh")], env=environment, cwd="/", capture_output=True, text=True, timeout=120
        )
    finally:
        stop_writing.set()
        writer.join()
    assert during.returncode == 0, during.stderr
    [taken] = site.backup_dir.glob("estimator-*.db")
    snapshot = taken.rename(site.base / "taken-during-writes.db")
    with closing(sqlite3.connect(snapshot)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    live = site.data_dir / "estimator.db"
    assert "Before the backup" in titles(snapshot)
    assert set(table_contents(snapshot)["tasks"]) <= set(table_contents(live)["tasks"])

    quiet = subprocess.run([str(DEPLOY / "backup.sh")], env=environment, cwd="/", capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    [backup] = site.backup_dir.glob("estimator-*.db")
    assert table_contents(backup) == table_contents(live), "a backup of the open database must hold every commit"

    store.create_project(project_settings("After the backup"), created_by=USER)
    app.stop()
    restore = subprocess.run(
        [sys.executable, "-m", "estimator", "restore", str(backup)],
        env=app.environment(),
        cwd=app.working_directory(),
        capture_output=True,
        text=True,
    )
    assert restore.returncode == 0, restore.stderr
    app.start()
    assert table_contents(live) == table_contents(backup)
    assert "After the backup" not in titles(live)
    credentials = {"Authorization": basic(USER, PASSWORD)}
    assert request(site, "/_stcore/health", headers=credentials)[::2] == (200, b"ok")
