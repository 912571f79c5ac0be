"""Knowledge in the dialogue: FAQ answers composed from sentences (no raw chunks), the stock
file as the price authority over documents, and the side-effect-free preview.

Real services on the sample shop; the "stale document" cases index a copy of the sample
knowledge base with one card and one script that carry a wrong price for «Лоферы Chanel»
(the stock file says 285 000 ₸).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine.events import GuardTriggered
from ottenok_desktop.services.llm.client import LlmClient
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer
from tests.services.knowledge.docx_factory import product_card, script_doc

from .shop import SAMPLE, Shop, close_shop, open_shop, texts_of

PHONE = "77012223344"
STOCK_PRICE = "285 000 ₸"
WRONG_PRICE = "89 000"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path)
    yield opened
    await close_shop(opened)


def stale_knowledge(tmp: Path) -> Path:
    """The sample knowledge base, with a loafers card and a promo page from an old price list."""
    folder = tmp / "kb"
    shutil.copytree(SAMPLE / "knowledge_base", folder)
    product_card(folder / "catalog" / "loafers_chanel.docx", "Лоферы Chanel",
                 "Классические лоферы Chanel из мягкой кожи. Лоферы Chanel стоят 89 000 ₸.",
                 [["37", "чёрный", "89 000 ₸"], ["38", "бежевый", "89 000 ₸"]])
    script_doc(folder / "scripts" / "promo.docx", "Акции", {
        "Акции месяца": ["Лоферы Chanel по акции за 89 000 ₸ до конца месяца. Скидки и акции не суммируются, "
                         "подарочная упаковка при любой покупке бесплатно."],
    })
    return folder


# ---- FAQ answers from sentences -----------------------------------------------------------
def _faq_part(reply_text: str) -> str:
    """What follows «Подскажу:» (or the whole text when there is no intro)."""
    return reply_text.split("Подскажу:", 1)[-1].split("По возврату подскажу:", 1)[-1].strip()


def _assert_clean(text: str) -> None:
    assert " / " not in text, f"section path leaked: {text!r}"
    assert not re.search(r"(Размер|Цвет|Цена|Способ|Срок|Стоимость): [^;\n]+;", text), f"table row leaked: {text!r}"
    assert "Оттенок Алина:" not in text and "Айгерим:" not in text and "Динара:" not in text, text


@pytest.mark.parametrize(("question", "must"), [
    ("до скольки работаете?", ["10:00 до 20:00"]),
    ("как оплатить каспи?", ["Kaspi"]),
    ("есть доставка в шымкент?", ["Шымкент"]),
    ("можно вернуть если не подошли?", ["14 дней"]),
])
async def test_faq_answers_are_a_few_clean_sentences(shop: Shop, question: str, must: list[str]) -> None:
    reply = texts_of(await shop.say(PHONE, question))
    answer = _faq_part(reply.split("\n", 1)[-1] if reply.startswith("Здравствуйте") else reply)
    answer = answer.split("\n")[0]  # the next line is the follow-up question / offer
    for word in must:
        assert word in answer, f"{question!r} → {reply!r}"
    _assert_clean(reply)
    assert len(answer) <= 360, answer
    assert 1 <= len(re.findall(r"[.!?](?:\s|$)", answer)) <= 3, answer
    assert not answer.startswith(("Магазин «Оттенок»", "Оплата", "Доставка /", "Возврат и обмен")), answer


async def test_price_question_is_answered_from_the_stock_file(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "сколько стоят лоферы шанель?"))
    assert STOCK_PRICE in reply and "Лоферы Chanel" in reply
    _assert_clean(reply)


async def test_size_question_without_a_model_never_dumps_a_card_table(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "какие размеры есть?"))
    _assert_clean(reply)
    assert "Размеры:" not in reply or "в наличии" in reply


# ---- the stock file is the price authority --------------------------------------------------
async def test_offline_never_repeats_a_stale_document_price(tmp_path: Path) -> None:
    shop = await open_shop(tmp_path, knowledge_dir=stale_knowledge(tmp_path))
    try:
        price = texts_of(await shop.say(PHONE, "сколько стоят лоферы шанель?"))
        assert STOCK_PRICE in price and WRONG_PRICE not in price
        promo = texts_of(await shop.say("77015550001", "какие у вас акции сейчас?"))
        assert WRONG_PRICE not in promo
        assert "не суммируются" in promo  # the rest of the page still answers
        _assert_clean(promo)
    finally:
        await close_shop(shop)


def _facts(body: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")


async def test_llm_repeating_a_stale_document_price_is_rebuilt_from_stock(tmp_path: Path) -> None:
    server = await FakeOpenAIServer().start()

    def copies_the_document(body: dict[str, Any]) -> str:
        # an LLM that trusts the document it was given (or remembers an old price list)
        return json.dumps({"reply": "Лоферы Chanel — 89 000 ₸, размеры 37 и 38 ✨ ||| Какой размер нужен?",
                           "fields": {}, "intent": "product"}, ensure_ascii=False)

    server.chat_script = copies_the_document
    llm = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=2.0, max_retries=0)
    shop = await open_shop(tmp_path, llm=llm, knowledge_dir=stale_knowledge(tmp_path))
    try:
        reply = texts_of(await shop.say(PHONE, "лоферы шанель сколько стоят?"))
        assert WRONG_PRICE not in reply and STOCK_PRICE in reply
        fired = [e for e in shop.events.of_type(GuardTriggered) if e.guard == "price"]
        assert fired and "285000" in fired[0].detail and "89000" in fired[0].detail
        # the stale amount is not even handed to the LLM as a fact
        assert WRONG_PRICE not in _facts(server.chat_requests[-1])
    finally:
        await close_shop(shop)
        await server.stop()


# ---- preview: same decisions, nothing written ----------------------------------------------------
async def _row_counts(shop: Shop) -> dict[str, int]:
    from ottenok_desktop.services.storage import models

    def count() -> dict[str, int]:
        return {model.__name__: model.select().count() for model in models.ALL_MODELS}

    return await shop.db.call(count)


@pytest.mark.parametrize("question", [
    "Здравствуйте, есть лоферы шанель 38 черные?",  # would create an order
    "позовите менеджера",  # would open a ticket
    "до скольки работаете?",
])
async def test_preview_writes_nothing_and_publishes_nothing(shop: Shop, question: str) -> None:
    before = await _row_counts(shop)
    seen = len(shop.events.events)
    preview = await shop.responder.preview(question)
    assert texts_of(preview)
    assert await _row_counts(shop) == before
    assert len(shop.events.events) == seen
    # and it says what a real first message gets
    real = await shop.say(PHONE, question)
    assert texts_of(preview) == texts_of(real)
