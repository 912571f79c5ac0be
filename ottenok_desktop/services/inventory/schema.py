"""Stock file columns and the tolerant header mapping.

Required: product_name, size, color, quantity, price. Optional: sku, brand, product_type.
Headers are matched ignoring case, spaces, punctuation and units in brackets, in English
or Russian ("Наименование"/"Товар", "Размер", "Цвет", "Количество"/"Остаток", "Цена"), by
the staff files' one header reader (services/staff_files.py); a row with three known
columns is the header.
"""

from __future__ import annotations

from ..staff_files import HeaderSpec

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

# "цена, тг за пару" / "остаток на складе": the first word decides for these
STOCK_HEADERS = HeaderSpec(HEADER_ALIASES, REQUIRED, COLUMN_RU, first_word=("price", "quantity", "size", "color"))
