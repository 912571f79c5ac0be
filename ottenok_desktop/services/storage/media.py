"""What voice notes and pictures meant, stored for the console: transcripts, the chat's language,
and whether the chat is in the support flow (its pictures are ticket attachments).

`DbMediaStore` is the engine's `MediaStore` over the database (sync functions on the DB thread).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

from .models import Chat, Message, Ticket
from .text_facts import facts_for


def save_text(message_id: int, text: str) -> int:
    """A voice note's transcript becomes its text (and its text facts: reports read those)."""
    row = Message.select(Message.direction, Message.sender_kind).where(Message.id == message_id).tuples().first()
    if row is None:
        return 0
    return Message.update(text=text, text_facts=facts_for(row[0], row[1], text)).where(Message.id == message_id).execute()


def set_language(chat_id: str, language: str) -> bool:
    changed = Chat.update(language=language, updated_at=datetime.now(timezone.utc)).where(
        (Chat.chat_id == chat_id) & (Chat.language != language)).execute()
    return bool(changed)


def chat_language(chat_id: str) -> str:
    row = Chat.select(Chat.language).where(Chat.chat_id == chat_id).first()
    return row.language if row else ""


def in_support(chat_id: str) -> bool:
    chat = Chat.select(Chat.id, Chat.state_json).where(Chat.chat_id == chat_id).first()
    if chat is None:
        return False
    try:
        state = json.loads(chat.state_json or "{}")
    except ValueError:
        state = {}
    if state.get("support_kind") or state.get("step") == "support":
        return True
    return Ticket.select().where((Ticket.chat == chat.id) & (Ticket.status != "CLOSED")).exists()


class DbMediaStore:
    def __init__(self, db: Any, on_changed: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._on_changed = on_changed  # (chat_id) → the console refreshes the chat

    async def save_text(self, message_id: int, text: str) -> None:
        await self._db.call(save_text, message_id, text)

    async def set_language(self, chat_id: str, language: str) -> bool:
        changed = bool(await self._db.call(set_language, chat_id, language))
        if changed and self._on_changed is not None:
            self._on_changed(chat_id)
        return changed

    async def in_support(self, chat_id: str) -> bool:
        return bool(await self._db.call(in_support, chat_id))
