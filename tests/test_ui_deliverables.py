"""Deliverables page: editing the table, saving, refusals that keep the input, upload and accept, templates."""

from __future__ import annotations

from dataclasses import replace

from estimator.i18n import t
from tests.conftest import SAMPLES
from tests.ui_support import flow, labelled, opened, project_with_deliverables, texts

EDITOR = "deliverables_editor"


def _blank() -> int:
    workflow = flow()
    return workflow.create_project(replace(workflow.project_defaults("ja"), title="表の編集"), user="local").id


def stored_names(project_id: int) -> list[str]:
    return [row.name for row in flow().store.get_project(project_id).deliverables]


def test_rows_typed_added_and_reordered_are_saved_in_order() -> None:
    project_id = _blank()
    at = opened(project_id, "pages/deliverables.py")
    at.session_state[EDITOR] = {
        "edited_rows": {},
        "added_rows": [
            {"order": 2, "name": "ログイン画面", "description": "ID とパスワード"},
            {"order": 1, "name": "要件定義書"},
            {"order": 3, "name": "結合テスト"},
        ],
        "deleted_rows": [],
    }
    at.run()
    assert texts(at.warning) == [t("deliverables.unsaved", "ja")]
    at.button(key="save_deliverables").click().run()

    assert not at.exception and not at.error
    assert stored_names(project_id) == ["要件定義書", "ログイン画面", "結合テスト"]
    assert flow().store.get_project(project_id).deliverables[1].description == "ID とパスワード"
    assert t("deliverables.saved", "ja", count=3) in texts(at.success)


def test_editing_and_deleting_saved_rows() -> None:
    project_id = project_with_deliverables(("A", "B", "C"))
    at = opened(project_id, "pages/deliverables.py")
    at.session_state[EDITOR] = {"edited_rows": {0: {"name": "A2"}}, "added_rows": [], "deleted_rows": [1]}
    at.run()
    at.button(key="save_deliverables").click().run()

    assert stored_names(project_id) == ["A2", "C"]


def test_an_empty_name_is_refused_and_the_table_keeps_what_was_typed() -> None:
    project_id = _blank()
    at = opened(project_id, "pages/deliverables.py")
    at.session_state[EDITOR] = {
        "edited_rows": {},
        "added_rows": [{"name": "要件定義書"}, {"description": "名前のない行"}],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="save_deliverables").click().run()

    assert texts(at.error) == [t("errors.input.empty_name", "ja", row=2)]
    assert stored_names(project_id) == []
    draft = at.session_state["deliverables_draft"]
    assert [(row["name"], row["description"]) for row in draft.current] == [("要件定義書", ""), ("", "名前のない行")]
    at.switch_page("pages/projects.py").run()
    at.switch_page("pages/deliverables.py").run()
    assert [row["name"] for row in at.session_state["deliverables_draft"].current] == ["要件定義書", ""]


def test_saving_no_rows_is_refused_in_english() -> None:
    project_id = _blank()
    at = opened(project_id, "pages/deliverables.py", "en")
    at.button(key="save_deliverables").click().run()

    assert texts(at.error) == [t("errors.input.no_deliverables", "en")]
    assert texts(at.title) == [t("deliverables.title", "en")]


def test_a_stale_save_shows_the_message_keeps_the_input_and_can_overwrite() -> None:
    project_id = project_with_deliverables(("A", "B"))
    at = opened(project_id, "pages/deliverables.py")
    at.session_state[EDITOR] = {"edited_rows": {}, "added_rows": [{"name": "C"}], "deleted_rows": []}
    at.run()
    workflow = flow()
    other = workflow.store.get_project(project_id)
    workflow.store.update_project(project_id, expected_row_version=other.row_version, client="別タブ")

    at.button(key="save_deliverables").click().run()
    assert texts(at.error) == [t("errors.stale_write", "ja", project=project_id)]
    assert stored_names(project_id) == ["A", "B"]
    assert [row["name"] for row in at.session_state["deliverables_draft"].current] == ["A", "B", "C"]

    at.button(key="stale_overwrite").click().run()
    assert stored_names(project_id) == ["A", "B", "C"]


def test_upload_shows_row_problems_and_accepting_takes_the_valid_rows() -> None:
    project_id = project_with_deliverables(("古い行",))
    at = opened(project_id, "pages/deliverables.py")
    data = "成果物名称,説明\n要件定義書,全体の要件\n,名前なし\n設計書,画面とDB\n".encode()
    at.file_uploader[0].set_value(("list.csv", data, "text/csv")).run()

    assert texts(at.warning) == [t("deliverables.upload.problems", "ja", count=1)]
    assert at.dataframe, "the problem rows are listed"
    assert stored_names(project_id) == ["古い行"], "nothing is replaced before accepting"
    at.button(key="upload_accept").click().run()

    assert [row["name"] for row in at.session_state["deliverables_draft"].current] == ["要件定義書", "設計書"]
    assert t("deliverables.upload.accepted", "ja", count=2) in texts(at.success)
    at.button(key="save_deliverables").click().run()
    assert stored_names(project_id) == ["要件定義書", "設計書"]


def test_upload_of_the_legacy_sample_then_cancel_keeps_the_table() -> None:
    project_id = project_with_deliverables(("古い行",))
    at = opened(project_id, "pages/deliverables.py")
    at.file_uploader[0].set_value(
        ("legacy_sample_input.xlsx", (SAMPLES / "legacy_sample_input.xlsx").read_bytes(), "application/octet-stream")
    ).run()
    assert t("deliverables.upload.found", "ja", filename="legacy_sample_input.xlsx", count=13) in texts(at.info)

    at.button(key="upload_cancel").click().run()
    assert [row["name"] for row in at.session_state["deliverables_draft"].current] == ["古い行"]
    assert "deliverables_upload" not in at.session_state


def test_a_file_that_is_not_a_table_is_refused_in_the_users_language() -> None:
    project_id = _blank()
    at = opened(project_id, "pages/deliverables.py")
    at.file_uploader[0].set_value(
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "application/vnd.ms-excel")
    )
    at.run()

    assert texts(at.error) == [t("errors.import.xls_unsupported", "ja")]


def test_a_template_is_inserted_into_the_requirements_and_saved() -> None:
    project_id = project_with_deliverables(("A",))
    at = opened(project_id, "pages/deliverables.py")
    labelled(at.selectbox, t("deliverables.template.label", "ja")).set_value("api").run()
    at.button(key="insert_template").click().run()

    template = t("deliverables.template.api.text", "ja")
    assert at.text_area(key="requirements_input").value == template
    at.button(key="save_deliverables").click().run()
    assert flow().store.get_project(project_id).system_requirements == template
