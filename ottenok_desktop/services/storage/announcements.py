"""Announcements of promotions in the database (issue 16), sync for the DB thread.

An announcement fixes its recipients when it starts — exactly the dry run's list
(`consent.announcement_recipients`: opted in, never opted out, not closed, no open ticket,
on that channel) — one row each. The pacer (`services/announcements.py`) then calls
`queue_next` one chat at a time: in ONE transaction the chat's parts go into the outbox and
its row becomes `queued` with the outbox id, so a crash or a restart never queues a chat twice
(the UNIQUE (announcement, chat) index backs that up). A chat that opted out or opened a
ticket since the start is skipped, not sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Sequence

import peewee as pw

from ottenok_desktop.engine.announcements import ANNOUNCEMENT_SENDER, OUTCOME_FAILED, OUTCOME_PENDING, OUTCOME_SENT
from ottenok_desktop.engine.states import (
    OPEN_ANNOUNCEMENT_STATES, OPEN_TICKET_STATUSES, AnnouncementState, RecipientState, SenderKind,
)

from .chats import audit
from .consent import announcement_recipients
from .models import Announcement, AnnouncementRecipient, Chat, OutboxItem, Ticket
from .outbox import queue_part

# which state may follow which (anything else is refused: False, nothing written)
_TRANSITIONS: dict[AnnouncementState, tuple[AnnouncementState, ...]] = {
    AnnouncementState.SENDING: (AnnouncementState.DRAFT, AnnouncementState.PAUSED),
    AnnouncementState.PAUSED: (AnnouncementState.SENDING,),
    AnnouncementState.CANCELLED: OPEN_ANNOUNCEMENT_STATES,
    AnnouncementState.DONE: (AnnouncementState.SENDING,),
}


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    promotion_id: str
    title: str
    text: str
    photos: tuple[str, ...]
    state: AnnouncementState
    created_by: str
    pause_reason: str
    pause_detail: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int
    queued: int
    skipped: int

    @property
    def progress(self) -> int:
        """Recipients dealt with (queued or skipped)."""
        return self.queued + self.skipped


@dataclass(frozen=True)
class QueuedChat:
    """What `queue_next` did: queued `chat_id` (outbox ids with their texts; `done` when it was
    the last), or nothing was left (`done`, no chat), or the announcement is not sending any
    more (`stopped`)."""

    chat_id: str = ""
    outbox: tuple[tuple[int, str], ...] = ()
    skipped: tuple[str, ...] = ()
    done: bool = False
    stopped: bool = False


def create_announcement(promotion_id: str, title: str, text: str, photos: Sequence[Path], manager: str,
                        now: datetime, *, start: bool = True, channel: str = "whatsapp") -> tuple[int, int]:
    """A new announcement with its recipients fixed now; `start` makes it `sending` at once.
    Returns (announcement id, recipient count)."""
    state = AnnouncementState.SENDING if start else AnnouncementState.DRAFT
    row = Announcement.create(
        promotion_id=promotion_id, title=title[:300], text=text, photos_json=json.dumps([str(p) for p in photos]),
        state=state, channel=channel, created_by=manager[:100], created_at=now, updated_at=now,
        started_at=now if start else None,
    )
    chats = [r["chat"] for r in announcement_recipients(channel)]
    pks = dict(Chat.select(Chat.chat_id, Chat.id).where(Chat.chat_id.in_(chats)).tuples()) if chats else {}
    rows = [{"announcement": row.id, "chat": pks[c], "position": n, "state": RecipientState.WAITING}
            for n, c in enumerate(chats) if c in pks]
    for chunk in range(0, len(rows), 500):
        AnnouncementRecipient.insert_many(rows[chunk:chunk + 500]).execute()
    audit(now, manager, "announcement_created", "announcement", row.id, promotion=promotion_id,
          recipients=len(rows), state=str(state))
    return row.id, len(rows)


def set_state(announcement_id: int, to: AnnouncementState, by: str, now: datetime, *, reason: str = "",
              detail: str = "") -> bool:
    """Move the announcement to `to` when the current state allows it; False otherwise."""
    allowed = [str(s) for s in _TRANSITIONS[to]]
    changes: dict[pw.Field, object] = {Announcement.state: to, Announcement.updated_at: now}
    if to == AnnouncementState.PAUSED:
        changes.update({Announcement.pause_reason: reason[:32], Announcement.pause_detail: detail[:300]})
    elif to == AnnouncementState.SENDING:
        changes.update({Announcement.pause_reason: "", Announcement.pause_detail: ""})
    if to == AnnouncementState.SENDING:
        changes[Announcement.started_at] = pw.fn.COALESCE(Announcement.started_at, now)
        changes[Announcement.resumed_at] = now
    if to in (AnnouncementState.DONE, AnnouncementState.CANCELLED):
        changes[Announcement.finished_at] = now
    changed = bool(Announcement.update(changes)
                   .where((Announcement.id == announcement_id) & Announcement.state.in_(allowed)).execute())
    if changed:
        audit(now, by, f"announcement_{to}", "announcement", announcement_id, reason=reason, detail=detail[:200])
    return changed


def next_sending() -> int | None:
    """The oldest announcement that is sending (one at a time keeps the pace per number)."""
    row = (Announcement.select(Announcement.id).where(Announcement.state == AnnouncementState.SENDING)
           .order_by(Announcement.started_at.asc(), Announcement.id.asc()).first())
    return row.id if row is not None else None


def _still_eligible(chat: Chat) -> bool:
    if chat.opted_out or chat.closed or chat.promo_opt_out_at is not None:
        return False
    open_ticket = Ticket.select(Ticket.id).where(
        (Ticket.chat == chat.id) & Ticket.status.in_([str(s) for s in OPEN_TICKET_STATUSES])).exists()
    return not open_ticket


def queue_next(announcement_id: int, now: datetime) -> QueuedChat:
    """Queue the next waiting recipient (call inside a transaction): the text, or the photos
    with the text as the first one's caption — the way product photos go."""
    ann = Announcement.get_or_none(Announcement.id == announcement_id)
    if ann is None or ann.state != AnnouncementState.SENDING:
        return QueuedChat(stopped=True)
    photos = [Path(p) for p in json.loads(ann.photos_json or "[]")]
    skipped: list[str] = []
    while True:
        rec = (AnnouncementRecipient.select(AnnouncementRecipient, Chat).join(Chat)
               .where((AnnouncementRecipient.announcement == announcement_id)
                      & (AnnouncementRecipient.state == RecipientState.WAITING))
               .order_by(AnnouncementRecipient.position.asc()).first())
        if rec is None:
            set_state(announcement_id, AnnouncementState.DONE, "engine", now)
            return QueuedChat(skipped=tuple(skipped), done=True)
        chat = rec.chat
        if not _still_eligible(chat):
            AnnouncementRecipient.update(state=RecipientState.SKIPPED).where(
                AnnouncementRecipient.id == rec.id).execute()
            skipped.append(chat.chat_id)
            continue
        parts: list[tuple[int, str]] = []
        if photos:
            for n, photo in enumerate(photos):
                caption = ann.text if n == 0 else ""
                item = queue_part(chat.chat_id, now, text=caption, sender_kind=SenderKind.BOT,
                                  sender_name=ANNOUNCEMENT_SENDER, file_path=photo, file_name=photo.name, chat_pk=chat.id)
                parts.append((item.id, caption or photo.name))
        else:
            item = queue_part(chat.chat_id, now, text=ann.text, sender_kind=SenderKind.BOT,
                              sender_name=ANNOUNCEMENT_SENDER, chat_pk=chat.id)
            parts.append((item.id, ann.text))
        flipped = (AnnouncementRecipient
                   .update(state=RecipientState.QUEUED, outbox_id=parts[0][0], last_outbox_id=parts[-1][0], queued_at=now)
                   .where((AnnouncementRecipient.id == rec.id) & (AnnouncementRecipient.state == RecipientState.WAITING))
                   .execute())
        if not flipped:  # another writer got there first: never twice (the transaction rolls back)
            raise RuntimeError(f"announcement {announcement_id}: recipient {chat.chat_id} was queued meanwhile")
        Announcement.update(updated_at=now).where(Announcement.id == announcement_id).execute()
        more = AnnouncementRecipient.select(AnnouncementRecipient.id).where(
            (AnnouncementRecipient.announcement == announcement_id)
            & (AnnouncementRecipient.state == RecipientState.WAITING)).exists()
        if not more:  # the last one: done now, not after another pause of the pace
            set_state(announcement_id, AnnouncementState.DONE, "engine", now)
        return QueuedChat(chat.chat_id, tuple(parts), tuple(skipped), done=not more)


def recent_outcomes(announcement_id: int, limit: int = 10) -> tuple[list[str], str]:
    """The send outcomes of the most recently queued recipients, newest first, and the last
    error seen (for the pause message). Only recipients queued since the last resume count:
    a manager who resumes after a failure pause gives the channel a fresh chance."""
    ann = Announcement.get_or_none(Announcement.id == announcement_id)
    since = ann.resumed_at if ann is not None else None
    where = ((AnnouncementRecipient.announcement == announcement_id)
             & (AnnouncementRecipient.state == RecipientState.QUEUED))
    if since is not None:
        where &= AnnouncementRecipient.queued_at >= since
    rows = (AnnouncementRecipient.select(OutboxItem.state, OutboxItem.last_error)
            .join(OutboxItem, on=(OutboxItem.id == AnnouncementRecipient.outbox_id))
            .where(where).order_by(AnnouncementRecipient.position.desc()).limit(limit).tuples())
    outcomes: list[str] = []
    last_error = ""
    for state, error in rows:
        if state == "sent":
            outcomes.append(OUTCOME_SENT)
        elif state == "failed" or (state in ("pending", "unknown") and error):
            outcomes.append(OUTCOME_FAILED)
            last_error = last_error or error
        elif state == "dropped":
            continue  # a manager took the chat: not the channel's fault
        else:
            outcomes.append(OUTCOME_PENDING)
    return outcomes, last_error


def _row(ann: Announcement, counts: dict[str, int]) -> AnnouncementRow:
    return AnnouncementRow(
        id=ann.id, promotion_id=ann.promotion_id, title=ann.title, text=ann.text,
        photos=tuple(json.loads(ann.photos_json or "[]")), state=AnnouncementState(ann.state),
        created_by=ann.created_by, pause_reason=ann.pause_reason, pause_detail=ann.pause_detail,
        created_at=ann.created_at, started_at=ann.started_at, finished_at=ann.finished_at,
        recipients=sum(counts.values()), queued=counts.get(RecipientState.QUEUED, 0),
        skipped=counts.get(RecipientState.SKIPPED, 0),
    )


def _counts(ids: Sequence[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = (AnnouncementRecipient.select(AnnouncementRecipient.announcement, AnnouncementRecipient.state,
                                         pw.fn.COUNT(AnnouncementRecipient.id))
            .where(AnnouncementRecipient.announcement.in_(list(ids)))
            .group_by(AnnouncementRecipient.announcement, AnnouncementRecipient.state).tuples())
    for ann_id, state, n in rows:
        out[ann_id][state] = n
    return out


def announcement(announcement_id: int) -> AnnouncementRow | None:
    ann = Announcement.get_or_none(Announcement.id == announcement_id)
    return _row(ann, _counts([ann.id])[ann.id]) if ann is not None else None


def announcements(promotion_id: str | None = None, limit: int = 200) -> list[AnnouncementRow]:
    """Announcements, newest first (of one promotion when given)."""
    query = Announcement.select().order_by(Announcement.id.desc()).limit(limit)
    if promotion_id:
        query = query.where(Announcement.promotion_id == promotion_id)
    anns = list(query)
    counts = _counts([a.id for a in anns])
    return [_row(a, counts[a.id]) for a in anns]


def recipients_of(announcement_id: int) -> list[dict[str, str | int | None]]:
    """Every recipient with its state, in sending order."""
    rows = (AnnouncementRecipient.select(Chat.chat_id, Chat.phone, Chat.name, AnnouncementRecipient.state,
                                         AnnouncementRecipient.outbox_id)
            .join(Chat).where(AnnouncementRecipient.announcement == announcement_id)
            .order_by(AnnouncementRecipient.position.asc()).tuples())
    return [{"chat": c, "phone": p, "name": n, "state": s, "outbox_id": o} for c, p, n, s, o in rows]
