"""Telegram updates into storage, exactly once: sync functions for the DB thread.

1. `store_updates` (the poller, right after getUpdates): every update is inserted into
   the Telegram inbox keyed by `update_id` (a duplicate is a no-op) and the stored
   offset moves past the batch — in the same transaction. The next getUpdates asks from
   the stored offset, which confirms the batch to Telegram; a crash before the commit
   gets the same updates again, a crash after it has them stored.
2. `apply_customer_message` (the processor): a private message becomes a Message on the
   chat "tg:<user id>" (channel telegram) and the update is marked done in the same
   transaction; `/start` queues the greeting instead of a turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.channels import TELEGRAM_PREFIX
from ottenok_desktop.services.storage.models import ChannelCursor, Chat, Message, TelegramUpdate
from ottenok_desktop.services.storage.outbox import queue_text
from ottenok_desktop.services.storage.text_facts import facts_for
from ottenok_desktop.settings import normalize_phone

OFFSET = "telegram.offset"


def chat_id_of(user_id: int) -> str:
    return f"{TELEGRAM_PREFIX}{user_id}"


def user_id_of(chat_id: str) -> int | None:
    if not chat_id.startswith(TELEGRAM_PREFIX):
        return None
    try:
        return int(chat_id[len(TELEGRAM_PREFIX):])
    except ValueError:
        return None


def kind_of(update: dict[str, Any]) -> str:
    for kind in ("message", "callback_query", "edited_message", "my_chat_member"):
        if kind in update:
            return kind
    return "other"


def load_offset() -> int:
    row = ChannelCursor.get_or_none(ChannelCursor.name == OFFSET)
    return int(row.value) if row else 0


def store_updates(updates: list[dict[str, Any]], now: datetime) -> list[int]:
    """Store a getUpdates batch and move the offset past it (call inside a transaction).
    Returns the update ids that were new."""
    fresh: list[int] = []
    top = 0
    for update in updates:
        update_id = int(update["update_id"])
        top = max(top, update_id)
        if TelegramUpdate.select().where(TelegramUpdate.update_id == update_id).exists():
            continue  # Telegram sent it again (its confirmation was lost): stored already
        TelegramUpdate.insert(update_id=update_id, kind=kind_of(update), raw=json.dumps(update, ensure_ascii=False),
                              state="new", received_at=now).execute()
        fresh.append(update_id)
    if top:
        offset = top + 1
        updated = (ChannelCursor.update(value=offset, updated_at=now)
                   .where((ChannelCursor.name == OFFSET) & (ChannelCursor.value < offset)).execute())
        if not updated and ChannelCursor.get_or_none(ChannelCursor.name == OFFSET) is None:
            ChannelCursor.create(name=OFFSET, value=offset, updated_at=now)
    return fresh


def pending_updates(limit: int = 100) -> list[tuple[int, dict[str, Any]]]:
    rows = (TelegramUpdate.select(TelegramUpdate.update_id, TelegramUpdate.raw)
            .where(TelegramUpdate.state == "new").order_by(TelegramUpdate.update_id).limit(limit).tuples())
    return [(update_id, json.loads(raw)) for update_id, raw in rows]


def mark_update(update_id: int, state: str, error: str = "") -> None:
    TelegramUpdate.update(state=state, error=error[:500]).where(TelegramUpdate.update_id == update_id).execute()


def person_name(user: dict[str, Any]) -> str:
    name = " ".join(p for p in (user.get("first_name", ""), user.get("last_name", "")) if p).strip()
    return name or (f"@{user['username']}" if user.get("username") else str(user.get("id", "")))


_CONTENT_KINDS = (("photo", "image"), ("video", "video"), ("document", "document"), ("voice", "audio"),
                  ("audio", "audio"), ("sticker", "sticker"), ("location", "location"), ("contact", "contact"))


def content_of(message: dict[str, Any]) -> tuple[str, str]:
    """(content type, text) of a Telegram message; media read as their caption or placeholder."""
    if "text" in message:
        return "text", str(message["text"])
    for key, content_type in _CONTENT_KINDS:
        if key in message:
            caption = str(message.get("caption") or "")
            if key == "contact":
                caption = " ".join(str(message[key].get(k, "")) for k in ("first_name", "phone_number")).strip()
            placeholder = texts.MEDIA_PLACEHOLDERS.get(content_type, "")
            return content_type, f"{placeholder}: {caption}" if key == "contact" and caption else caption or placeholder
    return "unknown", texts.MEDIA_PLACEHOLDERS["unknown"]


def media_ref(message: dict[str, Any]) -> str:
    if message.get("_local_media"):
        return str(message["_local_media"])
    if "photo" in message and message["photo"]:
        return f"tg-file:{message['photo'][-1].get('file_id', '')}"
    for key in ("video", "document", "voice", "audio"):
        if key in message:
            return f"tg-file:{message[key].get('file_id', '')}"
    return ""


@dataclass
class Applied:
    chat_id: str
    message_id: int = 0
    duplicate: bool = False
    turn_due: bool = False
    queued: bool = False
    text: str = ""
    at: datetime | None = None
    owner: str = "bot"
    events: list[ev.Event] = field(default_factory=list)


def apply_customer_message(update_id: int, message: dict[str, Any], now: datetime) -> Applied:
    """A customer's private message into storage; the update marked done in the same
    transaction (call inside one)."""
    user = message.get("from") or message.get("chat") or {}
    chat_id = chat_id_of(int(message["chat"]["id"]))
    name = person_name(user)
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        chat = Chat.create(chat_id=chat_id, phone="", name=name, channel="telegram", created_at=now, updated_at=now)
    elif name and not chat.name:
        chat.name = name
    contact = message.get("contact") or {}
    if contact.get("phone_number") and contact.get("user_id") == user.get("id"):
        # The customer shared their own number: the console can offer to link the WhatsApp chat.
        chat.phone = normalize_phone(str(contact["phone_number"]))
    external_id = str(message["message_id"])
    result = Applied(chat_id, owner=chat.owner)
    if Message.select().where((Message.chat == chat) & (Message.external_id == external_id)).exists():
        result.duplicate = True
        mark_update(update_id, "done")
        return result
    content_type, text = content_of(message)
    at = datetime.fromtimestamp(int(message.get("date") or now.timestamp()), tz=now.tzinfo)
    is_start = content_type == "text" and text.strip().split(" ")[0].split("@")[0] == "/start"
    wants_turn = not is_start and chat.owner == "bot" and not chat.closed
    row = Message.create(
        chat=chat, direction="in", sender_kind="customer", sender_name=name, text=text, content_type=content_type,
        media_url=media_ref(message), external_id=external_id, turn_state="pending" if wants_turn else "",
        created_at=at, text_facts=facts_for("in", "customer", text),
    )
    chat.last_inbound_at = at
    chat.waiting_since = chat.waiting_since or at
    chat.unanswered = chat.unanswered + 1
    chat.last_text = text[:300]
    chat.updated_at = now
    chat.save()
    result.message_id, result.turn_due, result.text, result.at = row.id, wants_turn, text, at
    result.events += [ev.MessageReceived(chat_id, row.id, text, content_type, "customer"), ev.ChatUpdated(chat_id)]
    if is_start:
        item = queue_text(chat_id, texts.TELEGRAM_START, "bot", now)
        result.queued = True
        result.events.append(ev.MessageQueued(chat_id, item.id, texts.TELEGRAM_START, "bot"))
    mark_update(update_id, "done")
    return result
