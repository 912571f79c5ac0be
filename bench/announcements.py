"""Announcements benchmark: the cost of queuing one chat of an announcement, and of its results.

    .venv/bin/python bench/announcements.py [--chats 1000]

Figures (SQLite in a temp folder, through the DB thread as the engine does it):
- starting an announcement to N consenting chats (the recipients fixed in one transaction);
- `queue_next` per chat (the recipient picked, its eligibility re-checked, its outbox row and
  the recipient's state written in one transaction) against the baseline of the same run:
  `outbox.queue_text` alone (what any bot message costs). The pace is one chat every 4–8 s,
  so anything below a few milliseconds is invisible;
- `announcement_results` for N recipients (the tab computes it on every refresh).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ottenok_desktop.services.storage import Database  # noqa: E402
from ottenok_desktop.services.storage import announcements as store  # noqa: E402
from ottenok_desktop.services.storage import outbox as ob  # noqa: E402
from ottenok_desktop.services.storage.announcement_results import announcement_results  # noqa: E402
from ottenok_desktop.services.storage.chats import get_or_create_chat  # noqa: E402
from ottenok_desktop.services.storage.consent import record_promo_consent  # noqa: E402

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
TEXT = "Неделя Miu Miu! −15 % на все модели до воскресенья 🌸"


async def run(chats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database(Path(tmp) / "bench.sqlite3").open()
        try:
            def seed() -> None:
                for n in range(chats):
                    chat_id = f"7701{n:07d}@c.us"
                    get_or_create_chat(chat_id, NOW, f"Клиентка {n}")
                    record_promo_consent(chat_id, NOW + timedelta(seconds=n), True, "customer")

            await db.atomic(seed)
            started = time.perf_counter()
            ann_id, count = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu", TEXT, [], "bench", NOW)
            create_s = time.perf_counter() - started

            started = time.perf_counter()
            for n in range(count):
                await db.atomic(ob.queue_text, f"7701{n:07d}@c.us", TEXT, "bot", NOW)
            baseline_s = (time.perf_counter() - started) / count

            started = time.perf_counter()
            for n in range(count):
                await db.atomic(store.queue_next, ann_id, NOW + timedelta(seconds=6 * n))
            queue_s = (time.perf_counter() - started) / count

            started = time.perf_counter()
            results = await db.call(announcement_results, ann_id)
            results_s = time.perf_counter() - started
        finally:
            await db.close()
    print(f"announcement to {count} chats: start (recipients fixed) {create_s * 1000:.1f} ms")
    print(f"queue one chat: {queue_s * 1000:.2f} ms (baseline queue_text {baseline_s * 1000:.2f} ms, "
          f"ratio {queue_s / baseline_s:.2f}x); the pace allows 4000 ms")
    print(f"results for {results.recipients} recipients: {results_s * 1000:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(run(args.chats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
