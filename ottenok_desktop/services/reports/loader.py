"""Rows of one period from the program's database, for `engine.analytics.compute`.

`load_period` runs on the database thread in one call (CLI, tests);
`load_period_in_steps` (console, scheduled reports) splits the same queries into calls of
500 chats at background priority so the engine's own work runs between them. Plain peewee
queries, no SQLite-only SQL, so the PostgreSQL storage serves the same report: the chats
active in the period (index on message.created_at, migration v2), their messages in a
look-back/look-ahead window, which had a customer message before the period, confirmed
orders, tickets and hand-offs. Rows come back raw (no per-row model or date conversion);
times are parsed in bulk by numpy.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import peewee as pw

from ottenok_desktop.engine.analytics.model import (
    LOOKAHEAD, LOOKBACK, MANAGER_SENDER_KINDS, ChatInfo, MessageColumns, Period, ReportInput, responder_for,
)
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.models import AuditLog, Chat, Message, Order, Ticket

SYSTEM = "system"
CHUNK = 500  # chats per message query (an IN list both SQLite and PostgreSQL take easily)
REPORT_PRIORITY = 2  # behind the engine's NORMAL (1) and URGENT (0) database work


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


@dataclass
class _Raw:
    """What the queries return, before it becomes a `ReportInput`."""

    period: Period
    chat_rows: list[tuple[Any, ...]]
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    earlier_ids: set[int] = field(default_factory=set)
    orders: list[tuple[Any, ...]] = field(default_factory=list)
    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    handoffs: list[tuple[Any, ...]] = field(default_factory=list)


class _Bounds:
    def __init__(self, period: Period) -> None:
        self.start, self.end = _naive_utc(period.start), _naive_utc(period.end)
        self.window_start = _naive_utc(period.start - LOOKBACK)
        self.window_end = _naive_utc(period.end + LOOKAHEAD)


def _active_chats(period: Period) -> list[tuple[Any, ...]]:
    """(id, chat_id, name, phone, channel) of the chats with a message in the period."""
    b = _Bounds(period)
    # system rows are not filtered here (the index covers this lookup; a chat with only a
    # system line in the period drops out of the report, having no messages in it)
    active = (Message.select(Message.chat)
              .where((Message.created_at >= b.start) & (Message.created_at < b.end))
              .distinct())
    return _rows(Chat.select(Chat.id, Chat.chat_id, Chat.name, Chat.phone, Chat.channel).where(Chat.id.in_(active)))


def _messages(period: Period, chat_ids: list[int]) -> list[tuple[Any, ...]]:
    """The window's customer and shop messages of these chats (system rows left out)."""
    b = _Bounds(period)
    shop_kinds = ("bot", *sorted(MANAGER_SENDER_KINDS))
    return _rows(Message.select(Message.chat, Message.created_at, Message.direction, Message.sender_kind,
                                Message.sender_name, Message.text)
                 .where(Message.chat.in_(chat_ids) & (Message.created_at >= b.window_start)
                        & (Message.created_at < b.window_end)
                        & ((Message.direction == "in") & (Message.sender_kind != SYSTEM)
                           | (Message.direction == "out") & Message.sender_kind.in_(shop_kinds))))


def _earlier(period: Period, chat_ids: list[int]) -> set[int]:
    """Which of these chats had a customer message before the period."""
    b = _Bounds(period)
    return {row[0] for row in _rows(
        Message.select(Message.chat)
        .where(Message.chat.in_(chat_ids) & (Message.created_at < b.start) & (Message.direction == "in")
               & (Message.sender_kind != SYSTEM))
        .distinct())}


def _extras(raw: _Raw) -> _Raw:
    """Confirmed orders, tickets and hand-offs of the period."""
    b = _Bounds(raw.period)
    raw.orders = _rows(Order.select(Order.chat, Order.confirmed_at)
                       .where((Order.state == "confirmed") & (Order.confirmed_at >= b.start) & (Order.confirmed_at < b.end)))
    raw.tickets = _rows(Ticket.select(Ticket.created_at).where((Ticket.created_at >= b.start) & (Ticket.created_at < b.end)))
    raw.handoffs = _rows(AuditLog.select(AuditLog.at).where(
        (AuditLog.action == "handoff") & (AuditLog.at >= b.start) & (AuditLog.at < b.end)))
    return raw


def load_period(period: Period) -> ReportInput:
    """All rows of a period in one go (on the database thread: `db.call_sync(load_period, p)`)."""
    raw = _Raw(period, _active_chats(period))
    ids = [row[0] for row in raw.chat_rows]
    for chunk in _chunks(ids):
        raw.rows.extend(_messages(period, chunk))
        raw.earlier_ids |= _earlier(period, chunk)
    return assemble(_extras(raw))


async def load_period_in_steps(db: Database, period: Period, executor: Executor | None = None) -> ReportInput:
    """The same rows in steps of `CHUNK` chats, each its own database call at background
    priority, so the engine's own database work runs between them (a month's report never
    holds the database thread for long); the rows are assembled in `executor`."""
    raw = _Raw(period, await db.call(_active_chats, period, priority=REPORT_PRIORITY))
    ids = [row[0] for row in raw.chat_rows]
    for chunk in _chunks(ids):
        raw.rows.extend(await db.call(_messages, period, chunk, priority=REPORT_PRIORITY))
        raw.earlier_ids |= await db.call(_earlier, period, chunk, priority=REPORT_PRIORITY)
    await db.call(_extras, raw, priority=REPORT_PRIORITY)
    return await asyncio.get_running_loop().run_in_executor(executor, assemble, raw)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def assemble(raw: _Raw) -> ReportInput:
    """Query rows → the column form the analytics reads (pure CPU, no database)."""
    ids = {row[0]: i for i, row in enumerate(raw.chat_rows)}
    keys = [row[1] for row in raw.chat_rows]
    chats = {row[1]: ChatInfo(row[1], row[2] or "", row[3] or "", row[4] or "whatsapp") for row in raw.chat_rows}
    rows = raw.rows
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
    earlier = {keys[ids[chat_id]] for chat_id in raw.earlier_ids if chat_id in ids}
    converted: dict[str, float] = {}
    for (chat_id, _at), moment in zip(raw.orders, _epochs([r[1] for r in raw.orders]).tolist()):
        if chat_id in ids:
            converted[keys[ids[chat_id]]] = moment
    tickets = _epochs([r[0] for r in raw.tickets]).tolist()
    handoffs = _epochs([r[0] for r in raw.handoffs]).tolist()
    return ReportInput(raw.period, chats, columns, earlier, converted, tickets, handoffs)
