"""The whole walk in real Chromium against ./run.sh, in Japanese and in English.

Create a project → upload the legacy sample → accept → save → generate questions →
answer one → generate the estimate → one chat request → apply a proposal → a 10 %
risk buffer → download the quote, whose total (recomputed from its lines as the money
rules say) must equal the total on the page and the stored version's, with the buffer
line and no exponent anywhere in it → a second upload appended → the estimate says it
is out of date. Each page is reloaded once and must come back with the same project and
language. Then: 9-digit totals are readable in full at 1280 px, and a deleted project's
quote number is never issued again. Every step is screenshotted under the test's folder
and no page may show a Streamlit exception box.
"""

from __future__ import annotations

import json
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.i18n import t
from tests.browser_support import (
    EXCEPTION,
    NAV_KEYS,
    Walk,
    app_server,
    browser_missing,
    create_project,
    launch,
    nav_titles,
    run_walk,
    wait_idle,
)
from tests.conftest import missing
from tests.support import run_cli

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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


# Every element of a headline figure, with its text and whether its content is wider than its box.
METRIC_OVERFLOW = """() => [...document.querySelectorAll('.st-key-headline_metrics [data-testid="stMetricValue"]')]
  .map(value => ({text: value.innerText.trim(),
                  cut: [value, ...value.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth)}))"""


LARGE_LIST = "成果物名称,説明\n受注管理画面,一覧・登録・編集の30画面\n帳票,帳票20種\n夜間バッチ,バッチ15本\n"
"""A list big enough (some 500 person-days) that a unit cost within the limits gives a 9-digit total."""


def cli_estimate(data_dir: Path, lang: str, unit_cost: str | None = None) -> dict[str, Any]:
    env = {"DATA_DIR": str(data_dir)}
    if unit_cost is not None:
        env["DAILY_UNIT_COST_JPY" if lang == "ja" else "DAILY_UNIT_COST_USD"] = unit_cost
    listed = data_dir.parent / "large_list.csv"
    listed.write_text(LARGE_LIST, encoding="utf-8")
    result = run_cli("--lang", lang, "estimate", str(listed), "--json", env=env)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def headline_amounts_fit(browser: Any, base_url: str, data_dir: Path, tmp_path: Path) -> None:
    """Totals just under ¥1,000,000,000 and $10,000,000 are readable in full at 1280 px and 1400 px."""
    days = Decimal(str(cli_estimate(data_dir, "ja")["person_days"]))
    yen = cli_estimate(data_dir, "ja", str((Decimal("999999999") / Decimal("1.1") / days).to_integral(ROUND_FLOOR)))
    dollars = cli_estimate(data_dir, "en", str((Decimal("9999999.99") / days).quantize(Decimal("0.01"), ROUND_FLOOR)))
    assert len(str(int(yen["total"]))) == 9 and len(str(int(dollars["total"]))) == 7
    for width in (1280, 1400):
        context = browser.new_context(viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            for project, lang in ((yen, "ja"), (dollars, "en")):
                page.goto(f"{base_url}/estimate?project={project['project_id']}&lang={lang}")
                wait_idle(page)
                page.screenshot(path=str(tmp_path / f"headline_{width}_{lang}.png"))
                figures = page.evaluate(METRIC_OVERFLOW)
                total = t("estimate.metric.total", lang)
                assert len(figures) == 5, figures
                assert not [figure for figure in figures if figure["cut"]], (width, lang, figures)
                shown = page.locator('[data-testid="stMetric"]').filter(has_text=total).last
                value = shown.locator('[data-testid="stMetricValue"]').inner_text().replace(",", "")
                assert str(Decimal(str(project["total"])).quantize(Decimal("1" if lang == "ja" else "0.01"))) in value
        finally:
            context.close()


def listed_projects(data_dir: Path) -> dict[int, dict[str, Any]]:
    listed = json.loads(run_cli("list", "--json", env={"DATA_DIR": str(data_dir)}).stdout)
    return {project["id"]: project for project in listed}


def deleted_quote_number_is_not_reissued(browser: Any, base_url: str, data_dir: Path, tmp_path: Path) -> None:
    """Delete the project holding the newest quote number, create one: it gets a number never issued before."""
    before = listed_projects(data_dir)
    newest = before[max(before)]
    issued = {project["quote_number"] for project in before.values()}
    context = browser.new_context(viewport={"width": 1440, "height": 1300})
    try:
        walk = Walk(context.new_page(), "ja", tmp_path / "quote_numbers")
        walk.page.goto(base_url)
        wait_idle(walk.page)
        walk.click(f"delete_{newest['id']}")
        walk.click(f"yes_{newest['id']}")
        walk.expect_text(walk.text("projects.deleted", title=newest["title"], quote_number=newest["quote_number"]))
        walk.shot("deleted")
        create_project(walk, "削除の後")
        walk.shot("created_after_delete")
    finally:
        context.close()
    [created] = [project for project in listed_projects(data_dir).values() if project["title"] == "削除の後"]
    assert created["quote_number"] not in issued
    assert created["quote_number"] > newest["quote_number"]
    assert created["id"] > newest["id"], "a link to the deleted project cannot open the new one"


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
            headline_amounts_fit(browser, base_url, data_dir, tmp_path)
            deleted_quote_number_is_not_reissued(browser, base_url, data_dir, tmp_path)
        finally:
            browser.close()
