"""Application commands: one handler per intention, one transaction each, events after commit.

Every door — the console, the CLI, a manager's WhatsApp `/handoff`, a Telegram button, the
engine itself, tests — calls the same command for the same intention:

    take_over · return_to_bot · send_as_manager · handoff (on/off by a manager's number)
    link_chats · unlink_chat · dismiss_link_offer
    take_ticket · open_handoff_ticket · close_ticket · update_order_field · confirm_order · cancel_order
    cancel_nudges · pause_nudges
    start_announcement · pause_announcement · resume_announcement · cancel_announcement
    set_promo_consent

A command does its writes through `UnitOfWork.run` (all commit or none), then publishes
what happened. Listeners react to the events (the sender drops a taken chat's queued bot
replies, follow-ups cancel their nudges, the console refreshes); a command never calls a
listener directly.

"Give the chat back to the bot" means one thing wherever it comes from (`_give_back`):
the bot owns the chat again, the handoff flag is cleared, every open ticket of the chat
is closed by that manager, the support flow and the misunderstanding/LLM-failure counters
are reset — and the order in progress is kept, so the bot resumes at its next missing field.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from . import events as ev
from .announcements import PAUSE_MANAGER, check_composition
from .clock import Clock
from .dialogue.pricing import check_confirmation
from .dialogue.state import EDITABLE_FIELDS, DialogueState, OrderStateError, order_from_mapping
from .lexicon.cities import canonical_city
from .ports import FollowUps, Inventory, ReservationRefused, Store, UnitOfWork
from .states import OPEN_ORDER_STATES, AnnouncementState, OrderState, Owner, SenderKind, TicketKind

log = logging.getLogger(__name__)


class ConsentRefused(Exception):
    """The customer opted out of promotions themselves: that wins for good, a manager cannot
    tick the box again."""


@dataclass(frozen=True)
class TicketTake:
    """The outcome of «Взять в работу»: won, or who holds the ticket already."""

    won: bool
    holder: str = ""  # the manager who has it (when not won); "" when the ticket is closed or unknown
    chat_id: str = ""

    def __bool__(self) -> bool:
        return self.won


def give_back(store: Store, chat_id: str, manager: str, now: datetime, reason: str) -> tuple[list[int], bool]:
    """The one meaning of "back to the bot" (inside the caller's transaction).
    Returns (closed ticket ids, whether the owner changed)."""
    closed = [t.id for t in store.open_tickets(chat_id) if store.close_ticket(t.id, manager, now)]
    changed = store.set_owner(chat_id, Owner.BOT, manager, now, reason)
    store.clear_needs_human(chat_id, now)
    state = DialogueState.from_json(store.load_state(chat_id))
    state.support_kind = state.support_stage = ""
    state.ticket_id = None
    state.ticket_notice_sent = False
    state.misunderstood = 0
    state.llm_failures = 0
    store.save_state(chat_id, state.to_json(), now)
    return closed, changed


class Commands:
    def __init__(self, uow: UnitOfWork, bus: ev.EventBus, clock: Clock, inventory: Inventory | None = None,
                 followups: FollowUps | None = None) -> None:
        self._uow = uow
        self._bus = bus
        self._clock = clock
        self._inventory = inventory
        self._followups = followups

    def bind_followups(self, followups: FollowUps | None) -> None:
        """The follow-up service is built after the engine (it queues through it)."""
        self._followups = followups

    def _publish(self, *events: ev.Event) -> None:
        for event in events:
            self._bus.publish(event)

    # ---- chat ownership ----------------------------------------------------------------------
    async def take_over(self, chat_id: str, manager: str, reason: str = "taken in the console") -> bool:
        """The manager owns the chat from now on; a bot reply in flight is dropped."""
        now = self._clock.now()
        changed = await self._uow.run(lambda s: s.set_owner(chat_id, Owner.MANAGER, manager, now, reason))
        if changed:
            self._publish(ev.ChatOwnerChanged(chat_id, Owner.MANAGER, manager, reason), ev.ChatUpdated(chat_id))
        return changed

    async def return_to_bot(self, chat_id: str, manager: str, reason: str = "returned to the bot") -> bool:
        now = self._clock.now()
        closed, changed = await self._uow.run(lambda s: give_back(s, chat_id, manager, now, reason))
        for ticket_id in closed:
            self._publish(ev.TicketChanged(ticket_id, chat_id, "CLOSED", manager))
        if changed or closed:
            self._publish(ev.ChatOwnerChanged(chat_id, Owner.BOT, manager, reason))
        self._publish(ev.ChatUpdated(chat_id))
        return changed or bool(closed)

    async def send_as_manager(self, chat_id: str, text: str, manager: str, file_path: Path | None = None,
                              sender_kind: SenderKind = SenderKind.MANAGER_APP,
                              consumed: Callable[[], None] | None = None) -> int:
        """The manager writes as the shop through the outbox; the bot goes quiet in this chat.

        `consumed` runs inside the same transaction: a door with its own inbox (a Telegram
        operator's update) marks its row handled together with the queued message, so a crash
        can neither lose the message nor queue it twice."""
        now = self._clock.now()

        def work(store: Store) -> tuple[bool, int, str]:
            taken = store.set_owner(chat_id, Owner.MANAGER, manager, now, "manager wrote")
            queued = store.queue_message(chat_id, now, text=text, sender_kind=sender_kind, sender_name=manager,
                                         file_path=file_path)
            if consumed is not None:
                consumed()
            return taken, queued.outbox_id, queued.label

        taken, outbox_id, label = await self._uow.run(work)
        if taken:
            self._publish(ev.ChatOwnerChanged(chat_id, Owner.MANAGER, manager, "manager wrote"))
        self._publish(ev.MessageQueued(chat_id, outbox_id, label, sender_kind), ev.ChatUpdated(chat_id))
        return outbox_id

    async def handoff(self, chat_id: str, on: bool, manager: str) -> bool:
        """`/handoff on|off` from a manager's number: the same as taking / giving back."""
        if on:
            return await self.take_over(chat_id, manager, "manager_command")
        return await self.return_to_bot(chat_id, manager, "manager_command")

    async def chat_status(self, chat_id: str) -> str:
        return await self._uow.read(lambda s: s.status_text(chat_id))

    async def chat_exists(self, chat_id: str) -> bool:
        return await self._uow.read(lambda s: s.chat(chat_id) is not None)

    async def audit(self, actor: str, action: str, entity: str, entity_id: Any, **details: Any) -> None:
        now = self._clock.now()
        await self._uow.run(lambda s: s.audit(now, actor, action, entity, entity_id, **details))

    # ---- one customer on two channels -------------------------------------------------------------
    async def link_chats(self, chat_id: str, other_chat_id: str, manager: str) -> bool:
        """Link the same customer's chats on two channels (the console's «Связать чаты»): they show
        each other and share the person's facts (storage/links.py). False when they may not be
        linked (the same channel, one of them linked already, gone)."""
        now = self._clock.now()
        linked = await self._uow.run(lambda s: s.link_chats(chat_id, other_chat_id, manager, now))
        if linked:
            self._publish(ev.ChatUpdated(chat_id), ev.ChatUpdated(other_chat_id))
        return linked

    async def unlink_chat(self, chat_id: str, manager: str) -> bool:
        now = self._clock.now()
        other = await self._uow.run(lambda s: s.unlink_chat(chat_id, manager, now))
        if other:
            self._publish(ev.ChatUpdated(chat_id), ev.ChatUpdated(other))
        return bool(other)

    async def dismiss_link_offer(self, chat_id: str, other_chat_id: str, manager: str) -> bool:
        """«Не связывать»: the console stops offering to link these two chats, for good and on
        every seat; they can still be linked by hand (the customer card). False when there was
        nothing to dismiss (already dismissed, the same channel, gone)."""
        now = self._clock.now()
        dismissed = await self._uow.run(lambda s: s.dismiss_link_offer(chat_id, other_chat_id, manager, now))
        if dismissed:
            self._publish(ev.ChatUpdated(chat_id), ev.ChatUpdated(other_chat_id))
        return dismissed

    # ---- tickets -----------------------------------------------------------------------------------
    async def take_ticket(self, ticket_id: int, manager: str) -> TicketTake:
        """WAITING → ASSIGNED; the first manager wins and gets the chat; a later one learns who has it."""
        now = self._clock.now()

        def work(store: Store) -> TicketTake:
            ticket = store.ticket(ticket_id)
            if ticket is None:
                return TicketTake(False)
            if not store.take_ticket(ticket_id, manager, now):
                again = store.ticket(ticket_id)
                return TicketTake(False, again.manager if again else "", ticket.chat_id)
            store.set_owner(ticket.chat_id, Owner.MANAGER, manager, now, "ticket assigned")
            return TicketTake(True, manager, ticket.chat_id)

        result = await self._uow.run(work)
        if result.won:
            self._publish(ev.TicketChanged(ticket_id, result.chat_id, "ASSIGNED", manager),
                          ev.ChatOwnerChanged(result.chat_id, Owner.MANAGER, manager, "ticket"),
                          ev.ChatUpdated(result.chat_id))
        return result

    async def open_handoff_ticket(self, chat_id: str, summary: str) -> int | None:
        """A chat the bot handed to a person gets a WAITING ticket of kind `handoff` when none is
        open, so it can be taken like any ticket (first wins) — the operators' group needs one to
        post a card. None when nothing is waiting: a ticket is open already, a manager owns the
        chat, or the handoff was cleared meanwhile."""
        now = self._clock.now()

        def work(store: Store) -> int | None:
            chat = store.chat(chat_id)
            if chat is None or not chat.needs_human or chat.owner != Owner.BOT or store.open_tickets(chat_id):
                return None
            return store.create_ticket(chat_id, TicketKind.HANDOFF, summary, now, "bot")

        ticket_id = await self._uow.run(work)
        if ticket_id is not None:
            self._publish(ev.TicketChanged(ticket_id, chat_id, "WAITING"), ev.ChatUpdated(chat_id))
        return ticket_id

    async def close_ticket(self, ticket_id: int, manager: str) -> bool:
        """Close the ticket; when no other ticket of the chat is open the chat goes back to the bot
        (the same `give_back` as «Вернуть боту»). False when it was already closed."""
        now = self._clock.now()

        def work(store: Store) -> tuple[str, list[int], bool] | None:
            ticket = store.ticket(ticket_id)
            if ticket is None or not store.close_ticket(ticket_id, manager, now):
                return None
            if store.open_tickets(ticket.chat_id):
                return ticket.chat_id, [], False  # another ticket is still open: the manager keeps the chat
            closed, _ = give_back(store, ticket.chat_id, manager, now, "ticket closed")
            return ticket.chat_id, closed, True

        done = await self._uow.run(work)
        if done is None:
            return False
        chat_id, also_closed, back_to_bot = done
        self._publish(ev.TicketChanged(ticket_id, chat_id, "CLOSED", manager))
        for other in also_closed:
            self._publish(ev.TicketChanged(other, chat_id, "CLOSED", manager))
        if back_to_bot:
            self._publish(ev.ChatOwnerChanged(chat_id, Owner.BOT, manager, "ticket closed"))
        self._publish(ev.ChatUpdated(chat_id))
        return True

    # ---- orders ------------------------------------------------------------------------------------
    def _draft(self, order: dict[str, Any]) -> Any:
        index = self._inventory.index if self._inventory is not None else None
        product = order["product"]
        colors = index.colors_of(product) if index is not None and product else ()
        sizes = [s for s in index.sizes_of(product, None, in_stock_only=False) if s] if index is not None and product \
            else ()
        return order_from_mapping(order, colors=colors, sizes=sizes)

    async def update_order_field(self, order_id: int, field: str, value: Any, actor: str) -> dict[str, Any]:
        """A manager edits one field; a draft/ready order re-settles its state. Returns the order."""
        if field not in EDITABLE_FIELDS:
            raise OrderStateError(f"field {field!r} cannot be edited")
        if field == "city" and value:
            value = canonical_city(str(value)) or str(value).strip()
        now = self._clock.now()

        def work(store: Store) -> dict[str, Any]:
            current = store.order(order_id)
            if current is None:
                raise OrderStateError(f"order {order_id} does not exist")
            if current["state"] == OrderState.CANCELLED:
                raise OrderStateError("a cancelled order cannot be edited")
            store.update_order(order_id, {field: value}, actor, now)
            updated = store.order(order_id) or current
            if updated["state"] in OPEN_ORDER_STATES:
                settled = OrderState.READY if self._draft(updated).is_complete else OrderState.DRAFT
                if settled != updated["state"]:
                    store.set_order_state(order_id, settled, actor, now)
                    updated = {**updated, "state": str(settled)}
            return updated

        updated = await self._uow.run(work)
        self._publish(ev.OrderChanged(updated["chat_id"], order_id, updated["state"], updated))
        return updated

    async def confirm_order(self, order_id: int, actor: str) -> dict[str, Any]:
        """Confirm with the stock checked now and one unit held, in one transaction; raises
        `OrderStateError` (reason in English) when the order may not be confirmed."""
        if self._inventory is None:
            raise OrderStateError("no stock file is loaded")
        index = self._inventory.index
        now = self._clock.now()

        def work(store: Store) -> dict[str, Any]:
            order = store.order(order_id)
            if order is None:
                raise OrderStateError(f"order {order_id} does not exist")
            if order["state"] not in OPEN_ORDER_STATES:
                raise OrderStateError(f"order is {order['state']}")
            # the price the bot promised in this chat (a promotion or partner price) still holds here too
            state = DialogueState.from_json(store.load_state(order["chat_id"]))
            check = check_confirmation(self._draft(order), index, store.reserved(index.version),
                                       promises=state.promises, now=now, today=self._clock.local(now).date(),
                                       partner_code=state.partner_code)
            if not check.ok or check.hold is None:
                raise OrderStateError(_why_not(check.reason))
            if check.price is not None:
                store.update_order(order_id, check.order_values(), actor, now)
            store.set_order_state(order_id, OrderState.CONFIRMED, actor, now)
            hold = check.hold
            if not store.reserve(order_id, hold.item_key, hold.quantity, hold.version, hold.on_file):
                raise ReservationRefused(hold.item_key)
            return store.order(order_id) or order

        try:
            confirmed = await self._uow.run(work)
        except ReservationRefused as refused:
            log.warning("order %s not confirmed: stock line %s was taken meanwhile", order_id, refused)
            raise OrderStateError("the item is not in stock") from refused
        self._publish(ev.OrderChanged(confirmed["chat_id"], order_id, OrderState.CONFIRMED, confirmed))
        return confirmed

    async def cancel_order(self, order_id: int, actor: str) -> dict[str, Any]:
        now = self._clock.now()

        def work(store: Store) -> tuple[dict[str, Any], bool]:
            order = store.order(order_id)
            if order is None:
                raise OrderStateError(f"order {order_id} does not exist")
            if order["state"] == OrderState.CANCELLED:
                return order, False
            store.set_order_state(order_id, OrderState.CANCELLED, actor, now)
            released = store.release_reservations(order_id)
            if released:
                log.info("released %d reservations of order %s", released, order_id)
            return replace_state(order, OrderState.CANCELLED), True

        cancelled, changed = await self._uow.run(work)
        if changed:
            self._publish(ev.OrderChanged(cancelled["chat_id"], order_id, OrderState.CANCELLED, cancelled))
        return cancelled

    # ---- follow-ups ----------------------------------------------------------------------------------
    async def cancel_nudges(self, chat_id: str, manager: str) -> int:
        if self._followups is None:
            return 0
        return await self._followups.cancel(chat_id, manager)

    async def pause_nudges(self, paused: bool, manager: str) -> None:
        if self._followups is not None:
            await self._followups.pause_all(paused, manager)


    # ---- announcements and consent (issue 16) ---------------------------------------------------------
    async def start_announcement(self, promotion_id: str, title: str, text: str, photos: Sequence[Path],
                                 manager: str) -> tuple[int, int]:
        """Create an announcement with its recipients fixed now (the dry run's list) and start
        it; the leading seat's pacer sends it. Returns (announcement id, recipient count);
        raises `AnnouncementError` for an empty text or more than 3 photos."""
        clean, pictures = check_composition(text, photos)
        now = self._clock.now()
        announcement_id, count = await self._uow.run(
            lambda s: s.create_announcement(promotion_id, title, clean, pictures, manager, now))
        self._publish(ev.AnnouncementChanged(announcement_id, AnnouncementState.SENDING, manager))
        return announcement_id, count

    async def _announcement_state(self, announcement_id: int, state: AnnouncementState, manager: str,
                                  reason: str = "") -> bool:
        now = self._clock.now()
        changed = await self._uow.run(
            lambda s: s.set_announcement_state(announcement_id, state, manager, now, reason, manager if reason else ""))
        if changed:
            self._publish(ev.AnnouncementChanged(announcement_id, state, manager, reason, manager if reason else ""))
        return changed

    async def pause_announcement(self, announcement_id: int, manager: str) -> bool:
        return await self._announcement_state(announcement_id, AnnouncementState.PAUSED, manager, PAUSE_MANAGER)

    async def resume_announcement(self, announcement_id: int, manager: str) -> bool:
        """Paused → sending (after a failure pause too: the manager decides the channel is fine)."""
        return await self._announcement_state(announcement_id, AnnouncementState.SENDING, manager)

    async def cancel_announcement(self, announcement_id: int, manager: str) -> bool:
        """No further chat gets it; what is already in the outbox goes out as usual."""
        return await self._announcement_state(announcement_id, AnnouncementState.CANCELLED, manager)

    async def set_promo_consent(self, chat_id: str, consent: bool, manager: str) -> bool:
        """The manager ticks «Согласие на рассылку» (consent, source manager:<name>) or unticks it
        (an opt-out by the manager). Raises `ConsentRefused` when the customer opted out."""
        now = self._clock.now()

        def work(store: Store) -> str:
            outcome = store.set_promo_consent_by_manager(chat_id, consent, manager, now)
            if outcome == "changed":
                store.audit(now, manager, "promo_consent" if consent else "promo_opt_out", "chat", chat_id)
            return outcome

        outcome = await self._uow.run(work)
        if outcome == "refused":
            raise ConsentRefused(chat_id)
        if outcome == "changed":
            self._publish(ev.ChatUpdated(chat_id))
        return outcome == "changed"


def replace_state(order: dict[str, Any], state: OrderState) -> dict[str, Any]:
    return {**order, "state": str(state)}


def _why_not(reason: str) -> str:
    if reason.startswith("missing:"):
        return "missing fields: " + reason.split(":", 1)[1].replace(",", ", ")
    return "the item is not in stock"


