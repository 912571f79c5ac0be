"""HTTP control of the GREEN-API sandbox: `/sandbox/...` endpoints and a client for them.

The endpoints mirror the sandbox's in-process control so that a sandbox in another
process (a subprocess engine under test) or the demo's customer window can inject
customer messages, faults and states, and read what the bot sent. JSON in, JSON out.
The sandbox only listens on loopback, so these endpoints carry no credentials.
`main()` runs a sandbox as a process (`python -m ottenok_desktop.services.greenapi.sandbox`).
"""

from __future__ import annotations

import base64
import dataclasses
from typing import TYPE_CHECKING, Any, Callable, Sequence

from aiohttp import web

from ..loopback_sandbox import (  # noqa: F401 - SandboxControlError is part of this module's API
    ControlClient, SandboxControlError, add_json_post, add_latency_route, serve_forever,
)

if TYPE_CHECKING:
    from .sandbox import GreenApiSandbox

_MAX_WAIT = 60.0


def add_routes(app: web.Application, sandbox: "GreenApiSandbox") -> None:
    """Register the control endpoints of `sandbox` on `app` (before its catch-all)."""

    def post(path: str, action: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        add_json_post(app, path, action)

    post("inject_text", lambda b: {"idMessage": sandbox.inject_text(b["chatId"], b["text"], b.get("senderName") or "Клиент")})
    post("inject_file", lambda b: {"idMessage": sandbox.inject_file(
        b["chatId"], base64.b64decode(str(b["content"])), str(b["fileName"]), str(b.get("caption") or ""),
        b.get("senderName") or "Клиент")})
    post("inject_phone_text", lambda b: {"idMessage": sandbox.inject_phone_text(b["chatId"], b["text"])})
    post("inject_body", lambda b: {"receiptId": sandbox.inject_body(_require_dict(b["body"]))})
    post("inject_raw", lambda b: {"receiptId": sandbox.inject_raw(str(b["raw"]))})
    post("duplicate_next", lambda b: _ok(sandbox.duplicate_next(int(b.get("n", 1)))))
    post("fault", lambda b: _ok(sandbox.add_fault(
        str(b["method"]), _opt_int(b.get("status")), count=int(b.get("count", 1)), delay=float(b.get("delay", 0.0)),
        body=b.get("body"), after_effect=bool(b.get("afterEffect", False)), retry_after=_opt_float(b.get("retryAfter")),
    )))
    post("fault_rate", lambda b: _ok(sandbox.set_fault_rate(float(b["rate"]), **_rate_options(b))))
    post("state", lambda b: _ok(sandbox.set_state(str(b["state"]))))
    add_latency_route(app, sandbox)

    async def sent(request: web.Request) -> web.Response:
        """Messages sent so far from index `after`; `wait` long-polls for a new one."""
        try:
            after = int(request.query.get("after", "0"))
            wait = min(float(request.query.get("wait", "0")), _MAX_WAIT)
        except ValueError:
            return web.json_response({"error": "after and wait must be numbers"}, status=400)
        if wait > 0 and len(sandbox.sent) <= after and not sandbox.closing:
            await sandbox.wait_sent_changed(wait)
        chat_id = request.query.get("chatId")
        items = [
            dataclasses.asdict(m) for m in sandbox.sent[after:] if chat_id is None or m.chat_id == chat_id
        ]
        return web.json_response({"total": len(sandbox.sent), "messages": items})

    async def pending(request: web.Request) -> web.Response:
        return web.json_response({"pending": sandbox.pending_notifications(), "state": sandbox.state})

    async def media(request: web.Request) -> web.Response:
        item = sandbox.media.get(request.match_info["media_id"])
        if item is None:
            return web.Response(status=404, text="Not Found")
        content, mime, _name = item
        sandbox.media_downloads.append(request.match_info["media_id"])
        return web.Response(body=content, content_type=mime)

    app.router.add_get("/sandbox/sent", sent)
    app.router.add_get("/sandbox/pending", pending)
    app.router.add_get("/sandbox/media/{media_id}/{name}", media)


def _ok(_: None) -> dict[str, Any]:
    return {"ok": True}


def _require_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("body must be a JSON object")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _rate_options(body: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if body.get("methods") is not None:
        options["methods"] = tuple(str(m) for m in body["methods"])
    if body.get("statuses") is not None:
        options["statuses"] = tuple(int(s) for s in body["statuses"])
    return options


class SandboxControlClient(ControlClient):
    """Drives a sandbox over HTTP (another process, or the demo's customer window)."""

    async def inject_text(self, chat_id: str, text: str, sender_name: str = "Клиент") -> str:
        return str((await self._post("inject_text", {"chatId": chat_id, "text": text, "senderName": sender_name}))["idMessage"])

    async def inject_phone_text(self, chat_id: str, text: str) -> str:
        return str((await self._post("inject_phone_text", {"chatId": chat_id, "text": text}))["idMessage"])

    async def inject_body(self, body: dict[str, Any]) -> int:
        return int((await self._post("inject_body", {"body": body}))["receiptId"])

    async def inject_raw(self, raw_body_text: str) -> int:
        return int((await self._post("inject_raw", {"raw": raw_body_text}))["receiptId"])

    async def duplicate_next(self, n: int = 1) -> None:
        await self._post("duplicate_next", {"n": n})

    async def add_fault(
        self, method: str, status: int | None = None, *, count: int = 1, delay: float = 0.0, body: Any = None,
        after_effect: bool = False, retry_after: float | None = None,
    ) -> None:
        await self._post("fault", {
            "method": method, "status": status, "count": count, "delay": delay, "body": body,
            "afterEffect": after_effect, "retryAfter": retry_after,
        })

    async def set_fault_rate(
        self, rate: float, methods: Sequence[str] | None = None, statuses: Sequence[int] | None = None
    ) -> None:
        await self._post("fault_rate", {
            "rate": rate, "methods": list(methods) if methods is not None else None,
            "statuses": list(statuses) if statuses is not None else None,
        })

    async def set_state(self, state: str) -> None:
        await self._post("state", {"state": state})

    async def sent(self, chat_id: str | None = None, *, after: int = 0, wait: float = 0.0) -> tuple[int, list[dict[str, Any]]]:
        """(total sent, messages from index `after`); `wait` > 0 long-polls for news."""
        params: dict[str, Any] = {"after": after, "wait": wait}
        if chat_id is not None:
            params["chatId"] = chat_id
        data = await self._get("sent", params, timeout=wait + 10.0)
        return int(data["total"]), list(data["messages"])

    async def pending_notifications(self) -> int:
        return int((await self._get("pending", {}))["pending"])


def main(argv: Sequence[str] | None = None) -> None:
    """Run the sandbox as a process; prints {"api_url": ...} as one JSON line."""
    import argparse

    parser = argparse.ArgumentParser(description="GREEN-API sandbox on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--instance-id", default="1101000001")
    parser.add_argument("--token", default="sandbox-token")
    parser.add_argument("--status-delay", type=float, default=0.05)
    parser.add_argument("--poll-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="round trip of every GREEN-API call")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="± uniform jitter on that round trip")
    args = parser.parse_args(argv)

    def make() -> "GreenApiSandbox":
        from .sandbox import GreenApiSandbox

        return GreenApiSandbox(
            instance_id=args.instance_id, token=args.token, host=args.host, port=args.port,
            status_delay=args.status_delay, seed=args.seed, poll_scale=args.poll_scale,
            latency_ms=args.latency_ms, jitter_ms=args.jitter_ms,
        )

    serve_forever(make, lambda box: {"api_url": box.api_url, "instance_id": box.instance_id})
