"""Matching realistic Russian customer phrases against the sample shop's stock."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.services.inventory.index import StockIndex
from ottenok_desktop.services.inventory.loader import load_stock

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "inventory.xlsx"


@pytest.fixture(scope="module")
def index() -> StockIndex:
    loaded = load_stock(SAMPLE)
    assert loaded.index is not None, loaded.result.errors
    return loaded.index


@pytest.mark.parametrize(
    ("text", "product", "status", "size", "color"),
    [
        ("Здравствуйте! лоферы шанель 38 черные есть?", "Лоферы Chanel", "in_stock", "38", "черный"),
        ("шанель лоферы 39 черн.", "Лоферы Chanel", "out_of_stock", "39", "черный"),
        ("а в бежевом 37-й?", None, "not_found", "37", "бежевый"),
        ("баленсияга трипл с 38 размер, черные", "Кроссовки Balenciaga Triple S", "in_stock", "38", "черный"),
        ("кроссы баленс", "Кроссовки Balenciaga Triple S", "in_stock", None, None),
        ("туфли ив сен лоран 37 красные", "Туфли Saint Laurent Opyum", "out_of_stock", "37", "красный"),
        ("опиум исл на 37", "Туфли Saint Laurent Opyum", "in_stock", "37", None),
        ("мюли диор 38 нюд", "Мюли Dior Dway", "out_of_stock", "38", "бежевый"),
        ("сумочка прада ре эдишн белая", "Сумка Prada Re-Edition 2005", "out_of_stock", None, "белый"),
        ("сумка шанель 2.55 черная", "Сумка Chanel 2.55", "in_stock", None, "черный"),
        ("лубутены 37 черные", "Туфли Christian Louboutin So Kate", "in_stock", "37", "черный"),
        ("нью бэланс 530 40", "Кроссовки New Balance 530", "in_stock", "40", None),
        ("рюкзак прада нейлон", "Рюкзак Prada Re-Nylon", "in_stock", None, None),
        ("лоферы прада 38", None, "not_found", "38", None),
        ("это дорого", None, "not_found", None, None),
    ],
)
def test_customer_phrases(index: StockIndex, text: str, product: str | None, status: str,
                          size: str | None, color: str | None) -> None:
    answer = index.query(text)
    assert (answer.product, answer.status, answer.size, answer.color) == (product, status, size, color)
    if status == "in_stock":
        assert answer.items and all(i.quantity > 0 for i in answer.items)
        assert answer.available == sum(i.quantity for i in answer.items)
    else:
        assert answer.available == 0


def test_exact_item_and_price(index: StockIndex) -> None:
    answer = index.query("Лоферы Chanel", size="38", color="черный")
    [item] = answer.items
    assert (item.quantity, item.price) == (2, 285_000)
    assert index.price_of("Лоферы Chanel") == 285_000
    assert index.price_of("нет такого") is None


def test_alternatives_same_model_first_then_similar(index: StockIndex) -> None:
    answer = index.query("лоферы шанель 39 черные")
    assert answer.status == "out_of_stock"
    alternatives = answer.alternatives
    assert alternatives[0].product == "Лоферы Chanel" and alternatives[0].size == "39"  # same size, other colour
    assert alternatives[0].color == "бежевый"
    assert alternatives[1].color == "черный" and alternatives[1].size in {"38", "40"}  # nearest sizes
    assert all(i.quantity > 0 for i in alternatives)
    similar = [i for i in alternatives if i.product != "Лоферы Chanel"]
    assert similar and similar[0].product.startswith("Лоферы")  # another model of the same kind
    assert all(i.size == "39" for i in similar)  # shoes in the asked size only


def test_not_found_suggests_the_same_kind(index: StockIndex) -> None:
    answer = index.query("лоферы прада 38")
    assert answer.status == "not_found"
    assert answer.alternatives and answer.alternatives[0].product.startswith("Лоферы")


def test_reserved_quantities_are_subtracted(index: StockIndex) -> None:
    key = StockIndex.item_key("Лоферы Chanel", "38", "Чёрный")
    assert key == "лоферы chanel|38|черный"
    assert index.query("лоферы шанель 38 черные", reserved={key: 1}).available == 1
    held = index.query("лоферы шанель 38 черные", reserved={key: 2})
    assert held.status == "out_of_stock" and held.items[0].quantity == 0


def test_match_products_ranks(index: StockIndex) -> None:
    ranked = index.match_products("сумка прада")
    assert ranked[0][0] == "Сумка Prada Re-Edition 2005"
    assert all(score <= 100 for _, score in ranked)
    assert index.match_products("Лоферы Chanel") == [("Лоферы Chanel", 100.0)]
    assert index.match_products("здравствуйте") == []


def test_product_facts(index: StockIndex) -> None:
    assert set(index.colors_of("Лоферы Chanel")) == {"черный", "бежевый"}
    assert "39" not in index.sizes_of("Лоферы Chanel", "черный")
    assert "39" in index.sizes_of("Лоферы Chanel", "черный", in_stock_only=False)
    assert index.sizes_of("Сумка Prada Re-Edition 2005") == [""]
    assert len(index.products) == 27 and index.version
