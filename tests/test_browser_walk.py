"""The whole walk in real Chromium against ./run.sh, in Japanese and in English.

Create a project → upload the legacy sample → accept → save → generate questions →
answer one → generate the estimate → one chat request → apply a proposal → download
the quote, whose total (recomputed from its lines as the money rules say) must equal
the total on the page and the stored version's. Every step is screenshotted under the
test's folder and no page may show a Streamlit exception box.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from estimator.excel.quote import QUOTE_HEADER_ROW
from estimator.i18n import t
from estimator.money import line_amount, totals
from tests.browser_support import EXCEPTION, app_server, browser_missing, launch, wait_idle
from tests.conftest import SAMPLES, missing
from tests.support import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAV_KEYS = ("nav.projects", "nav.deliverables", "nav.questions", "nav.estimate", "nav.adjust", "nav.usage")
REQUESTS = {"ja": "あと30万円安く", "en": "reduce by $3,000"}


class Walk:
    """One analyst's browser session: steps with a screenshot each and a check for exception boxes."""

    def __init__(self, page: Any, lang: str, shots: Path) -> None:
        self.page = page
        self.lang = lang
        self.shots = shots
        self.step = 0
        shots.mkdir(parents=True, exist_ok=True)

    def text(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def shot(self, name: str) -> None:
        wait_idle(self.page)
        self.step += 1
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}_{name}.png"), full_page=True)
        assert self.page.locator(EXCEPTION).count() == 0, f"exception box at step {name}"

    def keyed(self, key: str) -> Any:
        """The element Streamlit renders for a widget with `key` (its container has class st-key-KEY)."""
        return self.page.locator(f".st-key-{key}")

    def click(self, key: str) -> None:
        self.keyed(key).locator("button").first.click()
        wait_idle(self.page)

    def expect_text(self, text: str, timeout: float = 30_000) -> None:
        self.page.get_by_text(text, exact=False).first.wait_for(timeout=timeout)

    def go(self, nav_key: str) -> None:
        self.page.locator(f'[data-testid="stSidebarNavLink"]:has(span[label="{self.text(nav_key)}"])').click()
        wait_idle(self.page)

    def metric(self, label: str) -> str:
        box = self.page.locator('[data-testid="stMetric"]').filter(has_text=label).first
        return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def amount_of(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text))


def workbook_total(path: Path, currency: str, rounding: str) -> Decimal:
    """The quote's total as its formulas compute it: Σ round(days × unit cost), tax on the subtotal."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    amounts = []
    row = QUOTE_HEADER_ROW + 1
    while isinstance(sheet.cell(row=row, column=4).value, int | float):
        days, unit_cost = (Decimal(str(sheet.cell(row=row, column=c).value)) for c in (4, 5))
        amounts.append(line_amount(days, unit_cost, currency, rounding))
        row += 1
    tax_formula = str(sheet.cell(row=row + 1, column=6).value)
    rate = Decimal(re.search(r"\*([\d.]+)/100", tax_formula).group(1))
    return totals(amounts, rate, currency, rounding).total


def nav_titles(page: Any) -> list[str]:
    return [link.get_attribute("label") for link in page.locator('[data-testid="stSidebarNavLink"] span[label]').all()]


def run_walk(walk: Walk, base_url: str, data_dir: Path, downloads: Path) -> None:
    page, lang = walk.page, walk.lang
    page.goto(base_url)
    wait_idle(page)
    assert nav_titles(page) == [t(key, "ja") for key in NAV_KEYS], "first load: Japanese menu, our pages only"
    if lang == "en":
        walk.keyed("lang_select").click()
        page.get_by_role("option", name="English").click()
        wait_idle(page)
    assert nav_titles(page) == [walk.text(key) for key in NAV_KEYS]
    walk.shot("projects")

    title = f"Walk {lang}"
    new_project = page.locator('[data-testid="stExpander"]').filter(has_text=walk.text("projects.new")).first
    if not new_project.get_by_label(walk.text("projects.field.title")).is_visible():
        new_project.locator("summary").click()
    new_project.get_by_text(t(f"lang.{lang}", lang), exact=True).click()
    wait_idle(page)
    new_project.get_by_label(walk.text("projects.field.title")).fill(title)
    new_project.get_by_label(walk.text("projects.field.client")).fill("ACME")
    new_project.get_by_role("button", name=walk.text("projects.create")).click()
    walk.expect_text(walk.text("deliverables.intro"))
    walk.shot("deliverables_empty")

    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLES / "legacy_sample_input.xlsx")
    )
    walk.expect_text(walk.text("deliverables.upload.accept", count=13))
    walk.shot("upload_staged")
    walk.click("upload_accept")
    walk.expect_text(walk.text("deliverables.upload.accepted", count=13))
    walk.shot("upload_accepted")
    walk.click("save_deliverables")
    walk.expect_text(walk.text("deliverables.saved", count=13))
    walk.shot("saved")

    walk.go("nav.questions")
    walk.click("generate_questions")
    answers = page.locator('[class*="st-key-answer_"] input')
    answers.first.wait_for()
    walk.shot("questions")
    answers.first.fill("5")
    answers.first.press("Enter")
    wait_idle(page)
    walk.click("answers_to_estimate")
    walk.expect_text(walk.text("estimate.metric.subtotal"))
    walk.shot("estimate")
    page.get_by_role("tab", name=walk.text("estimate.tab.chart")).click()
    walk.shot("estimate_chart")

    walk.go("nav.adjust")
    chat = page.locator('[data-testid="stChatInputTextArea"]')
    chat.fill(REQUESTS[lang])
    chat.press("Enter")
    apply_buttons = page.locator('[class*="st-key-apply_"] button')
    apply_buttons.first.wait_for()
    walk.shot("proposals")
    apply_buttons.first.click()
    walk.expect_text(walk.text("adjust.proposals.none"))
    walk.shot("applied")

    walk.go("nav.estimate")
    shown_total = amount_of(walk.metric(walk.text("estimate.metric.total")))
    with page.expect_download() as info:
        walk.click("download_quote")
    download = info.value
    saved = downloads / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".xlsx"
    walk.shot("estimate_after_adjust")
    page.get_by_role("tab", name=walk.text("estimate.tab.versions")).click()
    walk.expect_text(walk.text("estimate.compare.title"))
    walk.shot("versions")
    walk.go("nav.usage")
    walk.expect_text(walk.text("usage.settings.title"))
    walk.shot("usage")

    projects = json.loads(run_cli("list", "--json", env={"DATA_DIR": str(data_dir)}).stdout)
    project = next(p for p in projects if p["title"] == title)
    stored = json.loads(run_cli("show", str(project["id"]), "--json", env={"DATA_DIR": str(data_dir)}).stdout)
    assert stored["version"] == 2 and stored["origin"] == "adjusted"
    assert Decimal(str(stored["total"])) == shown_total
    assert workbook_total(saved, project["currency"], "floor") == shown_total


def first_load_of_a_deep_link(browser: Any, base_url: str, tmp_path: Path) -> None:
    """The server's very first session opens /estimate (a tab reconnecting after a restart):
    Streamlit's legacy pages/ discovery must not run the page alone under a menu of file names."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base_url}/estimate")
        page.get_by_text(t("nav.choose_project_first", "ja")).wait_for()
        wait_idle(page)
        page.screenshot(path=str(tmp_path / "first_load_deep_link.png"))
        assert nav_titles(page) == [t(key, "ja") for key in NAV_KEYS]
        assert page.locator(".st-key-lang_select").count() == 1, "the sidebar of app.py is there"
        assert page.locator(EXCEPTION).count() == 0
    finally:
        context.close()


def test_the_walk_in_japanese_and_english(tmp_path: Path) -> None:
    reason = browser_missing()
    if reason:
        missing(reason)
    from playwright.sync_api import sync_playwright

    data_dir = tmp_path / "data"
    with app_server(data_dir, tmp_path / "server.log") as (base_url, _pid), sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            first_load_of_a_deep_link(browser, base_url, tmp_path)
            for lang in ("ja", "en"):
                context = browser.new_context(
                    viewport={"width": 1440, "height": 1300}, locale="ja-JP" if lang == "ja" else "en-US"
                )
                context.set_default_timeout(30_000)
                outside: list[str] = []
                context.on(
                    "request",
                    lambda request, seen=outside: (
                        None if request.url.startswith((base_url, "data:", "blob:")) else seen.append(request.url)
                    ),
                )
                walk = Walk(context.new_page(), lang, tmp_path / lang)
                try:
                    run_walk(walk, base_url, data_dir, tmp_path)
                    assert outside == [], "the app works offline: no request leaves the server"
                except Exception:
                    walk.page.screenshot(path=str(walk.shots / "failure.png"), full_page=True)
                    raise
                finally:
                    context.close()
        finally:
            browser.close()
