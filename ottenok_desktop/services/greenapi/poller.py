"""The poller: long-polls GREEN-API, stores each notification, and only then deletes it.

Order per notification: receive → store in the inbox (one small insert at the DB
thread's urgent priority; duplicates are no-ops, unreadable bodies are stored as
poison) → delete → the applier turns stored notifications into messages in batches,
publishes events and wakes the dispatcher and the sender. If the program dies between
store and delete, the notification comes back and is recognised as a duplicate; rows
stored but not yet applied are applied at the next start. A separate watcher checks
the instance state at most once a minute.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Callable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.database import URGENT

from .client import GreenApiClient, ReceivedNotification
from .errors import GreenApiAuthError, GreenApiError, GreenApiInstanceNotReady, GreenApiQuotaExceeded, GreenApiTlsError
from .ingest import IngestResult, Stored, apply_pending, store_notification

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
        self._apply_wake = asyncio.Event()
        self.apply_batch = 200

    def start(self) -> None:
        self._tasks.spawn(self._apply_forever(), name="inbox-applier")
        self._tasks.spawn(self._poll_forever(), name="poller")
        self._tasks.spawn(self._watch_state(), name="instance-state")
        self._apply_wake.set()  # rows stored before a crash

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
            except GreenApiTlsError as exc:  # HTTPS certificate not trusted (antivirus scanning HTTPS)
                self._set_state("tls_untrusted", str(exc))
                await asyncio.sleep(30)
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

    async def handle(self, note: ReceivedNotification) -> Stored:
        body_text = note.raw if note.decode_error else json.dumps(note.body, ensure_ascii=False)
        stored = await self._db.atomic(
            store_notification, body_text, note.body, note.receipt_id, self._clock.now(), priority=URGENT
        )
        self.received += 1
        if stored.poison:
            self.poison += 1
            log.warning("poison notification %s stored and skipped: %s", note.receipt_id, stored.reason)
            self._bus.publish(ev.PoisonNotification(note.receipt_id, stored.reason))
        await self._delete(note.receipt_id)
        if stored.inbox_id is not None and not stored.poison:
            self._apply_wake.set()
        return stored

    async def _apply_forever(self) -> None:
        while True:
            await self._apply_wake.wait()
            self._apply_wake.clear()
            try:
                results = await self._db.atomic(apply_pending, self._clock.now(), self.apply_batch, priority=URGENT)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep the rows; try again on the next wake
                log.exception("applying stored notifications failed")
                self._bus.publish(ev.EngineError("inbox", f"{type(exc).__name__}: {exc}"))
                await asyncio.sleep(1.0)
                self._apply_wake.set()
                continue
            for result in results:
                for event in result.events:
                    if isinstance(event, ev.InstanceStateChanged):
                        self._set_state(event.state, event.detail)
                    else:
                        self._bus.publish(event)
                self._on_ingested(result)
            if len(results) >= self.apply_batch:
                self._apply_wake.set()

    async def _delete(self, receipt_id: int) -> None:
        try:
            await self._client.delete_notification(receipt_id)
        except GreenApiError as exc:
            # Stored already: if it comes back, ingest sees a duplicate.
            log.warning("deleteNotification %s failed: %s", receipt_id, exc)

    # The notifications the engine depends on: the shop phone's messages (the bot goes
    # quiet), delivery statuses, and the API echo (settles a timed-out send).
    REQUIRED_SETTINGS = {
        "incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "outgoingWebhook": "yes",
        "outgoingAPIMessageWebhook": "yes", "stateWebhook": "yes",
    }

    async def check_instance_settings(self) -> list[str]:
        """Polling needs an empty webhookUrl and the notifications above switched on.
        Turns missing notifications on; a webhook URL set by another tool is reported,
        not removed (removing it would break that tool). Returns problems found."""
        problems: list[str] = []
        try:
            current = await self._client.get_settings()
            missing = {k: v for k, v in self.REQUIRED_SETTINGS.items() if current.get(k) not in (v, None)}
            if missing:
                await self._client.set_settings(missing)
                log.info("instance settings switched on: %s", ", ".join(sorted(missing)))
            if current.get("webhookUrl"):
                problems.append("webhook_configured")
                self._set_state("webhook_configured", "the instance sends notifications to a webhook URL; polling gets none")
        except GreenApiError as exc:
            log.warning("cannot check instance settings: %s", exc)
            problems.append("settings_unavailable")
        return problems

    async def _watch_state(self) -> None:
        while True:
            try:
                self._set_state(await self._client.get_state_instance())
            except asyncio.CancelledError:
                raise
            except GreenApiAuthError as exc:
                self._set_state("wrong_credentials", str(exc))
            except GreenApiInstanceNotReady as exc:
                self._set_state(exc.state or "starting", str(exc))
            except GreenApiTlsError as exc:
                self._set_state("tls_untrusted", str(exc))
            except GreenApiError as exc:
                self._set_state("unreachable", str(exc))
            await asyncio.sleep(self._state_interval)
