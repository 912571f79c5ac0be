"""The headless runner: the engine alone, no Qt imported. SIGINT/SIGTERM stop it cleanly:
polling stops, interrupted turns stay pending (they resume at the next start), queued
messages stay in the outbox, the database is closed."""

from __future__ import annotations

import asyncio
import logging
import signal

from .settings import Settings

log = logging.getLogger(__name__)


async def run_engine_until_signal(settings: Settings, stop: asyncio.Event | None = None) -> int:
    from .bootstrap import build_engine

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: fall back to KeyboardInterrupt
            pass
    if settings.database_url:  # several seats: run the engine only while this seat holds the lease
        from .seat_runner import run_seat_until

        return await run_seat_until(settings, stop)
    engine = build_engine(settings)
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
    return 0


def run_headless(settings: Settings) -> int:
    try:
        return asyncio.run(run_engine_until_signal(settings))
    except KeyboardInterrupt:
        return 0
