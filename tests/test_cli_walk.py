"""The walk from the command line: estimate a file, adjust, apply, export."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from estimator.schemas import PHASES
from tests.conftest import SAMPLES
from tests.fake_openai import TEST_API_KEY, FakeOpenAI, server_error
from tests.support import run_cli


def estimate_json(*args: str) -> dict:
    result = run_cli("estimate", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_estimate_csv_in_japanese_prints_the_json_document(tmp_path: Path) -> None:
    document = estimate_json(str(SAMPLES / "legacy_sample_input.csv"), "--lang", "ja")
    assert document["language"] == "ja" and document["currency"] == "JPY" and document["unit_cost"] == 40000
    assert document["version"] == 1 and isinstance(document["project_id"], int)
    lines = document["lines"]
    assert [line["deliverable"] for line in lines][:3] == ["要件定義書", "基本設計書", "詳細設計書"]
    assert len(lines) == 10, "the nine lines of the sample and the PM line it lacks"
    for line in lines:
        assert set(line) >= {
            "deliverable",
            "description",
            "person_days",
            "amount",
            "phases",
            "optimistic",
            "most_likely",
            "pessimistic",
            "reasoning",
        }
        days = Decimal(str(line["person_days"]))
        assert Decimal(str(line["amount"])) == days * 40000
        assert sum(Decimal(str(line["phases"][p.value])) for p in PHASES) == days
        assert line["optimistic"] <= line["most_likely"] <= line["pessimistic"]
    assert document["subtotal"] == sum(line["amount"] for line in lines)
    assert document["tax"] == int(Decimal(document["subtotal"]) * Decimal("0.1"))
    assert document["total"] == document["subtotal"] + document["tax"]


def test_estimate_xlsx_in_english_uses_dollars_and_no_tax_and_writes_the_quote(tmp_path: Path) -> None:
    output = tmp_path / "out" / "quote.xlsx"
    document = estimate_json(str(SAMPLES / "legacy_sample_input.xlsx"), "--lang", "en", "-o", str(output))
    assert (document["currency"], document["unit_cost"], document["tax"]) == ("USD", 500, 0)
    assert document["total"] == document["subtotal"]
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames[0] == "Quote"


def test_estimate_with_answers_changes_the_numbers(tmp_path: Path) -> None:
    plain = estimate_json(str(SAMPLES / "legacy_sample_input.csv"))
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"schedule": "かなり短い", "team": "未経験者が多い"}, ensure_ascii=False))
    answered = estimate_json(str(SAMPLES / "legacy_sample_input.csv"), "--answers", str(answers))
    assert answered["subtotal"] != plain["subtotal"]


def test_adjust_lists_proposals_then_applies_one(tmp_path: Path) -> None:
    document = estimate_json(str(SAMPLES / "legacy_sample_input.csv"))
    project = str(document["project_id"])
    listed = run_cli("adjust", project, "あと30万円安く", "--json")
    assert listed.returncode == 0, listed.stderr
    proposals = json.loads(listed.stdout)
    assert 1 <= len(proposals) <= 3
    target = document["subtotal"] - 300000
    for proposal in proposals:
        assert target - 40000 <= proposal["subtotal"] <= target + 40000
    applied = run_cli("adjust", project, "あと30万円安く", "--apply", "1", "--json")
    assert applied.returncode == 0, applied.stderr
    version = json.loads(applied.stdout)
    assert version["version"] == 2 and version["origin"] == "adjusted"
    assert target - 40000 <= version["subtotal"] <= target + 40000
    export = run_cli("export", project, "--version", "1", "-o", str(tmp_path / "v1.xlsx"))
    assert export.returncode == 0, export.stderr
    sheet = openpyxl.load_workbook(tmp_path / "v1.xlsx").worksheets[0]
    assert any(cell.value == f"{document['quote_number']}-01" for row in sheet.iter_rows() for cell in row)


def test_unparseable_request_lists_the_forms_understood() -> None:
    document = estimate_json(str(SAMPLES / "legacy_sample_input.csv"))
    result = run_cli("--lang", "en", "adjust", str(document["project_id"]), "make it nicer")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) >= 1
    assert "%" in result.stderr


def test_failing_model_keeps_the_project_and_says_its_id(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(*[server_error(retry_after=0.01)] * 10)
    result = run_cli(
        "--lang",
        "en",
        "estimate",
        str(SAMPLES / "legacy_sample_input.csv"),
        env={"OPENAI_API_KEY": TEST_API_KEY, "OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_MAX_RETRIES": "0"},
    )
    assert result.returncode == 1
    assert "Project 1 is saved, but the estimate failed" in result.stderr
    assert TEST_API_KEY not in result.stderr
    shown = json.loads(run_cli("show", "1", "--json").stdout)
    assert shown["version"] is None


def test_bad_input_file_is_one_clear_message(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"\x00\x01not a workbook" * 50)
    result = run_cli("--lang", "en", "estimate", str(junk))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()
    assert run_cli("list", "--json").stdout.strip() in ("[]", "")
