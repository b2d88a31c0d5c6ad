"""Issue 13's walk in real Chromium against ./run.sh, in Japanese and in English: a won project's timesheet
(whose screens took 1.5× their estimates) is uploaded on the Actuals page and imported, the project is moved to
完了 from the Estimate page, a new project's estimate is generated with its screens calibrated (the page shows the
total with and without, and the factors with their evidence), and the Accuracy page draws its three charts.

Four completed projects are prepared through the workflow first, so the one finished in the browser is the
fifth: the new estimate's factors stand on five projects. Every step is screenshotted; no page may show an
exception box."""

from __future__ import annotations

import csv
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.schemas import ActualEntry, Deliverable, DeliverableKind, ProjectStatus
from estimator.workflow import Workflow, open_workflow
from tests.browser_support import Walk, app_server, browser_missing, launch, wait_idle
from tests.conftest import missing

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USER = "local"
SCREENS_TOOK = Decimal("1.5")
ITEMS = [
    Deliverable(name="受注入力画面", description="受注の登録・修正の2画面"),
    Deliverable(name="得意先マスタ画面", description="得意先の登録・検索の3画面"),
    Deliverable(name="請求書出力", description="請求書PDF 1帳票"),
]


def project(flow: Workflow, title: str, language: str) -> int:
    created = flow.create_project(replace(flow.project_defaults(language), title=title), user=USER)
    flow.save_deliverables(created.id, ITEMS, requirements="", expected_row_version=None)
    return created.id


def took(flow: Workflow, project_id: int) -> list[tuple[str, Decimal]]:
    """What each baseline line took: screens 1.5× their estimate, the rest as estimated."""
    return [
        (line.deliverable, line.person_days * (SCREENS_TOOK if line.kind is DeliverableKind.SCREEN else 1))
        for line in flow.baseline_lines(project_id)
    ]


def won(flow: Workflow, title: str, language: str) -> int:
    project_id = project(flow, title, language)
    flow.generate_estimate(project_id, expected_row_version=None, user=USER)
    flow.set_status(project_id, "submitted", user=USER, expected_row_version=None)
    flow.set_status(project_id, "won", user=USER, expected_row_version=None)
    return project_id


def history(flow: Workflow, count: int) -> None:
    for number in range(count):
        project_id = won(flow, f"完了案件{number + 1}", "ja")
        entries = [ActualEntry(name, days) for name, days in took(flow, project_id)]
        flow.record_actuals(project_id, entries, user=USER, expected_row_version=None)
        flow.set_status(project_id, "done", user=USER, expected_row_version=None)


def timesheet(flow: Workflow, project_id: int, path: Path) -> Path:
    """A timesheet export in hours, as a time-tracking tool writes one."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["成果物名称", "実績時間"])
        for name, days in took(flow, project_id):
            writer.writerow([name, str(days * 8)])
    return path


def finish_in_the_browser(walk: Walk, base_url: str, flow: Workflow, project_id: int) -> None:
    page = walk.page
    page.goto(f"{base_url}/actuals?project={project_id}&lang={walk.lang}")
    wait_idle(page)
    walk.shot("actuals_before")
    sheet = timesheet(flow, project_id, walk.shots / "timesheet.csv")
    page.locator('.st-key-actuals_file [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(sheet))
    wait_idle(page)
    count = len(flow.baseline_lines(project_id))
    walk.expect_text(walk.text("actuals.import.matched", count=count, total=count))
    walk.shot("timesheet_read")
    walk.click("actuals_import")
    walk.shot("actuals_imported")
    assert len(flow.actuals(project_id)) == count
    page.goto(f"{base_url}/estimate?project={project_id}&lang={walk.lang}")
    wait_idle(page)
    page.get_by_role("button", name=walk.text("status.change")).click()
    page.locator('[class*="st-key-status_apply_"] button').first.click()
    wait_idle(page)
    walk.shot("done")
    assert flow.project(project_id).status is ProjectStatus.DONE


def calibrated_estimate(walk: Walk, base_url: str, flow: Workflow, project_id: int, completed: int) -> None:
    page = walk.page
    page.goto(f"{base_url}/estimate?project={project_id}&lang={walk.lang}")
    wait_idle(page)
    walk.click("generate_estimate")
    walk.shot("calibrated_estimate")
    lines = [item.line for item in flow.priced(project_id).lines]
    screens = [line for line in lines if line.kind is DeliverableKind.SCREEN]
    assert screens and all(line.calibration > 1 for line in screens)
    walk.expect_text(walk.text("calibration.totals").split("{")[0].strip())
    page.get_by_role("button", name=walk.text("calibration.expander")).click()
    wait_idle(page)
    walk.expect_text(walk.text("calibration.version_used", count=completed))
    walk.expect_text(walk.text("calibration.method")[:12])
    walk.shot("calibration_evidence")
    assert flow.version(project_id).calibration.completed == completed


def accuracy_page(walk: Walk, base_url: str, completed: int) -> None:
    page = walk.page
    page.goto(f"{base_url}/accuracy?lang={walk.lang}")
    wait_idle(page)
    walk.expect_text(walk.text("accuracy.title"))
    page.locator(".vega-embed").nth(2).wait_for()
    walk.shot("accuracy")
    assert page.locator(".vega-embed").count() == 3, "estimate vs actual, bias by kind, accuracy over time"
    assert page.locator(".vega-embed canvas, .vega-embed svg").count() >= 3, "the charts are drawn"
    figure = page.locator('[data-testid="stMetric"]').filter(has_text=walk.text("accuracy.metric.projects")).first
    assert figure.locator('[data-testid="stMetricValue"]').inner_text().strip() == str(completed)


def test_the_calibration_walk_in_japanese_and_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reason = browser_missing()
    if reason:
        missing(reason)
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path / "data"
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    flow = open_workflow(load_settings())
    history(flow, 4)
    finishing = {lang: won(flow, f"実績入力 {lang}", lang) for lang in ("ja", "en")}
    upcoming = {lang: project(flow, f"次期案件 {lang}", lang) for lang in ("ja", "en")}
    with app_server(data_dir, tmp_path / "server.log") as (base_url, _pid), sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for completed, lang in enumerate(("ja", "en"), start=5):
                context = browser.new_context(viewport={"width": 1440, "height": 1300})
                context.set_default_timeout(30_000)
                walk = Walk(context.new_page(), lang, tmp_path / lang)
                try:
                    finish_in_the_browser(walk, base_url, flow, finishing[lang])
                    calibrated_estimate(walk, base_url, flow, upcoming[lang], completed)
                    accuracy_page(walk, base_url, completed)
                except Exception:
                    walk.page.screenshot(path=str(walk.shots / "failure.png"), full_page=True)
                    raise
                finally:
                    context.close()
        finally:
            browser.close()
