"""Every benchmark module imports and offers `run()`: a refactor cannot silently break `python -m bench.run`."""

from __future__ import annotations

import importlib

import pytest

from tests.support import ROOT

BENCHES = sorted(path.stem for path in (ROOT / "bench").glob("bench_*.py"))


def test_there_are_benchmarks() -> None:
    assert BENCHES


@pytest.mark.parametrize("name", BENCHES)
def test_a_benchmark_module_imports_and_can_run(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.run)
