"""Stock answers (from the inventory service) → the `StockFacts` the decisions use; the
products a message names one by one; a turn's stock source (index + the holds it read).

Kept apart so decisions, templates and guards stay pure and testable with hand-made
facts, and only this module knows the shape of `StockAnswer` / `StockIndex`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from ottenok_desktop.engine.lexicon.brands import detect_brands
from ottenok_desktop.engine.lexicon.product_types import product_kind_word
from ottenok_desktop.engine.ports import Inventory, StockIndex

from . import decisions as d
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


BRAND_ONLY_SCORE = 35.0  # "баленсиага" alone: the brand's model when the shop has only one
_SEGMENTS = re.compile(r"\s+(?:и|или|либо|а\s+также)\s+|[,/;]|\n", re.IGNORECASE)


def products_named(index: StockIndex | None, text: str) -> list[tuple[str, str]]:
    """The distinct stock products a message names one by one ("лоферы шанель и баленсиага",
    "мюли диор бежевые и балетки миу миу белые"), each with the words that name it (its own
    size and colour are read there). A part with a brand only names the brand's one model."""
    if index is None:
        return []
    found: list[tuple[str, str]] = []
    for segment in _SEGMENTS.split(text):
        if not segment.strip() or not (detect_brands(segment) or product_kind_word(segment)):
            continue
        names = best_products(index, segment, limit=1)
        if not names and detect_brands(segment) and not product_kind_word(segment):
            ranked = index.match_products(segment, limit=2)
            if ranked and ranked[0][1] >= BRAND_ONLY_SCORE and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
                names = [ranked[0][0]]
        for name in names:
            if all(name != known for known, _ in found):
                found.append((name, segment))
    return found[:3]


class StockSource:
    """Stock facts for one turn: the in-memory index with the holds read in the turn's one DB read
    (no round trip per query); the service's own query when holds are not in the database."""

    def __init__(self, inventory: Inventory | None, index: StockIndex | None,
                 reserved: Mapping[str, int] | None) -> None:
        self.inventory = inventory
        self.index = index
        self.reserved = reserved

    async def facts(self, text: str, size: str, color: str) -> d.StockFacts:
        if self.index is not None and self.reserved is not None:
            answer = self.index.query(text, size=size or None, color=color or None, reserved=self.reserved)
            return facts_from_answer(answer, self.index)
        if self.inventory is None or self.index is None:
            return d.StockFacts(status=d.NOT_FOUND)
        answer = await self.inventory.query(text, size or None, color or None)
        return facts_from_answer(answer, self.index)
