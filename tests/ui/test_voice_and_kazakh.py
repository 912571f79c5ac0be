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


async def test_play_opens_the_kept_copy_and_a_second_play_downloads_nothing(console_of, data_dir: Path) -> None:
    from ottenok_desktop.services.media.cache import VoiceCache
    from ottenok_desktop.services.media.fetch import HttpMediaFetcher

    from .conftest import wait_until

    chat = "77015550301@c.us"
    voice = b"OggS\x00\x02" + b"\x10" * 5000

    def with_voice_cache(engine: object) -> None:
        engine.voice_files = VoiceCache(data_dir / "voice", engine.executor, HttpMediaFetcher())  # type: ignore[attr-defined]

    async with console_of(with_voice_cache) as console:
        engine = console.ctx.engine
        engine.sandbox.inject_file(chat, voice, "801078ab.ogg", sender_name="Жанна")
        await wait_until(lambda: console.window.chat_list.model.row_of(chat) >= 0, what="the chat in the list")
        console.window.open_chat(chat)
        panel = console.window.chat_panel
        await wait_until(lambda: any(r.content_type == "audio" for r in panel.model.rows), what="the voice bubble")
        opened: list[str] = []
        panel.messages.open_url = lambda url: opened.append(url.toString())
        row = next(i for i, r in enumerate(panel.model.rows) if r.content_type == "audio")
        panel.messages.on_bubble_clicked(panel.model.index(row))
        await wait_until(lambda: len(opened) == 1, what="the player to open")
        panel.messages.on_bubble_clicked(panel.model.index(row))
        await wait_until(lambda: len(opened) == 2, what="the second play")
        await engine.voice_files.aclose()
    assert opened[0] == opened[1] and opened[0].startswith("file://")
    kept = Path(opened[0].removeprefix("file://"))
    assert kept.is_relative_to(data_dir / "voice") and kept.read_bytes() == voice
    assert len(engine.sandbox.media_downloads) == 1  # the first play downloaded it, the second did not
