"""The engine as a separate process with the Telegram channel, killed with SIGKILL mid-burst:
after a restart every update is stored and processed exactly once, and no customer gets an
answer twice. The one allowed gap is Telegram's documented rule (services/telegram/outbound.py):
a send that was in flight at the kill is never repeated; its row is failed as unconfirmed."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from tests.test_headless_process import REPO, env_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


async def spawn(wa: GreenApiSandbox, tg: TelegramSandbox, data_dir: Path) -> asyncio.subprocess.Process:
    env = env_for(wa, data_dir)
    env.update(TELEGRAM_BOT_TOKEN=tg.token, TELEGRAM_API_URL=tg.api_url)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.channel_process", str(data_dir), cwd=str(REPO), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    line = await asyncio.wait_for(proc.stdout.readline(), 60)
    assert line.startswith(b"READY"), (line, await proc.stderr.read())
    return proc


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "ottenok.sqlite3") as conn:
        return conn.execute(sql).fetchall()


async def test_sigkill_mid_burst_every_update_answered_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    wa = GreenApiSandbox(poll_scale=0.05, status_delay=0.01)
    tg = TelegramSandbox(poll_scale=0.05)
    await wa.start()
    await tg.start()
    try:
        proc = await spawn(wa, tg, data_dir)
        users = [5551000000 + i for i in range(20)]
        expected = []
        for round_ in range(3):
            for user in users:
                text = f"вопрос {round_} от {user}"
                expected.append(text)
                tg.write(user, text, first_name=f"Клиент {user % 100}")
        await tg.wait_sent(10, timeout=30)
        proc.kill()
        await proc.wait()
        assert proc.returncode == -signal.SIGKILL

        proc = await spawn(wa, tg, data_dir)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:
            answered = rows(data_dir, "select count(*) from message where turn_state='answered'")[0][0]
            active = rows(data_dir, "select count(*) from outbox_item where state in ('pending','sending','unknown')")[0][0]
            if answered == len(expected) and active == 0 and tg.pending_updates() == 0:
                break
            await asyncio.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)

        assert rows(data_dir, "select state, count(*) from telegram_update group by state") == [("done", len(expected))]
        stored = [r[0] for r in rows(data_dir, "select text from message where sender_kind='customer'")]
        assert sorted(stored) == sorted(expected)  # every update became exactly one message
        unconfirmed = rows(data_dir, "select text from outbox_item where state='failed' and last_error like 'unconfirmed%'")
        assert rows(data_dir, "select count(*) from outbox_item where state not in ('sent','failed')")[0][0] == 0
        sent_texts = [m.text for m in tg.sent]
        missing = []
        for text in expected:
            count = sum(text in s for s in sent_texts)
            assert count <= 1, f"answered twice: {text}"
            if count == 0:
                missing.append(text)
        # an answer is missing only when its send was in flight at the kill (never repeated)
        assert all(any(m in u[0] for u in unconfirmed) for m in missing), (missing, unconfirmed)
        assert len(unconfirmed) <= 8  # at most the sends in flight
    finally:
        await tg.stop()
        await wa.stop()
