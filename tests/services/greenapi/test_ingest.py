"""Inbox ingest on real SQLite and PostgreSQL databases: every fixture body, duplicates, poison,
edits and deletions, the shop phone silencing the bot, statuses out of order."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.analytics.facts import stored_facts
from ottenok_desktop.services.greenapi.ingest import ingest_notification, pending_turn_chats
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob
from tests.fakes.postgres import BACKENDS
from ottenok_desktop.services.storage.models import Chat, InboxItem, Message, OutboxItem

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.parametrize("db_backend", BACKENDS)  # SQLite and PostgreSQL


def body_of(shared_fixtures: Path, name: str) -> dict:
    return json.loads((shared_fixtures / "greenapi" / f"{name}.json").read_text(encoding="utf-8"))


def ingest(db: Database, body: object, receipt: int = 1):
    raw = json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body
    return db.atomic_sync(ingest_notification, raw, body, receipt, NOW)


def test_every_fixture_is_stored_or_recorded(database: Database, shared_fixtures: Path) -> None:
    names = sorted(p.stem for p in (shared_fixtures / "greenapi").glob("*.json"))
    names = [n for n in names if n not in {"receiveNotification_response", "http466_error_body_invokeStatus"}]
    for receipt, name in enumerate(names, start=1):
        body = body_of(shared_fixtures, name)
        if "idMessage" in body:  # the documentation samples reuse ids; make each its own message
            body["idMessage"] = f"{body['idMessage']}-{receipt}"
        result = ingest(database, body, receipt)
        assert not result.poison and not result.duplicate, name
    inbox = database.call_sync(lambda: sorted(i.state for i in InboxItem.select()))
    assert len(inbox) == len(names)
    assert set(inbox) <= {"done", "ignored", "deferred"}
    incoming = [n for n in names if n.startswith("incomingMessageReceived_") and "edited" not in n and "deleted" not in n]
    customer = database.call_sync(lambda: [m.text for m in Message.select().where(Message.sender_kind == "customer")])
    assert len(customer) == len(incoming)
    assert "I use Green-API to send this message to you!" in customer
    phone = database.call_sync(lambda: Message.select().where(Message.sender_kind == "manager_phone").count())
    assert phone == 2  # both outgoingMessageReceived bodies
    calls = database.call_sync(lambda: Message.select().where(Message.content_type == "call").count())
    assert calls == 1


def test_customer_text_creates_chat_and_pending_turn(database: Database, shared_fixtures: Path) -> None:
    result = ingest(database, body_of(shared_fixtures, "incomingMessageReceived_textMessage"))
    assert result.turn_due and result.chat_id == "79001234568@c.us"
    assert any(isinstance(e, ev.MessageReceived) for e in result.events)
    chat = database.call_sync(lambda: Chat.get(Chat.chat_id == "79001234568@c.us"))
    assert (chat.phone, chat.name, chat.owner, chat.unanswered) == ("79001234568", "Green API", "bot", 1)
    assert chat.waiting_since is not None
    assert database.call_sync(pending_turn_chats) == ["79001234568@c.us"]


def test_duplicate_delivery_is_a_no_op(database: Database, shared_fixtures: Path) -> None:
    body = body_of(shared_fixtures, "incomingMessageReceived_textMessage")
    assert not ingest(database, body, 1).duplicate
    again = ingest(database, body, 2)
    assert again.duplicate and not again.turn_due
    assert database.call_sync(lambda: Message.select().count()) == 1
    assert database.call_sync(lambda: InboxItem.select().count()) == 1


@pytest.mark.parametrize("raw", ["{not json", "[]", '{"typeWebhook": "incomingMessageReceived"}'])
def test_poison_is_recorded_and_skipped(database: Database, raw: str) -> None:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    result = database.atomic_sync(ingest_notification, raw, body, 77, NOW)
    assert result.poison and isinstance(result.events[0], ev.PoisonNotification)
    row = database.call_sync(lambda: InboxItem.get(InboxItem.receipt_id == 77))
    assert row.state == "poison" and row.raw == raw and row.error


def test_media_is_stored_with_placeholder_and_link(database: Database, shared_fixtures: Path) -> None:
    ingest(database, body_of(shared_fixtures, "incomingMessageReceived_imageMessage"))
    message = database.call_sync(lambda: Message.get())
    assert message.content_type == "image" and message.media_url.startswith("https://")
    assert message.text.startswith(texts.MEDIA_PLACEHOLDERS["image"])


def test_edit_and_delete_update_the_stored_message(database: Database, shared_fixtures: Path) -> None:
    edit = body_of(shared_fixtures, "incomingMessageReceived_editedMessage")
    original = dict(body_of(shared_fixtures, "incomingMessageReceived_textMessage"))
    original["senderData"] = edit["senderData"]
    original["idMessage"] = edit["messageData"]["editedMessageData"]["stanzaId"]
    ingest(database, original, 1)
    before = database.call_sync(lambda: Message.get(Message.external_id == original["idMessage"]))
    assert before.text_facts == stored_facts(before.text, customer=True)  # stored when written
    result = ingest(database, edit, 2)
    assert any(isinstance(e, ev.MessageUpdated) and e.change == "edited" for e in result.events)
    message = database.call_sync(lambda: Message.get(Message.external_id == original["idMessage"]))
    assert message.text == "Edited message" and message.edited
    assert message.text_facts == stored_facts("Edited message", customer=True)  # recomputed for the new text

    deleted = body_of(shared_fixtures, "incomingMessageReceived_deletedMessage")
    original2 = dict(original, idMessage=deleted["messageData"]["deletedMessageData"]["stanzaId"])
    ingest(database, original2, 3)
    ingest(database, deleted, 4)
    gone = database.call_sync(lambda: Message.get(Message.external_id == original2["idMessage"]))
    assert gone.deleted and gone.turn_state == "skipped"


def test_phone_message_makes_manager_owner(database: Database, shared_fixtures: Path) -> None:
    incoming = body_of(shared_fixtures, "incomingMessageReceived_textMessage")
    phone = body_of(shared_fixtures, "outgoingMessageReceived_textMessage")
    incoming["senderData"] = dict(incoming["senderData"], chatId=phone["senderData"]["chatId"])
    ingest(database, incoming, 1)
    result = ingest(database, phone, 2)
    owner_events = [e for e in result.events if isinstance(e, ev.ChatOwnerChanged)]
    assert owner_events and owner_events[0].owner == "manager" and owner_events[0].by == "phone"
    chat = database.call_sync(lambda: Chat.get(Chat.chat_id == phone["senderData"]["chatId"]))
    assert chat.owner == "manager" and chat.unanswered == 0
    kinds = database.call_sync(lambda: [(m.sender_kind, m.turn_state) for m in Message.select().order_by(Message.id)])
    assert kinds == [("customer", "skipped"), ("manager_phone", "")]
    typed = database.call_sync(lambda: Message.get(Message.sender_kind == "manager_phone"))
    assert typed.text_facts == stored_facts(typed.text, customer=False)


def test_undecryptable_message_asks_customer_to_resend(database: Database, shared_fixtures: Path) -> None:
    result = ingest(database, body_of(shared_fixtures, "incomingMessageReceived_textMessage_SWE001"))
    assert result.outbox_queued and not result.turn_due
    item = database.call_sync(lambda: OutboxItem.get())
    assert item.text == texts.ASK_TO_RESEND and item.sender_kind == "system"


def _queue_and_send(database: Database, chat_id: str, external_id: str) -> None:
    item = database.atomic_sync(ob.queue_text, chat_id, "Добрый день!", "bot", NOW)
    database.atomic_sync(ob.claim_next, chat_id, NOW)
    database.atomic_sync(ob.mark_sent, item.id, external_id, NOW)


def status_body(chat_id: str | None, external_id: str, status: str, ts: int = 1705901090) -> dict:
    body = {"typeWebhook": "outgoingMessageStatus", "timestamp": ts, "idMessage": external_id, "status": status, "sendByApi": True}
    if chat_id:
        body["chatId"] = chat_id
    return body


def test_statuses_out_of_order_end_at_read(database: Database) -> None:
    chat_id = "77011234567@c.us"
    _queue_and_send(database, chat_id, "ABC")
    for receipt, status in enumerate(["read", "sent", "delivered", "read"], start=1):
        ingest(database, status_body(chat_id, "ABC", status), receipt)
    assert database.call_sync(lambda: Message.get(Message.external_id == "ABC").status) == "read"


def test_status_before_send_result_is_applied_later(database: Database) -> None:
    chat_id = "77011234567@c.us"
    item = database.atomic_sync(ob.queue_text, chat_id, "Здравствуйте!", "bot", NOW)
    database.atomic_sync(ob.claim_next, chat_id, NOW)
    ingest(database, status_body(chat_id, "EARLY", "delivered"), 1)  # arrives before we know the id
    database.atomic_sync(ob.mark_sent, item.id, "EARLY", NOW)
    assert database.call_sync(lambda: Message.get(Message.external_id == "EARLY").status) == "delivered"


def test_api_echo_is_never_stored_twice(database: Database) -> None:
    chat_id = "77011234567@c.us"
    _queue_and_send(database, chat_id, "ECHO1")
    echo = {
        "typeWebhook": "outgoingAPIMessageReceived", "timestamp": 1705901090, "idMessage": "ECHO1",
        "senderData": {"chatId": chat_id, "sender": "77010000000@c.us", "senderName": "", "chatName": ""},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": "Добрый день!"}},
    }
    assert ingest(database, echo, 1).duplicate
    assert database.call_sync(lambda: Message.select().count()) == 1


def test_api_echo_settles_a_timed_out_send(database: Database) -> None:
    chat_id = "77011234567@c.us"
    item = database.atomic_sync(ob.queue_text, chat_id, "Размер 38 есть ✅", "bot", NOW)
    database.atomic_sync(ob.claim_next, chat_id, NOW)
    database.call_sync(ob.mark_retry, item.id, "timeout", NOW, ambiguous=True)
    echo = {
        "typeWebhook": "outgoingAPIMessageReceived", "timestamp": 1705901090, "idMessage": "LATE",
        "senderData": {"chatId": chat_id, "sender": "77010000000@c.us"},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": "Размер 38 есть ✅"}},
    }
    result = ingest(database, echo, 1)
    assert any(isinstance(e, ev.MessageSent) for e in result.events)
    row = database.call_sync(lambda: OutboxItem.get_by_id(item.id))
    assert row.state == "sent" and row.external_id == "LATE"
    assert database.call_sync(lambda: Message.select().count()) == 1


def test_a_row_that_cannot_be_applied_is_poisoned_and_the_rest_go_on(database: Database, shared_fixtures: Path) -> None:
    from ottenok_desktop.services.greenapi.ingest import apply_pending, store_notification

    huge = body_of(shared_fixtures, "incomingMessageReceived_textMessage")
    huge["messageData"]["textMessageData"]["textMessage"] = '"' * 60_000  # escapes to 120,000 characters
    raw = json.dumps(huge)
    assert database.atomic_sync(store_notification, raw, huge, 1, NOW).inbox_id
    normal = body_of(shared_fixtures, "incomingMessageReceived_textMessage")
    normal["idMessage"] = "NEXT"
    normal["senderData"] = dict(normal["senderData"], chatId="77019998877@c.us")
    database.atomic_sync(store_notification, json.dumps(normal), normal, 2, NOW)
    # a row whose stored body can no longer be read (e.g. written by a buggy older version)
    broken = dict(normal, idMessage="BROKEN")
    row = database.atomic_sync(store_notification, json.dumps(broken), broken, 3, NOW)
    database.call_sync(lambda: InboxItem.update(raw="{cut").where(InboxItem.id == row.inbox_id).execute())
    results = database.atomic_sync(apply_pending, NOW)
    assert [r.poison for r in results] == [False, False, True]
    states = database.call_sync(lambda: [i.state for i in InboxItem.select().order_by(InboxItem.id)])
    assert states == ["done", "done", "poison"]
    texts_stored = database.call_sync(lambda: [len(m.text) for m in Message.select().order_by(Message.id)])
    assert texts_stored[0] == 60_000  # the long message arrived whole


def test_old_applied_notifications_are_forgotten_poison_and_recent_ones_kept(database: Database, shared_fixtures: Path) -> None:
    from datetime import timedelta

    from ottenok_desktop.services.greenapi.ingest import prune_inbox

    body = body_of(shared_fixtures, "incomingMessageReceived_textMessage")
    ingest(database, body, 1)
    ingest(database, "{not json", 2)
    assert database.atomic_sync(prune_inbox, NOW) == 0  # received at NOW: not older than NOW
    assert database.atomic_sync(prune_inbox, NOW + timedelta(days=1)) == 1
    states = database.call_sync(lambda: [i.state for i in InboxItem.select()])
    assert states == ["poison"]
    # The message itself stays; only the inbox's copy of the notification went.
    assert database.call_sync(lambda: Message.select().count()) == 1
