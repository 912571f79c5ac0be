"""Stock file columns and the tolerant header mapping.

Required: product_name, size, color, quantity, price. Optional: sku, brand, product_type.
Headers are matched ignoring case, spaces, punctuation and units in brackets, in English
or Russian ("Наименование"/"Товар", "Размер", "Цвет", "Количество"/"Остаток", "Цена").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ...engine.lexicon.text import normalize

REQUIRED: tuple[str, ...] = ("product_name", "size", "color", "quantity", "price")

# Russian column names shown in messages.
COLUMN_RU: dict[str, str] = {
    "product_name": "Наименование",
    "size": "Размер",
    "color": "Цвет",
    "quantity": "Количество",
    "price": "Цена",
    "sku": "Артикул",
    "brand": "Бренд",
    "product_type": "Категория",
}

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "product_name": ("product name", "product", "name", "product title", "title", "item", "model",
                     "наименование", "наименование товара", "товар", "название", "название товара", "модель",
                     "продукт", "позиция"),
    "size": ("size", "sizes", "размер", "размеры", "р р", "рр", "разм"),
    "color": ("color", "colour", "цвет", "цвета", "расцветка", "оттенок"),
    "quantity": ("quantity", "qty", "count", "stock", "in stock", "количество", "кол во", "колво", "кол", "остаток",
                 "остатки", "остаток шт", "наличие", "в наличии", "шт"),
    "price": ("price", "price kzt", "cost", "цена", "цена тг", "цена тенге", "стоимость", "цена продажи",
              "розничная цена", "цена за шт"),
    "sku": ("sku", "article", "code", "артикул", "код", "код товара"),
    "brand": ("brand", "бренд", "марка", "производитель"),
    "product_type": ("product type", "type", "category", "категория", "тип", "вид", "тип товара", "группа"),
}

_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")
_NON_WORD = re.compile(r"[^a-zа-я0-9]+")
_LOOKUP: dict[str, str] = {alias: field for field, aliases in HEADER_ALIASES.items() for alias in aliases}
for _field in HEADER_ALIASES:
    _LOOKUP.setdefault(_field.replace("_", " "), _field)


def header_key(cell: object) -> str:
    """'Цена (₸)' → 'цена'; 'Product_Name ' → 'product name'."""
    text = normalize("" if cell is None else str(cell))
    text = _BRACKETS.sub(" ", text)
    return _NON_WORD.sub(" ", text).strip()


def field_for_header(cell: object) -> str | None:
    key = header_key(cell)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    # "цена, тг" / "остаток на складе": the first word decides when it is unambiguous
    first = key.split(" ", 1)[0]
    hit = _LOOKUP.get(first)
    return hit if hit in {"price", "quantity", "size", "color"} else None


@dataclass(frozen=True)
class ColumnMap:
    """Field name → 0-based column index, plus the original header text."""

    columns: dict[str, int]
    headers: dict[str, str]

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED if name not in self.columns]


def map_headers(row: Sequence[object]) -> ColumnMap:
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(row):
        field = field_for_header(cell)
        if field and field not in columns:  # the first of two same-meaning columns wins
            columns[field] = index
            headers[field] = str(cell).strip()
    return ColumnMap(columns, headers)


def looks_like_header(row: Sequence[object]) -> bool:
    """At least three known column names: a title line above the table is skipped."""
    return len(map_headers(row).columns) >= 3
