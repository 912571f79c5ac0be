"""Delivery ticks and API echoes are deleted from the queue at once and stored behind:
nothing waits on the database between their receive and their delete, while a customer's
message is still stored before its delete; what was deleted first is stored at stop; a
queue read by someone else is still noticed."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.greenapi.poller import InstanceNotifications
from ottenok_desktop.services.storage.models import InboxItem
from tests.engine.channel_harness import Channel, start_channel

DANA = "77017770002@c.us"
FULL = InstanceNotifications(api_echoes=True, delivery_statuses=True)


async def _full_profile(ch: Channel) -> None:
    ch.engine.poller.notifications = FULL
    await ch.engine.poller.check_instance_settings()
    assert ch.sandbox.settings["outgoingWebhook"] == "yes"


async def _hold_database(ch: Channel) -> tuple[threading.Event, asyncio.Task[None]]:
    """Keep the DB thread busy until the returned event is set."""
    release = threading.Event()
    started = threading.Event()

    def busy() -> None:
        started.set()
        release.wait(10)

    task = asyncio.create_task(ch.engine.db.call(busy))
    assert await asyncio.to_thread(started.wait, 5)
    return release, task


async def _inbox(ch: Channel) -> list[tuple[str, str]]:
    return await ch.engine.db.call(
        lambda: [(i.type_webhook, i.state) for i in InboxItem.select().order_by(InboxItem.id)])


async def test_ticks_and_echoes_leave_the_queue_while_the_database_is_busy(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        await _full_profile(ch)
        release, held = await _hold_database(ch)
        try:
            # Another tool sends through the API: its echo and three ticks are queued.
            ch.sandbox.record_send(DANA, "text", text="Ваш заказ готов, можно забирать")
            await ch.wait_until(lambda: ch.engine.poller.received == 4 and ch.sandbox.pending_notifications() == 0,
                                what="echo and ticks deleted while the database is busy")
            # A customer's message is different: its delete waits for its store.
            ch.sandbox.inject_text(DANA, "спасибо! а до скольки работаете?", "Дана")
            await asyncio.sleep(0.3)
            assert ch.sandbox.pending_notifications() == 1
        finally:
            release.set()
            await held
        await ch.sandbox.wait_sent(2)  # the tool's send, then the bot's answer
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 0, what="customer message deleted")
        await ch.wait_until(lambda: ch.engine.poller.stored_behind >= 4, what="echo and ticks stored behind")
        messages = await ch.messages()
        # The customer's message was stored first (its store is urgent, the echo's is not).
        assert (DANA, "bot", "Ваш заказ готов, можно забирать", "read") in messages  # the echo, its ticks applied
        assert sorted(m[1] for m in messages) == ["bot", "bot", "customer"]
        [warning] = ch.recorder.of_type(ev.SharedInstanceSuspected)  # a send we did not make, still noticed
        assert warning.signal == "foreign_send"
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_what_was_deleted_first_is_stored_when_the_poller_stops(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        await _full_profile(ch)
        release, held = await _hold_database(ch)
        ch.sandbox.record_send(DANA, "text", text="Напоминаем: скидка 20% до воскресенья")
        await ch.wait_until(lambda: ch.engine.poller.received == 4, what="echo and ticks received")
        stopping = asyncio.create_task(ch.engine.poller.stop())
        await asyncio.sleep(0.1)
        release.set()
        await held
        await stopping
        inbox = await _inbox(ch)
        assert sorted(t for t, _ in inbox) == ["outgoingAPIMessageReceived"] + ["outgoingMessageStatus"] * 3
        assert {state for _, state in inbox} == {"done"}
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_a_tick_deleted_by_someone_else_is_noticed_our_own_repeat_is_not(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    await ch.engine.poller.stop()  # the poller's steps are driven by hand here
    try:
        ch.engine.poller.notifications = FULL
        await ch.engine.poller.check_instance_settings()
        ch.sandbox.record_send(DANA, "text", text="Добрый день! Размер 37 снова в наличии")
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 4, what="echo and ticks queued")
        echo = await ch.engine.client.receive_notification(5)
        assert echo is not None
        assert await ch.engine.poller.handle(echo) is None  # deleted first, stored behind
        await ch.engine.poller.handle(echo)  # it came back after all: our own delete, not someone else's
        assert ch.engine.poller.deleted_by_others == 0
        tick = await ch.engine.client.receive_notification(5)
        assert tick is not None and tick.body is not None and tick.body["typeWebhook"] == "outgoingMessageStatus"
        assert await ch.engine.client.delete_notification(tick.receipt_id) is True  # another program got there first
        await ch.engine.poller.handle(tick)
        assert ch.engine.poller.deleted_by_others == 1
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_ticks_deleted_while_the_database_refuses_writes_are_stored_once_it_takes_them(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        await _full_profile(ch)
        db = ch.engine.db
        await db.call(lambda: db.peewee.execute_sql("PRAGMA query_only = ON"))  # every write now fails
        try:
            ch.sandbox.record_send(DANA, "text", text="Мы получили вашу оплату, спасибо!")
            await ch.wait_until(lambda: ch.engine.poller.received == 4 and ch.sandbox.pending_notifications() == 0,
                                what="echo and ticks deleted although nothing can be stored")
            await ch.wait_until(lambda: any(e.where == "inbox" for e in ch.recorder.of_type(ev.EngineError)),
                                what="the failed store reported")
            assert ch.engine.poller.stored_behind == 0
        finally:
            await db.call(lambda: db.peewee.execute_sql("PRAGMA query_only = OFF"))
        await ch.wait_until(lambda: ch.engine.poller.stored_behind == 4, what="stored once the database takes writes")
        assert (DANA, "bot", "Мы получили вашу оплату, спасибо!", "read") in await ch.messages()
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()
