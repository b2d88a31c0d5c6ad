"""The deploy artefacts, run for real on loopback: the app as its unit starts it, Apache with our vhost.

Everything is rendered from the files in deploy/ by replacing the production
paths, names and ports with the test's own (`Site.placeholders`), so a test
exercises the very lines an operator installs. Nothing is started outside
127.0.0.1 and nothing is written outside the test's folders.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from estimator.db import Database
from estimator.i18n import t
from estimator.store import Store
from tests.browser_support import CHROMIUM
from tests.browser_support import CHROMIUM_ARGS as BROWSER_ARGS
from tests.conftest import missing
from tests.support import ROOT
from tests.unit_sandbox import parse_unit

DEPLOY = ROOT / "deploy"
T = TypeVar("T")
APACHE = Path("/usr/sbin/apache2")
APACHE_MODULES = Path("/usr/lib/apache2/modules")
SERVER_NAME = "estimator.test"
USER, PASSWORD = "alice", "correct horse battery"
# Debian module names; what deploy/apache/estimator.conf needs plus the base an Apache needs to run.
MODULES = (
    "mpm_event",
    "unixd",
    "authz_core",
    "authn_core",
    "authn_file",
    "auth_basic",
    "authz_user",
    "headers",
    "proxy",
    "proxy_http",
    "proxy_wstunnel",
    "ssl",
    "socache_shmcb",
    "rewrite",
    "alias",
    "mime",
    "setenvif",
    "log_config",
    "proxy_balancer",
    "lbmethod_byrequests",
    "slotmem_shm",
)


def require_tools() -> None:
    """Apache and the tools the tests make its certificate and password file with; CI must have them."""
    for tool, package in (
        (str(APACHE), "apache2"),
        ("htpasswd", "apache2-utils"),
        ("openssl", "openssl"),
        ("systemd-analyze", "systemd"),
    ):
        if not shutil.which(tool):
            missing(f"{tool} is not installed (Debian package {package})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render(text: str, placeholders: Mapping[str, str]) -> str:
    """Replace every placeholder, refusing one that is not there: a renamed path must fail loudly."""
    for placeholder, value in placeholders.items():
        if placeholder not in text:
            raise AssertionError(f"placeholder {placeholder!r} not found")
        text = text.replace(placeholder, value)
    return text


def read_environment_file(path: Path) -> dict[str, str]:
    """An EnvironmentFile as systemd reads it: `#`/`;` lines skipped, quotes removed, inline `#` kept."""
    environment: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        environment[key.strip()] = value
    return environment


def command_line(value: str) -> list[str]:
    """An Exec*= value as argv, without systemd's `-@:+!` prefixes."""
    return shlex.split(value.lstrip("-@:+!"))


@dataclass
class Site:
    """The test's stand-ins for the production paths and ports, in one place."""

    base: Path
    app_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    shared_data_dir: Path | None = None

    @property
    def data_dir(self) -> Path:
        """The app's DATA_DIR: its own, or another site's when instances share one database."""
        return self.shared_data_dir or self.base / "data"

    @property
    def backup_dir(self) -> Path:
        return self.base / "backups"

    @property
    def apache_dir(self) -> Path:
        return self.base / "apache"

    @property
    def placeholders(self) -> dict[str, str]:
        """Production value → test value, longest first so a path wins over its prefix."""
        venv = Path(sys.prefix)
        pairs = {
            "/opt/estimator/.venv": str(venv),
            "/opt/estimator": str(ROOT),
            "/var/lib/estimator": str(self.data_dir),
            "/var/backups/estimator": str(self.backup_dir),
            "127.0.0.1:8100": f"127.0.0.1:{self.app_port}",
            "PORT=8100": f"PORT={self.app_port}",
            "/etc/letsencrypt/live/estimator.example.com/fullchain.pem": str(self.apache_dir / "cert.pem"),
            "/etc/letsencrypt/live/estimator.example.com/privkey.pem": str(self.apache_dir / "key.pem"),
            "/etc/estimator/htpasswd": str(self.apache_dir / "htpasswd"),
            "/var/www/letsencrypt": str(self.apache_dir / "acme"),
            "estimator.example.com": SERVER_NAME,
            "*:80>": f"127.0.0.1:{self.http_port}>",
            "*:443>": f"127.0.0.1:{self.https_port}>",
        }
        return dict(sorted(pairs.items(), key=lambda item: -len(item[0])))

    def render_file(self, source: Path, target: Path) -> Path:
        """`source` with those placeholders of ours that it contains replaced."""
        text = source.read_text(encoding="utf-8")
        present = {key: value for key, value in self.placeholders.items() if key in text}
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(text, present), encoding="utf-8")
        return target

    @property
    def origin(self) -> str:
        return f"https://{SERVER_NAME}:{self.https_port}"


def wait_for(
    check: Callable[[], T], timeout: float, what: str, alive: subprocess.Popen | None = None, log: Path | None = None
) -> T:
    """Poll `check` until it returns a truthy value; fail with the log when `alive` died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and alive.poll() is not None:
            raise AssertionError(f"{what}: the process exited ({alive.returncode})\n{tail(log)}")
        result: T | None = None
        with contextlib.suppress(OSError):
            result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"{what}: not ready after {timeout:.0f} s\n{tail(log)}")


def tail(log: Path | None, lines: int = 60) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM the process group (as systemd stops a unit), SIGKILL when it does not go."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@dataclass
class App:
    """The app started from the rendered estimator.service, under its seccomp restrictions."""

    site: Site
    unit_file: Path
    env_file: Path
    log: Path
    process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        """What systemd hands the service: a base, then Environment=, then EnvironmentFile= on top."""
        unit = parse_unit(self.unit_file.read_text(encoding="utf-8"))
        environment = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.site.data_dir),
        }
        for value in unit.get("Environment", []):
            environment.update(item.split("=", 1) for item in shlex.split(value))
        environment.update(read_environment_file(self.env_file))
        return environment

    def sandboxed(self, key: str) -> list[str]:
        unit = parse_unit(self.unit_file.read_text(encoding="utf-8"))
        return [sys.executable, "-m", "tests.unit_sandbox", str(self.unit_file), "--", *command_line(unit[key][-1])]

    def working_directory(self) -> Path:
        return Path(parse_unit(self.unit_file.read_text(encoding="utf-8"))["WorkingDirectory"][-1])

    def start(self, timeout: float = 90) -> None:
        self.site.data_dir.mkdir(parents=True, exist_ok=True)
        environment, cwd = self.environment(), self.working_directory()
        pre = subprocess.run(
            self.sandboxed("ExecStartPre"), cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
        )
        assert pre.returncode == 0, f"ExecStartPre failed:\n{pre.stdout}\n{pre.stderr}"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                self.sandboxed("ExecStart"),
                cwd=cwd,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(self.healthy, timeout, "the app", self.process, self.log)

    def healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.site.app_port}/_stcore/health"
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read() == b"ok"

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def make_certificate(directory: Path) -> None:
    """A self-signed certificate for SERVER_NAME and 127.0.0.1 (the test's CA and server at once)."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={SERVER_NAME}",
            "-addext",
            f"subjectAltName=DNS:{SERVER_NAME},IP:127.0.0.1",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )


def make_htpasswd(path: Path) -> None:
    """The Basic-auth user, hashed by Apache's own tool (bcrypt, as the runbook tells operators)."""
    subprocess.run(["htpasswd", "-c", "-b", "-B", str(path), USER, PASSWORD], check=True, capture_output=True)


def main_config(site: Site, vhost: Path) -> str:
    """The smallest httpd.conf around our vhost: modules, loopback Listen lines, files in the test folder."""
    run = site.apache_dir
    lines = [
        f'ServerRoot "{run}"',
        "ServerName localhost",
        f'PidFile "{run}/httpd.pid"',
        f'DefaultRuntimeDir "{run}"',
        "Mutex posixsem",
        f'ErrorLog "{run}/error.log"',
        "LogLevel warn",
        # The balancer member that served each request: how the tests see sticky sessions work.
        'LogFormat "%h %u \\"%r\\" %>s %b %{BALANCER_WORKER_NAME}e" short',
        f'CustomLog "{run}/access.log" short',
        f"Listen 127.0.0.1:{site.http_port}",
        f"Listen 127.0.0.1:{site.https_port}",
        f'SSLSessionCache "shmcb:{run}/ssl_scache(512000)"',
        "StartServers 1",
        "ServerLimit 2",
        # Modules compiled in (Debian: core, unixd, …) have no .so; a truly missing one fails the config test.
        *(
            f"LoadModule {name}_module {APACHE_MODULES}/mod_{name}.so"
            for name in MODULES
            if (APACHE_MODULES / f"mod_{name}.so").exists()
        ),
    ]
    if Path("/etc/mime.types").exists():
        lines.append("TypesConfig /etc/mime.types")
    if os.geteuid() == 0:
        lines += ["User www-data", "Group www-data"]
    lines.append(f'Include "{vhost}"')
    return "\n".join(lines) + "\n"


@contextmanager
def running_apache(site: Site, edit: Callable[[str], str] | None = None) -> Iterator[Path]:
    """Apache in the foreground with deploy/apache/estimator.conf rendered for the site; yields its folder.

    `edit` changes the rendered vhost first (the runbook's balancer variant).
    """
    run = site.apache_dir
    run.mkdir(parents=True, exist_ok=True)
    (run / "acme").mkdir(exist_ok=True)
    make_certificate(run)
    make_htpasswd(run / "htpasswd")
    # Apache's workers run as www-data: they must reach the password file.
    for path in (site.base, run, run / "htpasswd"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    vhost = site.render_file(DEPLOY / "apache" / "estimator.conf", run / "estimator.conf")
    if edit is not None:
        vhost.write_text(edit(vhost.read_text(encoding="utf-8")), encoding="utf-8")
    config = run / "httpd.conf"
    config.write_text(main_config(site, vhost), encoding="utf-8")
    check = subprocess.run([str(APACHE), "-f", str(config), "-t"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = run / "error.log"
    process = subprocess.Popen(
        [str(APACHE), "-f", str(config), "-DFOREGROUND"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=(run / "stderr.log").open("wb"),
        start_new_session=True,
    )
    try:
        wait_for(lambda: _accepts(site.https_port), 20, "Apache", process, log)
        yield run
    finally:
        stop(process)


def _accepts(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def tls_context(site: Site) -> ssl.SSLContext:
    """Verifies Apache's certificate for SERVER_NAME, as a browser trusting our CA would."""
    return ssl.create_default_context(cafile=str(site.apache_dir / "cert.pem"))


class _SiteConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with SNI and certificate check for SERVER_NAME (no DNS needed)."""

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=SERVER_NAME)  # type: ignore[attr-defined]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def request(
    site: Site, path: str, *, headers: Mapping[str, str] | None = None, https: bool = True
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request through Apache with Host set as a browser would; returns status, headers, body."""
    port = site.https_port if https else site.http_port
    if https:
        connection: http.client.HTTPConnection = _SiteConnection(
            "127.0.0.1", port, timeout=15, context=tls_context(site)
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request("GET", path, headers={"Host": f"{SERVER_NAME}:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def scratch_dir(prefix: str) -> Path:
    """A folder outside pytest's (mode 700 for root), so Apache's www-data workers can read it."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def handshake_headers(site: Site, cookies: str = "") -> tuple[str, dict[str, str]]:
    """The upgrade request Streamlit's frontend sends: its subprotocols are "streamlit" and the XSRF token.

    Returns the Sec-WebSocket-Key too, to check the answer's Sec-WebSocket-Accept.
    """
    xsrf = re.search(r"_streamlit_xsrf=([^;]+)", cookies)
    key = base64.b64encode(os.urandom(16)).decode()
    return key, {
        "Host": f"{SERVER_NAME}:{site.https_port}",
        "Origin": site.origin,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Protocol": f"streamlit, {xsrf.group(1) if xsrf else 'PLACEHOLDER_AUTH_TOKEN'}",
        **({"Cookie": cookies} if cookies else {}),
    }


def websocket_accept(key: str) -> str:
    """RFC 6455's proof that the server read this handshake."""
    return base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()


def cookies_of(headers: http.client.HTTPMessage) -> str:
    """A Cookie header carrying back every Set-Cookie of an answer."""
    return "; ".join(value.split(";", 1)[0] for value in headers.get_all("Set-Cookie") or [])


def websocket_handshake(
    site: Site, headers: dict[str, str], path: str = "/_stcore/stream"
) -> tuple[str, dict[str, str]]:
    """Open the websocket over TLS through Apache; returns the status line and the answer's headers."""
    with (
        socket.create_connection(("127.0.0.1", site.https_port), timeout=15) as raw,
        tls_context(site).wrap_socket(raw, server_hostname=SERVER_NAME) as sock,
    ):
        lines = [f"GET {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
        sock.sendall("\r\n".join(lines).encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    fields = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return head[0], fields


# The vhost's ServerName resolves to loopback inside the browser only.
CHROMIUM_ARGS = [*BROWSER_ARGS, f"--host-resolver-rules=MAP {SERVER_NAME} 127.0.0.1"]


@contextmanager
def browser_page(site: Site, **context_options: Any) -> Iterator[Any]:
    """A Playwright page in Debian's Chromium, signed in with Basic auth, trusting the test certificate."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            options = {"locale": "ja-JP", "viewport": {"width": 1280, "height": 900}, **context_options}
            context = browser.new_context(
                ignore_https_errors=True, http_credentials={"username": USER, "password": PASSWORD}, **options
            )
            context.set_default_timeout(30_000)
            yield context.new_page()
        finally:
            browser.close()


class Walk:
    """The first step of the walk through Apache, for the checks that need only a stored project.

    The whole walk (deliverables … Excel download) is the UI's own `run_walk`
    from tests/browser_support.py, which test_deploy_apache.py runs through Apache.
    """

    def __init__(self, page: Any, site: Site, shots: Path) -> None:
        self.page, self.site, self.shots, self.lang = page, site, shots, "ja"

    def tr(self, key: str) -> str:
        return t(key, self.lang)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def settled(self) -> None:
        """The script ran to its end on a live connection, a real element rendered, and no exception box."""
        self.page.locator(
            '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
        ).wait_for(timeout=45_000)
        self.page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=15_000)
        # Widgets show grey placeholders until their code is fetched (through Apache, too).
        self.page.wait_for_load_state("networkidle", timeout=15_000)
        assert self.page.locator('[data-testid="stException"]').count() == 0, self.page.content()[:2000]

    def open(self) -> None:
        self.page.goto(self.site.origin + "/", wait_until="domcontentloaded")
        self.settled()
        self.shot("01-projects")

    def create_project(self, title: str, client: str) -> int:
        """Fill the "new project" form; returns the id of the project the app stored."""
        form = self.page.locator('[data-testid="stForm"]')
        if not form.is_visible():
            self.page.get_by_text(self.tr("projects.new")).click()
        form.get_by_label(self.tr("projects.field.title")).fill(title)
        form.get_by_label(self.tr("projects.field.client")).fill(client)
        form.get_by_role("button", name=self.tr("projects.create")).click()
        store = Store(Database.from_url(f"sqlite:///{self.site.data_dir / 'estimator.db'}", upgrade=False))
        project_id = wait_for(
            lambda: next((p.id for p in store.list_projects() if p.title == title), None), 30, "the new project"
        )
        self.settled()
        self.shot("02-project-created")
        return project_id
