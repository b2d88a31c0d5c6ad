"""History: accuracy and calibration read from 200 completed projects.

Every estimate reads the firm's completed projects to learn its factors, and the Accuracy page reads
them on every run. The history is read in four queries and kept until a completed project changes
(`Workflow._history`); this measures it cold (the first read after a change) and warm (a rerun),
and the estimate that learns from it. Usage: `.venv/bin/python -m bench.run history`.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.timing import median_seconds
from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.schemas import ActualEntry, Deliverable
from estimator.workflow import Workflow, open_workflow

PROJECTS = 200
TARGET_SECONDS = 1.0
USER = "bench"
ITEMS = [
    *(Deliverable(name=f"業務画面{number}", description="一覧・登録・更新の2画面") for number in range(1, 9)),
    Deliverable(name="請求書出力", description="請求書1帳票"),
    Deliverable(name="基幹連携", description="受注データを基幹へ日次連携するインタフェース1本"),
]
NOTES = (
    f"{PROJECTS} completed projects of {len(ITEMS)} deliverables (some 15 lines each with the added phases), "
    "each with actuals, on SQLite; medians of a few runs."
)


def _history(flow: Workflow, count: int) -> None:
    for number in range(count):
        project = flow.create_project(replace(flow.project_defaults("ja"), title=f"完了{number}"), user=USER)
        flow.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
        flow.generate_estimate(project.id, expected_row_version=None, user=USER)
        for status in ("submitted", "won"):
            flow.set_status(project.id, status, user=USER, expected_row_version=None)
        entries = [ActualEntry(line.deliverable, line.person_days) for line in flow.baseline_lines(project.id)]
        flow.record_actuals(project.id, entries, user=USER, expected_row_version=None)
        flow.set_status(project.id, "done", user=USER, expected_row_version=None)


def _result(name: str, seconds: float, target: float | None = TARGET_SECONDS) -> dict[str, object]:
    return {
        "name": name,
        "value": round(seconds, 3),
        "unit": "s",
        "target": "reference" if target is None else f"< {target:g} s",
        "ok": target is None or seconds < target,
    }


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(
            data_dir=Path(folder), database_url=f"sqlite:///{Path(folder) / 'history.db'}", openai_api_key=""
        )
        flow = open_workflow(settings, engine=OfflineEngine())
        started = time.perf_counter()
        _history(flow, PROJECTS)
        built = time.perf_counter() - started
        # A workflow opened anew has read nothing: its first accuracy() reads the history.
        cold = median_seconds(lambda: open_workflow(settings, engine=OfflineEngine()).accuracy())
        fresh = open_workflow(settings, engine=OfflineEngine())
        warm = median_seconds(fresh.accuracy)
        factors = median_seconds(fresh.calibration)
        project = fresh.create_project(replace(fresh.project_defaults("ja"), title="次期"), user=USER)
        fresh.save_deliverables(project.id, ITEMS, requirements="", expected_row_version=None)
        estimate = median_seconds(lambda: fresh.generate_estimate(project.id, expected_row_version=None, user=USER))
        return [
            _result(f"accuracy over {PROJECTS} completed projects, cold (history read)", cold),
            _result(f"accuracy over {PROJECTS} completed projects, warm (a page rerun)", warm),
            _result(f"calibration factors from {PROJECTS} completed projects, warm", factors),
            _result(f"a calibrated estimate learning from {PROJECTS} completed projects", estimate),
            _result(f"building the history ({PROJECTS} projects through the whole walk)", built, None),
        ]


def markdown() -> list[str]:
    return [NOTES]


if __name__ == "__main__":
    for item in run():
        print(item)
