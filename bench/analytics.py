"""Analytics benchmark: report time at 10,000 chats / 500,000 messages (the console
bench's data generator, its conversations spread over a month and over the day) for a
day, a week and a month, against a plain pandas groupby over the same rows measured in
the same run. Goals: <= 2 s for a day, <= 5 s for a month.

The report reads each message's stored text facts (`message.text_facts`, migration v7),
not its text. The generator writes rows raw (no facts), so the bench first runs the
backfill the migration runs on an existing database (timed). In the same run it also
measures the texts path: the same loader reading the texts and checking them (per-text
cache, as the previous version did) instead of the stored facts, and asserts both give the
same report. Wall and CPU seconds (the machine is shared: CPU time is the steadier).

Also: text checks (questions, SPIN, next steps) on unique texts (the generator repeats
eight texts, which the per-text cache makes free), and the size the charts and
workbook libraries add to the packaged folder.

    .venv/bin/python bench/analytics.py [--chats 10000] [--messages 500000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MONTH_START_UTC = "2026-10-01 04:00:00"  # 09:00 in Almaty
DAY = date(2026, 10, 15)


def spread(db_path: Path) -> None:
    """Move each chat's conversation to day (chat_id % 30) of October 2026, starting
    between 09:00 and 22:00 shop time (so some cross the closing hour)."""
    conn = sqlite3.connect(db_path)
    t0 = conn.execute("SELECT MIN(created_at) FROM message").fetchone()[0]
    conn.execute(
        "UPDATE message SET created_at = datetime(?, '+' || (chat_id % 30) || ' days', "
        "'+' || ((chat_id * 7) % 14) || ' hours', "
        "'+' || CAST(strftime('%s', created_at) - strftime('%s', ?) AS INTEGER) || ' seconds')",
        (MONTH_START_UTC, t0),
    )
    conn.commit()
    conn.close()


def ours(db: object, kind: str, zone: object, hours: object, *, from_texts: bool = False
         ) -> tuple[float, float, float, int, object]:
    """(load s, compute s, CPU s, messages, report). `from_texts`: the previous path, the
    texts read and checked instead of the stored facts."""
    import numpy as np

    from ottenok_desktop.engine.analytics.compute import build_report
    from ottenok_desktop.engine.analytics.facts import fact_bits
    from ottenok_desktop.engine.analytics.model import period_for
    from ottenok_desktop.services.reports.loader import load_period

    period = period_for(kind, DAY, zone)
    cpu = time.process_time()
    started = time.perf_counter()
    report_input = db.call_sync(load_period, period, from_texts)  # type: ignore[attr-defined]
    cols = report_input.messages
    if from_texts:
        cols.facts = np.array([fact_bits(t, c) for t, c in zip(cols.text, cols.customer.tolist())], dtype=np.int64)
    loaded = time.perf_counter()
    report = build_report(report_input, hours)
    done = time.perf_counter()
    return loaded - started, done - loaded, time.process_time() - cpu, len(report_input.messages), report


def _without_time(report: object) -> dict:
    document = report.as_json()  # type: ignore[attr-defined]
    document.pop("generated_at")
    return document


def pandas_baseline(db_path: Path, kind: str, zone: object) -> tuple[float, int]:
    """The same window's rows read with pandas and a plain groupby per chat: first
    customer message, first shop message after it, their elapsed difference (no working
    hours, no runs, no text checks)."""
    import pandas as pd

    from ottenok_desktop.engine.analytics.model import LOOKAHEAD, LOOKBACK, period_for

    period = period_for(kind, DAY, zone)

    def naive(moment: datetime) -> str:
        return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")

    started = time.perf_counter()
    conn = sqlite3.connect(db_path)
    frame = pd.read_sql_query(
        "SELECT chat_id, created_at, direction, sender_kind, sender_name, text FROM message "
        "WHERE chat_id IN (SELECT DISTINCT chat_id FROM message WHERE created_at >= ? AND created_at < ? "
        "AND sender_kind != 'system') AND created_at >= ? AND created_at < ? AND sender_kind != 'system'",
        conn, params=(naive(period.start), naive(period.end), naive(period.start - LOOKBACK), naive(period.end + LOOKAHEAD)),
    )
    conn.close()
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    inbound = frame[frame.direction == "in"].groupby("chat_id")["created_at"].min().rename("first_in")
    shop = frame[frame.direction == "out"][["chat_id", "created_at", "sender_kind"]].merge(inbound, on="chat_id")
    shop = shop[shop.created_at > shop.first_in]
    first_out = shop.sort_values("created_at").groupby("chat_id").first()
    first_out["seconds"] = (first_out.created_at - first_out.first_in).dt.total_seconds()
    summary = first_out.groupby("sender_kind")["seconds"].agg(["count", "median", "mean"])
    summary["p90"] = first_out.groupby("sender_kind")["seconds"].quantile(0.9)
    return time.perf_counter() - started, len(frame)


def text_checks(count: int) -> float:
    """Seconds for the text checks of `count` unique shop messages (cache cold)."""
    from ottenok_desktop.engine.analytics.facts import fact_bits
    from ottenok_desktop.engine.analytics.spin import classify_question

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from console import TEXTS

    fact_bits.cache_clear()
    classify_question.cache_clear()
    texts = [f"{TEXTS[i % len(TEXTS)]} Какой размер {i} вы носите?" for i in range(count)]
    started = time.perf_counter()
    for text in texts:
        fact_bits(text, False)
    return time.perf_counter() - started


def package_sizes() -> list[tuple[str, float, float]]:
    """(package, KiB without __pycache__, KiB of that in examples/) for the runtime deps
    this issue adds (pyqtgraph pulls colorama)."""
    import importlib

    rows = []
    for name in ("pyqtgraph", "xlsxwriter", "colorama"):
        root = Path(importlib.import_module(name).__file__).parent
        total = examples = 0
        for path in root.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                size = path.stat().st_size
                total += size
                if "examples" in path.relative_to(root).parts[:1]:
                    examples += size
        rows.append((name, total / 1024, examples / 1024))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from zoneinfo import ZoneInfo

    from console import generate

    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.settings import WorkHours

    zone, hours = ZoneInfo("Asia/Almaty"), WorkHours(9, 19)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="ottenok-analytics-") as tmp:
        db_path = Path(tmp) / "ottenok.sqlite3"
        generate(db_path, args.chats, args.messages)
        spread(db_path)
        db = Database(db_path).open_sync()
        try:
            from ottenok_desktop.services.storage.text_facts import backfill

            started = time.perf_counter()
            filled = db.call_sync(backfill)
            print(f"text facts backfill (what migration v7 does to existing rows): {filled} messages in "
                  f"{time.perf_counter() - started:.1f} s")
            goals = {"day": 2.0, "week": None, "month": 5.0}
            for kind in ("day", "week", "month"):
                totals, loads, computes, cpus, baselines, olds, old_cpus = [], [], [], [], [], [], []
                rows = base_rows = 0
                report = None
                for _ in range(args.runs):
                    load_s, compute_s, cpu_s, rows, report = ours(db, kind, zone, hours)
                    base_s, base_rows = pandas_baseline(db_path, kind, zone)
                    old_load, old_compute, old_cpu, _rows, old_report = ours(db, kind, zone, hours, from_texts=True)
                    assert _without_time(old_report) == _without_time(report), "facts and texts disagree"
                    loads.append(load_s)
                    computes.append(compute_s)
                    totals.append(load_s + compute_s)
                    cpus.append(cpu_s)
                    baselines.append(base_s)
                    olds.append(old_load + old_compute)
                    old_cpus.append(old_cpu)
                total, base, old = statistics.median(totals), statistics.median(baselines), statistics.median(olds)
                goal = goals[kind]
                verdict = "" if goal is None else f"; goal <= {goal:.0f} s: {'met' if total <= goal else 'NOT met'}"
                print(f"{kind:5}: {rows} messages of {report.overall.chats} chats (window incl. 7-day look-back/ahead): "  # type: ignore[union-attr]
                      f"report {total:.2f} s (load {statistics.median(loads):.2f} + compute {statistics.median(computes):.2f}; "
                      f"CPU {statistics.median(cpus):.2f} s; runs {', '.join(f'{t:.2f}' for t in totals)}){verdict}; "
                      f"reading texts instead {old:.2f} s (CPU {statistics.median(old_cpus):.2f} s); pandas groupby baseline over the same "
                      f"{base_rows} rows {base:.2f} s (first response only, elapsed time); ratio {total / max(base, 1e-3):.2f}x")
        finally:
            db.close_sync()
    unique = 50_000
    seconds = text_checks(unique)
    print(f"text checks (question, SPIN, next step) on {unique} unique shop messages, cache cold: {seconds:.2f} s "
          f"({seconds / unique * 1e6:.1f} µs each)")
    for name, kib, examples in package_sizes():
        extra = f" (of which examples/ {examples:.0f} KiB, not needed at run time)" if examples else ""
        print(f"package size: {name} {kib / 1024:.2f} MiB without __pycache__{extra}")
    print(f"machine load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
