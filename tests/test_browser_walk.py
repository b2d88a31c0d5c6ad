"""The whole walk in real Chromium against ./run.sh, in Japanese and in English.

Create a project → upload the legacy sample → accept → save → generate questions →
answer one → generate the estimate → one chat request → apply a proposal → download
the quote, whose total (recomputed from its lines as the money rules say) must equal
the total on the page and the stored version's. Every step is screenshotted under the
test's folder and no page may show a Streamlit exception box.
"""

from __future__ import annotations

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
    launch,
    nav_titles,
    run_walk,
    wait_idle,
)
from tests.conftest import missing

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
