"""Orders keep the price the bot promised: a promotion or partner price stated in the chat prices
the order at confirmation (the customer's «да» and the console's «Подтвердить»), named in the
confirmation; a promotion that ended at 23:59 between quote and «да» is honoured within 24 h;
a price never stated is never applied; a lying LLM still cannot invent one.

The sample shop (real stock file, SQLite), a real promotions.xlsx / partners.xlsx, the shop
clock starting 23.11.2026 11:00 Almaty; the LLM is the fake OpenAI-compatible server.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.events import GuardTriggered
from ottenok_desktop.services.llm.client import LlmClient
from ottenok_desktop.services.promotions.loader import PromotionsFile, WatchedFile
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer
from tests.services.promotions.xlsx import RU_HEADERS, write_promotions

from .shop import Shop, close_shop, open_shop, texts_of

PHONE = "77011234567"
PARTNER_PHONE = "77015550102"  # Динара (стилист), 15 % (tests/services/partners/test_loader.py)
PROMOS = [
    ["Chanel −10%", "только до конца месяца", "20.11.2026", "30.11.2026", "Chanel", "10%"],
    ["Новогодняя", "", "01.12.2026", "31.12.2026", "всё", "30%"],
]
MINUTE = 60
HOUR = 3600
DAY = 24 * HOUR
ORDER_STEPS = ("черные", "доставка в Астану", "ул. Кенесары 5, кв 12")


def _promotions(tmp_path: Path) -> WatchedFile:
    path = write_promotions(tmp_path / "promotions.xlsx", PROMOS, RU_HEADERS)
    return WatchedFile(PromotionsFile(path), ThreadPoolExecutor(max_workers=1), check_seconds=0.0)


def _partners(tmp_path: Path) -> WatchedFile:
    from ottenok_desktop.services.partners.loader import PartnersFile
    from tests.services.partners.test_loader import ROWS, write_partners

    return WatchedFile(PartnersFile(write_partners(tmp_path / "partners.xlsx", ROWS)), ThreadPoolExecutor(max_workers=1))


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path, promotions=_promotions(tmp_path), partners=_partners(tmp_path))
    yield opened
    await close_shop(opened)


async def _orders(shop: Shop) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import orders

    return await shop.db.call(orders.list_orders)


async def _to_summary(shop: Shop, phone: str = PHONE, first: str = "Здравствуйте, есть лоферы шанель 38?") -> list[str]:
    said = [texts_of(await shop.say(phone, first))]
    for text in ORDER_STEPS:
        said.append(texts_of(await shop.say(phone, text)))
    return said


def _to_almaty(shop: Shop, day: int, hour: int, minute: int) -> None:
    """Move the shop clock forward to `day`.11 (20..30) or `day`.12 (1..19) 2026, hour:minute Almaty."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    target = datetime(2026, 11 if day >= 20 else 12, day, hour, minute, tzinfo=ZoneInfo("Asia/Almaty"))
    shop.clock.advance((target - shop.clock.now()).total_seconds())


async def test_promotion_price_kept_at_confirmation_and_named(shop: Shop) -> None:
    said = await _to_summary(shop)
    assert "цена по акции — 256 500 ₸" in said[0]
    assert "256 500 ₸ по акции «Chanel −10%» (обычная цена 285 000 ₸)" in said[-1]  # the summary says it
    done = texts_of(await shop.say(PHONE, "да"))
    assert "Заказ оформлен" in done and "Цена — 256 500 ₸ по акции «Chanel −10%» (обычная цена 285 000 ₸)" in done
    (order,) = await _orders(shop)
    assert (order["state"], order["price"], order["regular_price"]) == ("confirmed", "256500", "285000")
    assert (order["discount_kind"], order["discount_label"]) == ("promotion", "Chanel −10%")
    assert order["discount_ref"] and len(order["discount_ref"]) == 10


async def test_promotion_ending_at_2359_between_quote_and_yes_is_honoured(shop: Shop) -> None:
    _to_almaty(shop, 30, 23, 40)  # the promotion's last evening
    said = await _to_summary(shop)
    assert "256 500" in said[0] and "256 500" in said[-1]
    _to_almaty(shop, 1, 0, 10)  # 01.12 00:10: the promotion is finished, the quote is 30 minutes old
    fresh = texts_of(await shop.say("77012223344", "лоферы шанель 38 есть?"))
    assert "Chanel −10%" not in fresh  # nobody new is offered it
    done = texts_of(await shop.say(PHONE, "да"))
    assert "256 500 ₸ по акции «Chanel −10%»" in done
    order = next(o for o in await _orders(shop) if o["phone"] == PHONE)
    assert (order["price"], order["discount_label"]) == ("256500", "Chanel −10%")


async def test_a_promise_lapses_after_the_promotion_and_24_hours(shop: Shop) -> None:
    _to_almaty(shop, 30, 12, 0)
    await _to_summary(shop)
    shop.clock.advance(DAY + HOUR)  # 01.12 13:00+: over, and more than 24 h since the quote
    done = texts_of(await shop.say(PHONE, "да"))
    assert "Заказ оформлен" in done and "256 500" not in done
    assert texts.PROMISE_LAPSED.format(label="Chanel −10%", price="285 000") in done
    (order,) = await _orders(shop)
    assert (order["price"], order["discount_kind"], order["regular_price"]) == ("285000", "", "285000")


async def test_a_promotion_never_quoted_is_not_applied(shop: Shop) -> None:
    _to_almaty(shop, 30, 23, 50)
    said = [texts_of(await shop.say(PHONE, "Здравствуйте, есть лоферы шанель 38 черные?"))]
    assert "256 500" in said[0] and "Новогодняя" not in said[0]  # −30 % waits until 01.12
    _to_almaty(shop, 1, 9, 0)  # Новогодняя −30% started; the customer was never told it, Chanel's quote holds
    for text in ORDER_STEPS[1:]:
        said.append(texts_of(await shop.say(PHONE, text)))
    assert "199 500" not in "".join(said)
    done = texts_of(await shop.say(PHONE, "да"))
    assert "199 500" not in done  # −30 % was never stated in this chat
    (order,) = await _orders(shop)
    assert (order["price"], order["discount_label"]) == ("256500", "Chanel −10%")


async def test_partner_price_kept_and_not_for_others(shop: Shop) -> None:
    shop.clock.advance(8 * DAY)  # 01.12: Chanel −10% over; Новогодняя −30% applies to everyone
    # the partner: 15 % and the promotion's 30 % were both stated; the better one applies, never both
    said = await _to_summary(shop, PARTNER_PHONE)
    assert "Цена для вас как партнёра — 242 250 ₸" in said[0] and "цена по акции — 199 500 ₸" in said[0]
    done = texts_of(await shop.say(PARTNER_PHONE, "да"))
    assert "199 500 ₸ по акции «Новогодняя»" in done
    (order,) = await _orders(shop)
    assert (order["price"], order["discount_kind"]) == ("199500", "promotion")


async def test_partner_only_price_at_confirmation(tmp_path: Path) -> None:
    shop = await open_shop(tmp_path, partners=_partners(tmp_path))
    try:
        said = await _to_summary(shop, PARTNER_PHONE)
        assert "242 250 ₸ — цена для вас как партнёра" in said[-1]
        done = texts_of(await shop.say(PARTNER_PHONE, "да"))
        assert "Цена — 242 250 ₸ — цена для вас как партнёра (обычная цена 285 000 ₸)" in done
        await _to_summary(shop, PHONE)
        await shop.say(PHONE, "да")
        prices = {o["phone"]: (o["price"], o["discount_kind"], o["discount_label"]) for o in await _orders(shop)}
        assert prices == {PARTNER_PHONE: ("242250", "partner", "Динара (стилист)"), PHONE: ("285000", "", "")}
    finally:
        await close_shop(shop)


async def test_console_confirmation_keeps_the_promised_price(shop: Shop) -> None:
    await _to_summary(shop)
    (order,) = await _orders(shop)
    confirmed = await shop.commands.confirm_order(int(order["id"]), "Айгуль")
    assert (confirmed["price"], confirmed["regular_price"], confirmed["discount_label"]) == (
        "256500", "285000", "Chanel −10%")


async def test_export_carries_the_discount(shop: Shop, tmp_path: Path) -> None:
    from ottenok_desktop.cli.orders import write_rows

    await _to_summary(shop)
    await shop.say(PHONE, "да")
    out = tmp_path / "orders.json"
    write_rows(await _orders(shop), "json", out)
    (row,) = json.loads(out.read_text(encoding="utf-8"))["orders"]
    assert (row["price"], row["regular_price"], row["discount_kind"], row["discount_label"]) == (
        "256500", "285000", "promotion", "Chanel −10%")
    csv_out = tmp_path / "orders.csv"
    write_rows(await _orders(shop), "csv", csv_out)
    header = csv_out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.endswith("regular_price,discount_kind,discount_ref,discount_label")


# ---- with the LLM (the fake OpenAI server), which lies --------------------------------------------
def _llm(reply: str) -> str:
    return json.dumps({"reply": reply, "fields": {}, "intent": "order"}, ensure_ascii=False)


@pytest.fixture
async def llm_shop(tmp_path: Path) -> AsyncIterator[tuple[Shop, FakeOpenAIServer]]:
    server = await FakeOpenAIServer().start()
    client = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=1.0, max_retries=0)
    opened = await open_shop(tmp_path, llm=client, promotions=_promotions(tmp_path))
    yield opened, server
    await close_shop(opened)
    await server.stop()


async def _llm_to_summary(shop: Shop, server: FakeOpenAIServer, first_reply: str) -> None:
    server.chat_script = lambda body: _llm(first_reply)
    await shop.say(PHONE, "Здравствуйте, есть лоферы шанель 38?")
    for text in ORDER_STEPS:
        server.chat_script = lambda body: _llm("Записала 🙂")
        await shop.say(PHONE, text)


async def test_llm_inventing_a_price_at_confirmation_is_refused(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    await _llm_to_summary(shop, server, "Лоферы Chanel 38 есть! По акции 256 500 ₸ вместо 285 000 ₸")
    server.chat_script = lambda body: _llm("Заказ оформлен! Для вас особая цена 199 000 ₸")
    done = texts_of(await shop.say(PHONE, "да"))
    assert "199 000" not in done and "256 500 ₸ по акции «Chanel −10%»" in done
    assert any(e.guard == "price" for e in shop.events.of_type(GuardTriggered))
    (order,) = await _orders(shop)
    assert order["price"] == "256500"


async def test_llm_confirmation_without_the_discount_gets_it_named(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    await _llm_to_summary(shop, server, "Лоферы Chanel 38 есть! По акции 256 500 ₸")
    server.chat_script = lambda body: _llm("Заказ оформлен ✅ Спасибо!")
    done = texts_of(await shop.say(PHONE, "да"))
    assert done.startswith("Заказ оформлен ✅ Спасибо!")
    assert texts.PROMISED_PRICE_NOTE.format(price="256 500 ₸ по акции «Chanel −10%» (обычная цена 285 000 ₸)") in done


async def test_llm_that_never_stated_the_promotion_price_makes_no_promise(
        llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    await _llm_to_summary(shop, server, "Лоферы Chanel 38 есть, 285 000 ₸ 🙂")  # the promotion left unsaid
    _to_almaty(shop, 1, 0, 10)  # and it is over now
    server.chat_script = lambda body: _llm("Заказ оформлен ✅")
    await shop.say(PHONE, "да")
    (order,) = await _orders(shop)
    assert (order["price"], order["discount_kind"]) == ("285000", "")
