"""Follow-up nudges in the database. Sync functions for the DB thread (`await db.call`).

One `Nudge` row per (chat, cycle_start, number); the UNIQUE index on those three is what
makes "never twice" hold across restarts: a cycle's nudge #1 or #2 can exist only once.
States: scheduled → sending → sent, or → cancelled (with a reason). `sending` is the
short window between claiming a nudge and its outbox row existing; its `reason` holds
`outbox_after=<last outbox id of the chat>` so that, after a crash, the start-up
reconciliation can tell whether the outbox row was written (→ sent) or not (→ scheduled).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Iterable

import peewee as pw

from ottenok_desktop.engine.followups.rules import REASON_CUSTOMER_REPLIED, ChatFacts, CycleView
from ottenok_desktop.engine.followups.wording import OrderView

from .chats import load_state
from .links import mirror_to_linked
from .models import Chat, Nudge, Order, OutboxItem, Ticket
from ottenok_desktop.engine.states import NudgeState

OPEN = NudgeState.SCHEDULED
SENDING = NudgeState.SENDING
SENT = NudgeState.SENT
CANCELLED = NudgeState.CANCELLED
_MARKER_PREFIX = "outbox_after="


@dataclass(frozen=True)
class NudgeRow:
    id: int
    chat_id: str
    number: int
    cycle_start: datetime
    due_at: datetime
    state: str
    reason: str
    sent_at: datetime | None


@dataclass(frozen=True)
class ChatSnapshot:
    chat_id: str
    facts: ChatFacts
    order: OrderView | None
    last_product: str
    preferred_size: str
    preferred_color: str
    promo_subscribed: bool = False  # opted in to promotions and never out (a nudge may mention one)


def _row(n: Nudge, chat_id: str | None = None) -> NudgeRow:
    return NudgeRow(
        id=n.id, chat_id=chat_id or n.chat.chat_id, number=n.number, cycle_start=n.cycle_start, due_at=n.due_at,
        state=n.state, reason=n.reason, sent_at=n.sent_at,
    )


def _chat(chat_id: str) -> Chat | None:
    return Chat.get_or_none(Chat.chat_id == chat_id)


def _aware(value: object) -> datetime | None:
    """MIN()/MAX() over a datetime column come back as text or naive: make them aware UTC."""
    if value is None:
        return None
    return Nudge.due_at.python_value(value)


# ---- reading ---------------------------------------------------------------------------
def latest_order(chat: Chat) -> Order | None:
    return Order.select().where(Order.chat == chat).order_by(Order.created_at.desc(), Order.id.desc()).first()


def _order_view(order: Order | None, asked_field: str) -> OrderView | None:
    if order is None:
        return None
    return OrderView(
        state=order.state, product=order.product, product_type=order.product_type, size=order.size,
        color=order.color, city=order.city, address=order.address, asked_field=asked_field,
    )


def chat_snapshot(chat_id: str) -> ChatSnapshot | None:
    """Everything the rules and the wording need about one chat, read in one go."""
    chat = _chat(chat_id)
    if chat is None:
        return None
    open_ticket = Ticket.select().where((Ticket.chat == chat) & (Ticket.status != "CLOSED")).exists()
    order = latest_order(chat)
    state = load_state(chat)  # the dialogue's state: read only, never written here
    facts = ChatFacts(
        owner=chat.owner, opted_out=chat.opted_out, closed=chat.closed, open_ticket=open_ticket,
        order_confirmed=order is not None and order.state == "confirmed",
    )
    return ChatSnapshot(
        chat_id=chat_id, facts=facts, order=_order_view(order, str(state.get("asked_field") or "")),
        last_product=str(state.get("last_product") or ""), preferred_size=str(state.get("preferred_size") or ""),
        preferred_color=str(state.get("preferred_color") or ""),
        promo_subscribed=chat.promo_opt_in_at is not None and chat.promo_opt_out_at is None and not chat.opted_out,
    )


def latest_cycle(chat_id: str) -> CycleView | None:
    chat = _chat(chat_id)
    if chat is None:
        return None
    start = Nudge.select(pw.fn.MAX(Nudge.cycle_start)).where(Nudge.chat == chat).scalar()
    if start is None:
        return None
    rows = list(Nudge.select().where((Nudge.chat == chat) & (Nudge.cycle_start == _aware(start))))
    first = next((r for r in rows if r.number == 1), None)
    return CycleView(
        cycle_start=_aware(start),  # type: ignore[arg-type]
        nudge1_state=first.state if first is not None else CANCELLED,
        replied=any(r.reason == REASON_CUSTOMER_REPLIED for r in rows),
    )


def open_nudges(chat_id: str | None = None) -> list[NudgeRow]:
    """Scheduled nudges, soonest first (one chat, or all)."""
    query = Nudge.select(Nudge, Chat).join(Chat).where(Nudge.state == OPEN)
    if chat_id is not None:
        query = query.where(Chat.chat_id == chat_id)
    return [_row(n, n.chat.chat_id) for n in query.order_by(Nudge.due_at, Nudge.id)]


def due_nudges(now: datetime) -> list[NudgeRow]:
    query = Nudge.select(Nudge, Chat).join(Chat).where((Nudge.state == OPEN) & (Nudge.due_at <= now))
    return [_row(n, n.chat.chat_id) for n in query.order_by(Nudge.due_at, Nudge.id)]


def next_due_at() -> datetime | None:
    return _aware(Nudge.select(pw.fn.MIN(Nudge.due_at)).where(Nudge.state == OPEN).scalar())


def chat_nudges(chat_id: str) -> list[NudgeRow]:
    """Every nudge row of a chat, oldest first (history for the console and tests)."""
    query = Nudge.select(Nudge, Chat).join(Chat).where(Chat.chat_id == chat_id)
    return [_row(n, chat_id) for n in query.order_by(Nudge.cycle_start, Nudge.number)]


def snapshots(chat_ids: Iterable[str]) -> dict[str, ChatSnapshot]:
    result: dict[str, ChatSnapshot] = {}
    for chat_id in set(chat_ids):
        snap = chat_snapshot(chat_id)
        if snap is not None:
            result[chat_id] = snap
    return result


# ---- writing -----------------------------------------------------------------------------
def create_nudge(chat_id: str, cycle_start: datetime, number: int, due_at: datetime) -> NudgeRow | None:
    """Insert a scheduled nudge; None if this (chat, cycle, number) already exists."""
    chat = _chat(chat_id)
    if chat is None:
        return None
    exists = Nudge.select().where(
        (Nudge.chat == chat) & (Nudge.cycle_start == cycle_start) & (Nudge.number == number)
    ).exists()
    if exists:
        return None
    try:
        with Nudge._meta.database.atomic():  # a savepoint: the UNIQUE index is the final word
            n = Nudge.create(chat=chat, cycle_start=cycle_start, number=number, due_at=due_at, state=OPEN)
    except pw.IntegrityError:
        return None
    return _row(n, chat_id)


def move_cycle(chat_id: str, old_start: datetime, new_start: datetime, due_at: datetime) -> NudgeRow | None:
    """Restart a cycle whose nudge #1 is still scheduled from a later bot message."""
    chat = _chat(chat_id)
    if chat is None:
        return None
    row = Nudge.get_or_none(
        (Nudge.chat == chat) & (Nudge.cycle_start == old_start) & (Nudge.number == 1) & (Nudge.state == OPEN)
    )
    if row is None:
        return None
    row.cycle_start = new_start
    row.due_at = due_at
    row.save(only=[Nudge.cycle_start, Nudge.due_at])
    return _row(row, chat_id)


def cancel_open(chat_id: str, reason: str) -> list[NudgeRow]:
    """Cancel the chat's scheduled nudges; returns the ones cancelled."""
    rows = open_nudges(chat_id)
    if rows:
        Nudge.update(state=CANCELLED, reason=reason[:200]).where(
            Nudge.id.in_([r.id for r in rows]) & (Nudge.state == OPEN)
        ).execute()
    return [replace(r, state=CANCELLED, reason=reason[:200]) for r in rows]


def cancel_nudge(nudge_id: int, reason: str) -> bool:
    return bool(
        Nudge.update(state=CANCELLED, reason=reason[:200]).where((Nudge.id == nudge_id) & (Nudge.state == OPEN)).execute()
    )


def reschedule(nudge_id: int, due_at: datetime) -> bool:
    return bool(Nudge.update(due_at=due_at).where((Nudge.id == nudge_id) & (Nudge.state == OPEN)).execute())


def mark_cycle_replied(chat_id: str) -> list[NudgeRow]:
    """A real reply ends the chat's latest cycle: scheduled nudges are cancelled and sent
    ones are marked, so the bot's next message starts a new cycle (even after a restart)."""
    cancelled = cancel_open(chat_id, REASON_CUSTOMER_REPLIED)
    chat = _chat(chat_id)
    start = Nudge.select(pw.fn.MAX(Nudge.cycle_start)).where(Nudge.chat == chat).scalar() if chat else None
    if start is not None:
        Nudge.update(reason=REASON_CUSTOMER_REPLIED).where(
            (Nudge.chat == chat) & (Nudge.cycle_start == _aware(start)) & (Nudge.state == SENT)
        ).execute()
    return cancelled


def last_outbox_id(chat_id: str) -> int:
    chat = _chat(chat_id)
    if chat is None:
        return 0
    return int(OutboxItem.select(pw.fn.MAX(OutboxItem.id)).where(OutboxItem.chat == chat).scalar() or 0)


def claim_for_sending(nudge_id: int) -> bool:
    """scheduled → sending, remembering the chat's last outbox id. False if someone else
    (a cancel, another check) changed the row first."""
    n = Nudge.get_or_none(Nudge.id == nudge_id)
    if n is None or n.state != OPEN:
        return False
    marker = f"{_MARKER_PREFIX}{last_outbox_id(n.chat.chat_id)}"
    return bool(
        Nudge.update(state=SENDING, reason=marker).where((Nudge.id == nudge_id) & (Nudge.state == OPEN)).execute()
    )


def finish_sent(nudge_id: int, sent_at: datetime) -> NudgeRow:
    Nudge.update(state=SENT, sent_at=sent_at, reason="").where(Nudge.id == nudge_id).execute()
    return _row(Nudge.get_by_id(nudge_id))


def release_sending(nudge_id: int, retry_at: datetime | None = None) -> None:
    """Nothing reached the outbox: the nudge goes back to scheduled (at `retry_at` if given)."""
    changes: dict[Any, Any] = {Nudge.state: OPEN, Nudge.reason: ""}
    if retry_at is not None:
        changes[Nudge.due_at] = retry_at
    Nudge.update(changes).where((Nudge.id == nudge_id) & (Nudge.state == SENDING)).execute()


def sending_nudges() -> list[NudgeRow]:
    query = Nudge.select(Nudge, Chat).join(Chat).where(Nudge.state == SENDING)
    return [_row(n, n.chat.chat_id) for n in query.order_by(Nudge.id)]


def outbox_written_since_claim(row: NudgeRow) -> datetime | None:
    """When the bot outbox row queued for the chat after this nudge was claimed was
    created; None if there is none (the nudge never reached the outbox)."""
    if not row.reason.startswith(_MARKER_PREFIX):
        return None
    try:
        after = int(row.reason[len(_MARKER_PREFIX):])
    except ValueError:
        return None
    chat = _chat(row.chat_id)
    if chat is None:
        return None
    item = (
        OutboxItem.select().where((OutboxItem.chat == chat) & (OutboxItem.id > after) & (OutboxItem.sender_kind == "bot"))
        .order_by(OutboxItem.id).first()
    )
    return item.created_at if item is not None else None


def set_opted_out(chat_id: str, now: datetime) -> bool:
    """Record an opt-out (on a linked chat too: the same person); True only the first time (so
    it is acknowledged once)."""
    first = bool(
        Chat.update(opted_out=True, updated_at=now).where((Chat.chat_id == chat_id) & (Chat.opted_out == False)).execute()  # noqa: E712
    )
    if first:
        mirror_to_linked(chat_id, {Chat.opted_out: True})
    return first
