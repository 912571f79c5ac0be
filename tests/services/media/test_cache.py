"""Voice notes kept on disk, over loopback with the GREEN-API sandbox serving the downloadUrl:
downloaded once (the turn, a turn decided again and the console's play share the copy), too
large files not kept, and the folder pruned by age and by total size."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.media.cache import VoiceCache, chat_folder
from ottenok_desktop.services.media.fetch import HttpMediaFetcher

CHAT = "77015550201@c.us"
VOICE = b"OggS\x00\x02" + bytes(range(256)) * 40  # ~10 KB, like a short voice note


class Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
async def sandbox() -> Any:
    async with GreenApiSandbox(poll_scale=0.02, status_delay=0.01) as box:
        yield box


def cache(root: Path, executor: ThreadPoolExecutor, clock: Clock | None = None, **caps: Any) -> VoiceCache:
    return VoiceCache(root, executor, HttpMediaFetcher(backoff=0.01), now=clock or Clock(), **caps)


async def test_a_voice_note_is_downloaded_once_then_read_and_played_from_disk(
        tmp_path: Path, executor: ThreadPoolExecutor, sandbox: GreenApiSandbox) -> None:
    url = sandbox.host_media(VOICE, "801078ab.ogg")
    voice = cache(tmp_path / "voice", executor)
    try:
        assert await voice.fetch(url, chat_id=CHAT, message_id=41, name="801078ab.ogg") == VOICE
        assert await voice.fetch(url, chat_id=CHAT, message_id=41, name="801078ab.ogg") == VOICE  # decided again
        first = await voice.local_copy(CHAT, 41, url, "801078ab.ogg")  # «▶ Прослушать»
        second = await voice.local_copy(CHAT, 41, url, "801078ab.ogg")
    finally:
        await voice.aclose()
    assert len(sandbox.media_downloads) == 1
    assert first == second == tmp_path / "voice" / chat_folder(CHAT) / "41.ogg"
    assert first is not None and first.read_bytes() == VOICE


async def test_play_downloads_a_voice_note_the_bot_never_fetched_and_keeps_it(
        tmp_path: Path, executor: ThreadPoolExecutor, sandbox: GreenApiSandbox) -> None:
    url = sandbox.host_media(VOICE, "voice.opus")
    voice = cache(tmp_path / "voice", executor)
    try:
        path = await voice.local_copy(CHAT, 7, url, "voice.opus")
        assert path is not None and path.suffix == ".opus" and path.read_bytes() == VOICE
        assert await voice.local_copy(CHAT, 7, url) == path
        assert len(sandbox.media_downloads) == 1
        gone = url.replace("/sandbox/media/", "/sandbox/media/expired")  # GREEN-API's links expire
        assert await voice.local_copy(CHAT, 8, gone) is None
    finally:
        await voice.aclose()


async def test_a_file_over_the_cap_is_transcribed_but_not_kept(
        tmp_path: Path, executor: ThreadPoolExecutor, sandbox: GreenApiSandbox) -> None:
    url = sandbox.host_media(VOICE, "long.ogg")
    voice = cache(tmp_path / "voice", executor, max_file_bytes=1000)
    try:
        assert await voice.fetch(url, chat_id=CHAT, message_id=5) == VOICE
        assert await voice.fetch(url, chat_id=CHAT, message_id=5) == VOICE
    finally:
        await voice.aclose()
    assert len(sandbox.media_downloads) == 2
    assert not list((tmp_path / "voice").rglob("*.ogg"))


async def test_prune_removes_old_notes_then_the_oldest_over_the_total_size(
        tmp_path: Path, executor: ThreadPoolExecutor, sandbox: GreenApiSandbox) -> None:
    clock = Clock()
    root = tmp_path / "voice"
    voice = cache(root, executor, clock, max_total_bytes=3 * len(VOICE), max_age_days=30, prune_interval=3600)
    url = sandbox.host_media(VOICE, "v.ogg")
    try:
        for message_id, chat, age_days in ((1, CHAT, 45), (2, CHAT, 20), (3, "77017770000@c.us", 10),
                                           (4, CHAT, 5), (5, CHAT, 1)):
            path = await voice.local_copy(chat, message_id, url)
            assert path is not None
            stamp = clock.now - age_days * 86400
            os.utime(path, (stamp, stamp))
        removed = await voice.prune()
    finally:
        await voice.aclose()
    kept = sorted(int(p.stem) for p in root.rglob("*.ogg"))
    assert removed == 2 and kept == [3, 4, 5]  # 45 days: too old; then the oldest until 3 files fit
    assert sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) <= 3 * len(VOICE)


async def test_storing_prunes_at_most_once_per_interval(
        tmp_path: Path, executor: ThreadPoolExecutor, sandbox: GreenApiSandbox) -> None:
    clock = Clock()
    root = tmp_path / "voice"
    voice = cache(root, executor, clock, max_age_days=30, prune_interval=3600)
    url = sandbox.host_media(VOICE, "v.ogg")
    try:
        old = await voice.local_copy(CHAT, 1, url)
        assert old is not None
        stamp = clock.now - 40 * 86400
        os.utime(old, (stamp, stamp))
        await voice.local_copy(CHAT, 2, url)  # within the hour: no new pass, the old note stays
        assert old.exists()
        clock.now += 3601
        await voice.local_copy(CHAT, 3, url)
        assert not old.exists() and sorted(int(p.stem) for p in root.rglob("*.ogg")) == [2, 3]
    finally:
        await voice.aclose()
