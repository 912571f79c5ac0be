"""Starting the console: `run_gui(settings)` and `run_self_test(settings)`.

One asyncio loop (qasync's QEventLoop on the main thread). The window shows first, then
the engine starts; closing the window sets an asyncio.Event and `main()` stops the
engine from the asyncio side (DESIGN.md §4: `setQuitOnLastWindowClosed(False)`, the
engine's own ThreadPoolExecutor shut down without waiting). At Windows logoff/shutdown
`commitDataRequest`/`aboutToQuit` stop the engine within Windows' time (session_end.py).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..settings import Settings
from ..tempdirs import remove_tree_quietly
from . import strings as S

if TYPE_CHECKING:
    from ..runtime import Engine

log = logging.getLogger(__name__)
SELF_TEST_CHAT = "77015550199@c.us"
SELF_TEST_TEXT = "Здравствуйте, есть шанель лоферы 37 размер в бежевом?"
SELF_TEST_TIMEOUT = 60.0


@dataclass
class Console:
    """The console's parts, as tests, screenshots and the benchmark need them."""

    ctx: Any
    bridge: Any
    window: Any

    async def close(self) -> None:
        self.window.alerts.stop()
        await self.ctx.tasks.shutdown()
        self.bridge.detach()
        self.window.hide()
        if self.window.demo_client is not None:
            self.window.demo_client.deleteLater()
        self.window.deleteLater()


def make_application() -> Any:
    from .platform_check import exit_if_qt_cannot_start

    exit_if_qt_cannot_start()  # missing X11 libraries: say what to install, not Qt's abort
    from PySide6.QtWidgets import QApplication

    from .resources import app_icon, style_sheet

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    app.setApplicationName("Ottenok")
    app.setApplicationDisplayName("Оттенок")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
    return app


def build_console(engine: "Engine", closed: asyncio.Event | None = None) -> Console:
    """The window, its bridge to the engine's bus and the wiring; nothing started yet."""
    from .bridge import Bridge
    from .context import Context
    from .main_window import MainWindow
    from .prefs import ConsolePrefs
    from .wiring import wire

    ctx = Context(engine, ConsolePrefs.load(engine.settings.data_dir))
    window = MainWindow(ctx, closed)
    bridge = Bridge(engine.bus, window)
    wire(bridge, window)
    return Console(ctx, bridge, window)


async def start_console(console: Console, *, lead: bool = True) -> None:
    """Start the engine behind a shown window, then fill the views (`lead=False`: a seat on a
    shared database, whose channel starts only when it wins the engine lease)."""
    from .wiring import initial_load

    await console.ctx.engine.start(lead=lead)
    await initial_load(console.window)
    # What is loaded by now (Qt wrappers, libraries, indexes) lives for the whole session:
    # move it out of the collector's reach so a full collection cannot stall the loop.
    gc.collect()
    gc.freeze()


async def _main(settings: Settings) -> int:
    from PySide6.QtWidgets import QApplication

    from ..bootstrap import build_engine
    from .session_end import SessionEndGuard

    closed = asyncio.Event()
    # Windows logoff/shutdown: stop the engine before the process is killed (session_end.py).
    guard = SessionEndGuard(closed.set)
    guard.connect(QApplication.instance())
    engine = build_engine(settings)
    console = build_console(engine, closed)
    console.window.show()
    log.info("console window shown")
    await asyncio.sleep(0)  # let the window paint before the heavy start
    seat = None
    try:
        try:
            await start_console(console, lead=not settings.database_url)
            if settings.database_url:  # several seats: the bot runs here only while this seat leads
                from ..seat_runner import ConsoleSeat

                seat = ConsoleSeat(engine, settings,
                                   observer=lambda change: console.window.status.on_seat_change(change.state),
                                   on_seats=console.window.status.on_seats)
                await seat.start()
        except Exception as exc:  # the manager gets a message, not a vanished window
            log.exception("the console could not start")
            show_fatal(S.FATAL_START.format(reason=f"{type(exc).__name__}: {exc}", log=settings.logs_dir / "ottenok.log"))
            return 1
        from .manager_name import ask_name_if_unknown

        ask_name_if_unknown(console.ctx, console.window)
        if settings.demo_mode:
            client = console.window.open_demo_client()
            client.move(console.window.geometry().right() - 400, console.window.geometry().top() + 80)
        await closed.wait()
    finally:
        try:
            await console.ctx.tasks.shutdown()
            if seat is not None:
                await seat.stop()
            await engine.stop()
            log.info("engine stopped cleanly%s", " (session end)" if guard.session_ending else "")
        finally:
            guard.mark_stopped()
            console.bridge.detach()
            console.window.alerts.stop()
    return 0


def show_fatal(message: str) -> None:
    """A blocking error box: the windowed .exe has no console to print to."""
    from PySide6.QtWidgets import QMessageBox

    make_application()
    QMessageBox.critical(None, S.FATAL_TITLE, message)


def run_gui(settings: Settings) -> int:
    import qasync

    from ..services.storage.integrity import EXIT_DAMAGED
    from .damaged_db import database_ready
    from .single_instance import ConsoleInstance

    app = make_application()
    with ConsoleInstance(settings.data_dir) as instance:
        if not instance.claim():  # one program per data dir: the running window comes to the front
            return instance.hand_over()
        if not database_ready(settings.database_path):  # a damaged file: offer the newest backup
            return EXIT_DAMAGED
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            return runner.run(_main(settings))


# ---- self-test ------------------------------------------------------------------------------------
class SelfTestFailure(Exception):
    pass


async def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SelfTestFailure(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.05)


async def _self_test(settings: Settings, timings: dict[str, float]) -> None:
    from ..bootstrap import build_engine
    from ..engine import events as ev

    started = time.perf_counter()
    engine = build_engine(settings)
    console = build_console(engine)
    console.window.show()
    await asyncio.sleep(0)
    timings["window shown"] = time.perf_counter() - started
    events: list[ev.Event] = []
    engine.bus.subscribe(events.append)
    try:
        await start_console(console)
        timings["engine started"] = time.perf_counter() - started
        if engine.sandbox is None:
            raise SelfTestFailure("demo mode has no GREEN-API sandbox")
        turn_started = time.perf_counter()
        engine.sandbox.inject_text(SELF_TEST_CHAT, SELF_TEST_TEXT, "Самопроверка")

        def bot_replied() -> bool:
            return any(isinstance(e, ev.MessageSent) and e.chat_id == SELF_TEST_CHAT for e in events)

        await _wait_for(bot_replied, SELF_TEST_TIMEOUT, "the bot's reply to be sent")
        timings["customer turn"] = time.perf_counter() - turn_started
        sent = engine.sandbox.sent_to(SELF_TEST_CHAT)
        if not sent:
            raise SelfTestFailure("the engine reported a sent reply but the sandbox received none")
        model = console.window.chat_list.model
        await _wait_for(lambda: model.row_of(SELF_TEST_CHAT) >= 0, 10, "the chat to appear in the conversation list")
        console.window.open_chat(SELF_TEST_CHAT)
        chat_model = console.window.chat_panel.model
        await _wait_for(lambda: chat_model.chat_id == SELF_TEST_CHAT and len(chat_model.rows) >= 2, 10,
                        "the chat view to show the customer's message and the reply")
        kinds = {row.sender_kind for row in chat_model.rows}
        if "customer" not in kinds or "bot" not in kinds:
            raise SelfTestFailure(f"chat view shows sender kinds {sorted(kinds)}, expected customer and bot")
        errors = [e for e in events if isinstance(e, ev.EngineError)]
        if errors:
            raise SelfTestFailure(f"engine error during the turn: {errors[0].where}: {errors[0].message}")
    finally:
        stop_started = time.perf_counter()
        await console.ctx.tasks.shutdown()
        await engine.stop()
        console.bridge.detach()
        console.window.alerts.stop()
        console.window.close()
        timings["shutdown"] = time.perf_counter() - stop_started


def run_self_test(settings: Settings) -> int:
    """Every subsystem on the demo data, the window offscreen, one customer turn; 0 or 1."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    total = time.perf_counter()
    timings: dict[str, float] = {}
    app = make_application()
    # A fresh data dir: the self-test never touches the shop's real database. It is removed
    # inside the try: on Windows files Chroma/SQLite still hold cannot be deleted yet
    # (WinError 32), and a failed clean-up must not turn a passed self-test into a crash.
    tmp = Path(tempfile.mkdtemp(prefix="ottenok-selftest-"))
    try:
        test_settings = settings.with_changes(
            data_dir=tmp, demo=True, inventory_excel_path=None, knowledge_base_dir=None, photos_dir=None,
        )
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(asyncio.wait_for(_self_test(test_settings, timings), SELF_TEST_TIMEOUT + 60))
    except (SelfTestFailure, asyncio.TimeoutError) as exc:
        print(f"self-test FAILED: {exc or 'timed out'}", file=sys.stderr)
        return 1
    except Exception as exc:  # any crash is a failed self-test with its reason
        log.exception("self-test crashed")
        print(f"self-test FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        remove_tree_quietly(tmp)
    for name, seconds in timings.items():
        print(f"{name}: {seconds:.2f} s")
    print(f"self-test passed in {time.perf_counter() - total:.2f} s")
    return 0
