"""The runbook's "Beyond one machine" balancer, run: two app instances behind Apache with sticky sessions.

The Apache block is taken from deploy/RUNBOOK.md itself, its two member
addresses pointed at two local instances started from estimator.service. A
Streamlit session lives in one process, so the page's requests and its
websocket must reach the instance whose route the ROUTEID cookie names; the
access log names the member that served each request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.deploy_support import (
    CHROMIUM,
    DEPLOY,
    PASSWORD,
    USER,
    App,
    Site,
    Walk,
    basic,
    browser_page,
    handshake_headers,
    remove,
    request,
    require_tools,
    running_apache,
    scratch_dir,
    wait_for,
    websocket_handshake,
)

pytestmark = [pytest.mark.deploy, pytest.mark.slow]

MEMBERS = {"app1": "10.0.1.11:8100", "app2": "10.0.1.12:8100"}


def runbook_balancer() -> str:
    """The English runbook's Apache block for the balancer."""
    blocks = re.findall(r"```apache\n(.*?)```", (DEPLOY / "RUNBOOK.md").read_text(encoding="utf-8"), re.S)
    return next(block for block in blocks if "balancer://estimator" in block)


@pytest.fixture(scope="module")
def instances() -> Iterator[dict[str, Site]]:
    """Site app1 (with Apache) and app2: one app each, both on app1's data folder (one shared database)."""
    require_tools()
    base = scratch_dir("estimator-balancer-")
    first = Site(base)
    second = Site(base / "app2", shared_data_dir=first.data_dir)
    apps = []
    try:
        for site in (first, second):
            site.base.mkdir(exist_ok=True)
            unit = site.render_file(DEPLOY / "estimator.service", site.base / "estimator.service")
            env_file = site.render_file(DEPLOY / "env.example", site.base / "env")
            apps.append(App(site, unit, env_file, site.base / "app.log"))
            apps[-1].start()
        yield {"app1": first, "app2": second}
    finally:
        for app in apps:
            app.stop()
        remove(base)


@pytest.fixture(scope="module")
def front(instances: dict[str, Site]) -> Iterator[Site]:
    block = runbook_balancer()
    for route, address in MEMBERS.items():
        block = block.replace(address, f"127.0.0.1:{instances[route].app_port}")

    def balanced(vhost: str) -> str:
        """The vhost with its two ProxyPass lines replaced by the runbook's block, as the runbook says."""
        proxy_lines = re.compile(r"^ *ProxyPass(Reverse)? / http://127\.0\.0\.1:\d+/.*\n", re.M)
        found = proxy_lines.search(vhost)
        assert found and len(proxy_lines.findall(vhost)) == 2
        without = proxy_lines.sub("", vhost)
        return without[: found.start()] + block + without[found.start() :]

    with running_apache(instances["app1"], balanced):
        yield instances["app1"]


def served_by(front: Site, marker: str) -> str:
    """The balancer member that answered the request whose path holds `marker` (from the access log)."""
    log = front.apache_dir / "access.log"

    def lookup() -> str | None:
        lines = [line for line in log.read_text().splitlines() if marker in line]
        return lines[-1].rsplit(" ", 1)[-1] if lines else None

    return wait_for(lookup, 10, f"access log line for {marker}")


def test_the_first_answer_names_an_instance_in_a_cookie(front: Site) -> None:
    status, headers, _ = request(front, "/", headers={"Authorization": basic(USER, PASSWORD)})
    assert status == 200
    route = [value for value in headers.get_all("Set-Cookie") or [] if value.startswith("ROUTEID=")]
    assert len(route) == 1 and re.match(r"ROUTEID=\.app[12]; path=/; Secure; HttpOnly", route[0]), route


@pytest.mark.parametrize("route", sorted(MEMBERS))
def test_requests_and_the_websocket_stay_with_the_cookies_instance(
    front: Site, instances: dict[str, Site], route: str
) -> None:
    member = f"http://127.0.0.1:{instances[route].app_port}"
    cookie = f"ROUTEID=.{route}"
    credentials = {"Authorization": basic(USER, PASSWORD), "Cookie": cookie}
    for _ in range(3):
        marker = uuid.uuid4().hex
        assert request(front, f"/_stcore/health?probe={marker}", headers=credentials)[0] == 200
        assert served_by(front, marker) == member
    marker = uuid.uuid4().hex
    _, handshake = handshake_headers(front, cookie)
    status, _ = websocket_handshake(
        front, {**handshake, "Authorization": basic(USER, PASSWORD)}, f"/_stcore/stream?probe={marker}"
    )
    assert status.split()[1] == "101"
    assert served_by(front, marker) == member


def test_a_browser_session_works_through_the_balancer(front: Site, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        missing("Chromium is not installed (Debian package chromium)")
    with browser_page(front) as page:
        walk = Walk(page, front, tmp_path)
        walk.open()
        walk.create_project("バランサー経由", "株式会社テスト")
