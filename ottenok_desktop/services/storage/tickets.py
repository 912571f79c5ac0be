"""Support tickets: WAITING → ASSIGNED (which manager, when) → CLOSED, with attachments.

Sync functions for the DB thread. Taking a ticket is one conditional UPDATE, so when two
managers click «Взять» at once exactly one wins. Every change is audited.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Mapping

from ottenok_desktop.engine.states import OPEN_TICKET_STATUSES, TicketStatus

from .chats import audit, get_or_create_chat
from .models import Chat, Message, Ticket

OPEN_TICKET_STATES = OPEN_TICKET_STATUSES


def ticket_details(ticket: Ticket) -> dict[str, Any]:
    try:
        value = json.loads(ticket.details_json or "{}")
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def open_ticket(chat_id: str) -> Ticket | None:
    return (Ticket.select().join(Chat).where((Chat.chat_id == chat_id) & (Ticket.status.in_(OPEN_TICKET_STATES)))
            .order_by(Ticket.id.desc()).first())


def open_tickets(chat_id: str) -> list[Ticket]:
    return list(Ticket.select(Ticket, Chat).join(Chat)
                .where((Chat.chat_id == chat_id) & (Ticket.status.in_(OPEN_TICKET_STATES))).order_by(Ticket.id))


def get_ticket(ticket_id: int) -> Ticket | None:
    return Ticket.get_or_none(Ticket.id == ticket_id)


def create_ticket(chat_id: str, kind: str, summary: str, details: Mapping[str, Any], now: datetime,
                  actor: str = "bot", *, partner: bool = False) -> Ticket:
    chat = get_or_create_chat(chat_id, now)
    ticket = Ticket.create(chat=chat, kind=kind, status=TicketStatus.WAITING, summary=summary[:2000],
                           details_json=json.dumps(dict(details), ensure_ascii=False, default=str), created_at=now,
                           partner=partner)
    audit(now, actor, "ticket_created", "ticket", ticket.id, chat_id=chat_id, kind=kind, summary=summary[:200],
          partner=partner)
    return ticket


def add_to_ticket(ticket_id: int, now: datetime, *, text: str = "", attachments: list[dict[str, Any]] | None = None) -> None:
    """Append the customer's further words and files to an open ticket."""
    ticket = Ticket.get_by_id(ticket_id)
    details = ticket_details(ticket)
    if text:
        details.setdefault("messages", []).append(text)
    if attachments:
        details.setdefault("attachments", []).extend(attachments)
    ticket.details_json = json.dumps(details, ensure_ascii=False, default=str)
    ticket.save(only=[Ticket.details_json])
    audit(now, "bot", "ticket_updated", "ticket", ticket_id, text=text[:200], attachments=len(attachments or []))


def take(ticket_id: int, manager: str, now: datetime) -> bool:
    """WAITING → ASSIGNED to `manager`; False when someone else already took it (or it is closed)."""
    updated = (Ticket.update(status=TicketStatus.ASSIGNED, manager=manager, assigned_at=now)
               .where((Ticket.id == ticket_id) & (Ticket.status == TicketStatus.WAITING)).execute())
    if updated:
        audit(now, manager, "ticket_assigned", "ticket", ticket_id, manager=manager)
    return bool(updated)


def close(ticket_id: int, manager: str, now: datetime) -> bool:
    """WAITING/ASSIGNED → CLOSED; False when it was already closed."""
    updated = (Ticket.update(status=TicketStatus.CLOSED, closed_at=now)
               .where((Ticket.id == ticket_id) & (Ticket.status.in_(OPEN_TICKET_STATES))).execute())
    if updated:
        ticket = Ticket.get_by_id(ticket_id)
        if not ticket.manager:
            ticket.manager = manager
            ticket.save(only=[Ticket.manager])
        audit(now, manager, "ticket_closed", "ticket", ticket_id, manager=manager)
    return bool(updated)


def ticket_dict(ticket: Ticket, *, with_messages: bool = True) -> dict[str, Any]:
    chat: Chat = ticket.chat
    result: dict[str, Any] = {
        "id": ticket.id, "chat_id": chat.chat_id, "phone": chat.phone, "customer_name": chat.name,
        "kind": ticket.kind, "status": ticket.status, "summary": ticket.summary, "manager": ticket.manager,
        "partner": bool(ticket.partner),
        "details": ticket_details(ticket),
        "created_at": ticket.created_at.isoformat() if ticket.created_at else "",
        "assigned_at": ticket.assigned_at.isoformat() if ticket.assigned_at else "",
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else "",
    }
    if with_messages:
        # the conversation around the ticket: who said what, when, and what kind of message it was
        query = Message.select().where((Message.chat == chat) & (Message.created_at >= ticket.created_at))
        if ticket.closed_at is not None:
            query = query.where(Message.created_at <= ticket.closed_at)
        result["messages"] = [
            {"at": msg.created_at.isoformat(), "sender_kind": msg.sender_kind, "sender_name": msg.sender_name,
             "content_type": msg.content_type, "text": msg.text, "media_url": msg.media_url}
            for msg in query.order_by(Message.created_at, Message.id)
        ]
    return result


def list_tickets(status: str | None = None) -> list[dict[str, Any]]:
    query = Ticket.select(Ticket, Chat).join(Chat).order_by(Ticket.id)
    if status:
        query = query.where(Ticket.status == status)
    return [ticket_dict(ticket) for ticket in query]
