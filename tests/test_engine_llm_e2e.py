"""The whole engine in LLM mode: settings point OPENAI_BASE_URL at a fake
OpenAI-compatible server over loopback (chat completions and embeddings), WhatsApp is the
GREEN-API sandbox. A customer buys with one LLM call per turn; an LLM that invents a price
or dies mid-dialogue never reaches the customer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.openai_server import FakeOpenAIServer


def _reply(text: str, fields: dict[str, str] | None = None) -> str:
    return json.dumps({"reply": text, "fields": fields or {}, "intent": "product"}, ensure_ascii=False)


def _rephrasing_llm(body: dict[str, Any]) -> str:
    """Says what the engine's facts suggest, in its own wrapper."""
    facts = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
    suggestion = facts.rsplit("Пример ответа по фактам (перескажи своими словами): ", 1)[-1]
    return _reply(suggestion)


async def _say(sandbox: GreenApiSandbox, chat: str, text: str) -> list[str]:
    before = len(sandbox.sent_to(chat))
    sandbox.inject_text(chat, text, "Жанна")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while len(sandbox.sent_to(chat)) == before:
        assert loop.time() < deadline, f"no answer to {text!r}"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)
    return [m.text for m in sandbox.sent_to(chat)[before:] if m.text]


async def test_llm_mode_through_the_engine(tmp_path: Path) -> None:
    server = await FakeOpenAIServer(chat_script=_rephrasing_llm).start()
    data_dir = tmp_path / "data"
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", demo=True,
                             overrides={"OPENAI_API_KEY": "fake-key-for-the-fake-server",
                                        "OPENAI_BASE_URL": server.base_url, "OPENAI_MODEL": "gpt-4o"})
    assert settings.llm_mode == "local"
    engine = build_engine(settings, sandbox=GreenApiSandbox(poll_scale=0.02, status_delay=0.01), debounce=0.0)
    recorder = ev.EventRecorder(engine.bus)
    await engine.start()
    try:
        assert engine.llm is not None and engine.llm_mode == "local"
        chat = "77015550101@c.us"
        calls_before = len(server.chat_requests)
        first = "\n".join(await _say(engine.sandbox, chat, "Здравствуйте, есть лоферы шанель 38?"))
        assert "285 000" in first
        assert len(server.chat_requests) - calls_before == 1  # one LLM round trip for the turn
        assert server.chat_requests[-1]["response_format"] == {"type": "json_object"}

        # The LLM invents a discount price: the customer never sees it.
        server.chat_script = lambda body: _reply("Для вас сегодня скидка — всего 99 000 ₸!")
        answer = "\n".join(await _say(engine.sandbox, chat, "а скидка есть?"))
        assert "99 000" not in answer
        assert any(e.guard == "price" for e in recorder.of_type(ev.GuardTriggered))

        # The LLM server dies: the customer still gets an answer composed offline.
        server.fail_next("http500", count=10, route="chat")
        answer = await _say(engine.sandbox, chat, "черные")
        assert len(server.faults) < 10  # the engine did call the failing server
        assert answer and all("99 000" not in t for t in answer)
    finally:
        await engine.stop()
        await server.stop()
