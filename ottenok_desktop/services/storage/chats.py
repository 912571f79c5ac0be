"""Chat rows: creation, ownership, counters. Sync functions for the DB thread."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from .models import AuditLog, Chat, Message
from .prepared import Prepared, db_time


def phone_of(chat_id: str) -> str:
    return chat_id.split("@", 1)[0]


# A new chat's row, compiled once (prepared.py): the ORM's Chat.create costs ~2 ms of CPU
# (every field's default and conversion in Python), and a burst of new customers (after an
# Instagram post) creates one per customer on the notification path.
_CHAT_ADD = Prepared(lambda p: Chat.insert(chat_id=p.chat_id, phone=p.phone, name=p.name, created_at=p.now,
                                           updated_at=p.now))


def add_chat(chat_id: str, now: datetime, name: str = "") -> int:
    """Insert a new chat (every other column at its default); returns its id."""
    return _CHAT_ADD.insert(chat_id=chat_id, phone=phone_of(chat_id), name=name, now=db_time(now))


def get_or_create_chat(chat_id: str, now: datetime, name: str = "") -> Chat:
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        chat = Chat.create(chat_id=chat_id, phone=phone_of(chat_id), name=name, created_at=now, updated_at=now)
    elif name and not chat.name:
        chat.name = name
        chat.save(only=[Chat.name])
    return chat


def find_chat(chat_id: str) -> Chat | None:
    return Chat.get_or_none(Chat.chat_id == chat_id)


def audit(now: datetime, actor: str, action: str, entity: str, entity_id: Any, **details: Any) -> None:
    AuditLog.create(at=now, actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                    details_json=json.dumps(details, ensure_ascii=False, default=str))


def set_owner(chat_id: str, owner: str, by: str, now: datetime, reason: str = "") -> bool:
    """Make `owner` ('bot' or 'manager') own the chat. Returns True if it changed.

    Taking a chat leaves its unanswered customer messages to the human: they stop being
    turns for the bot, so a reply being prepared right now is dropped at commit time.
    """
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return False
    changed = chat.owner != owner
    chat.owner = owner
    chat.owner_name = by if owner == "manager" else ""
    chat.owner_since = now
    chat.updated_at = now
    if owner == "manager":
        chat.needs_human = False
        Message.update(turn_state="skipped").where(
            (Message.chat == chat) & (Message.turn_state == "pending")
        ).execute()
    chat.save()
    if changed:
        audit(now, by, "owner_changed", "chat", chat_id, owner=owner, reason=reason)
    return changed


def mark_needs_human(chat_id: str, reason: str, now: datetime) -> bool:
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None or chat.needs_human:
        return False
    chat.needs_human = True
    chat.handoff_reason = reason[:200]
    chat.updated_at = now
    chat.save()
    audit(now, "bot", "handoff", "chat", chat_id, reason=reason)
    return True


def load_state(chat: Chat) -> dict[str, Any]:
    try:
        value = json.loads(chat.state_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def save_state(chat_id: str, state: dict[str, Any], now: datetime) -> None:
    Chat.update(state_json=json.dumps(state, ensure_ascii=False, default=str), updated_at=now).where(
        Chat.chat_id == chat_id
    ).execute()
