"""Real Chromium against the app that ./run.sh serves, for the browser walk and the UI benchmark.

The server runs in its own process group on a free loopback port with its own data
folder and no API key, so it is the offline engine; it is stopped by its group id.
Streamlit marks its root element with `data-test-script-state`; "notRunning" after
a script run is the signal that the page is drawn and idle.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pypdf

from estimator.excel.quote import QUOTE_HEADER_ROW
from estimator.i18n import t
from estimator.money import line_amount, totals
from tests.conftest import SAMPLES
from tests.legacy_support import japanese_task, legacy_db
from tests.rfp_corpus import EN_LINES, EN_NAMES, JA_LINES, JA_NAMES
from tests.rfp_corpus import pdf as rfp_pdf
from tests.support import MACHINE_SETTINGS, ROOT, run_cli

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
    env = {name: value for name, value in os.environ.items() if not name.startswith(MACHINE_SETTINGS)}
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


NAV_KEYS = (
    "nav.projects",
    "nav.deliverables",
    "nav.questions",
    "nav.estimate",
    "nav.adjust",
    "nav.actuals",
    "nav.accuracy",
    "nav.usage",
)
QUESTIONS = {"ja": "テストを減らしたら品質は大丈夫？", "en": "is a 10 % buffer normal?"}
UNSURE = {"ja": "テストを10%", "en": "testing 10%"}


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


def create_project(walk: Walk, title: str) -> None:
    """Fill the new-project form on the projects page (in the walk's language) and land on the deliverables."""
    page = walk.page
    new_project = page.locator('[data-testid="stExpander"]').filter(has_text=walk.text("projects.new")).first
    if not new_project.get_by_label(walk.text("projects.field.title")).is_visible():
        new_project.locator("summary").click()
    new_project.get_by_text(t(f"lang.{walk.lang}", walk.lang), exact=True).click()
    wait_idle(page)
    new_project.get_by_label(walk.text("projects.field.title")).fill(title)
    new_project.get_by_label(walk.text("projects.field.client")).fill("ACME")
    new_project.get_by_role("button", name=walk.text("projects.create")).click()
    walk.expect_text(walk.text("deliverables.intro"))


def reload_keeps_place(walk: Walk, title: str, heading_key: str) -> None:
    """A browser reload reopens the same project, page and language from the URL."""
    walk.page.reload()
    wait_idle(walk.page)
    assert "project=" in walk.page.url and f"lang={walk.lang}" in walk.page.url, walk.page.url
    assert nav_titles(walk.page) == [walk.text(key) for key in NAV_KEYS], "the language survives a reload"
    sidebar = walk.page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text(title, exact=True).count() == 1, "the open project survives a reload"
    walk.page.get_by_role("heading", name=walk.text(heading_key)).first.wait_for()
    assert walk.page.get_by_text(walk.text("nav.choose_project_first")).count() == 0


def quick_risk_buffer(walk: Walk, percent: int) -> None:
    """The risk-buffer quick action, then apply its proposal."""
    page = walk.page
    page.get_by_role("tab", name=walk.text("adjust.quick.risk")).click()
    panel = page.locator('[role="tabpanel"]:visible').filter(
        has=page.get_by_label(walk.text("adjust.quick.risk_label"))
    )
    panel.get_by_label(walk.text("adjust.quick.risk_label")).fill(str(percent))
    panel.get_by_role("button", name=walk.text("adjust.quick.propose")).click()
    wait_idle(page)
    walk.expect_text(walk.text("offline.adjust.title.risk_buffer", percent=percent))
    apply_buttons = page.locator('[class*="st-key-apply_"] button')
    assert apply_buttons.count() == 1, "the risk buffer is the one pending proposal"
    apply_buttons.first.click()
    walk.expect_text(walk.text("adjust.proposals.none"))


EXPONENT = re.compile(r"\d(?:\.\d+)?E[+-]?\d", re.IGNORECASE)


def workbook_texts(path: Path) -> list[str]:
    """Every cell's text in every sheet of a workbook."""
    book = openpyxl.load_workbook(path)
    return [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value]


def rfp_proposal_reviewed(walk: Walk, downloads: Path) -> None:
    """An RFP (a PDF made for the test) proposes its deliverables in their own editor, the saved list untouched;
    discarding the proposal leaves the table as it was."""
    page = walk.page
    section = walk.keyed("rfp_section")
    section.locator("summary").click()
    wait_idle(page)
    names = JA_NAMES if walk.lang == "ja" else EN_NAMES
    document = downloads / f"rfp_{walk.lang}.pdf"
    document.write_bytes(rfp_pdf(JA_LINES if walk.lang == "ja" else EN_LINES))
    section.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(document))
    walk.expect_text(walk.text("deliverables.rfp.found", filename=document.name, count=len(names)), timeout=60_000)
    walk.shot("rfp_proposed")
    walk.click("rfp_discard")
    assert page.get_by_text(walk.text("deliverables.rfp.found", filename=document.name, count=len(names))).count() == 0


def legacy_import_listed(walk: Walk, base_url: str, data_dir: Path, downloads: Path) -> None:
    """A legacy app.db imported with the command line shows up in the project list, estimate and all."""
    app_db = legacy_db(downloads / f"app_{walk.lang}.db", [japanese_task()])
    result = run_cli("import-legacy", str(app_db), env={"DATA_DIR": str(data_dir)})
    assert result.returncode == 0, result.stderr
    walk.page.goto(base_url)
    wait_idle(walk.page)
    walk.expect_text(t("legacy.title", "ja", name="legacy_sample_input"))  # the task's language, not the UI's
    walk.shot("legacy_imported")


def second_upload_appends(walk: Walk) -> None:
    """A second file on a saved list: the upload section stays open and asks to replace or append."""
    page = walk.page
    section = walk.keyed("upload_section")
    dropzone = section.locator('[data-testid="stFileUploaderDropzone"]')
    if not dropzone.is_visible():
        section.locator("summary").click()
        wait_idle(page)
    section.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLES / "legacy_sample_input.csv")
    )
    walk.expect_text(walk.text("deliverables.upload.replace_or_append", count=13))
    assert dropzone.is_visible(), "the section stays open"
    walk.shot("second_upload")
    walk.click("upload_append")
    walk.expect_text(walk.text("deliverables.upload.appended", count=3, skipped=6))
    walk.click("save_deliverables")
    walk.expect_text(walk.text("deliverables.saved", count=16))
    walk.shot("second_upload_saved")


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
    page.reload()
    wait_idle(page)
    assert nav_titles(page) == [walk.text(key) for key in NAV_KEYS], "the language survives a reload"

    title = f"Walk {lang}"
    create_project(walk, title)
    walk.shot("deliverables_empty")

    walk.keyed("upload_section").locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
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
    rfp_proposal_reviewed(walk, downloads)
    reload_keeps_place(walk, title, "deliverables.title")

    walk.go("nav.questions")
    walk.click("generate_questions")
    answers = page.locator('[class*="st-key-answer_"] input')
    answers.first.wait_for()
    walk.shot("questions")
    reload_keeps_place(walk, title, "questions.title")
    answers.first.wait_for()
    answers.first.fill("5")
    answers.first.press("Enter")
    wait_idle(page)
    walk.click("answers_to_estimate")
    walk.expect_text(walk.text("estimate.metric.subtotal"))
    walk.shot("estimate")
    reload_keeps_place(walk, title, "estimate.title")
    page.get_by_role("tab", name=walk.text("estimate.tab.chart")).click()
    walk.shot("estimate_chart")

    walk.go("nav.adjust")
    chat = page.locator('[data-testid="stChatInputTextArea"]')
    chat.fill(QUESTIONS[lang])
    chat.press("Enter")
    walk.expect_text(walk.text("chat.answer.how_to_change"))
    walk.shot("question_answered")
    chat.fill(UNSURE[lang])
    chat.press("Enter")
    choices = page.locator('[class*="st-key-adjust_choice_"]')
    choices.first.wait_for()
    wait_idle(page)
    assert choices.count() == 2, "down or up: a clarifying question with two choices"
    walk.shot("clarifying_choices")
    choices.first.locator("button").first.click()
    apply_buttons = page.locator('[class*="st-key-apply_"] button')
    apply_buttons.first.wait_for()
    walk.expect_text(walk.text("adjust.proposals.understood"))
    walk.shot("proposals")
    apply_buttons.first.click()
    walk.expect_text(walk.text("adjust.proposals.none"))
    walk.shot("applied")
    quick_risk_buffer(walk, 10)
    walk.shot("risk_buffer_applied")
    reload_keeps_place(walk, title, "adjust.title")

    walk.go("nav.estimate")
    shown_total = amount_of(walk.metric(walk.text("estimate.metric.total")))
    with page.expect_download() as info:
        walk.click("download_quote")
    download = info.value
    saved = downloads / download.suggested_filename
    download.save_as(saved)
    assert saved.suffix == ".xlsx"
    with page.expect_download() as info:
        walk.click("download_quote_pdf")
    pdf = downloads / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.suffix == ".pdf" and pdf.stem == saved.stem
    pdf_text = "\n".join(page_.extract_text() for page_ in pypdf.PdfReader(pdf).pages)
    assert walk.metric(walk.text("estimate.metric.total")) in pdf_text, "the PDF's total is the page's"
    walk.shot("estimate_after_adjust")
    page.get_by_role("tab", name=walk.text("estimate.tab.versions")).click()
    walk.expect_text(walk.text("estimate.compare.title"))
    walk.shot("versions")
    walk.go("nav.usage")
    walk.expect_text(walk.text("usage.settings.title"))
    walk.shot("usage")
    reload_keeps_place(walk, title, "usage.title")

    projects = json.loads(run_cli("list", "--json", env={"DATA_DIR": str(data_dir)}).stdout)
    project = next(p for p in projects if p["title"] == title)
    stored = json.loads(run_cli("show", str(project["id"]), "--json", env={"DATA_DIR": str(data_dir)}).stdout)
    assert stored["version"] == 3 and stored["origin"] == "adjusted"
    assert Decimal(str(stored["total"])) == shown_total
    assert workbook_total(saved, project["currency"], "floor") == shown_total
    texts = workbook_texts(saved)
    assert walk.text("offline.adjust.risk_buffer_line", percent=10) in texts
    assert not [text for text in texts if EXPONENT.search(text)], "no exponent in the quote"

    walk.go("nav.deliverables")
    second_upload_appends(walk)
    walk.go("nav.estimate")
    walk.expect_text(walk.text("estimate.stale.notice", version=3))
    walk.shot("estimate_stale")
    legacy_import_listed(walk, base_url, data_dir, downloads)
