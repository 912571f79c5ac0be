"""`--headless` stops cleanly on every "stop" the OS sends: SIGINT/SIGTERM here; on Windows
Ctrl+Break and console close/logoff/shutdown (the Win32 call is replaced by a fake)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ottenok_desktop.stop_signals import (
    CTRL_BREAK_EVENT,
    CTRL_C_EVENT,
    CTRL_CLOSE_EVENT,
    CTRL_LOGOFF_EVENT,
    StopSignals,
)

REPO = Path(__file__).resolve().parents[1]


class FakeKernel32:
    def __init__(self, accept: bool = True) -> None:
        self.handlers: list[Any] = []
        self.accept = accept

    def SetConsoleCtrlHandler(self, handler: Any, add: bool) -> int:  # noqa: N802 (Win32 name)
        assert add is True
        self.handlers.append(handler)
        return 1 if self.accept else 0


@pytest.fixture
def restore_signals() -> Any:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


async def test_posix_installs_sigint_and_sigterm_on_the_loop_and_no_console_handler() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    kernel32 = FakeKernel32()
    signals = StopSignals(loop, stop.set, platform="linux", console_api=kernel32)
    try:
        assert signals.install() == ["SIGINT", "SIGTERM"]
        assert kernel32.handlers == []
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 5)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def test_windows_console_close_stops_the_engine_and_waits_for_it(restore_signals: None) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    kernel32 = FakeKernel32()
    signals = StopSignals(loop, stop.set, platform="win32", console_api=kernel32, close_budget_s=10)
    installed = signals.install()
    try:
        assert "console-close" in installed and len(kernel32.handlers) == 1
        handler = kernel32.handlers[0]
        # Ctrl+C / Ctrl+Break are left to Python's signal handling
        assert handler(CTRL_C_EVENT) is False and handler(CTRL_BREAK_EVENT) is False
        results: list[tuple[bool, float]] = []

        def windows_thread() -> None:  # Windows runs the handler on a thread of its own
            started = time.monotonic()
            results.append((handler(CTRL_CLOSE_EVENT), time.monotonic() - started))

        thread = threading.Thread(target=windows_thread)
        thread.start()
        await asyncio.wait_for(stop.wait(), 5)
        await asyncio.sleep(0.3)  # the engine takes a moment to stop...
        assert thread.is_alive()  # ...and the handler must not return (= process killed) before it did
        signals.stopped()
        await asyncio.to_thread(thread.join, 5)
        assert results and results[0][0] is True and results[0][1] >= 0.3
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def test_the_wait_is_bounded_when_the_engine_hangs(restore_signals: None) -> None:
    loop = asyncio.get_running_loop()
    stopped_requests: list[int] = []
    signals = StopSignals(loop, lambda: stopped_requests.append(1), platform="win32",
                          console_api=FakeKernel32(), close_budget_s=0.2)
    signals.install()
    try:
        handled = await asyncio.to_thread(signals.on_console_event, CTRL_LOGOFF_EVENT)
        await asyncio.sleep(0)
        assert handled is True and stopped_requests == [1]
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def test_a_refused_console_handler_is_reported_not_fatal(restore_signals: None) -> None:
    loop = asyncio.get_running_loop()
    signals = StopSignals(loop, lambda: None, platform="win32", console_api=FakeKernel32(accept=False))
    try:
        assert "console-close" not in signals.install()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_headless_demo_exits_0_after_a_clean_stop(tmp_path: Path, signum: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API", "OPENAI", "OTTENOK"))}
    env.update(PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    data = tmp_path / "Оттенок"
    proc = subprocess.Popen([sys.executable, "-m", "ottenok_desktop", "--headless", "--demo", "--data-dir", str(data)],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(b"READY"), line
        proc.send_signal(signum)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (data / "logs" / "ottenok.log").read_text(encoding="utf-8")
    assert "stopping" in log and "stopped cleanly" in log
