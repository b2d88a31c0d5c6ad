"""The fake OpenAI server itself: other tests trust its auto answers, usage numbers and latency model."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import jsonschema
import openai
import pytest

from tests import fake_openai as fake
from tests.fake_openai import TEST_API_KEY, FakeOpenAI, Latency, SchemaInstance, count_tokens

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "count": {"type": "integer", "minimum": 2, "maximum": 5},
        "ratio": {"type": "number"},
        "flag": {"type": "boolean"},
        "color": {"enum": ["red", "green"]},
        "maybe": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "nested": {"$ref": "#/$defs/Nested"},
        "items": {"type": "array", "items": {"$ref": "#/$defs/Nested"}},
    },
    "required": ["title", "count", "ratio", "flag", "color", "maybe", "nested", "items"],
    "additionalProperties": False,
    "$defs": {
        "Nested": {
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}}, "key": {"type": "string"}},
            "required": ["tags", "key"],
            "additionalProperties": False,
        }
    },
}


def client(server: FakeOpenAI, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(api_key=TEST_API_KEY, base_url=server.base_url, max_retries=0, **options)


def ask(server: FakeOpenAI, schema: dict[str, Any] = SCHEMA, data: str = "") -> Any:
    return client(server).chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": data or "hi"}],
        response_format={"type": "json_schema", "json_schema": {"name": "Thing", "schema": schema, "strict": True}},
    )


def test_auto_mode_answers_any_schema_with_a_valid_instance(fake_openai: FakeOpenAI) -> None:
    completion = ask(fake_openai)
    instance = json.loads(completion.choices[0].message.content)

    jsonschema.validate(instance, SCHEMA)
    assert len(instance["items"]) == 3
    assert len(instance["nested"]["tags"]) == 1
    assert instance["maybe"] is not None
    assert instance["count"] == 2


def test_generator_fills_estimate_lines_and_proposals_from_the_data() -> None:
    line = {"type": "object", "properties": {k: {"type": "string"} for k in ("n", "t", "r")}}
    line["properties"] |= {"d": {"type": "array", "items": {"type": "number"}}, "o": {"type": "number"}}
    line["properties"] |= {"p": {"type": "number"}}
    operation = {"type": "object", "properties": {"kind": {"enum": ["remove_line"]}, "line": {"type": "string"}}}
    proposal = {"type": "object", "properties": {"ops": {"type": "array", "items": operation}}}
    schema = {
        "type": "object",
        "properties": {"l": {"type": "array", "items": line}, "ps": {"type": "array", "items": proposal}},
    }
    built = SchemaInstance(schema, ["A", "B"], "en").build()

    assert [entry["n"] for entry in built["l"]] == ["A", "B"]
    for entry in built["l"]:
        assert len(entry["d"]) == 7 and entry["o"] <= sum(entry["d"]) <= entry["p"]
    assert [p["ops"][0]["line"] for p in built["ps"]] == ["A", "B", "A"]
    assert all(p["ops"][0]["kind"] == "scale_line" for p in built["ps"])


def test_usage_is_counted_with_o200k(fake_openai: FakeOpenAI) -> None:
    completion = ask(fake_openai)
    usage = completion.usage

    assert usage.completion_tokens == count_tokens(completion.choices[0].message.content)
    body = fake_openai.chat_requests[0].body
    schema_tokens = count_tokens(json.dumps(body["response_format"]["json_schema"], separators=(",", ":")))
    assert usage.prompt_tokens > schema_tokens + count_tokens("Answer in JSON.")
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_repeated_long_prefix_is_reported_as_cached(fake_openai: FakeOpenAI) -> None:
    long = "<data>" + "日次で在庫を引き当てる。" * 300 + "</data>"
    first, second = ask(fake_openai, data=long), ask(fake_openai, data=long)

    assert first.usage.prompt_tokens_details.cached_tokens == 0
    cached = second.usage.prompt_tokens_details.cached_tokens
    assert 1024 <= cached <= second.usage.prompt_tokens and cached % 128 == 0


def test_latency_model_applies_to_each_concurrent_call_on_its_own(fake_openai: FakeOpenAI) -> None:
    fake_openai.latency = Latency(first_token_s=0.3, tokens_per_s=1000)
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        completions = list(pool.map(lambda _: ask(fake_openai), range(4)))
    elapsed = time.perf_counter() - started

    expected = fake_openai.latency.seconds(completions[0].usage.completion_tokens)
    assert expected <= elapsed < 2 * expected


def test_models_are_listed(fake_openai: FakeOpenAI) -> None:
    assert [m.id for m in client(fake_openai).models.list()] == ["gpt-4o-mini"]
    assert fake_openai.requests[0].method == "GET"


def test_scripted_replies_come_first_then_auto_mode_resumes(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.answer({"title": "scripted"}), fake.refusal("no"))
    first, second, third = (ask(fake_openai) for _ in range(3))

    assert json.loads(first.choices[0].message.content) == {"title": "scripted"}
    assert second.choices[0].message.refusal == "no" and second.choices[0].message.content is None
    jsonschema.validate(json.loads(third.choices[0].message.content), SCHEMA)


def test_error_replies_carry_status_code_and_retry_after(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.rate_limited(retry_after=7), fake.insufficient_quota())
    for code, retry_after in (("rate_limit_exceeded", "7"), ("insufficient_quota", None)):
        with pytest.raises(openai.RateLimitError) as raised:
            ask(fake_openai)
        assert raised.value.code == code
        assert raised.value.response.headers.get("retry-after") == retry_after


def test_truncated_answer_is_cut_and_says_length(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.truncated())
    choice = ask(fake_openai).choices[0]

    assert choice.finish_reason == "length"
    with pytest.raises(json.JSONDecodeError):
        json.loads(choice.message.content)


def test_reset_forgets_script_requests_and_settings(fake_openai: FakeOpenAI) -> None:
    fake_openai.script(fake.refusal())
    fake_openai.latency = Latency()
    fake_openai.expected_api_key = "sk-other"
    with pytest.raises(openai.AuthenticationError):
        ask(fake_openai)
    fake_openai.reset()

    completion = ask(fake_openai)
    assert completion.choices[0].message.refusal is None
    assert len(fake_openai.requests) == 1
    assert fake_openai.latency is None and fake_openai.expected_api_key is None


def test_trickle_sends_the_headers_at_once_and_the_body_a_byte_at_a_time(fake_openai: FakeOpenAI) -> None:
    bytes_per_s = 2000.0
    fake_openai.script(fake.trickle(bytes_per_s))
    request = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    started = time.monotonic()
    with httpx2.stream(
        "POST", f"{fake_openai.base_url}/chat/completions", json=request, headers={"authorization": "Bearer x"}
    ) as response:
        headers_after = time.monotonic() - started
        chunks = list(response.iter_raw())
    elapsed = time.monotonic() - started

    body = b"".join(chunks)
    assert headers_after < 0.5 * len(body) / bytes_per_s
    assert elapsed >= len(body) / bytes_per_s
    assert len(chunks) > 1
    assert json.loads(body)["choices"][0]["message"]["content"] == "Hello from the fake OpenAI server."
