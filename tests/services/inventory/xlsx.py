"""Helpers that write real .xlsx stock files for the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

HEADERS = ["product_name", "size", "color", "quantity", "price"]
RU_HEADERS = ["Наименование", "Размер", "Цвет", "Остаток", "Цена (₸)"]

ROWS: list[list[Any]] = [
    ["Лоферы Chanel", 37, "черный", 1, 285000],
    ["Лоферы Chanel", 38, "черный", 2, 285000],
    ["Лоферы Chanel", 39, "черный", 0, 285000],
    ["Лоферы Chanel", 38, "бежевый", 1, 285000],
    ["Кроссовки Balenciaga Triple S", "38", "белый", 3, "420 000 ₸"],
    ["Кроссовки Balenciaga Triple S", "38,5", "черный", 1, "420000"],
    ["Мюли Dior Dway", 38, "бежевый", 0, 295000],
    ["Сумка Prada Re-Edition 2005", "-", "черный", 2, 380000],
]


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], headers: Sequence[Any] | None = HEADERS,
               title: str | None = None) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.append([])
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def big_rows(count: int) -> list[list[Any]]:
    """A realistic big stock: many products × sizes × colours."""
    colors = ["черный", "белый", "бежевый", "красный", "синий"]
    kinds = ["Лоферы", "Кроссовки", "Туфли", "Мюли", "Балетки", "Сапоги"]
    brands = ["Chanel", "Balenciaga", "Dior", "Prada", "Gucci", "Saint Laurent", "Miu Miu", "Valentino"]
    rows: list[list[Any]] = []
    n = 0
    while len(rows) < count:
        product = f"{kinds[n % len(kinds)]} {brands[(n // len(kinds)) % len(brands)]} Model {n}"
        for color in colors[: 1 + n % 3]:
            for size in range(35, 42):
                rows.append([product, size, color, (n + size) % 4, 100000 + (n % 50) * 5000])
                if len(rows) >= count:
                    return rows
        n += 1
    return rows
