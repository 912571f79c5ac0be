"""Engine events: what happened, for whoever listens (the console bridge, logs, tests).

Events are small frozen dataclasses. The `EventBus` delivers them synchronously on the
event-loop thread, in publish order; a subscriber that raises is logged and does not
stop delivery to the others. Threads other than the loop's must publish through
`EventBus.publish_threadsafe`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every engine event."""


# ---- channel (issue 2) ------------------------------------------------------------
@dataclass(frozen=True)
class MessageReceived(Event):
    chat_id: str
    message_id: int
    text: str
    content_type: str
    sender_kind: str  # customer | manager_phone


@dataclass(frozen=True)
class MessageUpdated(Event):
    chat_id: str
    message_id: int
    change: str  # edited | deleted


@dataclass(frozen=True)
class MessageQueued(Event):
    chat_id: str
    outbox_id: int
    text: str
    sender_kind: str  # bot | manager_app | system


@dataclass(frozen=True)
class MessageSent(Event):
    chat_id: str
    outbox_id: int
    message_id: int
    external_id: str


@dataclass(frozen=True)
class MessageDropped(Event):
    """A bot reply that was not sent, e.g. because a manager took the chat."""

    chat_id: str
    outbox_id: int
    reason: str


@dataclass(frozen=True)
class SendFailed(Event):
    chat_id: str
    outbox_id: int
    error: str
    will_retry: bool


@dataclass(frozen=True)
class StatusChanged(Event):
    chat_id: str
    external_id: str
    status: str


@dataclass(frozen=True)
class ChatOwnerChanged(Event):
    chat_id: str
    owner: str  # bot | manager
    by: str  # who caused it: app user name, "phone", "engine", a manager number
    reason: str = ""


@dataclass(frozen=True)
class ChatUpdated(Event):
    """Anything on the chat's row changed (times, counters, name)."""

    chat_id: str


@dataclass(frozen=True)
class InstanceStateChanged(Event):
    state: str  # authorized | notAuthorized | starting | blocked | quota | wrong_credentials | unreachable ...
    detail: str = ""


@dataclass(frozen=True)
class SharedInstanceSuspected(Event):
    """Another program seems to use this WhatsApp instance (both would answer every
    customer): API sends we did not make, or notifications deleted by someone else."""

    signal: str  # foreign_send | foreign_delete
    count: int  # signals seen in the detector's window
    detail: str  # English, for the log


@dataclass(frozen=True)
class PoisonNotification(Event):
    receipt_id: int
    reason: str


@dataclass(frozen=True)
class IncomingCall(Event):
    chat_id: str
    status: str


@dataclass(frozen=True)
class QueueSizes(Event):
    inbox_pending: int
    outbox_pending: int


@dataclass(frozen=True)
class EngineError(Event):
    where: str
    message: str


@dataclass(frozen=True)
class TurnCompleted(Event):
    chat_id: str
    inbox_ids: tuple[int, ...]
    replies: int
    engine_ms: float


# ---- inventory and photos (issue 3) -------------------------------------------------
@dataclass(frozen=True)
class StockLoaded(Event):
    path: str
    rows: int
    products: int
    seconds: float


@dataclass(frozen=True)
class StockRejected(Event):
    path: str
    errors: tuple[str, ...]  # English, for logs
    errors_ru: tuple[str, ...]  # Russian, for the UI


# ---- knowledge (issue 4) --------------------------------------------------------------
@dataclass(frozen=True)
class KnowledgeProgress(Event):
    phase: str  # scan | parse | embed | index | switch | done
    files_done: int
    files_total: int
    chunks: int


@dataclass(frozen=True)
class KnowledgeBuilt(Event):
    version: str
    files: int
    chunks: int
    seconds: float
    embedding: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeRejected(Event):
    path: str
    reason: str


# ---- dialogue, orders, tickets (issue 5) ---------------------------------------------
@dataclass(frozen=True)
class OrderChanged(Event):
    chat_id: str
    order_id: int
    state: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HandoffRequested(Event):
    chat_id: str
    reason: str


@dataclass(frozen=True)
class TicketChanged(Event):
    ticket_id: int
    chat_id: str
    status: str  # WAITING | ASSIGNED | CLOSED
    manager: str = ""


@dataclass(frozen=True)
class GuardTriggered(Event):
    chat_id: str
    guard: str
    detail: str


@dataclass(frozen=True)
class BotDraft(Event):
    """What the bot would have said; shown to a manager who took the chat."""

    chat_id: str
    text: str


# ---- follow-ups (issue 6) --------------------------------------------------------------
@dataclass(frozen=True)
class NudgeScheduled(Event):
    chat_id: str
    number: int
    due_at: datetime


@dataclass(frozen=True)
class NudgeSent(Event):
    chat_id: str
    number: int


@dataclass(frozen=True)
class NudgeCancelled(Event):
    chat_id: str
    reason: str


# ---- announcements (issue 16) -------------------------------------------------------
@dataclass(frozen=True)
class AnnouncementChanged(Event):
    """An announcement was created, started, paused (by whom, why), resumed, cancelled or done."""

    announcement_id: int
    state: str  # engine/states.AnnouncementState
    by: str = ""
    reason: str = ""  # pause: manager | failures
    detail: str = ""  # failures: the last send error (English)


@dataclass(frozen=True)
class AnnouncementProgress(Event):
    """The pacer queued one more recipient (`recipient` empty when only skips happened)."""

    announcement_id: int
    recipient: str = ""


Subscriber = Callable[[Event], Any]


class EventBus:
    """Synchronous publish/subscribe on the loop thread."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[type[Event], Subscriber]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, callback: Subscriber, event_type: type[Event] = Event) -> Callable[[], None]:
        entry = (event_type, callback)
        self._subscribers.append(entry)

        def unsubscribe() -> None:
            if entry in self._subscribers:
                self._subscribers.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for event_type, callback in list(self._subscribers):
            if isinstance(event, event_type):
                try:
                    callback(event)
                except Exception:  # a broken listener must not break the engine
                    log.exception("event subscriber %r failed on %s", callback, type(event).__name__)

    def publish_threadsafe(self, event: Event) -> None:
        if self._loop is None:
            self.publish(event)
        else:
            self._loop.call_soon_threadsafe(self.publish, event)


class EventRecorder:
    """Keeps every event it hears; for tests, the self-test and the CLI."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(self.events.append)

    def of_type(self, event_type: type[Event]) -> list[Any]:
        return [e for e in self.events if isinstance(e, event_type)]
