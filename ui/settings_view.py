"""The Settings / Usage page's tables: settings with every secret reduced to set / not set,
and what to do about a setting the quote needs but nobody filled in."""

from __future__ import annotations

from estimator.config import Settings, hide_password
from estimator.schemas import CallTotals
from ui.context import tr
from ui.formatting import number, usd

SECRETS = frozenset({"openai_api_key"})
SHOWN = (
    "language",
    "openai_model",
    "openai_base_url",
    "openai_api_key",
    "openai_timeout",
    "openai_max_retries",
    "daily_cost_limit_usd",
    "monthly_cost_limit_usd",
    "rate_limit_per_hour",
    "daily_unit_cost_jpy",
    "daily_unit_cost_usd",
    "tax_rate_ja",
    "tax_rate_en",
    "rounding",
    "quote_validity_days",
    "data_retention_days",
    "max_upload_size_mb",
    "database_url",
    "data_dir",
    "host",
    "port",
    "issuer_company",
    "issuer_address",
    "issuer_registration_number",
    "issuer_contact",
    "staff_names",
)


def base_url(config: Settings) -> str:
    return hide_password(config.openai_base_url) or tr("usage.settings.default_base_url")


def _value(config: Settings, name: str) -> str:
    if name in SECRETS:
        return tr("usage.settings.set") if getattr(config, name) else tr("usage.settings.not_set")
    if name == "database_url":
        return hide_password(config.database_url_effective)
    if name == "openai_base_url":
        return base_url(config)
    if name == "staff_names":
        # Written back in STAFF_NAMES's own format, so the operator sees what to edit.
        return ";".join(f"{login}={shown}" for login, shown in config.staff_names.items()) or "—"
    value = getattr(config, name)
    if value in ("", None):
        return "—"
    return str(value)


def issuer_hint(config: Settings) -> str | None:
    """How to fill in the quote's issuer block when it is empty (quotes then print no issuer), else None."""
    return None if config.issuer_company else tr("usage.settings.issuer_missing")


def settings_rows(config: Settings) -> list[dict[str, str]]:
    return [
        {tr("usage.settings.name"): name.upper(), tr("usage.settings.value"): _value(config, name)} for name in SHOWN
    ]


def usage_row(label: str, value: str, totals: CallTotals) -> dict[str, str]:
    """Calls, errors, tokens and cost of a group of model calls, under `label`."""
    return {
        label: value,
        tr("usage.col.calls"): number(totals.calls, 0),
        tr("usage.col.errors"): number(totals.errors, 0),
        tr("usage.col.prompt_tokens"): number(totals.prompt_tokens, 0),
        tr("usage.col.completion_tokens"): number(totals.completion_tokens, 0),
        tr("usage.col.cost"): usd(totals.cost_usd),
    }
