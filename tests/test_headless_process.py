"""The engine as a separate process: killed with SIGKILL mid-burst it loses nothing and
answers nothing twice; SIGTERM stops it cleanly; `--headless` never imports Qt."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def env_for(sandbox: GreenApiSandbox, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API", "OPENAI", "OTTENOK"))}
    env.update(
        GREEN_API_URL=sandbox.api_url, GREEN_API_MEDIA_URL=sandbox.api_url, GREEN_API_INSTANCE_ID=sandbox.instance_id,
        GREEN_API_TOKEN=sandbox.token, OTTENOK_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO),
        GREEN_API_RECONCILE_GRACE="5",  # the sandbox records a send at once; a few seconds cover a reply still on its way
    )
    return env


async def spawn(sandbox: GreenApiSandbox, data_dir: Path, *args: str) -> asyncio.subprocess.Process:
    cmd = args or ("-m", "tests.fakes.channel_process", str(data_dir))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *cmd, cwd=str(REPO), env=env_for(sandbox, data_dir),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.startswith(b"READY"), (line, await proc.stderr.read())
    return proc


def db_rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "ottenok.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def test_sigkill_mid_burst_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    sandbox = GreenApiSandbox(poll_scale=0.05, status_delay=0.01, seed=11)
    await sandbox.start()
    try:
        proc = await spawn(sandbox, data_dir)
        chats = [f"7702{i:07d}@c.us" for i in range(20)]
        expected = []
        for round_ in range(4):
            for chat in chats:
                text = f"сообщение {round_} клиента {chat[:11]}"
                expected.append(text)
                sandbox.inject_text(chat, text)
        # let it get partway through the burst, then kill it without warning
        await sandbox.wait_sent(10, timeout=30)
        proc.kill()
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL

        proc = await spawn(sandbox, data_dir)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:
            answered = db_rows(data_dir, "select count(*) from message where turn_state='answered'")[0][0]
            unsent = db_rows(data_dir, "select count(*) from outbox_item where state != 'sent'")[0][0]
            if answered == len(expected) and unsent == 0 and sandbox.pending_notifications() == 0:
                break
            await asyncio.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)

        stored = [r[0] for r in db_rows(data_dir, "select text from message where sender_kind='customer'")]
        assert sorted(stored) == sorted(expected)  # every message stored exactly once
        sent_texts = [m.text for m in sandbox.sent]
        for text in expected:  # every turn answered exactly once (turns may merge messages)
            assert sum(text in s for s in sent_texts) == 1, text
    finally:
        await sandbox.stop()


async def test_sigterm_stops_cleanly_and_headless_imports_no_qt(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    sandbox = GreenApiSandbox(poll_scale=0.05, status_delay=0.01)
    await sandbox.start()
    try:
        proc = await spawn(sandbox, data_dir)
        sandbox.inject_text("77011112233@c.us", "добрый вечер")
        await sandbox.wait_sent(1, timeout=20)
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, err.decode()
        assert b"STOPPED no-qt" in out
        log = (data_dir / "logs" / "ottenok.log").read_text(encoding="utf-8")
        assert "engine stopped" in log
        assert sandbox.token not in log and sandbox.token not in err.decode()
    finally:
        await sandbox.stop()


async def test_headless_entry_point_runs_without_qt(tmp_path: Path) -> None:
    """`python -m ottenok_desktop --headless` with PySide6 made unimportable still runs."""
    data_dir = tmp_path / "data"
    sandbox = GreenApiSandbox(poll_scale=0.05, status_delay=0.01)
    await sandbox.start()
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'PySide6', 'qasync', 'shiboken6'}:\n"
        "            raise ImportError('Qt is blocked in this test: ' + name)\n"
        "sys.meta_path.insert(0, _Block())\n", encoding="utf-8")
    try:
        env = env_for(sandbox, data_dir)
        env["PYTHONPATH"] = f"{blocker}{os.pathsep}{REPO}"
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ottenok_desktop", "--headless", cwd=str(REPO), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        assert line.startswith(b"READY"), (line, (await proc.stderr.read()).decode()[-3000:])
        sandbox.inject_text("77013334455@c.us", "Здравствуйте! есть лоферы шанель 38?")
        await sandbox.wait_sent(1, timeout=60)
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()[-3000:]
    finally:
        await sandbox.stop()
