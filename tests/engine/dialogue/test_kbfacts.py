"""Knowledge hits → dialogue facts (pure): section paths stripped, sentences, price conflicts
with the stock file, and FAQ answers cut to a few sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ottenok_desktop.engine.dialogue.guards import check_reply
from ottenok_desktop.engine.dialogue.kbfacts import (
    Snippet,
    compose_faq,
    fact_texts,
    price_conflicts,
    sentences,
    snippets_from_hits,
    strip_section,
)

STOCK = {"Лоферы Chanel": (285000,), "Сумка Chanel 2.55": (450000,)}


@dataclass(frozen=True)
class Hit:
    text: str
    section: str
    kind: str = "script"
    source: str = "scripts/x.docx"
    metadata: dict[str, Any] = field(default_factory=dict)


def product_of(text: str) -> str:
    low = text.lower()
    if "лофер" in low and ("chanel" in low or "шанел" in low):
        return "Лоферы Chanel"
    if "2.55" in low:
        return "Сумка Chanel 2.55"
    return ""


def test_section_path_is_stripped_and_catalog_hits_know_their_product() -> None:
    assert strip_section("Доставка / По Казахстану\nОтправляем везде.", "Доставка / По Казахстану") == "Отправляем везде."
    (card,) = snippets_from_hits([Hit("Лоферы Chanel / Цены\nРазмер: 37; Цена: 89 000 ₸", "Лоферы Chanel / Цены",
                                      kind="catalog", metadata={"product": "Лоферы Chanel", "table": True})], product_of)
    assert card.body == "Размер: 37; Цена: 89 000 ₸" and card.table and card.product == "Лоферы Chanel"


def test_sentences_keep_street_abbreviations_together() -> None:
    assert sentences("Мы на ул. Абая 109В, 2 этаж. Парковка рядом! Ждём вас") == [
        "Мы на ул. Абая 109В, 2 этаж.", "Парковка рядом!", "Ждём вас"]


def test_a_document_price_that_the_stock_file_lacks_is_a_conflict() -> None:
    snippets = [
        Snippet("Лоферы Chanel стоят 89 000 ₸. Доставка 2 000 ₸.", "Цены", "script", False),
        Snippet("Цвет: чёрный; Цена: 285 000 ₸\nЦвет: бежевый; Цена: 92 000 ₸", "Лоферы Chanel / Цены", "catalog", True,
                product="Лоферы Chanel"),
        Snippet("При заказе от 100 000 ₸ доставка бесплатная.", "Доставка", "script", False),
    ]
    conflicts = price_conflicts(snippets, product_of, lambda p: STOCK.get(p, ()))
    assert set(conflicts) == {89000, 92000}  # the fee (no product) and the right price are fine
    assert "285000" in conflicts[89000]
    facts = fact_texts(snippets, conflicts, limit=3, max_chars=500)
    assert not any("89 000" in f or "92 000" in f for f in facts)
    assert any("285 000" in f for f in facts) and any("2 000" in f for f in facts)
    # the guard: the document's amount is refused even if it slipped into the allowed set
    result = check_reply("Лоферы Chanel — 89 000 ₸", greeted_before=True, order_confirmed_now=False,
                         allowed_prices={89000, 285000}, forbidden_prices=conflicts)
    assert result.rebuild and result.fired[0] == ("price", conflicts[89000])


def test_faq_takes_a_few_sentences_of_the_best_prose_hit() -> None:
    long_tail = " ".join(f"Пункт {n}: подробности условий доставки номер {n}." for n in range(20))
    snippets = [
        Snippet("Размер: 37; Цвет: чёрный; Цена: 285 000 ₸", "Лоферы Chanel / Цены", "catalog", True),
        Snippet("Айгерим: а в Шымкент отправите?\nОттенок Алина: Да, СДЭКом.", "", "chat", False),
        Snippet("Отправляем по всему Казахстану: Астана, Шымкент, Караганда. Казпочта — 5–10 дней. " + long_tail,
                "Доставка / Доставка по Казахстану", "script", False),
    ]
    answer = compose_faq("есть доставка в шымкент?", snippets)
    assert answer is not None and answer.text.startswith("Отправляем по всему Казахстану")
    assert len(answer.text) <= 350 and answer.text.endswith(".")
    assert "Алина:" not in answer.text and "Цена:" not in answer.text


def test_product_question_points_to_the_stock_file() -> None:
    card = Snippet("Размер: 37; Цена: 89 000 ₸", "Лоферы Chanel / Цены", "catalog", True, product="Лоферы Chanel")
    answer = compose_faq("сколько стоят лоферы шанель?", [card], product_question=True)
    assert answer is not None and answer.stock_product == "Лоферы Chanel" and answer.text == ""
    # a table about a product the question does not name answers nothing
    assert compose_faq("какие размеры есть?", [card], product_question=True) is None
