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
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return None, dropped
    while True:
        item = (
            OutboxItem.select().where((OutboxItem.chat == chat) & OutboxItem.state.in_(ACTIVE_STATES))
            .order_by(OutboxItem.id).first()
        )
        if item is None:
            return None, dropped
        if item.sender_kind == "bot" and chat.owner != "bot" and item.state == "pending":
            item.state = "dropped"
            item.last_error = "chat taken by a manager"
            item.save()
            if item.message_id:
                Message.update(status="dropped").where(Message.id == item.message_id).execute()
            dropped.append(item.id)
            continue
        if item.next_attempt_at is not None and item.next_attempt_at > now and item.state != "sending":
            return None, dropped
        previous_state = item.state
        item.state = "sending"
        item.attempts += 1
        item.save()
        return SendJob(
            outbox_id=item.id, chat_id=chat_id, kind=item.kind, text=item.text, file_path=item.file_path,
            file_url=item.file_url, file_name=item.file_name, sender_kind=item.sender_kind,
            state=previous_state, attempts=item.attempts, created_at=item.created_at,
        ), dropped


def mark_sent(outbox_id: int, external_id: str, now: datetime) -> int | None:
    """Record a successful send; apply statuses that arrived before we knew the id.
    Returns the Message id."""
    item = OutboxItem.get_by_id(outbox_id)
    item.state = "sent"
    item.external_id = external_id
    item.sent_at = now
    item.last_error = ""
    item.save()
    chat = item.chat
    chat.last_outbound_at = now
    if item.sender_kind == "bot":
        chat.last_bot_at = now
    chat.waiting_since = None
    chat.unanswered = 0
    chat.last_text = (item.text or item.file_name)[:300]
    chat.updated_at = now
    chat.save()
    message_id = item.message_id
    if message_id:
        message = Message.get_by_id(message_id)
        # the echo may already have stored a message with this id (if it raced us): keep one
        twin = Message.get_or_none((Message.chat == chat) & (Message.external_id == external_id) & (Message.id != message_id))
        if twin is not None:
            twin.delete_instance()
        message.external_id = external_id
        if message.status in ("queued", "", "sending"):
            message.status = "sent"
        message.save()
        for inbox in InboxItem.select().where(
            (InboxItem.state == "deferred") & (InboxItem.dedupe_key.startswith(f"status:{external_id}:"))
        ):
            status = inbox.dedupe_key.rsplit(":", 1)[1]
            if status_advances(message.status, status):
                message.status = status
            inbox.state = "done"
            inbox.save()
        message.save()
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
