"""Catching up with other seats' writes, by id: what changed since the last look.

A wake-up (LISTEN/NOTIFY) says only "something committed". The consumer then reads
the audit log (commands: owner changes, tickets, orders — one row per change, ids
growing), new messages by id, chats by update time and announcements by update time (the
leader's pacer touches its announcement with every chat it queues: progress, and every
state change). Ids come from sequences, and
a transaction that took a lower id can commit after a higher one was read, so each
look re-reads a window below the cursor and skips what it has already seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import Announcement, AuditLog, Chat, Message, Ticket

OVERLAP_IDS = 200
OVERLAP_TIME = timedelta(seconds=5)


@dataclass
class ChangeCursor:
    audit_id: int = 0
    message_id: int = 0
    chat_at: datetime | None = None
    seen_audit: set[int] = field(default_factory=set)
    seen_messages: set[int] = field(default_factory=set)
    seen_chats: set[tuple[str, str]] = field(default_factory=set)
    announcement_at: datetime | None = None
    announcements: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (state, updated_at) seen


@dataclass(frozen=True)
class AnnouncementMoved:
    announcement_id: int
    state: str
    state_changed: bool  # started, paused, resumed, cancelled, done — else one more chat queued


@dataclass(frozen=True)
class Changes:
    chats: tuple[str, ...]  # chat ids whose view must refresh
    audit: tuple[dict[str, Any], ...]  # command rows: action, entity, entity_id, actor, ...
    tickets: tuple[dict[str, Any], ...]  # current state of tickets named in the audit rows
    announcements: tuple[AnnouncementMoved, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.chats or self.audit or self.announcements)


def start_cursor() -> ChangeCursor:
    """A cursor at 'now': later looks report only what happens from here on."""
    cursor = ChangeCursor()
    changes_since(cursor)  # everything so far counts as seen
    return cursor


def changes_since(cursor: ChangeCursor) -> Changes:
    """What committed since `cursor` (which is moved on). Run on the DB thread."""
    chats: dict[str, None] = {}
    audit_rows: list[dict[str, Any]] = []
    for row in (AuditLog.select().where(AuditLog.id > max(0, cursor.audit_id - OVERLAP_IDS))
                .order_by(AuditLog.id).dicts()):
        if row["id"] in cursor.seen_audit or row["id"] <= cursor.audit_id - OVERLAP_IDS:
            continue
        cursor.seen_audit.add(row["id"])
        cursor.audit_id = max(cursor.audit_id, row["id"])
        audit_rows.append(row)
        if row["entity"] == "chat":
            chats[row["entity_id"]] = None
    rows = (Message.select(Message.id, Chat.chat_id).join(Chat)
            .where(Message.id > max(0, cursor.message_id - OVERLAP_IDS)).order_by(Message.id).tuples())
    for message_id, chat_id in rows:
        if message_id not in cursor.seen_messages:
            cursor.seen_messages.add(message_id)
            cursor.message_id = max(cursor.message_id, message_id)
            chats[chat_id] = None
    query = Chat.select(Chat.chat_id, Chat.updated_at)
    if cursor.chat_at is not None:
        query = query.where(Chat.updated_at >= cursor.chat_at - OVERLAP_TIME)
    for chat_id, updated_at in query.tuples():
        key = (chat_id, str(updated_at))
        if key not in cursor.seen_chats:
            cursor.seen_chats.add(key)
            chats[chat_id] = None
            at = Chat.updated_at.python_value(updated_at)
            if cursor.chat_at is None or at > cursor.chat_at:
                cursor.chat_at = at
    _trim(cursor)
    ticket_ids = {int(r["entity_id"]) for r in audit_rows if r["entity"] == "ticket" and r["entity_id"].isdigit()}
    tickets = tuple(
        {"ticket_id": t.id, "chat_id": t.chat.chat_id, "status": t.status, "manager": t.manager}
        for t in Ticket.select().where(Ticket.id.in_(sorted(ticket_ids)))
    ) if ticket_ids else ()
    for ticket in tickets:
        chats[ticket["chat_id"]] = None
    return Changes(tuple(chats), tuple(audit_rows), tickets, _announcements_since(cursor))


def _announcements_since(cursor: ChangeCursor) -> tuple[AnnouncementMoved, ...]:
    """Announcements touched since the last look (a few rows: the window is by update time)."""
    query = Announcement.select(Announcement.id, Announcement.state, Announcement.updated_at)
    if cursor.announcement_at is not None:
        query = query.where(Announcement.updated_at >= cursor.announcement_at - OVERLAP_TIME)
    moved: list[AnnouncementMoved] = []
    as_utc = Announcement.updated_at.python_value
    for announcement_id, state, updated_at in query.tuples():
        seen = cursor.announcements.get(announcement_id)
        now_seen = (str(state), str(updated_at))
        if seen != now_seen:
            cursor.announcements[announcement_id] = now_seen
            moved.append(AnnouncementMoved(announcement_id, str(state), seen is None or seen[0] != now_seen[0]))
        at = as_utc(updated_at)
        if cursor.announcement_at is None or at > cursor.announcement_at:
            cursor.announcement_at = at
    return tuple(moved)


def _trim(cursor: ChangeCursor) -> None:
    """Forget what fell below the re-read window."""
    cursor.seen_audit = {i for i in cursor.seen_audit if i > cursor.audit_id - OVERLAP_IDS}
    cursor.seen_messages = {i for i in cursor.seen_messages if i > cursor.message_id - OVERLAP_IDS}
    if cursor.chat_at is not None and len(cursor.seen_chats) > 2000:
        floor = str((cursor.chat_at - OVERLAP_TIME).replace(tzinfo=None))
        cursor.seen_chats = {k for k in cursor.seen_chats if k[1] >= floor}
