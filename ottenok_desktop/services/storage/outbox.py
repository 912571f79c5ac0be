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
from .lease import assert_epoch
from .models import Chat, InboxItem, Message, OutboxItem
from .prepared import Prepared, db_time
from .text_facts import facts_for

ACTIVE_STATES = ("pending", "sending", "unknown")

# The sender's per-message statements, compiled once (see prepared.py).
_CHAT_OWNER = Prepared(lambda p: Chat.select(Chat.id, Chat.owner).where(Chat.chat_id == p.chat_id))
_OLDEST_ACTIVE = Prepared(lambda p: OutboxItem.select(
    OutboxItem.id, OutboxItem.kind, OutboxItem.text, OutboxItem.file_path, OutboxItem.file_url, OutboxItem.file_name,
    OutboxItem.sender_kind, OutboxItem.state, OutboxItem.attempts, OutboxItem.created_at, OutboxItem.next_attempt_at,
    OutboxItem.message, OutboxItem.sender_name,
).where((OutboxItem.chat == p.chat) & OutboxItem.state.in_(ACTIVE_STATES)).order_by(OutboxItem.id).limit(1))
_CLAIM = Prepared(lambda p: OutboxItem.update(state="sending", attempts=p.attempts).where(OutboxItem.id == p.id))
_SENT_ITEM = Prepared(lambda p: OutboxItem.select(
    OutboxItem.chat, OutboxItem.message, OutboxItem.sender_kind, OutboxItem.text, OutboxItem.file_name,
).where(OutboxItem.id == p.id))
_MARK_SENT = Prepared(lambda p: OutboxItem.update(state="sent", external_id=p.external_id, sent_at=p.now, last_error="")
                      .where(OutboxItem.id == p.id))
_CHAT_OUTBOUND = Prepared(lambda p: Chat.update(
    last_outbound_at=p.now, waiting_since=None, unanswered=0, last_text=p.text, updated_at=p.now).where(Chat.id == p.id))
_CHAT_BOT_OUTBOUND = Prepared(lambda p: Chat.update(
    last_outbound_at=p.now, last_bot_at=p.now, waiting_since=None, unanswered=0, last_text=p.text, updated_at=p.now,
).where(Chat.id == p.id))
_DROP_ECHO_TWIN = Prepared(lambda p: Message.delete().where(
    (Message.chat == p.chat) & (Message.external_id == p.external_id) & (Message.id != p.id)))
_MESSAGE_STATUS = Prepared(lambda p: Message.select(Message.status).where(Message.id == p.id))
_DEFERRED_STATUSES = Prepared(lambda p: InboxItem.select(InboxItem.id, InboxItem.dedupe_key).where(
    (InboxItem.external_id == p.external_id) & (InboxItem.state == "deferred")))
# The sender runs it after every chat it drained (about every other reply in a burst):
# compiled once, like the statements above.
_DUE_SCAN = Prepared(lambda p: OutboxItem.select(Chat.chat_id, OutboxItem.state, OutboxItem.next_attempt_at).join(Chat)
                     .where(OutboxItem.id.in_(OutboxItem.select(pw.fn.MIN(OutboxItem.id))
                                              .where(OutboxItem.state.in_(ACTIVE_STATES)).group_by(OutboxItem.chat))))
_SET_MESSAGE_SENT = Prepared(lambda p: Message.update(external_id=p.external_id, status=p.status).where(Message.id == p.id))


@dataclass(frozen=True)
class Queued:
    """An outbox row just created, with its Message row."""

    id: int
    message_id: int
    chat_pk: int


_QUEUED_MESSAGE_ADD = Prepared(lambda p: Message.insert(
    chat=p.chat, direction="out", sender_kind=p.sender_kind, sender_name=p.sender_name, text=p.text,
    content_type=p.content_type, media_url=p.media_url, media_name=p.file_name, status="queued", created_at=p.now,
    text_facts=p.text_facts))
_OUTBOX_ADD = Prepared(lambda p: OutboxItem.insert(
    chat=p.chat, message=p.message, kind=p.kind, text=p.text, file_path=p.file_path, file_url=p.file_url,
    file_name=p.file_name, sender_kind=p.sender_kind, sender_name=p.sender_name, state="pending",
    next_attempt_at=p.now, created_at=p.now))


def queue_part(
    chat_id: str, now: datetime, *, text: str = "", sender_kind: str = "bot", sender_name: str = "",
    file_path: Path | None = None, file_url: str = "", file_name: str = "", chat_pk: int | None = None,
) -> Queued:
    if chat_pk is None:
        chat_pk = get_or_create_chat(chat_id, now).id
    kind = "file_upload" if file_path is not None else "file_url" if file_url else "text"
    content_type = "text" if kind == "text" else "image" if _is_image(file_name or str(file_path or file_url)) else "document"
    when = db_time(now)
    message_id = _QUEUED_MESSAGE_ADD.insert(
        chat=chat_pk, sender_kind=sender_kind, sender_name=sender_name, text=text, content_type=content_type,
        media_url=str(file_path or file_url or ""), file_name=file_name, now=when,
        text_facts=facts_for("out", sender_kind, text),
    )
    outbox_id = _OUTBOX_ADD.insert(
        chat=chat_pk, message=message_id, kind=kind, text=text, file_path=str(file_path or ""), file_url=file_url,
        file_name=file_name, sender_kind=sender_kind, sender_name=sender_name, now=when,
    )
    return Queued(outbox_id, message_id, chat_pk)


def queue_text(chat_id: str, text: str, sender_kind: str, now: datetime, sender_name: str = "") -> Queued:
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
    sender_name: str = ""  # a manager's name, or "announcement" (engine/announcements.ANNOUNCEMENT_SENDER)


def due_scan(now: datetime) -> tuple[list[str], datetime | None]:
    """(chats whose next item may be sent now, the earliest later due time).

    Only each chat's oldest unsent item counts — later ones wait behind it, so listing
    them would wake the sender for chats it cannot serve yet — and an item being sent
    right now belongs to the task sending it."""
    due: list[str] = []
    later: datetime | None = None
    for chat_id, state, next_attempt_at in _DUE_SCAN.all():
        if state == "sending":
            continue
        at = OutboxItem.next_attempt_at.python_value(next_attempt_at)
        if at is None or at <= now:
            due.append(chat_id)
        elif later is None or at < later:
            later = at
    return due, later


def already_recorded(chat_id: str, external_ids: list[str], outbox_id: int) -> tuple[str | None, set[str]]:
    """For reconciling outbox item `outbox_id`: (the id its API echo already recorded for it,
    if any; ids this chat already has for other messages — an earlier message with the
    same text must not be taken for the one that timed out)."""
    item = OutboxItem.get_by_id(outbox_id)
    if item.state == "sent" and item.external_id:
        return item.external_id, set()
    if not external_ids:
        return None, set()
    rows = (Message.select(Message.external_id).join(Chat)
            .where((Chat.chat_id == chat_id) & Message.external_id.in_(external_ids) & (Message.id != item.message_id))
            .tuples())
    return None, {external_id for (external_id,) in rows}


def drop_if_taken(outbox_id: int) -> bool:
    """A bot reply whose send could not be confirmed, for a chat a manager now owns: drop it
    instead of sending it again."""
    item = OutboxItem.get_by_id(outbox_id)
    if item.sender_kind != "bot" or item.chat.owner == "bot":
        return False
    item.state = "dropped"
    item.last_error = "chat taken by a manager"
    item.save()
    if item.message_id:
        Message.update(status="dropped").where(Message.id == item.message_id).execute()
    return True


def claim_next(chat_id: str, now: datetime, epoch: int | None = None, *,
               chat: tuple[int, str] | None = None) -> tuple[SendJob | None, list[int]]:
    """The chat's oldest unsent item, if it is due; bot items of a manager-owned chat are
    dropped first (returned as the second value). Order per chat is kept: a later item
    is never claimed while an earlier one waits for a retry. With `epoch` (several seats)
    it first checks that epoch still holds the engine lease (raises LeaseLost if not)."""
    if epoch is not None:
        assert_epoch(epoch)
    dropped: list[int] = []
    if chat is None:  # (row id, owner), unless the caller read them in this transaction
        chat = _CHAT_OWNER.first(chat_id=chat_id)
    if chat is None:
        return None, dropped
    chat_pk, owner = chat
    while True:
        row = _OLDEST_ACTIVE.first(chat=chat_pk)
        if row is None:
            return None, dropped
        (item_id, kind, text, file_path, file_url, file_name, sender_kind, state, attempts, created_at,
         next_attempt_at, message_id, sender_name) = row
        if sender_kind == "bot" and owner != "bot" and state == "pending":
            OutboxItem.update(state="dropped", last_error="chat taken by a manager").where(OutboxItem.id == item_id).execute()
            if message_id:
                Message.update(status="dropped").where(Message.id == message_id).execute()
            dropped.append(item_id)
            continue
        next_attempt_at = OutboxItem.next_attempt_at.python_value(next_attempt_at)
        if next_attempt_at is not None and next_attempt_at > now and state != "sending":
            return None, dropped
        _CLAIM.execute(attempts=attempts + 1, id=item_id)
        if state == "sending":
            state = "unknown"  # an earlier attempt died mid-send: it may have gone, check first
        return SendJob(
            outbox_id=item_id, chat_id=chat_id, kind=kind, text=text, file_path=file_path, file_url=file_url,
            file_name=file_name, sender_kind=sender_kind, state=state, attempts=attempts + 1,
            created_at=OutboxItem.created_at.python_value(created_at), sender_name=sender_name,
        ), dropped


def mark_sent(outbox_id: int, external_id: str, now: datetime) -> int | None:
    """Record a successful send; apply statuses that arrived before we knew the id.
    Returns the Message id."""
    return _mark_sent(outbox_id, external_id, now)[0]


def _mark_sent(outbox_id: int, external_id: str, now: datetime) -> tuple[int | None, int]:
    """`mark_sent`, also returning the item's chat row id."""
    chat_pk, message_id, sender_kind, text, file_name = _SENT_ITEM.first(id=outbox_id)
    when = db_time(now)
    _MARK_SENT.execute(external_id=external_id, now=when, id=outbox_id)
    chat_update = _CHAT_BOT_OUTBOUND if sender_kind == "bot" else _CHAT_OUTBOUND
    chat_update.execute(now=when, text=(text or file_name)[:300], id=chat_pk)
    if not message_id:
        return None, chat_pk
    # the echo may already have stored a message with this id (if it raced us): keep one
    _DROP_ECHO_TWIN.execute(chat=chat_pk, external_id=external_id, id=message_id)
    (status,) = _MESSAGE_STATUS.first(id=message_id)
    if status in ("queued", "", "sending"):
        status = "sent"
    deferred = _DEFERRED_STATUSES.all(external_id=external_id)
    for _, key in deferred:
        candidate = key.rsplit(":", 1)[1]
        if status_advances(status, candidate):
            status = candidate
    if deferred:
        InboxItem.update(state="done").where(InboxItem.id.in_([i for i, _ in deferred])).execute()
    _SET_MESSAGE_SENT.execute(external_id=external_id, status=status, id=message_id)
    return message_id, chat_pk


_MORE_IN_CHAT = Prepared(lambda p: OutboxItem.select(OutboxItem.id).where(
    (OutboxItem.chat == p.chat) & OutboxItem.state.in_(ACTIVE_STATES)).limit(1))


def mark_sent_and_peek(outbox_id: int, external_id: str, now: datetime) -> tuple[int | None, bool]:
    """`mark_sent`, and whether the chat has more to send (in the same transaction), so
    the sender does not take a send slot just to find the chat's outbox empty."""
    message_id, chat_pk = _mark_sent(outbox_id, external_id, now)
    return message_id, _MORE_IN_CHAT.first(chat=chat_pk) is not None


def unclaim(outbox_id: int, attempts: int, state: str, retry_at: datetime) -> bool:
    """Give back a claim whose send was refused before any request was made (the engine
    lease is gone or about to go, services/send_fence.py): the item returns to `state`
    (`pending`, or `unknown` if an earlier attempt was ambiguous). A compare-and-set on
    the claim itself (`sending` with this attempt count), deliberately not fenced: a
    seat that lost the lease may only undo its own claim, and only if no one has touched
    the row since — once the new leader found it (`unknown`) or claimed it, nothing changes."""
    return bool(OutboxItem.update(state=state, next_attempt_at=retry_at, last_error="send refused: engine lease")
                .where((OutboxItem.id == outbox_id) & (OutboxItem.state == "sending")
                       & (OutboxItem.attempts == attempts)).execute())


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
    "queue_part", "queue_text", "claim_next", "unclaim", "mark_sent", "mark_retry", "mark_failed", "reset_interrupted",
    "pending_count", "due_scan", "already_recorded", "drop_if_taken", "SendJob", "TERMINAL_FAILURES", "retry_delay",
]
