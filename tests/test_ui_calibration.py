"""Issue 13 on the Estimate page: a calibrated version shows its total with and without calibration and the
factors it used with their evidence, and the project's switch turns calibration off for the next estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from estimator.i18n import format_money, format_number, t
from estimator.schemas import ActualEntry, DeliverableKind
from tests.ui_support import SAMPLE_NAMES, estimated_project, flow, opened, texts

SCREENS_TOOK = Decimal("1.5")


def finished_history(count: int, language: str) -> None:
    """`count` done projects of the sample list whose screens took 1.5× their estimate."""
    workflow = flow()
    for _ in range(count):
        project_id = estimated_project(language=language)
        for status in ("submitted", "won"):
            workflow.set_status(project_id, status, user="local", expected_row_version=None)
        entries = [
            ActualEntry(
                line.deliverable, line.person_days * (SCREENS_TOOK if line.kind is DeliverableKind.SCREEN else 1)
            )
            for line in workflow.baseline_lines(project_id)
        ]
        workflow.record_actuals(project_id, entries, user="local", expected_row_version=None)
        workflow.set_status(project_id, "done", user="local", expected_row_version=None)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_calibrated_estimate_shows_both_totals_and_its_evidence(lang: str) -> None:
    finished_history(3, lang)
    project_id = estimated_project(SAMPLE_NAMES, language=lang)
    workflow = flow()
    priced, plain = workflow.priced(project_id), workflow.uncalibrated(project_id)
    assert plain.total < priced.total
    at = opened(project_id, "pages/estimate.py", lang=lang)
    assert not at.exception and not at.error
    captions = "\n".join(texts(at.caption))
    assert t("calibration.totals", lang).split("{")[0] in captions
    currency = priced.pricing.currency
    assert (
        format_money(plain.total, currency, lang) in captions and format_money(priced.total, currency, lang) in captions
    )
    subject = t("calibration.column.subject", lang)
    frames = [frame.value for frame in at.dataframe if subject in frame.value.columns]
    assert frames, "the factors the version used are shown"
    [table] = frames
    screen = table[table[subject] == t("kind.screen", lang)]
    assert len(screen) == 1 and screen.iloc[0][t("calibration.column.state", lang)] == t("calibration.state.used", lang)
    assert screen.iloc[0][t("calibration.column.projects", lang)] == 3


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_switch_turns_calibration_off_for_the_next_estimate(lang: str) -> None:
    finished_history(3, lang)
    project_id = estimated_project(SAMPLE_NAMES, language=lang)
    workflow = flow()
    at = opened(project_id, "pages/estimate.py", lang=lang)
    project = workflow.project(project_id)
    switch = at.toggle(key=f"calibration_switch_{project.id}_{project.row_version}")
    assert switch.value is True
    switch.set_value(False).run()
    assert not at.exception
    assert workflow.project(project_id).calibration is False
    workflow.generate_estimate(project_id, expected_row_version=None, user="local")
    assert all(item.line.calibration == 1 for item in workflow.priced(project_id).lines)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_actuals_page_shows_the_project_s_own_accuracy(lang: str) -> None:
    finished_history(1, lang)
    workflow = flow()
    [done] = workflow.list_projects(status="done")
    measured = workflow.project_accuracy(done.id)
    assert measured is not None and measured.actual > measured.estimate
    at = opened(done.id, "pages/actuals.py", lang=lang)
    assert not at.exception and not at.error
    assert t("accuracy.project.title", lang) in texts(at.subheader)
    shown = {metric.label: metric.value for metric in at.metric}
    assert shown[t("accuracy.column.ratio", lang)] == t(
        "accuracy.ratio", lang, value=format_number(measured.ratio, lang)
    )
    kinds = [frame.value for frame in at.dataframe if t("accuracy.column.kind", lang) in frame.value.columns]
    assert kinds and t("kind.screen", lang) in list(kinds[0][t("accuracy.column.kind", lang)])
    fresh = estimated_project(language=lang)
    for status in ("submitted", "won"):
        workflow.set_status(fresh, status, user="local", expected_row_version=None)
    at = opened(fresh, "pages/actuals.py", lang=lang)
    assert not at.exception and t("actuals.import.title", lang) in texts(at.subheader)
    assert t("accuracy.project.title", lang) not in texts(at.subheader), "no actuals yet, nothing to compare"
