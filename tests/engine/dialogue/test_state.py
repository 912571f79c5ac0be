"""The order state machine: required fields, draft ↔ ready, confirmation rules, corrections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ottenok_desktop.engine.dialogue.state import (
    CANCELLED,
    CONFIRMED,
    DRAFT,
    READY,
    DialogueState,
    OrderDraft,
    OrderStateError,
    apply_fields,
    cancel,
    confirm,
)

SHOES = OrderDraft(product="Лоферы Chanel", product_type="shoes", colors_available=("черный", "бежевый"),
                   sizes_available=("37", "38", "39"))


def test_shoes_need_size_and_colour_when_several_colours() -> None:
    assert SHOES.required_fields() == ("product", "size", "color", "city", "address")
    assert SHOES.next_missing() == "size"


def test_bag_in_one_colour_needs_no_size_or_colour() -> None:
    bag = OrderDraft(product="Сумка Dior Book Tote", product_type="bag", colors_available=("синий",))
    assert bag.required_fields() == ("product", "city", "address")


def test_address_is_asked_last() -> None:
    draft, _ = apply_fields(SHOES, {"address": "ул. Абая 10", "size": "38"})
    assert draft.next_missing() == "color"
    draft, _ = apply_fields(draft, {"color": "черный"})
    assert draft.next_missing() == "city"


def test_complete_order_becomes_ready_and_back_to_draft_when_product_changes() -> None:
    draft, changes = apply_fields(SHOES, {"size": "38", "color": "черный", "city": "Астана", "address": "ул. Кенесары 5"})
    assert draft.state == READY
    assert {c.field for c in changes} == {"size", "color", "city", "address"}
    other, _ = apply_fields(draft, {"product": "Мюли Dior Dway", "colors_available": ("бежевый", "черный")})
    assert other.size == "38"  # the customer's size stays with the new model
    assert other.price is None and other.product == "Мюли Dior Dway"


def test_correction_overwrites_and_is_reported() -> None:
    draft, _ = apply_fields(SHOES, {"size": "38"})
    draft, changes = apply_fields(draft, {"size": "39"})
    assert draft.size == "39"
    assert [(c.field, c.old, c.new) for c in changes] == [("size", "38", "39")]


def test_confirm_needs_ready_stock_and_price() -> None:
    draft, _ = apply_fields(SHOES, {"size": "38", "color": "черный", "city": "Астана", "address": "ул. Кенесары 5"})
    with pytest.raises(OrderStateError):
        confirm(draft, stock_ok=True)  # no price yet
    priced, _ = apply_fields(draft, {"price": 285000})
    with pytest.raises(OrderStateError):
        confirm(priced, stock_ok=False)
    done = confirm(priced, stock_ok=True)
    assert done.state == CONFIRMED and done.price == Decimal(285000)
    with pytest.raises(OrderStateError):
        apply_fields(done, {"size": "40"})


def test_incomplete_order_cannot_be_confirmed() -> None:
    draft, _ = apply_fields(SHOES, {"size": "38", "price": 285000})
    assert draft.state == DRAFT
    with pytest.raises(OrderStateError):
        confirm(draft, stock_ok=True)


def test_cancel_is_final_and_idempotent() -> None:
    assert cancel(SHOES).state == CANCELLED
    assert cancel(cancel(SHOES)).state == CANCELLED


def test_dialogue_state_round_trips_and_survives_garbage() -> None:
    state = DialogueState(greeted=True, misunderstood=1, last_product="Лоферы Chanel", order_id=7)
    assert DialogueState.from_json(state.to_json()) == state
    assert DialogueState.from_json("{broken") == DialogueState()
    assert DialogueState.from_json('{"greeted": true, "unknown_key": 1}').greeted is True
    assert DialogueState.from_json("[1,2]") == DialogueState()
