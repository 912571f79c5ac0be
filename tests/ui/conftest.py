"""UI test fixtures: a qasync loop for async tests, a real engine on a loopback GREEN-API
sandbox, and the real console window around it (offscreen)."""

from __future__ import annotations

import asyncio
import os
import time
import weakref
from pathlib import Path
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _qapp() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


_LOOPS: "weakref.WeakSet[asyncio.AbstractEventLoop]" = weakref.WeakSet()


def _qasync_loop() -> asyncio.AbstractEventLoop:
    import qasync

    loop = qasync.QEventLoop(_qapp())
    _LOOPS.add(loop)
    return loop


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    # A conftest hook: pytest-asyncio asks `item.ihook`, so only tests under tests/ui get qasync.
    return {"qasync": _qasync_loop}


def _guard_pytestqt_process_events() -> None:
    """pytest-qt calls QApplication.processEvents() between setup, call and teardown. With
    a qasync loop open but not running, that fires the loop's socket notifiers and timers
    outside it ("no running event loop" inside aiohttp/httpx callbacks). Skip it then; the
    qasync loop processes Qt events itself while a test runs."""
    import pytestqt.plugin as plugin

    original = plugin._process_events

    def process_events() -> None:
        if any(not loop.is_closed() for loop in list(_LOOPS)):
            return
        original()

    plugin._process_events = process_events


_guard_pytestqt_process_events()


async def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition",
                     detail: Callable[[], str] | None = None) -> None:
    """Wait on the running (qasync) loop; Qt events are processed meanwhile."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            extra = f" ({detail()})" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout}s waiting for {what}{extra}")
        await asyncio.sleep(0.02)


@pytest.fixture
def demo_settings(data_dir: Path):
    from ottenok_desktop.settings import load_settings

    return load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "no.env", demo=True)


def seat_b_settings(tmp_path: Path, postgres_url: str) -> Any:
    """Seat B's settings on a shared PostgreSQL database (its own data dir)."""
    from ottenok_desktop.settings import load_settings

    return load_settings(data_dir=tmp_path / "b", environ={"DATABASE_URL": postgres_url},
                         env_file=tmp_path / "none.env", overrides={"OTTENOK_SEAT_ID": "b"})


@pytest.fixture
def responder():
    from tests.fakes.responders import EchoResponder

    return EchoResponder(prefix="Алина: ")


@asynccontextmanager
async def open_console(settings: Any, responder: Any, prepare: Callable[[Any], None] | None = None, *,
                       lead: bool = True) -> AsyncIterator[Any]:
    """The real channel (sandbox, poller, dispatcher, sender, DB) with a scripted responder,
    and the real console window around it, started and stopped inside one test
    (`lead=False`: a seat on a shared database that does not run the channel).

    Started inside the test, not in an async fixture: qasync's run_until_complete processes
    Qt events once more after each run, outside the loop, which would fire the engine's
    socket callbacks with no running loop between fixture setup and the test."""
    from ottenok_desktop.bootstrap import build_engine
    from ottenok_desktop.ui.app import build_console, make_application, start_console

    engine = build_engine(settings, responder=responder, channel_only=True, debounce=0.0, receive_timeout=5,
                          sender_retry_base=0.05)
    if prepare is not None:
        prepare(engine)
    make_application()
    console = build_console(engine)
    try:
        console.window.show()
        await start_console(console, lead=lead)
        yield console
    finally:
        await console.close()
        await engine.stop()


@pytest.fixture
def console_of(demo_settings, responder) -> Callable[..., Any]:
    """`async with console_of() as console:` — optionally `prepare(engine)` before start."""
    return lambda prepare=None: open_console(demo_settings, responder, prepare)
