"""Downloading a customer's media over loopback: retries on 5xx and dropped connections, no
retry on 404, and a size cap that stops the download."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from ottenok_desktop.engine.media import MediaError
from ottenok_desktop.services.media.fetch import HttpMediaFetcher


@pytest.fixture
async def host() -> Any:
    state = {"fail": 0, "calls": 0}

    async def voice(request: web.Request) -> web.Response:
        state["calls"] += 1
        if state["fail"] > 0:
            state["fail"] -= 1
            return web.Response(status=503)
        return web.Response(body=b"OggS" + b"\x00" * 1000)

    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # no content-length: the cap must stop the stream
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"x" * 4096)
        return response

    app = web.Application()
    app.router.add_get("/voice.ogg", voice)
    app.router.add_get("/big.jpg", big)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", state
    await runner.cleanup()


async def test_download_is_retried_after_server_errors(host: Any) -> None:
    base, state = host
    state["fail"] = 2
    fetcher = HttpMediaFetcher(attempts=3, backoff=0.01)
    try:
        data = await fetcher.fetch(f"{base}/voice.ogg")
    finally:
        await fetcher.aclose()
    assert data.startswith(b"OggS") and len(data) == 1004
    assert state["calls"] == 3


async def test_download_gives_up_after_the_attempts(host: Any) -> None:
    base, state = host
    state["fail"] = 10
    fetcher = HttpMediaFetcher(attempts=2, backoff=0.01)
    with pytest.raises(MediaError, match="after 2 attempts"):
        await fetcher.fetch(f"{base}/voice.ogg?token=secret-token")
    await fetcher.aclose()
    assert state["calls"] == 2


async def test_missing_file_is_not_retried_and_the_query_string_is_not_logged(host: Any) -> None:
    base, _state = host
    fetcher = HttpMediaFetcher(attempts=3, backoff=0.01)
    with pytest.raises(MediaError) as caught:
        await fetcher.fetch(f"{base}/gone.ogg?token=secret-token")
    await fetcher.aclose()
    assert "404" in str(caught.value) and "secret-token" not in str(caught.value)


async def test_a_file_over_the_cap_is_refused(host: Any) -> None:
    base, _state = host
    fetcher = HttpMediaFetcher(max_bytes=100_000, backoff=0.01)
    with pytest.raises(MediaError, match="too large"):
        await fetcher.fetch(f"{base}/big.jpg")
    await fetcher.aclose()


async def test_unreachable_host_is_a_media_error() -> None:
    fetcher = HttpMediaFetcher(attempts=2, backoff=0.01, timeout=2)
    with pytest.raises(MediaError):
        await fetcher.fetch("http://127.0.0.1:9/voice.ogg")
    await fetcher.aclose()
