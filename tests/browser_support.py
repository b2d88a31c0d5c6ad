"""Real Chromium against the app that ./run.sh serves, for the browser walk and the UI benchmark.

The server runs in its own process group on a free loopback port with its own data
folder and no API key, so it is the offline engine; it is stopped by its group id.
Streamlit marks its root element with `data-test-script-state`; "notRunning" after
a script run is the signal that the page is drawn and idle.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
CLEARED_PREFIXES = ("OPENAI_", "DAILY_", "TAX_RATE_", "DATABASE_URL", "ISSUER_", "RATE_LIMIT", "MONTHLY_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_missing() -> str | None:
    """Why a browser test cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (Debian package chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@contextmanager
def app_server(data_dir: Path, log: Path, *, language: str = "ja") -> Iterator[tuple[str, int]]:
    """./run.sh on a free port; yields (base URL, streamlit's pid) once /_stcore/health answers ok."""
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(CLEARED_PREFIXES)}
    env.update({"PORT": str(port), "DATA_DIR": str(data_dir), "LANGUAGE": language, "HOST": "127.0.0.1"})
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(ROOT / "run.sh")], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"run.sh exited with {process.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    if response.read().decode() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no health on port {port}:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished its script run and stayed idle briefly (no rerun queued)."""
    for _ in range(2):
        page.wait_for_selector(IDLE, timeout=timeout)
        page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout)


def rss_kb(pid: int) -> int:
    """Resident memory of a process from /proc (VmRSS, in kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")
