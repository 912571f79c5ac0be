"""A second console start on the same data dir: the real `python -m ottenok_desktop` in a
second process finds the folder taken, asks the running console over QLocalSocket, the
running window comes to the front and the second process exits 0. When the holder is the
headless engine there is no window to show: a message box and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ottenok_desktop.services.instance_lock import EXIT_ALREADY_RUNNING, InstanceLock
from ottenok_desktop.ui.single_instance import ConsoleInstance, bring_to_front, server_name

REPO = Path(__file__).resolve().parents[2]


def second_start(data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API", "OPENAI", "OTTENOK"))}
    env.update(PYTHONPATH=str(REPO), OTTENOK_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "ottenok_desktop"], cwd=str(REPO), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_second_console_start_brings_the_running_window_forward(qtbot, data_dir: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.showMinimized()
    with ConsoleInstance(data_dir, activate=lambda: bring_to_front(window)) as running:
        assert running.claim()
        proc = second_start(data_dir)
        try:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=120_000)  # Qt events flow meanwhile
        finally:
            if proc.poll() is None:
                proc.kill()
        out, err = proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        assert running.server is not None and running.server.requests == 1
        assert window.isVisible() and not window.isMinimized()
        assert "Traceback" not in err


def test_console_start_while_the_headless_engine_runs(qtbot, data_dir: Path) -> None:
    shown: list[str] = []
    with InstanceLock(data_dir, "headless") as engine_lock:
        assert engine_lock.acquire()
        second = ConsoleInstance(data_dir)
        assert not second.claim()
        assert second.hand_over(show_box=shown.append) == EXIT_ALREADY_RUNNING
    [text] = shown
    assert "программа без окна (сервер)" in text and f"процесс {os.getpid()}" in text and str(data_dir) in text


def test_a_stale_socket_from_a_crash_does_not_stop_the_listener(qtbot, data_dir: Path) -> None:
    from PySide6.QtNetwork import QLocalServer

    crashed = QLocalServer()
    assert crashed.listen(server_name(data_dir))  # as if a killed console left it behind
    with ConsoleInstance(data_dir) as console:
        assert console.claim()
        assert console.server is not None and console.server._server.isListening()
    crashed.close()


def test_server_name_is_per_folder(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")
