"""The chat corpus (tests/data/chat_corpus.json) run through the workflow and judged by its own expectations.

Each request is sent to a fresh estimate of the legacy sample plus an admin screen (Japanese: JPY with 10 %
tax; English: USD without tax) and its outcome sorted into correct, clarified (a clarifying question with
choices), refused, or wrong. Wrong is a proposal whose effect the expectation does not allow, or a proposal
where none should be: the one outcome an analyst in a hurry would apply. Used by tests/test_chat_corpus.py
and by the benchmark that reports the counts (bench/bench_chat.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from estimator.engines.offline import OfflineEngine
from estimator.errors import EngineError
from estimator.schemas import Deliverable, DeliverableKind, PricedEstimate
from estimator.workflow import Workflow
from tests.offline_samples import ADMIN_SCREEN, SAMPLES

CORPUS = Path(__file__).parent / "data" / "chat_corpus.json"
PROPOSING = {"cut_sub", "cut_total", "cap_sub", "cap_total", "up_sub", "down", "up", "scale", "remove"}
PROPOSING |= {"unit_cost", "buffer", "days", "all", "partial", "both", "only"}


@dataclass(frozen=True)
class Outcome:
    request: str
    lang: str
    verdict: str  # correct | clarified | refused | wrong
    detail: str = ""


def load() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return rows


def estimated(flow: Workflow, lang: str) -> int:
    offline = Workflow(flow.store, OfflineEngine(), flow.settings)
    project = offline.create_project(replace(offline.project_defaults(lang), title="corpus"), user="corpus")
    items = [Deliverable(name=name, description=text) for name, text in [*SAMPLES[lang], ADMIN_SCREEN[lang]]]
    project = offline.save_deliverables(project.id, items, requirements="", expected_row_version=project.row_version)
    offline.generate_estimate(project.id, expected_row_version=project.row_version, user="corpus")
    return project.id


def _days(priced: PricedEstimate) -> dict[str, Decimal]:
    return {item.line.deliverable: item.line.person_days for item in priced.lines}


def _lines(priced: PricedEstimate) -> dict[str, Any]:
    return {item.line.deliverable: item.line for item in priced.lines}


def problem(expect: list[Any], before: PricedEstimate, after: PricedEstimate) -> str:
    """Why `after` does not meet the expectation, or "" when it does."""
    kind, *args = expect
    cost = before.pricing.unit_cost
    old, new = _lines(before), _lines(after)
    changed = {n for n in old.keys() & new.keys() if old[n] != new[n]} | (old.keys() ^ new.keys())
    if kind == "both":  # every part holds, strictly
        return next((found for found in (problem(e, before, after) for e in args) if found), "")
    if kind == "only":
        strays = changed - set(args[0])
        return f"lines not named changed: {sorted(strays)}" if strays else ""
    if kind == "all" or kind == "partial":
        return next((p for p in (problem(e, before, after) for e in args) if p and kind == "partial"), "") or (
            "" if kind == "partial" else _all(args, before, after)
        )
    if kind in {"cut_sub", "cap_sub", "up_sub"}:
        target = {
            "cut_sub": before.subtotal - Decimal(args[0]),
            "cap_sub": Decimal(args[0]),
            "up_sub": before.subtotal + Decimal(args[0]),
        }[kind]
        ok = target - cost <= after.subtotal <= target and after.pricing.unit_cost == cost
        return "" if ok else f"subtotal {after.subtotal} not within one day under {target}"
    if kind in {"cut_total", "cap_total"}:
        target = before.total - Decimal(args[0]) if kind == "cut_total" else Decimal(args[0])
        low = target - cost * (1 + before.pricing.tax_rate / 100)
        return "" if low <= after.total <= target else f"total {after.total} not within one day under {target}"
    if kind in {"down", "up"}:
        moved = after.subtotal - before.subtotal
        if (moved >= 0) if kind == "down" else (moved <= 0):
            return f"subtotal moved {moved}, not {kind}"
        allowed = args[0]
        strays = changed - set(allowed) if allowed is not None else set()
        return f"lines not named changed: {sorted(strays)}" if strays else ""
    if kind == "scale":
        factors = {name: Decimal(f) for name, f in args[0].items()}
        for name, factor in factors.items():
            if name not in new or abs(new[name].person_days - old[name].person_days * factor) > Decimal("0.02"):
                return f"{name} is not ×{factor}"
        strays = changed - set(factors)
        return f"lines not named changed: {sorted(strays)}" if strays else ""
    if kind == "remove":
        gone = set(args[0])
        if not gone <= old.keys() - new.keys():
            return "the named lines are not all removed"
        return "other lines changed" if changed != gone else ""
    if kind == "unit_cost":
        ok = after.pricing.unit_cost == Decimal(args[0]) and not changed
        return "" if ok else f"unit cost {after.pricing.unit_cost}, lines changed {sorted(changed)}"
    if kind == "buffer":
        added = [line for name, line in new.items() if name not in old]
        share = Decimal(args[0])
        work = sum((line.person_days for line in old.values()), Decimal(0))
        ok = (
            len(added) == 1
            and added[0].kind is DeliverableKind.RISK_BUFFER
            and abs(added[0].person_days - work * share / 100) <= Decimal("0.01")
            and changed == {added[0].deliverable}
        )
        return "" if ok else "no single buffer line of that share, or other lines changed"
    if kind == "days":
        ((name, days),) = args[0].items()
        ok = name in new and new[name].person_days == Decimal(days) and changed == {name}
        return "" if ok else f"{name} is not {days} person-days alone"
    return f"unknown expectation {kind}"


def _all(expects: list[list[Any]], before: PricedEstimate, after: PricedEstimate) -> str:
    """A compound expectation: each part's own effect, checked loosely (the other parts move other lines)."""
    old, new = _lines(before), _lines(after)
    for kind, *args in expects:
        if kind == "remove" and not set(args[0]) <= old.keys() - new.keys():
            return "a line to remove is still there"
        if kind == "unit_cost" and after.pricing.unit_cost != Decimal(args[0]):
            return "unit cost not set"
        if kind == "buffer" and not any(line.kind is DeliverableKind.RISK_BUFFER for line in new.values()):
            return "no buffer line"
        if kind == "scale":
            for name, factor in args[0].items():
                if name not in new or abs(new[name].person_days - old[name].person_days * Decimal(factor)) > Decimal(
                    "0.02"
                ):
                    return f"{name} is not ×{factor}"
        if kind == "down" and after.subtotal >= before.subtotal and after.pricing.unit_cost == before.pricing.unit_cost:
            return "nothing went down"
    return ""


def judge(flow: Workflow, project_id: int, row: dict[str, Any]) -> Outcome:
    request, lang, expect = row["request"], row["lang"], row["expect"]
    proposing = expect[0] in PROPOSING
    try:
        turn = flow.propose_adjustment(project_id, request, user="corpus", language=lang)
    except EngineError as error:
        return Outcome(request, lang, "correct" if expect[0] == "refuse" else "refused", error.key)
    for stored in flow.pending_proposals(project_id):
        flow.discard_proposal(project_id, stored.id)
    if turn.choices:
        return Outcome(request, lang, "correct" if expect[0] == "clarify" else "clarified", turn.reply)
    if not turn.proposals:
        if expect[0] == "answer":
            return Outcome(request, lang, "correct", turn.reply[:80])
        return Outcome(request, lang, "refused", turn.reply[:80])
    if not proposing:
        return Outcome(request, lang, "wrong", f"a proposal where {expect[0]} was expected: {turn.proposals[0].title}")
    for stored in turn.proposals:
        preview = flow.preview(project_id, stored)
        found = problem(expect, preview.before, preview.after)
        if found:
            return Outcome(request, lang, "wrong", f"{stored.title}: {found}")
    if expect[0] == "partial" and "「" not in turn.reply and "“" not in turn.reply:
        return Outcome(request, lang, "wrong", "the part not handled is not named")
    return Outcome(request, lang, "correct", turn.proposals[0].title)


def run(flow_for: Callable[[], Workflow]) -> list[Outcome]:
    """Every corpus request judged, on one fresh estimate per language."""
    flow = flow_for()
    projects = {lang: estimated(flow, lang) for lang in ("ja", "en")}
    return [judge(flow, projects[row["lang"]], row) for row in load()]


def counts(outcomes: list[Outcome]) -> Counter[str]:
    return Counter(outcome.verdict for outcome in outcomes)
