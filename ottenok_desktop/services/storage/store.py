"""The engine's storage ports over peewee: `SqlStore` (the repository a command sees inside
its transaction) and `DbUnitOfWork` (one transaction on the DB thread per `run`).

Every method here is sync and runs on the DB thread; `DbUnitOfWork.run(work)` wraps
`work(store)` in one transaction, so a command's writes all commit or none do.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, TypeVar

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.ports import ChatInfo, DialogueContext, QueuedPart, Store, TicketInfo
from ottenok_desktop.engine.states import AnnouncementState, Owner, SenderKind

from ..inventory.reservations import release_sync, reserve_sync, reserved_sync
from . import announcements, chats, consent, links, orders, tickets
from .dialogue_state import load_context
from .database import Database
from .models import Chat, Ticket
from .outbox import queue_part

T = TypeVar("T")


def _ticket_info(ticket: Ticket) -> TicketInfo:
    return TicketInfo(int(ticket.id), ticket.chat.chat_id, ticket.kind, ticket.status, ticket.manager)


class SqlStore:
    """`engine.ports.Store` over the peewee models (valid inside the caller's transaction)."""

    def chat(self, chat_id: str) -> ChatInfo | None:
        row = chats.find_chat(chat_id)
        if row is None:
            return None
        return ChatInfo(row.chat_id, row.phone, row.name, Owner(row.owner), row.owner_name, bool(row.needs_human),
                        row.channel)

    def set_owner(self, chat_id: str, owner: Owner, by: str, now: datetime, reason: str = "") -> bool:
        return chats.set_owner(chat_id, owner, by, now, reason)

    def mark_needs_human(self, chat_id: str, reason: str, now: datetime) -> bool:
        return chats.mark_needs_human(chat_id, reason, now)

    def clear_needs_human(self, chat_id: str, now: datetime) -> None:
        Chat.update(needs_human=False, handoff_reason="", updated_at=now).where(Chat.chat_id == chat_id).execute()

    def load_state(self, chat_id: str) -> str:
        row = Chat.select(Chat.state_json).where(Chat.chat_id == chat_id).first()
        return (row.state_json if row is not None else "") or "{}"

    def save_state(self, chat_id: str, state_json: str, now: datetime) -> None:
        Chat.update(state_json=state_json, updated_at=now).where(Chat.chat_id == chat_id).execute()

    def open_tickets(self, chat_id: str) -> list[TicketInfo]:
        return [_ticket_info(t) for t in tickets.open_tickets(chat_id)]

    def ticket(self, ticket_id: int) -> TicketInfo | None:
        found = tickets.get_ticket(ticket_id)
        return _ticket_info(found) if found is not None else None

    def create_ticket(self, chat_id: str, kind: str, summary: str, now: datetime, actor: str) -> int:
        return tickets.create_ticket(chat_id, kind, summary, {}, now, actor).id

    def link_chats(self, chat_id: str, other_chat_id: str, by: str, now: datetime) -> bool:
        return links.link(chat_id, other_chat_id, by, now)

    def unlink_chat(self, chat_id: str, by: str, now: datetime) -> str:
        return links.unlink(chat_id, by, now)

    def dismiss_link_offer(self, chat_id: str, other_chat_id: str, by: str, now: datetime) -> bool:
        return links.dismiss_offer(chat_id, other_chat_id, by, now)

    def take_ticket(self, ticket_id: int, manager: str, now: datetime) -> bool:
        return tickets.take(ticket_id, manager, now)

    def close_ticket(self, ticket_id: int, manager: str, now: datetime) -> bool:
        return tickets.close(ticket_id, manager, now)

    def order(self, order_id: int) -> dict[str, Any] | None:
        row = orders.get_order(order_id)
        return orders.order_dict(row) if row is not None else None

    def update_order(self, order_id: int, values: Mapping[str, Any], actor: str, now: datetime) -> None:
        orders.update_fields(order_id, values, actor, now)

    def set_order_state(self, order_id: int, state: str, actor: str, now: datetime, **details: Any) -> None:
        orders.set_state(order_id, state, actor, now, **details)

    def reserve(self, order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool:
        return reserve_sync(order_id, item_key, quantity, version, on_file)

    def release_reservations(self, order_id: int) -> int:
        return release_sync(order_id)

    def reserved(self, version: str) -> dict[str, int]:
        return reserved_sync(version)

    def queue_message(self, chat_id: str, now: datetime, *, text: str, sender_kind: SenderKind, sender_name: str,
                      file_path: Path | None = None, file_name: str = "") -> QueuedPart:
        item = queue_part(chat_id, now, text=text, sender_kind=sender_kind, sender_name=sender_name,
                          file_path=file_path, file_name=file_name or (file_path.name if file_path else ""))
        return QueuedPart(item.id, text or (file_path.name if file_path else ""))

    def audit(self, now: datetime, actor: str, action: str, entity: str, entity_id: Any, **details: Any) -> None:
        chats.audit(now, actor, action, entity, entity_id, **details)

    # ---- promotions: announcements and consent (issue 16) ----
    def create_announcement(self, promotion_id: str, title: str, text: str, photos: Sequence[Path], manager: str,
                            now: datetime) -> tuple[int, int]:
        return announcements.create_announcement(promotion_id, title, text, photos, manager, now)

    def set_announcement_state(self, announcement_id: int, state: AnnouncementState, by: str, now: datetime,
                               reason: str = "", detail: str = "") -> bool:
        return announcements.set_state(announcement_id, state, by, now, reason=reason, detail=detail)

    def set_promo_consent_by_manager(self, chat_id: str, opt_in: bool, manager: str, now: datetime) -> str:
        return consent.manager_promo_consent(chat_id, now, opt_in, manager)

    def status_text(self, chat_id: str) -> str:
        phone = chats.phone_of(chat_id)
        chat = chats.find_chat(chat_id)
        if chat is None:
            return texts.CMD_NO_CHAT.format(phone=phone)
        owner = texts.CMD_OWNER_BOT if chat.owner == Owner.BOT else texts.CMD_OWNER_MANAGER.format(name=chat.owner_name)
        needs = texts.CMD_NEEDS_HUMAN.format(reason=chat.handoff_reason) if chat.needs_human else ""
        order = orders.latest_order(chat_id)
        if order is None:
            order_text = texts.CMD_NO_ORDER
        else:
            details = ", ".join(x for x in (order.product, order.size, order.color, order.city) if x)
            order_text = texts.CMD_ORDER.format(state=texts.ORDER_STATES_RU.get(order.state, order.state),
                                                details=f" ({details})" if details else "")
        ticket = tickets.open_ticket(chat_id)
        ticket_text = texts.CMD_TICKET.format(
            id=ticket.id, kind=texts.TICKET_KINDS_RU.get(ticket.kind, ticket.kind),
            status=texts.TICKET_STATUSES_RU.get(ticket.status, ticket.status)) if ticket else ""
        return texts.CMD_STATUS.format(phone=phone, owner=owner, needs_human=needs, order=order_text,
                                       ticket=ticket_text)


    def dialogue_context(self, chat_id: str, now: datetime, name: str,
                         reserved_reader: Callable[[], Mapping[str, int]] | None) -> DialogueContext:
        return load_context(chat_id, now, name, reserved_reader)


_STORE: Store = SqlStore()


class DbUnitOfWork:
    """`engine.ports.UnitOfWork` over the one DB thread."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def run(self, work: Callable[[Store], T]) -> T:
        return await self._db.atomic(work, _STORE)

    async def read(self, work: Callable[[Store], T]) -> T:
        return await self._db.call(work, _STORE)
