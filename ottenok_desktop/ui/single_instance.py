"""One console per data dir; a second start brings the running window to the front.

The first console takes the data dir's lock (services/instance_lock.py) and listens on a
QLocalServer whose name is derived from the data dir. A second console start finds the
lock taken, connects with a QLocalSocket, asks for the window ("raise"), gets "ok" and
exits 0. When the holder is the headless engine (no window to show) or does not answer,
the second start explains it in a message box and exits with EXIT_ALREADY_RUNNING.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..services.instance_lock import EXIT_ALREADY_RUNNING, InstanceLock
from . import strings as S

log = logging.getLogger(__name__)

RAISE = b"raise\n"
ANSWER = b"ok\n"
CONNECT_PATIENCE_S = 4.0  # the first start may hold the lock a moment before it listens


def server_name(data_dir: Path) -> str:
    """The same name for the same folder however it is spelled (case on Windows, symlinks)."""
    key = os.path.normcase(str(Path(data_dir).resolve()))
    return "ottenok-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def bring_to_front(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def console_window() -> QWidget | None:
    from .main_window import MainWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            return widget
    return None


class ActivationServer(QObject):
    """In the running console: answers a second start's "raise" by showing the window."""

    def __init__(self, name: str, activate: Callable[[], None]) -> None:
        super().__init__()
        self.name = name
        self._activate = activate
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._on_connection)
        self.requests = 0

    def listen(self) -> bool:
        QLocalServer.removeServer(self.name)  # a socket left by a crashed run (we hold the lock)
        if not self._server.listen(self.name):
            log.warning("second-start listener failed: %s", self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def _on_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._on_ready(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_ready(socket)

    def _on_ready(self, socket: QLocalSocket) -> None:
        if not bytes(socket.readAll().data()).startswith(RAISE.strip()):
            socket.disconnectFromServer()
            return
        self.requests += 1
        log.info("a second start asked for the window; bringing it to the front")
        try:
            self._activate()
        finally:
            socket.write(ANSWER)
            socket.flush()


def ask_running_console(name: str, pid: int | None = None, patience_s: float = CONNECT_PATIENCE_S) -> bool:
    """From the second start: ask the running console to show its window. True when it did."""
    if sys.platform == "win32" and pid:
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(pid)  # we are in front; let it come forward
    deadline = time.monotonic() + patience_s
    while True:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(500):
            socket.write(RAISE)
            socket.waitForBytesWritten(1000)
            answered = socket.waitForReadyRead(3000) and bytes(socket.readAll().data()).startswith(ANSWER.strip())
            socket.disconnectFromServer()
            return bool(answered)
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


class ConsoleInstance:
    """`claim()` at start: True → this is the only console on the data dir (listening);
    False → call `hand_over()` and exit with its code."""

    def __init__(self, data_dir: Path, activate: Callable[[], None] | None = None) -> None:
        self.lock = InstanceLock(data_dir, "console")
        self.name = server_name(data_dir)
        self._activate = activate or self._show_console
        self.server: ActivationServer | None = None

    @staticmethod
    def _show_console() -> None:
        window = console_window()
        if window is not None:
            bring_to_front(window)

    def claim(self) -> bool:
        if not self.lock.acquire():
            return False
        self.server = ActivationServer(self.name, self._activate)
        self.server.listen()
        return True

    def hand_over(self, show_box: Callable[[str], object] | None = None) -> int:
        holder = self.lock.holder()
        if (holder is None or holder.kind == "console") and ask_running_console(self.name, holder.pid if holder else None):
            log.info("the console already runs on %s; its window was brought to the front", self.lock.path.parent)
            return 0
        text = S.ALREADY_RUNNING_TEXT.format(
            holder=holder.describe_ru() if holder else "другой процесс", folder=self.lock.path.parent
        )
        log.error("%s", self.lock.already_running_message())
        (show_box or _critical)(text)
        return EXIT_ALREADY_RUNNING

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.release()

    def __enter__(self) -> "ConsoleInstance":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _critical(text: str) -> None:
    QMessageBox.critical(None, S.ALREADY_RUNNING_TITLE, text)
