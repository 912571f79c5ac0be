"""Promotions as rules: what a promotion is, its status on the shop's calendar, whether it
applies to a product, and the price it gives.

Pure: no files, no clock reads (the caller passes the shop's date). The file loading is
services/promotions/. A promotion starts at 00:00 shop time on its first day and ends after
23:59 of its last day, so status is a question about the shop's local date only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Sequence

from .lexicon.product_types import normalize_product_type
from .lexicon.text import normalize

# applies_to words that mean "every product"
EVERYTHING = frozenset({"всё", "все", "всё подряд", "весь ассортимент", "all", "everything", "*"})


_TYPE_WORDS = {"обувь", "shoe", "shoes", "сумки", "сумка", "bag", "bags", "аксессуары", "аксессуар",
               "accessory", "accessories"}


class PromotionStatus(StrEnum):
    ACTIVE = "active"
    WAITING = "waiting"
    FINISHED = "finished"


def promotion_id(title: str, start: date) -> str:
    """The row's stable key: the same title and start date give the same id after edits."""
    key = f"{normalize(title)}|{start.isoformat()}".encode("utf-8")
    return hashlib.sha1(key).hexdigest()[:10]


@dataclass(frozen=True)
class Promotion:
    id: str
    title: str
    description: str
    start: date
    end: date  # inclusive
    applies_to: tuple[str, ...]  # as written: brands, product names or product types
    percent: int | None = None  # "10%" → 10
    fixed_price: int | None = None  # "88 200" → 88200 tenge
    row: int = 0
    # applies_to normalised once (a turn asks every promotion about its product)
    _targets: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    _types: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        targets = tuple(t for t in (normalize(a) for a in self.applies_to) if t)
        object.__setattr__(self, "_targets", targets)
        object.__setattr__(self, "_types", frozenset(normalize_product_type(t) for t in targets if t in _TYPE_WORDS))

    @property
    def everything(self) -> bool:
        return any(t in EVERYTHING for t in self._targets)

    def status(self, today: date) -> PromotionStatus:
        if today < self.start:
            return PromotionStatus.WAITING
        if today > self.end:
            return PromotionStatus.FINISHED
        return PromotionStatus.ACTIVE

    def applies(self, product: str, brand: str = "", product_type: str = "") -> bool:
        """Does it cover this stock product? A target matches the product's name, its brand,
        or its product type (shoes | bag | accessory, Russian words too), or is «всё»."""
        if self.everything:
            return True
        if product_type and product_type in self._types:
            return True
        name = normalize(product)
        brand_n = normalize(brand)
        padded = f" {name} "
        for t in self._targets:
            if t == name or (brand_n and t == brand_n):
                return True
            # a brand written only inside the product name ("Лоферы Chanel")
            if len(t) >= 3 and f" {t} " in padded:
                return True
        return False

    def discount_text(self) -> str:
        if self.percent is not None:
            return f"{self.percent}%"
        return format_tenge(self.fixed_price or 0)




def format_tenge(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def promoted_price(price: int, promo: Promotion) -> int:
    """The price under the promotion: the fixed price, or the percent off rounded to the tenge
    (never above the regular price)."""
    if promo.fixed_price is not None:
        return min(int(promo.fixed_price), int(price)) if price else int(promo.fixed_price)
    percent = promo.percent or 0
    return int(round(price * (100 - percent) / 100))


@dataclass(frozen=True)
class PromotionBook:
    """The loaded promotions; queries take the shop's date."""

    promotions: tuple[Promotion, ...] = ()

    def active(self, today: date) -> list[Promotion]:
        return [p for p in self.promotions if p.status(today) == PromotionStatus.ACTIVE]

    def active_for(self, product: str, brand: str, product_type: str, today: date) -> Promotion | None:
        """The active promotion for this product (the deepest one when several apply)."""
        best: Promotion | None = None
        for promo in self.promotions:
            if promo.start <= today <= promo.end and promo.applies(product, brand, product_type):
                if best is None or promoted_price(100_000, promo) < promoted_price(100_000, best):
                    best = promo
        return best

    def by_id(self, promo_id: str) -> Promotion | None:
        return next((p for p in self.promotions if p.id == promo_id), None)


def sort_for_list(promotions: Sequence[Promotion], today: date) -> list[Promotion]:
    order = {PromotionStatus.ACTIVE: 0, PromotionStatus.WAITING: 1, PromotionStatus.FINISHED: 2}
    return sorted(promotions, key=lambda p: (order[p.status(today)], p.start, p.title))
