"""Follow-ups that mention a promotion: only an ACTIVE one covering the product the customer looked
at, only to a customer who opted in and never out, never for a sold-out product, at exactly the
price the bot's own promotion line states (so the price guard allows it).

Real SQLite, the real outbox, a real StockIndex and a real promotions.xlsx; the shop clock is a
`ManualClock` on Monday 23.11.2026 15:00 Almaty, the first nudge falls due at 18:00.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.engine.dialogue.guards import check_reply
from ottenok_desktop.engine.dialogue.pricing import allowed_prices
from ottenok_desktop.services.inventory.index import StockIndex
from ottenok_desktop.services.inventory.model import StockItem
from ottenok_desktop.services.promotions.loader import PromotionsFile, WatchedFile
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.services.storage.models import Chat, Order
from ottenok_desktop.settings import Settings
from tests.services.promotions.xlsx import RU_HEADERS, write_promotions
from tests.services.test_followups import ALMATY, CHAT, OTHER, Env, at, make_env, shop

PROMOS = [
    ["Chanel −10%", "", "20.11.2026", "30.11.2026", "Chanel", "10%"],
    ["Новогодняя", "", "01.12.2026", "31.12.2026", "всё", "30%"],  # waiting on 23.11
    ["Чёрная пятница", "", "10.11.2026", "22.11.2026", "всё", "40%"],  # finished on 23.11
]
CHANEL_LINE = "Кстати, сейчас действует акция 🌸 Акция: Chanel −10% (до 30.11), цена по акции — 40 500 ₸"
INDEX = StockIndex.build([
    StockItem("Лоферы Chanel", "38", "черный", 2, 45000, brand="Chanel", product_type="shoes"),
    StockItem("Лоферы Chanel", "39", "бежевый", 0, 45000, brand="Chanel", product_type="shoes"),
    StockItem("Кроссовки Balenciaga", "37", "белый", 3, 89000, brand="Balenciaga", product_type="shoes"),
], "v1")


class Inventory:
    """InventoryService.query over a real StockIndex."""

    async def query(self, text: str, size: str | None = None, color: str | None = None) -> Any:
        return INDEX.query(text, size, color)


@pytest.fixture
def env(settings: Settings, database: Database) -> Env:
    return make_env(settings, database, ManualClock(shop("2026-11-23T15:00:00"), zone=ALMATY))  # Monday


@pytest.fixture
def promotions(tmp_path: Path) -> WatchedFile:
    path = write_promotions(tmp_path / "promotions.xlsx", PROMOS, RU_HEADERS)
    return WatchedFile(PromotionsFile(path), ThreadPoolExecutor(max_workers=1), check_seconds=0.0)


async def _order(env: Env, chat_id: str, product: str, size: str, color: str) -> None:
    now = env.clock.now()

    def create() -> None:
        chat = get_or_create_chat(chat_id, now, "Клиентка")
        Order.create(chat=chat, state="draft", product=product, product_type="shoes", size=size, color=color,
                     city="Алматы", created_at=now, updated_at=now)

    await env.db.call(create)


async def _nudge1(env: Env, promotions: WatchedFile, *chats: str) -> dict[str, list[str]]:
    svc = env.service(inventory=Inventory(), promotions=promotions)
    for chat_id in chats:
        await svc.on_bot_message(chat_id, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == len(chats)
    return {chat_id: await env.outbox_texts(chat_id) for chat_id in chats}


async def _consent(env: Env, chat_id: str, *answers: bool) -> None:
    for opt_in in answers:
        await env.db.call(record_promo_consent, chat_id, env.clock.now(), opt_in, "customer")


async def test_opted_in_customer_hears_of_the_active_promotion_for_her_product(
        env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "38", "черный")
    await _order(env, OTHER, "Лоферы Chanel", "38", "черный")
    await _consent(env, CHAT, True)
    sent = await _nudge1(env, promotions, CHAT, OTHER)
    assert sent[CHAT] == [texts.NUDGE_ASK_FIELD["address"] + "\n" + CHANEL_LINE]
    assert sent[OTHER] == [texts.NUDGE_ASK_FIELD["address"]]  # never asked for promotions: none


async def test_an_opt_out_after_the_opt_in_wins(env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "38", "черный")
    await _consent(env, CHAT, True, False)
    sent = await _nudge1(env, promotions, CHAT)
    assert sent[CHAT] == [texts.NUDGE_ASK_FIELD["address"]]


async def test_the_plain_opt_out_of_messages_also_wins(env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "38", "черный")
    await _consent(env, CHAT, True)
    snapshot_before = await env.db.call(lambda: Chat.get(Chat.chat_id == CHAT).opted_out)
    assert snapshot_before is False
    await env.db.call(lambda: Chat.update(opted_out=True).where(Chat.chat_id == CHAT).execute())
    from ottenok_desktop.services.storage.nudges import chat_snapshot

    assert (await env.db.call(chat_snapshot, CHAT)).promo_subscribed is False  # type: ignore[union-attr]


async def test_waiting_and_finished_promotions_are_never_mentioned(env: Env, promotions: WatchedFile) -> None:
    # Balenciaga: only «всё» promotions cover it — one waits until 01.12, one ended 22.11
    await _order(env, CHAT, "Кроссовки Balenciaga", "37", "белый")
    await _consent(env, CHAT, True)
    sent = await _nudge1(env, promotions, CHAT)
    assert sent[CHAT] == [texts.NUDGE_ASK_FIELD["address"]]


async def test_after_the_last_day_the_promotion_is_not_mentioned(env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "38", "черный")
    await _consent(env, CHAT, True)
    svc = env.service(inventory=Inventory(), promotions=promotions)
    await svc.on_bot_message(CHAT, at(env, "2026-11-30T20:00:00"))  # after hours: due 01.12 09:00
    at(env, "2026-12-01T09:00:00")  # Chanel −10% ended at 23:59 yesterday; Новогодняя −30% started
    assert await svc.check_due() == 1
    (text,) = await env.outbox_texts(CHAT)
    assert "Chanel −10%" not in text
    assert "Новогодняя" in text and "31 500 ₸" in text  # 45 000 − 30 %, active today


async def test_a_sold_out_product_gets_no_promotion(env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "39", "бежевый")
    await _consent(env, CHAT, True)
    sent = await _nudge1(env, promotions, CHAT)
    assert "акция" not in sent[CHAT][0].lower()
    assert sent[CHAT][0].startswith(texts.NUDGE_SOLD_OUT_ALTERNATIVE[1].split("{")[0])


async def test_the_nudges_promotion_price_is_one_the_guard_allows(env: Env, promotions: WatchedFile) -> None:
    await _order(env, CHAT, "Лоферы Chanel", "38", "черный")
    await _consent(env, CHAT, True)
    (text,) = (await _nudge1(env, promotions, CHAT))[CHAT]
    # the bot's own allowed amounts for this product today: the stock price and the promoted one
    allowed, forbidden = allowed_prices([45000], None, [], {}, promoted=[40500])
    assert not check_reply(text, greeted_before=True, order_confirmed_now=False, allowed_prices=allowed,
                           stock_status="in_stock", forbidden_prices=forbidden).fired
    # without the promotion as a fact the same words would be stopped: the check is real
    bare, _ = allowed_prices([45000], None, [], {})
    assert check_reply(text, greeted_before=True, order_confirmed_now=False, allowed_prices=bare,
                       stock_status="in_stock", forbidden_prices={}).fired
