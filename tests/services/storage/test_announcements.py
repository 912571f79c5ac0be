"""Announcements and manager consent in the database (issue 16), on SQLite and PostgreSQL:
recipients fixed at start exactly as the dry run lists them, a chat queued once and never
again, a chat that opted out meanwhile skipped; results (sent, delivered, read, replied
within 24 h, orders within 7 days) computed from the chat's facts; a manager ticking and
unticking consent through the application command, a customer's own opt-out winning."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.engine.commands import Commands, ConsentRefused
from ottenok_desktop.engine.events import EventBus
from ottenok_desktop.engine.states import AnnouncementState, RecipientState
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import announcements as store
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.announcement_results import announcement_results
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import announcement_recipients, record_promo_consent
from ottenok_desktop.services.storage.models import Chat, Message, Order
from ottenok_desktop.services.storage.nudges import set_opted_out
from ottenok_desktop.services.storage.store import DbUnitOfWork
from ottenok_desktop.services.storage.tickets import create_ticket

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)  # 11:00 in Almaty
TEXT = "Неделя Miu Miu: −15 % до воскресенья 🌸"


def chat(n: int) -> str:
    return f"7701777{n:04d}@c.us"


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    target: Any = tmp_path / "t.sqlite3"
    if request.param == "postgres":
        target = request.getfixturevalue("postgres_url")
    opened = await Database(target).open()
    yield opened
    await opened.close()


def seed(count: int) -> None:
    for n in range(count):
        get_or_create_chat(chat(n), NOW, f"Клиентка {n}")
        record_promo_consent(chat(n), NOW + timedelta(seconds=n), True, "customer")


async def test_recipients_are_the_dry_run_list_queued_once_and_skipped_after_an_opt_out(db: Database) -> None:
    def setup() -> None:
        seed(6)
        record_promo_consent(chat(1), NOW, False, "customer")  # «не присылайте акции»
        set_opted_out(chat(2), NOW)  # «стоп» to the follow-ups
        create_ticket(chat(3), "other", "вопрос по доставке", {}, NOW)
        get_or_create_chat(chat(9), NOW, "без согласия")

    await db.atomic(setup)
    dry_run = await db.call(announcement_recipients)
    ann_id, count = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu", TEXT, [], "Айгуль", NOW)
    recipients = await db.call(store.recipients_of, ann_id)
    assert [r["chat"] for r in recipients] == [r["chat"] for r in dry_run] == [chat(0), chat(4), chat(5)]
    assert count == 3

    first = await db.atomic(store.queue_next, ann_id, NOW)
    assert first.chat_id == chat(0) and len(first.outbox) == 1
    await db.atomic(record_promo_consent, chat(4), NOW, False, "customer")  # opts out meanwhile
    second = await db.atomic(store.queue_next, ann_id, NOW + timedelta(seconds=5))
    assert (second.chat_id, second.skipped, second.done) == (chat(5), (chat(4),), True)  # the last one
    assert (await db.atomic(store.queue_next, ann_id, NOW)).stopped  # done: nothing is ever queued again
    row = await db.call(store.announcement, ann_id)
    assert row is not None and (row.state, row.queued, row.skipped) == (AnnouncementState.DONE, 2, 1)
    states = {r["chat"]: r["state"] for r in await db.call(store.recipients_of, ann_id)}
    assert states == {chat(0): RecipientState.QUEUED, chat(4): RecipientState.SKIPPED, chat(5): RecipientState.QUEUED}


async def test_photos_go_with_the_text_as_the_first_ones_caption(db: Database, tmp_path: Path) -> None:
    photos = [tmp_path / "miu-1.jpg", tmp_path / "miu-2.jpg"]
    await db.atomic(seed, 1)
    ann_id, _ = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu", TEXT, photos, "Айгуль", NOW)
    queued = await db.atomic(store.queue_next, ann_id, NOW)

    def parts() -> list[tuple[str, str, str]]:
        return [(o.kind, o.text, o.file_name) for o in
                ob.OutboxItem.select().where(ob.OutboxItem.id.in_([i for i, _ in queued.outbox]))
                .order_by(ob.OutboxItem.id)]

    assert await db.call(parts) == [("file_upload", TEXT, "miu-1.jpg"), ("file_upload", "", "miu-2.jpg")]


async def test_results_count_sent_delivered_read_replies_within_24h_and_orders_within_7_days(db: Database) -> None:
    await db.atomic(seed, 5)
    ann_id, _ = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu", TEXT, [], "Айгуль", NOW)
    for n in range(4):  # chat 4 is still waiting for its turn
        await db.atomic(store.queue_next, ann_id, NOW + timedelta(seconds=6 * n))

    def facts() -> None:
        rows = store.AnnouncementRecipient.select().where(store.AnnouncementRecipient.announcement == ann_id)
        outbox = {r.chat.chat_id: r.outbox_id for r in rows if r.outbox_id}
        for n, status in ((0, "read"), (1, "delivered"), (2, "sent")):
            ob.mark_sent(outbox[chat(n)], f"BAE5{n:08d}", NOW + timedelta(seconds=6 * n + 1))
            Message.update(status=status).where(Message.external_id == f"BAE5{n:08d}").execute()
        ob.mark_failed(outbox[chat(3)], "GREEN-API sendMessage: quota exceeded (HTTP 466)")
        pk = {c.chat_id: c.id for c in Chat.select()}

        def customer_says(n: int, at: datetime, text: str) -> None:
            Message.create(chat=pk[chat(n)], direction="in", sender_kind="customer", text=text, created_at=at)

        customer_says(0, NOW - timedelta(hours=1), "а есть 37 размер?")  # before the send: not a reply
        customer_says(0, NOW + timedelta(hours=3), "Здравствуйте, а мюли в бежевом есть по акции?")
        customer_says(1, NOW + timedelta(hours=30), "добрый день, ещё актуально?")  # after 24 h
        for n, days, state in ((0, 2, "confirmed"), (0, 3, "confirmed"), (1, 6, "confirmed"), (2, 1, "cancelled"),
                               (1, 9, "confirmed")):
            at = NOW + timedelta(days=days)
            Order.create(chat=pk[chat(n)], state=state, product="Miu Miu мюли", created_at=at, updated_at=at,
                         confirmed_at=at if state == "confirmed" else None)

    await db.atomic(facts)
    results = await db.call(announcement_results, ann_id)
    assert results.as_json() == {"announcement": ann_id, "recipients": 5, "queued": 4, "sent": 3, "delivered": 2,
                                 "read": 1, "replied_24h": 1, "orders_7d": 3, "failed": 1, "skipped": 0}


async def test_a_manager_ticks_and_unticks_consent_and_the_customers_opt_out_wins(db: Database) -> None:
    bus = EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    clock = ManualClock(datetime(2026, 11, 24, 11, 0), "Asia/Almaty")
    commands = Commands(DbUnitOfWork(db), bus, clock)

    def chats() -> None:
        get_or_create_chat(chat(0), NOW, "Айгерим")
        get_or_create_chat(chat(1), NOW, "Динара")

    await db.atomic(chats)
    assert await commands.set_promo_consent(chat(0), True, "Айгуль") is True
    card = await db.call(q.customer_card, chat(0))
    assert (card.promo_consent, card.promo_consent_at, card.promo_consent_source) == (
        "subscribed", clock.now(), "manager:Айгуль")
    assert await commands.set_promo_consent(chat(0), True, "Айгуль") is False  # already ticked
    assert [r["chat"] for r in await db.call(announcement_recipients)] == [chat(0)]

    clock.advance(3600)
    assert await commands.set_promo_consent(chat(0), False, "Айгуль") is True  # unticked: the manager's opt-out
    card = await db.call(q.customer_card, chat(0))
    assert (card.promo_consent, card.promo_consent_source) == ("opted_out", "manager:Айгуль")
    assert await db.call(announcement_recipients) == []
    assert await commands.set_promo_consent(chat(0), True, "Ержан") is True  # a manager may tick again
    assert (await db.call(q.customer_card, chat(0))).promo_consent_source == "manager:Ержан"

    await db.atomic(record_promo_consent, chat(1), NOW, False, "customer")  # the customer said «стоп»
    with pytest.raises(ConsentRefused):
        await commands.set_promo_consent(chat(1), True, "Айгуль")
    assert (await db.call(q.customer_card, chat(1))).promo_consent == "opted_out"


async def test_send_outcomes_newest_first_and_only_since_the_last_resume(db: Database) -> None:
    from ottenok_desktop.engine.announcements import should_pause

    await db.atomic(seed, 5)
    ann_id, _ = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu", TEXT, [], "Айгуль", NOW)
    queued = [await db.atomic(store.queue_next, ann_id, NOW + timedelta(seconds=6 * n)) for n in range(4)]
    at = NOW + timedelta(seconds=30)
    await db.atomic(ob.mark_sent, queued[0].outbox[0][0], "BAE500000001", at)
    await db.atomic(ob.mark_retry, queued[1].outbox[0][0], "GREEN-API sendMessage: server error (HTTP 500)", at)
    await db.atomic(ob.mark_failed, queued[2].outbox[0][0], "GREEN-API sendMessage: rate limited (HTTP 429)")
    outcomes, last_error = await db.call(store.recent_outcomes, ann_id, 10)
    assert outcomes == ["pending", "failed", "failed", "sent"]
    assert last_error == "GREEN-API sendMessage: rate limited (HTTP 429)"
    assert should_pause(outcomes, 2) and not should_pause(outcomes, 3)

    assert await db.atomic(store.set_state, ann_id, AnnouncementState.PAUSED, "engine", at, reason="failures",
                           detail=last_error)
    assert await db.atomic(store.set_state, ann_id, AnnouncementState.SENDING, "Айгуль", at + timedelta(minutes=5))
    assert await db.call(store.recent_outcomes, ann_id, 10) == ([], "")  # a fresh chance after the resume
    assert not await db.atomic(store.set_state, ann_id, AnnouncementState.SENDING, "Айгуль", at)  # already sending
