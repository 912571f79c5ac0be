"""Rows of one period from the program's database, for `engine.analytics.compute`.

`load_period` runs on the database thread in one call (CLI, tests);
`load_period_in_steps` (console, scheduled reports) splits the same queries into calls of
500 chats at background priority so the engine's own work runs between them. Plain peewee
queries, no SQLite-only SQL, so the PostgreSQL storage serves the same report: the chats
active in the period (index on message.created_at, migration v2), their messages in a
look-back/look-ahead window, which had a customer message before the period, confirmed
orders, tickets and hand-offs. Rows come back raw (no per-row model or date conversion);
times are parsed in bulk by numpy.

Messages come with their stored text facts (`message.text_facts`, migration v7), not their
texts: a row without facts or with facts of an older classifier version has its text read,
its facts computed and stored (once), so the report is the same as from the texts. Texts
themselves are loaded only with `texts=True` (the workbook's messages sheet).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import itemgetter
from typing import Any

import numpy as np
import peewee as pw

from ottenok_desktop.engine.analytics.facts import BITS_MASK, HIGH, LOW
from ottenok_desktop.engine.announcements import ANNOUNCEMENT_SENDER
from ottenok_desktop.engine.analytics.model import (
    LOOKAHEAD, LOOKBACK, MANAGER_SENDER_KINDS, ChatInfo, MessageColumns, Period, ReportInput, responder_for,
)
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import text_facts
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


def _in(field: pw.Field, ids: list[int]) -> pw.Expression:
    """`field IN (…ids)` with the ids bound as plain parameters: peewee would convert each
    one through the field (half a second for a month's 10,000 chats)."""
    param = field.model._meta.database.param
    return field.in_(pw.SQL("(" + ", ".join([param] * len(ids)) + ")", [int(i) for i in ids]))


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
    texts: bool = False
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


# A message row: (chat, created_at, who, facts[, text]). `who` is "" for the customer and
# "sender_kind|sender_name" for the shop (one string instead of three per row); `facts` is
# the stored text facts when fresh, else minus the message id (to be computed).
WHO, FACTS = 2, 3
WHO_SEP = "|"


def _messages(period: Period, chat_ids: list[int], texts: bool = False) -> list[tuple[Any, ...]]:
    """The window's customer and shop messages of these chats (system rows left out), with
    their text facts (computed and stored here for rows that lack fresh ones)."""
    b = _Bounds(period)
    shop_kinds = ("bot", *sorted(MANAGER_SENDER_KINDS))
    who = pw.Case(None, ((Message.direction == "in", ""),),
                  Message.sender_kind.concat(WHO_SEP).concat(pw.fn.COALESCE(Message.sender_name, "")))
    facts = pw.Case(None, (((Message.text_facts >= LOW) & (Message.text_facts < HIGH), Message.text_facts),),
                    Message.id * -1)
    columns = [Message.chat, Message.created_at, who, facts] + ([Message.text] if texts else [])
    rows = _rows(Message.select(*columns)
                 .where(_in(Message.chat, chat_ids) & (Message.created_at >= b.window_start)
                        & (Message.created_at < b.window_end)
                        & ((Message.direction == "in") & (Message.sender_kind != SYSTEM)
                           | (Message.direction == "out") & Message.sender_kind.in_(shop_kinds)
                           # an announcement is the shop's broadcast, not an answer to anybody
                           & (pw.fn.COALESCE(Message.sender_name, "") != ANNOUNCEMENT_SENDER))))
    if rows and min(map(itemgetter(FACTS), rows)) < 0:  # some rows lack fresh facts
        stale = [i for i, row in enumerate(rows) if row[FACTS] < 0]
        computed = text_facts.compute_for_ids(-rows[i][FACTS] for i in stale)
        for i in stale:
            row = rows[i]
            rows[i] = (*row[:FACTS], computed.get(-row[FACTS], LOW), *row[FACTS + 1:])  # LOW: deleted meanwhile
    return rows


def _earlier(period: Period, chat_ids: list[int]) -> set[int]:
    """Which of these chats had a customer message before the period."""
    b = _Bounds(period)
    return {row[0] for row in _rows(
        Message.select(Message.chat)
        .where(_in(Message.chat, chat_ids) & (Message.created_at < b.start) & (Message.direction == "in")
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


def load_period(period: Period, texts: bool = False) -> ReportInput:
    """All rows of a period in one go (on the database thread: `db.call_sync(load_period, p)`);
    `texts=True` also loads the messages' texts (the workbook's messages sheet)."""
    raw = _Raw(period, _active_chats(period), texts=texts)
    ids = [row[0] for row in raw.chat_rows]
    for chunk in _chunks(ids):
        raw.rows.extend(_messages(period, chunk, texts))
        raw.earlier_ids |= _earlier(period, chunk)
    return assemble(_extras(raw))


async def load_period_in_steps(db: Database, period: Period, executor: Executor | None = None,
                               texts: bool = False) -> ReportInput:
    """The same rows in steps of `CHUNK` chats, each its own database call at background
    priority, so the engine's own database work runs between them (a month's report never
    holds the database thread for long); the rows are assembled in `executor`."""
    raw = _Raw(period, await db.call(_active_chats, period, priority=REPORT_PRIORITY), texts=texts)
    ids = [row[0] for row in raw.chat_rows]
    for chunk in _chunks(ids):
        raw.rows.extend(await db.call(_messages, period, chunk, texts, priority=REPORT_PRIORITY))
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
    # the customer's rows have who == ""; a shop row is answered by its responder
    responders: list[tuple[str, str]] = []
    codes: dict[str, int] = {}
    for who in {r[WHO] for r in rows}:
        kind, _sep, name = who.partition(WHO_SEP)
        responder_of = None if not who else responder_for(kind, name)
        if responder_of is not None and responder_of not in responders:
            responders.append(responder_of)
        codes[who] = -1 if responder_of is None else responders.index(responder_of)
    # column by column (zip(*rows) over half a million rows costs ten times more)
    chat_ids, stamps, whos, facts = (list(map(itemgetter(i), rows)) for i in range(FACTS + 1))
    responder = np.array([codes[who] for who in whos], dtype=np.int64)
    # chat primary keys → positions in `keys`, vectorised (the chat rows are few, the messages many)
    pks = np.array([row[0] for row in raw.chat_rows], dtype=np.int64)
    by_pk = np.argsort(pks)
    chat_pk = np.array(chat_ids, dtype=np.int64)
    slot = np.minimum(np.searchsorted(pks[by_pk], chat_pk), max(pks.size - 1, 0))
    chat = np.where(pks[by_pk][slot] == chat_pk, by_pk[slot], -1) if pks.size else np.full(chat_pk.size, -1)
    columns = MessageColumns(
        keys=keys, chat=chat.astype(np.int64), at=_epochs(stamps),
        customer=responder < 0, responders=responders, responder=responder,
        facts=np.array(facts, dtype=np.int64) & BITS_MASK, text=list(map(itemgetter(FACTS + 1), rows)) if raw.texts else None,
    )
    earlier = {keys[ids[chat_id]] for chat_id in raw.earlier_ids if chat_id in ids}
    converted: dict[str, float] = {}
    for (chat_id, _at), moment in zip(raw.orders, _epochs([r[1] for r in raw.orders]).tolist()):
        if chat_id in ids:
            converted[keys[ids[chat_id]]] = moment
    tickets = _epochs([r[0] for r in raw.tickets]).tolist()
    handoffs = _epochs([r[0] for r in raw.handoffs]).tolist()
    return ReportInput(raw.period, chats, columns, earlier, converted, tickets, handoffs)
