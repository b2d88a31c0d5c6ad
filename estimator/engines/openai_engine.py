"""The OpenAI engine: the official SDK with structured outputs; the model proposes, code decides.

Every answer is read exactly and validated (`llm_schemas.read_json`, `llm_schemas.to_*`);
an unusable one (a number out of range included) is retried once with the problem appended
to the conversation, then reported as `errors.engine.invalid_answer`. Transport faults
(connection errors, 408/409/429/5xx) are retried by the engine itself, up to
OPENAI_MAX_RETRIES times, with the SDK's backoff, Retry-After and x-should-retry rules,
except a 429 `insufficient_quota`, which no retry can fix; the SDK's own retries are off
because their waits cannot be bounded by a deadline. Each call is guarded before (once,
its transport retries included) and every HTTP request of it recorded after, whatever
became of it (ok, error, timeout), on the calling thread, so hooks that touch the database
never run on a worker thread; only the HTTP calls run in parallel.

The deadline: OPENAI_TIMEOUT seconds bound a whole operation (questions, estimate or
adjust), from its first request to its last byte, retries and parallel calls included, so
an analyst waits at most about that long whatever happens. Each HTTP request may wait (for
the pool, to connect, to send, for each read) only the time left, and a response body still
arriving at the deadline is cut: a per-read timeout alone let a server trickling 16 bytes
a second hold `adjust` for 47 s and `estimate` for 168 s with OPENAI_TIMEOUT=5. A retry
starts only while its wait fits in the time left; when it does not, the fault that asked
for it is reported. (A server trickling even its status line and headers is bounded only
per read; real providers and proxies send headers at once.)

The estimate asks the model only for the lines that build something (screens, interfaces,
batches …), in parallel calls of `estimate_chunk_size` of them (one by default; the first call,
one line shorter, also writes the project's assumptions and exclusions, so with chunks of one it
writes only those): output tokens dominate latency, and the first-token wait is paid once when
calls overlap. The chunks grow so that at most MAX_PARALLEL_CALLS run at once. Each item carries its counted units and
the rate table's build-side figure for them (`engines.guidance`), and the model sizes its
詳細設計 + 製作. The whole-project phases — 要件定義, 基本設計, 結合 and 総合テスト, PM and
documents — are then planned by code from the model's build, exactly as the offline engine
plans them from the table's (`sizing.plan`): carried by the list's own phase lines, or by
lines the plan adds. A model is never asked for a share a rule decides, so no phase is
counted twice and the legacy sample, one feature line among nine, is two short parallel calls
(bench/RESULTS.md has the figures). The model proposes; code decides: a feature line whose
build is more than 3× or less than ⅓ of the table's figure gets a sentence saying so on its
reasoning and its risks, and keeps the model's size.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx2
import openai
from openai.types import CompletionUsage
from pydantic import ValidationError

from estimator.config import Settings
from estimator.documents.extract import Extracted
from estimator.engines.assessment import is_assessment
from estimator.engines.base import CallHooks
from estimator.engines.guidance import LineGuide, ProjectGuide, flag_outlier, project_guidance
from estimator.engines.llm_schemas import (
    AdjustReply,
    AnswerProblem,
    DeliverablesReply,
    EstimateReply,
    LinesReply,
    LLMReply,
    NotesReply,
    QuestionsReply,
    to_deliverable_draft,
    to_lines,
    to_proposals,
    to_questions,
)
from estimator.engines.project_sizing import (
    assessment_lines,
    is_engagement,
    plan_roles,
    planned_phases,
    system_days,
    whole_project_line,
)
from estimator.engines.prompts import retry_prompt, system_prompt
from estimator.engines.reading import Reading
from estimator.errors import EngineError
from estimator.i18n import t
from estimator.money import PERSON_DAY_QUANTUM, round_person_days
from estimator.schemas import (
    PHASES,
    AdjustmentContext,
    Answer,
    CallRecord,
    Deliverable,
    DeliverableDraft,
    EstimateDraft,
    EstimateLine,
    ProjectBrief,
    Proposal,
    Question,
    price,
)
from estimator.sizing.guide import SizingGuide
from estimator.sizing.plan import Role, plan

TEMPERATURE = 0.2
ESTIMATE_CHUNK_SIZE = 1
MAX_PARALLEL_CALLS = 10
MILLION = Decimal(1_000_000)
_SECRET = re.compile(r"sk-[A-Za-z0-9_*\-]{3,}")
_SHOWN_BODY_CHARS = 2000
# Transport retries as the SDK does them: these statuses (and every 5xx) and connection errors,
# after 0.5 s doubling up to 8 s, less up to 25 % jitter, unless the server names its own wait.
RETRY_STATUSES = frozenset({408, 409, 429})
INITIAL_RETRY_DELAY_S = 0.5
MAX_RETRY_DELAY_S = 8.0
TIMEOUT_PHASES = ("connect", "read", "write", "pool")

# The monotonic-clock deadline of the operation an HTTP request belongs to, set by `_call` on the
# thread that makes the request, which is the thread the httpx event hooks below run on.
_DEADLINE: ContextVar[float] = ContextVar("openai_deadline")


def _wait_no_longer_than_the_deadline(request: httpx2.Request) -> None:
    """Request hook: no phase of this request (pool, connect, write, each read) may wait past the deadline."""
    left = _DEADLINE.get() - time.monotonic()
    if left <= 0:
        raise httpx2.PoolTimeout("the operation's deadline has passed", request=request)
    request.extensions["timeout"] = dict.fromkeys(TIMEOUT_PHASES, left)


def _cut_the_body_at_the_deadline(response: httpx2.Response) -> None:
    """Response hook (headers are in, the body is not): the body is read through `_DeadlineStream`."""
    response.stream = _DeadlineStream(response.stream, _DEADLINE.get(), response.request)  # type: ignore[arg-type]


class _DeadlineStream(httpx2.SyncByteStream):
    """A response body that stops at the deadline: each read waits at most the time left (the
    request hook), and this check stops a server that keeps sending a few bytes at a time."""

    def __init__(self, inner: httpx2.SyncByteStream, deadline: float, request: httpx2.Request) -> None:
        self._inner = inner
        self._deadline = deadline
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if time.monotonic() >= self._deadline:
                raise httpx2.ReadTimeout("the answer was still arriving at the deadline", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _fence(data: dict[str, Any]) -> str:
    """Data as JSON inside <data> tags; `<` is escaped so no value can close the fence."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f"<data>\n{text}\n</data>"


MAX_PROMPT_BLOCKS = 4000
MAX_PROMPT_CHARS = 120_000
"""How much of a document one call carries: the rest is left to the analyst (and to the offline rules)."""


def _numbered_blocks(document: Extracted) -> list[str]:
    """「12 p3 §2.1 item: ログイン画面：…」: each block with its number (the `s` an item points back to)."""
    lines: list[str] = []
    size = 0
    for index, block in enumerate(document.blocks[:MAX_PROMPT_BLOCKS]):
        place = " ".join(part for part in (f"p{block.page}" if block.page else "", f"§{block.section}"[:60]) if part)
        line = f"{index} {place} {block.kind.value}: {block.text}"
        size += len(line)
        if size > MAX_PROMPT_CHARS:
            break
        lines.append(line)
    return lines


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Empty values dropped: the prompt says missing keys are empty, and each one costs tokens."""
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Task:
    """One conversation that must end in a usable answer, and how to turn that answer into domain types."""

    messages: list[dict[str, str]]
    reply_model: type[LLMReply]
    convert: Callable[[Any], Any]
    language: str


@dataclass
class _Outcome:
    """What one call produced: a record per HTTP request made, and a usable result, a problem worth
    one retry, or a failure that ends the operation (an EngineError, or a bug raised as it is)."""

    records: list[CallRecord]
    content: str = ""
    result: Any = None
    problem: str = ""
    failure: Exception | None = None


@dataclass(frozen=True)
class _EstimatePart:
    lines: list[EstimateLine]
    assumptions: list[str]
    exclusions: list[str]


class OpenAIEngine:
    """The Engine protocol over any OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: Settings, *, estimate_chunk_size: int = ESTIMATE_CHUNK_SIZE) -> None:
        if not settings.openai_api_key:
            raise EngineError("errors.engine.no_api_key")
        self.name = settings.openai_model
        self._settings = settings
        self._chunk_size = max(1, estimate_chunk_size)
        self._client = openai.OpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url or None,
            timeout=settings.openai_timeout,
            max_retries=0,
            http_client=openai.DefaultHttpx2Client(
                event_hooks={
                    "request": [_wait_no_longer_than_the_deadline],
                    "response": [_cut_the_body_at_the_deadline],
                }
            ),
        )

    def questions(self, brief: ProjectBrief, hooks: CallHooks) -> list[Question]:
        data = {
            "title": brief.title,
            "req": brief.requirements,
            "items": [_compact({"n": d.name, "d": d.description}) for d in brief.deliverables],
        }
        task = self._task(
            "questions", brief.language, data, QuestionsReply, lambda r: to_questions(r, brief.deliverables)
        )
        questions: list[Question] = self._solve("questions", [task], hooks)[0]
        return questions

    def estimate(
        self, brief: ProjectBrief, answers: list[Answer], hooks: CallHooks, guide: SizingGuide | None = None
    ) -> EstimateDraft:
        """The model sizes the feature lines' own work; code derives every whole-project phase from it.

        Only the lines that build something go to the model, each with its counted units and the
        table's figure for them. 要件定義, 基本設計, the tests, PM and documents are then planned
        from the model's build exactly as the offline engine plans them from the table's: carried
        by the list's own phase lines, or by lines the plan adds. No phase is counted twice, and no
        tokens are spent asking a model for a share a rule decides.
        """
        sizing = guide or SizingGuide()
        project = project_guidance(brief, sizing)
        roles = plan_roles(brief.deliverables)
        features = [i for i, role in enumerate(roles) if role is Role.BUILD]
        items = [brief.deliverables[i] for i in features]
        chunks = self._chunks(items)
        common: dict[str, Any] = {
            "title": brief.title,
            "req": brief.requirements,
            "type": t(f"sizing.type.{project.project_type.value}", brief.language),
            "all": [d.name for d in items] if len(chunks) > 1 else [],
            "qa": [[a.question, a.answer if a.answered else None] for a in answers],
        }
        tasks = []
        start = 0
        for index, chunk in enumerate(chunks):
            own = [project.lines[i] for i in features[start : start + len(chunk)]]
            data = {**common, "items": [_item(d, g) for d, g in zip(chunk, own, strict=True)]}
            reply = (NotesReply if not chunk else EstimateReply) if index == 0 else LinesReply
            tasks.append(self._task("estimate", brief.language, data, reply, _estimate_part(chunk)))
            start += len(chunk)
        parts: list[_EstimatePart] = self._solve("estimate", tasks, hooks)
        modelled = dict(zip(features, (line for part in parts for line in part.lines), strict=True))
        return EstimateDraft(
            lines=_planned_lines(brief, roles, modelled, project, sizing),
            assumptions=parts[0].assumptions,
            exclusions=parts[0].exclusions,
            project_type=project.project_type.value,
        )

    def adjust(self, context: AdjustmentContext, hooks: CallHooks) -> list[Proposal]:
        priced = price(context.lines, context.pricing)
        data = {
            "currency": context.pricing.currency,
            "unit_cost": _number(context.pricing.unit_cost),
            "tax_rate": _number(context.pricing.tax_rate),
            "subtotal": _number(priced.subtotal),
            "person_days": _number(priced.person_days),
            "lines": [
                {
                    "n": line.deliverable,
                    "t": line.kind.value,
                    "d": [_number(line.phases.get(p)) for p in PHASES],
                    "o": _number(line.optimistic),
                    "p": _number(line.pessimistic),
                }
                for line in context.lines
            ],
            "request": context.request,
            "understood": context.understood,
        }
        task = self._task("adjust", context.language, data, AdjustReply, lambda r: to_proposals(r, context))
        proposals: list[Proposal] = self._solve("adjust", [task], hooks)[0]
        return proposals

    def propose_deliverables(self, document: Extracted, language: str, hooks: CallHooks) -> DeliverableDraft:
        """One structured call: the document's blocks, numbered, fenced as data; the model lists what it names.

        The text is data: the fence and the rules prompt say instructions inside it are never followed, and
        what comes back is only a list of names and descriptions that the analyst reviews before saving.
        """
        data = {"blocks": _numbered_blocks(document)}
        task = self._task(
            "propose", language, data, DeliverablesReply, lambda r: to_deliverable_draft(r, document, self.name)
        )
        draft: DeliverableDraft = self._solve("propose_deliverables", [task], hooks)[0]
        return draft

    def _chunks(self, deliverables: list[Deliverable]) -> list[list[Deliverable]]:
        """Chunks of the configured size, grown so no more than MAX_PARALLEL_CALLS run at once.

        The first chunk also writes the project's assumptions and exclusions, which cost about one
        line of output, so it takes one deliverable less and does not become the slowest call; with
        chunks of one it takes none (a list with one feature line is two parallel calls, not one
        call writing twice as much).
        """
        count = len(deliverables)
        size = max(self._chunk_size, -(-(count + 1) // MAX_PARALLEL_CALLS))
        if count + 1 <= size:
            return [deliverables]
        first = size - 1
        rest = deliverables[first:]
        return [deliverables[:first], *(rest[i : i + size] for i in range(0, len(rest), size))]

    def _task(
        self,
        operation: str,
        language: str,
        data: dict[str, Any],
        reply_model: type[LLMReply],
        convert: Callable[[Any], Any],
    ) -> _Task:
        schema = None
        if self._settings.openai_json_object_mode:
            schema = json.dumps(reply_model.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
        messages = [
            {"role": "system", "content": system_prompt(operation, language, schema)},
            {"role": "user", "content": _fence(_compact(data))},
        ]
        return _Task(messages, reply_model, convert, language)

    def _solve(self, kind: str, tasks: list[_Task], hooks: CallHooks) -> list[Any]:
        """Every task answered and converted within the operation's deadline; each unusable answer
        gets one more try with its problem, if time is left for it."""
        deadline = time.monotonic() + self._settings.openai_timeout
        results: dict[int, Any] = {}
        pending = list(range(len(tasks)))
        problems: dict[int, str] = {}
        for _ in range(2):
            if time.monotonic() >= deadline:
                raise self._timeout()
            outcomes = self._round(kind, [tasks[i] for i in pending], hooks, deadline)
            problems = {}
            for index, outcome in zip(pending, outcomes, strict=True):
                if not outcome.problem:
                    results[index] = outcome.result
                    continue
                problems[index] = outcome.problem
                task = tasks[index]
                task.messages = [
                    *task.messages,
                    {"role": "assistant", "content": outcome.content},
                    {"role": "user", "content": retry_prompt(task.language, outcome.problem)},
                ]
            if not problems:
                return [results[i] for i in range(len(tasks))]
            pending = sorted(problems)
        raise EngineError("errors.engine.invalid_answer", self._redact("; ".join(problems.values())))

    def _round(self, kind: str, tasks: Sequence[_Task], hooks: CallHooks, deadline: float) -> list[_Outcome]:
        """Guard every call, run them (in parallel when several), record each request, then raise the first failure."""
        for _ in tasks:
            hooks.guard(kind)
        if len(tasks) == 1:
            outcomes = [self._call(kind, tasks[0], deadline)]
        else:
            with ThreadPoolExecutor(max_workers=min(len(tasks), MAX_PARALLEL_CALLS)) as pool:
                outcomes = list(pool.map(lambda task: self._call(kind, task, deadline), tasks))
        for outcome in outcomes:
            for record in outcome.records:
                hooks.record(record)
        failure = next((o.failure for o in outcomes if o.failure is not None), None)
        if failure is not None:
            raise failure
        return outcomes

    def _call(self, kind: str, task: _Task, deadline: float) -> _Outcome:
        """One chat completion, retried after a transport fault while retries and time are left.

        Runs on worker threads, so it touches no hooks; conversion is pure code.
        """
        token = _DEADLINE.set(deadline)
        try:
            records: list[CallRecord] = []
            for attempt in range(self._settings.openai_max_retries + 1):
                outcome, wait = self._attempt(kind, task, attempt)
                records += outcome.records
                if wait is None or time.monotonic() + wait >= deadline:
                    break
                time.sleep(wait)
            outcome.records = records
            return outcome
        finally:
            _DEADLINE.reset(token)

    def _attempt(self, kind: str, task: _Task, attempt: int) -> tuple[_Outcome, float | None]:
        """One HTTP request, parsed and converted, and how long to wait before retrying it (None: do not)."""
        started = time.perf_counter()
        usage: CompletionUsage | None = None
        content = ""
        try:
            raw = self._client.chat.completions.with_raw_response.parse(
                model=self._settings.openai_model,
                messages=task.messages,  # type: ignore[arg-type]
                temperature=TEMPERATURE,
                response_format=self._response_format(task),
            )
            peeked, usage = _peek(raw.text)
            if peeked is None:
                problem = "the reply is not a chat completion"
                record = self._record(kind, started, None, problem)
                return _Outcome([record], raw.text[:_SHOWN_BODY_CHARS], problem=problem), None
            content = peeked
            completion = raw.parse()
            usage = completion.usage
            message = completion.choices[0].message
            if message.refusal:
                failure = EngineError("errors.engine.refused", self._redact(message.refusal))
                return _Outcome([self._record(kind, started, usage, failure.key)], failure=failure), None
            content = message.content or ""
            result = task.convert(message.parsed or task.reply_model.model_validate_json(content))
            return _Outcome([self._record(kind, started, usage)], content, result=result), None
        except (ValidationError, AnswerProblem) as error:
            problem = _describe_invalid(error) if isinstance(error, ValidationError) else str(error)
            record = self._record(kind, started, usage, problem)
            return _Outcome([record], content[:_SHOWN_BODY_CHARS], problem=problem), None
        except openai.LengthFinishReasonError as error:
            failure = EngineError("errors.engine.truncated")
            return _Outcome([self._record(kind, started, error.completion.usage, failure.key)], failure=failure), None
        except openai.ContentFilterFinishReasonError:
            failure = EngineError("errors.engine.refused", "content_filter")
            return _Outcome([self._record(kind, started, usage, failure.key)], failure=failure), None
        except openai.OpenAIError as error:
            failure = self._failure(error)
            timed_out = isinstance(error, openai.APITimeoutError)
            record = self._record(kind, started, None, str(failure), timed_out=timed_out)
            return _Outcome([record], failure=failure), _retry_delay(error, attempt)
        except Exception as error:  # a bug: raised as it is, but the request it follows is recorded first
            record = self._record(kind, started, usage, f"{type(error).__name__}: {error}")
            return _Outcome([record], failure=error), None

    def _response_format(self, task: _Task) -> Any:
        if self._settings.openai_json_object_mode:
            return {"type": "json_object"}
        return task.reply_model

    def _failure(self, error: openai.OpenAIError) -> EngineError:
        """The user-facing error for an SDK error; the detail names status and code, never the key."""
        if isinstance(error, openai.APITimeoutError):
            return self._timeout()
        if isinstance(error, openai.APIConnectionError):
            return EngineError("errors.engine.connection", self._redact(str(error.__cause__ or error)))
        if not isinstance(error, openai.APIStatusError):
            return EngineError("errors.engine.connection", self._redact(type(error).__name__))
        status = error.status_code
        detail = self._redact(f"HTTP {status} {error.code or error.type or ''}: {error.message}")
        if isinstance(error, openai.AuthenticationError):
            return EngineError("errors.engine.auth", detail)
        if isinstance(error, openai.RateLimitError):
            if "insufficient_quota" in (error.code, error.type):
                return EngineError("errors.engine.insufficient_quota", detail)
            return EngineError("errors.engine.rate_limited", detail)
        if isinstance(error, openai.NotFoundError):
            return EngineError("errors.engine.model_not_found", detail, model=self._settings.openai_model)
        if status >= 500:
            return EngineError("errors.engine.server_error", detail, status=status)
        return EngineError("errors.engine.rejected", detail, status=status)

    def _timeout(self) -> EngineError:
        return EngineError("errors.engine.timeout", seconds=_number(Decimal(str(self._settings.openai_timeout))))

    def _redact(self, text: str) -> str:
        """Text with the API key (and anything shaped like one) masked, for errors and records."""
        key = self._settings.openai_api_key
        if key:
            text = text.replace(key, "***")
        return _SECRET.sub("sk-***", text)

    def _record(
        self, kind: str, started: float, usage: CompletionUsage | None, error: str = "", *, timed_out: bool = False
    ) -> CallRecord:
        """One HTTP request as `llm_calls` stores it: status ok, error (with the reason) or timeout."""
        prompt = usage.prompt_tokens if usage else 0
        completion = usage.completion_tokens if usage else 0
        details = usage.prompt_tokens_details if usage else None
        cached = (details.cached_tokens or 0) if details else 0
        return CallRecord(
            kind=kind,
            model=self._settings.openai_model,
            status="timeout" if timed_out else "error" if error else "ok",
            latency_ms=round((time.perf_counter() - started) * 1000),
            prompt_tokens=prompt,
            completion_tokens=completion,
            cached_tokens=cached,
            cost_usd=self._cost(prompt, completion, cached),
            error=self._redact(error),
        )

    def _cost(self, prompt: int, completion: int, cached: int) -> Decimal:
        """Cached prompt tokens are billed at the cached price instead of the input price."""
        settings = self._settings
        return (
            (prompt - cached) * settings.openai_price_input_per_1m
            + cached * settings.openai_price_cached_per_1m
            + completion * settings.openai_price_output_per_1m
        ) / MILLION


def _days(value: Decimal) -> float | int:
    return _number(round_person_days(value))


def _item(deliverable: Deliverable, guide: LineGuide) -> dict[str, Any]:
    """One feature line as the model sees it: its words, the units counted from them and the table's figure."""
    units = [[u.count.kind.value, _number(u.count.quantity), u.count.grade.value, u.count.quoted] for u in guide.units]
    return _compact(
        {"n": deliverable.name, "d": deliverable.description, "u": units, "b": _days(guide.table_days or Decimal(0))}
    )


def _planned_lines(
    brief: ProjectBrief,
    roles: Sequence[Role],
    modelled: Mapping[int, EstimateLine],
    project: ProjectGuide,
    sizing: SizingGuide,
) -> list[EstimateLine]:
    """The model's feature lines and the whole-project lines planned from their build, in the plan's order.

    A feature line keeps the model's words and relative range; its phases are the plan's share of
    its build (detailed design moves to a 詳細設計書 line when the list has one). It is flagged when
    the model's build is beyond ×3 or below ⅓ of the table's figure for its units."""
    lang = brief.language
    quiet = Reading(lang, {}, {}, (), ())  # the model's questions are its own: no bank topic is open
    if is_assessment(brief.deliverables, roles):
        return assessment_lines(brief.deliverables, roles, quiet)  # sized by requests, a rule's work
    builds = [max(modelled[i].person_days, PERSON_DAY_QUANTUM) if i in modelled else None for i in range(len(roles))]
    scope = system_days(brief.deliverables, sizing.rates, project.project_type) if is_engagement(roles) else None
    result = plan(builds, roles, sizing.rates.ratios(project.project_type), system_days=scope)
    spread = _model_spread(list(modelled.values()))
    lines = []
    for planned in result.lines:
        model = modelled.get(planned.index) if planned.index is not None else None
        if model is None:
            lines.append(
                whole_project_line(
                    planned, brief.deliverables, roles, result.build_days, spread, quiet, project.project_type
                )
            )
            continue
        phases, days, _capped = planned_phases(planned)
        scale = days / model.person_days
        line = model.model_copy(
            update={
                "phases": phases,
                "optimistic": min(round_person_days(model.optimistic * scale), days),
                "pessimistic": max(round_person_days(model.pessimistic * scale), days),
            }
        )
        lines.append(flag_outlier(line, project.lines[planned.index or 0], lang, model_days=model.person_days))
    return lines


def _model_spread(lines: Sequence[EstimateLine]) -> tuple[Decimal, Decimal]:
    """The model's range over its lines, as percents below and above (what the whole-project lines take)."""
    total = sum((line.person_days for line in lines), Decimal(0))
    if not total:
        return Decimal(15), Decimal(40)
    low = sum((line.optimistic for line in lines), Decimal(0))
    high = sum((line.pessimistic for line in lines), Decimal(0))
    return (100 - 100 * low / total, 100 * high / total - 100)


def _estimate_part(chunk: list[Deliverable]) -> Callable[[Any], _EstimatePart]:
    def convert(reply: LinesReply | EstimateReply | NotesReply) -> _EstimatePart:
        if isinstance(reply, NotesReply):
            return _EstimatePart([], _unique(reply.pa), _unique(reply.ex))
        lines = to_lines(reply.l, chunk)
        if isinstance(reply, EstimateReply):
            return _EstimatePart(lines, _unique(reply.pa), _unique(reply.ex))
        return _EstimatePart(lines, [], [])

    return convert


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(text.strip() for text in texts if text.strip()))


def _peek(body: str) -> tuple[str | None, CompletionUsage | None]:
    """The message content and usage of a raw reply, so an answer that fails validation is still
    shown back to the model and accounted for; content is None when the body is no chat completion.

    ValueError covers bad JSON, a pydantic ValidationError and an integer too long for Python to read.
    """
    try:
        data = json.loads(body)
        content = data["choices"][0]["message"].get("content")
        usage = data.get("usage")
        return content or "", CompletionUsage.model_validate(usage) if usage else None
    except (ValueError, TypeError, LookupError, AttributeError, RecursionError):
        return None, None


def _retry_delay(error: openai.OpenAIError, attempt: int) -> float | None:
    """How long to wait before retrying after `error` (None: no retry can help), by the SDK's rules.

    A timeout is never retried: every wait of a request is capped at the time left, so a timeout
    means the operation's deadline has come.
    """
    if isinstance(error, openai.APITimeoutError):
        return None
    if isinstance(error, openai.APIStatusError):
        if "insufficient_quota" in (error.code, error.type):
            return None
        verdict = error.response.headers.get("x-should-retry")
        retryable = error.status_code in RETRY_STATUSES or error.status_code >= 500
        if verdict == "false" or (verdict != "true" and not retryable):
            return None
        asked = _retry_after(error.response.headers)
        if asked is not None:
            return asked
    elif not isinstance(error, openai.APIConnectionError):
        return None
    backoff: float = min(INITIAL_RETRY_DELAY_S * 2**attempt, MAX_RETRY_DELAY_S)
    return backoff * (1 - 0.25 * random.random())


def _retry_after(headers: httpx2.Headers) -> float | None:
    """The server's own wait in seconds (retry-after-ms, or retry-after in seconds), when it names one."""
    for name, per_second in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            seconds = float(headers.get(name, "")) / per_second
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds > 0:
            return seconds
    return None


def _describe_invalid(error: ValidationError) -> str:
    """A short, model-readable account of why the JSON did not fit the schema."""
    places = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in error.errors()[:3])
    return f"the answer does not follow the JSON schema ({places})"
