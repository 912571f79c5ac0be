"""Soak benchmark (issue 18): the whole engine (sample shop, offline responder, knowledge,
stock, follow-ups) answering a steady stream of customers for a long time.

Default: one hour at 2 customer messages/s over 1,000 chats, per-message delivery
statuses on (the heaviest notification profile), the GREEN-API sandbox in its own
process (its memory is reported apart). Every minute it prints the engine process's
RSS, the sandbox's RSS, and whether the queue keeps up (notifications waiting at the
sandbox, turns and outbox items pending, customers answered). At the end: the growth
after the first 10 minutes (goal <= +20 MiB: memory levels off) and whether the queue
fell behind. `--trace` adds tracemalloc's top growing allocation sites (slower).

Run: .venv/bin/python bench/soak.py [--minutes 60] [--rate 2] [--chats 1000] [--trace]
(`make bench` does not run it; `bench/run_all.py --soak` does, for --minutes 15.)
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._sandbox_proc import SandboxProcess  # noqa: E402
from ottenok_desktop.bootstrap import build_engine, seed_demo_data  # noqa: E402
from ottenok_desktop.services.greenapi.client import GreenApiClient  # noqa: E402
from ottenok_desktop.services.greenapi.poller import InstanceNotifications  # noqa: E402
from ottenok_desktop.services.greenapi.sandbox_control import SandboxControlClient  # noqa: E402
from ottenok_desktop.settings import Secret, load_settings  # noqa: E402

# What customers of a shoe shop write (typos and slang as they come).
TEXTS = (
    "Здравствуйте, есть лоферы шанель 38?", "сколько стоят кроссы найк", "а доставка в астану есть?",
    "черные есть?", "размер 39 есть", "скинте фото пожалуйста", "а скидка будет?", "мюли в наличии?",
    "Добрый день! ботинки зимние женские есть", "спасибо", "ок", "а в шымкент сколько дней",
    "Сәлеметсіз бе, баға қанша?", "есть балетки гуччи 37", "хочу заказать",
)


def rss_mib(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def customers(control: SandboxControlClient, rate: float, chats: int, stop: asyncio.Event, count: list[int]) -> None:
    """`rate` messages per second, each from a random chat of `chats`."""
    rng = random.Random(3)
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while not stop.is_set():
        chat = f"7710{rng.randrange(chats):07d}@c.us"
        await control.inject_text(chat, rng.choice(TEXTS), "Клиент")
        count[0] += 1
        next_at += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, next_at - loop.time()))


async def soak(minutes: float, rate: float, chats: int, statuses: bool, trace: bool) -> int:
    box = SandboxProcess(poll_scale=1.0, status_delay=1.0, seed=9)
    data_dir = Path(tempfile.mkdtemp(prefix="ottenok-soak-"))
    try:
        settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env")
        seed_demo_data(settings)
        client = GreenApiClient(box.api_url, box.api_url, box.instance_id, Secret(box.token))
        engine = build_engine(settings, client=client)
        engine.poller.notifications = InstanceNotifications(api_echoes=False, delivery_statuses=statuses)
        await engine.start()
        control = SandboxControlClient(box.api_url)
        stop = asyncio.Event()
        injected = [0]
        driver = asyncio.create_task(customers(control, rate, chats, stop, injected))
        if trace:
            tracemalloc.start(10)
        snapshot = None
        rows: list[tuple[float, float, float]] = []
        print(f"soak: {minutes:g} min at {rate:g} msg/s over {chats} chats, statuses {'on' if statuses else 'off'}; "
              f"engine pid {os.getpid()}, sandbox pid {box.proc.pid}", flush=True)
        print(" min  engine MiB  sandbox MiB  injected  answered  waiting(sandbox)  turns  outbox  engine CPU  load", flush=True)
        started = time.perf_counter()
        cpu_before = time.process_time()
        for minute in range(1, int(minutes) + 1):
            await asyncio.sleep(max(0.0, started + 60 * minute - time.perf_counter()))
            gc.collect()
            queue = await engine.queue_state()
            waiting = await control.pending_notifications()
            sent, _ = await control.sent(after=10**9)
            engine_mib, box_mib = rss_mib(), rss_mib(box.proc.pid)
            rows.append((engine_mib, box_mib, waiting))
            cpu = time.process_time()
            print(f"{minute:4d}  {engine_mib:10.1f}  {box_mib:11.1f}  {injected[0]:8d}  {sent:8d}  {waiting:16d}  "
                  f"{queue.turns_pending:5d}  {queue.outbox_pending:6d}  {(cpu - cpu_before) / 60:9.0%}  {os.getloadavg()[0]:4.1f}",
                  flush=True)
            cpu_before = cpu
            if trace and minute == min(2, int(minutes)):
                snapshot = tracemalloc.take_snapshot()
        stop.set()
        await driver
        if trace and snapshot is not None:
            top = tracemalloc.take_snapshot().compare_to(snapshot, "traceback")[:12]
            print("tracemalloc: largest growth since minute 2")
            for stat in top:
                print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {stat.traceback.format()[-1].strip()}")
        await engine.stop()
        await control.aclose()
    finally:
        box.close()
    base = rows[min(9, len(rows) - 1)] if len(rows) > 10 else rows[min(len(rows) - 1, len(rows) // 3)]
    base_minute = rows.index(base) + 1
    growth = rows[-1][0] - base[0]
    tail = rows[-min(5, len(rows)):]
    slope = (tail[-1][0] - tail[0][0]) / max(1, len(tail) - 1)
    # Behind = a backlog that stays: more than ~30 s of notifications waiting at each of the
    # last three minutes (with statuses on a message brings ~4 notifications; one snapshot
    # can catch a burst of delivery statuses that drains within seconds).
    per_message = 4 if statuses else 1
    last = [row[2] for row in rows[-3:]]
    behind = min(last) > max(50, rate * per_message * 30)
    print(f"engine RSS: {rows[0][0]:.1f} MiB at minute 1, {base[0]:.1f} at minute {base_minute}, {rows[-1][0]:.1f} at the end "
          f"-> +{growth:.1f} MiB after minute {base_minute} (goal <= +20 MiB); last minutes {slope:+.2f} MiB/min")
    print(f"sandbox RSS (apart): {rows[0][1]:.1f} -> {rows[-1][1]:.1f} MiB")
    print(f"queue: {', '.join(f'{w:.0f}' for w in last)} notifications waiting in the last minutes, most "
          f"{max(row[2] for row in rows):.0f} (minute {max(range(len(rows)), key=lambda i: rows[i][2]) + 1}) -> "
          f"{'FELL BEHIND' if behind else 'keeps up'}; load average now {os.getloadavg()[0]:.1f} (shared machine)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=2.0, help="customer messages per second")
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--no-statuses", action="store_true", help="the instance sends no per-message statuses")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what grows (slower)")
    args = parser.parse_args()
    return asyncio.run(soak(args.minutes, args.rate, args.chats, not args.no_statuses, args.trace))


if __name__ == "__main__":
    sys.exit(main())
