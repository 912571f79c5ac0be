"""A damaged database file (power lost mid-write, a bad copy): found before the engine
opens it, the newest sound backup is named, restoring keeps the damaged file; a daily
backup exists so there is something to restore."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import integrity as ig
from ottenok_desktop.services.storage import models as m
from ottenok_desktop.services.storage.migrations import LATEST_VERSION


def make_db(path: Path, chats: int = 300) -> Path:
    db = Database(path).open_sync()

    def fill() -> None:
        now = datetime.now(timezone.utc)
        for i in range(chats):
            m.Chat.create(chat_id=f"7701{i:07d}@c.us", phone=f"7701{i:07d}", name=f"Айгерим {i}",
                          last_text="есть лоферы шанель 38? " * 10, created_at=now, updated_at=now)

    db.atomic_sync(fill)
    db.call_sync(lambda: db._db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.close_sync()
    return path


def chats_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("select count(*) from chat").fetchone()[0]


def age(path: Path, hours: float) -> None:
    stamp = (datetime.now() - timedelta(hours=hours)).timestamp()
    os.utime(path, (stamp, stamp))


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return make_db(data_dir / "ottenok.sqlite3")


def test_sound_and_missing_files_pass(db_path: Path, data_dir: Path) -> None:
    assert ig.inspect_database(db_path) is None
    assert ig.inspect_database(data_dir / "nothing-yet.sqlite3") is None


def test_not_a_database(db_path: Path) -> None:
    db_path.write_bytes("это не база, а заметка про доставку".encode() * 100)
    damage = ig.inspect_database(db_path)
    assert damage is not None and damage.code == "not_sqlite" and damage.backup is None
    assert "file is not a database" in damage.message_en()
    assert "это не файл базы данных SQLite" in damage.message_ru()
    assert "Резервной копии рядом нет" in damage.message_ru()


def test_truncated_file_names_the_newest_sound_backup(db_path: Path) -> None:
    old = db_path.with_name("ottenok.sqlite3.bak-v1")
    newer = db_path.with_name("ottenok.sqlite3.bak-v1-20261129-0900")
    broken_newest = db_path.with_name("ottenok.sqlite3.bak-v1-20261130-0900")
    for backup, hours in ((old, 72), (newer, 20), (broken_newest, 1)):
        backup.write_bytes(db_path.read_bytes())
        age(backup, hours)
    broken_newest.write_bytes(broken_newest.read_bytes()[:5000])  # a backup can be damaged too
    age(broken_newest, 1)
    size = db_path.stat().st_size
    assert size > 40_000
    with db_path.open("r+b") as handle:
        handle.truncate(size // 2)
    damage = ig.inspect_database(db_path)
    assert damage is not None and damage.code == "truncated"
    assert damage.backup == newer
    assert f"the file has {size // 2}" in damage.message_en()
    assert "Newest backup: ottenok.sqlite3.bak-v1-20261129-0900" in damage.message_en()
    assert "db restore" in damage.message_en() and "файл обрезан" in damage.message_ru()


def test_a_page_scribbled_over_is_found_by_sqlite(db_path: Path) -> None:
    data = bytearray(db_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 3 : page * 3 + 2000] = os.urandom(2000)  # a b-tree page of the chat table
    db_path.write_bytes(bytes(data))
    damage = ig.inspect_database(db_path)
    assert damage is not None and damage.code == "malformed" and "SQLite" in damage.detail


def test_empty_file_is_damage_only_when_there_was_something(db_path: Path) -> None:
    backup = db_path.with_name("ottenok.sqlite3.bak-v1")
    backup.write_bytes(db_path.read_bytes())
    db_path.write_bytes(b"")
    damage = ig.inspect_database(db_path)
    assert damage is not None and damage.code == "empty" and damage.backup == backup
    backup.unlink()
    assert ig.inspect_database(db_path) is None  # an interrupted first start: nothing to lose


def test_restore_keeps_the_damaged_file_and_its_wal(db_path: Path) -> None:
    backup = db_path.with_name("ottenok.sqlite3.bak-v1")
    backup.write_bytes(db_path.read_bytes())
    damaged = b"\x00" * 8192 + b"garbage"
    db_path.write_bytes(damaged)
    wal = db_path.with_name("ottenok.sqlite3-wal")
    wal.write_bytes(b"wal of the damaged file")
    damage = ig.inspect_database(db_path)
    assert damage is not None
    aside = ig.restore_backup(db_path, damage.backup, now=datetime(2026, 11, 30, 5, 30))
    assert aside.name == "ottenok.sqlite3.damaged-20261130-053000"
    assert aside.read_bytes() == damaged
    assert aside.with_name(aside.name + "-wal").read_bytes() == b"wal of the damaged file"
    assert not wal.exists() and backup.exists()
    assert ig.inspect_database(db_path) is None and chats_in(db_path) == 300
    # a second restore in the same second never overwrites the first damaged copy
    db_path.write_bytes(b"broken again")
    again = ig.restore_backup(db_path, backup, now=datetime(2026, 11, 30, 5, 30))
    assert again.name == "ottenok.sqlite3.damaged-20261130-053000-2" and aside.read_bytes() == damaged


def test_open_path_turns_sqlite_damage_into_a_clear_error(db_path: Path) -> None:
    db_path.write_bytes(b"PK\x03\x04 a zip copied over the database" * 200)
    with pytest.raises(ig.DatabaseDamaged) as raised:
        Database(db_path).open_sync()
    assert raised.value.damage.code == "not_sqlite"


def test_daily_backup_on_open(data_dir: Path) -> None:
    path = data_dir / "ottenok.sqlite3"
    Database(path).open_sync().close_sync()
    assert ig.backups_of(path) == []  # a brand-new empty file needs no copy
    make_db(path, chats=5)  # reopened: the day's copy is made (of what the file held at the open)
    [first] = ig.backups_of(path)
    assert first.name.startswith(f"ottenok.sqlite3.bak-v{LATEST_VERSION}-") and chats_in(first) == 0
    Database(path).open_sync().close_sync()
    assert ig.backups_of(path) == [first]  # not again the same day
    age(first, 21)
    Database(path).open_sync().close_sync()  # the next morning
    newest = ig.backups_of(path)[0]
    assert newest != first and chats_in(newest) == 5
    newest.unlink()
    conn = sqlite3.connect(path)
    for day in range(1, 5):  # four more days of starts: the oldest copies go
        assert ig.backup_if_due(conn, path, 1, now=datetime.now() + timedelta(days=day)) is not None
    assert ig.backup_if_due(conn, path, 1, now=datetime.now() + timedelta(days=4, hours=3)) is None
    conn.close()
    assert len(ig.backups_of(path)) == ig.DAILY_KEEP


def test_migration_backups_are_kept_apart_from_daily_ones(db_path: Path) -> None:
    migration = db_path.with_name("ottenok.sqlite3.bak-v1")
    migration.write_bytes(db_path.read_bytes())
    age(migration, 24 * 30)
    conn = sqlite3.connect(db_path)
    for day in range(5):
        ig.backup_if_due(conn, db_path, 1, now=datetime.now() + timedelta(days=day + 1))
    conn.close()
    assert migration.exists()
