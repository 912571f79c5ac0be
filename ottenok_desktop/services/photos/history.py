"""Which photos a customer already received (the PhotoSent table), so none is sent twice.

Sync functions run on the DB thread; `PhotoHistory` wraps them for the engine.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable


def sent_keys_sync(chat_id: str) -> set[str]:
    from ..storage.models import Chat, PhotoSent

    return {row.photo_key for row in PhotoSent.select(PhotoSent.photo_key).join(Chat).where(Chat.chat_id == chat_id)}


def record_sent_sync(chat_id: str, keys: Iterable[str], at: datetime) -> int:
    from ..storage.models import Chat, PhotoSent

    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        raise LookupError(f"unknown chat {chat_id}")
    rows = [{"chat": chat.id, "photo_key": key, "sent_at": at} for key in dict.fromkeys(keys)]
    if not rows:
        return 0
    return PhotoSent.insert_many(rows).on_conflict_ignore().execute() or 0


class PhotoHistory:
    def __init__(self, db) -> None:  # services.storage.Database
        self._db = db

    async def sent_keys(self, chat_id: str) -> set[str]:
        return await self._db.call(sent_keys_sync, chat_id)

    async def record(self, chat_id: str, keys: Iterable[str], at: datetime) -> None:
        await self._db.atomic(record_sent_sync, chat_id, list(keys), at)
