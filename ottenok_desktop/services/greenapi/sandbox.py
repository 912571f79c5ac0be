"""A GREEN-API sandbox: a real HTTP server on loopback that speaks the GREEN-API protocol.

It runs on the current asyncio loop (inside the app's loop in demo mode, or inside a
test), or as a subprocess (`python -m ottenok_desktop.services.greenapi.sandbox`).
It keeps the notification queue like the real service (the head comes back until it is
deleted; `receiveNotification` long-polls and answers `null` when empty), records what
the bot sends, queues the echo (`outgoingAPIMessageReceived`) and the statuses
sent → delivered → read after each send, and injects faults on demand: HTTP errors,
slow answers, a send that goes out while its answer is lost (the ambiguous case),
seeded random faults, an instance that is starting or not authorized, and a network
round trip (`latency_ms` ± `jitter_ms`, half before the method runs and half after it,
on every GREEN-API call; the `/sandbox/...` control endpoints are not delayed).
Control: the methods below in-process, or the `/sandbox/...` endpoints (sandbox_control).
The GREEN-API methods are answered in sandbox_handlers; JSON shapes come from sandbox_bodies.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import quote

from aiohttp import web

from ottenok_desktop.engine.tasks import wait_event

from ..loopback_sandbox import LoopbackSandbox
from . import sandbox_bodies as bodies
from . import sandbox_control, sandbox_handlers

STATUS_CHAIN = ("sent", "delivered", "read")
DEFAULT_SETTINGS: dict[str, Any] = {
    "webhookUrl": "",
    "webhookUrlToken": "",
    "delaySendMessagesMilliseconds": 0,
    "markIncomingMessagesReaded": "no",
    "markIncomingMessagesReadedOnReply": "no",
    "outgoingWebhook": "yes",
    "outgoingMessageWebhook": "yes",
    "outgoingAPIMessageWebhook": "yes",
    "incomingWebhook": "yes",
    "stateWebhook": "yes",
    "keepOnlineStatus": "no",
}


@dataclass
class SentMessage:
    """One message the API was asked to send (and the sandbox carried out)."""

    id_message: str
    chat_id: str
    kind: str  # "text" | "file_upload" | "file_url"
    text: str = ""
    file_name: str = ""
    caption: str = ""
    file_bytes: int = 0
    at: float = 0.0
    quoted_message_id: str | None = None
    download_url: str = ""


@dataclass
class Fault:
    method: str
    status: int | None
    count: int
    delay: float = 0.0
    body: Any = None
    after_effect: bool = False
    retry_after: float | None = None


@dataclass
class _Outgoing:
    """An outgoing message as lastOutgoingMessages reports it."""

    record: dict[str, Any]
    status_rank: int = -1


class GreenApiSandbox(LoopbackSandbox):
    client_max_size = 110 * 1024 * 1024  # GREEN-API allows 100 MB files

    def __init__(
        self,
        *,
        instance_id: str = "1101000001",
        token: str = "sandbox-token",
        host: str = "127.0.0.1",
        port: int = 0,
        wid: str = "77010000000@c.us",
        status_delay: float = 0.05,
        seed: int = 0,
        shuffle_statuses: bool = False,
        poll_scale: float = 1.0,
        latency_ms: float = 0.0,
        jitter_ms: float = 0.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(host=host, port=port, latency_ms=latency_ms, jitter_ms=jitter_ms, seed=seed)
        self.instance_id = str(instance_id)
        self.token = token
        self.wid = wid
        self.status_delay = status_delay
        self.shuffle_statuses = shuffle_statuses
        # Long-poll waits last receiveTimeout * poll_scale seconds (tests use a small scale).
        self.poll_scale = poll_scale
        self.now = now
        self.state = "authorized"
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS, wid=wid)
        self.sent: list[SentMessage] = []
        self.read_chats: list[tuple[str, str | None]] = []
        self.media: dict[str, tuple[bytes, str, str]] = {}  # media id -> (bytes, mime, name)
        self.media_downloads: list[str] = []  # media ids, one per download served
        self.chat_names: dict[str, str] = {}
        self._rng = random.Random(seed)
        self._queue: list[tuple[int, str]] = []  # (receiptId, body JSON text)
        self._next_receipt = 1
        self._duplicates = 0
        self._faults: list[Fault] = []
        self._fault_rate = 0.0
        self._fault_methods: frozenset[str] = frozenset()
        self._fault_statuses: tuple[int, ...] = (500,)
        self._outgoing: dict[str, _Outgoing] = {}
        # Pending status timers by key (qasync's handles have no when(): track by key).
        self._timers: dict[int, asyncio.Handle] = {}
        self._timer_keys = itertools.count()
        self._queue_changed = asyncio.Event()

    # ---- lifecycle (services/loopback_sandbox.py) --------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        sandbox_control.add_routes(app, self)

    def _on_stop(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        self._wake_queue()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        return await sandbox_handlers.dispatch(self, request)

    # ---- in-process control --------------------------------------------------------
    def inject_text(self, chat_id: str, text: str, sender_name: str = "Клиент") -> str:
        """A customer writes a text message; returns its idMessage."""
        self.chat_names[chat_id] = sender_name
        id_message = self.new_id()
        self.inject_body(self._message_body(
            "incomingMessageReceived", id_message, chat_id, chat_id, sender_name, bodies.text_data(text)
        ))
        return id_message

    def inject_file(self, chat_id: str, content: bytes, file_name: str, caption: str = "",
                    sender_name: str = "Клиент") -> str:
        """A customer sends a file (a voice note "*.ogg" is an audioMessage); returns its idMessage."""
        self.chat_names[chat_id] = sender_name
        id_message = self.new_id()
        data = bodies.file_data(self.host_media(content, file_name), file_name, caption)
        self.inject_body(self._message_body("incomingMessageReceived", id_message, chat_id, chat_id, sender_name, data))
        return id_message

    def host_media(self, content: bytes, file_name: str) -> str:
        """Serve bytes as GREEN-API serves media; returns the downloadUrl."""
        media_id = self.new_id().lower()
        mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        self.media[media_id] = (content, mime, file_name)
        return f"{self.api_url}/sandbox/media/{media_id}/{quote(file_name)}"

    def inject_phone_text(self, chat_id: str, text: str) -> str:
        """A human types on the shop phone (outgoingMessageReceived); returns idMessage."""
        id_message = self.new_id()
        self._remember_outgoing(id_message, chat_id, bodies.text_data(text), send_by_api=False)
        self.inject_body(self._message_body(
            "outgoingMessageReceived", id_message, chat_id, self.wid, "", bodies.text_data(text)
        ))
        self._schedule_statuses(id_message, chat_id, send_by_api=False)
        return id_message

    def inject_body(self, body: dict[str, Any]) -> int:
        """Queue any notification body (e.g. a shared fixture); returns its receiptId."""
        return self.inject_raw(json.dumps(body, ensure_ascii=False))

    def inject_raw(self, raw_body_text: str) -> int:
        """Queue a body verbatim, even a poison one (invalid JSON); returns its receiptId."""
        receipt_id = self._enqueue(raw_body_text)
        if self._duplicates > 0:
            self._duplicates -= 1
            self._enqueue(raw_body_text)  # the same notification again, new receiptId
        return receipt_id

    def duplicate_next(self, n: int = 1) -> None:
        self._duplicates += n

    def add_fault(
        self,
        method: str,
        status: int | None = None,
        *,
        count: int = 1,
        delay: float = 0.0,
        body: Any = None,
        after_effect: bool = False,
        retry_after: float | None = None,
    ) -> None:
        """Make the next `count` calls of `method` ("*" = any) fail or answer slowly.

        status None + delay: the work is done at once, the answer comes after the delay
        (a client with a shorter timeout sees a timeout although the call took effect).
        A status with after_effect=True on a send: the message goes out, the answer is
        the error; without after_effect the error comes and nothing is done.
        """
        self._faults.append(Fault(method, status, count, delay, body, after_effect, retry_after))

    def set_fault_rate(
        self,
        rate: float,
        methods: Iterable[str] = ("receiveNotification", "deleteNotification", "sendMessage", "sendFileByUpload"),
        statuses: Sequence[int] = (429, 500, 502, 503),
    ) -> None:
        """Seeded random faults: each call of `methods` fails with probability `rate`."""
        self._fault_rate = rate
        self._fault_methods = frozenset(methods)
        self._fault_statuses = tuple(statuses)

    def set_state(self, state: str) -> None:
        """getStateInstance's answer; "starting"/"notAuthorized" make other calls 400."""
        if state == self.state:
            return
        self.state = state
        if self.settings.get("stateWebhook") == "yes":
            self._enqueue(json.dumps(bodies.state_body(self._instance_data(), int(self.now()), state)))

    def sent_to(self, chat_id: str) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def pending_notifications(self) -> int:
        return len(self._queue)

    def queued_bodies(self) -> list[str]:
        """The queued notification bodies, head first (for tests and the demo)."""
        return [text for _, text in self._queue]

    async def wait_sent(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait until at least `count` messages were sent; returns all sent so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.sent) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"sandbox: {len(self.sent)} of {count} messages sent within {timeout}s")
            event = self._sent_changed
            await wait_event(event, remaining)
        return list(self.sent)

    # ---- protocol ----------------------------------------------------------------------
    def take_fault(self, method: str) -> Fault | None:
        """The next planned fault for `method`, or a seeded random one, or None."""
        for fault in self._faults:
            if fault.method in (method, "*") and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        if self._fault_rate > 0 and method in self._fault_methods and self._rng.random() < self._fault_rate:
            return Fault(method, self._rng.choice(self._fault_statuses), 1)
        return None

    def head(self) -> tuple[int, str] | None:
        return self._queue[0] if self._queue and not self._closing else None

    async def wait_queue(self, timeout: float) -> None:
        if self._closing:
            return
        await wait_event(self._queue_changed, timeout)

    def delete(self, receipt_id: int) -> bool:
        for index, (rid, _) in enumerate(self._queue):
            if rid == receipt_id:
                del self._queue[index]
                return True
        return False

    def record_send(
        self, chat_id: str, kind: str, *, text: str = "", file_name: str = "", caption: str = "",
        content: bytes | None = None, url: str = "", quoted_message_id: str | None = None,
    ) -> SentMessage:
        """Carry out a send: record it, queue the echo and the statuses."""
        id_message = self.new_id()
        download_url = url
        if content is not None:
            download_url = self.host_media(content, file_name)
        message = SentMessage(
            id_message, chat_id, kind, text=text, file_name=file_name, caption=caption,
            file_bytes=len(content or b""), at=self.now(), quoted_message_id=quoted_message_id,
            download_url=download_url,
        )
        self.sent.append(message)
        self._wake_sent()
        data = bodies.text_data(text) if kind == "text" else bodies.file_data(download_url, file_name, caption)
        self._remember_outgoing(id_message, chat_id, data, send_by_api=True)
        if self.settings.get("outgoingAPIMessageWebhook") == "yes":
            self._enqueue(json.dumps(self._message_body(
                "outgoingAPIMessageReceived", id_message, chat_id, self.wid, "", data
            ), ensure_ascii=False))
        self._schedule_statuses(id_message, chat_id, send_by_api=True)
        return message

    def last_outgoing(self, minutes: int) -> list[dict[str, Any]]:
        since = self.now() - minutes * 60
        items = [o.record for o in self._outgoing.values() if o.record["timestamp"] >= since]
        return sorted(items, key=lambda r: r["timestamp"], reverse=True)

    def new_id(self) -> str:
        return f"{self._rng.getrandbits(128):032X}"

    # ---- internals -------------------------------------------------------------------
    def _enqueue(self, body_text: str) -> int:
        receipt_id = self._next_receipt
        self._next_receipt += 1
        self._queue.append((receipt_id, body_text))
        self._wake_queue()
        return receipt_id

    def _wake_queue(self) -> None:
        # Waiters hold the old event: set it, and give later waiters a fresh one.
        self._queue_changed.set()
        self._queue_changed = asyncio.Event()

    def _schedule_statuses(self, id_message: str, chat_id: str, *, send_by_api: bool) -> None:
        # The message moves on whatever the settings; outgoingWebhook only decides whether
        # each status is also queued as a notification (see _emit_status).
        if self._closing:
            return
        order = list(STATUS_CHAIN)
        if self.shuffle_statuses:
            self._rng.shuffle(order)
        loop = asyncio.get_running_loop()
        for slot, status in enumerate(order, start=1):
            key = next(self._timer_keys)

            def fire(key: int = key, status: str = status) -> None:
                self._timers.pop(key, None)
                self._emit_status(id_message, chat_id, status, send_by_api)

            self._timers[key] = loop.call_later(self.status_delay * slot, fire)

    def _emit_status(self, id_message: str, chat_id: str, status: str, send_by_api: bool) -> None:
        outgoing = self._outgoing.get(id_message)
        rank = STATUS_CHAIN.index(status)
        if outgoing is not None and rank > outgoing.status_rank:
            outgoing.status_rank = rank
            outgoing.record["statusMessage"] = status
        if self.settings.get("outgoingWebhook") != "yes":
            return
        self._enqueue(json.dumps(bodies.status_body(
            self._instance_data(), int(self.now()), id_message, chat_id=chat_id, status=status, send_by_api=send_by_api
        )))

    def _remember_outgoing(self, id_message: str, chat_id: str, data: dict[str, Any], *, send_by_api: bool) -> None:
        record = bodies.outgoing_record(id_message, chat_id, data, timestamp=int(self.now()), send_by_api=send_by_api)
        self._outgoing[id_message] = _Outgoing(record)

    def _instance_data(self) -> dict[str, Any]:
        return bodies.instance_data(self.instance_id, self.wid)

    def _message_body(
        self, type_webhook: str, id_message: str, chat_id: str, sender: str, sender_name: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        return bodies.message_body(
            type_webhook, self._instance_data(), int(self.now()), id_message, chat_id=chat_id, sender=sender,
            chat_name=self.chat_names.get(chat_id, ""), sender_name=sender_name, data=data,
        )



if __name__ == "__main__":  # python -m ottenok_desktop.services.greenapi.sandbox [--port N ...]
    sandbox_control.main()
