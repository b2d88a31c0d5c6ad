"""The calibration benchmark's harness itself: a firm's known bias is what the Workflow learns, and nothing else.

Five small realism projects (every one has screens), one pass, through the real Workflow on a
SQLite database in the test's folder: fast, and each assertion fails if the harness is wrong
(truth taken from calibrated days, actuals not matched to lines, a project not done before
the next is estimated, a window counting the wrong projects). No timing is asserted.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bench import bench_calibration as bench
from bench.realism import RealismProject, load
from estimator.history.calibration import MIN_PROJECTS, SHRINK_PROJECTS
from estimator.schemas import DeliverableKind, ProjectStatus

SMALL = ("web-product-landing", "tool-leave-app", "tool-vba-quote", "biz-returns-enhancement", "tool-rpa-invoices")
SCREEN_BIAS = 1.5


@pytest.fixture(scope="module")
def small() -> list[RealismProject]:
    by_id = {project.id: project for project in load()}
    return [by_id[name] for name in SMALL]


def _shrunk(bias: float, projects: int) -> float:
    return bias ** (projects / (projects + SHRINK_PROJECTS))


def test_the_schedule_repeats_every_project_per_pass_under_its_own_title(small: list[RealismProject]) -> None:
    ordered = bench.schedule(small, 2, seed=1)
    assert sorted(p.id for p in ordered) == sorted([p.id for p in small] * 2)
    assert len({p.title for p in ordered}) == len(ordered)
    originals = {p.id: p.deliverables for p in small}
    assert all(p.deliverables == originals[p.id] for p in ordered)
    assert ordered == bench.schedule(small, 2, seed=1)


def test_a_strong_screen_bias_is_learned_and_applied_to_later_screens_only(
    small: list[RealismProject], tmp_path: Path
) -> None:
    firm = bench.Firm(bias={DeliverableKind.SCREEN: SCREEN_BIAS}, project_kind_sigma=0.0, line_sigma=0.0)
    simulation = bench.simulate(firm, small, passes=1, folder=tmp_path)
    outcomes = simulation.outcomes
    assert simulation.warm_up == MIN_PROJECTS
    for outcome in outcomes[:MIN_PROJECTS]:
        assert outcome.factors_used == 0
        assert all(line.calibration == 1 for line in outcome.lines)
    for outcome in outcomes[MIN_PROJECTS:]:
        screens = [line for line in outcome.lines if line.kind is DeliverableKind.SCREEN]
        others = [line for line in outcome.lines if line.kind is not DeliverableKind.SCREEN]
        assert screens and others
        expected = _shrunk(SCREEN_BIAS, outcome.index)
        assert all(float(line.calibration) == pytest.approx(expected, abs=0.011) for line in screens)
        assert all(line.calibration == 1 for line in others), outcome.realism_id
        assert outcome.observation("calibrated").mre < outcome.observation("without").mre
    screen = bench.kind_factors(simulation.final)[DeliverableKind.SCREEN]
    assert float(screen.factor) == pytest.approx(_shrunk(SCREEN_BIAS, len(small)), abs=0.011)
    assert window_reduces(simulation)


def window_reduces(simulation: bench.Simulation) -> bool:
    warm = bench.windows(simulation)["warm"]
    return warm.projects == len(simulation.outcomes) - MIN_PROJECTS and warm.reduction() > 0


def test_the_truth_comes_from_the_uncalibrated_estimate_and_every_project_is_done(
    small: list[RealismProject], tmp_path: Path
) -> None:
    firm = bench.Firm(bias={DeliverableKind.SCREEN: SCREEN_BIAS}, project_kind_sigma=0.0, line_sigma=0.0)
    simulation = bench.simulate(firm, small, passes=1, folder=tmp_path)
    flow = bench.offline_workflow(tmp_path)
    assert all(flow.project(o.project_id).status is ProjectStatus.DONE for o in simulation.outcomes)
    last = simulation.outcomes[-1]
    for line in last.lines:
        bias = Decimal(str(firm.bias_for(line.kind)))
        assert line.actual == pytest.approx(line.without * bias, abs=Decimal("0.01"))
    # The same project estimated again with calibration off says what `uncalibrated()` said.
    again = bench.estimate(flow, small[[p.id for p in small].index(last.realism_id)])
    flow.set_calibration(again, False, expected_row_version=None)
    flow.generate_estimate(again, expected_row_version=None, user="test")
    plain = flow.priced(again).person_days
    assert plain == pytest.approx(last.total("without"), abs=Decimal("0.01") * len(last.lines))
    assert last.total("calibrated") > plain


def test_with_no_bias_the_factors_stay_near_one(small: list[RealismProject], tmp_path: Path) -> None:
    simulation = bench.simulate(bench.Firm().unbiased(), small, passes=1, folder=tmp_path)
    assert simulation.final.applied
    assert bench.within_band(simulation.final)
    assert bench.largest_departure(simulation.final) < 0.15


def _outcome(index: int, without: str, calibrated: str, actual: str) -> bench.Outcome:
    line = bench.LineOutcome(
        kind=DeliverableKind.SCREEN,
        without=Decimal(without),
        calibrated=Decimal(calibrated),
        calibration=Decimal(calibrated) / Decimal(without),
        actual=Decimal(actual),
        perfect=Decimal(actual),
        kind_only=Decimal(calibrated),
    )
    return bench.Outcome(index=index, realism_id=f"p{index}", project_id=index + 1, factors_used=1, lines=(line,))


def test_helps_after_finds_where_calibration_stays_better_for_good() -> None:
    first = [_outcome(0, "10", "10", "12")]
    better = [_outcome(i, "10", "12", "12") for i in range(1, 6)]
    # Over the first two projects the medians are 0.083 with, 0.167 without: it helps from one project on.
    assert bench.helps_after(first + better) == 1
    worse = [_outcome(i, "10", "30", "10") for i in range(6, 14)]
    assert bench.helps_after(first + better + worse) is None


def _line(kind: DeliverableKind, without: str, calibrated: str, actual: str) -> bench.LineOutcome:
    return bench.LineOutcome(
        kind=kind,
        without=Decimal(without),
        calibrated=Decimal(calibrated),
        calibration=Decimal(calibrated) / Decimal(without),
        actual=Decimal(actual),
        perfect=Decimal(calibrated),
        kind_only=Decimal(calibrated),
    )


def test_the_line_level_counts_every_line_where_a_project_total_hides_the_biases() -> None:
    # A screen under by 2 days and a document over by 2: the project's total is exact either way,
    # its lines are 1/6 and 1/4 off without calibration and exact with it.
    lines = (
        _line(DeliverableKind.SCREEN, "10", "12", "12"),
        _line(DeliverableKind.DOCUMENT, "10", "8", "8"),
    )
    outcome = bench.Outcome(index=0, realism_id="p0", project_id=7, factors_used=2, lines=lines)
    observed = outcome.line_observations("without")
    assert [(o.project_id, o.estimate, o.actual, o.lines) for o in observed] == [
        (7, Decimal("10"), Decimal("12"), 1),
        (7, Decimal("10"), Decimal("8"), 1),
    ]
    by_line = bench.window([outcome], 0, "", level="line")
    assert by_line.observations == 2
    assert by_line.mdmre["without"] == pytest.approx((1 / 6 + 1 / 4) / 2)
    assert by_line.mdmre["calibrated"] == 0
    assert by_line.reduction() == 1
    by_project = bench.window([outcome], 0, "")
    assert by_project.observations == 1
    assert by_project.mdmre["without"] == by_project.mdmre["calibrated"] == 0


def test_the_typical_firm_keeps_the_three_kind_biases_and_puts_every_other_kind_at_1_2() -> None:
    typical = bench.FIRMS[bench.TYPICAL]
    assert typical.bias_for(DeliverableKind.BATCH) == 1.2
    assert all(typical.bias_for(kind) == bias for kind, bias in bench.BIAS.items())
    assert bench.FIRMS[bench.EXAMPLE].bias_for(DeliverableKind.BATCH) == 1.0
    assert bench.GATE == (bench.TYPICAL, "project")
