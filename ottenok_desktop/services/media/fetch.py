"""Download a customer's media file (GREEN-API `downloadUrl`, Telegram file URL): retried, size-capped.

httpx streams the body and stops at `max_bytes` (a voice note is a few hundred KB, a photo
a few MB); connection errors, timeouts and 5xx are retried with a short backoff, 4xx are
not (the link expired or never existed). Every failure is a `MediaError` naming the host
only, never the query string (it may carry a token).
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx

from ottenok_desktop.engine.media import MediaError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 16 * 1024 * 1024


class HttpMediaFetcher:
    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES, attempts: int = 3, timeout: float = 20.0,
                 backoff: float = 0.5, client: httpx.AsyncClient | None = None) -> None:
        self.max_bytes = max_bytes
        self.attempts = attempts
        self.backoff = backoff
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=True)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> bytes:
        host = urlsplit(url).netloc or "?"
        last = ""
        for attempt in range(1, self.attempts + 1):
            try:
                return await self._fetch_once(url, host)
            except _Retry as retry:
                last = str(retry)
                log.info("media download from %s failed (attempt %d/%d): %s", host, attempt, self.attempts, last)
                if attempt < self.attempts:
                    await asyncio.sleep(self.backoff * attempt)
        raise MediaError(f"download from {host} failed after {self.attempts} attempts: {last}")

    async def _fetch_once(self, url: str, host: str) -> bytes:
        try:
            async with self._client.stream("GET", url) as response:
                if response.status_code >= 500 or response.status_code == 429:
                    raise _Retry(f"HTTP {response.status_code}")
                if response.status_code >= 400:
                    raise MediaError(f"download from {host} refused (HTTP {response.status_code})")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise MediaError(f"file from {host} is too large ({int(declared)} bytes > {self.max_bytes})")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise MediaError(f"file from {host} is too large (over {self.max_bytes} bytes)")
                    chunks.append(chunk)
                return b"".join(chunks)
        except (httpx.TransportError, httpx.TimeoutException) as error:
            raise _Retry(type(error).__name__) from None


class _Retry(Exception):
    pass
