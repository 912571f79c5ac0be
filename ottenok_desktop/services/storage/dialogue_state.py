"""What the sales responder loads and saves around one turn (sync, for the DB thread).

`load_context` reads the chat's dialogue state, its open order, its open ticket and the
photos it has already received in one go; `save_state` / `record_photos` write back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .chats import get_or_create_chat
from .models import Chat, PhotoSent
from .orders import open_order, order_dict
from .tickets import open_ticket, ticket_dict


@dataclass(frozen=True)
class DialogueContext:
    state_json: str
    order: dict[str, Any] | None
    ticket: dict[str, Any] | None
    photos_sent: frozenset[str]
    owner: str
    needs_human: bool


def load_context(chat_id: str, now: datetime, name: str = "") -> DialogueContext:
    chat = get_or_create_chat(chat_id, now, name)
    order = open_order(chat_id)
    ticket = open_ticket(chat_id)
    sent = frozenset(p.photo_key for p in PhotoSent.select(PhotoSent.photo_key).where(PhotoSent.chat == chat))
    return DialogueContext(
        state_json=chat.state_json or "{}", order=order_dict(order) if order else None,
        ticket=ticket_dict(ticket, with_messages=False) if ticket else None, photos_sent=sent,
        owner=chat.owner, needs_human=chat.needs_human,
    )


def save_state(chat_id: str, state_json: str, now: datetime) -> None:
    Chat.update(state_json=state_json, updated_at=now).where(Chat.chat_id == chat_id).execute()


def record_photos(chat_id: str, keys: list[str], now: datetime) -> None:
    chat = get_or_create_chat(chat_id, now)
    for key in keys:
        PhotoSent.insert(chat=chat, photo_key=key[:400], sent_at=now).on_conflict_ignore().execute()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
