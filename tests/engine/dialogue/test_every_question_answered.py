"""«Алина» answers what was asked, then leads: every policy question of a message gets its
documents' answer before the next order field; several products each get their own facts;
a photo that cannot be sent now is said so; "подумаю" is not pushed; sizing advice uses the
size the customer wears; a discount is never invented."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine import texts

from .shop import Shop, close_shop, open_shop, texts_of

PHONE = "77017770011"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path)
    yield opened
    await close_shop(opened)


async def test_three_questions_in_one_message_three_answers_then_the_next_field(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 черные есть? они оригинал? доставка в Шымкент сколько?"))
    assert "285 000 ₸" in reply and "оригинал" in reply.lower() and ("Казпочт" in reply or "СДЭК" in reply)
    assert "адрес доставки" in reply.splitlines()[-1]  # and then it leads on (the city was in the message)
    assert len([p for p in (await shop.say(PHONE, "пыльник и коробка в комплекте?")).parts if p.text]) <= 4


@pytest.mark.parametrize("question, fact", [
    ("а они точно оригинал?", "оригинал"),
    ("пыльник и коробка в комплекте?", "пыльник"),
    ("картой курьеру можно?", "Наличные"),
    ("каспи ред есть? на 3 месяца", "Kaspi Red"),
    ("под заказ сколько бы стоили?", "под заказ"),
])
async def test_a_question_mid_sale_is_answered_not_skipped(shop: Shop, question: str, fact: str) -> None:
    await shop.say(PHONE, "мюли диор 38 черные")
    reply = texts_of(await shop.say(PHONE, question))
    assert fact.lower() in reply.lower(), reply


async def test_two_products_in_one_question_each_get_their_facts(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "лоферы шанель и баленсиага сколько?"))
    assert "285 000 ₸" in reply and "420 000 ₸" in reply and reply.endswith(texts.WHICH_MODEL)
    follow = texts_of(await shop.say(PHONE, "шанель тогда, черные 40"))
    assert "Лоферы Chanel, размер 40, черный" in follow


async def test_haggling_gets_the_shops_rule_and_no_invented_discount(shop: Shop) -> None:
    await shop.say(PHONE, "кеды голден гус 38 есть?")
    first = texts_of(await shop.say(PHONE, "а дешевле никак?"))
    second = texts_of(await shop.say(PHONE, "ну скидку сделайте хоть 10 тысяч"))
    assert "фиксирован" in first.lower() and "фиксирован" in second.lower()
    assert "179 000" not in first + second and "сделаю скидку" not in (first + second).lower()


async def test_thinking_is_not_pushed_and_a_photo_already_sent_is_said(shop: Shop) -> None:
    await shop.say(PHONE, "очки селин есть?")
    assert texts_of(await shop.say(PHONE, "спасибо, подумаю")).startswith(texts.THINK_REPLY)  # (+ a hold offer)
    assert texts.PHOTO_ALREADY_SENT in texts_of(await shop.say(PHONE, "фото есть?"))


async def test_sizing_advice_uses_the_size_they_wear(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "балетки миу миу маломерят? я ношу 37,5"))
    assert "маломер" in reply and "советую 38" in reply and "нет в наличии" not in reply


async def test_a_sales_script_is_never_quoted(shop: Shop) -> None:
    await shop.say(PHONE, "кеды голден гус 38 есть?")
    reply = texts_of(await shop.say(PHONE, "дорого"))
    assert "напоминаем" not in reply and "«Дорого»" not in reply
