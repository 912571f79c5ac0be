"""Stock answers (from the inventory service) → the `StockFacts` the decisions use.

Kept apart so decisions, templates and guards stay pure and testable with hand-made
facts, and only this module knows the shape of `StockAnswer` / `StockIndex`.
"""

from __future__ import annotations

from typing import Any

from .decisions import Alternative, StockFacts

MIN_PRODUCT_SCORE = 45.0  # below this a text only loosely resembles a product


def facts_from_answer(answer: Any, index: Any) -> StockFacts:
    """`answer`: a StockAnswer (status, items, alternatives, product, size, color)."""
    product = answer.product or ""
    items = tuple(answer.items)
    in_stock_items = [i for i in items if i.quantity > 0]
    price = min((i.price for i in in_stock_items), default=None) if in_stock_items else None
    if price is None and product:
        price = index.price_of(product, answer.color, answer.size)
    sizes: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    all_colors: tuple[str, ...] = ()
    product_type = ""
    prices: tuple[int, ...] = ()
    if product:
        sizes = tuple(s for s in index.sizes_of(product, answer.color) if s)
        all_colors = tuple(index.colors_of(product))
        in_stock_colors = []
        for color in all_colors:
            if index.sizes_of(product, color):
                if not answer.size or answer.size in index.sizes_of(product, color):
                    in_stock_colors.append(color)
        colors = tuple(in_stock_colors)
        info = index.product_info(product)
        product_type = info.get("product_type", "") if info else ""
        prices = tuple(sorted({i.price for i in index.items if i.product == product}))
    alternatives = tuple(Alternative(a.product, a.size, a.color, a.price) for a in answer.alternatives)
    sku = in_stock_items[0].sku if len(in_stock_items) == 1 else ""
    return StockFacts(
        status=answer.status, product=product, product_type=product_type, price=price, sizes=sizes, colors=colors,
        all_colors=all_colors, asked_size=answer.size or "", asked_color=_stock_color(answer, items),
        sku=sku, alternatives=alternatives, prices=prices,
    )


def _stock_color(answer: Any, items: tuple[Any, ...]) -> str:
    """The asked colour as the stock file writes it ("черный лак"), else the canonical word."""
    if not answer.color:
        return ""
    colors = {i.color for i in items}
    return next(iter(colors)) if len(colors) == 1 else answer.color


def best_products(index: Any, text: str, limit: int = 3) -> list[str]:
    """Stock products the text names clearly enough to act on, best first."""
    return [name for name, score in index.match_products(text, limit=limit) if score >= MIN_PRODUCT_SCORE]
