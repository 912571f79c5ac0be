"""The poller: long-polls GREEN-API, stores each notification, and only then deletes it.

Order per notification: receive → ingest (one DB transaction; duplicates are no-ops,
unreadable bodies are stored as poison) → delete → publish events, wake the dispatcher
and the sender. If the program dies between ingest and delete, the notification comes
back and is recognised as a duplicate. A separate watcher checks the instance state at
most once a minute.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Callable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database

from .client import GreenApiClient, ReceivedNotification
from .errors import GreenApiAuthError, GreenApiError, GreenApiInstanceNotReady, GreenApiQuotaExceeded
from .ingest import IngestResult, ingest_notification

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self, client: GreenApiClient, db: Database, bus: ev.EventBus, clock: Clock, *,
        on_ingested: Callable[[IngestResult], None], receive_timeout: int = 20,
        state_interval: float = 60.0, error_backoff_max: float = 30.0,
    ) -> None:
        self._client = client
        self._db = db
        self._bus = bus
        self._clock = clock
        self._on_ingested = on_ingested
        self._receive_timeout = receive_timeout
        self._state_interval = state_interval
        self._backoff_max = error_backoff_max
        self._tasks = TaskOwner("poller")
        self.instance_state = "unknown"
        self.received = 0
        self.poison = 0
        self._idle = asyncio.Event()

    def start(self) -> None:
        self._tasks.spawn(self._poll_forever(), name="poller")
        self._tasks.spawn(self._watch_state(), name="instance-state")

    async def stop(self) -> None:
        await self._tasks.shutdown()

    async def wait_empty(self, timeout: float = 30.0) -> None:
        """Wait until a poll has come back empty (for tests and the self-test)."""
        self._idle.clear()
        await asyncio.wait_for(self._idle.wait(), timeout)

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self.instance_state:
            self.instance_state = state
            self._bus.publish(ev.InstanceStateChanged(state, detail))

    async def _poll_forever(self) -> None:
        failures = 0
        while True:
            try:
                note = await self._client.receive_notification(self._receive_timeout)
                failures = 0
                if note is None:
                    self._idle.set()
                    continue
                await self.handle(note)
            except asyncio.CancelledError:
                raise
            except GreenApiAuthError as exc:
                self._set_state("wrong_credentials", str(exc))
                await asyncio.sleep(60)
            except GreenApiQuotaExceeded as exc:
                self._set_state("quota", str(exc))
                await asyncio.sleep(60)
            except GreenApiInstanceNotReady as exc:
                self._set_state(exc.state or "starting", str(exc))
                await asyncio.sleep(10)
            except GreenApiError as exc:
                failures += 1
                delay = min(self._backoff_max, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1.0)
                log.warning("receiveNotification failed (%s); retrying in %.1fs", exc, delay)
                self._bus.publish(ev.EngineError("poller", str(exc)))
                await asyncio.sleep(delay)
            except Exception as exc:  # keep polling whatever happens; the notification stays queued
                failures += 1
                log.exception("poller step failed")
                self._bus.publish(ev.EngineError("poller", f"{type(exc).__name__}: {exc}"))
                await asyncio.sleep(min(self._backoff_max, 0.5 * 2 ** min(failures, 6)))

    async def handle(self, note: ReceivedNotification) -> IngestResult:
        result = await self._db.atomic(ingest_notification, note.raw, note.body, note.receipt_id, self._clock.now())
        self.received += 1
        if result.poison:
            self.poison += 1
            log.warning("poison notification %s stored and skipped", note.receipt_id)
        await self._delete(note.receipt_id)
        for event in result.events:
            if isinstance(event, ev.InstanceStateChanged):
                self._set_state(event.state, event.detail)
            else:
                self._bus.publish(event)
        self._on_ingested(result)
        return result

    async def _delete(self, receipt_id: int) -> None:
        try:
            await self._client.delete_notification(receipt_id)
        except GreenApiError as exc:
            # Stored already: if it comes back, ingest sees a duplicate.
            log.warning("deleteNotification %s failed: %s", receipt_id, exc)

    async def _watch_state(self) -> None:
        while True:
            try:
                self._set_state(await self._client.get_state_instance())
            except asyncio.CancelledError:
                raise
            except GreenApiAuthError as exc:
                self._set_state("wrong_credentials", str(exc))
            except GreenApiError as exc:
                self._set_state("unreachable", str(exc))
            await asyncio.sleep(self._state_interval)
