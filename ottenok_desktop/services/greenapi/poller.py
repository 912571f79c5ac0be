"""The poller: long-polls GREEN-API, stores each notification, and only then deletes it.

Order per notification: receive → store in the inbox and apply it, in one transaction
at the DB thread's urgent priority (duplicates are no-ops, unreadable bodies are stored
as poison; a row is applied at once only when no older one waits, in a savepoint, so a
failing apply never undoes the store) → publish its events, wake the dispatcher → delete.
Rows left `new` are applied by the applier, oldest first, in batches. If the program
dies between store and delete, the notification comes back and is recognised as a
duplicate; rows stored but not yet applied are applied at the next start. A separate watcher checks
the instance state at most once a minute.

Round trips: every notification costs a receive and a delete, one after the other
(the queue's head comes back until it is deleted), so the queue drains at one
notification per two round trips whatever the engine does. A customer's turn starts
as soon as its notification is stored and applied, while its delete is still on the
wire. Delivery ticks and the echoes of API sends (`DELETED_FIRST`) are deleted at once
and stored behind, in batches: nothing waits on the database between their receive and
their delete. A crash can lose the few not stored yet; the instance's journal
(lastOutgoingMessages, read at least once a minute over the last ten) brings the ticks
back and still shows a send this program did not make. And the instance is asked for
as few notifications as the engine needs
(`InstanceNotifications`): by default no API echoes (sendMessage's answer already gives
the idMessage; a timed-out send is reconciled through lastOutgoingMessages) and no
per-message statuses (ticks come from the journal, see journal.py). A second program on
the same instance is detected (shared.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import OrderedDict
from datetime import datetime, timedelta
from dataclasses import dataclass
from typing import Callable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner, wait_event
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.database import URGENT

from .client import GreenApiClient, ReceivedNotification
from .errors import GreenApiAuthError, GreenApiError, GreenApiInstanceNotReady, GreenApiQuotaExceeded, GreenApiTlsError
from .ingest import IngestResult, Stored, apply_pending, prune_inbox, store_behind, store_or_apply
from .journal import apply_journal
from .shared import SharedInstanceDetector

log = logging.getLogger(__name__)

# Kinds the instance's journal can bring back, so they need not be stored before their
# delete: a delivery tick (sent/delivered/read) and the echo of a send through the API.
DELETED_FIRST = frozenset({"outgoingMessageStatus", "outgoingAPIMessageReceived"})
BEHIND_BATCH = 20  # notifications stored behind per transaction (a turn's commit never waits long)
BEHIND_MAX = 20_000  # held in memory at most while the database cannot take them


@dataclass(frozen=True)
class InstanceNotifications:
    """Which notifications the instance is asked for (GREEN-API's setSettings names).

    Each notification costs two serial round trips in the one queue that customers'
    messages wait in. Needed always: customers' messages (`incomingWebhook`), messages
    typed on the shop phone (`outgoingMessageWebhook`: the bot goes quiet there) and
    instance state changes (`stateWebhook`). Optional:
    - `api_echoes` (`outgoingAPIMessageWebhook`): the echo of each of our own sends — one
      more notification per reply part. sendMessage's answer already carries the
      idMessage; an ambiguous (timed-out) send is reconciled via lastOutgoingMessages.
    - `delivery_statuses` (`outgoingWebhook`): sent/delivered/read for every outgoing
      message — three notifications per reply part (after an announcement to 300 chats,
      900 of them ahead of the next customer). Off: ticks come from the journal.
    """

    api_echoes: bool = False
    delivery_statuses: bool = False

    def settings(self) -> dict[str, str]:
        return {
            "incomingWebhook": "yes", "outgoingMessageWebhook": "yes", "stateWebhook": "yes",
            "outgoingAPIMessageWebhook": "yes" if self.api_echoes else "no",
            "outgoingWebhook": "yes" if self.delivery_statuses else "no",
        }


class Poller:
    def __init__(
        self, client: GreenApiClient, db: Database, bus: ev.EventBus, clock: Clock, *,
        on_ingested: Callable[[IngestResult], None], receive_timeout: int = 20,
        state_interval: float = 60.0, error_backoff_max: float = 30.0,
        notifications: InstanceNotifications | None = None, journal_interval: float = 60.0,
        journal_after_send: float = 3.0, journal_minutes: int = 10,
        detector: SharedInstanceDetector | None = None,
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
        self.notifications = notifications or InstanceNotifications()
        self.inbox_keep = timedelta(days=2)  # GREEN-API keeps a notification 24 h: older ones cannot come back
        self.detector = detector or SharedInstanceDetector(bus)
        self._journal_interval = journal_interval
        self._journal_after_send = journal_after_send
        self._journal_minutes = journal_minutes
        self._journal_wake = asyncio.Event()
        self._journal_since: float | None = None  # wall-clock seconds, like the journal's timestamps
        # Foreign sends already reported (bounded: the journal window shows each many times).
        self._foreign_seen: OrderedDict[str, None] = OrderedDict()
        self._journal_seen: OrderedDict[str, object] = OrderedDict()  # idMessage -> status last looked at (bounded)
        # Receipts we received (bounded): a false delete of one of these is someone else's.
        self.deleted_by_others = 0
        self._deleted: OrderedDict[int, None] = OrderedDict()  # receipts we deleted (bounded)
        # Deleted first, to be stored: (body text, body, receipt id, received at).
        self._behind: list[tuple[str, object, int, datetime]] = []
        self._behind_wake = asyncio.Event()
        self.stored_behind = 0
        self.journal_calls = 0
        bus.subscribe(lambda _e: self._journal_wake.set(), ev.MessageSent)

    def start(self) -> None:
        self._tasks.spawn(self._apply_forever(), name="inbox-applier")
        self._tasks.spawn(self._poll_forever(), name="poller")
        self._tasks.spawn(self._watch_state(), name="instance-state")
        self._tasks.spawn(self._watch_journal(), name="journal")
        self._tasks.spawn(self._prune_forever(), name="inbox-prune")
        self._tasks.spawn(self._store_behind_forever(), name="inbox-behind")
        self._apply_wake.set()  # rows stored before a crash

    async def stop(self) -> None:
        await self._tasks.shutdown()
        if self._behind:  # deleted already: store them now rather than wait for the journal
            pending, self._behind = self._behind, []
            try:
                await self._db.atomic(store_behind, pending)
            except Exception as exc:  # e.g. the seat lost its lease: the journal brings them back
                log.info("%d ticks/echoes deleted but not stored at stop (%s); the journal has them", len(pending), exc)


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

    async def handle(self, note: ReceivedNotification) -> Stored | None:
        """Store, then delete; a kind the journal can bring back is deleted first and
        stored behind (None is returned for it)."""
        if not note.decode_error and isinstance(note.body, dict) and note.body.get("typeWebhook") in DELETED_FIRST:
            self._hold_behind((json.dumps(note.body, ensure_ascii=False), note.body, note.receipt_id, self._clock.now()))
            self.received += 1
            await self._delete(note.receipt_id)
            return None
        body_text = note.raw if note.decode_error else json.dumps(note.body, ensure_ascii=False)
        stored, applied = await self._db.atomic(
            store_or_apply, body_text, note.body, note.receipt_id, self._clock.now(), priority=URGENT
        )
        self.received += 1
        self._stored(stored, applied, note.receipt_id)
        await self._delete(note.receipt_id, duplicate=stored.duplicate)
        return stored

    def _stored(self, stored: Stored, applied: IngestResult | None, receipt_id: int | None) -> None:
        if stored.poison:
            self.poison += 1
            log.warning("poison notification %s stored and skipped: %s", receipt_id, stored.reason)
            self._bus.publish(ev.PoisonNotification(receipt_id or 0, stored.reason))
        if applied is not None:
            self._publish(applied)  # applied already, in the store's transaction
        elif stored.inbox_id is not None and not stored.poison:
            self._apply_wake.set()  # stored for good: the turn need not wait for the delete's round trip

    def _hold_behind(self, item: tuple[str, object, int, datetime]) -> None:
        self._behind.append(item)
        if len(self._behind) > BEHIND_MAX:  # the database has been failing for a long time
            dropped = len(self._behind) - BEHIND_MAX
            del self._behind[:dropped]
            log.warning("%d ticks/echoes not stored (the database keeps failing); the journal brings the ticks back", dropped)
        self._behind_wake.set()

    async def _store_behind_forever(self) -> None:
        """Stores what was deleted first, oldest first, in batches, at the database's normal
        priority (behind the stores the deletes of customers' messages wait for)."""
        while True:
            await self._behind_wake.wait()
            self._behind_wake.clear()
            while self._behind:
                batch, self._behind = self._behind[:BEHIND_BATCH], self._behind[BEHIND_BATCH:]
                try:
                    results = await self._db.atomic(store_behind, batch)
                except asyncio.CancelledError:
                    # Back in front, for stop() to store (if it was committed meanwhile, as duplicates).
                    self._behind[:0] = batch
                    raise
                except Exception as exc:  # kept, tried again; the journal has them in any case
                    self._behind[:0] = batch
                    log.warning("storing %d ticks/echoes failed (%s); trying again in 1 s", len(batch), exc)
                    self._bus.publish(ev.EngineError("inbox", f"{type(exc).__name__}: {exc}"))
                    await asyncio.sleep(1.0)
                    continue
                for item, result in zip(batch, results):
                    if result is not None:
                        self.stored_behind += 1
                        self._stored(result[0], result[1], item[2])

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
                self._publish(result)
            if len(results) >= self.apply_batch:
                self._apply_wake.set()

    def _publish(self, result: IngestResult) -> None:
        if result.foreign_send:
            self._foreign(result.foreign_send, result.chat_id or "")
        for event in result.events:
            if isinstance(event, ev.InstanceStateChanged):
                self._set_state(event.state, event.detail)
            else:
                self._bus.publish(event)
        self._on_ingested(result)

    async def _delete(self, receipt_id: int, *, duplicate: bool = False) -> None:
        try:
            deleted = await self._client.delete_notification(receipt_id)
        except GreenApiError as exc:
            # Stored already: if it comes back, ingest sees a duplicate.
            log.warning("deleteNotification %s failed: %s", receipt_id, exc)
            return
        if deleted:
            self._deleted[receipt_id] = None
            while len(self._deleted) > 1000:
                self._deleted.popitem(last=False)
        elif not duplicate and receipt_id not in self._deleted:
            # "Deleted earlier": we had just received it, so someone else reads this queue
            # (a duplicate may be the head we deleted once already, whose answer was lost).
            self.deleted_by_others += 1
            self.detector.foreign_delete(receipt_id)

    def _foreign(self, external_id: str, chat_id: str) -> None:
        if external_id in self._foreign_seen:
            return
        self._foreign_seen[external_id] = None
        while len(self._foreign_seen) > 1000:
            self._foreign_seen.popitem(last=False)
        self.detector.foreign_send(external_id, chat_id)

    async def check_instance_settings(self) -> list[str]:
        """Polling needs an empty webhookUrl and the notifications of `InstanceNotifications`.
        Switches them on or off as needed; a webhook URL set by another tool is reported,
        not removed (removing it would break that tool). Returns problems found."""
        problems: list[str] = []
        try:
            current = await self._client.get_settings()
            wanted = self.notifications.settings()
            missing = {k: v for k, v in wanted.items() if current.get(k) not in (v, None)}
            if missing:
                await self._client.set_settings(missing)
                log.info("instance settings changed: %s", ", ".join(f"{k}={v}" for k, v in sorted(missing.items())))
            if current.get("webhookUrl"):
                problems.append("webhook_configured")
                self._set_state("webhook_configured", "the instance sends notifications to a webhook URL; polling gets none")
        except GreenApiError as exc:
            log.warning("cannot check instance settings: %s", exc)
            problems.append("settings_unavailable")
        return problems

    async def refresh_journal(self, minutes: int | None = None) -> int:
        """Read lastOutgoingMessages once (the last `minutes`): apply delivery ticks, look
        for foreign sends. Returns how many ticks advanced."""
        if self._journal_since is None:
            self._journal_since = time.time()
        records = await self._client.last_outgoing_messages(minutes or self._journal_minutes)
        self.journal_calls += 1
        # Only records that changed since the last look reach the database.
        fresh = [r for r in records if self._journal_seen.get(str(r.get("idMessage"))) != r.get("statusMessage")]
        result = await self._db.atomic(apply_journal, fresh, self._journal_since)
        for record in fresh:
            key = str(record.get("idMessage"))
            self._journal_seen.pop(key, None)
            self._journal_seen[key] = record.get("statusMessage")
        while len(self._journal_seen) > 20_000:
            self._journal_seen.popitem(last=False)
        for event in result.events:
            self._bus.publish(event)
        for external_id in result.foreign_sends:
            chat_id = next((str(r.get("chatId")) for r in records if r.get("idMessage") == external_id), "")
            self._foreign(external_id, chat_id)
        return result.statuses_applied

    async def _watch_journal(self) -> None:
        """Every `journal_interval` s over the last `journal_minutes` (late delivered/read
        ticks); and, when the ticks come from here, `journal_after_send` s after sends over
        the last minute (at most that often: sends meanwhile share the call)."""
        self._journal_since = time.time()
        loop = asyncio.get_running_loop()
        next_full = loop.time() + self._journal_interval
        while True:
            minutes: int | None = None
            if self.notifications.delivery_statuses:
                # Ticks come as notifications: the periodic look (detection) is enough.
                await asyncio.sleep(max(0.0, next_full - loop.time()))
                woken = False
            else:
                woken = await wait_event(self._journal_wake, max(0.0, next_full - loop.time()))
            if woken:
                await asyncio.sleep(self._journal_after_send)
                minutes = 1
            else:
                next_full = loop.time() + self._journal_interval
            self._journal_wake.clear()
            try:
                await self.refresh_journal(minutes)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # ticks wait for the next round; never fatal
                log.info("reading lastOutgoingMessages failed (ticks wait for the next look): %s", exc)
                await asyncio.sleep(self._journal_interval)

    async def _prune_forever(self) -> None:
        """Once an hour, forget applied inbox rows older than `inbox_keep` (the database
        file — and with it the page cache a long-running program fills — stops growing)."""
        while True:
            await asyncio.sleep(3600)
            try:
                removed = await self._db.atomic(prune_inbox, self._clock.now() - self.inbox_keep)
                if removed:
                    log.info("inbox: %d applied notifications older than %s forgotten", removed, self.inbox_keep)
            except asyncio.CancelledError:
                raise
            except Exception:  # pruning is housekeeping: try again in an hour
                log.exception("pruning the inbox failed")

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
