"""ui/formatting.py's labels for stored identifiers: every value the code can store reads as words,
and an unknown one as a generic label, never as the identifier or a locale key."""

from __future__ import annotations

import pytest

from estimator.i18n import LANGUAGES, has_key, t
from estimator.schemas import OFFLINE_MODEL, Author, CallStatus, VersionOrigin
from ui.formatting import call_error_label, call_kind_label, call_status_label, engine_label, origin_label

CALL_KINDS = ("questions", "estimate", "adjust", "propose_deliverables")  # what the engines record (engines/*.py)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_engine_that_is_not_a_model_has_its_own_label(lang: str) -> None:
    labels = {name: engine_label(name, lang) for name in (OFFLINE_MODEL, Author.QUICK_ACTION, Author.MANUAL)}
    assert labels == {
        OFFLINE_MODEL: t("engine.offline", lang),
        Author.QUICK_ACTION: t("engine.quick_action", lang),
        Author.MANUAL: t("engine.manual", lang),
    }
    assert len(set(labels.values())) == 3


def test_the_offline_engine_reads_as_words_in_both_languages() -> None:
    assert engine_label("offline", "ja") == "オフライン（内蔵エンジン）"
    assert engine_label("offline", "en") == "Offline (built-in engine)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_any_other_engine_is_the_model_it_names(lang: str) -> None:
    assert engine_label("gpt-4o-mini", lang) == t("engine.openai", lang, model="gpt-4o-mini")
    assert "gpt-4o-mini" in engine_label("gpt-4o-mini", lang) and "{" not in engine_label("gpt-4o-mini", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_version_origin_has_a_label_and_an_unknown_one_reads_as_other(lang: str) -> None:
    for origin in VersionOrigin:
        assert has_key(f"origin.{origin}", lang)
        assert origin_label(origin, lang) == t(f"origin.{origin}", lang)
    assert origin_label("merged", lang) == t("origin.unknown", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_call_kinds_and_statuses_are_words(lang: str) -> None:
    for kind in CALL_KINDS:
        assert call_kind_label(kind, lang) == t(f"usage.kind.{kind}", lang)
    assert call_kind_label("translate", lang) == t("usage.kind.unknown", lang)
    for status in CallStatus:
        assert call_status_label(status, lang) == t(f"usage.status.{status}", lang)
    assert call_status_label("cancelled", lang) == t("usage.status.error", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_stored_error_key_is_its_message_with_the_missing_values_marked(lang: str) -> None:
    message, detail = call_error_label("errors.engine.unparsed_request", lang)
    assert message == t("errors.engine.unparsed_request", lang, request="…", forms="…")
    assert "{" not in message and "errors." not in message and detail == ""
    message, detail = call_error_label("errors.engine.rejected: HTTP 400 invalid_request_error: bad schema", lang)
    assert message == t("errors.engine.rejected", lang, status="…")
    assert detail == "HTTP 400 invalid_request_error: bad schema"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unknown_key_or_an_engines_own_text_reads_as_a_generic_failure(lang: str) -> None:
    generic = t("usage.engine.error_unknown", lang)
    assert call_error_label("errors.engine.gone_away", lang) == (generic, "")
    assert call_error_label("errors.engine.gone_away: socket closed", lang) == (generic, "socket closed")
    text = "the answer does not follow the JSON schema (l.0.d: field required)"
    assert call_error_label(text, lang) == (generic, text)
