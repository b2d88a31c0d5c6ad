"""No lost update: two processes racing to make the next version, on SQLite and PostgreSQL.

Each round both processes propose a change against the same newest version, meet at a
barrier, and apply at the same moment. Exactly one may win; the other must get the
stale-version error, and the versions must form one chain (no version with two children,
no number twice), with every winner's change in the version it made.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.config import load_settings
from estimator.engines.offline import OfflineEngine
from estimator.errors import StaleWriteError
from estimator.schemas import Deliverable
from estimator.workflow import open_workflow
from tests.factories import project_settings
from tests.offline_samples import SAMPLE_JA
from tests.support import ROOT

ROUNDS = 50


def _racer(url: str, project_id: int, worker: int, barrier: Any, results: Any) -> None:
    """One process: each round, propose a unit cost of its own, wait for the other, apply."""
    os.environ["DATABASE_URL"] = url
    flow = open_workflow(load_settings(), engine=OfflineEngine())
    for round_number in range(ROUNDS):
        cost = Decimal(40000 + 1000 * worker + 10 * round_number)
        proposal = flow.quick_unit_cost(project_id, cost, user=f"racer{worker}")
        barrier.wait(timeout=60)
        try:
            version = flow.apply_proposal(project_id, proposal.id, user=f"racer{worker}")
        except StaleWriteError as error:
            results.put((round_number, worker, "stale", error.key, str(cost)))
        else:
            results.put((round_number, worker, "won", version.number, str(cost)))
        barrier.wait(timeout=60)
    flow.store.database.dispose()


def _estimated_project(url: str) -> int:
    flow = open_workflow(load_settings(database_url=url), engine=OfflineEngine())
    project = flow.create_project(project_settings("並行更新"), user="setup")
    items = [Deliverable(name=name, description=text) for name, text in SAMPLE_JA]
    project = flow.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    flow.generate_estimate(project.id, expected_row_version=project.row_version, user="setup")
    flow.store.database.dispose()
    return project.id


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'race.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.mark.timeout(600)
def test_two_processes_racing_for_the_next_version_never_lose_an_update(shared_url: str) -> None:
    project_id = _estimated_project(shared_url)
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    racers = [
        context.Process(target=_racer, args=(shared_url, project_id, worker, barrier, results)) for worker in (1, 2)
    ]
    for racer in racers:
        racer.start()
    outcomes = [results.get(timeout=300) for _ in range(2 * ROUNDS)]
    for racer in racers:
        racer.join(timeout=60)
        assert racer.exitcode == 0

    by_round: dict[int, list[tuple[Any, ...]]] = {}
    for outcome in outcomes:
        by_round.setdefault(outcome[0], []).append(outcome)
    winners: dict[int, tuple[int, str]] = {}
    for round_number in range(ROUNDS):
        kinds = sorted(outcome[2] for outcome in by_round[round_number])
        assert kinds == ["stale", "won"], f"round {round_number}: {by_round[round_number]}"
        (won,) = [outcome for outcome in by_round[round_number] if outcome[2] == "won"]
        (lost,) = [outcome for outcome in by_round[round_number] if outcome[2] == "stale"]
        assert lost[3] == "errors.proposal.outdated" or lost[3] == "errors.stale_version"
        winners[won[3]] = (round_number, won[4])

    flow = open_workflow(load_settings(database_url=shared_url), engine=OfflineEngine())
    versions = flow.store.list_versions(project_id)
    assert [v.number for v in versions] == list(range(1, ROUNDS + 2))
    by_id = {v.id: v for v in versions}
    parents = [v.parent_id for v in versions[1:]]
    assert len(set(parents)) == len(parents), "a version has two children"
    for version in versions[1:]:
        assert by_id[version.parent_id].number == version.number - 1
        # The winner's change is in the version it made: nothing was overwritten.
        assert version.unit_cost == Decimal(winners[version.number][1])
    assert sorted(winners) == list(range(2, ROUNDS + 2))
    flow.store.database.dispose()


CLI_ROUNDS = 4


@pytest.mark.timeout(600)
def test_two_cli_adjust_apply_at_once_keep_both_changes_or_refuse_one(isolated_settings: Path) -> None:
    """`adjust … --apply 1` from two shells at once: each either lands on top of the other or is refused.

    A refused process exits non-zero with the stale-version message; an accepted one's unit cost
    is in the version it made, and the versions stay one chain.
    """
    url = f"sqlite:///{isolated_settings / 'estimator.db'}"
    project_id = _estimated_project(url)
    env = {"DATABASE_URL": url, "LANGUAGE": "en"}
    accepted: list[str] = []
    for round_number in range(CLI_ROUNDS):
        costs = [str(41000 + 1000 * round_number), str(61000 + 1000 * round_number)]
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "estimator", "adjust", str(project_id), f"unit cost to {cost}", "--apply", "1"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            )
            for cost in costs
        ]
        for cost, run in zip(costs, runs, strict=True):
            out, err = run.communicate(timeout=120)
            assert "Traceback" not in out + err
            if run.returncode == 0:
                accepted.append(cost)
            else:
                assert "is now at version" in err, err
    flow = open_workflow(load_settings(database_url=url), engine=OfflineEngine())
    versions = flow.store.list_versions(project_id)
    assert [v.number for v in versions] == list(range(1, len(accepted) + 2))
    assert sorted(str(int(v.unit_cost)) for v in versions[1:]) == sorted(accepted)
    parents = [v.parent_id for v in versions[1:]]
    assert parents == [v.id for v in versions[:-1]]
    flow.store.database.dispose()
