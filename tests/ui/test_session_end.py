"""Windows logoff/shutdown: `aboutToQuit` keeps qasync's loop turning until the engine has
stopped (bounded), and `commitDataRequest` starts the stop early."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from ottenok_desktop.ui.session_end import SessionEndGuard


async def _engine_like(closed: asyncio.Event, guard: SessionEndGuard, seconds: float, log: list[str]) -> None:
    """What ui/app.py's main does: wait for the close request, stop (takes a while), report."""
    await closed.wait()
    log.append("stopping")
    await asyncio.sleep(seconds)
    log.append("stopped")
    guard.mark_stopped()


async def test_about_to_quit_returns_only_after_the_engine_stopped() -> None:
    app: Any = QApplication.instance()
    closed = asyncio.Event()
    guard = SessionEndGuard(closed.set, budget_s=10)
    guard.connect(app)
    log: list[str] = []
    seen_on_return: list[list[str]] = []
    try:
        task = asyncio.ensure_future(_engine_like(closed, guard, 0.3, log))

        def windows_ends_the_session() -> None:  # from Qt's event dispatch, outside any asyncio task
            app.aboutToQuit.emit()
            seen_on_return.append(list(log))  # after this returns, Windows would kill the process

        QTimer.singleShot(0, windows_ends_the_session)
        await asyncio.wait_for(task, 15)
        await asyncio.sleep(0.05)
        assert seen_on_return == [["stopping", "stopped"]]
    finally:
        app.aboutToQuit.disconnect(guard.on_about_to_quit)
        app.commitDataRequest.disconnect(guard.on_commit_data)


async def test_commit_data_request_starts_the_stop_and_the_wait_is_bounded() -> None:
    closed = asyncio.Event()
    spins: list[float] = []

    def never_stops(done: Any, budget_s: float) -> bool:
        spins.append(budget_s)
        return bool(done())

    guard = SessionEndGuard(closed.set, budget_s=0.5, spin=never_stops)
    guard.on_commit_data(None)
    assert closed.is_set() and guard.session_ending
    guard.on_about_to_quit()
    assert spins == [0.5]
    guard.mark_stopped()
    guard.on_about_to_quit()  # every normal exit emits aboutToQuit too: nothing to wait for
    assert spins == [0.5]
