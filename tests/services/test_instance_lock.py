"""One program per data dir: the OS lock on <data dir>/ottenok.lock, within one process
(two handles) and across two real processes; the lock goes with the process however it ends."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ottenok_desktop.services.instance_lock import InstanceLock

REPO = Path(__file__).resolve().parents[2]

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from ottenok_desktop.services.instance_lock import InstanceLock\n"
    "lock = InstanceLock(Path(sys.argv[1]), 'headless')\n"
    "print('HELD' if lock.acquire() else 'BUSY', flush=True)\n"
    "sys.stdin.readline()\n"
)


def test_second_handle_is_refused_until_released(data_dir: Path) -> None:
    first, second = InstanceLock(data_dir, "console"), InstanceLock(data_dir, "headless")
    assert first.acquire() and first.held
    assert not second.acquire() and not second.held
    holder = second.holder()
    assert holder is not None and holder.pid == os.getpid() and holder.kind == "console"
    assert second.is_held_elsewhere()
    message = second.already_running_message()
    assert "already running" in message and "уже запущен" in message and f"процесс {os.getpid()}" in message
    first.release()
    assert not second.is_held_elsewhere()
    assert second.acquire()
    assert second.holder().kind == "headless"  # the new holder wrote itself in
    second.release()


def test_other_data_dirs_are_independent(tmp_path: Path) -> None:
    with InstanceLock(tmp_path / "shop1", "console") as one, InstanceLock(tmp_path / "shop2", "console") as two:
        assert one.acquire() and two.acquire()


def test_lock_across_real_processes_and_after_a_kill(data_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(data_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "HELD"
        second = subprocess.run([sys.executable, "-c", HOLD, str(data_dir)], input="\n", capture_output=True,
                                text=True, env=env, timeout=60)
        assert second.stdout.strip() == "BUSY"
        mine = InstanceLock(data_dir, "console")
        assert not mine.acquire() and mine.holder().pid == holder.pid
    finally:
        holder.kill()  # no clean release: the OS must drop the lock with the process
        holder.wait(30)
    assert mine.acquire()
    mine.release()
