"""The voice bubble (play + transcript) and the «қазақша» badge driven by Chat.language."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.media import set_language
from ottenok_desktop.ui import strings as S
from ottenok_desktop.ui.bubbles import message_body, voice_url

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)


def voice_row(text: str, url: str = "https://media.green-api.com/v/801078ab.ogg") -> q.MessageRow:
    return q.MessageRow(id=1, direction="in", sender_kind="customer", sender_name="", text=text, content_type="audio",
                        media_url=url, media_name="801078ab.ogg", status="", edited=False, deleted=False,
                        created_at=NOW)


def test_voice_bubble_shows_play_and_the_transcript_under_it() -> None:
    row = voice_row("здравствуйте, лоферы есть в 38?")
    body = message_body(row)
    assert body.splitlines()[0].endswith(S.VOICE_PLAY)
    assert body.splitlines()[1] == "здравствуйте, лоферы есть в 38?"
    assert voice_url(row) == row.media_url


def test_voice_bubble_before_transcription_has_no_duplicate_label() -> None:
    body = message_body(voice_row(S.MEDIA_LABELS["audio"], url=""))
    assert body == S.MEDIA_LABELS["audio"]
    assert voice_url(voice_row("x", url="")) == ""


async def test_chat_language_reaches_the_chat_list_row(tmp_path: Path) -> None:
    db = await Database(tmp_path / "t.sqlite3").open()
    try:
        await db.call(get_or_create_chat, "77011112233@c.us", NOW, "Айгерим")
        assert await db.call(set_language, "77011112233@c.us", "kk") is True
        assert await db.call(set_language, "77011112233@c.us", "kk") is False  # unchanged
        rows = await db.call(q.chat_page, "all")
        assert [r.language for r in rows] == ["kk"]
    finally:
        await db.close()
