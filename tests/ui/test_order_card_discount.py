"""The order card names the promised discount that priced a confirmed order (issue 16)."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from ottenok_desktop.services.storage.queries import OrderRow
from ottenok_desktop.ui.order_card import OrderCard

NOW = datetime(2026, 12, 1, 4, 10, tzinfo=timezone.utc)


def _order(**discount: Any) -> OrderRow:
    return OrderRow(id=7, chat_id="77011234567@c.us", state="confirmed", product="Лоферы Chanel", sku="",
                    product_type="shoes", size="38", color="черный", city="Астана", address="ул. Кенесары 5, кв 12",
                    customer_name="Айгерим", price=256500.0, quantity=1, updated_at=NOW, **discount)


def test_order_card_shows_the_promotion_and_the_regular_price(qapp: Any) -> None:
    card = OrderCard(SimpleNamespace(engine=None))  # type: ignore[arg-type]
    try:
        card.show_order(_order(discount_kind="promotion", discount_label="Chanel −10%", regular_price=285000.0))
        assert card.state_label.text() == "№7 · подтверждён · по акции «Chanel −10%», обычная цена 285 000 ₸"
        assert card.fields["price"].text() == "256 500"
        card.show_order(_order(discount_kind="partner", discount_label="Динара (стилист)", regular_price=285000.0))
        assert "цена партнёра (Динара (стилист)), обычная цена 285 000 ₸" in card.state_label.text()
        card.show_order(_order())
        assert card.state_label.text() == "№7 · подтверждён"
    finally:
        card.deleteLater()
