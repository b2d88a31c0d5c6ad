"""Running the command line as a user would: a fresh process, in the test's own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_SETTINGS = (
    "OPENAI_",
    "DAILY_",
    "TAX_RATE_",
    "DATABASE_URL",
    "ISSUER_",
    "RATE_LIMIT",
    "MONTHLY_",
    "STAFF_NAMES",
    "CALIBRATION",
)
"""Prefixes of the settings a machine's environment may set and no test may inherit: each test (and each server
a test starts) runs on the embedded defaults."""


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m estimator ARGS` with the project importable and the current test's environment."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "estimator", *args],
        capture_output=True,
        text=True,
        cwd=cwd or Path.cwd(),
        env=environment,
        timeout=300,
    )
