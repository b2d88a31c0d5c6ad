"""Settings / Usage: the effective settings (secrets only as set / not set), the engine
and its state, model usage and cost per day and per project, what is left of the caps,
and the rate tables the estimates are sized with (edited, exported and imported)."""

from __future__ import annotations

import streamlit as st

from ui import rates_view, settings_view
from ui.context import lang, settings, through_app, tr, user, workflow
from ui.formatting import (
    call_error_label,
    call_kind_label,
    call_status_label,
    day,
    engine_in_use,
    engine_label,
    number,
    usd,
    when,
)

through_app()

CAP_SETTINGS = {"daily": "DAILY_COST_LIMIT_USD", "monthly": "MONTHLY_COST_LIMIT_USD", "rate": "RATE_LIMIT_PER_HOUR"}

flow = workflow()
config = settings()
usage = flow.usage(user())

st.title(tr("usage.title"))

last = usage.last_call
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
                kind=call_kind_label(last.kind, lang()),
                model=engine_label(last.model, lang()),
                status=call_status_label(last.status, lang()),
                latency=number(last.latency_ms, 0),
            )
        )
        if last.status != "ok" and last.error:
            message, detail = call_error_label(last.error, lang())
            st.warning(tr("usage.engine.last_error", error=message))
            if detail:
                st.caption(tr("usage.engine.error_detail", detail=detail[:300]))
    st.caption(tr("usage.engine.in_use", engine=engine_in_use()))

st.subheader(tr("usage.caps.title"))
for column, cap in zip(st.columns(len(usage.caps)), usage.caps, strict=True):
    shown = usd if cap.name != "rate" else (lambda value: number(value, 0))
    with column, st.container(border=True):
        if cap.limit is not None and cap.left is not None:
            st.metric(
                tr(f"usage.caps.{cap.name}"), tr("usage.caps.left", left=shown(cap.left)), help=tr("usage.caps.help")
            )
            st.progress(cap.share, text=tr("usage.caps.used", used=shown(cap.used), limit=shown(cap.limit)))
        else:
            st.metric(tr(f"usage.caps.{cap.name}"), tr("usage.caps.none"))
            st.caption(tr("usage.caps.used_plain", used=shown(cap.used)))
        st.caption(tr("usage.caps.setting", name=CAP_SETTINGS[cap.name]))

st.subheader(tr("usage.per_day.title"))
if not usage.per_day:
    st.info(tr("usage.none"))
else:
    st.dataframe(
        [settings_view.usage_row(tr("usage.col.day"), day(entry.day), entry.totals) for entry in usage.per_day],
        hide_index=True,
        width="stretch",
    )
    st.subheader(tr("usage.per_project.title"))
    st.dataframe(
        [
            settings_view.usage_row(
                tr("usage.col.project"),
                (entry.title or tr("usage.deleted_project")) if entry.project_id else tr("usage.no_project"),
                entry.totals,
            )
            for entry in usage.per_project
        ],
        hide_index=True,
        width="stretch",
    )

rates_view.rate_tables()

st.subheader(tr("usage.settings.title"))
st.caption(tr("usage.settings.intro"))
if (hint := settings_view.issuer_hint(config)) is not None:
    st.info(hint)
st.dataframe(settings_view.settings_rows(config), hide_index=True, width="stretch")
