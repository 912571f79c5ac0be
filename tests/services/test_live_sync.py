"""Live views across seats on a real PostgreSQL database: what a manager does on seat A
reaches seat B's event bus (LISTEN/NOTIFY as a wake-up, catch-up by id), also after
B's listening connection was cut; read-only work wakes nobody."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import psycopg

from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.live_sync import LiveSync
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage import tickets
from ottenok_desktop.services.storage.chats import set_owner
from ottenok_desktop.services.storage.listener import ChangeListener
from ottenok_desktop.services.storage.models import Chat
from tests.fakes.waiting import wait_until

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
GULNARA = "77019990011@c.us"


async def test_a_take_on_seat_a_shows_on_seat_b(postgres_url: str) -> None:
    seat_a = await Database(postgres_url, application_name="seat A").open()
    seat_b = await Database(postgres_url, application_name="seat B").open()
    ticket = await seat_a.atomic(tickets.create_ticket, GULNARA, "warranty", "Гарантия: отклеилась подошва", {}, NOW)
    bus = ev.EventBus()
    seen: list[ev.Event] = []
    bus.subscribe(seen.append)
    sync = LiveSync(seat_b, bus, fallback_every=60)
    await sync.start()
    try:
        await asyncio.sleep(0.2)
        assert seen == []  # what happened before B started is not news

        def take() -> bool:
            taken = tickets.take(ticket.id, "Айгерим", NOW)
            set_owner(GULNARA, "manager", "Айгерим", NOW, "ticket assigned")
            return taken

        assert await seat_a.atomic(take)
        await wait_until(lambda: any(isinstance(e, ev.TicketChanged) for e in seen), "the ticket on seat B", 5)
        changed = next(e for e in seen if isinstance(e, ev.TicketChanged))
        assert (changed.ticket_id, changed.status, changed.manager) == (ticket.id, "ASSIGNED", "Айгерим")
        assert ev.ChatOwnerChanged(GULNARA, "manager", "Айгерим", "ticket assigned") in seen
        assert ev.ChatUpdated(GULNARA) in seen

        seen.clear()
        await seat_a.atomic(ob.queue_text, GULNARA, "Здравствуйте, Гульнара! Пришлите фото подошвы, пожалуйста", "manager_app",
                            NOW, "Айгерим")
        await wait_until(lambda: ev.ChatUpdated(GULNARA) in seen, "the manager's message on seat B", 5)
    finally:
        await sync.stop()
        await seat_a.close()
        await seat_b.close()


async def test_read_only_work_wakes_nobody_and_a_cut_listener_catches_up(postgres_url: str) -> None:
    loop = asyncio.get_running_loop()
    hints: list[tuple[str, bool]] = []
    listener = ChangeListener(postgres_url, loop, lambda payload, resync: hints.append((payload, resync)),
                              retry_delay=0.1, application_name="listener under test")
    listener.start()
    db = await Database(postgres_url, application_name="seat A").open()
    try:
        await wait_until(lambda: hints == [("", True)], "the first resync", 5)
        await db.atomic(lambda: Chat.select().count())  # a read-only transaction
        await db.atomic(ob.queue_text, GULNARA, "Добрый день! Размер 37 есть", "bot", NOW)
        await wait_until(lambda: len(hints) == 2, "one wake-up", 5)
        assert hints[1] == ("seat A", False)  # only the write woke the listener
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'listener under test'")
        await wait_until(lambda: listener.connections == 2 and hints[-1] == ("", True), "a resync after the cut", 10)
    finally:
        await loop.run_in_executor(None, listener.stop)
        await db.close()


async def test_one_seat_on_sqlite_has_nobody_to_hear(data_dir: Path) -> None:
    db = await Database(data_dir / "one.sqlite3").open()
    sync = LiveSync(db, ev.EventBus())
    await sync.start()
    await sync.stop()
    await db.close()
    assert sync.catchups == 0


async def test_a_console_whose_connections_were_cut_still_hears_later_changes(postgres_url: str) -> None:
    seat_a = await Database(postgres_url, application_name="seat A").open()
    seat_b = await Database(postgres_url, application_name="seat B").open()
    bus = ev.EventBus()
    seen: list[ev.Event] = []
    bus.subscribe(seen.append)
    sync = LiveSync(seat_b, bus, fallback_every=60)
    await sync.start()
    try:
        await wait_until(lambda: sync._listener is not None and sync._listener.connected.is_set(), "listening", 5)
        with psycopg.connect(postgres_url, autocommit=True) as admin:  # the console's network drops
            cut = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name IN ('seat B', 'ottenok listener')").fetchall()
        assert len(cut) == 2
        await seat_a.atomic(ob.queue_text, GULNARA, "Гульнара, подошва будет готова в пятницу", "manager_app", NOW, "Дана")
        await wait_until(lambda: ev.ChatUpdated(GULNARA) in seen, "the change after the cut", 10)
    finally:
        await sync.stop()
        await seat_a.close()
        await seat_b.close()
