"""The status bar: WhatsApp instance state, LLM mode, queue sizes, which seat runs the bot,
the last error."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from ..engine import events as ev
from . import strings as S


class ConsoleStatusBar(QStatusBar):
    def __init__(self, engine: Any, demo: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.is_demo = demo
        self.demo = QLabel(S.DEMO_BADGE, self)
        self.demo.setObjectName("demoBadge")
        self.whatsapp = QLabel(self)
        self.llm = QLabel(S.STATUS_LLM.format(mode=S.LLM_MODES.get(engine.llm_mode, engine.llm_mode)), self)
        self.queues = QLabel(S.STATUS_QUEUES.format(inbox=0, outbox=0), self)
        self.error = QLabel(S.STATUS_NO_ERROR, self)
        self.error.setObjectName("lastError")
        self.seat = QLabel("", self)  # several seats: does the bot run here or on another seat
        self.seat.setObjectName("seatState")
        self.seat.setVisible(False)
        if demo:
            self.addWidget(self.demo)
        for label in (self.whatsapp, self.llm, self.queues, self.seat):
            self.addWidget(label)
        self.addPermanentWidget(self.error, 1)
        self.set_instance_state("demo" if demo else (getattr(engine, "instance_state", "") or "unknown"))

    def on_shared_instance(self, _event: ev.SharedInstanceSuspected) -> None:
        """Another program answers on this WhatsApp number too: say it loudly and keep it shown."""
        self.error.setText(S.SHARED_INSTANCE)
        self.error.setToolTip(S.SHARED_INSTANCE)
        self.error.setProperty("state", "bad")
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)

    def on_seat_change(self, state: str) -> None:
        """The engine lease changed hands (a console on a shared database)."""
        self._seat_state = S.SEAT_STATES.get(state, state)
        self._show_seat()

    def on_seats(self, status: dict[str, Any]) -> None:
        """Who is online on the shared database and which seat runs the bot."""
        online = [seat["manager"] or seat["seat_id"] for seat in status.get("seats", []) if seat.get("online")]
        self._seat_online = S.SEATS_ONLINE.format(names=", ".join(online)) if online else ""
        leader = status.get("leader")
        self._seat_leader = S.SEAT_LEADER.format(seat=leader) if leader else S.SEAT_NO_LEADER
        self._show_seat()

    def _show_seat(self) -> None:
        parts = [getattr(self, "_seat_state", ""), getattr(self, "_seat_leader", ""), getattr(self, "_seat_online", "")]
        self.seat.setText(" · ".join(p for p in parts if p))
        self.seat.setVisible(True)

    def set_instance_state(self, state: str, detail: str = "") -> None:
        label = S.INSTANCE_STATES.get(state, state)
        self.whatsapp.setText(S.STATUS_WHATSAPP.format(state=label))
        self.whatsapp.setProperty("state", "ok" if state in ("authorized", "demo") else "bad")
        self.whatsapp.setToolTip(detail)
        self.whatsapp.style().unpolish(self.whatsapp)
        self.whatsapp.style().polish(self.whatsapp)

    def on_instance_state_changed(self, event: ev.InstanceStateChanged) -> None:
        state = "demo" if self.is_demo and event.state == "authorized" else event.state
        self.set_instance_state(state, event.detail)

    def on_queue_sizes(self, event: ev.QueueSizes) -> None:
        self.queues.setText(S.STATUS_QUEUES.format(inbox=event.inbox_pending, outbox=event.outbox_pending))

    def on_engine_error(self, event: ev.EngineError) -> None:
        self.show_error(f"{event.where}: {event.message}")

    def show_error(self, message: str) -> None:
        self.error.setText(S.STATUS_LAST_ERROR.format(error=message[:200]))
        self.error.setToolTip(message)
