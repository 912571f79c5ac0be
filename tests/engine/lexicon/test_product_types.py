"""Table tests for product type words."""

from __future__ import annotations

import pytest

from ottenok_desktop.engine.lexicon.product_types import (
    detect_product_type,
    normalize_product_type,
    product_kind_word,
)


@pytest.mark.parametrize(
    ("text", "kind", "word"),
    [
        ("лоферы шанель", "shoes", "лоферы"),
        ("кроссы баленс", "shoes", "кроссовки"),
        ("кросовки", "shoes", "кроссовки"),
        ("кеды", "shoes", "кеды"),
        ("туфельки на выпускной", "shoes", "туфли"),
        ("босоножки", "shoes", "босоножки"),
        ("сапожки зимние", "shoes", "сапоги"),
        ("ботинки", "shoes", "ботинки"),
        ("ботильоны", "shoes", "ботильоны"),
        ("мюли диор", "shoes", "мюли"),
        ("балетки миу миу", "shoes", "балетки"),
        ("сабо", "shoes", "сабо"),
        ("слипоны", "shoes", "слипоны"),
        ("шлепки", "shoes", "шлепанцы"),
        ("угги", "shoes", "угги"),
        ("сумочка прада", "bag", "сумка"),
        ("клатч", "bag", "клатч"),
        ("рюкзак", "bag", "рюкзак"),
        ("шоппер", "bag", "шоппер"),
        ("кошелек", "bag", "кошелек"),
        ("поясная сумка", "bag", "сумка"),
        ("ремень гуччи", "accessory", "ремень"),
        ("пояс", "accessory", "пояс"),
        ("шарф", "accessory", "шарф"),
        ("платок гермес", "accessory", "платок"),
        ("очки", "accessory", "очки"),
        ("бижутерия", "accessory", "бижутерия"),
        ("ободок", "accessory", "ободок"),
        ("платье", "other", "одежда"),
        ("здравствуйте", None, None),
    ],
)
def test_product_type(text: str, kind: str | None, word: str | None) -> None:
    assert detect_product_type(text) == kind
    assert product_kind_word(text) == word


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Обувь", "shoes"), ("shoes", "shoes"), ("Сумки", "bag"), ("Аксессуары", "accessory"), ("лоферы", "shoes"),
     ("", ""), ("Косметика", "other")],
)
def test_normalize_product_type(cell: str, expected: str) -> None:
    assert normalize_product_type(cell) == expected
