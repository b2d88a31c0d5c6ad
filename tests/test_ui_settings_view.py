"""The Settings / Usage page's settings part: the quote's issuer and staff settings, and how to fill them."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from estimator.i18n import t
from tests.ui_support import app, texts

QUOTE_SETTINGS = ("ISSUER_COMPANY", "ISSUER_ADDRESS", "ISSUER_REGISTRATION_NUMBER", "ISSUER_CONTACT", "STAFF_NAMES")


def settings_page(lang: str) -> AppTest:
    at = app()
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/usage.py").run()
    assert not at.exception
    return at


def settings_table(at: AppTest, lang: str) -> dict[str, str]:
    frame = at.dataframe[-1].value
    return dict(zip(frame[t("usage.settings.name", lang)], frame[t("usage.settings.value", lang)], strict=True))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_empty_issuer_block_is_explained_with_its_variables_and_file(lang: str) -> None:
    at = settings_page(lang)
    hint = t("usage.settings.issuer_missing", lang)
    assert hint in texts(at.info)
    for name in QUOTE_SETTINGS[:4]:
        assert f"`{name}`" in hint
    assert "/opt/estimator/.env" in hint and "`.env`" in hint
    table = settings_table(at, lang)
    assert {name: table[name] for name in QUOTE_SETTINGS} == dict.fromkeys(QUOTE_SETTINGS, "—")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_set_issuer_needs_no_hint_and_every_quote_setting_is_listed(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {
        "ISSUER_COMPANY": "株式会社見積",
        "ISSUER_ADDRESS": "東京都千代田区1-1",
        "ISSUER_REGISTRATION_NUMBER": "T1234567890123",
        "ISSUER_CONTACT": "03-0000-0000",
        "STAFF_NAMES": "yamada=山田 花子; suzuki=Suzuki Ichiro",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    at = settings_page(lang)
    assert t("usage.settings.issuer_missing", lang) not in texts(at.info)
    table = settings_table(at, lang)
    assert {name: table[name] for name in QUOTE_SETTINGS} == {
        **values,
        "STAFF_NAMES": "yamada=山田 花子;suzuki=Suzuki Ichiro",
    }
