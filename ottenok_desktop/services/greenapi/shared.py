"""Detects a second program on the same WhatsApp instance and warns loudly.

Two copies of the program (say a second PC with its own data dir) polling one GREEN-API
instance both answer every customer, and each sees only part of the queue. Signals:

- `foreign_send`: an API send this program did not make (its echo, or the instance's
  journal of sent messages) — another program answering;
- `foreign_delete`: `deleteNotification` answered `false` ("deleted earlier") for a
  notification we had just received — someone else is reading the same queue. One such
  answer can be our own retried delete whose first answer was lost, so it takes two
  within the window.

A warning (`SharedInstanceSuspected` + an `EngineError` for the status bar's last-error
line + a log warning) is published at most once per `repeat_after` seconds while the
signals keep coming. The way out is the several-seats setup: one shared database
(`DATABASE_URL`), one engine leader polling, the other PCs as consoles.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Callable

from ottenok_desktop.engine import events as ev

log = logging.getLogger(__name__)

ADVICE = (
    "another program seems to use this WhatsApp instance: both answer customers. Stop the other copy, "
    "or set up several seats (one shared database via DATABASE_URL; only one PC polls WhatsApp)"
)


class SharedInstanceDetector:
    def __init__(
        self, bus: ev.EventBus, *, window: float = 600.0, repeat_after: float = 600.0,
        deletes_needed: int = 2, now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bus = bus
        self._window = window
        self._repeat_after = repeat_after
        self._deletes_needed = deletes_needed
        self._now = now
        # Bounded: only the count inside the window matters.
        self._signals: dict[str, deque[float]] = {"foreign_send": deque(maxlen=64), "foreign_delete": deque(maxlen=64)}
        self._last_warning: float | None = None
        self.warnings = 0

    def foreign_send(self, external_id: str, chat_id: str = "") -> None:
        self._signal("foreign_send", 1, f"API message {external_id} in {chat_id or 'a chat'} was not sent by this program")

    def foreign_delete(self, receipt_id: int) -> None:
        self._signal(
            "foreign_delete", self._deletes_needed,
            f"notification {receipt_id} was deleted from the queue by someone else",
        )

    def _signal(self, kind: str, needed: int, detail: str) -> None:
        now = self._now()
        seen = self._signals[kind]
        seen.append(now)
        while seen and seen[0] < now - self._window:
            seen.popleft()
        log.info("shared instance signal: %s", detail)
        if len(seen) < needed:
            return
        if self._last_warning is not None and now - self._last_warning < self._repeat_after:
            return
        self._last_warning = now
        self.warnings += 1
        message = f"{ADVICE} ({kind}: {len(seen)} in {self._window / 60:.0f} min; {detail})"
        log.warning("%s", message)
        self._bus.publish(ev.SharedInstanceSuspected(kind, len(seen), detail))
        self._bus.publish(ev.EngineError("whatsapp", message))
