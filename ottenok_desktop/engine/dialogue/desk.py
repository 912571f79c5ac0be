"""Engine commands the console calls for orders and tickets (every change audited).

`OrderDesk`: edit a field, confirm (stock checked at that moment, item reserved), cancel
(reservation released). `TicketDesk`: take a ticket (first manager wins, the chat goes to
that manager), close it (the chat goes back to the bot).
"""

from __future__ import annotations

import logging
from typing import Any

from ottenok_desktop.engine.events import ChatOwnerChanged, EventBus, OrderChanged, TicketChanged

from .state import EDITABLE_FIELDS, OPEN_STATES, OrderStateError, order_from_mapping

log = logging.getLogger(__name__)


class OrderDesk:
    def __init__(self, *, db: Any, bus: EventBus, inventory: Any, clock: Any) -> None:
        self.db = db
        self.bus = bus
        self.inventory = inventory
        self.clock = clock

    async def _order(self, order_id: int) -> dict[str, Any]:
        from ottenok_desktop.services.storage import orders as repo

        def load() -> dict[str, Any] | None:
            row = repo.get_order(order_id)
            return repo.order_dict(row) if row else None

        found = await self.db.call(load)
        if found is None:
            raise OrderStateError(f"order {order_id} does not exist")
        return found

    async def update_order_field(self, order_id: int, field: str, value: Any, actor: str) -> dict[str, Any]:
        """A manager edits one field; a draft/ready order re-settles its state. Returns the order."""
        from ottenok_desktop.engine.lexicon.cities import canonical_city
        from ottenok_desktop.services.storage import orders as repo

        if field not in EDITABLE_FIELDS:
            raise OrderStateError(f"field {field!r} cannot be edited")
        current = await self._order(order_id)
        if current["state"] == "cancelled":
            raise OrderStateError("a cancelled order cannot be edited")
        if field == "city" and value:
            value = canonical_city(str(value)) or str(value).strip()
        now = self.clock.now()
        await self.db.atomic(repo.update_fields, order_id, {field: value}, actor, now)
        updated = await self._order(order_id)
        if updated["state"] in OPEN_STATES:
            draft = self._draft(updated)
            settled = "ready" if draft.is_complete else "draft"
            if settled != updated["state"]:
                await self.db.atomic(repo.set_state, order_id, settled, actor, now)
                updated["state"] = settled
        self.bus.publish(OrderChanged(updated["chat_id"], order_id, updated["state"], updated))
        return updated

    def _draft(self, order: dict[str, Any]) -> Any:
        index = getattr(self.inventory, "index", None)
        colors = index.colors_of(order["product"]) if index is not None and order["product"] else ()
        sizes = [s for s in index.sizes_of(order["product"], None, in_stock_only=False) if s] \
            if index is not None and order["product"] else ()
        return order_from_mapping(order, colors=colors, sizes=sizes)

    async def confirm_order(self, order_id: int, actor: str) -> dict[str, Any]:
        """Confirm with the stock checked now; raises `OrderStateError` (reason in English) otherwise."""
        from ottenok_desktop.services.storage import orders as repo

        order = await self._order(order_id)
        if order["state"] not in OPEN_STATES:
            raise OrderStateError(f"order is {order['state']}")
        draft = self._draft(order)
        if draft.missing_fields():
            raise OrderStateError(f"missing fields: {', '.join(draft.missing_fields())}")
        answer = await self.inventory.query(order["product"], order["size"] or None, order["color"] or None)
        if answer.status != "in_stock":
            raise OrderStateError("the item is not in stock")
        price = self.inventory.index.price_of(order["product"], order["color"] or None, order["size"] or None)
        now = self.clock.now()
        if price is not None:
            await self.db.atomic(repo.update_fields, order_id, {"price": price}, actor, now)
        await self.db.atomic(repo.set_state, order_id, "confirmed", actor, now)
        await self.inventory.reserve(order_id, order["product"], order["size"] or None, order["color"] or None)
        confirmed = await self._order(order_id)
        self.bus.publish(OrderChanged(confirmed["chat_id"], order_id, "confirmed", confirmed))
        return confirmed

    async def cancel_order(self, order_id: int, actor: str) -> dict[str, Any]:
        from ottenok_desktop.services.storage import orders as repo

        order = await self._order(order_id)
        if order["state"] == "cancelled":
            return order
        now = self.clock.now()

        def cancel() -> None:
            repo.set_state(order_id, "cancelled", actor, now)
            repo.release_reservations(order_id)

        await self.db.atomic(cancel)
        await self.inventory.release(order_id)  # the service's own bookkeeping (and its log line)
        cancelled = await self._order(order_id)
        self.bus.publish(OrderChanged(cancelled["chat_id"], order_id, "cancelled", cancelled))
        return cancelled


class TicketDesk:
    def __init__(self, *, db: Any, bus: EventBus, clock: Any) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock

    async def take_ticket(self, ticket_id: int, manager: str) -> bool:
        """WAITING → ASSIGNED; the first manager wins and gets the chat; a second gets False."""
        from ottenok_desktop.services.storage import chats, tickets

        now = self.clock.now()

        def take() -> str | None:
            if not tickets.take(ticket_id, manager, now):
                return None
            ticket = tickets.get_ticket(ticket_id)
            chat_id = ticket.chat.chat_id
            chats.set_owner(chat_id, "manager", manager, now, "ticket assigned")
            return chat_id

        chat_id = await self.db.atomic(take)
        if chat_id is None:
            return False
        self.bus.publish(TicketChanged(ticket_id, chat_id, "ASSIGNED", manager))
        self.bus.publish(ChatOwnerChanged(chat_id, "manager", manager, "ticket"))
        return True

    async def close_ticket(self, ticket_id: int, manager: str) -> bool:
        """Close the ticket; the chat goes back to the bot. False when it was already closed."""
        from ottenok_desktop.services.storage import tickets

        from .support import _give_back_to_bot

        now = self.clock.now()

        def close() -> tuple[str, bool] | None:
            ticket = tickets.get_ticket(ticket_id)
            if ticket is None or not tickets.close(ticket_id, manager, now):
                return None
            chat_id = ticket.chat.chat_id
            if tickets.open_ticket(chat_id) is not None:
                return chat_id, False  # another ticket is still open: the manager keeps the chat
            _give_back_to_bot(chat_id, manager, now)
            return chat_id, True

        closed = await self.db.atomic(close)
        if closed is None:
            return False
        chat_id, back_to_bot = closed
        self.bus.publish(TicketChanged(ticket_id, chat_id, "CLOSED", manager))
        if back_to_bot:
            self.bus.publish(ChatOwnerChanged(chat_id, "bot", manager, "ticket closed"))
        return True


class Desk:
    """Both desks behind one object, as the bootstrap builds it: `Desk(db, bus, inventory, clock)`."""

    def __init__(self, db: Any, bus: EventBus, inventory: Any, clock: Any) -> None:
        self.orders = OrderDesk(db=db, bus=bus, inventory=inventory, clock=clock)
        self.tickets = TicketDesk(db=db, bus=bus, clock=clock)

    async def update_order_field(self, order_id: int, field: str, value: Any, actor: str) -> dict[str, Any]:
        return await self.orders.update_order_field(order_id, field, value, actor)

    async def confirm_order(self, order_id: int, actor: str) -> dict[str, Any]:
        return await self.orders.confirm_order(order_id, actor)

    async def cancel_order(self, order_id: int, actor: str) -> dict[str, Any]:
        return await self.orders.cancel_order(order_id, actor)

    async def take_ticket(self, ticket_id: int, manager: str) -> bool:
        return await self.tickets.take_ticket(ticket_id, manager)

    async def close_ticket(self, ticket_id: int, manager: str) -> bool:
        return await self.tickets.close_ticket(ticket_id, manager)
