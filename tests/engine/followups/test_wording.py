"""Nudge wording: settings texts, the missing-field question, the sold-out alternative."""

from __future__ import annotations

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.followups.wording import OrderView, StockView, missing_fields, nudge_text

BASE1 = "Хотела уточнить, актуальна ли модель?"
BASE2 = "Добрый день! Вчера вы интересовались моделью из рекламы."


def test_standard_texts_come_from_settings() -> None:
    assert nudge_text(1, BASE1) == BASE1
    assert nudge_text(2, BASE2) == BASE2


def test_order_missing_one_field_asks_for_it() -> None:
    order = OrderView(state="draft", product="Chanel лоферы", product_type="shoes", size="38", city="Алматы")
    assert missing_fields(order) == ("address",)
    assert nudge_text(1, BASE1, order) == texts.NUDGE_ASK_FIELD["address"]
    order = OrderView(state="draft", product="Balenciaga кроссовки", product_type="shoes", city="Алматы", address="Абая 10")
    assert nudge_text(1, BASE1, order) == texts.NUDGE_ASK_FIELD["size"]


def test_bag_needs_no_size_and_colour_only_when_asked() -> None:
    bag = OrderView(state="draft", product="сумка Dior", product_type="bag", city="Алматы")
    assert missing_fields(bag) == ("address",)
    asked = OrderView(state="draft", product="сумка Dior", product_type="bag", city="Алматы", address="Сатпаева 5",
                      asked_field="color")
    assert nudge_text(1, BASE1, asked) == texts.NUDGE_ASK_FIELD["color"]


def test_two_missing_fields_keep_the_standard_text() -> None:
    order = OrderView(state="draft", product="Chanel лоферы", product_type="shoes", size="38")
    assert nudge_text(1, BASE1, order) == BASE1


def test_ready_order_asks_to_confirm_and_nudge2_keeps_reassurance() -> None:
    ready = OrderView(state="ready", product="Chanel лоферы", product_type="shoes", size="38", city="Алматы", address="Абая 10")
    assert nudge_text(1, BASE1, ready) == texts.NUDGE_CONFIRM_ORDER
    assert nudge_text(2, BASE2, OrderView(state="draft", product="Chanel лоферы", size="38", city="Алматы")) == BASE2


def test_final_orders_never_ask_for_fields() -> None:
    for state in ("confirmed", "cancelled"):
        order = OrderView(state=state, product="Chanel лоферы", product_type="shoes", size="38", city="Алматы")
        assert nudge_text(1, BASE1, order) == BASE1


def test_sold_out_offers_the_alternative() -> None:
    stock = StockView(product="Chanel лоферы", sold_out=True, alternative="Chanel балетки в том же цвете")
    first = nudge_text(1, BASE1, None, stock)
    second = nudge_text(2, BASE2, None, stock)
    for text in (first, second):
        assert "Chanel лоферы" in text and "Chanel балетки в том же цвете" in text
    assert "примерка" in second
    assert nudge_text(1, BASE1, None, StockView("Chanel лоферы", sold_out=True)) == \
        texts.NUDGE_SOLD_OUT_NO_ALTERNATIVE.format(product="Chanel лоферы")
    assert nudge_text(1, BASE1, None, StockView("Chanel лоферы", sold_out=False, alternative="x")) == BASE1
