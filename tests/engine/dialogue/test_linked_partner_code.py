"""A partner code typed on one channel counts on the linked chat of the other (issues 15/16): the
sample shop, a real partners.xlsx, SQLite; the Telegram chat is linked to the WhatsApp one by the
console's command. Storage details on both backends: tests/services/storage/test_links.py."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine.events import ChatUpdated
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.models import Chat

from .shop import Shop, close_shop, open_partner_shop, texts_of

PHONE = "77019990011"  # not a partner's phone: only the code makes her one
WA = f"{PHONE}@c.us"
TG = "tg:5550009911"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_partner_shop(tmp_path)
    yield opened
    await close_shop(opened)


async def _telegram_chat(shop: Shop) -> None:
    now = shop.clock.now()
    await shop.db.call(lambda: Chat.create(chat_id=TG, phone="", name="Бутик", channel="telegram",
                                           created_at=now, updated_at=now))


async def _badges(shop: Shop) -> dict[str, bool]:
    return {row.chat_id: row.partner for row in await shop.db.call(q.chat_rows, [WA, TG])}


async def test_a_code_typed_on_telegram_after_linking_gives_the_partner_price_on_whatsapp(shop: Shop) -> None:
    await shop.say(PHONE, "Здравствуйте")
    await _telegram_chat(shop)
    assert await shop.commands.link_chats(WA, TG, "Асель")
    shop.events.events.clear()

    reply = texts_of(await shop.say(PHONE, "Здравствуйте, мой код партнёра ab-12", chat_id=TG))
    assert "Бутик «Мода», рада вас видеть" in reply
    assert ChatUpdated(WA) in shop.events.of_type(ChatUpdated)  # the WhatsApp row shows «партнёр» at once
    assert await _badges(shop) == {WA: True, TG: True}

    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))  # on WhatsApp, no code typed there
    assert "Бутик «Мода», рада вас видеть" in reply and "Цена для вас как партнёра — 256 500 ₸" in reply


async def test_a_code_typed_before_linking_is_carried_by_the_link(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "мой код партнёра 7741"))
    assert "Динара (стилист), рада вас видеть" in reply
    await _telegram_chat(shop)
    assert await _badges(shop) == {WA: True, TG: False}
    assert await shop.commands.link_chats(TG, WA, "Асель")
    assert await _badges(shop) == {WA: True, TG: True}
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?", chat_id=TG))
    assert "Цена для вас как партнёра — 242 250 ₸" in reply  # 285 000 − 15 %


async def test_after_unlinking_a_new_code_stays_on_its_own_chat(shop: Shop) -> None:
    await shop.say(PHONE, "Здравствуйте")
    await _telegram_chat(shop)
    assert await shop.commands.link_chats(WA, TG, "Асель")
    assert await shop.commands.unlink_chat(TG, "Асель")
    await shop.say(PHONE, "мой код партнёра ab-12", chat_id=TG)
    assert await _badges(shop) == {WA: False, TG: True}
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert "285 000 ₸" in reply and "партн" not in reply
