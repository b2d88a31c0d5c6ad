"""Settings / Usage: the effective settings (secrets only as set / not set), the engine
and its state, model usage and cost per day and per project, and what is left of the caps."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import streamlit as st

from estimator.models import LLMCall
from estimator.store import start_of_day, start_of_month
from ui import settings_view
from ui.context import settings, through_app, tr, user, workflow
from ui.formatting import day, number, usd, when
from ui.steps import engine_label

through_app()

CAP_SETTINGS = {"daily": "DAILY_COST_LIMIT_USD", "monthly": "MONTHLY_COST_LIMIT_USD", "rate": "RATE_LIMIT_PER_HOUR"}

flow = workflow()
config = settings()
now = datetime.now(UTC)

st.title(tr("usage.title"))

calls = flow.store.llm_calls(since=start_of_month(now))
last = calls[-1] if calls else None
with st.container(border=True):
    st.subheader(tr("usage.engine.title"))
    if config.openai_api_key:
        st.markdown(tr("usage.engine.openai", model=config.openai_model, url=settings_view.base_url(config)))
    else:
        st.markdown(tr("usage.engine.offline"))
    if last is None:
        st.caption(tr("usage.engine.no_calls"))
    else:
        st.caption(
            tr(
                "usage.engine.last_call",
                when=when(last.created_at),
                kind=last.kind,
                model=last.model,
                status=tr(f"usage.status.{last.status}") if last.status in ("ok", "error") else last.status,
                latency=number(last.latency_ms, 0),
            )
        )
        if last.status != "ok" and last.error:
            st.warning(tr("usage.engine.last_error", error=last.error[:300]))
    st.caption(tr("usage.engine.in_use", engine=engine_label()))

st.subheader(tr("usage.caps.title"))
today_cost = flow.store.cost_since(start_of_day(now))
month_cost = flow.store.cost_since(start_of_month(now))
hour_calls = flow.store.calls_since(now - timedelta(hours=1), created_by=user())
caps = st.columns(3)
for column, cap, used, limit, shown in (
    (caps[0], "daily", today_cost, config.daily_cost_limit_usd, usd),
    (caps[1], "monthly", month_cost, config.monthly_cost_limit_usd, usd),
    (caps[2], "rate", Decimal(hour_calls), Decimal(config.rate_limit_per_hour), lambda v: number(v, 0)),
):
    with column, st.container(border=True):
        if limit:
            left = max(limit - used, Decimal(0))
            st.metric(tr(f"usage.caps.{cap}"), tr("usage.caps.left", left=shown(left)), help=tr("usage.caps.help"))
            st.progress(min(float(used / limit), 1.0), text=tr("usage.caps.used", used=shown(used), limit=shown(limit)))
        else:
            st.metric(tr(f"usage.caps.{cap}"), tr("usage.caps.none"))
            st.caption(tr("usage.caps.used_plain", used=shown(used)))
        st.caption(tr("usage.caps.setting", name=CAP_SETTINGS[cap]))

st.subheader(tr("usage.per_day.title"))
if not calls:
    st.info(tr("usage.none"))
else:
    by_day: dict[str, list[LLMCall]] = defaultdict(list)
    by_project: dict[int | None, list[LLMCall]] = defaultdict(list)
    for call in calls:
        by_day[day(call.created_at)].append(call)
        by_project[call.task_id].append(call)
    st.dataframe(
        [settings_view.usage_row(tr("usage.col.day"), day, items) for day, items in reversed(by_day.items())],
        hide_index=True,
        width="stretch",
    )
    st.subheader(tr("usage.per_project.title"))
    titles = {summary.id: summary.title for summary in flow.store.list_projects()}
    st.dataframe(
        [
            settings_view.usage_row(
                tr("usage.col.project"),
                titles.get(project_id, tr("usage.deleted_project")) if project_id else tr("usage.no_project"),
                items,
            )
            for project_id, items in sorted(by_project.items(), key=lambda pair: -len(pair[1]))
        ],
        hide_index=True,
        width="stretch",
    )

st.subheader(tr("usage.settings.title"))
st.caption(tr("usage.settings.intro"))
st.dataframe(settings_view.settings_rows(config), hide_index=True, width="stretch")
