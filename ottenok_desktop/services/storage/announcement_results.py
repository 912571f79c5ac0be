"""Results of an announcement (issue 16), computed from the database (sync, DB thread).

Per recipient whose message went out (its first outbox row — the text, or the first photo
with the text — is `sent`): delivered and read from the delivery ticks stored on that
message (`Message.status`, advanced monotonically by ingest and the journal); replied =
a customer message in that chat within 24 h after the send; an order = a confirmed order
of that chat within 7 days after the send. A reply is an ordinary conversation, so these
are plain facts of the chat, not anything the announcement wrote.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import peewee as pw

from ottenok_desktop.engine.announcements import AnnouncementResults
from ottenok_desktop.engine.states import OrderState, RecipientState

from .models import AnnouncementRecipient, Message, Order, OutboxItem

REPLY_WINDOW = timedelta(hours=24)
ORDER_WINDOW = timedelta(days=7)
_DELIVERED = ("delivered", "read", "played")


def announcement_results(announcement_id: int) -> AnnouncementResults:
    rows = list(
        AnnouncementRecipient.select(AnnouncementRecipient.chat, AnnouncementRecipient.state, OutboxItem.state,
                                     OutboxItem.sent_at, Message.status)
        .join(OutboxItem, join_type=pw.JOIN.LEFT_OUTER, on=(OutboxItem.id == AnnouncementRecipient.outbox_id))
        .join(Message, join_type=pw.JOIN.LEFT_OUTER, on=(Message.id == OutboxItem.message))
        .where(AnnouncementRecipient.announcement == announcement_id).tuples())
    queued = skipped = sent = delivered = read = failed = 0
    sent_at: dict[int, datetime] = {}
    for chat_pk, state, outbox_state, at, status in rows:
        if state == RecipientState.SKIPPED:
            skipped += 1
            continue
        if state != RecipientState.QUEUED:
            continue
        queued += 1
        if outbox_state == "failed":
            failed += 1
        if outbox_state != "sent" or at is None:
            continue
        sent += 1
        sent_at[chat_pk] = OutboxItem.sent_at.python_value(at)
        delivered += status in _DELIVERED
        read += status == "read"
    replied = orders = 0
    if sent_at:
        first = min(sent_at.values())
        replies = (Message.select(Message.chat, Message.created_at)
                   .where(Message.chat.in_(list(sent_at)) & (Message.direction == "in")
                          & (Message.created_at > first) & (Message.created_at <= first + timedelta(days=30)))
                   .tuples())
        answered = {c for c, at in replies if sent_at[c] < _aware(at) <= sent_at[c] + REPLY_WINDOW}
        replied = len(answered)
        confirmed = (Order.select(Order.chat, Order.confirmed_at)
                     .where(Order.chat.in_(list(sent_at)) & (Order.state == OrderState.CONFIRMED)
                            & Order.confirmed_at.is_null(False)).tuples())
        orders = sum(1 for c, at in confirmed if sent_at[c] < _aware(at) <= sent_at[c] + ORDER_WINDOW)
    return AnnouncementResults(announcement_id, len(rows), queued, sent, delivered, read, replied, orders,
                               failed=failed, skipped=skipped)


def _aware(value: object) -> datetime:
    return Message.created_at.python_value(value)
