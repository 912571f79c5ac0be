"""Wake-ups from other seats: PostgreSQL `LISTEN` on a thread of its own.

Every write transaction on PostgreSQL ends with a `NOTIFY` on `CHANNEL` (see
Database._in_transaction; delivered only when it commits). `ChangeListener` keeps one
synchronous psycopg connection in autocommit (async psycopg refuses the Windows
Proactor loop qasync runs), waits for notifications and hands each one to the loop
with `loop.call_soon_threadsafe`. A notification is only a hint: nothing is replayed
while the connection is down, so after every (re)connect the callback is called with
`resync=True` and the consumer catches up by id (services/storage/catchup.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Callable

import psycopg

log = logging.getLogger(__name__)

CHANNEL = "ottenok_changes"

Callback = Callable[[str, bool], None]  # (payload, resync)


class ChangeListener:
    def __init__(self, url: str, loop: asyncio.AbstractEventLoop, callback: Callback, *,
                 retry_delay: float = 1.0, poll: float = 0.5, application_name: str = "ottenok listener") -> None:
        self._url = url
        self._loop = loop
        self._callback = callback
        self._retry_delay = retry_delay
        self._poll = poll
        self._application_name = application_name
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ottenok-listen", daemon=True)
        self.connected = threading.Event()
        self.connections = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _hand(self, payload: str, resync: bool) -> None:
        try:
            self._loop.call_soon_threadsafe(self._callback, payload, resync)
        except RuntimeError:  # the loop is closed: we are shutting down
            self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=10,
                                     application_name=self._application_name) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connections += 1
                    self.connected.set()
                    self._hand("", True)  # whatever happened while we were not listening
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self._poll):
                            self._hand(note.payload, False)
            except psycopg.Error as exc:
                self.connected.clear()
                if self._stop.is_set():
                    return
                log.warning("change listener lost its connection (%s); retrying", type(exc).__name__)
                self._stop.wait(self._retry_delay)
