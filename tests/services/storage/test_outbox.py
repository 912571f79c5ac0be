"""The outbox on real SQLite and PostgreSQL: order per chat, retries, drops for manager-owned chats."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.chats import set_owner
from tests.fakes.postgres import BACKENDS
from ottenok_desktop.services.storage.models import Message, OutboxItem

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
CHAT = "77011234567@c.us"

pytestmark = pytest.mark.parametrize("db_backend", BACKENDS)  # SQLite and PostgreSQL


def test_items_go_in_order_and_a_retry_holds_back_later_ones(database: Database) -> None:
    first = database.atomic_sync(ob.queue_text, CHAT, "Здравствуйте!", "bot", NOW)
    second = database.atomic_sync(ob.queue_text, CHAT, "Какой размер?", "bot", NOW)
    job, _ = database.atomic_sync(ob.claim_next, CHAT, NOW)
    assert job.outbox_id == first.id and job.attempts == 1
    database.call_sync(ob.mark_retry, first.id, "HTTP 502", NOW + timedelta(seconds=10))
    assert database.atomic_sync(ob.claim_next, CHAT, NOW + timedelta(seconds=5)) == (None, [])  # 2nd waits
    job, _ = database.atomic_sync(ob.claim_next, CHAT, NOW + timedelta(seconds=11))
    assert job.outbox_id == first.id and job.attempts == 2
    database.atomic_sync(ob.mark_sent, first.id, "EXT1", NOW)
    job, _ = database.atomic_sync(ob.claim_next, CHAT, NOW)
    assert job.outbox_id == second.id
    assert database.call_sync(ob.due_scan, NOW) == ([], None)  # the claimed item is being sent


def test_bot_replies_for_a_taken_chat_are_dropped_but_manager_messages_go(database: Database) -> None:
    bot = database.atomic_sync(ob.queue_text, CHAT, "Есть в наличии!", "bot", NOW)
    manager = database.atomic_sync(ob.queue_text, CHAT, "Здравствуйте, это Асель", "manager_app", NOW)
    database.atomic_sync(set_owner, CHAT, "manager", "Асель", NOW)
    job, dropped = database.atomic_sync(ob.claim_next, CHAT, NOW)
    assert dropped == [bot.id] and job.outbox_id == manager.id
    states = database.call_sync(lambda: {o.id: o.state for o in OutboxItem.select()})
    assert states[bot.id] == "dropped"
    assert database.call_sync(lambda: Message.get_by_id(bot.message_id).status) == "dropped"


def test_interrupted_send_is_reconciled_after_a_crash(database: Database) -> None:
    item = database.atomic_sync(ob.queue_text, CHAT, "Заказ оформлен ✅", "bot", NOW)
    database.atomic_sync(ob.claim_next, CHAT, NOW)  # state "sending" when the process died
    assert database.call_sync(ob.reset_interrupted, NOW) == 1
    job, _ = database.atomic_sync(ob.claim_next, CHAT, NOW)
    assert job.outbox_id == item.id and job.state == "unknown"  # the sender reconciles before resending


def test_failed_item_is_marked_on_its_message(database: Database) -> None:
    item = database.atomic_sync(ob.queue_text, CHAT, "Привет", "bot", NOW)
    database.call_sync(ob.mark_failed, item.id, "HTTP 466 quota")
    message = database.call_sync(lambda: Message.get_by_id(item.message_id))
    assert (message.status, message.status_detail) == ("failed", "HTTP 466 quota")
    assert database.call_sync(ob.pending_count) == 0
