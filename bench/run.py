"""Run every benchmark module and record the figures with the machine they ran on.

Each `bench/bench_*.py` exposes `run() -> list[dict]` whose items have `name`,
`value`, `unit`, `target` (text) and `ok` (bool); the module docstring's first
line titles its section. Targets are checked here, never by timed test asserts.
An item with `"gate": False` is a measurement: shown as met or not, it never fails
the run. A module may also offer `markdown() -> list[str]`, lines of its own (a
per-case table) placed under its measures, from the same `run()`.

Usage: `.venv/bin/python -m bench.run [NAME …]` (names without the `bench_` prefix).
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "RESULTS.md"


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return [
        f"- Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {memory}",
        f"- OS: {platform.platform()}; Python {platform.python_version()}",
    ]


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    lines = ["# Benchmark results", "", "Written by `.venv/bin/python -m bench.run`.", "", *machine(), ""]
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        title = (module.__doc__ or name).strip().splitlines()[0]
        print(f"== {title}", flush=True)
        results = module.run()
        lines += [f"## {title}", "", "| measure | value | target | met |", "|---|---|---|---|"]
        for item in results:
            gate = item.get("gate", True)
            mark = "yes" if item["ok"] else "**no**" if gate else "no (measured)"
            failed += gate and not item["ok"]
            lines.append(f"| {item['name']} | {item['value']} {item['unit']} | {item['target']} | {mark} |")
            print(f"   {item['name']}: {item['value']} {item['unit']} (target {item['target']}) {mark}", flush=True)
        details = getattr(module, "markdown", None)
        if callable(details):
            lines += ["", *details()]
        notes = getattr(module, "NOTES", "")
        lines += ["", notes.strip(), ""] if notes else [""]
    RESULTS.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
