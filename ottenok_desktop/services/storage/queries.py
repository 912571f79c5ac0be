"""Read-only queries for the operator console's views.

Plain synchronous functions for the DB thread (`await db.call(queries.chat_page, ...)`).
They return small frozen dataclasses, never peewee rows, so the GUI thread never touches
the database. Nothing here writes: every change goes through the engine's commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

import peewee as pw

from . import models as m
from ottenok_desktop.engine.states import OPEN_TICKET_STATUSES

# Filters of the conversation list (the UI shows them as «Все», «Бот», «Нужен менеджер», «Мои», «Закрытые»).
FILTER_ALL = "all"
FILTER_BOT = "bot"
FILTER_NEEDS_HUMAN = "needs_human"
FILTER_MINE = "mine"
FILTER_CLOSED = "closed"
FILTER_WHATSAPP = "whatsapp"  # by channel (issue 15)
FILTER_TELEGRAM = "telegram"
FILTERS = (FILTER_ALL, FILTER_BOT, FILTER_NEEDS_HUMAN, FILTER_MINE, FILTER_CLOSED, FILTER_WHATSAPP, FILTER_TELEGRAM)

OPEN_TICKET_STATES = OPEN_TICKET_STATUSES


@dataclass(frozen=True)
class ChatRow:
    id: int
    chat_id: str
    phone: str
    name: str
    owner: str
    owner_name: str
    needs_human: bool
    handoff_reason: str
    closed: bool
    waiting_since: datetime | None
    unanswered: int
    last_text: str
    updated_at: datetime
    created_at: datetime
    open_tickets: int = 0
    confirmed_orders: int = 0
    channel: str = "whatsapp"
    language: str = ""  # kk | mixed: the customer writes Kazakh (badge «қазақша»)
    partner: bool = False  # a recognised partner (badge «партнёр», issue 16)

    @property
    def title(self) -> str:
        return self.name or ("+" + self.phone if self.phone else self.chat_id)

    def sort_key(self) -> tuple[int, float, float, int]:
        """Waiting customers first, the longest wait on top; then the most recent activity.

        Mirrors `_ORDER` below so live updates can be placed with bisect.
        """
        if self.waiting_since is not None:
            return (0, self.waiting_since.timestamp(), 0.0, -self.id)
        return (1, 0.0, -self.updated_at.timestamp(), -self.id)


@dataclass(frozen=True)
class MessageRow:
    id: int
    direction: str
    sender_kind: str
    sender_name: str
    text: str
    content_type: str
    media_url: str
    media_name: str
    status: str
    edited: bool
    deleted: bool
    created_at: datetime


@dataclass(frozen=True)
class OrderRow:
    id: int
    chat_id: str
    state: str
    product: str
    sku: str
    product_type: str
    size: str
    color: str
    city: str
    address: str
    customer_name: str
    price: float | None
    quantity: int
    updated_at: datetime
    # the promised discount kept at confirmation (issue 16): "" | promotion | partner, its name
    discount_kind: str = ""
    discount_label: str = ""
    regular_price: float | None = None


@dataclass(frozen=True)
class TicketRow:
    id: int
    chat_id: str
    customer: str
    kind: str
    status: str
    summary: str
    manager: str
    created_at: datetime
    assigned_at: datetime | None
    partner: bool = False  # a recognised partner's ticket: «партнёр», first among the waiting


@dataclass(frozen=True)
class NudgeRow:
    id: int
    chat_id: str
    customer: str
    number: int
    due_at: datetime
    state: str


@dataclass(frozen=True)
class CustomerCard:
    chat_id: str
    phone: str
    name: str
    first_contact: datetime
    messages: int
    orders: int
    confirmed_orders: int
    tickets: int
    promo_consent: str = ""  # "" | subscribed | opted_out (issue 16)
    promo_consent_at: datetime | None = None
    promo_consent_source: str = ""
    promo_locked: bool = False  # the customer opted out themselves: a manager cannot tick consent


_ORDER = (
    m.Chat.waiting_since.is_null(),
    m.Chat.waiting_since.asc(),
    m.Chat.updated_at.desc(),
    m.Chat.id.desc(),
)


def _case_variants(text: str) -> set[str]:
    # SQLite's LIKE folds case for ASCII only; Cyrillic names are matched in the usual spellings.
    return {text, text.lower(), text.capitalize(), text.upper(), text.title()}


def _any_contains(columns: Sequence[pw.Field], variants: Sequence[str]) -> pw.Expression:
    condition: pw.Expression | None = None
    for column in columns:
        for variant in variants:
            part = column.contains(variant)
            condition = part if condition is None else condition | part
    assert condition is not None
    return condition


def _filtered(query: pw.ModelSelect, filter_name: str, manager: str, search: str) -> pw.ModelSelect:
    if filter_name == FILTER_BOT:
        query = query.where((m.Chat.owner == "bot") & (m.Chat.closed == False))  # noqa: E712
    elif filter_name == FILTER_NEEDS_HUMAN:
        query = query.where((m.Chat.needs_human == True) & (m.Chat.closed == False))  # noqa: E712
    elif filter_name == FILTER_MINE:
        query = query.where((m.Chat.owner == "manager") & (m.Chat.owner_name == manager))
    elif filter_name == FILTER_CLOSED:
        query = query.where(m.Chat.closed == True)  # noqa: E712
    elif filter_name in (FILTER_WHATSAPP, FILTER_TELEGRAM):
        query = query.where(m.Chat.channel == filter_name)
    elif filter_name != FILTER_ALL:
        raise ValueError(f"unknown chat filter {filter_name!r}")
    search = search.strip()
    if search:
        digits = "".join(ch for ch in search if ch.isdigit())
        variants = sorted(_case_variants(search))
        on_chat = _any_contains((m.Chat.name, m.Chat.last_text), variants)
        # One scan of the messages for all spellings, not one per spelling.
        in_text = _any_contains((m.Message.text,), variants)
        condition = on_chat | m.Chat.id.in_(m.Message.select(m.Message.chat).where(in_text))
        if len(digits) >= 3:
            condition = condition | m.Chat.phone.contains(digits)
        query = query.where(condition)
    return query


def _badges(chat_pks: Sequence[int]) -> tuple[dict[int, int], dict[int, int]]:
    if not chat_pks:
        return {}, {}
    tickets = dict(
        m.Ticket.select(m.Ticket.chat, pw.fn.COUNT(m.Ticket.id))
        .where(m.Ticket.chat.in_(list(chat_pks)) & m.Ticket.status.in_(OPEN_TICKET_STATES))
        .group_by(m.Ticket.chat)
        .tuples()
    )
    orders = dict(
        m.Order.select(m.Order.chat, pw.fn.COUNT(m.Order.id))
        .where(m.Order.chat.in_(list(chat_pks)) & (m.Order.state == "confirmed"))
        .group_by(m.Order.chat)
        .tuples()
    )
    return tickets, orders


_CHAT_COLUMNS = (
    m.Chat.id, m.Chat.chat_id, m.Chat.phone, m.Chat.name, m.Chat.owner, m.Chat.owner_name,
    m.Chat.needs_human, m.Chat.handoff_reason, m.Chat.closed, m.Chat.waiting_since,
    m.Chat.unanswered, m.Chat.last_text, m.Chat.updated_at, m.Chat.created_at, m.Chat.channel, m.Chat.language,
    # a recognised partner (issue 16): the dialogue state holds a non-empty partner_code (a code
    # carried from the linked chat is written there too: storage/links.py)
    (m.Chat.state_json.contains('"partner_code": "') & ~m.Chat.state_json.contains('"partner_code": ""')),
)


def _to_chat_rows(rows: Iterable[tuple]) -> list[ChatRow]:
    raw = list(rows)
    tickets, orders = _badges([r[0] for r in raw])
    as_utc = m.Chat.updated_at.python_value
    return [
        ChatRow(
            id=r[0], chat_id=r[1], phone=r[2], name=r[3], owner=r[4], owner_name=r[5],
            needs_human=bool(r[6]), handoff_reason=r[7], closed=bool(r[8]),
            waiting_since=as_utc(r[9]) if r[9] is not None else None,
            unanswered=r[10], last_text=r[11], updated_at=as_utc(r[12]), created_at=as_utc(r[13]),
            open_tickets=tickets.get(r[0], 0), confirmed_orders=orders.get(r[0], 0), channel=r[14] or "whatsapp",
            language=r[15] or "", partner=bool(r[16]),
        )
        for r in raw
    ]


def chat_page(filter_name: str, search: str = "", manager: str = "", offset: int = 0, limit: int = 200) -> list[ChatRow]:
    """One page of the conversation list, in display order."""
    query = _filtered(m.Chat.select(*_CHAT_COLUMNS), filter_name, manager, search)
    return _to_chat_rows(query.order_by(*_ORDER).offset(offset).limit(limit).tuples())


def chat_count(filter_name: str, search: str = "", manager: str = "") -> int:
    return _filtered(m.Chat.select(m.Chat.id), filter_name, manager, search).count()


def filter_counts(manager: str = "") -> dict[str, int]:
    """Chats per filter, for the numbers on the filter buttons."""
    return {name: chat_count(name, "", manager) for name in FILTERS}


def chat_rows(chat_ids: Sequence[str]) -> list[ChatRow]:
    """Current rows of the given chats (those that exist)."""
    if not chat_ids:
        return []
    query = m.Chat.select(*_CHAT_COLUMNS).where(m.Chat.chat_id.in_(list(chat_ids)))
    return _to_chat_rows(query.tuples())


def chat_matches(chat_ids: Sequence[str], filter_name: str, search: str = "", manager: str = "") -> set[str]:
    """Which of these chats pass the filter and the search (for live updates of the list)."""
    if not chat_ids:
        return set()
    query = _filtered(m.Chat.select(m.Chat.chat_id), filter_name, manager, search)
    return {row[0] for row in query.where(m.Chat.chat_id.in_(list(chat_ids))).tuples()}


_MESSAGE_COLUMNS = (
    m.Message.id, m.Message.direction, m.Message.sender_kind, m.Message.sender_name, m.Message.text,
    m.Message.content_type, m.Message.media_url, m.Message.media_name, m.Message.status,
    m.Message.edited, m.Message.deleted, m.Message.created_at,
)


def _to_message_rows(rows: Iterable[tuple]) -> list[MessageRow]:
    as_utc = m.Message.created_at.python_value
    return [
        MessageRow(
            id=r[0], direction=r[1], sender_kind=r[2], sender_name=r[3], text=r[4], content_type=r[5],
            media_url=r[6], media_name=r[7], status=r[8], edited=bool(r[9]), deleted=bool(r[10]),
            created_at=as_utc(r[11]),
        )
        for r in rows
    ]


def chat_messages(chat_id: str, limit: int = 5000) -> list[MessageRow]:
    """The chat's messages, oldest first (the newest `limit` of them)."""
    chat_pk = m.Chat.select(m.Chat.id).where(m.Chat.chat_id == chat_id).scalar()
    if chat_pk is None:
        return []
    query = (
        m.Message.select(*_MESSAGE_COLUMNS)
        .where(m.Message.chat == chat_pk)
        .order_by(m.Message.created_at.desc(), m.Message.id.desc())
        .limit(limit)
    )
    rows = _to_message_rows(query.tuples())
    rows.reverse()
    return rows


def messages_before(chat_id: str, before_id: int, limit: int = 300) -> list[MessageRow]:
    """The `limit` messages just older than message `before_id`, oldest first (paging up)."""
    chat_pk = m.Chat.select(m.Chat.id).where(m.Chat.chat_id == chat_id).scalar()
    anchor = m.Message.get_or_none(m.Message.id == before_id)
    if chat_pk is None or anchor is None:
        return []
    older = (m.Message.created_at < anchor.created_at) | (
        (m.Message.created_at == anchor.created_at) & (m.Message.id < anchor.id)
    )
    query = (
        m.Message.select(*_MESSAGE_COLUMNS)
        .where((m.Message.chat == chat_pk) & older)
        .order_by(m.Message.created_at.desc(), m.Message.id.desc())
        .limit(limit)
    )
    rows = _to_message_rows(query.tuples())
    rows.reverse()
    return rows


def messages_after(chat_id: str, after_id: int) -> list[MessageRow]:
    """Messages of a chat newer than `after_id` (live updates of an open chat)."""
    chat_pk = m.Chat.select(m.Chat.id).where(m.Chat.chat_id == chat_id).scalar()
    if chat_pk is None:
        return []
    query = (
        m.Message.select(*_MESSAGE_COLUMNS)
        .where((m.Message.chat == chat_pk) & (m.Message.id > after_id))
        .order_by(m.Message.created_at.asc(), m.Message.id.asc())
    )
    return _to_message_rows(query.tuples())


def messages_by_id(message_ids: Sequence[int]) -> list[MessageRow]:
    if not message_ids:
        return []
    query = m.Message.select(*_MESSAGE_COLUMNS).where(m.Message.id.in_(list(message_ids)))
    return _to_message_rows(query.tuples())


def _order_row(order: m.Order, chat_id: str) -> OrderRow:
    return OrderRow(
        id=order.id, chat_id=chat_id, state=order.state, product=order.product, sku=order.sku,
        product_type=order.product_type, size=order.size, color=order.color, city=order.city,
        address=order.address, customer_name=order.customer_name,
        price=float(order.price) if order.price is not None else None, quantity=order.quantity,
        updated_at=order.updated_at, discount_kind=order.discount_kind, discount_label=order.discount_label,
        regular_price=float(order.regular_price) if order.regular_price is not None else None,
    )


def current_order(chat_id: str) -> OrderRow | None:
    """The chat's newest order that is not cancelled (a draft, ready or confirmed)."""
    order = (
        m.Order.select().join(m.Chat)
        .where((m.Chat.chat_id == chat_id) & (m.Order.state != "cancelled"))
        .order_by(m.Order.updated_at.desc(), m.Order.id.desc())
        .first()
    )
    return _order_row(order, chat_id) if order is not None else None


def customer_card(chat_id: str) -> CustomerCard | None:
    chat = m.Chat.get_or_none(m.Chat.chat_id == chat_id)
    if chat is None:
        return None
    orders = m.Order.select().where(m.Order.chat == chat)
    return CustomerCard(
        chat_id=chat.chat_id, phone=chat.phone, name=chat.name, first_contact=chat.created_at,
        messages=m.Message.select().where(m.Message.chat == chat).count(),
        orders=orders.count(),
        confirmed_orders=orders.where(m.Order.state == "confirmed").count(),
        tickets=m.Ticket.select().where(m.Ticket.chat == chat).count(),
        **_promo_consent(chat),
    )


def _promo_consent(chat: m.Chat) -> dict[str, Any]:
    """Consent to promotions as the customer card shows it: an opt-out wins for good."""
    from .consent import customer_opted_out

    if chat.opted_out or chat.promo_opt_out_at is not None:
        return {"promo_consent": "opted_out", "promo_consent_at": chat.promo_opt_out_at,
                "promo_consent_source": chat.promo_opt_out_source, "promo_locked": customer_opted_out(chat)}
    if chat.promo_opt_in_at is not None:
        return {"promo_consent": "subscribed", "promo_consent_at": chat.promo_opt_in_at,
                "promo_consent_source": chat.promo_opt_in_source}
    return {}


def tickets(statuses: Sequence[str] = OPEN_TICKET_STATES, limit: int = 500) -> list[TicketRow]:
    """Tickets in the given states: partners' waiting tickets first (the shop's regulars buy in
    bulk and should not queue behind a size question), then the oldest first."""
    partner_waiting = pw.Case(None, [((m.Ticket.partner == True) & (m.Ticket.status == "WAITING"), 0)], 1)  # noqa: E712
    query = (
        m.Ticket.select(m.Ticket, m.Chat.chat_id, m.Chat.name, m.Chat.phone)
        .join(m.Chat)
        .where(m.Ticket.status.in_(list(statuses)))
        .order_by(partner_waiting, m.Ticket.created_at.asc(), m.Ticket.id.asc())
        .limit(limit)
    )
    return [
        TicketRow(
            id=t.id, chat_id=t.chat.chat_id, customer=t.chat.name or "+" + t.chat.phone, kind=t.kind,
            status=t.status, summary=t.summary, manager=t.manager, created_at=t.created_at,
            assigned_at=t.assigned_at, partner=bool(t.partner),
        )
        for t in query
    ]


def scheduled_nudges(limit: int = 1000) -> list[NudgeRow]:
    """Each chat's next scheduled follow-up, soonest first."""
    query = (
        m.Nudge.select(m.Nudge, m.Chat.chat_id, m.Chat.name, m.Chat.phone)
        .join(m.Chat)
        .where(m.Nudge.state == "scheduled")
        .order_by(m.Nudge.due_at.asc())
    )
    seen: set[str] = set()
    rows: list[NudgeRow] = []
    for nudge in query:
        if nudge.chat.chat_id in seen:
            continue
        seen.add(nudge.chat.chat_id)
        rows.append(
            NudgeRow(
                id=nudge.id, chat_id=nudge.chat.chat_id, customer=nudge.chat.name or "+" + nudge.chat.phone,
                number=nudge.number, due_at=nudge.due_at, state=nudge.state,
            )
        )
        if len(rows) >= limit:
            break
    return rows


def queue_sizes() -> tuple[int, int]:
    """(pending outbox, messages waiting for the bot) — for the status bar before the first event."""
    outbox = m.OutboxItem.select().where(m.OutboxItem.state.in_(("pending", "sending", "unknown"))).count()
    pending = m.Message.select().where(m.Message.turn_state == "pending").count()
    return outbox, pending

