"""The owner's chat: reports (the analytics' ReportDelivery shape) and alerts.

`TelegramReportDelivery.deliver(title, text, png)` sends the report's text (title first)
and its chart as a photo. `OwnerAlerts` watches the engine and writes to the owner when a
ticket has waited longer than N minutes for an operator (once per ticket) and when the
WhatsApp instance stops being authorised (once per change).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.models import Chat, Ticket

from .client import TelegramApi

if TYPE_CHECKING:
    from ottenok_desktop.services.reports.scheduler import SavedReport

log = logging.getLogger(__name__)
_TEXT_LIMIT = 4096


class OwnerReportDelivery:
    """The report scheduler's `ReportDelivery`: a saved daily/weekly report to the owner's chat
    (the headline figures, then the chart image read from the saved PNG)."""

    def __init__(self, delivery: "TelegramReportDelivery") -> None:
        self._delivery = delivery

    async def deliver(self, report: "SavedReport") -> None:
        png = await asyncio.to_thread(_read_bytes, report.png_path)
        await self._delivery.deliver(report.caption, report.text, png)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # the text still goes; the log says why the chart did not
        log.warning("report chart %s unreadable; sending the text only", path)
        return None


class TelegramReportDelivery:
    """Delivers a report to the owner's Telegram chat."""

    def __init__(self, api: TelegramApi, chat_id: int) -> None:
        self._api = api
        self._chat_id = chat_id

    async def deliver(self, title: str, text: str, png: bytes | None) -> None:
        body = f"{title}\n\n{text}".strip() if title else text
        for start in range(0, max(len(body), 1), _TEXT_LIMIT):
            await self._api.send_text(self._chat_id, body[start:start + _TEXT_LIMIT])
        if png:
            await self._api.send_photo_bytes(self._chat_id, png, "report.png", title[:1024])


def overdue_tickets(since: datetime, already: frozenset[int]) -> list[tuple[int, str, datetime]]:
    rows = (Ticket.select(Ticket.id, Chat.name, Chat.chat_id, Ticket.created_at).join(Chat)
            .where((Ticket.status == "WAITING") & (Ticket.created_at <= since)).tuples())
    return [(tid, name or chat_id, Ticket.created_at.python_value(at)) for tid, name, chat_id, at in rows
            if tid not in already]


class OwnerAlerts:
    def __init__(self, api: TelegramApi, db: Database, bus: ev.EventBus, clock: Clock, chat_id: int, *,
                 waiting_minutes: int = 15, check_every: float = 60.0) -> None:
        self._api = api
        self._db = db
        self._bus = bus
        self._clock = clock
        self._chat_id = chat_id
        self.waiting_minutes = waiting_minutes
        self._check_every = check_every
        self._alerted: set[int] = set()
        self._last_state = ""
        self._tasks = TaskOwner("telegram-owner")
        self._unsubscribe: Any = None

    async def start(self) -> None:
        self._unsubscribe = self._bus.subscribe(self._on_state, ev.InstanceStateChanged)
        self._tasks.spawn(self._watch_tickets(), name="telegram-owner-tickets")

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self._tasks.shutdown()

    async def check_now(self) -> int:
        """Alert about tickets waiting too long; returns how many alerts were sent."""
        now = self._clock.now()
        since = now - timedelta(minutes=self.waiting_minutes) * self._clock.scale
        overdue = await self._db.call(overdue_tickets, since, frozenset(self._alerted))
        for ticket_id, name, created in overdue:
            minutes = int((now - created).total_seconds() / 60 / self._clock.scale)
            await self._send(texts.TG_ALERT_WAITING.format(ticket_id=ticket_id, name=name, minutes=minutes))
            self._alerted.add(ticket_id)
        return len(overdue)

    async def _watch_tickets(self) -> None:
        while True:
            try:
                await self.check_now()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("owner alerts: ticket check failed")
            await asyncio.sleep(self._check_every)

    def _on_state(self, event: ev.Event) -> None:
        assert isinstance(event, ev.InstanceStateChanged)
        bad = event.state in ("notAuthorized", "blocked", "wrong_credentials")
        if bad and event.state != self._last_state:
            self._tasks.spawn(self._send(texts.TG_ALERT_WHATSAPP.format(state=event.state)), name="telegram-owner-state")
        self._last_state = event.state

    async def engine_down(self, detail: str) -> None:
        await self._send(texts.TG_ALERT_ENGINE_DOWN.format(detail=detail))

    async def _send(self, text: str) -> None:
        try:
            await self._api.send_text(self._chat_id, text)
        except Exception as exc:
            log.warning("owner alert not sent: %s", type(exc).__name__)
