"""The command-line walk of issue 13's "done when": five projects estimated, moved to 完了 with actuals imported
from a CSV whose screens took 1.5× their estimates; the next project's screen lines are calibrated above 1 and
say so with the evidence; `accuracy --json` reports the measures; `--no-calibration` and CALIBRATION=false
turn it off; a version keeps the factors it was made with."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.__main__ import main

SCREEN_TOOK = Decimal("1.5")
DELIVERABLES = [
    ("受注入力画面", "受注の登録・修正を行う画面。明細行の追加、得意先検索あり"),
    ("受注一覧画面", "受注の検索・一覧表示。CSV出力あり"),
    ("得意先マスタ画面", "得意先の登録・更新・検索の3画面"),
    ("請求書出力", "請求書PDFを月次で出力する帳票1本"),
    ("基幹システム連携", "受注データを基幹へ日次で連携するインタフェース1本"),
]


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'walk.db'}")
    source = tmp_path / "受注管理.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["成果物名称", "説明"])
        writer.writerows(DELIVERABLES)
    return source


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def finish_with_actuals(capsys: pytest.CaptureFixture[str], tmp_path: Path, estimate: dict[str, Any]) -> None:
    """Submit, win, import a timesheet in hours where every screen took 1.5× its estimate, and finish."""
    project = str(estimate["project_id"])
    assert main(["status", project, "submitted"]) == 0 and main(["status", project, "won"]) == 0
    timesheet = tmp_path / f"timesheet-{project}.csv"
    with timesheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["成果物名称", "実績時間"])
        for line in estimate["lines"]:
            took = Decimal(str(line["person_days"])) * (SCREEN_TOOK if line["kind"] == "screen" else 1)
            writer.writerow([line["deliverable"], str(took * 8)])
    imported = run_json(capsys, "actuals", project, str(timesheet))
    assert not imported["unmatched"]
    assert main(["status", project, "done"]) == 0


def test_five_finished_projects_calibrate_the_next_one_s_screens(
    cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_json(capsys, "estimate", str(cli), "--title", "受注管理 1")
    assert all(line["calibration"] == 1 for line in first["lines"])
    assert first["calibration"]["completed_projects"] == 0
    finish_with_actuals(capsys, tmp_path, first)
    for number in range(2, 6):
        finish_with_actuals(capsys, tmp_path, run_json(capsys, "estimate", str(cli), "--title", f"受注管理 {number}"))

    new = run_json(capsys, "estimate", str(cli), "--title", "受注管理 次期")
    screens = [line for line in new["lines"] if line["kind"] == "screen"]
    others = [line for line in new["lines"] if line["kind"] != "screen"]
    assert screens and all(line["calibration"] > 1 for line in screens)
    assert all(line["calibration"] == 1 for line in others)
    factor = screens[0]["calibration"]
    assert all(
        f"実績補正 ×{factor:.2f}（" in line["reasoning"] and "完了5件）" in line["reasoning"] for line in screens
    )
    assert new["calibration"]["completed_projects"] == 5
    evidence = [f for f in new["calibration"]["factors"] if f["kind"] == "screen" and f["used"]]
    assert evidence and evidence[0]["median_ratio"] == 1.5 and evidence[0]["projects"] == 5
    assert sum(line["person_days"] for line in new["lines"]) > sum(line["person_days"] for line in first["lines"])

    report = run_json(capsys, "accuracy")
    assert report["projects"] == 5
    assert 0 < report["mdmre"] < 1 and report["pred25"] is not None and report["bias"] > 0
    assert report["by_kind"]["screen"]["bias"] == pytest.approx(0.5, abs=0.01)
    assert report["by_kind"]["screen"]["mdmre"] == pytest.approx(1 / 3, abs=0.01)
    assert report["by_kind"]["api"]["bias"] == pytest.approx(0, abs=0.01)
    assert len(report["completed"]) == 5 and report["first_generated"]["projects"] == 5

    one = run_json(capsys, "accuracy", "--project", str(first["project_id"]))
    screen_days = sum(line["person_days"] for line in first["lines"] if line["kind"] == "screen")
    assert one["estimate"] == first["person_days"] and one["version"] == 1
    assert one["actual"] == pytest.approx(first["person_days"] + screen_days * 0.5, abs=0.05)
    assert {line["kind"] for line in one["lines"]} >= {"screen", "api"}
    capsys.readouterr()
    assert main(["accuracy", "--project", str(new["project_id"]), "--lang", "ja"]) == 1
    assert "まだ実績がありません" in capsys.readouterr().err
    assert main(["accuracy", "--project", str(first["project_id"]), "--lang", "en"]) == 0
    assert f"estimate {first['person_days']:,} person-days" in capsys.readouterr().out
    assert main(["accuracy", "--lang", "ja"]) == 0
    text = capsys.readouterr().out
    assert "完了案件 5件" in text and "画面: ×" in text and "MdMRE" in text

    plain = run_json(capsys, "estimate", str(cli), "--title", "補正なし", "--no-calibration")
    assert all(line["calibration"] == 1 for line in plain["lines"]) and not plain["calibration"]["enabled"]
    assert [line["person_days"] for line in plain["lines"]] == [line["person_days"] for line in first["lines"]]

    shown = run_json(capsys, "show", str(new["project_id"]))
    assert shown["lines"] == new["lines"] and shown["calibration"] == new["calibration"]


def test_the_operator_can_turn_calibration_off(
    cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(1, 4):
        finish_with_actuals(capsys, tmp_path, run_json(capsys, "estimate", str(cli), "--title", f"案件 {number}"))
    assert any(line["calibration"] > 1 for line in run_json(capsys, "estimate", str(cli))["lines"])
    monkeypatch.setenv("CALIBRATION", "false")
    off = run_json(capsys, "estimate", str(cli))
    assert all(line["calibration"] == 1 for line in off["lines"]) and not off["calibration"]["enabled"]


def test_accuracy_with_no_completed_project_says_how_to_get_there(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["accuracy", "--lang", "en"]) == 0
    assert "No completed project has actuals yet" in capsys.readouterr().out
    report = run_json(capsys, "accuracy")
    assert report["projects"] == 0 and report["mdmre"] is None and report["by_kind"] == {}
