"""SPIN stages of manager questions and question detection."""

import pytest

from ottenok_desktop.engine.analytics.signals import asks_to_buy, is_question, proposes_next_step
from ottenok_desktop.engine.analytics.spin import SpinStage, classify_text, stages_of_message


@pytest.mark.parametrize(("text", "stage"), [
    ("Какой размер обуви вы обычно носите?", SpinStage.SITUATION),
    ("вы из какого города?", SpinStage.SITUATION),
    ("Вам 37 или 37.5?", SpinStage.SITUATION),
    ("Что не понравилось в прошлой паре?", SpinStage.PROBLEM),
    ("Натирают ли вам новые туфли обычно?", SpinStage.PROBLEM),
    ("Из-за этого приходится клеить пластыри?", SpinStage.IMPLICATION),
    ("Было бы удобно, если бы туфли не натирали весь день?", SpinStage.NEED_PAYOFF),
    ("Здравствуйте! Чем могу помочь?", SpinStage.NONE),
    ("Прислать фото на ноге?", SpinStage.NONE),
    ("Оформляем заказ?", SpinStage.NONE),
    ("Лоферы есть в наличии.", SpinStage.NONE),  # not a question at all
])
def test_classify(text: str, stage: SpinStage) -> None:
    assert classify_text(text) == stage


def test_each_question_of_a_message_gets_a_stage() -> None:
    text = "Да, есть в черном. Какой у вас размер? Что не устраивает в нынешних лоферах? Фото прислать?"
    assert stages_of_message(text) == [SpinStage.SITUATION, SpinStage.PROBLEM, SpinStage.NONE]


@pytest.mark.parametrize(("sentence", "question"), [
    ("Какой размер", True), ("Подскажите, где вы находитесь", True), ("Удобно ли вам завтра", True),
    ("Есть 37?", True), ("Отправлю фото", False), ("", False),
])
def test_question_detection(sentence: str, question: bool) -> None:
    assert is_question(sentence) is question


def test_buying_and_next_step_signals() -> None:
    assert asks_to_buy("сколько стоят баленсиаги?")
    assert asks_to_buy("есть в наличии 38?")
    assert not asks_to_buy("спасибо, до свидания")
    assert proposes_next_step("Могу забронировать до вечера")
    assert proposes_next_step("Ссылка на оплату: https://pay.kaspi.kz/x")
    assert not proposes_next_step("Цена 89 000 ₸.")
