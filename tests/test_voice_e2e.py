"""The whole engine built by bootstrap in LLM mode (fake OpenAI-compatible server over
loopback: chat, embeddings, transcriptions), WhatsApp = the GREEN-API sandbox: a customer's
voice note (the real audioMessage notification shape, its downloadUrl served over loopback)
is transcribed and answered with the stock price; the console's message shows the transcript,
and its «▶ Прослушать» plays the copy kept in the data dir (no second download)."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

from aiohttp import web

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine.media_responder import MediaResponder
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.openai_server import FakeOpenAIServer

VOICE = b"OggS\x00\x02voice-note-bytes"


def _rephrasing_llm(body: dict[str, Any]) -> str:
    facts = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
    suggestion = facts.rsplit("Пример ответа по фактам (перескажи своими словами): ", 1)[-1]
    return json.dumps({"reply": suggestion, "fields": {}, "intent": "product"}, ensure_ascii=False)


DOWNLOADS: list[str] = []


async def _media_host() -> tuple[web.AppRunner, str]:
    async def voice(request: web.Request) -> web.Response:
        DOWNLOADS.append(request.path)
        return web.Response(body=VOICE, content_type="audio/ogg")

    app = web.Application()
    app.router.add_get("/990173687/801078ab.ogg", voice)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/990173687/801078ab.ogg"


async def test_voice_note_through_the_engine_gets_the_price(tmp_path: Path, shared_fixtures: Path) -> None:
    DOWNLOADS.clear()
    server = await FakeOpenAIServer(chat_script=_rephrasing_llm).start()
    server.transcripts[VOICE] = "здравствуйте, вот эти лоферы шанель из сторис есть в тридцать восьмом?"
    runner, url = await _media_host()
    data_dir = tmp_path / "data"
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", demo=True,
                             overrides={"OPENAI_API_KEY": "fake-key", "OPENAI_BASE_URL": server.base_url,
                                        "OPENAI_TRANSCRIBE_MODEL": "whisper-1"})
    engine = build_engine(settings, sandbox=GreenApiSandbox(poll_scale=0.02, status_delay=0.01), debounce=0.0)
    assert isinstance(engine.responder, MediaResponder)
    await engine.start()
    try:
        body = json.loads((shared_fixtures / "greenapi" / "incomingMessageReceived_audioMessage.json")
                          .read_text(encoding="utf-8"))
        body = copy.deepcopy(body)
        chat = "77015550201@c.us"
        body["senderData"].update(chatId=chat, sender=chat, chatName="Жанна", senderName="Жанна")
        body["messageData"]["fileMessageData"]["downloadUrl"] = url
        body["instanceData"]["idInstance"] = int(engine.sandbox.instance_id)
        engine.sandbox.inject_body(body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        answer = ""
        while "285 000" not in answer:  # the greeting and the stock answer may be separate messages
            assert loop.time() < deadline, f"no price in the answer to the voice note: {answer!r}"
            await asyncio.sleep(0.05)
            answer = "\n".join(m.text for m in engine.sandbox.sent_to(chat) if m.text)
        assert "Chanel" in answer
        assert server.transcription_requests[0]["model"] == "whisper-1"

        def stored() -> list[tuple[str, str]]:
            from ottenok_desktop.services.storage.models import Message

            return [(m.content_type, m.text) for m in Message.select().where(Message.direction == "in")]

        assert await engine.db.call(stored) == [("audio", server.transcripts[VOICE])]

        def voice_id() -> int:
            from ottenok_desktop.services.storage.models import Message

            return int(Message.get(Message.content_type == "audio").id)

        assert len(DOWNLOADS) == 1
        played = await engine.voice_file(chat, await engine.db.call(voice_id), url, "801078ab.ogg")
        again = await engine.voice_file(chat, await engine.db.call(voice_id), url, "801078ab.ogg")
        assert played == again and played is not None and played.read_bytes() == VOICE
        assert played.is_relative_to(data_dir / "voice")
        assert len(DOWNLOADS) == 1  # the turn's download is the one the console plays
    finally:
        await engine.stop()
        await runner.cleanup()
        await server.stop()
