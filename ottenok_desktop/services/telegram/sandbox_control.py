"""HTTP control of the Telegram sandbox: `/sandbox/...` endpoints and a client for them.

A sandbox in another process (a subprocess engine under test) or the demo's customer
window uses these to write as a customer in a private chat, press an inline button as an
operator, set group members and faults, and read what the bot sent. JSON in, JSON out;
the sandbox listens on loopback only, so the endpoints carry no credentials.
`main()` runs a sandbox as a process and prints {"api_url": ..., "token": ...} as one line.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable, Sequence

from aiohttp import web

from ..loopback_sandbox import (  # noqa: F401 - SandboxControlError is part of this module's API
    ControlClient, SandboxControlError, add_json_post, add_latency_route, serve_forever,
)

if TYPE_CHECKING:
    from .sandbox import TelegramSandbox

_MAX_WAIT = 60.0


def add_routes(app: web.Application, sandbox: "TelegramSandbox") -> None:
    def post(path: str, action: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        add_json_post(app, path, action)

    add_latency_route(app, sandbox)

    post("write", lambda b: {"update_id": sandbox.write(
        int(b["userId"]), str(b.get("text") or ""), first_name=str(b.get("firstName") or "Клиент"))})
    post("share_contact", lambda b: {"update_id": sandbox.share_contact(int(b["userId"]), str(b["phone"]))})
    post("write_in_group", lambda b: {"update_id": sandbox.write_in_group(int(b["chatId"]), int(b["userId"]), str(b["text"]))})
    post("press", lambda b: {"update_id": sandbox.press(int(b["userId"]), int(b["messageId"]), str(b["data"]))})
    post("user", lambda b: {"user": sandbox.add_user(int(b["userId"]), str(b["firstName"]),
                                                    username=str(b.get("username") or ""))})
    post("member", lambda b: _ok(sandbox.set_member(int(b["chatId"]), int(b["userId"]), str(b.get("status") or "member"))))
    post("fault", lambda b: _ok(sandbox.add_fault(
        str(b["method"]), None if b.get("status") is None else int(b["status"]), count=int(b.get("count", 1)),
        delay=float(b.get("delay", 0.0)), retry_after=None if b.get("retryAfter") is None else int(b["retryAfter"]),
        after_effect=bool(b.get("afterEffect", False)),
    )))

    async def sent(request: web.Request) -> web.Response:
        """Messages the bot sent from index `after` (edits show their latest state);
        `wait` long-polls for a new one."""
        try:
            after = int(request.query.get("after", "0"))
            wait = min(float(request.query.get("wait", "0")), _MAX_WAIT)
        except ValueError:
            return web.json_response({"error": "after and wait must be numbers"}, status=400)
        if wait > 0 and len(sandbox.sent) <= after and not sandbox.closing:
            await sandbox.wait_sent_changed(wait)
        chat = request.query.get("chatId")
        items = [dataclasses.asdict(m) for m in sandbox.sent[after:] if chat is None or str(m.chat_id) == chat]
        return web.json_response({"total": len(sandbox.sent), "messages": items})

    async def answers(request: web.Request) -> web.Response:
        return web.json_response({"answers": [dataclasses.asdict(a) for a in sandbox.answers]})

    async def pending(request: web.Request) -> web.Response:
        return web.json_response({"pending": sandbox.pending_updates()})

    app.router.add_get("/sandbox/sent", sent)
    app.router.add_get("/sandbox/answers", answers)
    app.router.add_get("/sandbox/pending", pending)


def _ok(_: None) -> dict[str, Any]:
    return {"ok": True}


class TelegramSandboxClient(ControlClient):
    """Drives a Telegram sandbox over HTTP (another process, or the demo's customer window)."""

    label = "telegram sandbox control"

    async def write(self, user_id: int, text: str, first_name: str = "Клиент") -> int:
        return int((await self._post("write", {"userId": user_id, "text": text, "firstName": first_name}))["update_id"])

    async def press(self, user_id: int, message_id: int, data: str) -> int:
        return int((await self._post("press", {"userId": user_id, "messageId": message_id, "data": data}))["update_id"])

    async def add_user(self, user_id: int, first_name: str, username: str = "") -> None:
        await self._post("user", {"userId": user_id, "firstName": first_name, "username": username})

    async def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        await self._post("member", {"chatId": chat_id, "userId": user_id, "status": status})

    async def add_fault(self, method: str, status: int | None = None, *, count: int = 1, delay: float = 0.0,
                        retry_after: int | None = None, after_effect: bool = False) -> None:
        await self._post("fault", {"method": method, "status": status, "count": count, "delay": delay,
                                   "retryAfter": retry_after, "afterEffect": after_effect})

    async def sent(self, chat_id: int | None = None, *, after: int = 0, wait: float = 0.0) -> tuple[int, list[dict[str, Any]]]:
        params: dict[str, Any] = {"after": after, "wait": wait}
        if chat_id is not None:
            params["chatId"] = chat_id
        data = await self._get("sent", params, timeout=wait + 10.0)
        return int(data["total"]), list(data["messages"])

    async def answers(self) -> list[dict[str, Any]]:
        return list((await self._get("answers", {}))["answers"])

    async def pending_updates(self) -> int:
        return int((await self._get("pending", {}))["pending"])


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    from .sandbox import DEFAULT_TOKEN

    parser = argparse.ArgumentParser(description="Telegram Bot API sandbox on loopback")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--poll-scale", type=float, default=1.0)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="round trip of every Bot API call")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="± uniform jitter on that round trip")
    parser.add_argument("--group", type=int, action="append", default=[], help="an operators' group chat id")
    args = parser.parse_args(argv)

    def make() -> "TelegramSandbox":
        from .sandbox import TelegramSandbox

        sandbox = TelegramSandbox(token=args.token, host=args.host, port=args.port, poll_scale=args.poll_scale,
                                  latency_ms=args.latency_ms, jitter_ms=args.jitter_ms)
        for group in args.group:
            sandbox.add_group(group)
        return sandbox

    serve_forever(make, lambda box: {"api_url": box.api_url, "token": box.token})
