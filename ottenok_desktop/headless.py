"""The headless runner: the engine alone, no Qt imported. SIGINT/SIGTERM (and on Windows
Ctrl+Break, closing the console, logoff and shutdown: stop_signals.py) stop it cleanly:
polling stops, interrupted turns stay pending (they resume at the next start), queued
messages stay in the outbox, the database is closed."""

from __future__ import annotations

import asyncio
import logging
import sys

from .settings import Settings

log = logging.getLogger(__name__)


async def run_engine_until_signal(settings: Settings, stop: asyncio.Event | None = None) -> int:
    from .bootstrap import build_engine
    from .stop_signals import StopSignals

    stop = stop or asyncio.Event()
    signals = StopSignals(asyncio.get_running_loop(), stop.set)
    signals.install()
    if settings.database_url:  # several seats: run the engine only while this seat holds the lease
        from .seat_runner import run_seat_until

        return await run_seat_until(settings, stop)
    engine = build_engine(settings)
    try:
        await engine.start()
        if engine.sandbox is not None:
            log.info("demo mode: GREEN-API sandbox at %s (control: %s/sandbox/...)", engine.sandbox.api_url, engine.sandbox.api_url)
            print(f"READY demo sandbox={engine.sandbox.api_url}", flush=True)
        else:
            print("READY", flush=True)
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            await engine.stop()
            log.info("stopped cleanly")
    finally:
        signals.stopped()  # a console-close handler waiting on another thread may return now
    return 0


def run_headless(settings: Settings) -> int:
    from .services.instance_lock import EXIT_ALREADY_RUNNING, InstanceLock
    from .services.storage.integrity import EXIT_DAMAGED, DatabaseDamaged, inspect_database

    with InstanceLock(settings.data_dir, "headless") as lock:
        if not lock.acquire():  # one program per data dir
            print(lock.already_running_message(), file=sys.stderr, flush=True)
            return EXIT_ALREADY_RUNNING
        damage = inspect_database(settings.database_path)
        try:
            if damage is None:
                return asyncio.run(run_engine_until_signal(settings))
        except DatabaseDamaged as exc:  # found by SQLite itself while opening
            damage = exc.damage
        except KeyboardInterrupt:
            return 0
        print(f"{damage.message_en()}\n\n{damage.message_ru()}", file=sys.stderr, flush=True)
        return EXIT_DAMAGED
