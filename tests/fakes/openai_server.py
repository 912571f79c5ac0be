"""A fake OpenAI-compatible HTTP server on loopback (aiohttp), speaking the real wire format.

Routes:
- `POST /v1/embeddings`: deterministic hashed vectors for each input string.
- `POST /v1/chat/completions`: the real `chat.completion` shape; its content comes from a
  scripted responder function `(request_json) -> str` (default: a short JSON reply). A
  vision request (a user message whose content is a list with an `image_url` part) goes to
  `vision_script` instead when one is set, and is kept in `vision_requests`.
- `POST /v1/audio/transcriptions` (multipart: file, model, …): `{"text": ...}` from
  `transcripts` (audio bytes → text; unknown audio → `default_transcript`); kept in
  `transcription_requests` as {"model", "file_name", "size"}.

Fault queues make failures reproducible: `fail_next(kind, count)` with kind
`http500` | `http429` | `timeout` | `malformed` applies to the next requests of either
route (`route="chat"` / `"embeddings"` to pick one); `delay` adds latency to every answer.
Every request body is kept in `requests` (and per route) for assertions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time
from collections import deque
from typing import Any, Callable

from aiohttp import web

ChatScript = Callable[[dict[str, Any]], str]


def _default_chat(request: dict[str, Any]) -> str:
    return json.dumps({"reply": "Здравствуйте! Чем могу помочь?", "fields": {}, "intent": "greeting"},
                      ensure_ascii=False)


def hashed_vector(text: str, dimensions: int = 64) -> list[float]:
    values = [0.0] * dimensions
    for i in range(max(1, len(text) - 2)):
        gram = text[i: i + 3]
        digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=4).digest()
        values[int.from_bytes(digest, "little") % dimensions] += 1.0
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _has_image(body: dict[str, Any]) -> bool:
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "image_url" for p in content):
            return True
    return False


class FakeOpenAIServer:
    def __init__(self, *, chat_script: ChatScript | None = None, dimensions: int = 64, delay: float = 0.0,
                 api_key: str = "") -> None:
        self.chat_script: ChatScript = chat_script or _default_chat
        self.dimensions = dimensions
        self.delay = delay
        self.api_key = api_key  # when set, requests must carry it (401 otherwise)
        self.requests: list[dict[str, Any]] = []
        self.chat_requests: list[dict[str, Any]] = []
        self.embedding_requests: list[dict[str, Any]] = []
        self.vision_script: ChatScript | None = None
        self.vision_requests: list[dict[str, Any]] = []
        self.transcripts: dict[bytes, str] = {}
        self.default_transcript = ""
        self.transcription_requests: list[dict[str, Any]] = []
        self.faults: deque[tuple[str, str]] = deque()  # (route, kind); route "" = any
        self.timeout_seconds = 30.0
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- control ----------------------------------------------------------------
    def fail_next(self, kind: str, count: int = 1, *, route: str = "") -> None:
        for _ in range(count):
            self.faults.append((route, kind))

    def _take_fault(self, route: str) -> str:
        for index, (fault_route, kind) in enumerate(self.faults):
            if fault_route in ("", route):
                del self.faults[index]
                return kind
        return ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> "FakeOpenAIServer":
        app = web.Application()
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/audio/transcriptions", self._transcriptions)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeOpenAIServer":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- handlers -----------------------------------------------------------------
    async def _common(self, request: web.Request, route: str) -> tuple[dict[str, Any] | None, web.Response | None]:
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return None, web.json_response({"error": {"message": "Incorrect API key provided", "type":
                                                      "invalid_request_error", "code": "invalid_api_key"}}, status=401)
        if route == "transcriptions":
            form = await request.post()
            upload = form.get("file")
            data = upload.file.read() if hasattr(upload, "file") else b""
            body = {"model": str(form.get("model", "")), "file_name": getattr(upload, "filename", ""),
                    "size": len(data), "data": data}
            self.transcription_requests.append(body)
        else:
            body = await request.json()
        self.requests.append(body)
        if route in ("chat", "embeddings"):
            (self.chat_requests if route == "chat" else self.embedding_requests).append(body)
        fault = self._take_fault(route)
        if self.delay:
            await asyncio.sleep(self.delay)
        if fault == "timeout":
            await asyncio.sleep(self.timeout_seconds)
        if fault == "http500":
            return body, web.json_response({"error": {"message": "The server had an error", "type": "server_error"}},
                                           status=500)
        if fault == "http429":
            return body, web.json_response({"error": {"message": "Rate limit reached", "type": "requests"}},
                                           status=429, headers={"retry-after-ms": "10"})
        if fault == "malformed":
            return body, web.Response(text="{not json", content_type="application/json")
        return body, None

    async def _transcriptions(self, request: web.Request) -> web.Response:
        body, failure = await self._common(request, "transcriptions")
        if failure is not None:
            return failure
        assert body is not None
        return web.json_response({"text": self.transcripts.get(body["data"], self.default_transcript)})

    async def _embeddings(self, request: web.Request) -> web.Response:
        body, failure = await self._common(request, "embeddings")
        if failure is not None:
            return failure
        assert body is not None
        inputs = body.get("input", [])
        if isinstance(inputs, str):
            inputs = [inputs]
        data = [{"object": "embedding", "index": i, "embedding": hashed_vector(str(text), self.dimensions)}
                for i, text in enumerate(inputs)]
        tokens = sum(len(str(t)) // 3 + 1 for t in inputs)
        return web.json_response({"object": "list", "data": data, "model": body.get("model", ""),
                                  "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    async def _chat(self, request: web.Request) -> web.Response:
        body, failure = await self._common(request, "chat")
        if failure is not None:
            return failure
        assert body is not None
        if self.vision_script is not None and _has_image(body):
            self.vision_requests.append(body)
            content = self.vision_script(body)
        else:
            content = self.chat_script(body)
        prompt_tokens = sum(len(str(m.get("content", ""))) // 3 + 1 for m in body.get("messages", []))
        completion_tokens = len(content) // 3 + 1
        return web.json_response({
            "id": f"chatcmpl-{len(self.chat_requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "gpt-4o"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop",
                         "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })
