"""Promotions benchmark: loading promotions.xlsx and the per-turn promotion lookup.

    .venv/bin/python bench/promotions.py [--rows 500]

Figures: time to read and validate a promotions file of N rows (written with openpyxl in a
temp folder), against reading the sample stock file in the same run (the baseline: the
stock file is read the same way); and the per-turn cost of `PromotionBook.active_for` for
every product of the sample shop with N promotions loaded; and the promised-price rule at
confirmation (a chat holding the most promises it keeps) against the same check with none.
Goal: the lookup stays far below a millisecond per turn, the load below the stock file's, the
promised price adds a few microseconds to a confirmation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ottenok_desktop.engine.dialogue.pricing import check_confirmation  # noqa: E402
from ottenok_desktop.engine.dialogue.promised import MAX_PROMISES, of_promotion, remember  # noqa: E402
from ottenok_desktop.engine.dialogue.state import OrderDraft  # noqa: E402
from ottenok_desktop.engine.promotions import PromotionBook  # noqa: E402
from ottenok_desktop.services.inventory.loader import load_stock  # noqa: E402
from ottenok_desktop.services.promotions.loader import load_promotions  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def write_file(path: Path, rows: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Название", "Описание", "Начало", "Конец", "На что", "Скидка"])
    start = date(2026, 11, 1)
    targets = ["Chanel", "Miu Miu", "сумки", "Лоферы Chanel", "Balenciaga", "обувь"]
    for n in range(rows):
        first = start + timedelta(days=n % 60)
        sheet.append([f"Акция {n}", "", first.strftime("%d.%m.%Y"), (first + timedelta(days=7)).strftime("%d.%m.%Y"),
                      ", ".join(targets[n % len(targets):][:2]), f"{5 + n % 40}%" if n % 3 else "88 200"])
    workbook.save(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "promotions.xlsx"
        write_file(path, args.rows)
        started = time.perf_counter()
        parsed = load_promotions(path)
        load_s = time.perf_counter() - started
    assert not parsed.errors, parsed.errors[:3]
    started = time.perf_counter()
    stock = load_stock(REPO / "data" / "inventory.xlsx")
    stock_s = time.perf_counter() - started
    assert stock.index is not None
    items = list(stock.index.items)
    products = sorted({(i.product, i.brand, i.product_type) for i in items})
    book = PromotionBook(tuple(parsed.promotions))
    today = date(2026, 11, 23)
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        for product, brand, kind in products:
            book.active_for(product, brand, kind, today)
    per_lookup_us = (time.perf_counter() - started) / max(1, rounds * len(products)) * 1e6
    confirm_us, baseline_us = _confirmation_cost(stock.index, book, today)
    print(f"promotions load: {args.rows} rows in {load_s * 1000:.0f} ms; "
          f"sample stock file ({len(items)} lines) in {stock_s * 1000:.0f} ms; ratio {load_s / max(stock_s, 1e-9):.2f}")
    print(f"active_for: {per_lookup_us:.0f} µs per product turn with {args.rows} promotions "
          f"({len(book.active(today))} active today), {len(products)} products")
    print(f"check_confirmation with {MAX_PROMISES} promises in the chat: {confirm_us:.1f} µs; without promises "
          f"(baseline, same run): {baseline_us:.1f} µs; ratio {confirm_us / max(baseline_us, 1e-9):.2f}")
    return 0


def _confirmation_cost(index: Any, book: PromotionBook, today: date) -> tuple[float, float]:
    """The promised-price rule's cost at confirmation: a full chat of promises against none."""
    item = next(i for i in index.items if i.quantity > 0 and i.size)
    order = OrderDraft(product=item.product, product_type="shoes", size=item.size, color=item.color,
                       city="Алматы", address="ул. Абая 10", price=Decimal(item.price), sizes_available=(item.size,))
    now = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
    promo = book.promotions[0]
    promises = remember([], [of_promotion(f"{item.product} {n}" if n else item.product, promo, now)
                             for n in range(MAX_PROMISES)])
    rounds = 2000
    timings = []
    for chat_promises in (promises, []):
        started = time.perf_counter()
        for _ in range(rounds):
            check_confirmation(order, index, {}, promises=chat_promises, now=now, today=today)
        timings.append((time.perf_counter() - started) / rounds * 1e6)
    return timings[0], timings[1]


if __name__ == "__main__":
    sys.exit(main())
