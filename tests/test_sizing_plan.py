"""Whole-project phases from the project's own build effort, each carried once (issue 12, item 3)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from estimator.schemas import PHASES, Phase
from estimator.sizing.plan import Duty, Role, plan

IPA = {
    Phase.REQUIREMENTS: Decimal(9),
    Phase.BASIC_DESIGN: Decimal("13.5"),
    Phase.DETAILED_DESIGN: Decimal("14.4"),
    Phase.IMPLEMENTATION: Decimal("26.1"),
    Phase.INTEGRATION_TEST: Decimal("16.2"),
    Phase.SYSTEM_TEST: Decimal("10.8"),
    Phase.PM_DOCS: Decimal(10),
}
D = Decimal


def mix(result) -> dict[Phase, Decimal]:  # type: ignore[no-untyped-def]
    totals = {phase: D(0) for phase in PHASES}
    for line in result.lines:
        for phase, days in line.phases.items():
            totals[phase] += days
    return {phase: days * 100 / result.total_days for phase, days in totals.items()}


def test_a_list_of_features_only_gets_every_project_phase_added_once() -> None:
    result = plan([D(20), D(10), D("10.5")], [Role.BUILD] * 3, IPA)

    added = [line.added for line in result.lines if line.index is None]
    assert added == [
        (Duty.REQUIREMENTS,),
        (Duty.BASIC_DESIGN,),
        (Duty.INTEGRATION_TEST,),
        (Duty.SYSTEM_TEST,),
        (Duty.PM, Duty.DOCUMENTS),
    ]
    assert result.build_days == D("40.5")
    assert abs(result.total_days - 100) < D("0.1"), "build is 14.4 + 26.1 = 40.5 % of the whole"
    for phase, share in mix(result).items():
        assert abs(share - IPA[phase]) < D("0.5"), phase
    assert set(result.lines[0].phases) == {Phase.DETAILED_DESIGN, Phase.IMPLEMENTATION}


def test_the_lists_own_phase_lines_carry_their_phases_and_features_keep_only_theirs() -> None:
    roles = [Role.REQUIREMENTS, Role.DETAILED_DESIGN, Role.BUILD, Role.BUILD, Role.UNIT_TEST, Role.TEST, Role.DOCUMENTS]
    build = [None, None, D(30), D(10), None, None, None]
    result = plan(build, roles, IPA)

    by_index = {line.index: line for line in result.lines}
    assert set(by_index[0].phases) == {Phase.REQUIREMENTS}
    assert set(by_index[1].phases) == {Phase.DETAILED_DESIGN}
    assert set(by_index[2].phases) == {Phase.IMPLEMENTATION}, "detailed design moved to its own line"
    assert set(by_index[5].phases) == {Phase.INTEGRATION_TEST, Phase.SYSTEM_TEST}
    assert by_index[6].duties == {Duty.DOCUMENTS}, "a manual carries documents, never the project's management"
    assert [line.added for line in result.lines if line.index is None] == [(Duty.BASIC_DESIGN,), (Duty.PM,)]
    assert by_index[2].days == 3 * by_index[3].days
    for phase, share in mix(result).items():
        assert abs(share - IPA[phase]) < D("0.5"), phase


@given(
    st.lists(st.sampled_from(list(Role)), min_size=1, max_size=12),
    st.lists(st.decimals(min_value=D("0.5"), max_value=D(200), places=2), min_size=13, max_size=13),
)
def test_every_duty_is_carried_once_and_the_mix_is_the_ratios(roles: list[Role], sizes: list[Decimal]) -> None:
    roles = [*roles, Role.BUILD]
    build = [sizes[i] if role is Role.BUILD else None for i, role in enumerate(roles)]
    result = plan(build, roles, IPA)

    assert sum(line.days for line in result.lines) == result.total_days
    carried = [duty for line in result.lines for duty in (line.added or ())]
    assert len(carried) == len(set(carried))
    rounding = D("0.005") * len(result.lines) * 100 / result.total_days  # each line's phase rounds to 0.01
    for phase, share in mix(result).items():
        assert abs(share - IPA[phase]) < 1 + rounding, (phase, share)
    for i, role in enumerate(roles):
        line = next(line for line in result.lines if line.index == i)
        if role is Role.BUILD and Role.DETAILED_DESIGN in roles:
            assert Phase.DETAILED_DESIGN not in line.phases


def test_a_pm_line_with_no_document_line_carries_both() -> None:
    result = plan([D(20), None], [Role.BUILD, Role.PM], IPA)
    assert result.lines[1].duties == {Duty.PM, Duty.DOCUMENTS}
    assert all(line.index is not None or Duty.PM not in line.added for line in result.lines)
