"""A request the rules understand only in part is never half-done silently.

Offline, the understood parts are proposed and the reply (and the proposal card) says which
part was not handled; with a model configured, the whole request goes to the model. A unit
cost finer than the currency's minor unit is refused with a clear message.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.errors import EngineError
from estimator.i18n import t
from estimator.rules.reading import read_request, request_parts
from estimator.schemas import Deliverable
from estimator.workflow import Workflow, open_workflow
from tests.fake_openai import FakeOpenAI, settings_for
from tests.fake_openai import answer as fake_answer
from tests.offline_samples import ADMIN_SCREEN, SAMPLES
from tests.support import run_cli

USER = "analyst"


def estimated(flow: Workflow, lang: str) -> int:
    """A project of the sample plus an admin screen, estimated by the offline engine."""
    offline = Workflow(flow.store, OfflineEngine(), flow.settings)
    project = offline.create_project(replace(offline.project_defaults(lang), title="partial"), user=USER)
    rows = [*SAMPLES[lang], ADMIN_SCREEN[lang]]
    items = [Deliverable(name=name, description=text) for name, text in rows]
    project = offline.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    offline.generate_estimate(project.id, expected_row_version=project.row_version, user=USER)
    return project.id


@pytest.fixture
def flow(isolated_settings: Path) -> Workflow:
    return open_workflow(load_settings(), engine=OfflineEngine())


@pytest.mark.parametrize(
    ("request_text", "parts"),
    [
        ("make the admin screens simpler and add a CSV export", ["make the admin screens simpler", "add a CSV export"]),
        ("drop the user manual and add a 10 % buffer", ["drop the user manual", "add a 10 % buffer"]),
        ("cut testing by 20%, then set the day rate to 450", ["cut testing by 20%", "set the day rate to 450"]),
        ("管理画面をシンプルにして、CSV出力を追加して", ["管理画面をシンプルにして", "CSV出力を追加して"]),
        ("テストを20%削減。それと単価を5万円に", ["テストを20%削減", "単価を5万円に"]),
        ("ログイン画面、管理画面を外して", ["ログイン画面、管理画面を外して"]),
        ("remove the login and admin screens", ["remove the login and admin screens"]),
        ("あと30万円ほど安くする案を教えてください。お願いします", ["あと30万円ほど安くする案を教えてください"]),
    ],
)
def test_requests_are_split_where_a_new_action_starts(request_text: str, parts: list[str]) -> None:
    assert request_parts(request_text) == parts


def test_the_reading_says_what_was_not_understood() -> None:
    reading = read_request("make the admin screens simpler and add a CSV export")
    assert [part for part, _ in reading.understood] == ["make the admin screens simpler"]
    assert reading.missed == ["add a CSV export"]


def test_offline_a_half_understood_request_says_which_part_was_not_handled(flow: Workflow) -> None:
    project_id = estimated(flow, "en")
    rows = flow.propose_adjustment(
        project_id, "make the admin screens simpler and add a CSV export", user=USER
    ).proposals

    assert len(rows) == 1
    note = t("workflow.not_handled", "en", parts="“add a CSV export”")
    assert note in rows[0].reason
    assert note in flow.store.list_messages(project_id)[-1].content
    changed = [change.deliverable for change in flow.preview(project_id, rows[0]).changes]
    assert changed == ["Admin Screen"]


def test_offline_every_understood_part_lands_in_one_proposal(flow: Workflow) -> None:
    project_id = estimated(flow, "en")
    rows = flow.propose_adjustment(project_id, "drop the user manual and add a 10 % buffer", user=USER).proposals

    assert len(rows) == 1
    kinds = [operation.kind for operation in rows[0].operations]
    assert kinds == ["remove_line", "add_risk_buffer"]
    assert "Not handled" not in rows[0].reason
    after = flow.preview(project_id, rows[0]).after
    names = [item.line.deliverable for item in after.lines]
    assert "User Manual" not in names and after.lines[-1].line.kind.value == "risk_buffer"


def test_offline_nothing_applicable_is_refused_naming_the_parts(flow: Workflow) -> None:
    project_id = estimated(flow, "ja")
    with pytest.raises(EngineError) as refused:
        flow.propose_adjustment(project_id, "存在しない画面を外して、CSV出力を追加して", user=USER)
    assert refused.value.key in ("errors.engine.unknown_target", "errors.engine.not_applicable")
    assert flow.store.pending_proposals(project_id) == []


def test_with_a_model_a_half_understood_request_goes_to_the_model_whole(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    flow = open_workflow(settings_for(fake_openai))
    project_id = estimated(flow, "en")
    fake_openai.reset()
    request = "drop the user manual and add a CSV export"
    csv = {"n": "CSV export", "t": "other", "d": [0, 0, 0, 2, 0, 0, 0], "o": 1, "p": 3, "r": "", "a": [], "k": []}
    both = [_op("remove_line", line="User Manual"), _op("add_line", new_line=csv)]
    fake_openai.script(fake_answer({"ps": [{"title": "Drop and add", "reason": "", "ops": both}]}))
    rows = flow.propose_adjustment(project_id, request, user=USER).proposals

    assert len(fake_openai.chat_requests) >= 1
    assert request in json.dumps(fake_openai.chat_requests[0].body, ensure_ascii=False)
    assert rows and all(row.engine == flow.engine.name for row in rows)


@pytest.mark.parametrize(("lang", "request_text"), [("ja", "単価を40000.555円に"), ("en", "day rate to $450.555")])
def test_a_unit_cost_finer_than_the_currency_is_refused_clearly(flow: Workflow, lang: str, request_text: str) -> None:
    project_id = estimated(flow, lang)
    with pytest.raises(EngineError) as refused:
        flow.propose_adjustment(project_id, request_text, user=USER)
    message = t(refused.value.key, lang, **refused.value.values)
    assert "40000.555" in message or "450.555" in message
    assert "{" not in message


def test_cli_adjust_with_a_fractional_yen_unit_cost_is_a_message_not_a_traceback(isolated_settings: Path) -> None:
    flow = open_workflow(load_settings(), engine=OfflineEngine())
    project_id = estimated(flow, "ja")
    result = run_cli("adjust", str(project_id), "単価を40000.555円に", "--apply", "1")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert "40000.555" in result.stderr
    assert flow.store.get_version(project_id).number == 1


def _op(kind: str, **fields: object) -> dict[str, object]:
    empty = {"line": None, "phase": None, "factor": None, "person_days": None, "unit_cost": None, "percent": None}
    return {"kind": kind, **empty, "new_line": None, **fields}


def test_with_a_model_the_parsed_part_is_sent_and_binds_the_models_proposals(
    isolated_settings: Path, fake_openai: FakeOpenAI
) -> None:
    """Issue 14: the model gets what the rules read (「理解した内容」) with the request, and its proposals pass
    the same check: one that removes another manual than the one named is never offered."""
    flow = open_workflow(settings_for(fake_openai))
    project_id = estimated(flow, "ja")
    fake_openai.reset()
    csv = {"n": "CSV出力", "t": "other", "d": [0, 0, 0, 2, 0, 0, 0], "o": 1, "p": 3, "r": "", "a": [], "k": []}
    add = _op("add_line", new_line=csv)
    wrong = {"title": "別のマニュアルを外す", "reason": "", "ops": [_op("remove_line", line="運用マニュアル"), add]}
    right = {"title": "外してCSV追加", "reason": "", "ops": [_op("remove_line", line="ユーザーマニュアル"), add]}
    fake_openai.script(fake_answer({"ps": [wrong, right]}))
    turn = flow.propose_adjustment(project_id, "ユーザーマニュアルを外して、CSV出力を追加して", user=USER)

    sent = json.dumps(fake_openai.chat_requests[-1].body, ensure_ascii=False)
    assert "ユーザーマニュアルを見積りから外す" in sent, "the parsed part goes to the model"
    assert [row.title for row in turn.proposals] == ["外してCSV追加"]
    assert turn.proposals[0].understood.startswith("ユーザーマニュアルを見積りから外す")
