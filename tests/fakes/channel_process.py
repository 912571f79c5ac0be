"""A channel-only engine in its own process, for crash and signal tests.

Usage: python -m tests.fakes.channel_process DATA_DIR  (GREEN_API_* from the environment)
It answers each turn with EchoResponder after a short delay, prints READY, and runs
until SIGINT/SIGTERM — or until it is killed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.logging_setup import configure_logging
from ottenok_desktop.settings import load_settings
from tests.fakes.responders import EchoResponder


async def main(data_dir: str) -> int:
    settings = load_settings(data_dir=data_dir)
    configure_logging(settings.logs_dir, [settings.green_api_token.reveal()])
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine = build_engine(settings, responder=EchoResponder(delay=0.05), channel_only=True, receive_timeout=5,
                          sender_retry_base=0.05)
    await engine.start()
    print("READY", flush=True)
    await stop.wait()
    await engine.stop()
    print("STOPPED", "qt" if any(m.startswith(("PySide6", "qasync", "shiboken6")) for m in sys.modules) else "no-qt", flush=True)
    logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
