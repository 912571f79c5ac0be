"""Ticket cards and operator sessions in storage: sync functions for the DB thread.

A `TelegramCard` row per ticket says where its card is in the operators' group and which
Telegram operator serves it; `begin_card` claims the row before the card is posted so a
ticket is never posted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.channels import channel_of
from ottenok_desktop.engine.states import OPEN_TICKET_STATUSES
from ottenok_desktop.services.storage.models import Chat, Message, TelegramCard, Ticket

from .forward import KIND_OF_CONTENT

LAST_MESSAGES = 5


@dataclass(frozen=True)
class CardView:
    ticket_id: int
    group_chat_id: int
    card_message_id: int | None
    text: str
    customer: str
    channel_name: str
    lines: str
    attachments: tuple[int, ...] = ()  # the customer's media among the last messages (Message ids)


@dataclass(frozen=True)
class Session:
    ticket_id: int
    chat_id: str
    customer: str
    operator_id: int


def _customer(chat: Chat) -> str:
    return chat.name or chat.phone or chat.chat_id


def _last(chat: Chat) -> list[Message]:
    return list(reversed(Message.select().where((Message.chat == chat) & (Message.deleted == False))  # noqa: E712
                         .order_by(Message.id.desc()).limit(LAST_MESSAGES)))


def _lines(rows: list[Message]) -> str:
    who = {"customer": "Клиент"}
    lines = [f"{who.get(m.sender_kind, 'Бот' if m.sender_kind == 'bot' else 'Менеджер')}: {m.text[:300]}"
             for m in rows if m.text]
    return "\n".join(lines) or texts.TG_NO_MESSAGES


def _view(ticket: Ticket, card: TelegramCard | None) -> CardView:
    chat = ticket.chat
    channel = texts.TG_CHANNEL_NAMES.get(chat.channel or channel_of(chat.chat_id), chat.channel)
    rows = _last(chat)
    lines = _lines(rows)
    attachments = tuple(m.id for m in rows if m.sender_kind == "customer" and m.media_url
                        and m.content_type in KIND_OF_CONTENT)
    name = _customer(chat) + (texts.TG_PARTNER_MARK if ticket.partner else "")
    text = texts.TG_CARD.format(ticket_id=ticket.id, name=name, channel=channel,
                                topic=(ticket.summary or ticket.kind)[:300], lines=lines)
    if attachments:
        text += texts.TG_CARD_ATTACHMENTS.format(count=len(attachments))
    return CardView(ticket.id, card.group_chat_id if card else 0, card.card_message_id if card else None, text,
                    _customer(chat), channel, lines, attachments)


def waiting_without_card() -> list[int]:
    carded = TelegramCard.select(TelegramCard.ticket)
    # partners' tickets are posted first, like the console's queue (issue 16)
    return [t.id for t in Ticket.select(Ticket.id).where((Ticket.status == "WAITING") & Ticket.id.not_in(carded))
            .order_by(Ticket.partner.desc(), Ticket.id)]


def handoffs_without_ticket() -> list[tuple[str, str]]:
    """Chats the bot handed to a person (still the bot's, no open ticket): (chat id, reason)."""
    with_ticket = Ticket.select(Ticket.chat).where(Ticket.status.in_(OPEN_TICKET_STATUSES))
    return [(c.chat_id, c.handoff_reason) for c in Chat.select(Chat.chat_id, Chat.handoff_reason)
            .where((Chat.needs_human == True) & (Chat.owner == "bot") & Chat.id.not_in(with_ticket))]  # noqa: E712


def begin_card(ticket_id: int, group_chat_id: int, now: datetime) -> CardView | None:
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None or ticket.status != "WAITING" or TelegramCard.get_or_none(TelegramCard.ticket == ticket_id):
        return None
    card = TelegramCard.create(ticket=ticket_id, group_chat_id=group_chat_id, state="posting", created_at=now,
                               updated_at=now)
    return _view(ticket, card)


def forget_card(ticket_id: int) -> None:
    TelegramCard.delete().where((TelegramCard.ticket == ticket_id) & (TelegramCard.state == "posting")).execute()


def card_posted(ticket_id: int, message_id: int, now: datetime) -> None:
    TelegramCard.update(card_message_id=message_id, state="posted", updated_at=now).where(
        (TelegramCard.ticket == ticket_id) & (TelegramCard.state == "posting")).execute()


def card_view(ticket_id: int) -> CardView | None:
    card = TelegramCard.get_or_none(TelegramCard.ticket == ticket_id)
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if card is None or ticket is None:
        return None
    return _view(ticket, card)


def ticket_manager(ticket_id: int) -> str:
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    return ticket.manager if ticket else ""


def card_taken(ticket_id: int, operator_id: int, name: str, now: datetime) -> CardView | None:
    ticket = Ticket.get_or_none(Ticket.id == ticket_id)
    if ticket is None:
        return None
    card = TelegramCard.get_or_none(TelegramCard.ticket == ticket_id)
    if card is None:
        card = TelegramCard.create(ticket=ticket_id, group_chat_id=0, state="taken", created_at=now, updated_at=now)
    card.operator_id, card.operator_name, card.state, card.updated_at = operator_id, name, "taken", now
    card.save()
    return _view(ticket, card)


def card_closed(ticket_id: int, now: datetime) -> None:
    TelegramCard.update(state="closed", updated_at=now).where(TelegramCard.ticket == ticket_id).execute()


def _sessions():  # type: ignore[no-untyped-def]
    return (TelegramCard.select(TelegramCard, Ticket, Chat).join(Ticket).join(Chat)
            .where((TelegramCard.state == "taken") & (Ticket.status == "ASSIGNED")))


def _session(card: TelegramCard) -> Session:
    return Session(card.ticket.id, card.ticket.chat.chat_id, _customer(card.ticket.chat), int(card.operator_id))


def active_session(operator_id: int) -> Session | None:
    card = _sessions().where(TelegramCard.operator_id == operator_id).order_by(TelegramCard.updated_at.desc()).first()
    return _session(card) if card else None


def operator_of_chat(chat_id: str) -> Session | None:
    card = _sessions().where(Chat.chat_id == chat_id).order_by(TelegramCard.updated_at.desc()).first()
    return _session(card) if card else None
