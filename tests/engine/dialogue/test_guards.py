"""Guards after the LLM: parts, repeated greeting, early order claims, invented prices, stock promises."""

from __future__ import annotations

from ottenok_desktop.engine.dialogue.guards import check_reply, knowledge_amounts, money_amounts, split_parts

PRICES = {285000, 295000}


def test_split_on_separator_keeps_at_most_four() -> None:
    assert split_parts("а ||| б |||  ||| в") == ["а", "б", "в"]
    parts = split_parts(" ||| ".join(str(i) for i in range(7)))
    assert len(parts) == 4 and parts[-1] == "3\n4\n5\n6"


def test_money_amounts_forms() -> None:
    assert money_amounts("Цена 285 000 ₸, доставка 2000 тг") == [285000, 2000]
    assert money_amounts("стоит 285000") == [285000]
    assert money_amounts("всего за 45к") == [45000]
    assert money_amounts("размер 38, осталось 2 пары") == []


def test_good_reply_passes() -> None:
    result = check_reply("Лоферы Chanel есть ✨ Цена 285 000 ₸ ||| Какой размер?", greeted_before=True,
                         order_confirmed_now=False, allowed_prices=PRICES)
    assert not result.rebuild and result.parts == ("Лоферы Chanel есть ✨ Цена 285 000 ₸", "Какой размер?")


def test_invented_price_forces_rebuild() -> None:
    result = check_reply("Для вас скидка! Всего 199 000 ₸", greeted_before=True, order_confirmed_now=False,
                         allowed_prices=PRICES)
    assert result.rebuild and result.fired[0][0] == "price"


def test_early_order_claim_is_replaced() -> None:
    result = check_reply("Отлично! ||| Ваш заказ оформлен 🎉", greeted_before=True, order_confirmed_now=False,
                         allowed_prices=PRICES)
    assert result.rebuild and ("order_claim", "the order is not confirmed yet") in result.fired
    ok = check_reply("Ваш заказ оформлен 🎉", greeted_before=True, order_confirmed_now=True, allowed_prices=PRICES)
    assert not ok.rebuild


def test_second_greeting_is_removed() -> None:
    result = check_reply("Здравствуйте! Меня зовут Алина. Какой размер нужен?", greeted_before=True,
                         order_confirmed_now=False, allowed_prices=PRICES)
    assert result.parts == ("Какой размер нужен?",)
    assert result.fired[0][0] == "greeting"
    first = check_reply("Здравствуйте! Какой размер нужен?", greeted_before=False, order_confirmed_now=False,
                        allowed_prices=PRICES)
    assert first.parts == ("Здравствуйте! Какой размер нужен?",) and not first.fired


def test_promise_of_out_of_stock_item_is_rebuilt() -> None:
    result = check_reply("Да, 39 есть в наличии!", greeted_before=True, order_confirmed_now=False,
                         allowed_prices=PRICES, stock_status="out_of_stock")
    assert result.rebuild and result.fired[0][0] == "stock"
    honest = check_reply("К сожалению, 39 нет в наличии", greeted_before=True, order_confirmed_now=False,
                         allowed_prices=PRICES, stock_status="out_of_stock")
    assert not honest.rebuild


def test_knowledge_amounts_allow_delivery_fees() -> None:
    allowed = knowledge_amounts(["Доставка по Казахстану 2 000 ₸, бесплатно от 100 000 тенге"])
    assert {2000, 100000} <= allowed
    result = check_reply("Доставка стоит 2 000 ₸", greeted_before=True, order_confirmed_now=False,
                         allowed_prices=allowed)
    assert not result.rebuild


def test_empty_reply_is_rebuilt() -> None:
    assert check_reply("  |||  ", greeted_before=True, order_confirmed_now=False, allowed_prices=PRICES).rebuild
