"""Decisions of a sales turn and the offline words that render them."""

from __future__ import annotations

from decimal import Decimal

from ottenok_desktop.engine.dialogue import decisions as d
from ottenok_desktop.engine.dialogue.manager_commands import is_manager, normalize_phone, parse_command
from ottenok_desktop.engine.dialogue.extraction import extract_rules
from ottenok_desktop.engine.dialogue.offline import format_price, render
from ottenok_desktop.engine.dialogue.state import DialogueState, OrderDraft

GREETED = DialogueState(greeted=True)
IN_STOCK = d.StockFacts(status=d.IN_STOCK, product="Лоферы Chanel", product_type="shoes", price=285000,
                        sizes=("37", "38"), colors=("черный", "бежевый"), all_colors=("черный", "бежевый"),
                        asked_size="38")
OUT = d.StockFacts(status=d.OUT_OF_STOCK, product="Лоферы Chanel", price=285000, asked_size="39",
                   sizes=("37", "38"), alternatives=(d.Alternative("Лоферы Chanel", "38", "черный", 285000),
                                                     d.Alternative("Лоферы Gucci Jordaan", "39", "черный", 275000)))
ORDER = OrderDraft(product="Лоферы Chanel", product_type="shoes", size="38", colors_available=("черный", "бежевый"),
                   price=Decimal(285000))


def test_first_turn_greets() -> None:
    decision = d.decide_sales(state=DialogueState(), order=None, extracted=extract_rules("Здравствуйте"), stock=None)
    assert decision.action == d.GREET and decision.greet
    words = render(decision, order=None, persona="Алина")
    assert "Алина" in words[0] and len(words) == 2


def test_new_product_in_stock_is_offered_with_photos_and_next_question() -> None:
    decision = d.decide_sales(state=GREETED, order=ORDER, extracted=extract_rules("лоферы шанель 38"),
                              stock=IN_STOCK, product_is_new=True)
    assert decision.action == d.OFFER and decision.send_photos and decision.ask_field == "color"
    words = " ".join(render(decision, order=ORDER, persona="Алина"))
    assert "285 000 ₸" in words and "цвет" in words.lower()


def test_out_of_stock_offers_alternatives_honestly() -> None:
    decision = d.decide_sales(state=GREETED, order=ORDER, extracted=extract_rules("а 39 есть?"), stock=OUT)
    assert decision.action == d.OUT and decision.ask_field == "size"
    text = " ".join(render(decision, order=ORDER, persona="Алина"))
    assert "нет в наличии" in text and "Лоферы Gucci Jordaan" in text and "275 000 ₸" in text


def test_not_found_shows_similar_or_asks() -> None:
    nf = d.StockFacts(status=d.NOT_FOUND, alternatives=(d.Alternative("Мюли Dior Dway", "38", "черный", 295000),))
    decision = d.decide_sales(state=GREETED, order=None, extracted=extract_rules("туфли версаче"), stock=nf)
    assert decision.action == d.NOT_FOUND_ACTION
    assert "Мюли Dior Dway" in " ".join(render(decision, order=None, persona="Алина"))


def test_complete_order_gives_summary_and_yes_confirms() -> None:
    full = OrderDraft(product="Лоферы Chanel", product_type="shoes", size="38", color="черный", city="Астана",
                      address="ул. Кенесары 5", price=Decimal(285000), state="ready",
                      colors_available=("черный", "бежевый"))
    summary = d.decide_sales(state=GREETED, order=full, extracted=extract_rules("ул. Кенесары 5"), stock=None)
    assert summary.action == d.SUMMARY
    text = render(summary, order=full, persona="Алина")[0]
    assert "Астана" in text and "285 000 ₸" in text and "Всё верно" in text
    confirmed = d.decide_sales(state=GREETED, order=full, extracted=extract_rules("да"), stock=IN_STOCK,
                               confirmed_now=True)
    assert confirmed.confirms_order and "оформлен" in render(confirmed, order=full, persona="Алина")[0]


def test_misunderstanding_counts_to_a_handoff() -> None:
    state = DialogueState(greeted=True)
    decision = d.decide_sales(state=state, order=None, extracted=extract_rules("ыыы"), stock=None)
    assert decision.action == d.CLARIFY
    count = d.misunderstood_after(decision, state)
    assert count == 1 and not d.clarify_limit_reached(count)
    state.misunderstood = count
    assert d.clarify_limit_reached(d.misunderstood_after(decision, state))


def test_faq_answer_from_knowledge() -> None:
    decision = d.decide_sales(state=GREETED, order=None, extracted=extract_rules("сколько доставка?"), stock=None,
                              faq=["Доставка по Казахстану 2–4 дня."])
    assert decision.action == d.FAQ
    assert "2–4 дня" in render(decision, order=None, persona="Алина")[0]


def test_format_price() -> None:
    assert format_price(285000) == "285 000 ₸"
    assert format_price(None) == "уточню у менеджера"


def test_manager_command_parsing_and_access() -> None:
    assert parse_command("/handoff on +7 701 123 45 67").action == "on"  # type: ignore[union-attr]
    assert parse_command("/handoff status 87011234567").phone == "77011234567"  # type: ignore[union-attr]
    assert parse_command("/handoff jump 7701").action == ""  # type: ignore[union-attr]
    assert parse_command("привет") is None
    assert normalize_phone("8 (701) 123-45-67") == "77011234567"
    assert is_manager("77019998877", ["+7 701 999 88 77"])
    assert not is_manager("77010000000", ["+7 701 999 88 77"])
    assert not is_manager("77010000000", [])
