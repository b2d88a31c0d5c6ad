"""Issue 11 item 9: no raw identifier or broken English on any screen, in either language.

Every page is drawn through AppTest for a project with deliverables, answers, an estimate, an
adjustment made by a quick action, a manual edit and pending proposals (from the chat and
from a quick action), after a failed model call; each tab of the estimate and each line's
details are opened. Every text the user can read (markdown, captions, alerts, metric labels
and values, widget labels, help and options, expander and tab titles, table headers and
cells, the sidebar) is checked for a locale key, a stored engine or origin identifier, a
"(s)" plural, an English "1 rows", an exponent, and Python's None or NaN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from estimator.errors import EngineError
from estimator.i18n import catalog, t
from tests.ui_support import SAMPLE_NAMES, flow, opened, project_with_deliverables

PAGES = (
    "pages/projects.py",
    "pages/deliverables.py",
    "pages/questions.py",
    "pages/estimate.py",
    "pages/adjust.py",
    "pages/usage.py",
)
ESTIMATE_TABS = ("estimate.tab.lines", "estimate.tab.chart", "estimate.tab.versions", "estimate.tab.notes")
# Proto fields that hold text a user reads; ids, keys, icons, URLs and chart specs are left out.
TEXT_FIELDS = frozenset({"body", "label", "help", "placeholder", "options", "delta", "value"})
NOT_SHOWN = frozenset({"html"})  # the unsaved-work guard's script, never drawn as text
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
CSV_ONE_ROW = "成果物名称,説明\n設計書,画面とDB\n".encode()
REQUEST = {"ja": "テストを20%削減", "en": "cut testing by 20%"}


def forbidden(lang: str) -> dict[str, re.Pattern[str]]:
    """What must never be read on screen in `lang`, by the reason it is wrong."""
    # English has the words "offline" and "manual" ("the offline engine", a user manual): there only a
    # caption part or an engine naming one is an identifier. Japanese never writes them.
    patterns = {
        "engine or origin identifier": r"quick-action|\bopenai:|(?:^|· |[Ee]ngine:? )(?:offline|manual|rules)(?: ·|$)",
        "hedged plural": r"\((?:s|es)\)",
        "one with a plural noun": r"(?<![\d.,])1 (?:rows|deliverables|questions|proposals|projects)\b",
        "exponent": r"\d[eE][+-]\d",
        "Python value": r"\bNone\b|\bnan\b|\bNaN\b",
    }
    if lang == "ja":
        patterns["engine or origin identifier"] += r"|\b(?:offline|manual|rules|generated|adjusted|edited|restored)\b"
        patterns["call kind"] = r"\b(?:questions|estimate|adjust)\b"
    return {reason: re.compile(pattern) for reason, pattern in patterns.items()}


def locale_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Every key of the catalogs (plural forms too) and the namespaces they start with."""
    keys = frozenset(catalog("ja")) | frozenset(catalog("en"))
    return keys, frozenset(key.split(".")[0] for key in keys)


def shown_key(text: str) -> str | None:
    """A locale key inside `text`: an existing one, or `namespace.x.y` shaped like one (an unknown key)."""
    keys, namespaces = locale_keys()
    for word in DOTTED.findall(text):
        if word in keys or (word.split(".")[0] in namespaces and word.count(".") >= 2):
            return word
    return None


def proto_texts(message: Message) -> Iterator[str]:
    """The readable strings of one element's proto, nested messages included."""
    for field, value in message.ListFields():
        for item in [value] if isinstance(value, str | bytes | Message) or not isinstance(value, Iterable) else value:
            if isinstance(item, Message):
                yield from proto_texts(item)
            elif field.name in TEXT_FIELDS and isinstance(item, str):
                yield item


def table_texts(frame: Any) -> Iterator[str]:
    """A table's headers as drawn (the column_config label when there is one) and its cells."""
    config = json.loads(frame.proto.columns or "{}")
    shown = [name for name in frame.value.columns if not config.get(str(name), {}).get("hidden")]
    yield from (config.get(str(name), {}).get("label") or str(name) for name in shown)
    for row in frame.value[shown].itertuples(index=False):
        yield from (str(cell) for cell in row)


def screen_texts(node: Any) -> Iterator[str]:
    """Every readable text under an element-tree node, the sidebar and the page alike."""
    kind = getattr(node, "type", "")
    if kind in NOT_SHOWN:
        return
    proto = getattr(node, "proto", None)
    if kind in ("dataframe", "arrow_data_frame"):
        yield from table_texts(node)
    elif isinstance(proto, Message):
        yield from proto_texts(proto)
    for child in getattr(node, "children", {}).values():
        yield from screen_texts(child)


def problems(at: AppTest, lang: str, where: str) -> list[str]:
    assert not at.exception, (where, at.exception)
    found = []
    for text in screen_texts(at._tree):
        if (key := shown_key(text)) is not None:
            found.append(f"{where}: locale key {key!r} in {text!r}")
        found += [
            f"{where}: {reason} {match.group()!r} in {text!r}"
            for reason, pattern in forbidden(lang).items()
            if (match := pattern.search(text))
        ]
    return found


def full_project(lang: str) -> int:
    """A project in `lang` with a version of each origin (an edit last), pending proposals and a failed call last."""
    workflow = flow()
    project_id = project_with_deliverables(SAMPLE_NAMES, lang)
    project = workflow.generate_questions(project_id, expected_row_version=None, user="local")
    workflow.save_answers(project_id, {project.qa_pairs[0].key: "300"}, expected_row_version=None)
    estimate = workflow.generate_estimate(project_id, expected_row_version=None, user="local")
    buffer = workflow.quick_risk_buffer(project_id, Decimal(10), user="local")
    adjusted = workflow.apply_proposal(project_id, buffer.id, user="local")
    restored = workflow.restore_version(project_id, estimate.number, base_version=adjusted.number, user="local")
    line = workflow.store.get_version(project_id).lines[0].deliverable
    workflow.edit_lines(project_id, {line: Decimal(3)}, base_version=restored.number, user="local")
    workflow.propose_adjustment(project_id, REQUEST[lang], user="local")
    workflow.quick_unit_cost(project_id, Decimal(50000) if lang == "ja" else Decimal(500), user="local")
    with pytest.raises(EngineError):
        workflow.propose_adjustment(project_id, "???", user="local")
    return project_id


def visits(project_id: int, lang: str) -> Iterator[tuple[str, AppTest]]:
    """Each page, each estimate tab with every line's details open, and a staged one-row upload."""
    for page in PAGES:
        at = opened(project_id, page, lang)
        yield page, at
        if page == "pages/deliverables.py":
            at.file_uploader[0].set_value(("one.csv", CSV_ONE_ROW, "text/csv")).run()
            yield f"{page} (upload)", at
        if page == "pages/estimate.py":
            version = flow().store.get_version(project_id)
            for index in range(1, len(version.lines) + 1):
                at.session_state[f"detail_{version.id}_{index}"] = True
            for tab in ESTIMATE_TABS:
                at.session_state["estimate_tab"] = t(tab, lang)
                yield f"{page} ({tab})", at.run()


def assert_read_everywhere(read: dict[str, list[str]], lang: str) -> None:
    """The scan is only as good as what it reads: the sidebar, tables, tabs, options and each stored identifier."""
    usage = read["pages/usage.py"]
    assert t("sidebar.engine", lang, engine=t("engine.offline", lang)) in usage
    assert t("usage.col.calls", lang) in usage and "日本語" in usage, "a table header and a select option"
    versions = read["pages/estimate.py (estimate.tab.versions)"]
    assert {t(f"origin.{origin}", lang) for origin in ("generated", "adjusted", "edited", "restored")} <= set(versions)
    assert any(t("engine.manual", lang) in text for text in read["pages/estimate.py"]), "the edited version's engine"
    assert any(t("engine.quick_action", lang) in text for text in read["pages/adjust.py"])
    assert any(t("usage.kind.adjust", lang) in text for text in usage)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_page_shows_a_key_an_identifier_or_broken_english(lang: str) -> None:
    project_id = full_project(lang)
    read: dict[str, list[str]] = {}
    found = []
    for where, at in visits(project_id, lang):
        read[where] = list(screen_texts(at._tree))
        found += problems(at, lang, where)
    assert found == []
    assert_read_everywhere(read, lang)


def test_the_scan_catches_what_it_looks_for() -> None:
    assert shown_key("The last call failed: errors.engine.unparsed_request") == "errors.engine.unparsed_request"
    assert shown_key("errors.engine.no_such_message: detail") == "errors.engine.no_such_message"
    assert shown_key("「app.py と同じフォルダー」, legacy_sample_input.xlsx, gpt-4o-mini") is None
    ja, en = forbidden("ja"), forbidden("en")
    assert ja["engine or origin identifier"].search("エンジン offline")
    assert en["engine or origin identifier"].search("For version 2 · quick-action")
    assert en["engine or origin identifier"].search("Version 2 (Edited) · local · Engine: manual")
    assert not en["engine or origin identifier"].search("The offline (built-in) engine · Kind: manual; base size")
    assert en["hedged plural"].search("1 proposal(s) ready")
    assert en["one with a plural noun"].search("Replace the 1 rows with these 2")
    assert not en["one with a plural noun"].search("11 rows, 2.1 rows")
    assert en["exponent"].search("1E+1 person-days") and en["Python value"].search("None")
