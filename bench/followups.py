"""Follow-up benchmark: reply classification speed, and the due check over many chats.

Run: .venv/bin/python bench/followups.py
Prints figures and the ratio to a baseline measured in the same run:
- classify_reply vs a bare lowercase substring test (the cheapest possible classifier);
- one due check with 2,000 scheduled nudges and nothing due vs one `db.call` round trip;
- sending 200 due nudges into the real outbox (per nudge) vs one outbox insert.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ottenok_desktop.engine.clock import ManualClock  # noqa: E402
from ottenok_desktop.engine.events import EventBus  # noqa: E402
from ottenok_desktop.engine.followups.classify import classify_reply  # noqa: E402
from ottenok_desktop.services.followups import FollowUpService  # noqa: E402
from ottenok_desktop.services.storage import Database  # noqa: E402
from ottenok_desktop.services.storage import outbox as ob  # noqa: E402
from ottenok_desktop.services.storage.chats import get_or_create_chat  # noqa: E402
from ottenok_desktop.settings import load_settings  # noqa: E402

REPLIES = [
    "подумаю", "Ок спасибо, подумаю 🙏", "посоветуюсь с мужем", "не пишите мне больше", "стоп",
    "а 38 размер есть в бежевом?", "шанель лоферы сколько стоят", "Алматы, Абая 10 кв 5",
    "падумаю", "у меня широкая стопа, что посоветуете?", "позже напишу", "отпишитесь",
]
ALMATY = ZoneInfo("Asia/Almaty")


def bench_classify(rounds: int = 2000) -> None:
    texts = REPLIES * rounds
    started = time.perf_counter()
    for text in texts:
        classify_reply(text)
    ours = (time.perf_counter() - started) / len(texts)
    started = time.perf_counter()
    for text in texts:
        low = text.lower()
        _ = "подума" in low or "не пиши" in low
    baseline = (time.perf_counter() - started) / len(texts)
    print(f"classify_reply: {ours * 1e6:.1f} µs/message; substring baseline {baseline * 1e6:.2f} µs "
          f"(ratio {ours / baseline:.0f}x)")


async def bench_due_check(chats: int = 2000, due: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        settings = load_settings(data_dir=data, environ={}, env_file=data / "none.env")
        db = await Database(data / "bench.sqlite3").open()
        clock = ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=ALMATY), zone=ALMATY)

        async def enqueue(chat_id: str, text: str) -> int:
            return (await db.atomic(ob.queue_text, chat_id, text, "bot", clock.now())).id

        svc = FollowUpService(db, EventBus(), clock, settings, enqueue)
        ids = [f"7701{n:07d}@c.us" for n in range(chats)]

        def make_chats() -> None:
            for chat_id in ids:
                get_or_create_chat(chat_id, clock.now())

        await db.atomic(make_chats)
        for n, chat_id in enumerate(ids):
            # the first `due` chats got the bot's message at 10:00, the rest later in the day
            at = clock.now() if n < due else clock.now() + timedelta(hours=5)
            await svc.on_bot_message(chat_id, at)

        samples = []
        for _ in range(20):
            started = time.perf_counter()
            await svc.check_due()  # 10:00: nothing due yet
            samples.append(time.perf_counter() - started)
        idle = statistics.median(samples)
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            await db.call(lambda: None)
            samples.append(time.perf_counter() - started)
        round_trip = statistics.median(samples)
        print(f"due check, {chats} scheduled, none due: {idle * 1e3:.2f} ms; one db.call round trip "
              f"{round_trip * 1e3:.2f} ms (ratio {idle / round_trip:.1f}x)")

        clock.set(datetime(2026, 11, 23, 13, 0, tzinfo=ALMATY))
        started = time.perf_counter()
        sent = await svc.check_due()
        per_nudge = (time.perf_counter() - started) / max(1, sent)
        started = time.perf_counter()
        for _ in range(50):
            await db.atomic(ob.queue_text, ids[-1], "x", "bot", clock.now())
        insert = (time.perf_counter() - started) / 50
        print(f"sending {sent} due nudges: {per_nudge * 1e3:.2f} ms per nudge; one outbox insert "
              f"{insert * 1e3:.2f} ms (ratio {per_nudge / insert:.1f}x)")
        await db.close()


if __name__ == "__main__":
    bench_classify()
    asyncio.run(bench_due_check())
