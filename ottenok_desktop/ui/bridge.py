"""The one bridge from engine events to Qt signals.

The bus delivers events synchronously on the loop thread, which under qasync is the GUI
thread, so the bridge re-emits them at once as typed Qt signals. Views never subscribe to
the bus themselves; `ui/wiring.py` connects these signals to the views' `on_<event>` slots.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Signal

from ..engine import events as ev

log = logging.getLogger(__name__)


class Bridge(QObject):
    message_received = Signal(object)  # ev.MessageReceived
    message_updated = Signal(object)  # ev.MessageUpdated
    message_queued = Signal(object)  # ev.MessageQueued
    message_sent = Signal(object)  # ev.MessageSent
    message_dropped = Signal(object)  # ev.MessageDropped
    send_failed = Signal(object)  # ev.SendFailed
    status_changed = Signal(object)  # ev.StatusChanged
    chat_owner_changed = Signal(object)  # ev.ChatOwnerChanged
    chat_updated = Signal(object)  # ev.ChatUpdated
    instance_state_changed = Signal(object)  # ev.InstanceStateChanged
    shared_instance = Signal(object)  # ev.SharedInstanceSuspected
    queue_sizes = Signal(object)  # ev.QueueSizes
    engine_error = Signal(object)  # ev.EngineError
    turn_completed = Signal(object)  # ev.TurnCompleted
    stock_loaded = Signal(object)  # ev.StockLoaded
    stock_rejected = Signal(object)  # ev.StockRejected
    knowledge_progress = Signal(object)  # ev.KnowledgeProgress
    knowledge_built = Signal(object)  # ev.KnowledgeBuilt
    knowledge_rejected = Signal(object)  # ev.KnowledgeRejected
    order_changed = Signal(object)  # ev.OrderChanged
    handoff_requested = Signal(object)  # ev.HandoffRequested
    ticket_changed = Signal(object)  # ev.TicketChanged
    bot_draft = Signal(object)  # ev.BotDraft
    nudge_scheduled = Signal(object)  # ev.NudgeScheduled
    nudge_sent = Signal(object)  # ev.NudgeSent
    nudge_cancelled = Signal(object)  # ev.NudgeCancelled
    announcement_changed = Signal(object)  # ev.AnnouncementChanged
    announcement_progress = Signal(object)  # ev.AnnouncementProgress
    # Any event that touches a chat's row or messages, with the chat id: the list and the
    # open chat refresh from the database on this one signal instead of a dozen.
    chat_touched = Signal(str)

    def __init__(self, bus: ev.EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._routes: dict[type[ev.Event], Signal] = {
            ev.MessageReceived: self.message_received,
            ev.MessageUpdated: self.message_updated,
            ev.MessageQueued: self.message_queued,
            ev.MessageSent: self.message_sent,
            ev.MessageDropped: self.message_dropped,
            ev.SendFailed: self.send_failed,
            ev.StatusChanged: self.status_changed,
            ev.ChatOwnerChanged: self.chat_owner_changed,
            ev.SharedInstanceSuspected: self.shared_instance,
            ev.ChatUpdated: self.chat_updated,
            ev.InstanceStateChanged: self.instance_state_changed,
            ev.QueueSizes: self.queue_sizes,
            ev.EngineError: self.engine_error,
            ev.TurnCompleted: self.turn_completed,
            ev.StockLoaded: self.stock_loaded,
            ev.StockRejected: self.stock_rejected,
            ev.KnowledgeProgress: self.knowledge_progress,
            ev.KnowledgeBuilt: self.knowledge_built,
            ev.KnowledgeRejected: self.knowledge_rejected,
            ev.OrderChanged: self.order_changed,
            ev.HandoffRequested: self.handoff_requested,
            ev.TicketChanged: self.ticket_changed,
            ev.BotDraft: self.bot_draft,
            ev.NudgeScheduled: self.nudge_scheduled,
            ev.NudgeSent: self.nudge_sent,
            ev.NudgeCancelled: self.nudge_cancelled,
            ev.AnnouncementChanged: self.announcement_changed,
            ev.AnnouncementProgress: self.announcement_progress,
        }
        self._unsubscribe: Callable[[], None] | None = bus.subscribe(self._on_event)
        self.delivered = 0

    def _on_event(self, event: ev.Event) -> None:
        self.delivered += 1
        signal = self._routes.get(type(event))
        if signal is not None:
            signal.emit(event)
        chat_id = getattr(event, "chat_id", "")
        if chat_id:
            self.chat_touched.emit(chat_id)

    def detach(self) -> None:
        """Stop listening (the window is closing; the engine may still publish while it stops)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
