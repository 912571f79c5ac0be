"""The announcement pacer (issue 16): sends a `sending` announcement one chat at a time.

Owned by the runtime and started only with the channel (the leading seat). Each step, in
this order: the announcement must still be `sending` (a manager's pause or cancel — from
any seat or the CLI — is a row in the database, seen at the next step); outside working
hours (OTTENOK_WORK_HOURS, shop time) it waits for the next opening; when the last
`max_failures` recipients' sends failed (5xx, 429, no connection…) it pauses the
announcement with the reason; otherwise it queues the next chat into the outbox
(`storage/announcements.queue_next`: one transaction, never twice) and waits a jittered
`min..max` shop seconds (OTTENOK_ANNOUNCE_MIN_SEC / _MAX_SEC) before the next one.

Everything is in the database, so a restart resumes where it stopped. Every wait goes
through the injected clock, so tests run the pace on an accelerated clock.
"""

from __future__ import annotations

import asyncio
import logging
import random

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.announcements import PAUSE_FAILURES, Pacing, seconds_until_open, should_pause
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.states import AnnouncementState, SenderKind
from ottenok_desktop.engine.tasks import TaskOwner, wait_event
from ottenok_desktop.settings import Settings

from .storage import Database
from .storage import announcements as store

log = logging.getLogger(__name__)

OUT_OF_HOURS_STEP = 3600.0  # shop seconds: look again at least hourly (a settings change, a cancel)


class AnnouncementPacer:
    def __init__(self, db: Database, bus: ev.EventBus, clock: Clock, settings: Settings, *,
                 rng: random.Random | None = None, idle_poll: float = 5.0) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._hours = settings.work_hours
        self.pacing = Pacing(settings.announce_min_seconds, settings.announce_max_seconds,
                             settings.announce_max_failures)
        self._rng = rng or random.Random()
        self._idle_poll = idle_poll  # real seconds between looks when nothing is sending
        self._wake = asyncio.Event()
        self._tasks = TaskOwner("announcements")
        self._unsubscribe = lambda: None

    async def start(self) -> None:
        self._unsubscribe = self._bus.subscribe(self._on_changed, ev.AnnouncementChanged)
        self._tasks.spawn(self._run(), name="announcement-pacer")

    async def stop(self) -> None:
        self._unsubscribe()
        await self._tasks.shutdown()

    def wake(self) -> None:
        self._wake.set()

    def _on_changed(self, event: ev.Event) -> None:
        self.wake()

    async def _run(self) -> None:
        while True:
            try:
                waited = await self._step()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep pacing; the status bar says what went wrong
                log.exception("announcement pacer step failed")
                self._bus.publish(ev.EngineError("announcements", f"{type(exc).__name__}: {exc}"))
                waited = False
            if not waited:
                self._wake.clear()
                await wait_event(self._wake, self._idle_poll)

    async def _step(self) -> bool:
        """One pacing step; True when it waited (on the clock) itself, False when idle."""
        announcement_id = await self._db.call(store.next_sending)
        if announcement_id is None:
            return False
        closed_for = seconds_until_open(self._clock.local(), self._hours)
        if closed_for > 0:
            log.info("announcement %s waits %.0f shop seconds for the shop to open", announcement_id, closed_for)
            await self._clock.sleep(min(closed_for, OUT_OF_HOURS_STEP))
            return True
        outcomes, last_error = await self._db.call(store.recent_outcomes, announcement_id,
                                                   self.pacing.max_failures + 5)
        if should_pause(outcomes, self.pacing.max_failures):
            now = self._clock.now()
            if await self._db.atomic(store.set_state, announcement_id, AnnouncementState.PAUSED, "engine", now,
                                     reason=PAUSE_FAILURES, detail=last_error):
                log.warning("announcement %s paused: %d sends in a row failed (%s)", announcement_id,
                            self.pacing.max_failures, last_error)
                self._bus.publish(ev.AnnouncementChanged(announcement_id, AnnouncementState.PAUSED, "engine",
                                                         PAUSE_FAILURES, last_error))
            return False
        queued = await self._db.atomic(store.queue_next, announcement_id, self._clock.now())
        if queued.stopped:
            return False
        if queued.chat_id:
            for outbox_id, label in queued.outbox:
                self._bus.publish(ev.MessageQueued(queued.chat_id, outbox_id, label, SenderKind.BOT))
        self._bus.publish(ev.AnnouncementProgress(announcement_id, queued.chat_id))
        if queued.done:
            log.info("announcement %s: every recipient queued", announcement_id)
            self._bus.publish(ev.AnnouncementChanged(announcement_id, AnnouncementState.DONE, "engine"))
            return False
        await self._clock.sleep(self.pacing.next_delay(self._rng))
        return True
