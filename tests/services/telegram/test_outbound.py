"""The Telegram adapter behind the real sender and a real database, against the sandbox:
albums for photos of one turn, 429 on an album keeps it an album, and the rule for
ambiguous sends — a send whose answer never came is not repeated."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine.channels import ChannelRouter
from ottenok_desktop.engine.clock import clock_from_settings
from ottenok_desktop.engine.events import EventBus
from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sender import Sender
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.models import OutboxItem
from ottenok_desktop.services.telegram.client import TelegramApi
from ottenok_desktop.services.telegram.outbound import TelegramAdapter
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.settings import Secret
from tests.fakes.waiting import wait_until

USER = 5550003001
CHAT = f"tg:{USER}"


class Rig:
    def __init__(self, sandbox: TelegramSandbox, db: Database, sender: Sender) -> None:
        self.sandbox, self.db, self.sender = sandbox, db, sender

    async def states(self) -> list[tuple[str, str]]:
        return await self.db.call(lambda: [(i.state, i.last_error) for i in OutboxItem.select().order_by(OutboxItem.id)])


async def _rig(data_dir: Path, request_timeout: float) -> tuple[Rig, TelegramApi]:
    sandbox = TelegramSandbox()
    sandbox.add_user(USER, "Жанна")
    await sandbox.start()
    db = await Database(data_dir / "tg.sqlite3").open()
    bus, clock = EventBus(), clock_from_settings("Asia/Almaty", "", 1.0)
    api = await TelegramApi(sandbox.api_url, Secret(sandbox.token), request_timeout=request_timeout).open()
    router = ChannelRouter([TelegramAdapter(api, db, bus, clock)])
    whatsapp = GreenApiClient("http://127.0.0.1:9", "http://127.0.0.1:9", "1101000001", Secret("unused"))
    sender = Sender(whatsapp, db, bus, clock, retry_base=0.05, channels=router)
    await sender.start()
    return Rig(sandbox, db, sender), api


@pytest.fixture
async def rig(data_dir: Path) -> AsyncIterator[Rig]:
    made, api = await _rig(data_dir, request_timeout=5)
    yield made
    await made.sender.stop()
    await api.aclose()
    await made.db.close()
    await made.sandbox.stop()


def _photos(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"loafers_{i}.jpg"
        path.write_bytes(b"\xff\xd8\xff" + bytes([i]) * 300)
        paths.append(path)
    return paths


def _queue_turn(photos: list[Path], text: str) -> None:
    now = datetime.now(timezone.utc)
    ob.queue_part(CHAT, now, text=text)
    for path in photos:
        ob.queue_part(CHAT, now, file_path=path, file_name=path.name)


async def test_three_photos_of_a_turn_go_as_one_album_even_after_a_429(rig: Rig, tmp_path: Path) -> None:
    rig.sandbox.add_fault("sendMediaGroup", 429, retry_after=1)
    await rig.db.atomic(_queue_turn, _photos(tmp_path, 3), "Лоферы Chanel, 285 000 ₸")
    rig.sender.wake()
    await wait_until(lambda: len(rig.sandbox.sent) >= 4, "text and album", timeout=20)
    kinds = [m.kind for m in rig.sandbox.sent]
    assert kinds == ["text", "media_group", "media_group", "media_group"]
    assert len({m.media_group_id for m in rig.sandbox.sent[1:]}) == 1
    assert rig.sandbox.calls["sendMediaGroup"] == 2 and "sendPhoto" not in rig.sandbox.calls
    await wait_until(lambda: _all(rig, "sent"), "all rows sent")


async def test_two_turns_photos_do_not_merge(rig: Rig, tmp_path: Path) -> None:
    first, second = _photos(tmp_path, 2)
    await rig.db.atomic(_queue_turn, [first], "Вот белые")
    await asyncio.sleep(0.01)
    await rig.db.atomic(_queue_turn, [second], "А вот чёрные")
    rig.sender.wake()
    await wait_until(lambda: len(rig.sandbox.sent) >= 4, "both turns", timeout=20)
    assert [m.kind for m in rig.sandbox.sent] == ["text", "photo", "text", "photo"]


async def test_a_send_whose_answer_is_lost_is_never_repeated(data_dir: Path) -> None:
    made, api = await _rig(data_dir, request_timeout=0.5)
    try:
        made.sandbox.add_fault("sendMessage", None, delay=2.0)  # carried out, the answer comes too late
        await made.db.atomic(lambda: ob.queue_part(CHAT, datetime.now(timezone.utc), text="Ваш заказ оформлен!"))
        made.sender.wake()
        await wait_until(lambda: _all(made, "failed"), "the row settled", timeout=20)
        await asyncio.sleep(1.0)
        assert [m.text for m in made.sandbox.sent] == ["Ваш заказ оформлен!"]  # once, not twice
        ((state, error),) = await made.states()
        assert state == "failed" and error.startswith("unconfirmed")
    finally:
        await made.sender.stop()
        await api.aclose()
        await made.db.close()
        await made.sandbox.stop()


async def _all(rig: Rig, state: str) -> bool:
    states = await rig.states()
    return bool(states) and {s for s, _ in states} == {state}
