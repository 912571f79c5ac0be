"""The database: WAL on one thread, urgent work first, migrations with a backup."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.database import NORMAL, URGENT
from ottenok_desktop.services.storage.migrations import LATEST_VERSION, current_version
from ottenok_desktop.services.storage.models import Chat
from ottenok_desktop.services.storage.prepared import Prepared, db_time
from tests.fakes.postgres import BACKENDS

both = pytest.mark.parametrize("db_backend", BACKENDS)


def test_pragmas_and_schema(database: Database) -> None:
    def read() -> tuple:
        db = Chat._meta.database
        return (db.execute_sql("PRAGMA journal_mode").fetchone()[0], db.execute_sql("PRAGMA foreign_keys").fetchone()[0],
                db.execute_sql("PRAGMA busy_timeout").fetchone()[0], current_version(db))

    assert database.call_sync(read) == ("wal", 1, 5000, LATEST_VERSION)


async def test_all_work_runs_on_one_thread_and_urgent_first(data_dir: Path) -> None:
    db = await Database(data_dir / "t.sqlite3").open()
    gate = threading.Event()
    order: list[str] = []
    threads: set[str] = set()

    def blocker() -> None:
        gate.wait(5)

    def job(name: str) -> None:
        threads.add(threading.current_thread().name)
        order.append(name)

    first = asyncio.ensure_future(db.call(blocker))
    await asyncio.sleep(0.05)
    normal = [asyncio.ensure_future(db.call(job, f"normal{i}", priority=NORMAL)) for i in range(3)]
    urgent = asyncio.ensure_future(db.call(job, "urgent", priority=URGENT))
    await asyncio.sleep(0.05)
    gate.set()
    await asyncio.gather(first, urgent, *normal)
    assert order == ["urgent", "normal0", "normal1", "normal2"]
    assert threads == {"ottenok-db"}
    await db.close()


@both
async def test_errors_reach_the_caller(database: Database) -> None:
    def boom() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        await database.call(boom)


@both
async def test_transactions_queued_together_share_a_commit_and_fail_alone(database: Database) -> None:
    """Under a burst, `atomic` jobs waiting next to each other run in one transaction, each
    in its own savepoint: one that raises leaves nothing and gets its error; the others
    are written, and their callers hear of it only after the commit."""
    from datetime import datetime, timezone

    from ottenok_desktop.services.storage.chats import add_chat

    gate = threading.Event()
    now = datetime(2026, 3, 8, 9, 0, tzinfo=timezone.utc)

    def add(chat_id: str, name: str, fail: bool = False) -> int:
        chat_pk = add_chat(chat_id, now, name)
        if fail:
            raise ValueError(f"no room for {name}")
        return chat_pk

    blocker = asyncio.ensure_future(database.call(gate.wait, 5))
    await asyncio.sleep(0.05)
    jobs = [asyncio.ensure_future(database.atomic(add, "77011112233@c.us", "Айгерим")),
            asyncio.ensure_future(database.atomic(add, "77022223344@c.us", "Жанар", True)),
            asyncio.ensure_future(database.atomic(add, "77033334455@c.us", "Дана"))]
    await asyncio.sleep(0.05)
    gate.set()
    results = await asyncio.gather(blocker, *jobs, return_exceptions=True)
    assert isinstance(results[2], ValueError) and "Жанар" in str(results[2])
    assert isinstance(results[1], int) and isinstance(results[3], int) and results[3] > results[1]

    def names() -> list[str]:
        return [c.name for c in Chat.select().order_by(Chat.id)]

    assert await database.call(names) == ["Айгерим", "Дана"]
    # alone, a failing transaction leaves nothing either
    with pytest.raises(ValueError):
        await database.atomic(add, "77044445566@c.us", "Сауле", True)
    assert await database.call(names) == ["Айгерим", "Дана"]


@both
async def test_an_urgent_transaction_joins_a_running_group_and_commits_without_waiting_for_the_rest(
        database: Database) -> None:
    """The poller's store (urgent) that arrives while a group of transactions runs is
    taken in at the next job boundary; the group commits right after it, and the jobs not
    begun yet run afterwards, in their order. Nobody hears of a write before its commit."""
    from datetime import datetime, timezone

    from ottenok_desktop.services.storage.chats import add_chat

    now = datetime(2026, 3, 8, 9, 0, tzinfo=timezone.utc)
    gate, hold_gate, inside = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def add(chat_id: str, name: str, hold: bool = False) -> str:
        if hold:
            inside.set()
            hold_gate.wait(5)
        add_chat(chat_id, now, name)
        order.append(name)
        return name

    blocker = asyncio.ensure_future(database.call(gate.wait, 5))
    await asyncio.sleep(0.05)
    group = [asyncio.ensure_future(database.atomic(add, "77011112233@c.us", "Айгерим", True)),
             asyncio.ensure_future(database.atomic(add, "77022223344@c.us", "Жанар")),
             asyncio.ensure_future(database.atomic(add, "77033334455@c.us", "Дана"))]
    await asyncio.sleep(0.05)
    gate.set()
    await blocker
    await asyncio.to_thread(inside.wait, 5)  # the group's first job runs and waits
    urgent = asyncio.ensure_future(database.atomic(add, "77044445566@c.us", "Сауле", priority=URGENT))
    await asyncio.sleep(0.05)
    hold_gate.set()
    assert await urgent == "Сауле"
    assert await asyncio.gather(*group) == ["Айгерим", "Жанар", "Дана"]
    assert order == ["Айгерим", "Сауле", "Жанар", "Дана"]

    def names() -> list[str]:
        return [c.name for c in Chat.select().order_by(Chat.id)]

    assert await database.call(names) == ["Айгерим", "Сауле", "Жанар", "Дана"]


async def test_a_caller_that_gives_up_before_its_job_begins_leaves_it_unrun(data_dir: Path) -> None:
    db = await Database(data_dir / "t.sqlite3").open()
    gate = threading.Event()
    ran: list[str] = []
    blocker = asyncio.ensure_future(db.call(gate.wait, 5))
    await asyncio.sleep(0.05)
    given_up = asyncio.ensure_future(db.atomic(ran.append, "отменено"))
    kept = asyncio.ensure_future(db.atomic(ran.append, "записано"))
    await asyncio.sleep(0.05)
    given_up.cancel()
    gate.set()
    await asyncio.gather(blocker, kept)
    with pytest.raises(asyncio.CancelledError):
        await given_up
    assert ran == ["записано"]
    await db.close()


async def test_the_wal_is_copied_into_the_database_file_when_the_thread_is_idle(data_dir: Path) -> None:
    """Commits only append to the WAL (a few hundred KB never reach SQLite's own
    checkpoint threshold); once the DB thread has had nothing to do for a moment it
    copies the WAL into the database file."""
    from datetime import datetime, timezone

    from ottenok_desktop.services.storage.chats import add_chat

    path = data_dir / "t.sqlite3"
    db = await Database(path).open()
    await asyncio.sleep(0.5)  # the migrations' own writes settle
    before = path.stat().st_size
    now = datetime(2026, 3, 8, 9, 0, tzinfo=timezone.utc)
    for i in range(300):
        await db.atomic(add_chat, f"7701{i:07d}@c.us", now, "Гульнара " + "ж" * 400)
    deadline = time.monotonic() + 10
    while path.stat().st_size == before and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert path.stat().st_size > before + 300 * 400
    assert await db.call(lambda: Chat.select().count()) == 300
    await db.close()


async def test_under_steady_writes_the_wal_is_still_copied_at_least_once_a_second(data_dir: Path) -> None:
    """A power cut can undo what the WAL holds beyond the last checkpoint (synchronous=normal):
    writes that never leave the DB thread idle are still checkpointed about every second."""
    from datetime import datetime, timezone

    from ottenok_desktop.services.storage.chats import add_chat

    path = data_dir / "t.sqlite3"
    db = await Database(path).open()
    await asyncio.sleep(0.5)
    before = path.stat().st_size
    now = datetime(2026, 3, 8, 9, 0, tzinfo=timezone.utc)
    grew_at = None
    started = time.monotonic()
    for i in range(100):  # one small write every 20 ms: never idle for long
        await db.atomic(add_chat, f"7702{i:07d}@c.us", now, "Мадина " + "ш" * 400)
        if grew_at is None and path.stat().st_size > before:
            grew_at = time.monotonic() - started
        await asyncio.sleep(0.02)
    assert grew_at is not None
    await db.close()


def test_a_new_release_migrates_old_data_and_keeps_a_backup(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop.services.storage import migrations

    path = data_dir / "old.sqlite3"
    db = Database(path).open_sync()  # written by "this" release
    db.call_sync(lambda: Chat.create(chat_id="77011234567@c.us", phone="77011234567", created_at=_now(), updated_at=_now()))
    db.close_sync()

    def v2_add_column(database) -> None:
        database.execute_sql('ALTER TABLE "chat" ADD COLUMN "vip" INTEGER DEFAULT 0')

    old, new = LATEST_VERSION, LATEST_VERSION + 1
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (new, "chat.vip", v2_add_column)])
    monkeypatch.setattr(migrations, "LATEST_VERSION", new)
    db = Database(path).open_sync()  # the next release opens the old file
    assert db.call_sync(lambda: Chat.select().count()) == 1  # the data survived
    assert db.call_sync(lambda: current_version(Chat._meta.database)) == new
    columns = db.call_sync(lambda: [c.name for c in Chat._meta.database.get_columns("chat")])
    db.close_sync()
    assert "vip" in columns
    backup = data_dir / f"old.sqlite3.bak-v{old}"
    assert backup.exists(), "no backup was made before migrating"
    with sqlite3.connect(backup) as conn:
        assert conn.execute("select count(*) from chat").fetchone()[0] == 1
        assert conn.execute("select max(version) from schema_version").fetchone()[0] == old


def test_newer_database_is_refused(data_dir: Path) -> None:
    path = data_dir / "new.sqlite3"
    Database(path).open_sync().close_sync()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', '2030-01-01')")
    with pytest.raises(RuntimeError, match="newer than this program"):
        Database(path).open_sync()


@both
def test_prepared_statement_binds_by_name_and_keeps_constants(database: Database) -> None:
    add = Prepared(lambda p: Chat.insert(chat_id=p.chat_id, phone=p.phone, created_at=p.now, updated_at=p.now))
    bump = Prepared(lambda p: Chat.update(unanswered=Chat.unanswered + 1).where(Chat.chat_id == p.chat_id))
    read = Prepared(lambda p: Chat.select(Chat.phone, Chat.unanswered).where(Chat.chat_id == p.chat_id))

    def run() -> tuple:
        now = db_time(_now())
        add.insert(chat_id="1@c.us", phone="1", now=now)
        bump.execute(chat_id="1@c.us")
        bump.execute(chat_id="1@c.us")
        with pytest.raises(ValueError):
            bump.execute(chat="1@c.us")
        return read.first(chat_id="1@c.us")

    assert database.call_sync(run) == ("1", 2)


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


@both
def test_times_round_trip_as_aware_utc(database: Database) -> None:
    from datetime import datetime, timedelta, timezone

    almaty = timezone(timedelta(hours=5))
    moment = datetime(2026, 11, 23, 13, 0, tzinfo=almaty)
    database.call_sync(lambda: Chat.create(chat_id="2@c.us", phone="2", created_at=moment, updated_at=moment))
    stored = database.call_sync(lambda: Chat.get(Chat.chat_id == "2@c.us").created_at)
    assert stored == moment and stored.tzinfo == timezone.utc
    assert time.time() > 0
