"""GREEN-API notifications into storage, exactly once.

1. `store_or_apply` (the poller, before it deletes the notification from GREEN-API's
   queue; `store_behind` for the kinds it deletes first, in batches): parse, record the
   raw body in the inbox — deduplicated by a key derived from chatId + idMessage — as
   `new`, or as `poison` if it cannot be read, and, in the same transaction (a
   savepoint), apply it when no older row waits: one job and one commit.
2. `apply_pending` (the applier): turns rows still `new` — left by a crash, queued
   behind an older one, or whose apply failed — oldest first into messages, edits,
   deletions, statuses and owner changes, in one transaction per batch, and returns
   what the engine must do next (events, chats whose turn is due).

`store_notification` only stores; `ingest_notification` stores and applies (tests,
tools). All functions run on the DB thread; nothing here talks to the network.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import peewee as pw

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.notifications import (
    CallNote, ChatMessage, Ignored, InstanceStateNote, MalformedNotification, MessageDeletion, MessageEdit,
    QuotaNote, StatusUpdate, dedupe_key, parse_notification, status_advances,
)
from ottenok_desktop.services.storage.chats import add_chat, get_or_create_chat, set_owner
from ottenok_desktop.services.storage.database import Savepoint
from ottenok_desktop.services.storage.models import Chat, InboxItem, Message, OutboxItem
from ottenok_desktop.services.storage.outbox import queue_text
from ottenok_desktop.services.storage.prepared import Prepared, db_time
from ottenok_desktop.services.storage.text_facts import facts_for

# The statements every notification runs, compiled once (see storage/prepared.py).
_INBOX_SEEN = Prepared(lambda p: InboxItem.select(InboxItem.id).where(InboxItem.dedupe_key == p.key).limit(1))
_INBOX_ADD = Prepared(lambda p: InboxItem.insert(
    receipt_id=p.receipt_id, type_webhook=p.type_webhook, dedupe_key=p.key, chat_id=p.chat_id,
    external_id=p.external_id, raw=p.raw, state="new", error="", received_at=p.now))
_INBOX_NEW = Prepared(lambda p: InboxItem.select(InboxItem.id, InboxItem.raw, InboxItem.receipt_id).where(InboxItem.state == "new")
                      .order_by(InboxItem.id).limit(p.limit))
_INBOX_OLDER_NEW = Prepared(lambda p: InboxItem.select(InboxItem.id).where(
    (InboxItem.state == "new") & (InboxItem.id < p.id)).limit(1))
_CHAT_REF = Prepared(lambda p: Chat.select(Chat.id, Chat.owner, Chat.closed, Chat.name).where(Chat.chat_id == p.chat_id))
_CHAT_NAME = Prepared(lambda p: Chat.update(name=p.name).where(Chat.id == p.id))
_INBOX_DONE = Prepared(lambda p: InboxItem.update(state=p.state, error=p.error).where(InboxItem.id == p.id))
_MESSAGE_SEEN = Prepared(lambda p: Message.select(Message.id).where(
    (Message.chat == p.chat) & (Message.external_id == p.external_id)).limit(1))
_STATUS_TARGET = Prepared(lambda p: Message.select(Message.id, Message.status, Chat.chat_id).join(Chat).where(
    Message.external_id == p.external_id).limit(1))
_STATUS_TARGET_IN_CHAT = Prepared(lambda p: Message.select(Message.id, Message.status, Chat.chat_id).join(Chat).where(
    (Message.external_id == p.external_id) & (Chat.chat_id == p.chat_id)).limit(1))
_SET_STATUS = Prepared(lambda p: Message.update(status=p.status).where(Message.id == p.id))
_SET_STATUS_DETAIL = Prepared(lambda p: Message.update(status=p.status, status_detail=p.detail).where(Message.id == p.id))
_CUSTOMER_MESSAGE_ADD = Prepared(lambda p: Message.insert(
    chat=p.chat, direction="in", sender_kind="customer", sender_name=p.sender_name, text=p.text,
    content_type=p.content_type, media_url=p.media_url, media_name=p.media_name, media_mime=p.media_mime,
    external_id=p.external_id, quoted_external_id=p.quoted, turn_state=p.turn_state, created_at=p.at,
    text_facts=p.text_facts))
_CHAT_INBOUND = Prepared(lambda p: Chat.update(
    last_inbound_at=p.at, waiting_since=pw.fn.COALESCE(Chat.waiting_since, p.at), unanswered=Chat.unanswered + 1,
    last_text=p.text, updated_at=p.now).where(Chat.id == p.id))

log = logging.getLogger(__name__)

# Content that does not call for an answer from the bot.
NO_TURN_CONTENT = frozenset({"reaction", "poll_vote"})


@dataclass
class IngestResult:
    duplicate: bool = False
    poison: bool = False
    chat_id: str | None = None
    turn_due: bool = False  # a customer message waits for the dispatcher
    outbox_queued: bool = False  # something was queued for the sender
    customer_text: str = ""  # for follow-up classification
    customer_at: datetime | None = None
    foreign_send: str = ""  # idMessage of an API send this program did not make (another program?)
    events: list[ev.Event] = field(default_factory=list)


@dataclass(frozen=True)
class Stored:
    inbox_id: int | None
    duplicate: bool = False
    poison: bool = False
    reason: str = ""


def store_notification(raw: str, body: Any, receipt_id: int | None, now: datetime) -> Stored:
    return _store(raw, body, receipt_id, now)[0]


def _store(raw: str, body: Any, receipt_id: int | None, now: datetime) -> tuple[Stored, Any]:
    """`store_notification`, also returning what was parsed (None for poison)."""
    try:
        parsed = parse_notification(body)
    except MalformedNotification as exc:
        type_webhook = body.get("typeWebhook") if isinstance(body, dict) else ""
        row = InboxItem.create(
            receipt_id=receipt_id, raw=raw[:100_000], state="poison", error=str(exc), received_at=now,
            type_webhook=type_webhook[:64] if isinstance(type_webhook, str) else "",
        )
        return Stored(row.id, poison=True, reason=str(exc)), None
    key = dedupe_key(parsed, receipt_id)
    if key is not None and _INBOX_SEEN.first(key=key) is not None:
        return Stored(None, duplicate=True), parsed
    inbox_id = _INBOX_ADD.insert(
        receipt_id=receipt_id, type_webhook=str(body.get("typeWebhook", ""))[:64], key=key,
        chat_id=getattr(parsed, "chat_id", None) or "", external_id=getattr(parsed, "external_id", "") or "",
        raw=raw, now=db_time(now),  # whole: it is parsed again when applied
    )
    return Stored(inbox_id), parsed


def store_or_apply(raw: str, body: Any, receipt_id: int | None, now: datetime) -> tuple[Stored, IngestResult | None]:
    """The poller's step before its delete: store the notification and, in the same
    transaction, apply it — one database job and one commit per notification instead of
    two, and no applier pass. Applied here only when no older stored row still waits
    (a crash's leftovers, a row whose apply failed): the applier then takes this one
    after them, in order. A delivery status is applied whatever waits (statuses only
    move forward, so their order does not matter). The apply runs in a savepoint: if it
    fails, the row stays stored (`new`) and the applier retries it, or marks it poison —
    the store, which the delete waits for, never fails because of the apply.
    Returns (what was stored, the applied result or None)."""
    stored, parsed = _store(raw, body, receipt_id, now)
    if stored.inbox_id is None or stored.poison:
        return stored, None
    if not _is_status(body) and _INBOX_OLDER_NEW.first(id=stored.inbox_id) is not None:
        return stored, None
    try:
        with Savepoint(InboxItem._meta.database, "apply_now"):
            return stored, _apply(stored.inbox_id, raw, now, parsed)
    except Exception:  # left `new`: the applier's pass records it as poison if it fails again
        log.warning("applying inbox row %s at once failed; left to the applier", stored.inbox_id, exc_info=True)
        return stored, None


def store_behind(items: list[tuple[str, Any, int | None, datetime]]) -> list[tuple[Stored, IngestResult | None] | None]:
    """`store_or_apply` for notifications the poller deleted before storing them (the ones
    the instance's journal can bring back: delivery ticks, API echoes), in one transaction.
    Each item in a savepoint of its own: one whose own data fails is skipped (None) and
    logged, the others are kept. A failing database (read-only, locked, gone, disk full)
    raises: the caller keeps the whole batch and tries again."""
    results: list[tuple[Stored, IngestResult | None] | None] = []
    for raw, body, receipt_id, now in items:
        try:
            with Savepoint(InboxItem._meta.database, "behind"):
                results.append(store_or_apply(raw, body, receipt_id, now))
        except _DATABASE_FAILING:
            raise
        except Exception:  # this item only: the journal's next look brings its tick or send back
            log.warning("storing notification %s after its delete failed; skipped", receipt_id, exc_info=True)
            results.append(None)
    return results


# Errors of the database itself rather than of one row's data.
_DATABASE_FAILING = (pw.OperationalError, pw.InterfaceError, pw.InternalError)


def _is_status(body: Any) -> bool:
    return isinstance(body, dict) and body.get("typeWebhook") == "outgoingMessageStatus"


def apply_pending(now: datetime, limit: int = 200) -> list[IngestResult]:
    """Apply up to `limit` stored notifications, oldest first (call inside a transaction)."""
    results = []
    database = InboxItem._meta.database
    for inbox_id, raw, receipt_id in _INBOX_NEW.all(limit=limit):
        try:
            with database.atomic():  # a savepoint: one bad row must not block the others
                results.append(_apply(inbox_id, raw, now))
        except Exception as exc:  # recorded as poison, never retried for ever
            log.exception("applying inbox row %s failed; stored as poison", inbox_id)
            _INBOX_DONE.execute(state="poison", error=f"apply failed: {type(exc).__name__}: {exc}"[:500], id=inbox_id)
            results.append(IngestResult(poison=True, events=[ev.PoisonNotification(receipt_id or 0, f"apply failed: {type(exc).__name__}")]))
    return results


def ingest_notification(raw: str, body: Any, receipt_id: int | None, now: datetime) -> IngestResult:
    stored = store_notification(raw, body, receipt_id, now)
    if stored.poison:
        return IngestResult(poison=True, events=[ev.PoisonNotification(receipt_id or 0, stored.reason)])
    if stored.duplicate:
        return IngestResult(duplicate=True)
    return _apply(stored.inbox_id, raw, now)


def _apply(inbox_id: int, raw: str, now: datetime, parsed: Any = None) -> IngestResult:
    result = IngestResult()
    if parsed is None:
        parsed = parse_notification(json.loads(raw))
    state, error = "done", ""
    if isinstance(parsed, ChatMessage):
        _apply_chat_message(parsed, now, result)
    elif isinstance(parsed, MessageEdit):
        _apply_edit(parsed, now, result)
    elif isinstance(parsed, MessageDeletion):
        _apply_deletion(parsed, now, result)
    elif isinstance(parsed, StatusUpdate):
        if not _apply_status(parsed, result):
            state = "deferred"  # the send that produced it has not recorded its id yet
    elif isinstance(parsed, InstanceStateNote):
        result.events.append(ev.InstanceStateChanged(parsed.state))
    elif isinstance(parsed, QuotaNote):
        result.events.append(ev.InstanceStateChanged("quota", parsed.description or parsed.status))
    elif isinstance(parsed, CallNote):
        _apply_call(parsed, now, result)
    elif isinstance(parsed, Ignored):
        state, error = "ignored", parsed.reason
    _INBOX_DONE.execute(state=state, error=error, id=inbox_id)
    return result


def _chat_ref(chat_id: str, now: datetime, name: str) -> Chat:
    """The chat's row as far as ingest needs it (id, owner, closed, name), creating it once."""
    row = _CHAT_REF.first(chat_id=chat_id)
    if row is None:
        return Chat(id=add_chat(chat_id, now, name), chat_id=chat_id, owner=Chat.owner.default,
                    closed=Chat.closed.default, name=name)
    chat_pk, owner, closed, known_name = row
    if name and not known_name:
        _CHAT_NAME.execute(name=name, id=chat_pk)
        known_name = name
    return Chat(id=chat_pk, chat_id=chat_id, owner=owner, closed=bool(closed), name=known_name)


def _message_exists(chat: Chat, external_id: str) -> bool:
    return _MESSAGE_SEEN.first(chat=chat.id, external_id=external_id) is not None


def _apply_chat_message(msg: ChatMessage, now: datetime, result: IngestResult) -> None:
    result.chat_id = msg.chat_id
    chat = _chat_ref(msg.chat_id, now, msg.sender_name if msg.direction == "in" else msg.chat_name)
    if _message_exists(chat, msg.external_id):
        result.duplicate = True
        return
    if msg.direction == "in":
        _store_customer_message(chat, msg, now, result)
    elif msg.by_api:
        _match_api_echo(chat, msg, now, result)
    else:
        _store_phone_message(chat, msg, now, result)


def _store_customer_message(chat: Chat, msg: ChatMessage, now: datetime, result: IngestResult) -> None:
    wants_turn = (
        not msg.is_group and not msg.undecryptable and msg.content_type not in NO_TURN_CONTENT
        and chat.owner == "bot" and not chat.closed
    )
    message_id = _CUSTOMER_MESSAGE_ADD.insert(
        chat=chat.id, sender_name=msg.sender_name, text=msg.text, content_type=msg.content_type,
        media_url=msg.media_url, media_name=msg.media_name, media_mime=msg.media_mime, external_id=msg.external_id,
        quoted=msg.quoted_external_id, turn_state="pending" if wants_turn else "", at=db_time(msg.at),
        text_facts=facts_for("in", "customer", msg.text),
    )
    _CHAT_INBOUND.execute(at=db_time(msg.at), text=msg.text[:300], now=db_time(now), id=chat.id)
    result.turn_due = wants_turn
    result.customer_text = msg.text
    result.customer_at = msg.at
    result.events.append(ev.MessageReceived(chat.chat_id, message_id, msg.text, msg.content_type, "customer"))
    result.events.append(ev.ChatUpdated(chat.chat_id))
    if msg.undecryptable and not msg.is_group:
        item = queue_text(chat.chat_id, texts.ASK_TO_RESEND, "system", now)
        result.outbox_queued = True
        result.events.append(ev.MessageQueued(chat.chat_id, item.id, texts.ASK_TO_RESEND, "system"))


def _store_phone_message(chat: Chat, msg: ChatMessage, now: datetime, result: IngestResult) -> None:
    """Someone typed on the shop phone: store it as the manager's and silence the bot here."""
    message = Message.create(
        chat=chat, direction="out", sender_kind="manager_phone", sender_name="", text=msg.text,
        content_type=msg.content_type, media_url=msg.media_url, media_name=msg.media_name, media_mime=msg.media_mime,
        external_id=msg.external_id, status="sent", created_at=msg.at,
        text_facts=facts_for("out", "manager_phone", msg.text),
    )
    chat = Chat.get_by_id(chat.id)
    chat.last_outbound_at = msg.at
    chat.waiting_since = None
    chat.unanswered = 0
    chat.last_text = msg.text[:300]
    chat.updated_at = now
    chat.save()
    result.events.append(ev.MessageReceived(chat.chat_id, message.id, msg.text, msg.content_type, "manager_phone"))
    if set_owner(chat.chat_id, "manager", "phone", now, reason="typed on the shop phone"):
        result.events.append(ev.ChatOwnerChanged(chat.chat_id, "manager", "phone", "typed on the shop phone"))
    result.events.append(ev.ChatUpdated(chat.chat_id))


def _match_api_echo(chat: Chat, msg: ChatMessage, now: datetime, result: IngestResult) -> None:
    """The echo of a send through the API. Ours: link it to the outbox record (never a
    second message). Not ours (another tool on the same instance): store it once."""
    item = OutboxItem.get_or_none((OutboxItem.chat == chat) & (OutboxItem.external_id == msg.external_id))
    if item is not None:
        return
    candidate = (
        OutboxItem.select()
        .where((OutboxItem.chat == chat) & OutboxItem.state.in_(("sending", "unknown")) & (OutboxItem.external_id.is_null()))
        .order_by(OutboxItem.id)
    )
    for item in candidate:
        if (item.text or "") == msg.text or (item.file_name and item.file_name == msg.media_name):
            # The send went through (its HTTP answer may have been lost): record it now.
            from ottenok_desktop.services.storage.outbox import mark_sent

            message_id = mark_sent(item.id, msg.external_id, now)
            result.events.append(ev.MessageSent(chat.chat_id, item.id, message_id or 0, msg.external_id))
            return
    message = Message.create(
        chat=chat, direction="out", sender_kind="bot", text=msg.text, content_type=msg.content_type,
        media_url=msg.media_url, media_name=msg.media_name, external_id=msg.external_id, status="sent", created_at=msg.at,
        text_facts=facts_for("out", "bot", msg.text),
    )
    result.foreign_send = msg.external_id
    result.events.append(ev.MessageReceived(chat.chat_id, message.id, msg.text, msg.content_type, "bot"))


def _apply_edit(edit: MessageEdit, now: datetime, result: IngestResult) -> None:
    result.chat_id = edit.chat_id
    message = (
        Message.select().join(Chat)
        .where((Chat.chat_id == edit.chat_id) & (Message.external_id == edit.external_id)).first()
    )
    if message is None:
        return
    message.text = edit.new_text
    message.text_facts = facts_for(message.direction, message.sender_kind, edit.new_text)
    message.edited = True
    message.save()
    result.events.append(ev.MessageUpdated(edit.chat_id, message.id, "edited"))


def _apply_deletion(deletion: MessageDeletion, now: datetime, result: IngestResult) -> None:
    result.chat_id = deletion.chat_id
    message = (
        Message.select().join(Chat)
        .where((Chat.chat_id == deletion.chat_id) & (Message.external_id == deletion.external_id)).first()
    )
    if message is None:
        return
    message.deleted = True
    if message.turn_state == "pending":
        message.turn_state = "skipped"
    message.save()
    result.events.append(ev.MessageUpdated(deletion.chat_id, message.id, "deleted"))


def _apply_status(update: StatusUpdate, result: IngestResult) -> bool:
    if update.chat_id:
        row = _STATUS_TARGET_IN_CHAT.first(external_id=update.external_id, chat_id=update.chat_id)
    else:
        row = _STATUS_TARGET.first(external_id=update.external_id)
    if row is None:
        return False
    message_id, current, chat_id = row
    result.chat_id = chat_id
    if status_advances(current, update.status):
        if update.description:
            _SET_STATUS_DETAIL.execute(status=update.status, detail=update.description[:300], id=message_id)
        else:
            _SET_STATUS.execute(status=update.status, id=message_id)
        result.events.append(ev.StatusChanged(chat_id, update.external_id, update.status))
    return True


def _apply_call(call: CallNote, now: datetime, result: IngestResult) -> None:
    chat = get_or_create_chat(call.chat_id, now)
    result.chat_id = call.chat_id
    Message.create(
        chat=chat, direction="in", sender_kind="system", text=texts.INCOMING_CALL.format(status=call.status),
        content_type="call", created_at=call.at,
    )
    result.events.append(ev.IncomingCall(call.chat_id, call.status))


def pending_turn_chats() -> list[str]:
    """Chats with customer messages not yet answered (crash recovery at start)."""
    rows = (
        Message.select(Chat.chat_id).join(Chat)
        .where(Message.turn_state == "pending").distinct()
    )
    return [r.chat.chat_id for r in rows]


def prune_inbox(before: datetime, limit: int = 5000) -> int:
    """Forget applied inbox rows received before `before` (their raw bodies only served
    deduplication; GREEN-API keeps a notification in its queue for 24 hours, so nothing
    older can come back). Poison rows stay for a person to look at. Returns rows removed."""
    old = (InboxItem.select(InboxItem.id)
           .where(InboxItem.state.in_(("done", "ignored")) & (InboxItem.received_at < before))
           .order_by(InboxItem.id).limit(limit))
    return InboxItem.delete().where(InboxItem.id.in_(old)).execute()

