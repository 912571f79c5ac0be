"""Splitting a customer's message into questions, each with its topic."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.lexicon.questions import (
    Topic,
    detect_topics,
    primary_topic,
    split_questions,
)

T = Topic


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("а 38 бежевые есть? сколько? доставка в Караганду?", [T.STOCK, T.PRICE, T.DELIVERY]),
        ("Здравствуйте! а они точно оригинал? пыльник и коробка в комплекте?", [T.ORIGINALITY, T.BOX]),
        ("лоферы шанель и баленсиага сколько?", [T.PRICE]),
        ("Добрый день. Фото есть? А дешевле никак?", [T.PHOTO, T.DISCOUNT]),
        ("как они по размеру? каблук какой высоты", [T.SIZING, T.HEEL]),
        ("я из Караганды, а в Караганду отправите?", [T.DELIVERY]),
        ("Картой курьеру можно? И до скольки работаете", [T.PAYMENT, T.ADDRESS_HOURS]),
        ("под заказ сколько бы стоили?", [T.PREORDER]),
        ("хочу вернуть туфли, они натирают", [T.RETURNS]),
        ("спасибо", []),
        ("Здравствуйте", []),
        ("а как вас зовут?", [T.OTHER]),
        ("38?", [T.STOCK]),
        ("мюли диор из чего сделаны, кожа?", [T.MATERIAL]),
        ("шымкентке жеткізесіздер ме? бағасы қанша?", [T.DELIVERY, T.PRICE]),
        ("есть в наличии сумка прада?", [T.AVAILABILITY]),
        ("когда будут 39 размеры?", [T.STOCK]),
        ("у меня 37.5 какой брать? доставка в Караганду. Спасибо", [T.SIZING, T.DELIVERY]),
    ],
)
def test_questions_and_their_topics(text: str, wanted: list[Topic]) -> None:
    assert [q.topic for q in split_questions(text)] == wanted


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("доставка сколько стоит", T.DELIVERY),
        ("Наличными курьеру можно оплатить?", T.PAYMENT),
        ("можно ли оплатить наличкой при доставке по городу", T.PAYMENT),
        ("без коробки примете возврат?", T.RETURNS),
        ("сразу платить или после примерки?", T.PAYMENT),
        ("можно видео как сидят на ноге?", T.PHOTO),
        ("как ухаживать за кожаными лоферами", T.CARE),
        ("подошва отклеилась через неделю", T.WARRANTY),
        ("жеңілдік бар ма?", T.DISCOUNT),
        ("түпнұсқа ма?", T.ORIGINALITY),
        ("сіздер қайда орналасқансыздар", T.ADDRESS_HOURS),
        ("курьер подождет пока примерю? я в алматы", T.TRY_ON),
        ("ну ладно", T.OTHER),
    ],
)
def test_primary_topic(text: str, topic: Topic) -> None:
    assert primary_topic(text) is topic


def test_every_topic_of_a_question_is_listed_primary_first() -> None:
    assert detect_topics("Караганда доставка сколько стоит")[:2] == [T.DELIVERY, T.PRICE]
    (question,) = split_questions("доставка сколько стоит?")
    assert question.topics[0] is question.topic and T.PRICE in question.topics
    assert question.text == "доставка сколько стоит?"
