"""The console's chat list knows each chat's channel and can filter by it."""

from __future__ import annotations

from datetime import datetime, timezone

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.models import Chat


def _now() -> datetime:
    return datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_rows_carry_the_channel_and_filters_split_them(database: Database) -> None:
    def seed() -> None:
        Chat.create(chat_id="77011234567@c.us", phone="77011234567", name="Айгерим", created_at=_now(), updated_at=_now())
        Chat.create(chat_id="tg:5550001001", phone="", name="Жанна", channel="telegram", created_at=_now(), updated_at=_now())

    database.call_sync(seed)
    everyone = {r.chat_id: r.channel for r in database.call_sync(q.chat_page, q.FILTER_ALL)}
    assert everyone == {"77011234567@c.us": "whatsapp", "tg:5550001001": "telegram"}
    assert [r.name for r in database.call_sync(q.chat_page, q.FILTER_TELEGRAM)] == ["Жанна"]
    assert [r.name for r in database.call_sync(q.chat_page, q.FILTER_WHATSAPP)] == ["Айгерим"]
    assert database.call_sync(q.chat_count, q.FILTER_TELEGRAM) == 1
