"""The Telegram inbox in storage: updates stored once with the offset in the same transaction,
customer messages applied once, /start greets instead of a turn, a shared contact gives the chat
its phone."""

from __future__ import annotations

from datetime import datetime, timezone

from ottenok_desktop.engine import texts
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.models import Chat, Message, OutboxItem, TelegramUpdate
from ottenok_desktop.services.telegram import store

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=timezone.utc)
USER = {"id": 5550004001, "is_bot": False, "first_name": "Дана", "last_name": "Сейткали"}


def _update(update_id: int, message_id: int, **content: object) -> dict:
    return {"update_id": update_id, "message": {"message_id": message_id, "from": USER, "date": 1764482400,
                                                "chat": {"id": USER["id"], "type": "private", "first_name": "Дана"},
                                                **content}}


def test_a_batch_and_its_offset_are_stored_together_and_duplicates_are_no_ops(database: Database) -> None:
    batch = [_update(900, 1, text="есть балетки 36?"), _update(901, 2, text="/start")]
    assert database.atomic_sync(store.store_updates, batch, NOW) == [900, 901]
    assert database.call_sync(store.load_offset) == 902
    assert database.atomic_sync(store.store_updates, batch[1:], NOW) == []  # Telegram sent it again
    assert database.call_sync(store.load_offset) == 902
    assert [u for u, _ in database.call_sync(store.pending_updates)] == [900, 901]


def test_customer_messages_start_and_contact(database: Database) -> None:
    contact = {"phone_number": "+7 701 555 44 33", "first_name": "Дана", "user_id": USER["id"]}
    database.atomic_sync(store.store_updates, [_update(900, 1, text="x"), _update(901, 2, text="/start"),
                                               _update(902, 3, contact=contact)], NOW)
    first = database.atomic_sync(store.apply_customer_message, 900, _update(900, 1, text="есть балетки 36?")["message"], NOW)
    again = database.atomic_sync(store.apply_customer_message, 900, _update(900, 1, text="есть балетки 36?")["message"], NOW)
    start = database.atomic_sync(store.apply_customer_message, 901, _update(901, 2, text="/start")["message"], NOW)
    shared = database.atomic_sync(store.apply_customer_message, 902, _update(902, 3, contact=contact)["message"], NOW)
    assert first.turn_due and first.chat_id == "tg:5550004001" and not again.turn_due and again.duplicate
    assert not start.turn_due and start.queued and shared.turn_due

    def seen() -> tuple:
        chat = Chat.get(Chat.chat_id == "tg:5550004001")
        texts_ = [m.text for m in Message.select().where((Message.chat == chat) & (Message.direction == "in"))
                  .order_by(Message.id)]
        return chat.channel, chat.name, chat.phone, texts_, [o.text for o in OutboxItem.select()]

    channel, name, phone, messages, outbox = database.call_sync(seen)
    assert (channel, name, phone) == ("telegram", "Дана Сейткали", "77015554433")
    assert messages == ["есть балетки 36?", "/start", "👤 Контакт: Дана +7 701 555 44 33"]
    assert outbox == [texts.TELEGRAM_START]
    done = database.call_sync(lambda: [u.state for u in TelegramUpdate.select().order_by(TelegramUpdate.update_id)])
    assert done == ["done", "done", "done"]  # each marked in the transaction of its effect
    assert database.call_sync(store.pending_updates) == []
