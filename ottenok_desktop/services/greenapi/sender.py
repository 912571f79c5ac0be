"""The sender: delivers the outbox, in order per chat, until each item has gone.

Every item was stored before we try to send it. Per chat, items go strictly in order
(a later one waits while an earlier one is retried). Retryable failures (network,
429, 5xx, instance not ready) back off; a timed-out send is ambiguous — the message
may have gone — so before resending, the sender looks for it in
`lastOutgoingMessages` (and the API echo, when the instance sends echoes, may settle
it first). That journal may lag behind the sends (GREEN-API: up to two minutes), so
with `reconcile_grace` > 0 a send is declared lost only once the journal has had that
long to show it; until then it is looked up again, never resent. Bot replies for a
chat a manager has taken are dropped, not sent.

On a shared database (several seats) the sender runs only on the seat holding the
engine lease: its claims and records are fenced transactions, and right before each
HTTP request `SendFence` asks the database how long the lease has left (none or too
little: the claim is given back, the send is not made, the seat steps down); see
services/send_fence.py. Without a lease (SQLite) that check costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.channels import ChannelRouter
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.lease import LeaseLost
from ottenok_desktop.engine.tasks import TaskOwner, wait_event
from ottenok_desktop.services.send_fence import SendFence, SendRefused
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob

from .client import GreenApiClient
from .errors import (
    GreenApiAuthError, GreenApiError, GreenApiInstanceNotReady, GreenApiQuotaExceeded, GreenApiTimeout,
)

log = logging.getLogger(__name__)

LEASE_LOST_HOLD = 1.0  # seconds without claims after the engine lease was found gone


class RateLimiter:
    """At most `rate` calls per second (GREEN-API allows 50 sends/s)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            now = loop.time()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self._interval

    def take_now(self) -> bool:
        """Take the next turn if it is free right now (no wait); False otherwise."""
        if self._lock.locked():
            return False
        now = asyncio.get_running_loop().time()
        if self._next > now:
            return False
        self._next = now + self._interval
        return True


class _Slot:
    """One drain's hold on a send slot (`Sender._in_flight`), given back exactly once."""

    __slots__ = ("_slots", "_held")

    def __init__(self, slots: asyncio.Semaphore, *, held: bool = False) -> None:
        self._slots = slots
        self._held = held

    async def take(self) -> None:
        await self._slots.acquire()
        self._held = True

    def give(self) -> None:
        if self._held:
            self._held = False
            self._slots.release()


class Sender:
    def __init__(
        self, client: GreenApiClient, db: Database, bus: ev.EventBus, clock: Clock, *,
        on_sent: Callable[[str, str, datetime, str], None] | None = None, rate: float = 40.0,
        retry_base: float = 1.0, retry_cap: float = 300.0, reconcile_minutes: int = 60, max_in_flight: int = 32,
        reconcile_grace: float = 0.0, channels: ChannelRouter | None = None, fence: SendFence | None = None,
    ) -> None:
        self._client = client
        self._fence = fence
        self.channels = channels or ChannelRouter()  # rows of other channels' chats (Telegram)
        self._db = db
        self._bus = bus
        self._clock = clock
        self._on_sent = on_sent
        self._limiter = RateLimiter(rate)
        # Hundreds of chats sending at once must not starve the long poll (its session is
        # separate, client.py) nor queue hundreds of requests: a few dozen sends in flight
        # keep the throughput (16 at a 120 ms round trip carry GREEN-API's 50/s). 32, as a
        # reply handed over by its turn holds its slot through the turn's commit too.
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._reconcile_minutes = reconcile_minutes
        self._reconcile_grace = reconcile_grace
        # When each item's ambiguous attempt was made (monotonic s); after a restart the
        # item counts as just attempted, so the grace starts again (never a blind resend).
        self._ambiguous_at: dict[int, float] = {}
        self._more: dict[str, bool] = {}  # chat -> has more to send (known after a send)
        self._tasks = TaskOwner("sender")
        self._wake = asyncio.Event()
        self._busy: set[str] = set()
        # Chats a scan found due while busy here: their drain rescans when it ends.
        self._missed: set[str] = set()
        # Outbox ids a committed turn handed over already claimed (`hand_over`): their
        # MessageQueued needs no scan.
        self._handed: set[int] = set()
        self.handed_over = 0
        self.sent_count = 0
        # After a fenced write or a send check found the lease gone: claim nothing for a
        # moment; the seat looks at its lease meanwhile and stops this engine, or renews.
        self._hold_until = 0.0
        self.lease_losses = 0

    async def start(self) -> None:
        await self._db.call(ob.reset_interrupted, self._clock.now())
        self._tasks.spawn(self._run(), name="sender")
        self.wake()

    async def stop(self) -> None:
        await self._tasks.shutdown()
        if self._fence is not None and (self._fence.checks or self.lease_losses):
            log.info("engine lease checked before %d sends, %d refused; found lost %d times",
                     self._fence.checks, self._fence.refused, self.lease_losses)

    def wake(self) -> None:
        self._wake.set()

    def queued(self, outbox_id: int) -> None:
        """An outbox row was committed: scan for it, unless a turn handed it over already
        (its chat's drain sends it in order)."""
        if outbox_id in self._handed:
            self._handed.discard(outbox_id)
            return
        self.wake()

    # ---- a turn's reply, claimed in the turn's own commit (issue 18) ------------------
    # The usual path of a reply: the turn commits its outbox rows, MessageQueued wakes the
    # sender, a scan finds the chat, its drain takes a send slot and claims the row, then
    # sends — three database jobs between the commit and the request. Instead, right
    # before the commit the turn reserves the chat's drain, a send slot and a rate-limit
    # turn (`reserve`, only if all are free now: nothing waits holding a claim), the
    # commit claims the chat's next due item in the same transaction (storage/turns.py),
    # and `hand_over` sends it at once. Order per chat, the owner check at the claim (the
    # commit's own, in the same transaction), the claim's commit before the request and
    # the lease gate right before it all hold as on the usual path.
    async def reserve(self, chat_id: str) -> bool:
        """Take `chat_id`'s drain, a send slot and a rate-limit turn if all are free now.
        True: the caller must then call `hand_over` or `release`."""
        if (self._tasks.closed or chat_id in self._busy or self._in_flight.locked()
                or self._hold_until > time.monotonic() or not self._limiter.take_now()):
            return False
        self._busy.add(chat_id)
        await self._in_flight.acquire()  # free (checked above): returns without waiting
        return True

    def release(self, chat_id: str) -> None:
        """A reservation whose commit claimed nothing (or failed)."""
        self._in_flight.release()
        self._drained(chat_id, rescan=False)

    def hand_over(self, job: ob.SendJob, queued: list[int]) -> None:
        """The reserving turn's commit claimed `job`: send it now with the reserved slot,
        then drain the chat as usual. `queued`: the outbox ids that commit created."""
        if self._tasks.closed:  # stopping: the claim is reconciled at the next start
            self.release(job.chat_id)
            return
        if len(self._handed) > 10_000:  # their MessageQueued never came (at worst one extra scan each)
            self._handed.clear()
        self._handed.update(queued)
        self.handed_over += 1
        self._tasks.spawn(self._drain_chat(job.chat_id, first=job), name=f"send:{job.chat_id}")

    async def _run(self) -> None:
        while True:
            hold = self._hold_until - time.monotonic()
            if hold > 0:
                await asyncio.sleep(hold)
            self._wake.clear()
            try:
                chats, due = await self._db.call(ob.due_scan, self._clock.now())
                if self._tasks.closed:
                    return  # stopping: the rest stays in the outbox for the next start
                for chat_id in chats:
                    if chat_id not in self._busy:
                        self._busy.add(chat_id)
                        self._tasks.spawn(self._drain_chat(chat_id), name=f"send:{chat_id}")
                    else:
                        self._missed.add(chat_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("sender scan failed")
                self._bus.publish(ev.EngineError("sender", f"{type(exc).__name__}: {exc}"))
                due = self._clock.now() + timedelta(seconds=5 * self._clock.scale)
            timeout = 30.0
            if due is not None:
                timeout = max(0.01, (due - self._clock.now()).total_seconds() / self._clock.scale)
            await wait_event(self._wake, min(timeout, 30.0))

    async def _drain_chat(self, chat_id: str, first: ob.SendJob | None = None) -> None:
        """Send `chat_id`'s due items in order. `first`: an item claimed already, with its
        send slot taken (`hand_over`)."""
        settled = False  # ended with nothing left to send here: no rescan needed
        try:
            while True:
                # Wait for a send slot before claiming, so the owner check made by the claim
                # is fresh when the message leaves (a take-over meanwhile drops it).
                slot = _Slot(self._in_flight, held=first is not None)
                if first is None:
                    await slot.take()
                try:
                    if first is not None:
                        job, first = first, None
                    else:
                        await self._limiter.wait()
                        job, dropped = await self._db.atomic_quiet(ob.claim_next, chat_id, self._clock.now())
                        for outbox_id in dropped:
                            self._bus.publish(ev.MessageDropped(chat_id, outbox_id, "chat taken by a manager"))
                        if job is None:
                            return
                    try:
                        done = await self._deliver(job, slot)
                    except asyncio.CancelledError:
                        raise
                    except LeaseLost:
                        raise
                    except Exception as exc:  # the send's outcome is unknown: check before any resend
                        log.exception("sending outbox %s failed unexpectedly", job.outbox_id)
                        self._bus.publish(ev.EngineError("sender", f"{type(exc).__name__}: {exc}"))
                        await self._retry(job, f"{type(exc).__name__}: {exc}", ambiguous=True, minimum=5.0)
                        return
                finally:
                    slot.give()
                if not done:
                    return  # waits for its retry time; later items of this chat wait too
                if not self._more.pop(chat_id, True):
                    settled = True
                    return  # nothing else queued here: no send slot taken just to find that out
        except LeaseLost as exc:
            # Another seat leads now (or is about to): what this chat has left stays queued.
            if self._hold_until < time.monotonic():
                log.warning("the sender pauses, the seat checks its lease: %s", exc)
            self.lease_losses += 1
            self._hold_until = time.monotonic() + LEASE_LOST_HOLD
            self._db.lease_lost()
        finally:
            self._drained(chat_id, rescan=not settled)

    def _drained(self, chat_id: str, *, rescan: bool) -> None:
        self._busy.discard(chat_id)
        # Rescan when this chat may have more (a retry scheduled here sets the next wake-up;
        # the scan lists only chats it can serve now, so this cannot spin) or when a scan
        # found it due while it was busy here. A drain that emptied its chat needs none.
        if chat_id in self._missed or rescan:
            self._missed.discard(chat_id)
            self.wake()

    async def _deliver(self, job: ob.SendJob, slot: "_Slot | None" = None) -> bool:
        """Send `job` (reconciling an ambiguous earlier attempt first) and record the outcome.
        `slot`: the drain's send slot, given back as soon as the HTTP request is over —
        it bounds requests in flight, not the bookkeeping after them."""
        adapter = self.channels.adapter_for(job.chat_id)
        if adapter is not None:
            from ottenok_desktop.services.channel_delivery import deliver_via

            return await deliver_via(self, adapter, job)
        if job.state == "unknown":
            outcome, found = await self._reconcile(job)
            if outcome == "sent":
                self._ambiguous_at.pop(job.outbox_id, None)
                await self._record_sent(job, found)
                return True
            if outcome == "unchecked":
                return False  # could not look: never resend blindly; retried later
            waited = time.monotonic() - self._ambiguous_at.setdefault(job.outbox_id, time.monotonic())
            if waited < self._reconcile_grace:
                # Not in the journal yet: it may still show up there. Look again later.
                await self._retry(job, "not in lastOutgoingMessages yet", ambiguous=True,
                                  minimum=min(self._reconcile_grace - waited, max(5.0, self._reconcile_grace / 4)))
                return False
            self._ambiguous_at.pop(job.outbox_id, None)
            if await self._db.atomic(ob.drop_if_taken, job.outbox_id):
                self._bus.publish(ev.MessageDropped(job.chat_id, job.outbox_id, "chat taken by a manager"))
                return True
        try:
            try:
                external_id = await self._send(job, await self._window())
            finally:
                if slot is not None:
                    slot.give()
        except SendRefused as exc:
            await self._unclaim(job, exc)
            return False
        except GreenApiTimeout as exc:
            await self._retry(job, f"timeout: {exc}", ambiguous=True)
            return False
        except GreenApiQuotaExceeded as exc:
            await self._fail(job, f"quota exceeded: {exc}")
            self._bus.publish(ev.InstanceStateChanged("quota", str(exc)))
            return True
        except GreenApiAuthError as exc:
            await self._fail(job, f"wrong credentials: {exc}")
            self._bus.publish(ev.InstanceStateChanged("wrong_credentials", str(exc)))
            return True
        except GreenApiInstanceNotReady as exc:
            await self._retry(job, str(exc), minimum=10.0)
            return False
        except GreenApiError as exc:
            if exc.retryable or exc.ambiguous:
                # a dropped connection or a 5xx may have reached the server: reconcile first
                await self._retry(job, str(exc), ambiguous=exc.ambiguous)
                return False
            await self._fail(job, str(exc))
            return True
        except OSError as exc:  # a photo file vanished: nothing to retry
            await self._fail(job, f"file error: {exc}")
            return True
        await self._record_sent(job, external_id)
        return True

    async def _window(self) -> float | None:
        """The lease check right before a send (None: no lease here, send freely)."""
        return await self._fence.window() if self._fence is not None else None

    def _confirm(self, deadline: float | None) -> float | None:
        """The local half of the check, made with no await before the request; returns how
        long the HTTP client may wait for a connection (None: its own timeouts)."""
        if self._fence is None or deadline is None:
            return None
        self._fence.confirm(deadline)
        return self._fence.start_within(deadline)

    async def _send(self, job: ob.SendJob, deadline: float | None) -> str:
        def gate() -> float | None:
            return self._confirm(deadline)

        if job.kind == "file_upload":
            return await self._client.send_file_by_upload(job.chat_id, Path(job.file_path), job.file_name or Path(job.file_path).name,
                                                          job.text, gate=gate)
        if job.kind == "file_url":
            return await self._client.send_file_by_url(job.chat_id, job.file_url, job.file_name, job.text, gate=gate)
        return await self._client.send_message(job.chat_id, job.text, gate=gate)

    async def _unclaim(self, job: ob.SendJob, refused: SendRefused) -> None:
        """The send was refused before any request: the item goes back as it was, for this
        seat once the lease is renewed, or for the next leader."""
        retry_at = self._clock.now() + timedelta(seconds=self._fence.margin if self._fence else 1.0) * self._clock.scale
        back = await self._db.call(ob.unclaim, job.outbox_id, job.attempts, "unknown" if job.state == "unknown" else "pending",
                                   retry_at)
        log.warning("send of outbox %s refused (%s); %s", job.outbox_id, refused,
                    "left for the next leader" if back else "the next leader has it already")
        if refused.lost:
            epoch = self._db.fence or 0
            raise LeaseLost(epoch, epoch, expired=True)

    async def _reconcile(self, job: ob.SendJob) -> tuple[str, str]:
        """Did the timed-out send go through after all? Look at what the instance sent.
        Returns ("sent", idMessage), ("not_sent", "") or ("unchecked", "")."""
        try:
            recent = await self._client.last_outgoing_messages(self._reconcile_minutes)
        except GreenApiError as exc:
            log.warning("cannot reconcile outbox %s yet: %s", job.outbox_id, exc)
            await self._retry(job, f"reconcile failed: {exc}", ambiguous=True, minimum=5.0)
            return "unchecked", ""
        # Same text (or file) in this chat, sent no earlier than the item was queued (a few
        # seconds of clock skew allowed), and not a message this chat already has.
        since = job.created_at.timestamp() - 5
        candidates = []
        for item in recent:
            if item.get("chatId") != job.chat_id:
                continue
            if isinstance(item.get("timestamp"), (int, float)) and item["timestamp"] < since:
                continue
            text = item.get("textMessage") or item.get("caption") or ""
            name = item.get("fileName") or ""
            if (job.kind == "text" and text == job.text) or (job.kind != "text" and name and name == job.file_name):
                candidates.append(str(item.get("idMessage")))
        settled, known = await self._db.call(ob.already_recorded, job.chat_id, candidates, job.outbox_id)
        if settled:
            return "sent", settled  # its API echo arrived meanwhile and recorded it
        for external_id in candidates:
            if external_id not in known:
                return "sent", external_id
        return "not_sent", ""

    async def _record_sent(self, job: ob.SendJob, external_id: str) -> None:
        self._ambiguous_at.pop(job.outbox_id, None)
        now = self._clock.now()
        message_id, self._more[job.chat_id] = await self._db.atomic(ob.mark_sent_and_peek, job.outbox_id, external_id, now)
        self.sent_count += 1
        self._bus.publish(ev.MessageSent(job.chat_id, job.outbox_id, message_id or 0, external_id))
        self._bus.publish(ev.ChatUpdated(job.chat_id))
        if self._on_sent is not None:
            self._on_sent(job.chat_id, job.sender_kind, now, job.sender_name)

    async def _retry(self, job: ob.SendJob, error: str, *, ambiguous: bool = False, minimum: float = 0.0) -> None:
        if ambiguous:
            self._ambiguous_at.setdefault(job.outbox_id, time.monotonic())
        delay = ob.retry_delay(job.attempts, self._retry_base, self._retry_cap)
        delay = max(delay, timedelta(seconds=minimum))
        retry_at = self._clock.now() + delay * self._clock.scale
        await self._db.atomic(ob.mark_retry, job.outbox_id, error, retry_at, ambiguous=ambiguous)
        log.warning("send of outbox %s failed (%s); retry in %.1fs", job.outbox_id, error, delay.total_seconds())
        self._bus.publish(ev.SendFailed(job.chat_id, job.outbox_id, error, will_retry=True))

    async def _fail(self, job: ob.SendJob, error: str) -> None:
        self._ambiguous_at.pop(job.outbox_id, None)
        await self._db.atomic(ob.mark_failed, job.outbox_id, error)
        log.error("send of outbox %s failed for good: %s", job.outbox_id, error)
        self._bus.publish(ev.SendFailed(job.chat_id, job.outbox_id, error, will_retry=False))
