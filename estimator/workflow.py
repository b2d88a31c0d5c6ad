"""The use cases of the walk, composed from the store, an engine and money.

Pages and the command line call these and nothing below them. Two rules hold
everywhere: what the user entered is stored before any model call (so a
failing engine loses nothing), and a version is made only from code-applied
operations (`estimator.adjustments`), priced by `estimator.money`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from estimator.adjustments import LineChange, apply_operations, diff_versions
from estimator.config import Settings
from estimator.db import Database
from estimator.engines.base import CallHooks, Engine
from estimator.engines.factory import make_engine
from estimator.errors import EngineError, InvalidInputError, LimitExceededError, StaleWriteError
from estimator.excel.quote import HistoryEntry, QaItem, QuoteDocument, build_quote_workbook, quote_filename
from estimator.i18n import format_money, t
from estimator.models import EstimateVersion, Project, ProposalRow
from estimator.requests import Intent, IntentKind, proposals_for, proposals_for_parts, read_request
from estimator.schemas import (
    OFFLINE_MODEL,
    AdjustmentContext,
    CallRecord,
    Deliverable,
    Operation,
    OperationKind,
    PricedEstimate,
    Pricing,
    ProjectBrief,
    Proposal,
    name_key,
    price,
)
from estimator.store import (
    ProjectSettings,
    Store,
    priced_version,
    start_of_day,
    start_of_month,
    version_lines,
    version_pricing,
)

MAX_DELIVERABLES = 1000
# Requests the rules understand are answered by code, recorded under the embedded engine's name.
RULES_ENGINE = OFFLINE_MODEL


@dataclass(frozen=True)
class ProposalPreview:
    """A proposal with what applying it would do, for the proposal card."""

    proposal: ProposalRow
    changes: list[LineChange]
    before: PricedEstimate
    after: PricedEstimate


def check_deliverables(deliverables: Sequence[Deliverable]) -> None:
    """The rules every saved list obeys: at least one row, names present, unique, short enough."""
    if not deliverables:
        raise InvalidInputError("errors.input.no_deliverables")
    if len(deliverables) > MAX_DELIVERABLES:
        raise InvalidInputError("errors.input.too_many", limit=MAX_DELIVERABLES)
    seen: set[str] = set()
    for row, item in enumerate(deliverables, start=1):
        key = name_key(item.name)
        if key in seen:
            raise InvalidInputError("errors.input.duplicate_name", row=row, name=item.name)
        seen.add(key)


class Workflow:
    """One instance per process; each call names the project and the user it acts for."""

    def __init__(self, store: Store, engine: Engine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings

    def project_defaults(self, language: str) -> ProjectSettings:
        """A new project's money terms, from the settings for its language (as the legacy system did)."""
        lang = "en" if language == "en" else "ja"
        return ProjectSettings(
            title="",
            client="",
            language=lang,
            currency=Settings.currency_for(lang),
            unit_cost=self.settings.unit_cost_for(lang),
            tax_rate=self.settings.tax_rate_for(lang),
            rounding=self.settings.rounding,
        )

    def create_project(self, project: ProjectSettings, *, user: str) -> Project:
        if not project.title.strip():
            raise InvalidInputError("errors.input.empty_title")
        return self.store.create_project(project, created_by=user)

    def save_deliverables(
        self,
        project_id: int,
        deliverables: Sequence[Deliverable],
        *,
        requirements: str | None,
        expected_version: int | None,
    ) -> Project:
        check_deliverables(deliverables)
        return self.store.replace_deliverables(
            project_id, deliverables, requirements=requirements, expected_version=expected_version
        )

    def brief(self, project: Project) -> ProjectBrief:
        if not project.deliverables:
            raise InvalidInputError("errors.input.no_deliverables")
        return ProjectBrief(
            language=project.language,
            title=project.title,
            deliverables=[Deliverable(name=d.name, description=d.description) for d in project.deliverables],
            requirements=project.system_requirements,
        )

    def _hooks(self, project_id: int | None, user: str) -> CallHooks:
        def record(call: CallRecord) -> None:
            self.store.record_llm_call(call, project_id=project_id, created_by=user)

        def guard(kind: str) -> None:
            self.check_limits(user)

        return CallHooks(record=record, guard=guard)

    def check_limits(self, user: str) -> None:
        """Refuse a model call before it is made when a cost cap or the hourly rate limit is reached."""
        now = datetime.now(UTC)
        settings = self.settings
        if settings.daily_cost_limit_usd and self.store.cost_since(start_of_day(now)) >= settings.daily_cost_limit_usd:
            raise LimitExceededError("errors.limits.daily_cost", limit=settings.daily_cost_limit_usd)
        if (
            settings.monthly_cost_limit_usd
            and self.store.cost_since(start_of_month(now)) >= settings.monthly_cost_limit_usd
        ):
            raise LimitExceededError("errors.limits.monthly_cost", limit=settings.monthly_cost_limit_usd)
        if (
            settings.rate_limit_per_hour
            and self.store.calls_since(now - timedelta(hours=1), created_by=user, except_model=RULES_ENGINE)
            >= settings.rate_limit_per_hour
        ):
            raise LimitExceededError("errors.limits.rate", limit=settings.rate_limit_per_hour)

    def generate_questions(self, project_id: int, *, expected_version: int | None, user: str) -> Project:
        """Ask the engine; answers to questions asked again (same key) are kept."""
        project = self.store.get_project(project_id)
        if expected_version is not None and project.row_version != expected_version:
            raise StaleWriteError("errors.stale_write", project=project_id)
        questions = self.engine.questions(self.brief(project), self._hooks(project_id, user))
        return self.store.save_questions(project_id, questions, expected_version=project.row_version)

    def save_answers(self, project_id: int, answers: dict[str, str | None], *, expected_version: int | None) -> Project:
        return self.store.save_answers(project_id, answers, expected_version=expected_version)

    def pricing(self, project: Project) -> Pricing:
        return Pricing(
            currency=project.currency, unit_cost=project.unit_cost, tax_rate=project.tax_rate, rounding=project.rounding
        )

    def generate_estimate(self, project_id: int, *, expected_version: int | None, user: str) -> EstimateVersion:
        """A new version (origin generated) from the deliverables and the answers as they are now."""
        project = self.store.get_project(project_id)
        if expected_version is not None and project.row_version != expected_version:
            raise StaleWriteError("errors.stale_write", project=project_id)
        answers = self.store.answers(project_id)
        head = self.store.head_number(project_id)
        draft = self.engine.estimate(self.brief(project), answers, self._hooks(project_id, user))
        return self.store.append_version(
            project_id,
            lines=draft.lines,
            pricing=self.pricing(project),
            origin="generated",
            engine=self.engine.name,
            base_number=head,
            expected_version=project.row_version,
            assumptions=draft.assumptions,
            exclusions=draft.exclusions,
            created_by=user,
        )

    def _context(self, project: Project, version: EstimateVersion, request: str) -> AdjustmentContext:
        return AdjustmentContext(
            language=project.language, lines=version_lines(version), pricing=version_pricing(version), request=request
        )

    def propose_adjustment(self, project_id: int, request: str, *, user: str) -> list[ProposalRow]:
        """Turn a free-text request into stored proposals against the newest version.

        The request is stored as a chat message first, so it survives an engine failure.
        A request the rules understand (amount targets like 「あと30万円安く」, percentages,
        unit cost, risk buffer, removing or simplifying named items) is answered by code
        whatever the engine: exact, instant, no model call. Only the rest goes to the engine.
        """
        text = request.strip()
        if not text:
            raise InvalidInputError("errors.input.empty_request")
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id)
        self.store.add_message(project_id, "user", text, created_by=user)
        context = self._context(project, version, text)
        reading = read_request(text)
        not_handled: list[str] = []
        if reading.understood and (not reading.missed or self.engine.name == RULES_ENGINE):
            proposals, not_handled = proposals_for_parts(reading.understood, context)
            not_handled = [*reading.missed, *not_handled]
            if not proposals:
                raise EngineError("errors.engine.not_applicable", text, reason=_listed(not_handled, project.language))
            engine = RULES_ENGINE
        else:
            # Nothing understood, or only part of it while a model is configured: the model reads it all.
            proposals, engine = self.engine.adjust(context, self._hooks(project_id, user)), self.engine.name
        if not_handled:
            note = t("workflow.not_handled", project.language, parts=_listed(not_handled, project.language))
            proposals = [
                proposal.model_copy(update={"reason": f"{proposal.reason}\n{note}".strip()}) for proposal in proposals
            ]
        rows = self.store.save_proposals(
            project_id,
            base_version=version.number,
            request_text=text,
            proposals=proposals,
            engine=engine,
            created_by=user,
        )
        summary = "\n".join(f"{index}. {row.title}" for index, row in enumerate(rows, start=1))
        reply = t("workflow.proposals_ready", project.language, count=len(rows), titles=summary)
        if not_handled:
            reply += "\n\n" + t("workflow.not_handled", project.language, parts=_listed(not_handled, project.language))
        self.store.add_message(project_id, "assistant", reply, created_by=engine)
        return rows

    def propose_operations(
        self, project_id: int, title: str, reason: str, operations: list[Operation], *, user: str
    ) -> ProposalRow:
        """A quick action: a proposal built by code, checked by applying it once before it is stored."""
        version = self.store.get_version(project_id)
        apply_operations(version_lines(version), version_pricing(version), operations)
        proposal = Proposal(title=title, reason=reason, operations=operations)
        return self.store.save_proposals(
            project_id,
            base_version=version.number,
            request_text=title,
            proposals=[proposal],
            engine="quick-action",
            created_by=user,
        )[0]

    def quick_budget(self, project_id: int, cap: Decimal, *, user: str) -> list[ProposalRow]:
        """Up to three proposals that fit the subtotal before tax under `cap`.

        Built by the request parser's own code path (never a model), so the amounts it
        promises are exact whichever engine is active; it raises EngineError when the
        estimate is already within the cap or the cap cannot be met.
        """
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id)
        text = t(
            "workflow.quick.budget.request", project.language, cap=format_money(cap, version.currency, project.language)
        )
        intent = Intent(IntentKind.FIT_BUDGET, text, amount=cap, currency=version.currency)
        proposals = proposals_for(intent, self._context(project, version, text))
        return self.store.save_proposals(
            project_id,
            base_version=version.number,
            request_text=text,
            proposals=proposals,
            engine="quick-action",
            created_by=user,
        )

    def quick_unit_cost(self, project_id: int, unit_cost: Decimal, *, user: str) -> ProposalRow:
        project = self.store.get_project(project_id)
        lang = project.language
        shown = f"{unit_cost:,}"
        return self.propose_operations(
            project_id,
            t("workflow.quick.unit_cost.title", lang, value=shown),
            t("workflow.quick.unit_cost.reason", lang),
            [Operation(kind=OperationKind.SET_UNIT_COST, unit_cost=unit_cost)],
            user=user,
        )

    def quick_risk_buffer(self, project_id: int, percent: Decimal, *, user: str) -> ProposalRow:
        lang = self.store.get_project(project_id).language
        return self.propose_operations(
            project_id,
            t("workflow.quick.risk_buffer.title", lang, percent=percent),
            t("workflow.quick.risk_buffer.reason", lang),
            [
                Operation(
                    kind=OperationKind.ADD_RISK_BUFFER,
                    percent=percent,
                    line=t("workflow.risk_buffer_line", lang, percent=percent),
                )
            ],
            user=user,
        )

    def quick_remove(self, project_id: int, names: Sequence[str], *, user: str) -> ProposalRow:
        lang = self.store.get_project(project_id).language
        if not names:
            raise InvalidInputError("errors.input.nothing_selected")
        return self.propose_operations(
            project_id,
            t("workflow.quick.remove.title", lang, names="、".join(names) if lang == "ja" else ", ".join(names)),
            t("workflow.quick.remove.reason", lang),
            [Operation(kind=OperationKind.REMOVE_LINE, line=name) for name in names],
            user=user,
        )

    def preview(self, project_id: int, proposal: ProposalRow) -> ProposalPreview:
        """What applying `proposal` to its base version would change."""
        base = self.store.get_version(project_id, proposal.base_version)
        lines, pricing = version_lines(base), version_pricing(base)
        after = apply_operations(lines, pricing, [Operation.model_validate(op) for op in proposal.operations])
        return ProposalPreview(
            proposal=proposal,
            changes=diff_versions(lines, pricing, after.lines, after.pricing),
            before=price(lines, pricing),
            after=price(after.lines, after.pricing),
        )

    def apply_proposal(self, project_id: int, proposal_id: int, *, user: str) -> EstimateVersion:
        """A new version (origin adjusted) from the proposal, following the version it was made for.

        Refused with the stale-version message when the estimate moved on since (another tab
        or process applied, edited or restored first); the version and the closing of this
        proposal and its siblings are one transaction.
        """
        proposal = self.store.get_proposal(project_id, proposal_id)
        if proposal.status == "applied":
            raise InvalidInputError("errors.proposal.closed", proposal=proposal_id)
        latest = self.store.get_version(project_id)
        if latest.number != proposal.base_version:
            raise StaleWriteError("errors.proposal.outdated", base=proposal.base_version, latest=latest.number)
        if proposal.status != "pending":
            raise InvalidInputError("errors.proposal.closed", proposal=proposal_id)
        preview = self.preview(project_id, proposal)
        return self.store.append_version(
            project_id,
            lines=[item.line for item in preview.after.lines],
            pricing=preview.after.pricing,
            origin="adjusted",
            engine=proposal.engine,
            base_number=proposal.base_version,
            applies_proposal=proposal_id,
            request_text=proposal.request_text or proposal.title,
            changes=[_change_record(change) for change in preview.changes],
            assumptions=latest.assumptions,
            exclusions=latest.exclusions,
            created_by=user,
        )

    def discard_proposal(self, project_id: int, proposal_id: int) -> None:
        self.store.get_proposal(project_id, proposal_id)
        self.store.close_proposals(project_id, [proposal_id], "discarded")

    def restore_version(self, project_id: int, number: int, *, base_version: int, user: str) -> EstimateVersion:
        """A new version (origin restored) equal to version `number`, following `base_version`; nothing overwritten."""
        source = self.store.get_version(project_id, number)
        base = self.store.get_version(project_id, base_version)
        lines, pricing = version_lines(source), version_pricing(source)
        changes = diff_versions(version_lines(base), version_pricing(base), lines, pricing)
        return self.store.append_version(
            project_id,
            lines=lines,
            pricing=pricing,
            origin="restored",
            engine=source.engine,
            base_number=base_version,
            request_text=t("workflow.restored_from", self.store.get_project(project_id).language, number=number),
            changes=[_change_record(change) for change in changes],
            assumptions=source.assumptions,
            exclusions=source.exclusions,
            created_by=user,
        )

    def edit_lines(
        self, project_id: int, person_days: dict[str, Decimal], *, base_version: int, user: str
    ) -> EstimateVersion:
        """A new version (origin edited) of `base_version` with the given lines set to new person-days."""
        base = self.store.get_version(project_id, base_version)
        lines, pricing = version_lines(base), version_pricing(base)
        operations = [
            Operation(kind=OperationKind.SET_PERSON_DAYS, line=name, person_days=days)
            for name, days in person_days.items()
        ]
        if not operations:
            raise InvalidInputError("errors.input.nothing_changed")
        after = apply_operations(lines, pricing, operations)
        changes = diff_versions(lines, pricing, after.lines, after.pricing)
        if not changes:
            raise InvalidInputError("errors.input.nothing_changed")
        return self.store.append_version(
            project_id,
            lines=after.lines,
            pricing=after.pricing,
            origin="edited",
            engine="manual",
            base_number=base_version,
            request_text="",
            changes=[_change_record(change) for change in changes],
            assumptions=base.assumptions,
            exclusions=base.exclusions,
            created_by=user,
        )

    def quote_document(
        self, project_id: int, number: int | None = None, *, issue_date: date | None = None
    ) -> QuoteDocument:
        """Everything the 見積書 shows for version `number` (newest when None); revision = version number."""
        project = self.store.get_project(project_id)
        version = self.store.get_version(project_id, number)
        lang = project.language
        return QuoteDocument.from_settings(
            self.settings,
            issue_date=issue_date or date.today(),
            language=lang,
            client=project.client,
            title=project.title,
            quote_number=project.quote_number,
            revision=version.number,
            estimate=priced_version(version),
            assumptions=version.assumptions,
            exclusions=version.exclusions,
            qa=[QaItem(question=qa.question, answer=qa.answer) for qa in project.qa_pairs],
            history=[
                HistoryEntry(
                    version=step.number,
                    origin=step.origin,
                    request=step.request_text,
                    summary=_change_summary(step.changes, lang),
                    created_at=step.created_at,
                )
                for step in self._lineage(project_id, version)
            ],
            created_by=version.created_by,
        )

    def export_quote(self, project_id: int, number: int | None = None) -> tuple[str, bytes]:
        """(file name, .xlsx bytes) of the quote for version `number` (newest when None)."""
        document = self.quote_document(project_id, number)
        return quote_filename(document), build_quote_workbook(document)

    def _lineage(self, project_id: int, version: EstimateVersion) -> list[EstimateVersion]:
        """The versions that led to `version` since it was last generated, oldest first, following parents."""
        by_id = {v.id: v for v in self.store.list_versions(project_id)}
        chain = [version]
        while chain[-1].origin != "generated" and chain[-1].parent_id in by_id and len(chain) <= len(by_id):
            chain.append(by_id[chain[-1].parent_id])
        return list(reversed(chain))

    def compare(self, project_id: int, older: int, newer: int) -> list[LineChange]:
        a = self.store.get_version(project_id, older)
        b = self.store.get_version(project_id, newer)
        return diff_versions(version_lines(a), version_pricing(a), version_lines(b), version_pricing(b))


def _listed(parts: Sequence[str], lang: str) -> str:
    """「A」、「B」 / “A”, “B”: request parts quoted as the user wrote them."""
    if lang == "ja":
        return "、".join(f"「{part}」" for part in parts)
    return ", ".join(f"“{part}”" for part in parts)


def _change_record(change: LineChange) -> dict[str, str | None]:
    """A diff line as JSON-safe text, stored with the version it produced."""

    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "deliverable": change.deliverable,
        "status": change.status,
        "before_days": text(change.before_days),
        "after_days": text(change.after_days),
        "before_amount": text(change.before_amount),
        "after_amount": text(change.after_amount),
    }


def _change_summary(changes: list[dict[str, str | None]], lang: str) -> str:
    """「画面: 10 → 8」 lines for the Q&A sheet's history, in the project's language."""
    parts = []
    for change in changes:
        before = change.get("before_days") or "—"
        after = change.get("after_days") or "—"
        parts.append(
            t(
                f"workflow.change.{change.get('status')}",
                lang,
                line=change.get("deliverable"),
                before=before,
                after=after,
            )
        )
    return "\n".join(parts)


def open_workflow(settings: Settings, *, engine: Engine | None = None) -> Workflow:
    """The workflow over the configured database (migrated on open) and engine."""
    database = Database.from_url(settings.database_url_effective)
    return Workflow(Store(database), engine or make_engine(settings), settings)
