"""A product question and a policy question in one turn: both get answered.

Quick messages merge into one turn («есть шанель лоферы 37 бежевые?» + «а доставка в
астану сколько дней?»). «Алина» states the stock facts first and then answers the policy
question in 1–2 sentences from the knowledge base, once per chat. Real services on the
sample shop (stock file, offline knowledge index, SQLite); the LLM is the fake
OpenAI-compatible server over loopback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.dialogue.reading import policy_clause, read_message
from ottenok_desktop.services.llm.client import LlmClient
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer

from .shop import Shop, close_shop, open_shop, texts_of

PHONE = "77015556677"
LOAFERS = "Здравствуйте! есть шанель лоферы 37 бежевые?"
DELIVERY = "а доставка в астану сколько дней?"
TWO_MESSAGES = LOAFERS + "\n" + DELIVERY  # what the dispatcher's Turn.text holds
DELIVERY_DAYS = "5–10 рабочих дней"  # data/knowledge_base/scripts: Казпочта to other cities
OUT_OF_STOCK = "нет в наличии"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path)
    yield opened
    await close_shop(opened)


def _texts(reply: Any) -> list[str]:
    return [p.text for p in reply.parts if p.text]


def test_the_policy_questions_are_searched_on_their_own_words() -> None:
    def policy(text: str) -> list[str]:
        return [policy_clause(q) for q in read_message(text).knowledge_questions]

    assert policy(TWO_MESSAGES) == ["а доставка в астану сколько дней?"]
    assert policy("сколько стоят балетки миу миу и можно ли оплатить каспи?") == ["можно ли оплатить каспи?"]
    assert policy("есть шанель лоферы 37?") == []


async def test_stock_facts_and_delivery_in_one_reply(shop: Shop) -> None:
    reply = await shop.say(PHONE, TWO_MESSAGES)
    parts = _texts(reply)
    text = "\n".join(parts)
    assert OUT_OF_STOCK in text and "285 000 ₸" in text  # the stock facts and alternatives stay
    assert "Астана" in text and DELIVERY_DAYS in text
    stock_at = next(i for i, p in enumerate(parts) if OUT_OF_STOCK in p)
    delivery_at = next(i for i, p in enumerate(parts) if DELIVERY_DAYS in p)
    assert delivery_at > stock_at  # after the product facts
    assert OUT_OF_STOCK not in parts[delivery_at]  # its own message
    assert len(parts) <= 4
    assert parts[delivery_at].rstrip().endswith((".", "!", "?"))  # cut on a sentence boundary
    assert len(parts[delivery_at]) <= 260

    # the next turn does not repeat it, even when the question comes again with a product one
    follow = texts_of(await shop.say(PHONE, "а черные 37 есть?"))
    assert DELIVERY_DAYS not in follow and "Казахстану" not in follow
    again = texts_of(await shop.say(PHONE, "а 38 бежевые есть? и доставка в астану сколько?"))
    assert "Лоферы Chanel" in again and DELIVERY_DAYS not in again


async def test_price_and_payment_in_one_reply(shop: Shop) -> None:
    reply = await shop.say(PHONE, "сколько стоят балетки миу миу и можно ли оплатить каспи?")
    parts = _texts(reply)
    text = "\n".join(parts)
    assert "265 000 ₸" in text
    assert "Kaspi" in text
    assert len(parts) <= 4
    price_at = next(i for i, p in enumerate(parts) if "265 000 ₸" in p)
    kaspi_at = next(i for i, p in enumerate(parts) if "Kaspi" in p)
    assert kaspi_at > price_at
    assert parts[-1].endswith("?")  # the reply still ends with the next question


async def test_plain_product_question_gets_no_policy_sentence(shop: Shop) -> None:
    text = texts_of(await shop.say(PHONE, LOAFERS))
    assert OUT_OF_STOCK in text
    for unrelated in ("Казахстану", "рабочих дней", "Kaspi", "рассрочк", "Подскажу"):
        assert unrelated not in text


async def test_policy_answered_before_is_not_added_again(shop: Shop) -> None:
    first = texts_of(await shop.say(PHONE, DELIVERY))
    assert DELIVERY_DAYS in first  # the ordinary FAQ answer
    second = texts_of(await shop.say(PHONE, "есть шанель лоферы 37 бежевые?\n" + DELIVERY))
    assert OUT_OF_STOCK in second and DELIVERY_DAYS not in second


async def test_handoff_trigger_keeps_its_flow(shop: Shop) -> None:
    reply = await shop.say(PHONE, "лоферы шанель порвались через неделю, гарантия есть?\n"
                                  "а доставка в астану сколько дней?")
    # the warranty flow asks for the details (photos, receipt), nothing else is said
    assert reply.notes == ("warranty:ask_details",)
    assert texts_of(reply) == texts.WARRANTY_ASK_DETAILS
    assert DELIVERY_DAYS not in texts_of(reply)


async def test_llm_gets_the_policy_answer_in_its_facts(tmp_path: Path) -> None:
    server = await FakeOpenAIServer().start()

    def answers_both(body: dict[str, Any]) -> str:
        return json.dumps({"reply": "Бежевых в 37 сейчас нет, есть черные 37 за 285 000 ₸ ||| "
                                    "В Астану Казпочтой 5–10 рабочих дней, доставка 2 000 ₸",
                           "fields": {}, "intent": "product"}, ensure_ascii=False)

    server.chat_script = answers_both
    llm = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=2.0, max_retries=0)
    shop = await open_shop(tmp_path, llm=llm)
    try:
        reply = await shop.say(PHONE, TWO_MESSAGES)
        assert len(server.chat_requests) == 1  # still one LLM call for the turn
        facts = "\n".join(m["content"] for m in server.chat_requests[-1]["messages"] if m["role"] == "system")
        assert DELIVERY_DAYS in facts and "Лоферы Chanel" in facts
        # the delivery price comes from the knowledge answer, so the price guard lets it through
        assert "llm" in reply.notes and not any(n.startswith("rebuilt") for n in reply.notes)
        assert "2 000 ₸" in texts_of(reply)
    finally:
        await close_shop(shop)
        await server.stop()


def test_side_answer_never_makes_a_fifth_message() -> None:
    from ottenok_desktop.engine.dialogue import decisions as d
    from ottenok_desktop.engine.dialogue.offline import render
    from ottenok_desktop.engine.dialogue.state import OrderDraft

    stock = d.StockFacts(status=d.IN_STOCK, product="Балетки Miu Miu", price=265000, sizes=("37", "38"),
                         colors=("белый", "черный"))
    order = OrderDraft(product="Балетки Miu Miu", product_type="shoes", city="Астана",
                       colors_available=("белый", "черный"), sizes_available=("37", "38"))
    side = "Kaspi Gold — перевод по номеру телефона магазина."
    decision = d.Decision(d.OFFER, greet=True, ask_field="size", stock=stock, corrected=(("city", "Астана"),),
                          side_faq=side)
    parts = render(decision, order=order, persona="Алина")
    assert len(parts) == 4
    assert parts[-1] == "Какой размер вам нужен?"  # still the closing question
    assert parts[-2].endswith(side) and "265 000 ₸" in parts[-2]  # joined to the stock facts
    fewer = render(d.Decision(d.OFFER, ask_field="size", stock=stock, side_faq=side), order=order, persona="Алина")
    assert fewer[1] == side and len(fewer) == 3
