"""One stock line: a product in one size and colour, with its quantity and price."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StockItem:
    product: str  # as written in the stock file, e.g. "Лоферы Chanel"
    size: str  # normalised ("38", "38.5", "M") or "" when the item has no size
    color: str  # as written in the stock file, e.g. "черный"
    quantity: int
    price: int  # tenge
    sku: str = ""
    brand: str = ""
    product_type: str = ""  # shoes | bag | accessory | other | ""
    row: int = 0  # 1-based row in the file, for messages
