"""The bot cites exactly the active promotions: beside a product's stock facts, and when
asked "какие у вас акции?"; the price guard lets the promoted price through and nothing else.

The sample shop (real stock file, knowledge, SQLite), a real promotions.xlsx, the shop clock
at 23.11.2026 11:00 Almaty; the LLM is the fake OpenAI-compatible server over loopback.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine.events import GuardTriggered
from ottenok_desktop.services.llm.client import LlmClient
from ottenok_desktop.services.promotions.loader import PromotionsFile, WatchedFile
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer
from tests.services.promotions.xlsx import RU_HEADERS, write_promotions

from .shop import Shop, close_shop, open_partner_shop, open_shop, texts_of

PHONE = "77011234567"
PROMOS = [
    ["Chanel −10%", "только до конца месяца", "20.11.2026", "30.11.2026", "Chanel", "10%"],
    ["Новогодняя", "", "20.12.2026", "31.12.2026", "всё", "30%"],
    ["Чёрная пятница", "", "10.11.2026", "22.11.2026", "всё", "40%"],
]
DAY = 24 * 3600


def _promotions(tmp_path: Path, rows: list[list[object]]) -> WatchedFile:
    path = write_promotions(tmp_path / "promotions.xlsx", rows, RU_HEADERS)
    return WatchedFile(PromotionsFile(path), ThreadPoolExecutor(max_workers=1), check_seconds=0.0)


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path, promotions=_promotions(tmp_path, PROMOS))
    yield opened
    await close_shop(opened)


async def test_product_facts_carry_the_active_promotion_only(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "Здравствуйте, есть лоферы шанель 38?"))
    assert "285 000 ₸" in reply
    assert "Акция: Chanel −10% (до 30.11), цена по акции — 256 500 ₸" in reply
    assert "Новогодняя" not in reply and "Чёрная пятница" not in reply


async def test_what_promotions_lists_active_ones(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "добрый день, какие у вас сейчас акции?"))
    assert "Сейчас у нас действуют акции:" in reply and "• Chanel −10% — скидка 10%, до 30.11" in reply
    assert "Новогодняя" not in reply and "Чёрная" not in reply


async def test_after_the_last_day_nothing_is_cited(shop: Shop) -> None:
    shop.clock.advance(8 * DAY)  # 01.12.2026: Chanel −10% finished, Новогодняя still waiting
    reply = texts_of(await shop.say(PHONE, "скидки есть какие нибудь?"))
    assert "Сейчас акций нет" in reply and "Chanel −10%" not in reply and "Новогодняя" not in reply
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert "285 000 ₸" in reply and "Акция" not in reply and "256 500" not in reply


async def test_without_a_promotions_file_nothing_changes(tmp_path: Path) -> None:
    opened = await open_shop(tmp_path, promotions=WatchedFile(
        PromotionsFile(tmp_path / "нет.xlsx"), ThreadPoolExecutor(max_workers=1)))
    try:
        reply = texts_of(await opened.say(PHONE, "есть лоферы шанель 38?"))
        assert "285 000 ₸" in reply and "Акция" not in reply
    finally:
        await close_shop(opened)


def _llm_reply(reply: str) -> str:
    return json.dumps({"reply": reply, "fields": {}, "intent": "product"}, ensure_ascii=False)


@pytest.fixture
async def llm_shop(tmp_path: Path) -> AsyncIterator[tuple[Shop, FakeOpenAIServer]]:
    server = await FakeOpenAIServer().start()
    client = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=1.0, max_retries=0)
    opened = await open_shop(tmp_path, llm=client, promotions=_promotions(tmp_path, PROMOS))
    yield opened, server
    await close_shop(opened)
    await server.stop()


async def test_llm_may_state_the_promoted_price_but_not_an_invented_discount(
        llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    server.chat_script = lambda body: _llm_reply("Лоферы Chanel 38 есть! По акции сейчас 256 500 ₸ вместо 285 000 ₸")
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert reply == "Лоферы Chanel 38 есть! По акции сейчас 256 500 ₸ вместо 285 000 ₸"
    assert "256 500" in _system(server.chat_requests[-1])  # the LLM was told the promotion as a fact
    assert not shop.events.of_type(GuardTriggered)

    server.chat_script = lambda body: _llm_reply("Для вас скидка 20% — всего 228 000 ₸!")
    reply = texts_of(await shop.say(PHONE, "а для меня ещё дешевле можно?"))
    assert "228 000" not in reply
    assert any(e.guard == "price" for e in shop.events.of_type(GuardTriggered))


async def test_llm_cannot_cite_a_finished_promotions_price(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    shop.clock.advance(8 * DAY)  # Chanel −10% is over: 256 500 is no longer a fact
    server.chat_script = lambda body: _llm_reply("Лоферы Chanel 38 есть, по акции 256 500 ₸")
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert "256 500" not in reply and "285 000 ₸" in reply
    assert any(e.guard == "price" for e in shop.events.of_type(GuardTriggered))


def _system(body: dict[str, object]) -> str:
    return "\n".join(str(m["content"]) for m in body["messages"] if m["role"] == "system")  # type: ignore[index,union-attr]


async def _consent(shop: Shop, phone: str = PHONE) -> dict[str, object]:
    from ottenok_desktop.services.storage.queries import customer_card

    card = await shop.db.call(customer_card, f"{phone}@c.us")
    return {"subscribed": card.promo_consent == "subscribed", "opted_out": card.promo_consent == "opted_out",
            "at": card.promo_consent_at, "source": card.promo_consent_source}


async def test_opt_in_then_opt_out_wins_for_good(shop: Shop) -> None:
    from ottenok_desktop.engine import texts

    reply = texts_of(await shop.say(PHONE, "Здравствуйте! хочу получать акции"))
    assert texts.PROMO_CONSENT_OK in reply
    consent = await _consent(shop)
    assert consent["subscribed"] and consent["source"] == "customer"
    assert consent["at"] is not None and consent["at"] < shop.clock.now()  # type: ignore[operator]
    reply = await shop.say(PHONE, "не присылайте акции")
    assert "opt_out" in reply.notes and not reply.parts
    consent = await _consent(shop)
    assert not consent["subscribed"] and consent["opted_out"] and consent["source"] == "customer"
    reply = texts_of(await shop.say(PHONE, "подпишите меня на новости"))
    assert texts.PROMO_CONSENT_REFUSED in reply and texts.PROMO_CONSENT_OK not in reply
    assert not (await _consent(shop))["subscribed"]


async def test_stop_first_then_opt_in_is_refused(shop: Shop) -> None:
    from ottenok_desktop.engine import texts

    await shop.say("77017770000", "стоп")
    reply = texts_of(await shop.say("77017770000", "присылайте мне акции"))
    assert texts.PROMO_CONSENT_REFUSED in reply
    consent = await _consent(shop, "77017770000")
    assert not consent["subscribed"] and consent["opted_out"]


async def test_a_question_about_promotions_is_not_consent(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "а акции у вас бывают?"))
    assert "Chanel −10%" in reply
    assert not (await _consent(shop))["subscribed"]


# ---- partners ---------------------------------------------------------------------------
PARTNER_PHONE = "77015550102"


@pytest.fixture
async def partner_shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_partner_shop(tmp_path)
    yield opened
    await close_shop(opened)


async def test_partner_by_phone_greeted_by_name_with_the_partner_price(partner_shop: Shop) -> None:
    reply = texts_of(await partner_shop.say(PARTNER_PHONE, "Добрый день! лоферы шанель 38 есть?"))
    assert "Динара (стилист), рада вас видеть" in reply and "скидка 15%" in reply
    assert "Цена для вас как партнёра — 242 250 ₸" in reply  # 285 000 − 15 %
    reply = texts_of(await partner_shop.say(PARTNER_PHONE, "а бежевые 38?"))
    assert "рада вас видеть" not in reply and "242 250 ₸" in reply


async def test_an_ordinary_customer_gets_no_partner_price(partner_shop: Shop) -> None:
    reply = texts_of(await partner_shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert "285 000 ₸" in reply and "партн" not in reply and "242 250" not in reply


async def test_partner_by_typed_code(partner_shop: Shop) -> None:
    reply = texts_of(await partner_shop.say(PHONE, "Здравствуйте, мой код партнёра ab-12"))
    assert "Бутик «Мода», рада вас видеть" in reply
    reply = texts_of(await partner_shop.say(PHONE, "лоферы шанель 38 есть?"))
    assert "Цена для вас как партнёра — 256 500 ₸" in reply


async def test_wrong_codes_refused_then_no_more_probing(partner_shop: Shop) -> None:
    from ottenok_desktop.engine import texts

    phone = "77017771122"
    for attempt in ("мой код партнёра 1111", "код партнера 2222"):
        assert texts.PARTNER_CODE_WRONG in texts_of(await partner_shop.say(phone, attempt))
    # the third wrong code: no more codes are looked up, and a person takes over
    third = await partner_shop.say(phone, "код партнёра 3333")
    assert json.loads(third.plan.state_json)["partner_code_tries"] == 3  # type: ignore[union-attr,arg-type]
    assert texts.PARTNER_CODE_LOCKED in texts_of(third) or texts.HANDOFF_NOTICE in texts_of(third)
    # the right code now is not even looked up: no probing
    reply = texts_of(await partner_shop.say(phone, "мой код партнёра 7741"))
    assert "рада вас видеть" not in reply and "партнёра —" not in reply


async def test_llm_partner_price_allowed_only_for_the_partner(tmp_path: Path) -> None:
    from ottenok_desktop.services.partners.loader import PartnersFile
    from ottenok_desktop.services.promotions.loader import WatchedFile
    from tests.services.partners.test_loader import ROWS, write_partners

    server = await FakeOpenAIServer().start()
    client = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=1.0, max_retries=0)
    partners = WatchedFile(PartnersFile(write_partners(tmp_path / "partners.xlsx", ROWS)),
                           ThreadPoolExecutor(max_workers=1))
    shop = await open_shop(tmp_path, llm=client, partners=partners)
    try:
        server.chat_script = lambda body: _llm_reply("Лоферы Chanel 38 есть, для вас 242 250 ₸")
        assert texts_of(await shop.say(PARTNER_PHONE, "лоферы шанель 38 есть?")) == \
            "Лоферы Chanel 38 есть, для вас 242 250 ₸"
        assert not shop.events.of_type(GuardTriggered)
        reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 есть?"))  # not a partner
        assert "242 250" not in reply
        assert any(e.guard == "price" for e in shop.events.of_type(GuardTriggered))
    finally:
        await close_shop(shop)
        await server.stop()


async def test_partner_badge_in_the_chat_list(partner_shop: Shop) -> None:
    from ottenok_desktop.services.storage import queries as q

    await partner_shop.say(PARTNER_PHONE, "Здравствуйте")
    await partner_shop.say(PHONE, "Здравствуйте")
    await partner_shop.say("77019990011", "мой код партнёра AB-12")
    rows = {r.phone: r.partner for r in await partner_shop.db.call(q.chat_page, "all")}
    assert rows == {PARTNER_PHONE: True, PHONE: False, "77019990011": True}
