"""Stopping the engine when Windows ends the session (logoff, shutdown, restart).

Windows asks every window first (WM_QUERYENDSESSION, Qt's `commitDataRequest`), then
announces the end (WM_ENDSESSION): Qt emits `aboutToQuit`, and the process is killed as
soon as that returns. The console normally stops the engine from the asyncio side after
its window closes (ui/app.py); at session end there is no time for that round trip, so:

- `commitDataRequest`: the session is ending, start stopping now (more time);
- `aboutToQuit`: make sure the stop was requested, then keep Qt's (and so qasync's)
  event processing going until the engine reports it has stopped, at most `budget_s`.

The same `aboutToQuit` is emitted on every normal exit too; by then the engine has
stopped and the guard returns at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Windows shows "this app is preventing shutdown" after ~5 s: stay under it.
SESSION_END_BUDGET_S = 4.0


def spin_qt_events(done: Callable[[], bool], budget_s: float) -> bool:
    """Process Qt events (qasync runs asyncio callbacks from them) until `done()` or the budget."""
    from PySide6.QtCore import QCoreApplication, QEventLoop

    deadline = time.monotonic() + budget_s
    while not done():
        if time.monotonic() >= deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


class SessionEndGuard:
    """Connect `on_commit_data` and `on_about_to_quit`; call `mark_stopped()` after engine.stop()."""

    def __init__(self, request_stop: Callable[[], None], *, budget_s: float = SESSION_END_BUDGET_S,
                 spin: Callable[[Callable[[], bool], float], bool] = spin_qt_events) -> None:
        self._request_stop = request_stop
        self._budget_s = budget_s
        self._spin = spin
        self._stopped = False
        self.session_ending = False

    def connect(self, app: Any) -> None:
        app.commitDataRequest.connect(self.on_commit_data)
        app.aboutToQuit.connect(self.on_about_to_quit)

    def mark_stopped(self) -> None:
        self._stopped = True

    @property
    def stopped(self) -> bool:
        return self._stopped

    def on_commit_data(self, _manager: Any = None) -> None:
        if self._stopped:
            return
        self.session_ending = True
        log.info("the Windows session is ending: stopping the engine")
        self._request_stop()

    def on_about_to_quit(self) -> None:
        if self._stopped:
            return
        log.info("the application is about to quit: stopping the engine (at most %.1f s)", self._budget_s)
        self._request_stop()
        if not self._spin(lambda: self._stopped, self._budget_s):
            log.warning("the engine did not stop within %.1f s before the application quit", self._budget_s)
