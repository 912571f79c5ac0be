"""The outbox: every outgoing message is stored before it is sent.

A queued item has a Message row (status `queued`) so the console shows it at once;
the sender moves it through `sending` → `sent`, or back to `pending` with a retry
time, or to `unknown` when a send timed out (reconcile before any resend), `failed`
or `dropped` (a bot reply for a chat a manager has taken).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import peewee as pw

from ottenok_desktop.engine.notifications import TERMINAL_FAILURES, status_advances

from .chats import get_or_create_chat
from .models import Chat, InboxItem, Message, OutboxItem

ACTIVE_STATES = ("pending", "sending", "unknown")


def queue_part(
    chat_id: str, now: datetime, *, text: str = "", sender_kind: str = "bot", sender_name: str = "",
    file_path: Path | None = None, file_url: str = "", file_name: str = "",
) -> OutboxItem:
    chat = get_or_create_chat(chat_id, now)
    kind = "file_upload" if file_path is not None else "file_url" if file_url else "text"
    content_type = "text" if kind == "text" else "image" if _is_image(file_name or str(file_path or file_url)) else "document"
    message = Message.create(
        chat=chat, direction="out", sender_kind=sender_kind, sender_name=sender_name, text=text,
        content_type=content_type, media_url=str(file_path or file_url or ""), media_name=file_name,
        status="queued", created_at=now,
    )
    return OutboxItem.create(
        chat=chat, message=message, kind=kind, text=text, file_path=str(file_path or ""), file_url=file_url,
        file_name=file_name, sender_kind=sender_kind, sender_name=sender_name, state="pending",
        next_attempt_at=now, created_at=now,
    )


def queue_text(chat_id: str, text: str, sender_kind: str, now: datetime, sender_name: str = "") -> OutboxItem:
    return queue_part(chat_id, now, text=text, sender_kind=sender_kind, sender_name=sender_name)


def _is_image(name: str) -> bool:
    return name.lower().rsplit(".", 1)[-1] in {"jpg", "jpeg", "png", "webp", "gif"}


@dataclass(frozen=True)
class SendJob:
    outbox_id: int
    chat_id: str
    kind: str
    text: str
    file_path: str
    file_url: str
    file_name: str
    sender_kind: str
    state: str
    attempts: int
    created_at: datetime


def chats_with_due_items(now: datetime) -> list[str]:
    rows = (
        OutboxItem.select(Chat.chat_id).join(Chat)
        .where(OutboxItem.state.in_(ACTIVE_STATES) & ((OutboxItem.next_attempt_at.is_null()) | (OutboxItem.next_attempt_at <= now)))
        .distinct()
    )
    return [r.chat.chat_id for r in rows]


def next_due_time() -> datetime | None:
    value = OutboxItem.select(pw.fn.MIN(OutboxItem.next_attempt_at)).where(OutboxItem.state.in_(ACTIVE_STATES)).scalar()
    if isinstance(value, str):
        value = OutboxItem.next_attempt_at.python_value(value)
    elif isinstance(value, datetime) and value.tzinfo is None:
        value = OutboxItem.next_attempt_at.python_value(value)
    return value


def claim_next(chat_id: str, now: datetime) -> tuple[SendJob | None, list[int]]:
    """The chat's oldest unsent item, if it is due; bot items of a manager-owned chat are
    dropped first (returned as the second value). Order per chat is kept: a later item
    is never claimed while an earlier one waits for a retry."""
    dropped: list[int] = []
    chat = Chat.select(Chat.id, Chat.owner).where(Chat.chat_id == chat_id).tuples().first()
    if chat is None:
        return None, dropped
    chat_pk, owner = chat
    fields = (OutboxItem.id, OutboxItem.kind, OutboxItem.text, OutboxItem.file_path, OutboxItem.file_url,
              OutboxItem.file_name, OutboxItem.sender_kind, OutboxItem.state, OutboxItem.attempts,
              OutboxItem.created_at, OutboxItem.next_attempt_at, OutboxItem.message)
    while True:
        row = (
            OutboxItem.select(*fields).where((OutboxItem.chat == chat_pk) & OutboxItem.state.in_(ACTIVE_STATES))
            .order_by(OutboxItem.id).tuples().first()
        )
        if row is None:
            return None, dropped
        (item_id, kind, text, file_path, file_url, file_name, sender_kind, state, attempts, created_at,
         next_attempt_at, message_id) = row
        if sender_kind == "bot" and owner != "bot" and state == "pending":
            OutboxItem.update(state="dropped", last_error="chat taken by a manager").where(OutboxItem.id == item_id).execute()
            if message_id:
                Message.update(status="dropped").where(Message.id == message_id).execute()
            dropped.append(item_id)
            continue
        next_attempt_at = OutboxItem.next_attempt_at.python_value(next_attempt_at)
        if next_attempt_at is not None and next_attempt_at > now and state != "sending":
            return None, dropped
        OutboxItem.update(state="sending", attempts=attempts + 1).where(OutboxItem.id == item_id).execute()
        return SendJob(
            outbox_id=item_id, chat_id=chat_id, kind=kind, text=text, file_path=file_path, file_url=file_url,
            file_name=file_name, sender_kind=sender_kind, state=state, attempts=attempts + 1,
            created_at=OutboxItem.created_at.python_value(created_at),
        ), dropped


def mark_sent(outbox_id: int, external_id: str, now: datetime) -> int | None:
    """Record a successful send; apply statuses that arrived before we knew the id.
    Returns the Message id."""
    chat_pk, message_id, sender_kind, text, file_name = (
        OutboxItem.select(OutboxItem.chat, OutboxItem.message, OutboxItem.sender_kind, OutboxItem.text, OutboxItem.file_name)
        .where(OutboxItem.id == outbox_id).tuples().get()
    )
    OutboxItem.update(state="sent", external_id=external_id, sent_at=now, last_error="").where(OutboxItem.id == outbox_id).execute()
    chat_values = {
        Chat.last_outbound_at: now, Chat.waiting_since: None, Chat.unanswered: 0,
        Chat.last_text: (text or file_name)[:300], Chat.updated_at: now,
    }
    if sender_kind == "bot":
        chat_values[Chat.last_bot_at] = now
    Chat.update(chat_values).where(Chat.id == chat_pk).execute()
    if not message_id:
        return None
    # the echo may already have stored a message with this id (if it raced us): keep one
    Message.delete().where((Message.chat == chat_pk) & (Message.external_id == external_id) & (Message.id != message_id)).execute()
    status = Message.select(Message.status).where(Message.id == message_id).scalar()
    if status in ("queued", "", "sending"):
        status = "sent"
    deferred = list(
        InboxItem.select(InboxItem.id, InboxItem.dedupe_key)
        .where((InboxItem.external_id == external_id) & (InboxItem.state == "deferred")).tuples()
    )
    for _, key in deferred:
        candidate = key.rsplit(":", 1)[1]
        if status_advances(status, candidate):
            status = candidate
    if deferred:
        InboxItem.update(state="done").where(InboxItem.id.in_([i for i, _ in deferred])).execute()
    Message.update(external_id=external_id, status=status).where(Message.id == message_id).execute()
    return message_id


def mark_retry(outbox_id: int, error: str, retry_at: datetime, *, ambiguous: bool = False) -> None:
    OutboxItem.update(
        state="unknown" if ambiguous else "pending", last_error=error[:500], next_attempt_at=retry_at
    ).where(OutboxItem.id == outbox_id).execute()


def mark_failed(outbox_id: int, error: str) -> None:
    item = OutboxItem.get_by_id(outbox_id)
    item.state = "failed"
    item.last_error = error[:500]
    item.save()
    if item.message_id:
        Message.update(status="failed", status_detail=error[:300]).where(Message.id == item.message_id).execute()


def reset_interrupted(now: datetime) -> int:
    """At start: an item left `sending` by a crash may or may not have gone: reconcile it."""
    return OutboxItem.update(state="unknown", next_attempt_at=now).where(OutboxItem.state == "sending").execute()


def pending_count() -> int:
    return OutboxItem.select().where(OutboxItem.state.in_(ACTIVE_STATES)).count()


def retry_delay(attempts: int, base: float = 1.0, cap: float = 300.0) -> timedelta:
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


__all__ = [
    "queue_part", "queue_text", "claim_next", "mark_sent", "mark_retry", "mark_failed", "reset_interrupted",
    "pending_count", "chats_with_due_items", "next_due_time", "SendJob", "TERMINAL_FAILURES", "retry_delay",
]
