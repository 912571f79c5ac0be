"""Order rows: create, edit (every field change audited), state changes, export rows.

Sync functions for the DB thread (`await db.call(...)` / `await db.atomic(...)`).
The rules about *when* an order may change state live in `engine/dialogue/state.py`;
this module only stores what the engine decided and writes the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from ottenok_desktop.engine.states import OrderState

from .chats import audit, get_or_create_chat
from .models import Chat, Order, Reservation


EXPORT_COLUMNS = ("id", "chat_id", "phone", "customer_name", "state", "product", "sku", "product_type", "size",
                  "color", "city", "address", "price", "quantity", "created_at", "updated_at", "confirmed_at",
                  "channel", "regular_price", "discount_kind", "discount_ref", "discount_label")
_EDITABLE = ("product", "sku", "product_type", "size", "color", "city", "address", "customer_name", "price",
             "quantity")
# written by the engine at confirmation (the promised price), never edited by hand
_DISCOUNT = ("regular_price", "discount_kind", "discount_ref", "discount_label")
_MONEY = ("price", "regular_price")


def _money(value: Any) -> str:
    return str(Decimal(value).quantize(Decimal(1))) if value is not None else ""


def order_dict(order: Order) -> dict[str, Any]:
    chat: Chat = order.chat
    return {
        "id": order.id, "chat_id": chat.chat_id, "channel": chat.channel, "phone": chat.phone,
        "customer_name": order.customer_name or chat.name, "state": order.state, "product": order.product,
        "sku": order.sku, "product_type": order.product_type, "size": order.size, "color": order.color,
        "city": order.city, "address": order.address,
        "price": _money(order.price), "quantity": order.quantity,
        "created_at": order.created_at.isoformat() if order.created_at else "",
        "updated_at": order.updated_at.isoformat() if order.updated_at else "",
        "confirmed_at": order.confirmed_at.isoformat() if order.confirmed_at else "",
        "regular_price": _money(order.regular_price), "discount_kind": order.discount_kind,
        "discount_ref": order.discount_ref, "discount_label": order.discount_label,
    }


def get_order(order_id: int) -> Order | None:
    return Order.get_or_none(Order.id == order_id)


def latest_order(chat_id: str) -> Order | None:
    return Order.select().join(Chat).where(Chat.chat_id == chat_id).order_by(Order.id.desc()).first()


def create_order(chat_id: str, now: datetime, actor: str, values: Mapping[str, Any]) -> Order:
    chat = get_or_create_chat(chat_id, now)
    clean = {k: v for k, v in values.items() if k in _EDITABLE and v not in (None, "")}
    order = Order.create(chat=chat, state=OrderState.DRAFT, created_at=now, updated_at=now, **clean)
    audit(now, actor, "order_created", "order", order.id, chat_id=chat_id, **{k: str(v) for k, v in clean.items()})
    return order


def update_fields(order_id: int, values: Mapping[str, Any], actor: str, now: datetime) -> list[tuple[str, str, str]]:
    """Write changed fields; one audit row per changed field. Returns (field, old, new)."""
    order = Order.get_by_id(order_id)
    changes: list[tuple[str, str, str]] = []
    for name, value in values.items():
        if name not in _EDITABLE and name not in _DISCOUNT:
            raise ValueError(f"order field {name!r} cannot be edited")
        if name in _MONEY:
            value = Decimal(str(value)) if value not in (None, "") else None
        elif name == "quantity":
            value = int(value)
        else:
            value = "" if value is None else str(value)
        old = getattr(order, name)
        if (Decimal(old) if name in _MONEY and old is not None else old) == value:
            continue
        setattr(order, name, value)
        changes.append((name, "" if old is None else str(old), "" if value is None else str(value)))
    if changes:
        order.updated_at = now
        order.save()
        for name, old, new in changes:
            audit(now, actor, "order_field_changed", "order", order_id, field=name, old=old, new=new)
    return changes


def set_state(order_id: int, state: str, actor: str, now: datetime, **details: Any) -> Order:
    order = Order.get_by_id(order_id)
    old = order.state
    order.state = state
    order.updated_at = now
    if state == OrderState.CONFIRMED:
        order.confirmed_at = now
    order.save()
    audit(now, actor, "order_state_changed", "order", order_id, old=old, new=state, **details)
    return order


def release_reservations(order_id: int) -> int:
    return Reservation.update(active=False).where((Reservation.order == order_id) & Reservation.active).execute()


def list_orders(state: str | None = None) -> list[dict[str, Any]]:
    query = Order.select(Order, Chat).join(Chat).order_by(Order.id)
    if state:
        query = query.where(Order.state == state)
    return [order_dict(order) for order in query]
