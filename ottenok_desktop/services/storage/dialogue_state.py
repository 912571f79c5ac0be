"""What the sales responder reads and writes around one turn (sync, for the DB thread).

`load_context` reads the chat's dialogue state, open order, open ticket, the photos it
already received and (optionally) the stock reservations in one call; `apply_turn` writes
everything the turn decided (its `TurnPlan`: order rows and their audit trail, stock
holds, tickets, the dialogue state) inside the turn's one commit (`turns.commit_turn`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from ottenok_desktop.engine.dialogue import plan as turn_plan
from ottenok_desktop.engine.ports import DialogueContext, ReservationRefused

from .chats import get_or_create_chat
from .consent import record_promo_consent
from .links import give_partner_code
from ..inventory.reservations import release_sync, reserve_sync
from .models import Chat, Order, PhotoSent, Ticket
from ottenok_desktop.engine.states import OPEN_ORDER_STATES

from .orders import create_order, order_dict, set_state, update_fields
from .prepared import Prepared
from .tickets import OPEN_TICKET_STATES, add_to_ticket, create_ticket, ticket_dict

NEW = turn_plan.NEW


# The turn's read is on every customer message: statements compiled once (see prepared.py).
_CHAT = Prepared(lambda p: Chat.select(Chat.id, Chat.state_json, Chat.owner, Chat.needs_human, Chat.opted_out,
                                       Chat.promo_opt_out_at, Chat.partner_code, Chat.linked_chat_id)
                 .where(Chat.chat_id == p.chat_id))
_OPEN_ORDER = Prepared(lambda p: Order.select(Order.id).where((Order.chat == p.chat) & Order.state.in_(OPEN_ORDER_STATES))
                       .order_by(Order.id.desc()).limit(1))
_OPEN_TICKET = Prepared(lambda p: Ticket.select(Ticket.id).where((Ticket.chat == p.chat)
                                                                 & Ticket.status.in_(OPEN_TICKET_STATES))
                        .order_by(Ticket.id.desc()).limit(1))
_PHOTOS = Prepared(lambda p: PhotoSent.select(PhotoSent.photo_key).where(PhotoSent.chat == p.chat))


def load_context(chat_id: str, now: datetime, name: str = "",
                 reserved_reader: Callable[[], Mapping[str, int]] | None = None) -> DialogueContext:
    row = _CHAT.first(chat_id=chat_id)
    if row is None:
        chat = get_or_create_chat(chat_id, now, name)
        row = (chat.id, chat.state_json, chat.owner, chat.needs_human, chat.opted_out, chat.promo_opt_out_at,
               chat.partner_code, chat.linked_chat_id)
    chat_pk, state_json, owner, needs_human, opted_out, promo_opt_out_at, partner_code, linked_chat_id = row
    order_row = _OPEN_ORDER.first(chat=chat_pk)
    ticket_row = _OPEN_TICKET.first(chat=chat_pk)
    order = Order.select(Order, Chat).join(Chat).where(Order.id == order_row[0]).get() if order_row else None
    ticket = Ticket.select(Ticket, Chat).join(Chat).where(Ticket.id == ticket_row[0]).get() if ticket_row else None
    return DialogueContext(
        state_json=state_json or "{}", order=order_dict(order) if order else None,
        ticket=ticket_dict(ticket, with_messages=False) if ticket else None,
        photos_sent=frozenset(key for (key,) in _PHOTOS.all(chat=chat_pk)),
        owner=owner, needs_human=bool(needs_human),
        reserved=reserved_reader() if reserved_reader is not None else None, opted_out=bool(opted_out) or promo_opt_out_at is not None,
        partner_code=partner_code or "", linked_chat_id=linked_chat_id or "",
    )


def apply_turn(chat_id: str, now: datetime, ops: Sequence[tuple[str, Mapping[str, Any]]],
               state_json: str | None) -> tuple[int | None, int | None]:
    """Apply a turn plan's ops in order (run it through `db.atomic`). Returns (new order id, new ticket id).

    Ops name orders/tickets created earlier in the same plan by NEW; the saved state's
    `order_id` / `ticket_id` may be NEW too and get the real ids.
    """
    order_id: int | None = None
    ticket_id: int | None = None

    def real(value: int | None, created: int | None, what: str) -> int:
        if value == NEW:
            if created is None:
                raise ValueError(f"turn plan refers to a new {what} it never created")
            return created
        if value is None:
            raise ValueError(f"turn plan op without a {what} id")
        return int(value)

    for name, args in ops:
        if name == "create_order":
            order_id = int(create_order(chat_id, now, args["actor"], args["values"]).id)
        elif name == "update_order":
            update_fields(real(args["order_id"], order_id, "order"), args["values"], args["actor"], now)
        elif name == "order_state":
            set_state(real(args["order_id"], order_id, "order"), args["state"], args["actor"], now,
                      **args.get("details", {}))
        elif name == "create_ticket":
            ticket_id = int(create_ticket(chat_id, args["kind"], args["summary"], args["details"], now,
                                          partner=bool(args.get("partner"))).id)
        elif name == "add_to_ticket":
            add_to_ticket(real(args["ticket_id"], ticket_id, "ticket"), now, text=args["text"],
                          attachments=list(args["attachments"]))
        elif name == turn_plan.RESERVE:
            if not reserve_sync(real(args["order_id"], order_id, "order"), args["item_key"], args["quantity"],
                                args["version"], args["on_file"]):
                raise ReservationRefused(args["item_key"])
        elif name == turn_plan.RELEASE:
            release_sync(real(args["order_id"], order_id, "order"))
        elif name == turn_plan.PROMO_CONSENT:
            record_promo_consent(chat_id, now, bool(args["opt_in"]), str(args["source"]))
        elif name == turn_plan.PARTNER_CODE:
            give_partner_code(chat_id, str(args["code"]), now)
        else:
            raise ValueError(f"unknown turn plan op {name!r}")
    if state_json is not None:
        state = json.loads(state_json or "{}")
        if state.get("order_id") == NEW:
            state["order_id"] = order_id
        if state.get("ticket_id") == NEW:
            state["ticket_id"] = ticket_id
        save_state(chat_id, json.dumps(state, ensure_ascii=False), now)
    return order_id, ticket_id


def save_state(chat_id: str, state_json: str, now: datetime) -> None:
    Chat.update(state_json=state_json, updated_at=now).where(Chat.chat_id == chat_id).execute()
