"""The engine can ask which photos a chat already received (PhotoSent table)."""

from __future__ import annotations

from datetime import datetime, timezone

from ottenok_desktop.services.photos.history import PhotoHistory


async def test_sent_keys_roundtrip(database) -> None:
    from ottenok_desktop.services.storage.models import Chat

    now = datetime.now(timezone.utc)
    database.call_sync(lambda: Chat.create(chat_id="77011234567@c.us", phone="77011234567", created_at=now,
                                           updated_at=now))
    history = PhotoHistory(database)
    assert await history.sent_keys("77011234567@c.us") == set()
    await history.record("77011234567@c.us", ["local:a/черный_1.jpg", "local:a/черный_1.jpg"], now)
    await history.record("77011234567@c.us", ["local:a/черный_1.jpg", "drive:abc"], now)  # duplicates ignored
    assert await history.sent_keys("77011234567@c.us") == {"local:a/черный_1.jpg", "drive:abc"}
    assert await history.sent_keys("77019999999@c.us") == set()
