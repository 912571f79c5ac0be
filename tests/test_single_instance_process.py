"""Starting twice on one data dir, as two real processes: the second headless start says
who holds the folder and exits non-zero while the first keeps running; after the first
stops, a new start gets the folder."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.instance_lock import EXIT_ALREADY_RUNNING

from .test_headless_process import REPO, env_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


async def start_headless(sandbox: GreenApiSandbox, data_dir: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ottenok_desktop", "--headless", cwd=str(REPO), env=env_for(sandbox, data_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_second_headless_start_on_the_same_data_dir_exits_with_a_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    sandbox = GreenApiSandbox(poll_scale=0.05, status_delay=0.01)
    await sandbox.start()
    first = await start_headless(sandbox, data_dir)
    try:
        line = await asyncio.wait_for(first.stdout.readline(), 120)
        assert line.startswith(b"READY"), (line, (await first.stderr.read()).decode()[-2000:])

        second = await start_headless(sandbox, data_dir)
        out, err = await asyncio.wait_for(second.communicate(), 120)
        assert second.returncode == EXIT_ALREADY_RUNNING
        text = err.decode()
        assert "READY" not in out.decode() and "Traceback" not in text and "database is locked" not in text
        assert f"already running on this data folder ({data_dir})" in text
        assert f"the headless engine, process {first.pid}" in text and "Оттенок уже запущен" in text

        sandbox.inject_text("77015556677@c.us", "добрый день, туфли лабутен 37 есть?")
        await sandbox.wait_sent(1, timeout=60)  # the first one still serves
        assert first.returncode is None
    finally:
        first.send_signal(signal.SIGTERM)
        await asyncio.wait_for(first.communicate(), 60)
    assert first.returncode == 0

    third = await start_headless(sandbox, data_dir)  # the folder is free again
    try:
        line = await asyncio.wait_for(third.stdout.readline(), 120)
        assert line.startswith(b"READY")
    finally:
        third.send_signal(signal.SIGTERM)
        await asyncio.wait_for(third.communicate(), 60)
        await sandbox.stop()
