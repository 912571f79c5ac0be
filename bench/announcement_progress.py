"""An announcement's progress on a seat that does not lead (PostgreSQL, two seats).

Seat A queues the announcement's chats one by one (storage/announcements.queue_next, as the
leader's pacer does), 0.5–1.5 s apart (the real pace is 4–8 s); seat B learns each step three
ways, all in the same run:
- LISTEN/NOTIFY (services/live_sync.py, what the «Акции» tab hears now);
- the old 3 s poll of the tab (the baseline);
- the new 15 s fallback poll (what is left when a wake-up is lost).
Printed: the delay from seat A's commit until seat B knows, p50 / p95 / max per way.

The PostgreSQL server is started by the benchmark itself (tests/fakes/postgres.py).
Run: .venv/bin/python bench/announcement_progress.py [--steps N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ottenok_desktop.engine import events as ev  # noqa: E402
from ottenok_desktop.services.live_sync import LiveSync  # noqa: E402
from ottenok_desktop.services.storage import Database  # noqa: E402
from ottenok_desktop.services.storage import announcements as store  # noqa: E402
from ottenok_desktop.services.storage.chats import get_or_create_chat  # noqa: E402
from ottenok_desktop.services.storage.consent import record_promo_consent  # noqa: E402
from tests.fakes.postgres import PostgresServer  # noqa: E402
from bench._stats import percentile  # noqa: E402

OLD_POLL = 3.0
FALLBACK_POLL = 15.0


async def poller(db: Database, announcement_id: int, every: float, seen: dict[int, float],
                 phase: float) -> None:
    """The tab's timer: look at the progress every `every` seconds (first look after `phase`)."""
    await asyncio.sleep(phase)
    while True:
        row = await db.call(store.announcement, announcement_id)
        at = time.perf_counter()
        for step in range(1, row.progress + 1):
            seen.setdefault(step, at)
        await asyncio.sleep(every)


async def run(server: PostgresServer, steps: int) -> None:
    url = server.create_database("ottenok_template")
    seat_a = await Database(url, application_name="seat A").open()
    seat_b = await Database(url, application_name="seat B").open()
    now = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)

    def opt_in() -> None:
        for n in range(steps + 1):
            chat_id = f"7709{n:07d}@c.us"
            get_or_create_chat(chat_id, now, "Айгерим")
            record_promo_consent(chat_id, now, True, "customer")

    await seat_a.atomic(opt_in)
    announcement_id, _ = await seat_a.atomic(store.create_announcement, "a1b2c3d4e5", "Неделя Miu Miu",
                                             "Неделя Miu Miu: −15 %", [], "Айгуль", now)
    bus = ev.EventBus()
    heard: dict[int, float] = {}

    async def on_progress(_event: ev.Event) -> None:
        row = await seat_b.call(store.announcement, announcement_id)  # what the tab reads on the event
        at = time.perf_counter()
        for step in range(1, row.progress + 1):
            heard.setdefault(step, at)

    tasks: set[asyncio.Task[None]] = set()

    def on_event(event: ev.Event) -> None:
        task = asyncio.ensure_future(on_progress(event))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    bus.subscribe(on_event, ev.AnnouncementProgress)
    sync = LiveSync(seat_b, bus, fallback_every=600)
    await sync.start()
    rng = random.Random(16)
    old: dict[int, float] = {}
    fallback: dict[int, float] = {}
    polls = [asyncio.ensure_future(poller(seat_b, announcement_id, OLD_POLL, old, rng.uniform(0, OLD_POLL))),
             asyncio.ensure_future(poller(seat_b, announcement_id, FALLBACK_POLL, fallback,
                                          rng.uniform(0, FALLBACK_POLL)))]
    committed: dict[int, float] = {}
    try:
        await asyncio.sleep(0.3)
        for step in range(1, steps + 1):
            await seat_a.atomic(store.queue_next, announcement_id, now + timedelta(seconds=6 * step))
            committed[step] = time.perf_counter()
            await asyncio.sleep(rng.uniform(0.5, 1.5))
        deadline = time.perf_counter() + FALLBACK_POLL + 1
        while (len(old) < steps or len(fallback) < steps) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
    finally:
        for task in polls:
            task.cancel()
        await asyncio.gather(*polls, return_exceptions=True)
        await sync.stop()
        await seat_a.close()
        await seat_b.close()
    print(f"[announcement progress on seat B] {steps} chats queued on seat A, delay until seat B knows:")
    for label, seen in (("LISTEN/NOTIFY", heard), (f"old {OLD_POLL:.0f} s poll", old),
                        (f"{FALLBACK_POLL:.0f} s fallback", fallback)):
        delays = [(seen[s] - committed[s]) * 1000 for s in range(1, steps + 1) if s in seen]
        print(f"  {label:<15}: p50 {statistics.median(delays):7.1f} ms, p95 {percentile(delays, .95):7.1f} ms, "
              f"max {max(delays):7.1f} ms ({len(delays)}/{steps} seen)")
    listen = statistics.median([(heard[s] - committed[s]) for s in heard])
    base = statistics.median([(old[s] - committed[s]) for s in old])
    print(f"  ratio old poll / LISTEN (p50): {base / listen:.0f}×")


async def main() -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: still stop the PostgreSQL server
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    server = PostgresServer().start()
    try:
        server.execute('CREATE DATABASE "ottenok_template"')
        Database(server.url("ottenok_template")).open_sync().close_sync()
        await run(server, args.steps)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
