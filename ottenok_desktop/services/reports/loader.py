"""Rows of one period from the program's database, for `engine.analytics.compute`.

Runs on the database thread (`db.call(load_period, period)`). Plain peewee queries, no
SQLite-only SQL, so the PostgreSQL storage serves the same report. Five queries: the
period's messages (and a look-back/look-ahead window) of the chats active in it, those
chats, which of them had a customer message before the period, confirmed orders,
tickets and hand-offs. Times come back as naive UTC (stored that way) and are turned
into epoch seconds without peewee's per-row date parsing.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import numpy as np
import peewee as pw

from ottenok_desktop.engine.analytics.model import (
    LOOKAHEAD, LOOKBACK, MANAGER_SENDER_KINDS, ChatInfo, MessageColumns, Period, ReportInput, responder_for,
)
from ottenok_desktop.services.storage.models import AuditLog, Chat, Message, Order, Ticket

SYSTEM = "system"


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _rows(query: pw.Query) -> list[tuple[Any, ...]]:
    """Raw rows of a query: no per-row model or python_value conversion (times are
    parsed in bulk by `_epochs`)."""
    return query.model._meta.database.execute(query).fetchall()


def _epochs(values: tuple[Any, ...] | list[Any]) -> np.ndarray:
    """Stored times (ISO text on SQLite, naive datetimes on PostgreSQL), naive UTC → epoch seconds."""
    if not values:
        return np.zeros(0, dtype=np.float64)
    if isinstance(values[0], str):
        stamps = np.array(values, dtype="datetime64[us]")  # numpy parses "YYYY-MM-DD HH:MM:SS[.ffffff]"
    else:
        stamps = np.array([v.replace(tzinfo=None) if v.tzinfo is None else
                           v.astimezone(timezone.utc).replace(tzinfo=None) for v in values], dtype="datetime64[us]")
    return stamps.astype(np.int64) / 1e6


def load_period(period: Period) -> ReportInput:
    start, end = _naive_utc(period.start), _naive_utc(period.end)
    window_start, window_end = _naive_utc(period.start - LOOKBACK), _naive_utc(period.end + LOOKAHEAD)
    active = (Message.select(Message.chat)
              .where((Message.created_at >= start) & (Message.created_at < end) & (Message.sender_kind != SYSTEM))
              .distinct())
    chat_rows = _rows(Chat.select(Chat.id, Chat.chat_id, Chat.name, Chat.phone, Chat.channel).where(Chat.id.in_(active)))
    ids = {row[0]: i for i, row in enumerate(chat_rows)}
    keys = [row[1] for row in chat_rows]
    chats = {row[1]: ChatInfo(row[1], row[2] or "", row[3] or "", row[4] or "whatsapp") for row in chat_rows}
    shop_kinds = ("bot", *sorted(MANAGER_SENDER_KINDS))
    rows = _rows(Message.select(Message.chat, Message.created_at, Message.direction, Message.sender_kind,
                                Message.sender_name, Message.text)
                 .where(Message.chat.in_(active) & (Message.created_at >= window_start)
                        & (Message.created_at < window_end)
                        & ((Message.direction == "in") & (Message.sender_kind != SYSTEM)
                           | (Message.direction == "out") & Message.sender_kind.in_(shop_kinds))))
    # every `in` row is the customer's; an `out` row is answered by its responder
    responders: list[tuple[str, str]] = []
    codes: dict[tuple[str, str, str], int] = {}
    for direction, kind, name in {(r[2], r[3], r[4]) for r in rows}:
        who = None if direction == "in" else responder_for(kind, name or "")
        if who is not None and who not in responders:
            responders.append(who)
        codes[(direction, kind, name)] = -1 if who is None else responders.index(who)
    if rows:
        chat_ids, stamps, directions, kinds, names, texts = zip(*rows)
    else:
        chat_ids = stamps = directions = kinds = names = texts = ()
    responder = np.array([codes[key] for key in zip(directions, kinds, names)], dtype=np.int64)
    columns = MessageColumns(
        keys=keys, chat=np.array([ids.get(c, -1) for c in chat_ids], dtype=np.int64), at=_epochs(stamps),
        customer=responder < 0, responders=responders, responder=responder, text=list(texts),
    )
    earlier = {keys[ids[row[0]]] for row in _rows(
        Message.select(Message.chat)
        .where(Message.chat.in_(active) & (Message.created_at < start) & (Message.direction == "in")
               & (Message.sender_kind != SYSTEM))
        .distinct()) if row[0] in ids}
    converted: dict[str, float] = {}
    orders = _rows(Order.select(Order.chat, Order.confirmed_at)
                   .where((Order.state == "confirmed") & (Order.confirmed_at >= start) & (Order.confirmed_at < end)))
    for (chat_id, _at), moment in zip(orders, _epochs([r[1] for r in orders]).tolist()):
        if chat_id in ids:
            converted[keys[ids[chat_id]]] = moment
    tickets = _epochs([r[0] for r in _rows(Ticket.select(Ticket.created_at)
                                            .where((Ticket.created_at >= start) & (Ticket.created_at < end)))]).tolist()
    handoffs = _epochs([r[0] for r in _rows(AuditLog.select(AuditLog.at).where(
        (AuditLog.action == "handoff") & (AuditLog.at >= start) & (AuditLog.at < end)))]).tolist()
    return ReportInput(period, chats, columns, earlier, converted, tickets, handoffs)
