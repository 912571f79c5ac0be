"""How `--headless` hears "stop": SIGINT/SIGTERM on POSIX; Ctrl+C, Ctrl+Break and the
console closing (or logoff/shutdown) on Windows.

Windows has no SIGTERM for a console program. Ctrl+Break arrives as SIGBREAK; closing the
console window, logging off and shutting down arrive as console control events
(CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT) on a separate thread, and
Windows ends the process as soon as the handler returns (after at most ~5 s for a close,
~20 s for logoff/shutdown). So the handler asks the loop to stop and then waits, bounded,
until the engine reports it has stopped. No Qt here: the headless runner never imports it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

CTRL_C_EVENT = 0
CTRL_BREAK_EVENT = 1
CTRL_CLOSE_EVENT = 2
CTRL_LOGOFF_EVENT = 5
CTRL_SHUTDOWN_EVENT = 6
# Events after which Windows terminates the process once the handler returns.
ENDING_EVENTS = {CTRL_CLOSE_EVENT: "console closed", CTRL_LOGOFF_EVENT: "logoff", CTRL_SHUTDOWN_EVENT: "shutdown"}
# Windows allows 5 s after CTRL_CLOSE_EVENT before it kills the process; stay under it.
CONSOLE_CLOSE_BUDGET_S = 4.5


class ConsoleApi(Protocol):
    """The one kernel32 function used (ctypes.windll.kernel32 on Windows, a fake in tests)."""

    def SetConsoleCtrlHandler(self, handler: Any, add: bool) -> int: ...  # noqa: N802 (Win32 name)


class StopSignals:
    """Installs the handlers; `stopped()` must be called once the engine has stopped."""

    def __init__(self, loop: asyncio.AbstractEventLoop, request_stop: Callable[[], None], *,
                 platform: str = sys.platform, console_api: ConsoleApi | None = None,
                 close_budget_s: float = CONSOLE_CLOSE_BUDGET_S) -> None:
        self._loop = loop
        self._request_stop = request_stop
        self._platform = platform
        self._console_api = console_api
        self._close_budget_s = close_budget_s
        self._stopped = threading.Event()
        self._ctrl_handler: Any = None  # keeps the ctypes callback alive
        self.installed: list[str] = []

    # ---- installation ------------------------------------------------------------------------
    def install(self) -> list[str]:
        for name in ("SIGINT", "SIGTERM"):
            signum = getattr(signal, name, None)
            if signum is None:
                continue
            try:
                self._loop.add_signal_handler(signum, self._request_stop)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows' Proactor loop
                self._install_plain(signum)
            self.installed.append(name)
        if self._platform == "win32":
            signum = getattr(signal, "SIGBREAK", None)
            if signum is not None:
                self._install_plain(signum)
                self.installed.append("SIGBREAK")
            if self._install_console_handler():
                self.installed.append("console-close")
        log.debug("stop signals installed: %s", ", ".join(self.installed))
        return self.installed

    def _install_plain(self, signum: int) -> None:
        def handler(_signum: int, _frame: object) -> None:
            self._loop.call_soon_threadsafe(self._request_stop)

        signal.signal(signum, handler)

    def _install_console_handler(self) -> bool:
        api = self._console_api
        if api is None:
            if self._platform != "win32" or sys.platform != "win32":
                return False
            import ctypes

            api = ctypes.windll.kernel32  # type: ignore[attr-defined]
        self._ctrl_handler = _wrap_handler(self.on_console_event, self._platform)
        if not api.SetConsoleCtrlHandler(self._ctrl_handler, True):
            log.warning("could not install the console close handler: closing the window will not stop cleanly")
            return False
        return True

    # ---- events --------------------------------------------------------------------------------
    def on_console_event(self, event: int) -> bool:
        """Runs on a thread Windows creates. True = handled (for the ending events: after
        the engine stopped or the budget ran out); False lets Ctrl+C/Break reach Python."""
        reason = ENDING_EVENTS.get(event)
        if reason is None:
            return False
        log.info("%s: stopping the engine", reason)
        self._loop.call_soon_threadsafe(self._request_stop)
        if not self._stopped.wait(self._close_budget_s):
            log.warning("the engine did not stop within %.1f s of the %s", self._close_budget_s, reason)
        return True

    def stopped(self) -> None:
        self._stopped.set()


def _wrap_handler(callback: Callable[[int], bool], platform: str) -> Any:
    """A HandlerRoutine for SetConsoleCtrlHandler (a plain function off Windows)."""
    if platform != "win32" or sys.platform != "win32":
        return callback
    import ctypes
    from ctypes import wintypes

    routine = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)  # type: ignore[attr-defined]
    return routine(lambda event: bool(callback(int(event))))
