"""The plumbing both loopback sandboxes share (GREEN-API and the Telegram Bot API).

- `LoopbackSandbox`: an aiohttp app on a loopback port (0: a free one), no access log (the
  real APIs carry tokens in their URLs); every request takes a round trip of
  `latency_ms` ± `jitter_ms` (uniform, seeded), half before the method runs and half after
  it; pauses are cut short when the sandbox stops; the "something was sent" wake-up the
  control endpoints long-poll on.
- `add_json_post`: a `/sandbox/{path}` control endpoint taking and answering JSON objects.
- `ControlClient`: the control client's HTTP basics (JSON in and out, errors as
  `SandboxControlError`), and `serve_forever`, a sandbox run as a process until a signal.

Each sandbox adds its own API (`_handle`) and control routes (`_add_routes`).
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Awaitable, Callable, Self, TypeVar

import httpx
from aiohttp import web

from ottenok_desktop.engine.tasks import wait_event


class LoopbackSandbox:
    client_max_size = 1024 * 1024  # the largest request body the API takes

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, latency_ms: float = 0.0, jitter_ms: float = 0.0,
                 seed: int = 0) -> None:
        self.host = host
        self.port = port
        self.api_url = ""
        self.latency_ms = 0.0
        self.jitter_ms = 0.0
        self.set_latency(latency_ms, jitter_ms)
        self._latency_rng = random.Random(seed + 1)  # apart from the API's own randomness: same ids whatever the latency
        self._sent_changed = asyncio.Event()
        self._closing = False
        self._closed = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # ---- what a sandbox supplies -------------------------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        """The `/sandbox/...` control endpoints (registered before the API's catch-all)."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError

    def _on_stop(self) -> None:
        """Wake whatever waits inside the sandbox (long polls, timers) as it stops."""

    # ---- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=self.client_max_size)
        self._add_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._timed)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server else ()  # type: ignore[union-attr]
        self.port = sockets[0].getsockname()[1]
        self.api_url = f"http://{self.host}:{self.port}"
        return self.api_url

    async def stop(self) -> None:
        self._closing = True
        self._closed.set()  # ends fault delays, round trips and long polls at once
        self._on_stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def closing(self) -> bool:
        return self._closing

    # ---- latency -------------------------------------------------------------------------------
    def set_latency(self, latency_ms: float, jitter_ms: float = 0.0) -> None:
        """Every API call takes a round trip of latency_ms ± jitter_ms (uniform)."""
        if latency_ms < 0 or jitter_ms < 0:
            raise ValueError("latency and jitter must not be negative")
        self.latency_ms = float(latency_ms)
        self.jitter_ms = float(jitter_ms)

    def round_trip(self) -> float:
        """One sampled round trip in seconds (0 when no latency is set)."""
        if self.latency_ms <= 0 and self.jitter_ms <= 0:
            return 0.0
        jitter = self._latency_rng.uniform(-self.jitter_ms, self.jitter_ms) if self.jitter_ms else 0.0
        return max(0.0, self.latency_ms + jitter) / 1000.0

    async def _timed(self, request: web.Request) -> web.StreamResponse:
        # only the API's catch-all comes here: the control routes answer at once
        trip = self.round_trip()
        if trip:
            await self.pause(trip / 2)  # the request travels to the server
        response = await self._handle(request)
        if trip:
            await self.pause(trip / 2)  # the answer travels back
        return response

    async def pause(self, delay: float) -> None:
        """Sleep (a round trip, a fault's delay), cut short when the sandbox stops."""
        await wait_event(self._closed, delay)

    # ---- "something was sent" ------------------------------------------------------------------
    def _wake_sent(self) -> None:
        self._sent_changed.set()
        self._sent_changed = asyncio.Event()

    async def wait_sent_changed(self, timeout: float) -> None:
        """Wait for the next send (or timeout); the control endpoint's long poll uses it."""
        await wait_event(self._sent_changed, timeout)


def add_json_post(app: web.Application, path: str, action: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """POST /sandbox/{path}: a JSON object in, `action`'s JSON object out; bad input → 400."""
    async def handler(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            return web.json_response(action(body))
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)

    app.router.add_post(f"/sandbox/{path}", handler)


class SandboxControlError(RuntimeError):
    """A control call was rejected or the sandbox could not be reached."""


class ControlClient:
    """HTTP basics of a sandbox's control client (another process, or the demo's customer window)."""

    label = "sandbox control"

    def __init__(self, api_url: str, *, http: httpx.AsyncClient | None = None, timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def set_latency(self, latency_ms: float, jitter_ms: float = 0.0) -> None:
        """Every later API call takes latency_ms ± jitter_ms."""
        await self._post("latency", {"latencyMs": latency_ms, "jitterMs": jitter_ms})

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._request(self._http.post(f"{self.api_url}/sandbox/{path}", json=body))

    async def _get(self, path: str, params: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"params": params}
        if timeout is not None:
            kwargs["timeout"] = timeout
        return await self._request(self._http.get(f"{self.api_url}/sandbox/{path}", **kwargs))

    async def _request(self, pending: Awaitable[httpx.Response]) -> dict[str, Any]:
        try:
            response = await pending
        except httpx.HTTPError as exc:
            raise SandboxControlError(f"{self.label}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise SandboxControlError(f"{self.label}: HTTP {response.status_code}: {response.text[:300]}")
        data = response.json()
        if not isinstance(data, dict):
            raise SandboxControlError(f"{self.label}: the answer is not a JSON object")
        return data


def add_latency_route(app: web.Application, sandbox: LoopbackSandbox) -> None:
    """POST /sandbox/latency {"latencyMs": …, "jitterMs": …}."""
    def set_latency(body: dict[str, Any]) -> dict[str, Any]:
        sandbox.set_latency(float(body["latencyMs"]), float(body.get("jitterMs", 0.0)))
        return {"ok": True}

    add_json_post(app, "latency", set_latency)


S = TypeVar("S", bound=LoopbackSandbox)


def serve_forever(make: Callable[[], S], announce: Callable[[S], dict[str, Any]]) -> None:
    """Run a sandbox as a process: start it, print `announce(sandbox)` as one JSON line, serve
    until SIGINT/SIGTERM (Ctrl+C on Windows)."""
    import signal

    async def serve() -> None:
        sandbox = make()
        await sandbox.start()
        print(json.dumps(announce(sandbox)), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C raises instead
                pass
        try:
            await stop.wait()
        finally:
            await sandbox.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
