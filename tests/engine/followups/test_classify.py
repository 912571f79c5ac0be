"""Reply classification: "think about it", opt-out, or a real reply."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.followups.classify import classify_reply

THINK = [
    "подумаю",
    "Я подумаю",
    "я подумаю 🙏",
    "надо подумать",
    "Нужно подумать...",
    "позже напишу",
    "Напишу позже)",
    "пока думаю",
    "посоветуюсь с мужем",
    "Посоветуюсь с мужем и напишу",
    "ок спасибо, подумаю",
    "Ок, спасибо! Подумаю 😊",
    "ПОДУМАЮ!!!",
    "подумаюююю",
    "падумаю",  # typo
    "пдумаю",  # typo
    "подумою",  # typo
    "Спасибо, я подумаю и позже напишу вам",
    "ещё не решила",
    "дам знать",
    "отпишусь позже",  # "I'll write back later" — not "unsubscribe"
    "хорошо, посмотрю и напишу",
    "спасибо, я вам сама напишу",
]

OPT_OUT = [
    "не пишите",
    "Не пишите мне",
    "НЕ ПИШИТЕ!!!",
    "больше не пишите",
    "Пожалуйста, больше не пишите мне",
    "не беспокойте",
    "не беспакойте пожалуйста",  # typo
    "стоп",
    "Стоп!",
    "стоооп",
    "STOP",
    "отпишитесь",
    "Отпишите меня",
    "хватит",
    "Хватит мне писать",
    "удалите мой номер",
    "непишите",
    "не пешите больше",  # typo
    "отстаньте",
    "не присылайте больше ничего 🙅‍♀️",
]

REAL = [
    "",  # a photo or a voice note: no text, but the customer is there
    "38 размер есть?",
    "шанель есть в бежевом?",
    "подумаю, а доставка в Астану есть?",
    "я думаю 38 подойдет",
    "у меня широкая стопа, какие посоветуете?",  # «стопа» (foot) is not «стоп»
    "напишите адрес магазина",  # please write — not «не пишите»
    "почему вы не пишете?",  # a complaint about silence, not an opt-out
    "стоп, а доставка платная?",
    "ок",
    "да, беру",
    "посоветуйте что взять",
    "Алматы, Абая 10, кв 5",
    "баленсиага в черном 37",
]


@pytest.mark.parametrize("text", THINK)
def test_think(text: str) -> None:
    assert classify_reply(text) == "think"


@pytest.mark.parametrize("text", OPT_OUT)
def test_opt_out(text: str) -> None:
    assert classify_reply(text) == "opt_out"


@pytest.mark.parametrize("text", REAL)
def test_real(text: str) -> None:
    assert classify_reply(text) == "real"
