"""One seat on a shared PostgreSQL database, in its own process, for the seat fault tests
and bench/seats.py: a channel-only engine (EchoResponder) that runs only while this seat
holds the engine lease (ottenok_desktop/seat_runner.py).

Usage: python -m tests.fakes.seat_process DATA_DIR
(DATABASE_URL, OTTENOK_SEAT_ID, OTTENOK_LEASE_SECONDS and GREEN_API_* from the environment)
Prints READY, then LEADER <epoch> / FOLLOWER lines as the lease changes hands; SIGTERM stops it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.logging_setup import configure_logging
from ottenok_desktop.seat_runner import SeatRunner
from ottenok_desktop.services.storage.urls import url_password
from ottenok_desktop.settings import Settings, load_settings
from tests.fakes.responders import EchoResponder


def channel_engine(settings: Settings) -> Any:
    return build_engine(settings, responder=EchoResponder(delay=0.05), channel_only=True, receive_timeout=5,
                        sender_retry_base=0.05)


async def main(data_dir: str) -> int:
    settings = load_settings(data_dir=data_dir)
    url = settings.database_url.reveal()
    configure_logging(settings.logs_dir, [settings.green_api_token.reveal(), url, url_password(url)])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = SeatRunner(settings, factory=channel_engine,
                        observer=lambda change: print(f"{change.state.name} {change.epoch}", flush=True))
    await runner.start()
    print(f"READY {runner.lease.seat.seat_id}", flush=True)
    await stop.wait()
    await runner.stop()
    print("STOPPED", flush=True)
    logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
