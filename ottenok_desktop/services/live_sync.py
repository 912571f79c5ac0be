"""Live views across seats: another seat's commits become this seat's engine events.

`LiveSync` listens for wake-ups (services/storage/listener.py, PostgreSQL only), waits a
moment to gather a burst, catches up by id on the DB thread (services/storage/catchup.py)
and publishes what changed on the bus as the events the console already handles:
`ChatUpdated` for every chat to refresh, `TicketChanged` for tickets, `ChatOwnerChanged`
for take-overs and give-backs, `AnnouncementProgress` / `AnnouncementChanged` for the leading
seat's announcement sends (the «Акции» tab's progress bar moves as the leader queues each chat;
the tab's own slow poll is only the fallback). A slow periodic catch-up covers notifications
lost while disconnected. On SQLite (one seat) there is nobody else to hear and it does nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.tasks import TaskOwner, wait_event

from .storage import Database
from .storage.catchup import ChangeCursor, Changes, changes_since, start_cursor
from .storage.listener import ChangeListener

log = logging.getLogger(__name__)


class LiveSync:
    def __init__(self, db: Database, bus: ev.EventBus, *, gather: float = 0.03, fallback_every: float = 5.0) -> None:
        self._db = db
        self._bus = bus
        self._gather = gather
        self._fallback_every = fallback_every
        self._tasks = TaskOwner("live-sync")
        self._wake = asyncio.Event()
        self._listener: ChangeListener | None = None
        self._cursor: ChangeCursor | None = None
        self.catchups = 0

    async def start(self) -> None:
        if not self._db.is_postgres:
            return
        self._cursor = await self._db.call(start_cursor)
        self._listener = ChangeListener(self._db.url, asyncio.get_running_loop(), self._on_hint)
        self._listener.start()
        self._tasks.spawn(self._run(), name="live-sync")

    async def stop(self) -> None:
        await self._tasks.shutdown()
        if self._listener is not None:
            listener, self._listener = self._listener, None
            await asyncio.get_running_loop().run_in_executor(None, listener.stop)

    def _on_hint(self, payload: str, resync: bool) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            if await wait_event(self._wake, self._fallback_every):
                await asyncio.sleep(self._gather)  # one catch-up for a burst of commits
            self._wake.clear()
            try:
                changes = await self._db.call(changes_since, self._cursor)
            except Exception as exc:  # e.g. the connection was cut: the next job reconnects
                log.warning("catching up with other seats failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(0.5)
                self._wake.set()
                continue
            self.catchups += 1
            self._publish(changes)

    def _publish(self, changes: Changes) -> None:
        for row in changes.audit:
            if row["entity"] == "chat" and row["action"] == "owner_changed":
                details = json.loads(row["details_json"] or "{}")
                self._bus.publish(ev.ChatOwnerChanged(row["entity_id"], details.get("owner", ""), row["actor"],
                                                      details.get("reason", "")))
        for ticket in changes.tickets:
            self._bus.publish(ev.TicketChanged(ticket["ticket_id"], ticket["chat_id"], ticket["status"],
                                               ticket["manager"]))
        for chat_id in changes.chats:
            self._bus.publish(ev.ChatUpdated(chat_id))
        for moved in changes.announcements:
            self._bus.publish(ev.AnnouncementChanged(moved.announcement_id, moved.state) if moved.state_changed
                              else ev.AnnouncementProgress(moved.announcement_id))
