"""LlmClient against the fake OpenAI-compatible server over loopback."""

from __future__ import annotations

import json

import pytest

from ottenok_desktop.services.llm.client import LlmClient, LlmError, parse_json_object, trim_history
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer

KEY = "fake-openai-key-" + "123"


def _client(server: FakeOpenAIServer, **kw: object) -> LlmClient:
    return LlmClient(Secret(KEY), server.base_url, "gpt-4o", **kw)  # type: ignore[arg-type]


async def test_complete_json_sends_json_mode_and_parses_reply() -> None:
    reply = {"reply": "Есть 38 размер ||| Какой город?", "fields": {"size": "38"}, "intent": "order"}
    async with FakeOpenAIServer(chat_script=lambda body: json.dumps(reply, ensure_ascii=False), api_key=KEY) as server:
        client = _client(server)
        result = await client.complete_json([{"role": "system", "content": "ты Алина"},
                                             {"role": "user", "content": "лоферы 38"}], '{"reply": str}')
        await client.close()
    assert result == reply
    body = server.chat_requests[0]
    assert body["response_format"] == {"type": "json_object"}
    assert body["model"] == "gpt-4o"
    assert body["messages"][-1] == {"role": "user", "content": "лоферы 38"}


async def test_http_500_is_retried_once_then_succeeds() -> None:
    async with FakeOpenAIServer() as server:
        server.fail_next("http500", 1, route="chat")
        client = _client(server, max_retries=1)
        result = await client.complete_json([{"role": "user", "content": "привет"}])
        await client.close()
    assert "reply" in result
    assert len(server.chat_requests) == 2


async def test_persistent_500_raises_typed_error_without_the_key() -> None:
    async with FakeOpenAIServer() as server:
        server.fail_next("http500", 5, route="chat")
        client = _client(server, max_retries=1)
        with pytest.raises(LlmError) as caught:
            await client.complete_json([{"role": "user", "content": "привет"}])
        await client.close()
    assert caught.value.kind == "http"
    assert KEY not in str(caught.value)
    assert len(server.chat_requests) == 2  # bounded: one try + one retry


async def test_timeout_becomes_llm_error() -> None:
    async with FakeOpenAIServer() as server:
        server.fail_next("timeout", 3, route="chat")
        server.timeout_seconds = 2.0
        client = _client(server, timeout=0.3, max_retries=0)
        with pytest.raises(LlmError) as caught:
            await client.complete_json([{"role": "user", "content": "привет"}])
        await client.close()
    assert caught.value.kind == "timeout"


async def test_malformed_json_content_is_a_format_error() -> None:
    async with FakeOpenAIServer(chat_script=lambda body: "Конечно! {reply: да") as server:
        client = _client(server)
        with pytest.raises(LlmError) as caught:
            await client.complete_json([{"role": "user", "content": "привет"}])
        await client.close()
    assert caught.value.kind == "format"


async def test_wrong_key_is_an_auth_error() -> None:
    async with FakeOpenAIServer(api_key="sk-other") as server:
        client = _client(server, max_retries=0)
        with pytest.raises(LlmError) as caught:
            await client.ping()
        await client.close()
    assert caught.value.kind == "auth"
    assert KEY not in str(caught.value)


async def test_unreachable_server_is_a_connection_error() -> None:
    client = LlmClient(Secret(KEY), "http://127.0.0.1:9/v1", "m", timeout=1, max_retries=0)
    with pytest.raises(LlmError) as caught:
        await client.ping()
    await client.close()
    assert caught.value.kind in ("connection", "timeout")


async def test_ping_is_one_token_and_returns_model() -> None:
    async with FakeOpenAIServer(chat_script=lambda body: "ok") as server:
        client = _client(server)
        model = await client.ping()
        await client.close()
    assert model == "gpt-4o"
    assert server.chat_requests[0]["max_tokens"] == 1


async def test_local_server_without_key_works() -> None:
    async with FakeOpenAIServer() as server:
        client = LlmClient(Secret(""), server.base_url, "llama3")
        result = await client.complete_json([{"role": "user", "content": "привет"}])
        await client.close()
    assert result["reply"]


def test_trim_history_drops_oldest_and_keeps_system_and_last() -> None:
    messages = [{"role": "system", "content": "s" * 30}]
    messages += [{"role": "user" if i % 2 else "assistant", "content": f"сообщение {i} " + "x" * 300} for i in range(20)]
    trimmed = trim_history(messages, budget_tokens=400)
    assert trimmed[0]["role"] == "system"
    assert trimmed[-1] == messages[-1]
    assert len(trimmed) < len(messages)
    assert "сообщение 19" in trimmed[-1]["content"]
    assert all("сообщение 0 " not in m["content"] for m in trimmed)


def test_parse_json_object_accepts_fenced_and_rejects_lists() -> None:
    assert parse_json_object('```json\n{"reply": "да"}\n```') == {"reply": "да"}
    assert parse_json_object('Вот ответ: {"reply": "да"}') == {"reply": "да"}
    with pytest.raises(LlmError):
        parse_json_object("[1, 2]")
    with pytest.raises(LlmError):
        parse_json_object("просто текст")
