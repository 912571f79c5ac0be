"""Consent to promotions (issue 16), sync for the DB thread.

A customer (or a manager in the customer card) opts in; an opt-out — "не присылайте акции",
"стоп", any follow-up opt-out (Chat.opted_out) — wins for good: a later opt-in is refused.
A linked chat (the same customer on the other channel, storage/links.py) gets the same change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .links import mirror_to_linked
from .models import Chat


def record_promo_consent(chat_id: str, now: datetime, opt_in: bool, source: str) -> bool:
    """Record an opt-in or an opt-out with its time and source; False when nothing changed
    (already in that state, or an opt-in after an opt-out)."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return False
    if opt_in:
        if chat.opted_out or chat.promo_opt_out_at is not None or chat.promo_opt_in_at is not None:
            return False
        changes: dict[Any, Any] = {Chat.promo_opt_in_at: now, Chat.promo_opt_in_source: source[:64]}
    else:
        if chat.promo_opt_out_at is not None:
            return False
        changes = {Chat.promo_opt_out_at: now, Chat.promo_opt_out_source: source[:64]}
    changed = bool(Chat.update(changes).where(Chat.id == chat.id).execute())
    if changed:  # the same person on the other channel (a linked chat): opt-out wins there too
        mirror_to_linked(chat_id, changes)
    return changed


def customer_opted_out(chat: Chat) -> bool:
    """The customer's own opt-out (said so, or the follow-ups' "не пишите"): it wins for good.
    A manager's unticking is not one — a manager may tick the box again."""
    if chat.opted_out:
        return True
    return chat.promo_opt_out_at is not None and not chat.promo_opt_out_source.startswith("manager")


def manager_promo_consent(chat_id: str, now: datetime, opt_in: bool, manager: str) -> str:
    """A manager ticks («Согласие на рассылку») or unticks the box in the customer card.
    Returns "changed", "unchanged", or "refused" (the customer opted out: that wins for good)."""
    chat = Chat.get_or_none(Chat.chat_id == chat_id)
    if chat is None:
        return "unchanged"
    if customer_opted_out(chat):
        return "refused"
    source = f"manager:{manager}"[:64]
    subscribed = chat.promo_opt_in_at is not None and chat.promo_opt_out_at is None
    if opt_in == subscribed:
        return "unchanged"
    if opt_in:  # a manager's earlier untick is undone by the manager's tick
        changes: dict[Any, Any] = {Chat.promo_opt_in_at: now, Chat.promo_opt_in_source: source,
                                   Chat.promo_opt_out_at: None, Chat.promo_opt_out_source: ""}
    else:
        changes = {Chat.promo_opt_out_at: now, Chat.promo_opt_out_source: source}
    Chat.update(changes).where(Chat.id == chat.id).execute()
    return "changed"


def announcement_recipients(channel: str = "whatsapp") -> list[dict[str, str]]:
    """Who an announcement may go to: opted in, never opted out, not closed, no open ticket,
    on that channel; oldest consent first."""
    from .models import Ticket
    from .tickets import OPEN_TICKET_STATES

    with_ticket = Ticket.select(Ticket.chat).where(Ticket.status.in_(list(OPEN_TICKET_STATES)))
    query = (Chat.select(Chat.chat_id, Chat.phone)
             .where(Chat.promo_opt_in_at.is_null(False) & Chat.promo_opt_out_at.is_null(True)
                    & (Chat.opted_out == False) & (Chat.closed == False)  # noqa: E712
                    & (Chat.channel == channel) & Chat.id.not_in(with_ticket))
             .order_by(Chat.promo_opt_in_at.asc(), Chat.id.asc()))
    return [{"chat": chat_id, "phone": phone} for chat_id, phone in query.tuples()]
