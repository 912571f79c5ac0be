"""Benchmark: stock file loading and availability lookups (issue 3).

    .venv/bin/python bench/inventory.py [--rows 20000] [--lookups 2000]

1. Load a generated N-row .xlsx (read + validate + build the StockIndex): python-calamine
   (through pandas) against openpyxl, in the same run. Goal: ≤ 1.5 s.
2. Availability lookup (product, size, colour) on the StockIndex (the full stock answer the
   bot uses, `StockIndex.query`) against pandas, same queries, same run, two baselines:
   - naive scan: a boolean mask over the whole frame per query (what a script without an
     index does). Goal: p50 ≤ 0.2 ms and ≥ 100× faster than this.
   - indexed: the frame indexed by a sorted MultiIndex (product, size, colour), one
     `.loc[(product, size, colour), "quantity"]` per query — the fair per-message
     baseline. Goal: StockIndex.query not slower (ratio ≥ 1×).
   Also printed for reference: the same indexed lookup vectorised over all queries at once
   (`reindex` of the whole batch, cost per key; a batch cannot answer one customer message
   at a time), and `StockIndex.find_item` (the exact-key lookup alone), and a free-text
   customer query ("лоферы шанель 38 черные" style) through the matcher, uncached.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ottenok_desktop.services.inventory.index import StockIndex  # noqa: E402
from ottenok_desktop.services.inventory.loader import load_stock  # noqa: E402
from bench._stats import percentile  # noqa: E402

COLORS = ["черный", "белый", "бежевый", "красный", "синий"]
KINDS = ["Лоферы", "Кроссовки", "Туфли", "Мюли", "Балетки", "Сапоги"]
BRANDS = ["Chanel", "Balenciaga", "Dior", "Prada", "Gucci", "Saint Laurent", "Miu Miu", "Valentino"]
PLURAL = {"черный": "черные", "белый": "белые", "бежевый": "бежевые", "красный": "красные", "синий": "синие"}
RU_BRAND = {"Chanel": "шанель", "Balenciaga": "баленсиага", "Dior": "диор", "Prada": "прада", "Gucci": "гуччи",
            "Saint Laurent": "ив сен лоран", "Miu Miu": "миу миу", "Valentino": "валентино"}


def make_file(path: Path, rows: int) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Остатки")
    sheet.append(["Наименование", "Размер", "Цвет", "Количество", "Цена"])
    n = written = 0
    while written < rows:
        product = f"{KINDS[n % len(KINDS)]} {BRANDS[(n // len(KINDS)) % len(BRANDS)]} Model {n}"
        for color in COLORS[: 1 + n % 3]:
            for size in range(35, 42):
                if written >= rows:
                    break
                sheet.append([product, size, color, (n + size) % 4, 100000 + (n % 50) * 5000])
                written += 1
        n += 1
    workbook.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args()
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.xlsx"
        started = time.perf_counter()
        make_file(path, args.rows)
        print(f"generated {args.rows} rows in {time.perf_counter() - started:.1f}s ({path.stat().st_size / 1e6:.1f} MB)")
        load_stock(path, "calamine")  # warm-up: imports pandas/calamine once, like a running engine
        timings: dict[str, float] = {}
        loaded = {}
        for engine in ("calamine", "openpyxl"):
            runs = []
            for _ in range(3):
                result = load_stock(path, engine)
                assert result.result.ok, result.result.errors[:3]
                runs.append(result.result.seconds)
                loaded[engine] = result
            timings[engine] = min(runs)
        goal = "OK" if timings["calamine"] <= 1.5 else "MISSED"
        print(f"load {args.rows} rows (read+validate+index, best of 3): calamine {timings['calamine']:.3f}s, "
              f"openpyxl {timings['openpyxl']:.3f}s, ratio {timings['openpyxl'] / timings['calamine']:.1f}x "
              f"[goal ≤1.5s: {goal}]")

        index: StockIndex = loaded["calamine"].index
        frame = pd.read_excel(path, engine="calamine")
        frame.columns = ["product_name", "size", "color", "quantity", "price"]
        rng = random.Random(7)
        queries = [(item.product, item.size, item.color) for item in rng.sample(list(index.items), args.lookups)]

        fast: list[float] = []
        for product, size, color in queries:
            t0 = time.perf_counter()
            answer = index.query(product, size=size, color=color)
            fast.append((time.perf_counter() - t0) * 1000)
            assert answer.product == product
        exact: list[float] = []
        for product, size, color in queries:
            t0 = time.perf_counter()
            item = index.find_item(product, size, color)
            exact.append((time.perf_counter() - t0) * 1000)
            assert item is not None
        slow: list[float] = []
        for product, size, color in queries[: max(200, args.lookups // 10)]:
            t0 = time.perf_counter()
            mask = (frame["product_name"] == product) & (frame["size"] == int(size)) & (frame["color"] == color)
            int(frame.loc[mask, "quantity"].sum())
            slow.append((time.perf_counter() - t0) * 1000)
        indexed = frame.set_index(["product_name", "size", "color"]).sort_index()
        assert indexed.index.is_unique and indexed.index.is_monotonic_increasing
        keys = [(product, int(size), color) for product, size, color in queries]
        for key in keys[:50]:  # warm-up: pandas builds its index engine on the first .loc
            indexed.loc[key, "quantity"]
        by_loc: list[float] = []
        for key in keys:
            t0 = time.perf_counter()
            int(indexed.loc[key, "quantity"])
            by_loc.append((time.perf_counter() - t0) * 1000)
        batch_runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            quantities = indexed["quantity"].reindex(keys).to_numpy()
            batch_runs.append((time.perf_counter() - t0) * 1000 / len(keys))
            assert len(quantities) == len(keys)
        p50, p95 = percentile(fast, 0.5), percentile(fast, 0.95)
        b50, b95 = percentile(slow, 0.5), percentile(slow, 0.95)
        i50, i95 = percentile(by_loc, 0.5), percentile(by_loc, 0.95)
        scan_ratio, loc_ratio = b50 / p50, i50 / p50
        goal = "OK" if p50 <= 0.2 and scan_ratio >= 100 else "MISSED"
        print(f"availability lookup over {len(index)} rows, {len(queries)} queries: StockIndex.query p50 {p50:.4f} ms, "
              f"p95 {p95:.4f} ms")
        print(f"  vs pandas naive scan (boolean mask) p50 {b50:.3f} ms, p95 {b95:.3f} ms: {scan_ratio:.0f}x faster "
              f"[goal p50 ≤0.2ms, ≥100x: {goal}]")
        goal = "OK" if loc_ratio >= 1 else "MISSED"
        print(f"  vs pandas indexed (sorted MultiIndex .loc per query) p50 {i50:.4f} ms, p95 {i95:.4f} ms: "
              f"{loc_ratio:.1f}x faster [goal ≥1x: {goal}]")
        print(f"  reference: pandas vectorised batch (reindex of all {len(keys)} keys at once) "
              f"{min(batch_runs):.5f} ms per key; StockIndex.find_item (exact key alone) p50 "
              f"{percentile(exact, 0.5):.4f} ms")

        texts = []
        for product, size, color in queries[:300]:
            kind, rest = product.split(" ", 1)
            brand = next(b for b in BRANDS if rest.startswith(b))
            model = rest[len(brand):].strip().replace("Model ", "модель ")
            texts.append(f"{kind.lower()} {RU_BRAND[brand]} {model} {size} {PLURAL[color]}")
        free: list[float] = []
        for text in texts:
            index._match_cache.clear()
            t0 = time.perf_counter()
            index.query(text)
            free.append((time.perf_counter() - t0) * 1000)
        print(f"free-text customer query (uncached matcher, e.g. {texts[0]!r}): p50 {statistics.median(free):.3f} ms, "
              f"p95 {percentile(free, 0.95):.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
