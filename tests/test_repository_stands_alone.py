"""The repository stands alone: nothing it runs reads a folder beside it.

The audit hook in `repository_guard` catches reads made by the test process itself;
benchmarks, scripts and the subprocesses the tests start are checked by reading their
source for paths that climb out of the repository.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests import repository_guard
from tests.conftest import ROOT, SAMPLES

# A path that leaves the repository: ../x, "shared/", or a parents[N] / .parent chain above the root.
CLIMBING = re.compile(r"\.\./|[\"']shared[\"'/]|ROOT\.parent\b|parents\[(\d+)\]|(\.parent){3,}")


def tracked_sources() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.sh", "*.toml", ".ci/run"], cwd=ROOT, capture_output=True, text=True
    )
    if listed.returncode != 0:
        pytest.fail(f"git ls-files failed: {listed.stderr}")
    return [ROOT / name for name in listed.stdout.split() if (ROOT / name).is_file()]


def climbs_out(path: Path, line: str) -> bool:
    """Whether `line` of `path` names a place above the repository root."""
    depth = len(path.relative_to(ROOT).parts) - 1  # parents[depth] of the file is the root itself
    for match in CLIMBING.finditer(line):
        if match.group(1) is not None:
            if int(match.group(1)) > depth:
                return True
            continue
        return True
    return False


def test_the_legacy_samples_live_in_the_repository() -> None:
    assert SAMPLES.is_relative_to(ROOT)
    assert (SAMPLES / "legacy_sample_input.csv").is_file()
    assert (SAMPLES / "legacy_sample_input.xlsx").is_file()


def test_no_source_names_a_path_above_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in tracked_sources()
        if path.name != Path(__file__).name
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if climbs_out(path, line)
    ]
    assert offenders == []


def test_the_climb_check_sees_the_ways_out() -> None:
    bench = ROOT / "bench" / "bench_flow.py"
    assert climbs_out(bench, 'Path(__file__).resolve().parents[2] / "shared" / "samples"')
    assert not climbs_out(bench, 'Path(__file__).resolve().parents[1] / "tests"')
    assert climbs_out(bench, 'Path(__file__).resolve().parents[2] / "x"')
    assert climbs_out(bench, "SAMPLES = ROOT.parent / 'x'")
    assert climbs_out(bench, 'open("../sibling/a.csv")')
    assert not climbs_out(bench, 'ROOT / "tests" / "data"')


def test_the_audit_hook_records_a_read_beside_the_repository(tmp_path: Path) -> None:
    beside = tmp_path / "work"
    (beside / "main").mkdir(parents=True)
    (beside / "shared").mkdir()
    (beside / "shared" / "sample.csv").write_text("a,b\n")
    recorder = repository_guard.OutsideReads(beside / "main", tmp_path / "scratch")
    recorder("open", (str(beside / "shared" / "sample.csv"), "r", 0))
    recorder("os.listdir", (str(beside / "shared"),))
    recorder("open", (str(beside / "main" / "tests" / "data.csv"), "r", 0))
    recorder("open", (str(beside / "new-scratch" / "x"), "r", 0))
    assert recorder.take() == [str(beside / "shared" / "sample.csv"), str(beside / "shared")]
    assert recorder.take() == []
