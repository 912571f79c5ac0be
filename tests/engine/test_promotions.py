"""Promotion rules: status on the shop's calendar, what a promotion covers, its price."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ottenok_desktop.engine.promotions import (Promotion, PromotionBook, PromotionStatus, promoted_price,
                                               promotion_id)

ALMATY = ZoneInfo("Asia/Almaty")


def promo(title: str = "Miu Miu −15%", start: date = date(2026, 12, 1), end: date = date(2026, 12, 6),
          applies: tuple[str, ...] = ("Miu Miu",), percent: int | None = 15, fixed: int | None = None) -> Promotion:
    return Promotion(promotion_id(title, start), title, "", start, end, applies, percent, fixed)


def test_status_follows_the_shop_date_inclusive() -> None:
    p = promo()
    # 30.11 23:59 Almaty is still before the start; 01.12 00:00 is the first minute
    assert p.status(datetime(2026, 11, 30, 23, 59, tzinfo=ALMATY).date()) == PromotionStatus.WAITING
    assert p.status(datetime(2026, 12, 1, 0, 0, tzinfo=ALMATY).date()) == PromotionStatus.ACTIVE
    assert p.status(datetime(2026, 12, 6, 23, 59, tzinfo=ALMATY).date()) == PromotionStatus.ACTIVE
    assert p.status(datetime(2026, 12, 7, 0, 0, tzinfo=ALMATY).date()) == PromotionStatus.FINISHED
    # 18:30 UTC on the 30th is already 1 December in Almaty (UTC+5): the promotion has begun
    utc_evening = datetime(2026, 11, 30, 19, 30, tzinfo=ZoneInfo("UTC"))
    assert p.status(utc_evening.astimezone(ALMATY).date()) == PromotionStatus.ACTIVE


def test_applies_to_brand_product_type_or_everything() -> None:
    brand = promo(applies=("Miu Miu", "Сумка Prada Re-Edition 2005"))
    assert brand.applies("Балетки Miu Miu", "Miu Miu", "shoes")
    assert brand.applies("Балетки Miu Miu", "", "shoes")  # brand inside the name
    assert brand.applies("Сумка Prada Re-Edition 2005", "Prada", "bag")
    assert not brand.applies("Лоферы Chanel", "Chanel", "shoes")
    bags = promo(applies=("сумки",))
    assert bags.applies("Сумка Prada Re-Edition 2005", "Prada", "bag")
    assert not bags.applies("Лоферы Chanel", "Chanel", "shoes")
    assert promo(applies=("всё",)).applies("Лоферы Chanel", "Chanel", "shoes")


def test_promoted_price_percent_and_fixed() -> None:
    assert promoted_price(285000, promo(percent=15)) == 242250
    assert promoted_price(98000, promo(percent=None, fixed=88200)) == 88200
    assert promoted_price(290000, promo(percent=10)) == 261000


def test_book_cites_only_active_and_the_deepest() -> None:
    today = date(2026, 12, 3)
    waiting = promo("Новый год", date(2026, 12, 20), date(2026, 12, 31), ("всё",), 30)
    finished = promo("Чёрная пятница", date(2026, 11, 20), date(2026, 11, 29), ("всё",), 40)
    small = promo("Miu Miu −10%", percent=10)
    deep = promo("Miu Miu −15%", percent=15)
    book = PromotionBook((waiting, finished, small, deep))
    assert book.active(today) == [small, deep]
    assert book.active_for("Балетки Miu Miu", "Miu Miu", "shoes", today) == deep
    assert book.active_for("Лоферы Chanel", "Chanel", "shoes", today) is None
    assert book.by_id(waiting.id) == waiting


def test_id_is_stable_for_title_and_start() -> None:
    assert promotion_id("Miu Miu −15%", date(2026, 12, 1)) == promotion_id(" miu miu  −15% ", date(2026, 12, 1))
    assert promotion_id("Miu Miu −15%", date(2026, 12, 1)) != promotion_id("Miu Miu −15%", date(2026, 12, 2))
