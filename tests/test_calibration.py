"""Calibration (issue 13): factors learned from completed projects, robust, clamped, shrunk, stated; applied as a
visible step whose factors are stored with the version; and accuracy measured as the field measures it."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.history.accuracy import Observation, accuracy_report, measures
from estimator.history.calibration import (
    FACTOR_BAND,
    MIN_PROJECTS,
    MIN_TYPE_PROJECTS,
    calibrated,
    kind_factor,
    learn,
    without_calibration,
)
from estimator.history.records import CompletedProject
from estimator.schemas import (
    ActualEntry,
    Calibration,
    DeliverableKind,
    EstimateLine,
    Phase,
    PhaseDays,
)

D = Decimal
SCREEN, API, DOC = DeliverableKind.SCREEN, DeliverableKind.API, DeliverableKind.DOCUMENT


def line(name: str, days: str, kind: DeliverableKind = SCREEN, *, calibration: str = "1") -> EstimateLine:
    value = D(days)
    return EstimateLine(
        deliverable=name,
        kind=kind,
        phases=PhaseDays(basic_design=value * D("0.2"), implementation=value * D("0.5"), system_test=value * D("0.3")),
        optimistic=value * D("0.8"),
        pessimistic=value * D("1.5"),
        reasoning="見積りの根拠。",
        calibration=D(calibration),
    )


def project(
    number: int,
    ratios: dict[DeliverableKind, float],
    *,
    engine: str = "offline",
    project_type: str = "business_system",
    lines: tuple[EstimateLine, ...] | None = None,
) -> CompletedProject:
    """A completed project whose lines of each kind took `ratios[kind]` times their estimate."""
    lines = lines or (line("受注画面", "10"), line("在庫API", "8", API), line("設計書", "5", DOC))
    actuals = tuple(
        ActualEntry(item.deliverable, (item.person_days * D(str(ratios.get(item.kind, 1.0)))).quantize(D("0.01")))
        for item in lines
    )
    return CompletedProject(
        project_id=number,
        title=f"案件{number}",
        quote_number=f"Q-2026-{number:04d}",
        project_type=project_type,
        engine=engine,
        done_at=None,
        version=1,
        submitted=lines,
        generated=lines,
        actuals=actuals,
    )


def factor_of(calibration: Calibration, kind: DeliverableKind) -> Decimal:
    found = kind_factor(calibration, kind, None)
    assert found is not None, f"no factor for {kind}"
    return found.factor


# Learning


def test_a_history_where_screens_took_half_again_gives_screens_a_factor_above_one_and_leaves_the_rest() -> None:
    history = [project(n, {SCREEN: 1.5}) for n in range(1, 6)]
    calibration = learn(history, engine="offline")
    assert calibration.completed == 5
    assert factor_of(calibration, SCREEN) == D("1.34")  # 1.5 ^ (5 / 7): shrunk, not the raw median
    assert factor_of(calibration, API) == 1 and factor_of(calibration, DOC) == 1
    screen = next(f for f in calibration.factors if f.kind is SCREEN and f.project_type is None)
    assert (screen.median_ratio, screen.projects, screen.lines, screen.used) == (D("1.50"), 5, 5, True)


def test_a_factor_is_not_used_below_the_minimum_of_projects_but_is_shown() -> None:
    history = [project(n, {SCREEN: 1.5}) for n in range(1, MIN_PROJECTS)]
    calibration = learn(history, engine="offline")
    screen = next(f for f in calibration.factors if f.kind is SCREEN)
    assert not screen.used and screen.projects == MIN_PROJECTS - 1
    assert kind_factor(calibration, SCREEN, None) is None
    assert calibrated([line("顧客画面", "10")], calibration, project_type=None, lang="ja") == [line("顧客画面", "10")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0.01, max_value=50), min_size=1, max_size=40))
def test_every_factor_stays_within_the_band(ratios: list[float]) -> None:
    history = [project(n, {SCREEN: r, API: 1 / r}) for n, r in enumerate(ratios, start=1)]
    for factor in learn(history, engine="offline").factors:
        assert FACTOR_BAND[0] <= factor.factor <= FACTOR_BAND[1]


@pytest.mark.parametrize("wild", [20.0, 0.02])
def test_one_wild_project_cannot_swing_a_factor(wild: float) -> None:
    steady = [project(n, {SCREEN: 1.1}) for n in range(1, 8)]
    before = factor_of(learn(steady, engine="offline"), SCREEN)
    after = factor_of(learn([*steady, project(99, {SCREEN: wild})], engine="offline"), SCREEN)
    assert abs(after - before) <= D("0.03")


def test_an_unbiased_history_with_noise_gives_factors_near_one() -> None:
    rng = random.Random(13)
    history = [project(n, {kind: math.exp(rng.gauss(0, 0.15)) for kind in (SCREEN, API, DOC)}) for n in range(1, 31)]
    for factor in learn(history, engine="offline").factors:
        assert D("0.9") <= factor.factor <= D("1.1"), factor


def test_more_projects_move_a_factor_closer_to_the_median() -> None:
    few = factor_of(learn([project(n, {SCREEN: 1.6}) for n in range(1, 4)], engine="offline"), SCREEN)
    many = factor_of(learn([project(n, {SCREEN: 1.6}) for n in range(1, 21)], engine="offline"), SCREEN)
    assert 1 < few < many < D("1.6")


def test_learning_divides_out_the_factor_a_line_was_already_calibrated_with() -> None:
    """A screen generated at ×1.5 that took exactly its estimate was 1.5× the engine's figure: the factor
    must learn 1.5, not 1 (which would undo the correction the next time)."""
    calibrated_lines = (line("受注画面", "15", calibration="1.5"), line("設計書", "5", DOC))
    history = [project(n, {}, lines=calibrated_lines) for n in range(1, 9)]
    screen = next(f for f in learn(history, engine="offline").factors if f.kind is SCREEN)
    assert screen.median_ratio == D("1.50")


def test_a_type_with_enough_projects_has_its_own_factor() -> None:
    history = [project(n, {SCREEN: 1.8}, project_type="web_site") for n in range(1, MIN_TYPE_PROJECTS + 1)]
    history += [project(n, {SCREEN: 1.0}) for n in range(10, 20)]
    calibration = learn(history, engine="offline", project_type="web_site")
    typed = kind_factor(calibration, SCREEN, "web_site")
    general = kind_factor(calibration, SCREEN, "business_system")
    assert typed is not None and typed.project_type == "web_site" and typed.factor > D("1.4")
    assert general is not None and general.project_type is None and general.factor < typed.factor


def test_the_engine_s_own_projects_teach_it_once_there_are_enough_otherwise_all_do() -> None:
    offline = [project(n, {SCREEN: 1.0}) for n in range(1, 11)]
    openai = [project(n, {SCREEN: 1.8}, engine="gpt-4o-mini") for n in range(20, 20 + MIN_PROJECTS)]
    own = kind_factor(learn(offline + openai, engine="gpt-4o-mini"), SCREEN, None)
    assert own is not None and own.engine == "openai" and own.factor > D("1.4")
    too_few = kind_factor(learn(offline + openai[:1], engine="gpt-4o-mini"), SCREEN, None)
    assert too_few is not None and too_few.engine is None and too_few.projects == 11


def test_a_project_being_estimated_again_does_not_learn_from_itself() -> None:
    history = [project(n, {SCREEN: 1.5}) for n in range(1, 4)]
    assert kind_factor(learn(history, engine="offline", exclude=3), SCREEN, None) is None


def test_phase_factors_reshape_the_split_and_keep_the_total() -> None:
    lines = (line("受注画面", "10"),)
    history = []
    for number in range(1, 6):
        booked = (
            ActualEntry("受注画面", D("2"), Phase.BASIC_DESIGN),
            ActualEntry("受注画面", D("3"), Phase.IMPLEMENTATION),
            ActualEntry("受注画面", D("5"), Phase.SYSTEM_TEST),  # testing took 50 %, estimated at 30 %
        )
        history.append(CompletedProject(number, "p", "q", "business_system", "offline", None, 1, lines, lines, booked))
    calibration = learn(history, engine="offline")
    [after] = calibrated([line("顧客画面", "20")], calibration, project_type=None, lang="ja")
    assert after.person_days == 20 and after.calibration == 1
    assert after.phases.system_test > D("6") and after.phases.implementation < D("10")
    assert "工程配分を実績で補正" in after.reasoning


# Applying


def test_a_calibrated_line_says_so_and_keeps_its_range_around_it() -> None:
    calibration = learn([project(n, {SCREEN: 1.5}) for n in range(1, 8)], engine="offline")
    before = line("顧客画面", "10")
    [after] = calibrated([before], calibration, project_type=None, lang="ja")
    assert after.calibration == D("1.37")  # 1.5 ^ (7 / 9)
    assert after.person_days == D("13.70")
    assert after.optimistic <= after.person_days <= after.pessimistic
    assert after.reasoning.endswith("実績補正 ×1.37（画面・完了7件）。")
    [english] = calibrated([before], calibration, project_type=None, lang="en")
    assert english.reasoning.endswith("Calibrated ×1.37 from actuals (Screens, 7 completed projects).")
    assert without_calibration([after]) == [before.model_copy(update={"reasoning": after.reasoning})]


def test_a_risk_buffer_is_never_calibrated() -> None:
    calibration = learn([project(n, {SCREEN: 1.5, DeliverableKind.RISK_BUFFER: 2}) for n in range(1, 8)], engine="o")
    buffer = line("リスクバッファ", "5", DeliverableKind.RISK_BUFFER)
    assert calibrated([buffer], calibration, project_type=None, lang="ja") == [buffer]


def test_a_line_near_the_cap_stops_at_it_and_records_the_factor_it_took() -> None:
    calibration = learn([project(n, {SCREEN: 2.0}) for n in range(1, 30)], engine="offline")
    [after] = calibrated([line("大規模画面群", "400")], calibration, project_type=None, lang="ja")
    assert after.person_days == 500 and after.calibration == D("1.25")


# Measuring


def test_measures_are_the_fields() -> None:
    observations = [
        Observation(1, D(100), D(100), 3),  # MRE 0
        Observation(2, D(100), D(120), 2),  # MRE 1/6
        Observation(3, D(100), D(200), 1),  # MRE 1/2
        Observation(4, D(100), D(80), 1),  # MRE 1/4
    ]
    result = measures(observations)
    assert (result.observations, result.projects, result.lines) == (4, 4, 7)
    assert result.mdmre == pytest.approx((1 / 6 + 1 / 4) / 2)
    assert result.pred25 == pytest.approx(0.75)
    assert result.bias == pytest.approx(0.1)  # median of 1.0, 1.2, 2.0, 0.8 is 1.1
    assert measures([]).mdmre is None


def test_the_report_compares_submitted_and_first_generated_and_leaves_change_requests_out() -> None:
    generated = (line("受注画面", "10"), line("設計書", "10", DOC))
    submitted = (line("受注画面", "8"), line("設計書", "8", DOC))  # a 20 % chat discount
    actuals = (
        ActualEntry("受注画面", D("10")),
        ActualEntry("設計書", D("10")),
        ActualEntry("追加帳票", D("6"), None, True),
    )
    record = CompletedProject(1, "p", "Q-1", "business_system", "offline", None, 2, submitted, generated, actuals)
    report = accuracy_report([record])
    [only] = report.projects
    assert (only.estimate, only.first_estimate, only.actual, only.change_requests) == (D(16), D(20), D(20), D(6))
    assert report.overall.mdmre == pytest.approx(0.2) and report.first_generated.mdmre == 0
    assert set(report.by_kind) == {"screen", "document"} and report.by_kind["screen"].bias == pytest.approx(0.25)
    assert set(report.by_type) == {"business_system"}


def test_a_project_without_actuals_is_not_measured() -> None:
    record = project(1, {})
    empty = CompletedProject(2, "p", "q", None, "offline", None, 1, record.submitted, record.generated, ())
    assert [p.project_id for p in accuracy_report([record, empty]).projects] == [1]
