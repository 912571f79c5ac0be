"""A Telegram customer served by the whole engine (offline «Алина», real stock file, photos,
SQLite) over loopback: the Telegram sandbox for the customer, the GREEN-API sandbox for
WhatsApp. The customer buys; /start greets; 429 and 502 are survived without doubling."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import AsyncIterator

import pytest
import pytest_asyncio

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import texts
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Chat, Order, OutboxItem, TelegramUpdate
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.settings import load_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

OPERATORS = -1001234567890


class Shop:
    def __init__(self, engine: Engine, tg: TelegramSandbox, settings) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.tg = tg
        self.settings = settings

    async def say(self, user_id: int, text: str, *, expect: int = 1, settle: float = 0.4) -> list[str]:
        before = len(self.tg.sent_to(user_id))
        self.tg.write(user_id, text, first_name="Жанна")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while len(self.tg.sent_to(user_id)) < before + expect:
            assert loop.time() < deadline, f"no answer to {text!r}"
            await asyncio.sleep(0.02)
        await asyncio.sleep(settle)
        return [m.text or f"[{m.kind}] {m.caption}" for m in self.tg.sent_to(user_id)[before:]]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shop(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Shop]:
    data_dir = tmp_path_factory.mktemp("tgshop")
    tg = TelegramSandbox(poll_scale=0.02)
    tg.add_group(OPERATORS)
    await tg.start()
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", overrides={
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.api_url, "TELEGRAM_OPERATORS_CHAT_ID": str(OPERATORS)})
    engine = build_engine(settings, sandbox=GreenApiSandbox(poll_scale=0.02, status_delay=0.01), debounce=0.0,
                          sender_retry_base=0.05)
    await engine.start()
    try:
        yield Shop(engine, tg, settings)
    finally:
        await engine.stop()
        await tg.stop()


async def test_start_greets_and_says_what_the_bot_can_do(shop: Shop) -> None:
    (greeting,) = await shop.say(5550002001, "/start")
    assert greeting == texts.TELEGRAM_START


async def test_telegram_customer_buys_with_an_album_and_the_order_is_exported(shop: Shop) -> None:
    user = 5550002002
    first = await shop.say(user, "Здравствуйте, есть лоферы шанель 38?", expect=3)
    joined = "\n".join(first)
    assert "285 000" in joined and "Лоферы Chanel" in joined
    sent = shop.tg.sent_to(user)
    photos = [m for m in sent if m.kind in ("photo", "media_group")]
    assert len(photos) >= 2, "the reply brings photos"
    # 2–3 photos of one turn go as one album
    assert {m.kind for m in photos} == {"media_group"} and len({m.media_group_id for m in photos}) == 1
    await shop.say(user, "черные")
    await shop.say(user, "в алматы")
    summary = "\n".join(await shop.say(user, "ул. Абая 10, кв 5"))
    assert "Абая 10" in summary
    done = "\n".join(await shop.say(user, "да, всё верно"))
    assert "оформ" in done.lower()

    def order_row() -> tuple:
        order = Order.select().join(Chat).where(Chat.chat_id == f"tg:{user}").get()
        return order.state, order.product, int(order.price), order.chat.channel

    assert await shop.engine.db.call(order_row) == ("confirmed", "Лоферы Chanel", 285000, "telegram")
    export = subprocess.run(
        [sys.executable, "-m", "ottenok_desktop", "--data-dir", str(shop.settings.data_dir), "orders", "export",
         "--format", "json"], capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    rows = [r for r in json.loads(export.stdout)["orders"] if r["chat_id"] == f"tg:{user}"]
    assert rows and rows[0]["channel"] == "telegram" and rows[0]["state"] == "confirmed"


async def test_429_retry_after_and_a_502_burst_are_survived_without_doubles(shop: Shop) -> None:
    user = 5550002003
    shop.tg.add_fault("sendMessage", 429, retry_after=1)
    shop.tg.add_fault("sendMessage", 502, count=3)
    replies = await shop.say(user, "/start")
    assert replies == [texts.TELEGRAM_START]
    await asyncio.sleep(0.5)
    assert [m.text for m in shop.tg.sent_to(user)] == [texts.TELEGRAM_START]

    def outbox() -> tuple:
        item = OutboxItem.select().join(Chat).where(Chat.chat_id == f"tg:{user}").get()
        return item.state, item.attempts

    state, attempts = await shop.engine.db.call(outbox)
    assert state == "sent" and attempts == 5  # 429, three 502s, then through


async def test_updates_are_stored_and_the_offset_kept(shop: Shop) -> None:
    from ottenok_desktop.services.telegram.store import load_offset

    def stored() -> tuple[int, int, int]:
        return (TelegramUpdate.select().count(), TelegramUpdate.select().where(TelegramUpdate.state == "new").count(),
                load_offset())

    total, new, offset = await shop.engine.db.call(stored)
    assert total >= 7 and new == 0
    top = await shop.engine.db.call(lambda: TelegramUpdate.select().order_by(TelegramUpdate.update_id.desc()).get().update_id)
    assert offset == top + 1
    assert shop.tg.pending_updates() <= 1


async def test_a_customer_photo_is_downloaded_for_the_console(shop: Shop) -> None:
    from pathlib import Path

    from ottenok_desktop.services.storage.models import Message

    user = 5550002004
    picture = b"\xff\xd8\xff\xe0" + b"\x10" * 700
    shop.tg.write(user, photo=picture, caption="вот такие есть в 37?", first_name="Жанна")

    def stored() -> tuple[str, str, str] | None:
        row = Message.select().join(Chat).where((Chat.chat_id == f"tg:{user}") & (Message.direction == "in")).first()
        return (row.content_type, row.text, row.media_url) if row else None

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while (found := await shop.engine.db.call(stored)) is None:
        assert loop.time() < deadline, "the photo message was not stored"
        await asyncio.sleep(0.05)
    content_type, text, media_url = found
    assert content_type == "image" and text == "вот такие есть в 37?"
    assert Path(media_url).read_bytes() == picture
