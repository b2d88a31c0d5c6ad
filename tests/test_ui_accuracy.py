"""Issue 13 item 3, the Accuracy page: firm-wide measures, three charts, the tables and the calibration
factors, drawn from a history built through the real workflow — in both languages.

The expected figures are worked out here from what each project was estimated at and what was
recorded against it, not read back from `Workflow.accuracy()`, so a wrong measure fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from statistics import median
from typing import Any

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from estimator.i18n import format_number, t
from estimator.schemas import PHASES, ActualEntry, Deliverable, DeliverableKind
from tests.test_ui_text_scan import problems, shown_key
from tests.ui_support import app, flow, texts

PAGE = "pages/accuracy.py"
SCREEN_OVERRUN = Decimal("1.5")
# Three projects of different sizes, so their errors differ and the median is one of them.
ITEMS = {
    "ja": (
        ("ログイン画面", "運用マニュアル"),
        ("ログイン画面", "受注一覧画面", "運用マニュアル"),
        ("ログイン画面", "受注一覧画面", "受注登録画面", "請求書出力", "顧客連携API"),
    ),
    "en": (
        ("Login screen", "Operations manual"),
        ("Login screen", "Order list screen", "Operations manual"),
        ("Login screen", "Order list screen", "Order entry screen", "Invoice printing", "Customer API"),
    ),
}


@dataclass(frozen=True)
class Done:
    """A completed project's figures as the test made them: submitted and first generated estimate, actual."""

    estimate: Decimal
    first: Decimal
    actual: Decimal

    def mre(self, estimate: Decimal) -> float:
        return float(abs(self.actual - estimate) / self.actual)


def completed(lang: str, names: tuple[str, ...], title: str, *, by_phase: bool = False) -> Done:
    """A project estimated by the offline engine, submitted, won, its screens taking 1.5× their estimate (every
    other line as estimated), and done; `by_phase`: the actuals booked per phase, as a timesheet import gives."""
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(lang), title=title), user="local")
    workflow.save_deliverables(
        project.id, [Deliverable(name=name) for name in names], requirements="", expected_row_version=None
    )
    workflow.generate_estimate(project.id, expected_row_version=None, user="local")
    first = workflow.baseline_lines(project.id)
    screens = {line.deliverable for line in first if line.kind == DeliverableKind.SCREEN}
    assert screens, "each project has screens"
    workflow.set_status(project.id, "submitted", user="local", expected_row_version=None)
    workflow.set_status(project.id, "won", user="local", expected_row_version=None)
    took = {
        line.deliverable: line.phases.scaled(SCREEN_OVERRUN if line.deliverable in screens else Decimal(1))
        for line in first
    }
    if by_phase:
        entries = [ActualEntry(name, split.get(p), p) for name, split in took.items() for p in PHASES if split.get(p)]
    else:
        entries = [ActualEntry(name, split.total) for name, split in took.items()]
    workflow.record_actuals(project.id, entries, user="local", expected_row_version=None)
    workflow.set_status(project.id, "done", user="local", expected_row_version=None)
    submitted = sum((line.person_days for line in workflow.baseline_lines(project.id)), Decimal(0))
    actual = sum((entry.person_days for entry in entries), Decimal(0))
    return Done(submitted, sum((line.person_days for line in first), Decimal(0)), actual)


def history(lang: str) -> list[Done]:
    return [
        completed(lang, names, f"{t('accuracy.column.title', lang)} {index}", by_phase=index == len(ITEMS[lang]))
        for index, names in enumerate(ITEMS[lang], start=1)
    ]


def accuracy_page(lang: str) -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def percent(value: float, lang: str, *, signed: bool = False) -> str:
    sign = "+" if signed and round(value * 100) > 0 else ""
    return t("accuracy.percent", lang, value=sign + format_number(value * 100, lang, 0))


def expected_metrics(done: list[Done], lang: str, *, first: bool) -> list[str]:
    """Completed projects, MdMRE, Pred(25) and bias as the page should show them, from the test's own figures."""
    estimates = [item.first if first else item.estimate for item in done]
    errors = [item.mre(estimate) for item, estimate in zip(done, estimates, strict=True)]
    bias = median(float(item.actual / estimate) for item, estimate in zip(done, estimates, strict=True)) - 1
    pred25 = sum(error <= 0.25 for error in errors) / len(errors)
    return [
        str(len(done)),
        percent(median(errors), lang),
        percent(pred25, lang),
        percent(bias, lang, signed=True),
    ]


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its Vega-Lite spec and its named datasets (Streamlit ships them apart, as Arrow)."""

    spec: dict[str, Any]
    datasets: dict[str, pd.DataFrame]

    def layer(self, index: int) -> dict[str, Any]:
        return self.spec["layer"][index]

    def rows(self, index: int) -> list[dict[str, Any]]:
        """The data of layer `index` (its own, or the chart's when the layers share it)."""
        source = self.layer(index).get("data") or self.spec["data"]
        return self.datasets[source["name"]].to_dict("records")


def charts(at: AppTest) -> list[Chart]:
    """The page's charts, in the order drawn."""
    return [
        Chart(
            json.loads(chart.proto.spec),
            {item.name: convert_arrow_bytes_to_pandas_df(item.data.data) for item in chart.proto.datasets},
        )
        for chart in at.get("vega_lite_chart")
    ]


def spec_strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from spec_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from spec_strings(value)


def table(at: AppTest, heading: str) -> pd.DataFrame:
    """The one table whose first column is headed `heading` (a table drawn without selection has no key)."""
    found = [frame.value for frame in at.dataframe if list(frame.value.columns)[:1] == [heading]]
    assert len(found) == 1, f"{len(found)} tables headed {heading!r}"
    return found[0]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_without_completed_projects_the_page_says_how_to_get_there(lang: str) -> None:
    workflow = flow()
    project = workflow.create_project(replace(workflow.project_defaults(lang), title="受注"), user="local")
    workflow.save_deliverables(
        project.id, [Deliverable(name="ログイン画面")], requirements="", expected_row_version=None
    )
    workflow.generate_estimate(project.id, expected_row_version=None, user="local")
    workflow.set_status(project.id, "submitted", user="local", expected_row_version=None)
    workflow.set_status(project.id, "won", user="local", expected_row_version=None)
    line = workflow.baseline_lines(project.id)[0]
    workflow.record_actuals(
        project.id, [ActualEntry(line.deliverable, Decimal(9))], user="local", expected_row_version=None
    )

    at = accuracy_page(lang)

    assert texts(at.title) == [t("accuracy.title", lang)]
    said = t(
        "accuracy.empty",
        lang,
        won=t("project_status.won", lang),
        done=t("project_status.done", lang),
        actuals=t("nav.actuals", lang),
    )
    assert texts(at.info) == [said], "a won project with actuals is not yet completed"
    assert at.get("vega_lite_chart") == [] and list(at.metric) == []
    assert problems(at, lang, PAGE) == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_completed_projects_show_their_measures_charts_tables_and_factors(lang: str) -> None:
    done = history(lang)

    at = accuracy_page(lang)

    values = [metric.value for metric in at.metric]
    assert values[:4] == expected_metrics(done, lang, first=False)
    assert values[4:] == expected_metrics(done, lang, first=True)
    labels = [metric.label for metric in at.metric][:4]
    assert labels == [t(f"accuracy.metric.{name}", lang) for name in ("projects", "mdmre", "pred25", "bias")]
    assert texts(at.info) == []
    by_phase = table(at, t("accuracy.column.phase", lang))
    assert list(by_phase[t("accuracy.column.phase", lang)]) == [t(f"phase.{p}", lang) for p in PHASES]
    assert set(by_phase[t("accuracy.column.projects", lang)]) == {"1"}, "only the last project booked by phase"

    by_kind = table(at, t("accuracy.column.kind", lang)).set_index(t("accuracy.column.kind", lang))
    assert by_kind.loc[t("kind.screen", lang), t("accuracy.column.bias", lang)] == percent(0.5, lang, signed=True)
    assert by_kind.loc[t("kind.manual", lang), t("accuracy.column.bias", lang)] == percent(0.0, lang)
    projects = table(at, t("accuracy.column.quote", lang))
    assert len(projects) == 3
    assert set(projects[t("accuracy.column.type", lang)]) == {t("sizing.type.business_system", lang)}

    factors = table(at, t("calibration.column.subject", lang)).set_index(t("calibration.column.subject", lang))
    screen = factors.loc[t("kind.screen", lang), t("calibration.column.factor", lang)]
    assert screen.startswith("×") and Decimal(screen[1:]) > 1
    assert factors.loc[t("kind.manual", lang), t("calibration.column.factor", lang)] == "×1.00"

    assert problems(at, lang, PAGE) == []
    drawn = charts(at)
    assert len(drawn) == 3
    shown = [text for chart in drawn for frame in chart.datasets.values() for text in frame.astype(str).values.flat]
    assert [text for text in [*spec_strings([chart.spec for chart in drawn]), *shown] if shown_key(text)] == []


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_three_charts_plot_what_the_history_holds(lang: str) -> None:
    done = history(lang)

    scatter, bias, trend = charts(accuracy_page(lang))

    axes = [layer["encoding"][axis]["scale"]["type"] for layer in scatter.spec["layer"] for axis in ("x", "y")]
    assert axes == ["log"] * 4, "estimate and actual on log scales, the reference line too"
    reference, points = scatter.rows(0), scatter.rows(1)
    assert [row["estimate"] for row in reference] == [row["actual"] for row in reference], "the line is y = x"
    assert scatter.layer(0)["mark"]["strokeDash"], "the y = x line is dashed"
    tooltip = {item["title"] for item in scatter.layer(1)["encoding"]["tooltip"]}
    names = ("column.title", "column.quote", "chart.estimate", "chart.actual", "column.ratio")
    assert tooltip == {t(f"accuracy.{name}", lang) for name in names}
    assert sorted(point["actual"] for point in points) == sorted(float(item.actual) for item in done)
    assert reference[0]["actual"] <= min(float(item.estimate) for item in done)
    assert reference[1]["actual"] >= max(float(item.actual) for item in done)

    screen = next(bar for bar in bias.rows(0) if bar["kind"] == t("kind.screen", lang))
    assert screen["bias"] == pytest.approx(50, abs=0.5)
    assert screen["count"] == t("accuracy.chart.count", lang, count=3)
    assert [bias.layer(index)["mark"]["type"] for index in range(3)] == ["bar", "text", "text"]
    assert bias.layer(1)["encoding"]["text"]["field"] == "count", "each bar is labelled with its count"

    rows = trend.rows(0)
    running = [row["value"] for row in rows if row["series"] == t("accuracy.chart.running_mdmre", lang)]
    errors = [item.mre(item.estimate) * 100 for item in done]
    assert running == pytest.approx([median(errors[: index + 1]) for index in range(3)])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_says_when_calibration_is_off(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    history(lang)
    monkeypatch.setenv("CALIBRATION", "false")

    at = accuracy_page(lang)

    assert t("calibration.off_globally", lang) in texts(at.info)
    assert problems(at, lang, PAGE) == []
