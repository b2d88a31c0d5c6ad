"""The realism set loads and holds its rules, and its benchmark runs end to end (no timing asserted)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from bench import bench_realism
from bench.realism import PROJECTS_DIR, TYPES, Deliverable, Expected, RankCheck, RealismProject, load, parse, problems
from estimator.schemas import PHASES, name_key


@pytest.fixture(scope="module")
def projects() -> list[RealismProject]:
    return load()


def test_the_set_is_valid(projects: list[RealismProject]) -> None:
    assert problems(projects) == []


def test_the_set_covers_every_type_both_languages_and_a_wide_span_of_sizes(projects: list[RealismProject]) -> None:
    assert len(projects) >= 14
    languages = Counter(project.language for project in projects)
    assert languages["en"] >= 4
    assert set(languages) == {"ja", "en"}
    types = Counter(project.type for project in projects)
    assert set(types) == set(TYPES)
    assert all(types[kind] >= 2 for kind in TYPES if kind != "other")
    assert min(p.expected.low for p in projects) <= 10
    assert max(p.expected.high for p in projects) >= 500


def test_every_project_is_well_formed(projects: list[RealismProject]) -> None:
    for project in projects:
        assert project.expected.low < project.expected.high, project.id
        assert project.expected.reasoning.strip(), project.id
        assert 3 <= len(project.deliverables) <= 25, project.id
        keys = [name_key(item.name) for item in project.deliverables]
        assert len(keys) == len(set(keys)), project.id
        names = {item.name for item in project.deliverables}
        assert project.rank_checks, project.id
        for check in project.rank_checks:
            assert check.larger in names and check.smaller in names, (project.id, check)
            assert check.factor > 0


def test_the_files_are_readable_utf8_named_after_their_ids() -> None:
    for path in sorted(PROJECTS_DIR.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        assert path.stem == data["id"]
        assert "\\u" not in text, f"{path.name}: written with ensure_ascii"


def test_some_projects_list_phase_lines_and_some_list_none(projects: list[RealismProject]) -> None:
    phase_words = ("要件定義", "基本設計", "結合テスト", "総合テスト", "マニュアル", "プロジェクト管理")
    phase_words += ("Requirements", "System test", "Integration testing", "manual", "Project management")

    def has_phase_line(project: RealismProject) -> bool:
        return any(word.lower() in item.name.lower() for item in project.deliverables for word in phase_words)

    with_phases = [p.id for p in projects if has_phase_line(p)]
    assert with_phases
    assert len(with_phases) < len(projects)


def _project(**changes: object) -> RealismProject:
    base = RealismProject(
        id="x",
        language="ja",
        type="website",
        title="t",
        requirements="r",
        deliverables=(Deliverable("a"), Deliverable("b"), Deliverable("c")),
        expected=Expected(Decimal(5), Decimal(10), "r"),
        rank_checks=(RankCheck("a", "b", Decimal(2)),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"type": "game"}, "type 'game'"),
        ({"language": "fr"}, "language 'fr'"),
        ({"deliverables": (Deliverable("a"), Deliverable("Ａ"), Deliverable("c"))}, "more than once"),
        ({"rank_checks": (RankCheck("a", "z", Decimal(2)),)}, "'z', which is not one of its deliverables"),
        ({"rank_checks": (RankCheck("a", "a", Decimal(2)),)}, "with itself"),
        ({"deliverables": (Deliverable("a"), Deliverable("b"))}, "2 deliverables"),
    ],
)
def test_the_validation_names_what_is_wrong(changes: dict[str, object], words: str) -> None:
    found = problems([_project(**changes)])
    assert any(words in problem for problem in found), found


def test_an_inverted_range_and_a_thin_set_are_refused() -> None:
    data = json.loads((PROJECTS_DIR / "tool-vba-quote.json").read_text(encoding="utf-8"))
    data["expected"]["low"], data["expected"]["high"] = 20, 10
    found = problems([parse(data)])
    assert any("not 0 < low < high" in problem for problem in found)
    assert any("expected at least 14" in problem for problem in found)
    assert any("in English" in problem for problem in found)


def test_the_bench_runs_two_projects_end_to_end(projects: list[RealismProject], tmp_path: Path) -> None:
    chosen = [next(p for p in projects if p.language == "ja"), next(p for p in projects if p.language == "en")]
    reports = bench_realism.run_projects(chosen, folder=tmp_path)
    assert [report.project.id for report in reports] == [p.id for p in chosen]
    for report in reports:
        assert report.total > 0
        assert {item.name for item in report.project.deliverables} <= set(report.lines), (
            "plus any lines the engine added"
        )
        assert report.total == sum(days.total for days in report.lines.values())
        assert report.verdict in ("inside", "below", "above")
        assert report.inside == (report.project.expected.low <= report.total <= report.project.expected.high)
        assert report.ratio == report.total / report.project.expected.middle
        mix = report.phase_mix()
        assert set(mix) == set(PHASES)
        assert abs(sum(mix.values()) - 100) < Decimal("0.01")
        six = report.ipa_mix()
        assert six is not None and abs(sum(six.values()) - 100) < Decimal("0.01")
        assert 0 <= report.max_phase_deviation <= 100
        assert report.phase_ok == (report.max_phase_deviation <= 5)
        assert len(report.ranks) == len(report.project.rank_checks)
        assert all(result.larger_days is not None and result.smaller_days is not None for result in report.ranks)
        assert set(report.answers_used) <= set(report.project.answers)
    lines = bench_realism.table(reports)
    header = lines[0]
    for column in ("project", "type", "lang", "expected range", "engine total", "verdict", "phase deviation", "rank"):
        assert column in header
    assert all(any(f"| {p.id} |" in line for line in lines) for p in chosen)
    summary = bench_realism.summarise(reports)
    assert summary.projects == 2
    assert summary.inside + summary.below + summary.above == 2
    assert summary.ranks == sum(len(p.rank_checks) for p in chosen)


def test_a_rank_check_holds_only_when_the_larger_line_is_big_enough() -> None:
    check = RankCheck("payment", "page", Decimal(3))
    assert bench_realism.RankResult(check, Decimal(30), Decimal(10)).ok
    assert not bench_realism.RankResult(check, Decimal("29.9"), Decimal(10)).ok
    assert not bench_realism.RankResult(check, None, Decimal(10)).ok
