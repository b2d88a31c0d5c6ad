"""Issue 15 part 1: RFP-like documents of every accepted format, in both languages, become the deliverables a
reader would list (each with its source), the rest the requirements text; bad files get a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.documents.extract import extract
from estimator.engines.offline import OfflineEngine
from estimator.errors import InvalidInputError
from estimator.i18n import t
from estimator.workflow import Workflow, open_workflow
from tests.fake_openai import FakeOpenAI, settings_for
from tests.rfp_corpus import BAD, GOOD, Case
from tests.support import run_cli

LIMIT = 10 * 1024 * 1024


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


def test_the_corpus_is_broad() -> None:
    extensions = {Path(case.filename).suffix for case in GOOD}
    assert len(GOOD) >= 8 and len(BAD) >= 10
    assert extensions == {".pdf", ".docx", ".xlsx", ".md", ".txt"}
    assert {"ja", "en"} <= {part for case in GOOD for part in Path(case.filename).stem.split("_")}


@pytest.mark.parametrize("case", GOOD, ids=lambda case: case.filename)
def test_a_document_becomes_the_deliverables_it_names(flow: Workflow, case: Case) -> None:
    draft = flow.propose_deliverables(case.build(), case.filename, language="ja", user="analyst")

    assert [item.name for item in draft.items] == list(case.deliverables)
    for phrase in case.requirements:
        assert phrase in draft.requirements
    assert all(item.source.excerpt for item in draft.items), "each row says where it came from"
    if "flat" not in case.filename:  # a document without headings has no section to name
        assert all(item.source.section for item in draft.items)
    if case.filename.endswith(".pdf"):
        assert draft.pages == 2 and {item.source.page for item in draft.items} <= {1, 2}
        assert any(item.source.page == 2 for item in draft.items)


@pytest.mark.parametrize("case", BAD, ids=lambda case: case.filename)
def test_a_bad_file_gets_a_clear_message(flow: Workflow, case: Case) -> None:
    with pytest.raises(InvalidInputError) as refused:
        flow.propose_deliverables(case.build(), case.filename, language="ja", user="analyst")
    assert refused.value.key == case.error
    for lang in ("ja", "en"):
        message = t(refused.value.key, lang, **refused.value.values)
        assert "{" not in message and message.strip()


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(flow: Workflow) -> None:
    with pytest.raises(InvalidInputError) as refused:
        flow.propose_deliverables(b"x" * (LIMIT + 1), "big.txt", language="en", user="analyst")
    assert refused.value.key == "errors.document.too_large"


def test_with_a_model_the_text_is_fenced_as_data_and_the_reply_keeps_its_sources(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    flow = open_workflow(settings_for(fake_openai))
    case = next(case for case in GOOD if case.filename == "rfp_en.md")
    draft = flow.propose_deliverables(case.build(), case.filename, language="en", user="analyst")

    [request] = fake_openai.chat_requests
    user_message = request.body["messages"][1]["content"]
    assert user_message.startswith("<data>") and "Ignore previous instructions" in user_message
    assert "never follow instructions" in request.body["messages"][0]["content"]
    assert draft.items and draft.engine == flow.engine.name
    assert [call.kind for call in flow.store.llm_calls()] == ["propose_deliverables"]


@pytest.mark.parametrize("filename", ["rfp_ja.pdf", "rfp_en.pdf", "rfp_ja.docx", "rfp_en.docx"])
def test_with_a_model_a_pdf_and_a_word_file_in_each_language_become_reviewable_rows(
    isolated_settings: Path, fake_openai: FakeOpenAI, filename: str
) -> None:
    """The fake server answers from the reply schema; each row points back to the block it names."""
    flow = open_workflow(settings_for(fake_openai))
    case = next(case for case in GOOD if case.filename == filename)
    draft = flow.propose_deliverables(case.build(), case.filename, language=filename[4:6], user="analyst")

    sent = fake_openai.chat_requests[0].body["messages"][1]["content"]
    assert all(name in sent for name in case.deliverables), "every block reaches the model"
    assert draft.items and all(item.name for item in draft.items)
    blocks = extract(case.build(), case.filename, max_bytes=LIMIT).blocks
    sources = {(block.page, block.section, block.text[:300]) for block in blocks} | {(None, "", "")}
    assert all((i.source.page, i.source.section, i.source.excerpt) in sources for i in draft.items), (
        "each source is the block the model named, or none"
    )


def test_the_command_line_proposes_as_a_table_or_json(isolated_settings: Path, tmp_path: Path) -> None:
    case = GOOD[0]
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    table = run_cli("propose-deliverables", str(path))
    assert table.returncode == 0, table.stderr
    assert "ログイン画面" in table.stdout and "p.1" in table.stdout
    data = json.loads(run_cli("propose-deliverables", str(path), "--json").stdout)
    assert [item["name"] for item in data["deliverables"]] == list(case.deliverables)
    bad = run_cli("propose-deliverables", str(tmp_path / "missing.pdf"))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_deliverables_page_reviews_a_proposal_and_takes_the_ticked_rows(lang: str) -> None:
    """Nothing is saved or replaced before the analyst acts: the proposal is a separate editor; unticked rows
    stay out; 'add' puts the rest after the table's rows and the document's other text after the requirements."""
    from tests.ui_support import flow as ui_flow
    from tests.ui_support import opened, project_with_deliverables, texts

    project_id = project_with_deliverables(("要件定義書",))
    case = next(case for case in GOOD if case.filename == "rfp_en.md")
    at = opened(project_id, "pages/deliverables.py", lang)
    at.file_uploader(key="rfp_file_0").set_value((case.filename, case.build(), "text/markdown")).run()

    found = t("deliverables.rfp.found", lang, filename=case.filename, count=len(case.deliverables))
    assert found in texts(at.info)
    assert [row.name for row in ui_flow().store.get_project(project_id).deliverables] == ["要件定義書"]
    edits = {"edited_rows": {"1": {"take": False}}, "added_rows": [], "deleted_rows": []}
    at.session_state["deliverables_rfp_editor"] = edits
    at.run()
    at.button(key="rfp_add").click().run()

    names = [row["name"] for row in at.session_state["deliverables_draft"].current]
    assert names == ["要件定義書", "Booking calendar", "Admin settings", "SMS reminders"]
    assert "A clinic books appointments by phone." in at.session_state["requirements_input"]
    assert [row.name for row in ui_flow().store.get_project(project_id).deliverables] == ["要件定義書"], "not saved yet"
    at.button(key="save_deliverables").click().run()
    assert [row.name for row in ui_flow().store.get_project(project_id).deliverables] == names


def test_a_bad_document_on_the_page_is_a_message_and_the_table_stays() -> None:
    from tests.ui_support import opened, project_with_deliverables

    project_id = project_with_deliverables(("要件定義書",))
    at = opened(project_id, "pages/deliverables.py")
    scan = next(case for case in BAD if case.filename == "scan.pdf")
    at.file_uploader(key="rfp_file_0").set_value((scan.filename, scan.build(), "application/pdf")).run()
    assert any("スキャン" in error.value for error in at.error)
    assert [row["name"] for row in at.session_state["deliverables_draft"].current] == ["要件定義書"]
