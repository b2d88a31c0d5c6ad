"""Issue 11 items 7, 9 and 11 on the Deliverables page: a second upload asks to replace or
append; the uploader states its types and limit in the user's language and accepts exactly
what the reader reads; a new grid row starts empty, not "None"."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from estimator.errors import InvalidInputError
from estimator.i18n import Phrase, t
from estimator.schemas import UPLOAD_TYPES
from tests.conftest import SAMPLES
from tests.ui_support import flow, opened, project_with_deliverables, texts

CSV = "成果物名称,説明\n要件定義書,重複する名前\n設計書,画面とDB\n".encode()


def draft_names(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["name"] for row in at.session_state["deliverables_draft"].current]


def test_a_second_upload_asks_and_append_keeps_the_rows_and_skips_names_already_there() -> None:
    project_id = project_with_deliverables(("要件定義書", "ログイン画面"))
    at = opened(project_id, "pages/deliverables.py")
    at.file_uploader[0].set_value(("more.csv", CSV, "text/csv")).run()

    assert t("deliverables.upload.replace_or_append", "ja", count=2) in texts(at.info)
    rows = Phrase("units.rows", {"count": 2})
    assert at.button(key="upload_accept").label == t("deliverables.upload.replace", "ja", count=2, rows=rows)
    assert at.button(key="upload_accept").label == "表の 2 行を 2 件で置き換える"
    at.button(key="upload_append").click().run()

    assert draft_names(at) == ["要件定義書", "ログイン画面", "設計書"]
    assert t("deliverables.upload.appended", "ja", count=1, skipped=1) in texts(at.success)
    at.button(key="save_deliverables").click().run()
    assert [row.name for row in flow().store.get_project(project_id).deliverables] == draft_names(at)


def test_a_second_upload_replaces_only_when_asked() -> None:
    project_id = project_with_deliverables(("古い行",))
    at = opened(project_id, "pages/deliverables.py")
    at.file_uploader[0].set_value(("new.csv", CSV, "text/csv")).run()
    at.button(key="upload_accept").click().run()

    assert draft_names(at) == ["要件定義書", "設計書"]


def test_a_first_upload_has_nothing_to_append_to() -> None:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults("en"), title="Empty"), user="local")
    at = opened(project.id, "pages/deliverables.py", lang="en")
    at.file_uploader[0].set_value(("new.csv", CSV, "text/csv")).run()

    assert at.button(key="upload_accept").label == t("deliverables.upload.accept", "en", count=2)
    assert not [button for button in at.button if button.key == "upload_append"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_uploader_states_exactly_the_types_it_reads_and_its_limit_in_the_users_language(lang: str) -> None:
    at = opened(project_with_deliverables(), "pages/deliverables.py", lang=lang)
    types = ", ".join(f".{extension}" for extension in UPLOAD_TYPES)

    assert t("deliverables.upload.limits", lang, types=types, limit_mb=10) in texts(at.caption)
    styles = "".join(element.proto.body for element in at.get("html"))
    assert json.dumps(t("deliverables.upload.browse", lang), ensure_ascii=False) in styles
    assert "stFileUploaderDropzoneInstructions" in styles


def test_every_advertised_type_is_read_and_others_are_refused_with_a_message() -> None:
    workflow = flow()
    readable = {
        "csv": "成果物名称,説明\nA,a\n".encode(),
        "xlsx": (SAMPLES / "legacy_sample_input.xlsx").read_bytes(),
    }
    assert set(readable) == set(UPLOAD_TYPES)
    for extension, data in readable.items():
        assert workflow.read_upload(data, f"list.{extension}", lang="ja").deliverables
    for extension in ("txt", "tsv", "xlsm", "xls", "pdf"):
        with pytest.raises(InvalidInputError) as refused:
            workflow.read_upload(b"name\tdescription\nA\ta\n", f"list.{extension}", lang="en")
        assert "{" not in t(refused.value.key, "en", **refused.value.values)


def test_a_txt_upload_gets_a_message_in_the_users_language() -> None:
    at = opened(project_with_deliverables(), "pages/deliverables.py", lang="en")
    at.file_uploader[0].set_value(("list.txt", b"name,description\nA,a\n", "text/plain")).run()

    assert texts(at.error) == [t("errors.import.unsupported_type", "en", filename="list.txt")]


def test_new_grid_rows_start_empty_and_numbered_next() -> None:
    at = opened(project_with_deliverables(("A", "B")), "pages/deliverables.py")
    config = json.loads(at.dataframe[0].proto.columns)

    assert config["name"]["default"] == "" and config["description"]["default"] == ""
    assert config["order"]["default"] == 3
