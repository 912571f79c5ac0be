"""Starting on a damaged database: the headless engine (a real process) says what happened
in English and Russian and how to restore, exits non-zero, and leaves the file as it was;
`db restore` then puts the newest backup in and the engine starts."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from ottenok_desktop.__main__ import main
from ottenok_desktop.services.instance_lock import InstanceLock
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.integrity import EXIT_DAMAGED

REPO = Path(__file__).resolve().parents[1]


def prepare(data_dir: Path) -> Path:
    path = data_dir / "ottenok.sqlite3"
    Database(path).open_sync().close_sync()
    with sqlite3.connect(path) as conn:
        conn.execute("insert into chat (chat_id, phone, name, channel, owner, owner_name, needs_human, "
                     "handoff_reason, closed, opted_out, unanswered, last_text, state_json, created_at, updated_at) "
                     "values ('77011234567@c.us', '77011234567', 'Дана', 'whatsapp', 'bot', '', 0, '', 0, 0, 0, "
                     "'салем', '{}', '2026-11-30', '2026-11-30')")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(path, data_dir / "ottenok.sqlite3.bak-v1")
    return path


def test_headless_process_on_a_damaged_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = prepare(data_dir)
    damaged = b"\x00" * 4096 + "копия прервалась".encode()
    path.write_bytes(damaged)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GREEN_API", "OPENAI", "OTTENOK"))}
    env.update(PYTHONPATH=str(REPO), OTTENOK_DATA_DIR=str(data_dir))
    done = subprocess.run([sys.executable, "-m", "ottenok_desktop", "--headless"], cwd=str(REPO), env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == EXIT_DAMAGED, done.stderr
    assert "READY" not in done.stdout and "Traceback" not in done.stderr
    assert "is not an SQLite database (file is not a database)" in done.stderr
    assert "Newest backup: ottenok.sqlite3.bak-v1" in done.stderr
    assert "db restore" in done.stderr and "База данных программы повреждена" in done.stderr
    assert path.read_bytes() == damaged  # never touched


def test_db_check_and_restore_commands(tmp_path: Path, capsys) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = prepare(data_dir)
    args = ["--data-dir", str(data_dir), "db"]
    assert main([*args, "check"]) == 0
    assert main([*args, "restore"]) == 1  # a sound database is not replaced without --force
    capsys.readouterr()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    assert main([*args, "check"]) == EXIT_DAMAGED
    assert "truncated" in capsys.readouterr().err
    with InstanceLock(data_dir, "console") as running:
        assert running.acquire()
        assert main([*args, "restore"]) == 1  # never under a running program
        assert "already running" in capsys.readouterr().err
    assert main([*args, "restore"]) == 0
    out = capsys.readouterr().out
    assert "Restored ottenok.sqlite3 from ottenok.sqlite3.bak-v1" in out and "База восстановлена" in out
    [aside] = data_dir.glob("ottenok.sqlite3.damaged-*")
    assert aside.read_bytes() == data[: len(data) // 3]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select name from chat").fetchall() == [("Дана",)]
    assert main([*args, "check"]) == 0
