"""The Accuracy page's parts: the firm-wide measures as metrics, three charts and the tables behind them.

Everything comes from `Workflow.accuracy()`; this module only shapes it for the screen. Figures are
formatted here (percentages, ratios, person-days, dates) so the page stays a list of sections, and
every chart carries its labels and tooltips in the user's language, already formatted, because
Vega-Lite would otherwise write numbers and dates its own (English) way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from statistics import median
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from estimator.schemas import PHASES, AccuracyReport, DeliverableKind, Measures, ProjectAccuracy
from ui.context import tr, workflow
from ui.formatting import day, days, number, when

if TYPE_CHECKING:
    import altair as alt

OVER = "#e45756"
"""A kind whose work took more than estimated (positive bias): the firm under-estimates it."""
UNDER = "#4c78a8"
"""A kind whose work took less than estimated (negative bias)."""
REFERENCE = "#888888"
MISSING = "—"


def percent(value: float | None, *, signed: bool = False) -> str:
    """A share as a whole percentage, 「33%」; `signed` writes 「+50%」 so a bias reads as a direction."""
    if value is None:
        return MISSING
    sign = "+" if signed and round(value * 100) > 0 else ""
    return tr("accuracy.percent", value=sign + number(value * 100, 0))


def ratio(project: ProjectAccuracy) -> str:
    """Actual ÷ estimate as a factor, 「×1.21」; a project estimated at nothing has none."""
    return tr("accuracy.ratio", value=number(project.ratio, 2)) if project.estimate > 0 else MISSING


def metrics(measures: Measures, heading: str) -> None:
    """One row of the four figures an analyst reads first, under `heading` (as submitted, as first generated)."""
    with st.container(border=True):
        st.markdown(f"**{heading}**")
        projects, mdmre, pred25, bias = st.columns(4)
        projects.metric(tr("accuracy.metric.projects"), number(measures.projects, 0))
        mdmre.metric(tr("accuracy.metric.mdmre"), percent(measures.mdmre))
        pred25.metric(tr("accuracy.metric.pred25"), percent(measures.pred25))
        bias.metric(tr("accuracy.metric.bias"), percent(measures.bias, signed=True))


def summary(report: AccuracyReport) -> None:
    """The measures as submitted beside those as first generated: the gap shows what the chat's discounts cost."""
    metrics(report.overall, tr("accuracy.overall"))
    metrics(report.first_generated, tr("accuracy.first_generated"))
    st.caption(tr("accuracy.metrics.caption"))


def charts(report: AccuracyReport) -> None:
    """Estimate against actual and the bias by kind side by side, the accuracy over time below them."""
    st.subheader(tr("accuracy.charts.title"))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('accuracy.chart.scatter.title')}**")
        scatter = estimate_chart(report.projects)
        if scatter is not None:
            st.altair_chart(scatter, width="stretch")
        st.caption(tr("accuracy.chart.scatter.caption"))
    with right:
        st.markdown(f"**{tr('accuracy.chart.bias.title')}**")
        st.altair_chart(bias_chart(report.by_kind), width="stretch")
        st.caption(tr("accuracy.chart.bias.caption"))
    st.markdown(f"**{tr('accuracy.chart.trend.title')}**")
    trend = trend_chart(report.projects)
    if trend is not None:
        st.altair_chart(trend, width="stretch")
    st.caption(tr("accuracy.chart.trend.caption"))


def _tooltip(project: ProjectAccuracy) -> dict[str, str]:
    """A project's tooltip fields, formatted in the user's language."""
    return {
        "title": project.title,
        "quote": project.quote_number,
        "estimate_text": number(project.estimate),
        "actual_text": number(project.actual),
        "ratio_text": ratio(project),
    }


def log_ticks(low: float, high: float) -> list[float]:
    """The 1–2–5 steps of each decade between `low` and `high`: a log axis otherwise labels 2, 3 … 9 of
    every decade, which crowds one end and leaves the other bare."""
    ticks = []
    decade = 10.0 ** math.floor(math.log10(low))
    while decade <= high:
        ticks += [step * decade for step in (1, 2, 5) if low <= step * decade <= high]
        decade *= 10
    return ticks


def estimate_chart(projects: Sequence[ProjectAccuracy]) -> alt.LayerChart | None:
    """Each project's estimate against its actual on log–log axes, so a 50-day and a 500-day project both read,
    with the dashed line where they would be equal; None when no project has both figures above zero.

    Altair (about 25 MB once imported) is loaded only when the page draws a chart.
    """
    import altair as alt

    plotted = [p for p in projects if p.estimate > 0 and p.actual > 0]
    if not plotted:
        return None
    figures = [float(figure) for p in plotted for figure in (p.estimate, p.actual)]
    low, high = min(figures), max(figures)
    rows = [{"estimate": float(p.estimate), "actual": float(p.actual), **_tooltip(p)} for p in plotted]
    scale = alt.Scale(type="log", domain=[low / 1.3, high * 1.3], nice=False)
    axis = alt.Axis(values=log_ticks(low / 1.3, high * 1.3))
    x = alt.X("estimate:Q", title=tr("accuracy.chart.estimate"), scale=scale, axis=axis)
    y = alt.Y("actual:Q", title=tr("accuracy.chart.actual"), scale=scale, axis=axis)
    reference = (
        alt.Chart(pd.DataFrame({"estimate": [low, high], "actual": [low, high]}))
        .mark_line(strokeDash=[6, 4], color=REFERENCE)
        .encode(x=x, y=y)
    )
    points = (
        alt.Chart(pd.DataFrame(rows))
        .mark_circle(size=90, opacity=0.85, color=UNDER)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("title:N", title=tr("accuracy.column.title")),
                alt.Tooltip("quote:N", title=tr("accuracy.column.quote")),
                alt.Tooltip("estimate_text:N", title=tr("accuracy.chart.estimate")),
                alt.Tooltip("actual_text:N", title=tr("accuracy.chart.actual")),
                alt.Tooltip("ratio_text:N", title=tr("accuracy.column.ratio")),
            ],
        )
    )
    return (reference + points).properties(height=320)


def bias_chart(by_kind: Mapping[str, Measures]) -> alt.LayerChart:
    """The median bias of each kind as a bar from zero (right: took more, left: took less), with the number of
    projects it rests on beside the bar, so a large bias measured once is not mistaken for a trend."""
    import altair as alt

    biases = {kind: measures.bias for kind, measures in by_kind.items() if measures.bias is not None}
    kinds = sorted(biases, key=lambda kind: -biases[kind])
    labels = [tr(f"kind.{kind}") for kind in kinds]
    rows = [
        {
            "kind": label,
            "bias": biases[kind] * 100,
            "bias_text": percent(biases[kind], signed=True),
            "count": tr("accuracy.chart.count", count=by_kind[kind].observations),
        }
        for kind, label in zip(kinds, labels, strict=True)
    ]
    reach = max([10.0, *(abs(bias) * 100 for bias in biases.values())]) * 1.35
    data = alt.Chart(pd.DataFrame(rows, columns=["kind", "bias", "bias_text", "count"]))
    y = alt.Y("kind:N", sort=labels, title=None, axis=alt.Axis(labelLimit=200))
    x = alt.X(
        "bias:Q",
        title=tr("accuracy.chart.bias.axis"),
        scale=alt.Scale(domain=[-reach, reach]),
        axis=alt.Axis(tickCount=6, labelOverlap=True),
    )
    bars = data.mark_bar().encode(
        x=x,
        y=y,
        color=alt.condition(alt.datum.bias > 0, alt.value(OVER), alt.value(UNDER)),
        tooltip=[
            alt.Tooltip("kind:N", title=tr("accuracy.column.kind")),
            alt.Tooltip("bias_text:N", title=tr("accuracy.column.bias")),
            alt.Tooltip("count:N", title=tr("accuracy.column.projects")),
        ],
    )
    right = data.transform_filter(alt.datum.bias >= 0).mark_text(align="left", dx=4).encode(x=x, y=y, text="count:N")
    left = data.transform_filter(alt.datum.bias < 0).mark_text(align="right", dx=-4).encode(x=x, y=y, text="count:N")
    zero = alt.Chart(pd.DataFrame({"bias": [0.0]})).mark_rule(color=REFERENCE).encode(x="bias:Q")
    # A fixed step per kind: a height for the whole chart squeezed five kinds into rows too thin for their labels.
    return (bars + right + left + zero).properties(height=alt.Step(32))


def trend_rows(projects: Sequence[ProjectAccuracy]) -> list[dict[str, object]]:
    """Per finished project, its MRE and the MdMRE of every project finished up to it.

    The report lists projects oldest finished first, so the running median is a walk down the list.
    """
    point, line = tr("accuracy.chart.project_mre"), tr("accuracy.chart.running_mdmre")
    rows: list[dict[str, object]] = []
    so_far: list[float] = []
    for project in projects:
        if project.done_at is None:
            continue
        so_far.append(project.mre)
        common = {"done": project.done_at.isoformat(), "done_text": when(project.done_at), "title": project.title}
        rows.append({**common, "series": point, "value": project.mre * 100, "value_text": percent(project.mre)})
        running = median(so_far)
        rows.append({**common, "series": line, "value": running * 100, "value_text": percent(running)})
    return rows


def trend_chart(projects: Sequence[ProjectAccuracy]) -> alt.LayerChart | None:
    """Each project's MRE by the day it was done, and the running MdMRE as a line: is the firm getting better?
    None when no project has a done date."""
    import altair as alt

    rows = trend_rows(projects)
    if not rows:
        return None
    point, line = tr("accuracy.chart.project_mre"), tr("accuracy.chart.running_mdmre")
    top = max(10.0, *(p.mre * 100 for p in projects)) * 1.15  # no running median exceeds the largest error
    data = alt.Chart(pd.DataFrame(rows))
    encoding = {
        "x": alt.X(
            "done:T",
            title=tr("accuracy.chart.done"),
            scale=alt.Scale(padding=16),  # the first and last points whole, not halved by the frame
            axis=alt.Axis(format="%Y-%m", tickCount="month", labelAngle=0, labelOverlap=True),
        ),
        "y": alt.Y("value:Q", title=tr("accuracy.chart.mre"), scale=alt.Scale(domain=[0, top])),
        "color": alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[point, line], range=[UNDER, OVER]),
            legend=alt.Legend(orient="bottom"),
        ),
        "tooltip": [
            alt.Tooltip("title:N", title=tr("accuracy.column.title")),
            alt.Tooltip("done_text:N", title=tr("accuracy.column.done")),
            alt.Tooltip("series:N", title=None),
            alt.Tooltip("value_text:N", title=tr("accuracy.column.mre")),
        ],
    }
    points = data.transform_filter(alt.datum.series == point).mark_circle(size=80).encode(**encoding)
    running = data.transform_filter(alt.datum.series == line).mark_line(point=True).encode(**encoding)
    return (running + points).properties(height=280)


def measures_frame(groups: Mapping[str, Measures], heading: str, label: Callable[[str], str]) -> pd.DataFrame:
    """One row per group (a kind, a phase, a type): how many projects and lines it rests on, and its measures."""
    columns = [heading, *(tr(f"accuracy.column.{name}") for name in ("projects", "lines", "mdmre", "pred25", "bias"))]
    return pd.DataFrame(
        [
            [
                label(group),
                number(measures.projects, 0),
                number(measures.lines, 0),
                percent(measures.mdmre),
                percent(measures.pred25),
                percent(measures.bias, signed=True),
            ]
            for group, measures in groups.items()
        ],
        columns=columns,
    )


GROUPS = {"kind": "kind", "phase": "phase", "type": "sizing.type"}
"""Each grouping of the measures, by the locale prefix that names its values."""


def _display_order(group: str) -> list[str]:
    """The order an analyst knows the values in: kinds and phases as declared (要件定義 → 総合テスト), types
    as the sizing lists them; the report keys them alphabetically, which reads as no order at all."""
    if group == "kind":
        return [kind.value for kind in DeliverableKind]
    if group == "phase":
        return [phase.value for phase in PHASES]
    return workflow().project_types()


def ordered(groups: Mapping[str, Measures], group: str) -> dict[str, Measures]:
    """`groups` in the display order, any value the order does not know last."""
    order = _display_order(group)
    rank = {value: index for index, value in enumerate(order)}
    return {value: groups[value] for value in sorted(groups, key=lambda value: (rank.get(value, len(order)), value))}


def measures_table(groups: Mapping[str, Measures], group: str, *, empty: str = "accuracy.table.empty") -> None:
    """The measures by kind, phase or type (`group`), under their subheader; `empty` says why there are none."""
    st.subheader(tr(f"accuracy.by_{group}.title"))
    if not groups:
        st.info(tr(empty))
        return
    frame = measures_frame(
        ordered(groups, group), tr(f"accuracy.column.{group}"), lambda value: tr(f"{GROUPS[group]}.{value}")
    )
    _table(frame, 1, f"accuracy_by_{group}")


def _table(frame: pd.DataFrame, words: int, key: str) -> None:
    """A table whose first `words` columns are words and the rest figures, right-aligned so the digits line up."""
    config = {name: st.column_config.TextColumn(alignment="right") for name in frame.columns[words:]}
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config, key=key)


def projects_frame(projects: Sequence[ProjectAccuracy]) -> pd.DataFrame:
    """Each completed project's estimate (as submitted and as first generated) against what it took, in
    person-days: the unit is in the title, as ten columns of "person-days" would not fit the page."""
    names = (
        "quote",
        "title",
        "type",
        "done",
        "estimate",
        "first_estimate",
        "actual",
        "change_requests",
        "ratio",
        "mre",
    )
    return pd.DataFrame(
        [
            [
                p.quote_number,
                p.title,
                tr(f"sizing.type.{p.project_type}") if p.project_type else MISSING,
                day(p.done_at.astimezone().date()) if p.done_at else MISSING,
                number(p.estimate),
                number(p.first_estimate),
                number(p.actual),
                number(p.change_requests),
                ratio(p),
                percent(p.mre),
            ]
            for p in projects
        ],
        columns=[tr(f"accuracy.column.{name}") for name in names],
    )


def projects_table(projects: Sequence[ProjectAccuracy]) -> None:
    """The per-project table, with what its sums cover (change requests are in no estimate)."""
    st.subheader(tr("accuracy.projects.title"))
    _table(projects_frame(projects), 4, "accuracy_projects")
    st.caption(tr("accuracy.projects.caption"))


def kind_frame(project: ProjectAccuracy) -> pd.DataFrame:
    """One project's lines with actuals added up by kind: what each kind was estimated at and what it took."""
    names = ("kind", "estimate", "actual", "ratio")
    return pd.DataFrame(
        [
            [
                tr(f"kind.{kind.value}"),
                number(estimate),
                number(actual),
                tr("accuracy.ratio", value=number(actual / estimate, 2)) if estimate else MISSING,
            ]
            for kind, (estimate, actual, _lines) in project.by_kind().items()
        ],
        columns=[tr(f"accuracy.column.{name}") for name in names],
    )


def project_summary(project: ProjectAccuracy, *, finished: bool) -> None:
    """On the Actuals page: this project's estimate against what it took (so far, while it is 受注)."""
    st.subheader(tr("accuracy.project.title"))
    with st.container(horizontal=True, gap="large", key="project_accuracy"):
        st.metric(tr("accuracy.column.estimate"), days(project.estimate), width="content")
        st.metric(tr("accuracy.column.first_estimate"), days(project.first_estimate), width="content")
        st.metric(tr("accuracy.column.actual"), days(project.actual), width="content")
        st.metric(tr("accuracy.column.ratio"), ratio(project), width="content")
        st.metric(tr("accuracy.column.mre"), percent(project.mre), width="content")
    _table(kind_frame(project), 1, "project_accuracy_kinds")
    st.caption(tr("accuracy.project.caption" if finished else "accuracy.project.in_progress"))
