"""A Telegram Bot API sandbox: a real HTTP server on loopback speaking the Bot API shapes.

`{api_url}/bot{token}/{method}` answers `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": N, "description": "...", "parameters": {...}}` like the real
API, for the methods the program uses (getMe, getUpdates with offset/timeout long-poll,
sendMessage with inline keyboards, sendPhoto, sendMediaGroup, editMessageText,
editMessageReplyMarkup, answerCallbackQuery, getChat, getChatMember, deleteWebhook).
Parameters arrive as the real API accepts them: query string, urlencoded or multipart
form (aiogram's way; uploads as `attach://name` parts) or JSON.

The sandbox keeps the update queue (updates below the last `offset` are confirmed and
forgotten), what the bot sent and edited, the callback answers, and a group with its
members; faults are injected on demand (429 with `parameters.retry_after`, 5xx bursts,
slow answers, a send that goes out while its answer is lost), and every Bot API call can
take a network round trip (`latency_ms` ± `jitter_ms`, like the GREEN-API sandbox). Control: the methods below
in-process, or the `/sandbox/...` endpoints (sandbox_control). Runs on the current loop,
or as a process: `python -m ottenok_desktop.services.telegram.sandbox`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

from ottenok_desktop.engine.tasks import wait_event

from ..loopback_sandbox import LoopbackSandbox
from . import sandbox_control, sandbox_handlers

BOT_ID = 7000000001
DEFAULT_TOKEN = "7000000001:AAsandbox-token-for-loopback-tests0"


@dataclass
class SentMessage:
    """One message the bot sent (or an edit of it: `edits` counts them)."""

    message_id: int
    chat_id: int
    kind: str  # text | photo | media_group | voice | document
    text: str = ""
    caption: str = ""
    reply_markup: dict[str, Any] | None = None
    photo_bytes: int = 0  # the file's size, whatever its kind
    media_group_id: str = ""
    at: float = 0.0
    edits: int = 0
    file_id: str = ""  # when a file a user sent was re-sent by its file_id
    file_name: str = ""  # an uploaded file's name


@dataclass
class CallbackAnswer:
    callback_query_id: str
    user_id: int
    text: str
    show_alert: bool


@dataclass
class Fault:
    method: str  # a method name or "*"
    status: int | None  # None: no error, only a slow answer
    count: int
    delay: float = 0.0
    retry_after: int | None = None
    after_effect: bool = False  # a send is carried out, then the error (or a slow answer) comes


@dataclass
class Group:
    chat_id: int
    title: str
    members: dict[int, str] = field(default_factory=dict)  # user id -> status


class TelegramSandbox(LoopbackSandbox):
    client_max_size = 60 * 1024 * 1024  # the Bot API takes photos up to 10 MB each, documents up to 50 MB

    def __init__(
        self, *, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0,
        bot_username: str = "ottenok_shop_bot", poll_scale: float = 1.0, latency_ms: float = 0.0,
        jitter_ms: float = 0.0, seed: int = 0, now: Callable[[], float] = time.time,
    ) -> None:
        # every Bot API call takes a round trip of latency_ms ± jitter_ms (services/loopback_sandbox.py)
        super().__init__(host=host, port=port, latency_ms=latency_ms, jitter_ms=jitter_ms, seed=seed)
        self.token = token
        self.bot_username = bot_username
        self.poll_scale = poll_scale  # long polls wait timeout * poll_scale seconds
        self.now = now
        self.webhook_url = ""
        self.sent: list[SentMessage] = []
        self.answers: list[CallbackAnswer] = []
        self.users: dict[int, dict[str, Any]] = {}
        self.groups: dict[int, Group] = {}
        self.calls: dict[str, int] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content of what users sent (getFile + /file/...)
        self._updates: list[dict[str, Any]] = []
        self._next_update = itertools.count(100001)
        self._next_callback = itertools.count(1)
        self._message_ids: dict[int, int] = {}  # chat id -> last message id
        self._media_groups = itertools.count(13000000001)
        self._faults: list[Fault] = []
        self._updates_changed = asyncio.Event()

    # ---- lifecycle (services/loopback_sandbox.py) ------------------------------------------
    def _add_routes(self, app: web.Application) -> None:
        sandbox_control.add_routes(app, self)

    def _on_stop(self) -> None:
        self._wake(self._updates_changed)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/file/"):
            return sandbox_handlers.download(self, request)
        return await sandbox_handlers.dispatch(self, request)

    # ---- in-process control: people ----------------------------------------------------
    def add_user(self, user_id: int, first_name: str, *, last_name: str = "", username: str = "") -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "ru"}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        self.users[user_id] = user
        return user

    def add_group(self, chat_id: int, title: str = "Операторы") -> Group:
        group = self.groups.setdefault(chat_id, Group(chat_id, title))
        group.members.setdefault(BOT_ID, "administrator")
        return group

    def set_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Put a user in a group with a status (member, administrator, creator, left, kicked)."""
        self.add_group(chat_id).members[user_id] = status

    def write(self, user_id: int, text: str = "", *, first_name: str = "Клиент", photo: bytes | None = None,
              caption: str = "", voice: bytes | None = None, document: tuple[str, bytes] | None = None) -> int:
        """A user writes to the bot in their private chat (a text, or a photo / voice note /
        document with an optional caption); returns the update_id."""
        user = self.users.get(user_id) or self.add_user(user_id, first_name)
        message = self._new_message(user_id, {"id": user_id, "type": "private", "first_name": user["first_name"]}, user)
        unique = f"u{user_id}x{message['message_id']}"
        if photo is not None:
            file_id = f"AgAC{user_id}x{message['message_id']}"
            self.files[file_id] = photo
            message["photo"] = [{"file_id": file_id, "file_unique_id": unique,
                                 "width": 90, "height": 90, "file_size": len(photo)}]
        elif voice is not None:
            file_id = f"AwAC{user_id}x{message['message_id']}"
            self.files[file_id] = voice
            message["voice"] = {"file_id": file_id, "file_unique_id": unique, "duration": 4,
                                "mime_type": "audio/ogg", "file_size": len(voice)}
        elif document is not None:
            file_id = f"BQAC{user_id}x{message['message_id']}"
            self.files[file_id] = document[1]
            message["document"] = {"file_id": file_id, "file_unique_id": unique, "file_name": document[0],
                                   "file_size": len(document[1])}
        if photo is not None or voice is not None or document is not None:
            if caption:
                message["caption"] = caption
        else:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": message})

    def share_contact(self, user_id: int, phone: str) -> int:
        """A user shares their own phone number (the «Поделиться контактом» button); returns the update_id."""
        user = self.users.get(user_id) or self.add_user(user_id, "Клиент")
        message = self._new_message(user_id, {"id": user_id, "type": "private", "first_name": user["first_name"]}, user)
        message["contact"] = {"phone_number": phone, "first_name": user["first_name"], "user_id": user_id}
        return self._push({"message": message})

    def write_in_group(self, chat_id: int, user_id: int, text: str) -> int:
        group = self.add_group(chat_id)
        user = self.users.get(user_id) or self.add_user(user_id, "Оператор")
        chat = {"id": chat_id, "type": "supergroup", "title": group.title}
        return self._push({"message": dict(self._new_message(chat_id, chat, user), text=text)})

    def press(self, user_id: int, message_id: int, data: str) -> int:
        """A user presses an inline button under a message the bot sent; returns the update_id."""
        sent = self.find(message_id)
        if sent is None:
            raise KeyError(f"the bot sent no message {message_id}")
        user = self.users.get(user_id) or self.add_user(user_id, "Оператор")
        if sent.chat_id < 0:
            chat = {"id": sent.chat_id, "type": "supergroup", "title": self.add_group(sent.chat_id).title}
        else:
            chat = {"id": sent.chat_id, "type": "private", "first_name": self.users.get(sent.chat_id, user)["first_name"]}
        bot_message = {"message_id": message_id, "from": self.get_me(), "chat": chat, "date": int(sent.at),
                       "text": sent.text or sent.caption}
        if sent.reply_markup:
            bot_message["reply_markup"] = sent.reply_markup
        query = {"id": str(8800000000 + next(self._next_callback)), "from": user, "message": bot_message,
                 "chat_instance": str(abs(sent.chat_id)), "data": data}
        return self._push({"callback_query": query})

    # ---- in-process control: faults ------------------------------------------------------
    def add_fault(self, method: str, status: int | None = None, *, count: int = 1, delay: float = 0.0,
                  retry_after: int | None = None, after_effect: bool = False) -> None:
        """The next `count` calls of `method` ("*" = any) fail with `status` (429 carries
        `parameters.retry_after`) or, with status None, answer after `delay` seconds."""
        self._faults.append(Fault(method, status, count, delay, retry_after, after_effect))

    def take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in (method, "*") and fault.count > 0:
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ---- reading what happened ---------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def find(self, message_id: int, chat_id: int | None = None) -> SentMessage | None:
        for message in self.sent:
            if message.message_id == message_id and (chat_id is None or message.chat_id == chat_id):
                return message
        return None

    def pending_updates(self) -> int:
        return len(self._updates)

    async def wait_sent(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Wait until at least `count` messages were sent; returns all sent so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.sent) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"telegram sandbox: {len(self.sent)} of {count} messages sent within {timeout}s")
            await self.wait_sent_changed(remaining)
        return list(self.sent)

    # ---- used by the handlers -------------------------------------------------------------
    def get_me(self) -> dict[str, Any]:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Оттенок", "username": self.bot_username,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    def confirm_below(self, offset: int) -> None:
        """getUpdates with `offset` confirms every update with a smaller id."""
        self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def updates_from(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return [u for u in self._updates if u["update_id"] >= offset][:limit]

    async def wait_updates(self, timeout: float) -> None:
        if self._closing:
            return
        await wait_event(self._updates_changed, timeout)

    def record_send(self, chat_id: int, kind: str, *, text: str = "", caption: str = "",
                    reply_markup: dict[str, Any] | None = None, photo_bytes: int = 0,
                    media_group_id: str = "", file_id: str = "", file_name: str = "") -> tuple[SentMessage, dict[str, Any]]:
        """Carry out a send: the message gets the chat's next id; returns it and its Message object."""
        message_id = self._next_message_id(chat_id)
        sent = SentMessage(message_id, chat_id, kind, text=text, caption=caption, reply_markup=reply_markup,
                           photo_bytes=photo_bytes, media_group_id=media_group_id, at=self.now(), file_id=file_id,
                           file_name=file_name)
        self.sent.append(sent)
        self._wake_sent()
        return sent, self.message_object(sent)

    def message_object(self, sent: SentMessage) -> dict[str, Any]:
        chat: dict[str, Any]
        if sent.chat_id < 0:
            chat = {"id": sent.chat_id, "type": "supergroup", "title": self.add_group(sent.chat_id).title}
        else:
            chat = {"id": sent.chat_id, "type": "private", "first_name": self.users.get(sent.chat_id, {}).get("first_name", "")}
        message: dict[str, Any] = {"message_id": sent.message_id, "from": self.get_me(), "chat": chat, "date": int(sent.at)}
        if sent.kind == "text":
            message["text"] = sent.text
        elif sent.kind in ("voice", "document"):
            message[sent.kind] = {"file_id": sent.file_id or f"BQACsent{sent.message_id}",
                                  "file_unique_id": f"s{sent.message_id}", "file_size": sent.photo_bytes}
            if sent.kind == "voice":
                message["voice"].update(duration=4, mime_type="audio/ogg")
            if sent.caption:
                message["caption"] = sent.caption
        else:
            message["photo"] = [{"file_id": f"AgACsent{sent.message_id}", "file_unique_id": f"s{sent.message_id}",
                                 "width": 800, "height": 800, "file_size": sent.photo_bytes}]
            if sent.caption:
                message["caption"] = sent.caption
            if sent.media_group_id:
                message["media_group_id"] = sent.media_group_id
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.edits:
            message["edit_date"] = int(self.now())
        return message

    def mark_edited(self) -> None:
        self._wake_sent()

    def new_media_group_id(self) -> str:
        return str(next(self._media_groups))

    # ---- internals ---------------------------------------------------------------------------
    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _new_message(self, chat_id: int, chat: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
        return {"message_id": self._next_message_id(chat_id), "from": user, "chat": chat, "date": int(self.now())}

    def _push(self, update: dict[str, Any]) -> int:
        update_id = next(self._next_update)
        self._updates.append({"update_id": update_id, **update})
        self._wake(self._updates_changed)
        return update_id

    def _wake(self, event: asyncio.Event) -> None:
        event.set()
        if event is self._updates_changed:
            self._updates_changed = asyncio.Event()


if __name__ == "__main__":  # python -m ottenok_desktop.services.telegram.sandbox [--port N ...]
    sandbox_control.main()
