"""The support flow inside a turn: warranty, return, exchange, handoffs, manager commands.

warranty → ask what happened, where it was bought, photos/video/receipt → the next
  customer turn becomes a ticket `WAITING` with its attachments;
return → the return policy from the knowledge base, then an offer: warranty or a manager;
exchange / asks for a person / complaint / payment trouble → ticket and handoff;
while a ticket is open the bot does not sell: one short "менеджер скоро ответит", and
  further words and files are added to the ticket.
Manager WhatsApp commands `/handoff on|off|status <phone>` work only from
`MANAGER_NUMBERS`; from anyone else they are ignored and audited.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.events import ChatOwnerChanged, EventBus, GuardTriggered, TicketChanged
from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn

from . import commands as cmd
from . import intents as it
from .extraction import Extracted
from .kbfacts import compose_faq, snippets_from_hits
from .plan import TurnPlan
from .state import DialogueState

log = logging.getLogger(__name__)

ATTACHMENT_TYPES = ("image", "video", "document", "audio")
RETURN_POLICY_QUERY = "возврат товара условия возврата "
TICKET_KIND_OF_REASON = {"warranty": "warranty", "return": "return", "exchange": "return"}
HANDOFF_TEXTS = {
    "ask_person": texts.HANDOFF_ASK_PERSON, "complaint": texts.HANDOFF_COMPLAINT,
    "payment_trouble": texts.HANDOFF_PAYMENT, "exchange": texts.EXCHANGE_REGISTERED,
    "return": texts.RETURN_REGISTERED, "warranty": texts.WARRANTY_REGISTERED,
}


def attachments_of(turn: Turn) -> list[dict[str, Any]]:
    return [
        {"message_id": m.message_id, "content_type": m.content_type, "media_url": m.media_url,
         "media_name": m.media_name, "caption": m.text}
        for m in turn.messages if m.content_type in ATTACHMENT_TYPES
    ]


def _no_product(text: str) -> str:
    return ""  # the return policy is about no product in particular


def _reply(text: str, reason: str = "", notes: tuple[str, ...] = ()) -> Reply:
    return Reply(parts=(OutgoingPart(text=text),), draft=text,
                 handoff_reason=texts.HANDOFF_REASONS.get(reason, reason) if reason else "", notes=notes)


class SupportDesk:
    def __init__(self, *, db: Any, bus: EventBus, clock: Any, settings: Any, knowledge: Any) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.settings = settings
        self.knowledge = knowledge

    # ---- tickets (written with the rest of the turn: see plan.py) -------------------------
    def _create_ticket(self, turn: Turn, kind: str, reason: str, state: DialogueState, plan: TurnPlan,
                       extra: dict[str, Any] | None = None) -> int:
        details: dict[str, Any] = {"reason": reason, "messages": [turn.text] if turn.text else [],
                                   "attachments": attachments_of(turn)}
        details.update(extra or {})
        summary = f"{texts.HANDOFF_REASONS.get(reason, reason)}: {turn.text}".strip(": ")
        ticket_id = plan.create_ticket(kind, summary, details)
        state.ticket_id = ticket_id
        state.ticket_notice_sent = False
        state.support_kind = ""
        state.support_stage = ""
        state.step = "support"
        plan.publish(TicketChanged(ticket_id, turn.chat_id, "WAITING"))
        return ticket_id

    def open_handoff_ticket(self, turn: Turn, reason: str, state: DialogueState, plan: TurnPlan) -> int:
        kind = TICKET_KIND_OF_REASON.get(reason, "other")
        return self._create_ticket(turn, kind, reason, state, plan)

    def while_ticket_open(self, turn: Turn, ticket: dict[str, Any], state: DialogueState, plan: TurnPlan) -> Reply:
        """No selling while a ticket is open: keep what the customer sends, say once that a manager is coming."""
        plan.add_to_ticket(int(ticket["id"]), turn.text, attachments_of(turn))
        if state.ticket_notice_sent:
            return Reply(notes=("ticket_open:silent",))
        state.ticket_notice_sent = True
        return _reply(texts.MANAGER_SOON, notes=("ticket_open",))

    # ---- the support flow ----------------------------------------------------------------
    async def support_turn(self, turn: Turn, extracted: Extracted, state: DialogueState,
                           plan: TurnPlan) -> Reply | None:
        """A reply when this turn belongs to the support flow, else None (selling goes on)."""
        intents = extracted.intents
        if state.support_stage == "ask_details" and state.support_kind == "warranty":
            # whatever came after our questions (words, photos, a receipt) makes the ticket
            self._create_ticket(turn, "warranty", "warranty", state, plan)
            return _reply(texts.WARRANTY_REGISTERED, "warranty", ("ticket:warranty",))
        if state.support_stage == "offer_choice":
            state.support_stage = ""
            if it.WARRANTY in intents or "гарант" in turn.text.lower():
                return self._ask_warranty_details(state)
            if intents & {it.ASK_PERSON, it.YES, it.RETURN, it.EXCHANGE, it.COMPLAINT}:
                self._create_ticket(turn, "return", "return", state, plan)
                return _reply(texts.RETURN_REGISTERED, "return", ("ticket:return",))
        if it.WARRANTY in intents:
            return self._ask_warranty_details(state)
        if it.RETURN in intents and not intents & {it.EXCHANGE, it.COMPLAINT, it.PAYMENT_TROUBLE}:
            return await self._return_policy(turn, state)
        reason = it.handoff_intent(intents)
        if reason in (it.ASK_PERSON, it.COMPLAINT, it.PAYMENT_TROUBLE, it.EXCHANGE):
            self.open_handoff_ticket(turn, reason, state, plan)
            return _reply(HANDOFF_TEXTS[reason], reason, (f"ticket:{reason}",))
        return None

    def _ask_warranty_details(self, state: DialogueState) -> Reply:
        state.support_kind = "warranty"
        state.support_stage = "ask_details"
        state.step = "support"
        return _reply(texts.WARRANTY_ASK_DETAILS, notes=("warranty:ask_details",))

    async def _return_policy(self, turn: Turn, state: DialogueState) -> Reply:
        policy = ""
        if self.knowledge is not None:
            query = RETURN_POLICY_QUERY + turn.text
            try:
                hits = await self.knowledge.search(query, 3)
            except Exception:
                log.exception("knowledge search failed for the return policy")
                hits = []
            # the policy's own sentences: no section path, no chat lines, 1–3 sentences
            answer = compose_faq(query, snippets_from_hits(hits, _no_product))
            policy = answer.text if answer is not None else ""
        state.support_kind = "return"
        state.support_stage = "offer_choice"
        state.step = "support"
        first = f"{texts.RETURN_POLICY_INTRO}\n{policy}" if policy else texts.RETURN_POLICY_FALLBACK
        parts = (OutgoingPart(text=first), OutgoingPart(text=texts.RETURN_OFFER_CHOICE))
        return Reply(parts=parts, draft="\n".join(p.text for p in parts), notes=("return:policy",))

    # ---- manager commands ----------------------------------------------------------------
    async def manager_command(self, turn: Turn, now: datetime) -> Reply | None:
        text = turn.text.strip()
        if not cmd.is_command(text):
            return None
        from ottenok_desktop.services.storage import chats

        if not cmd.is_manager(turn.phone, getattr(self.settings, "manager_numbers", ())):
            log.warning("manager command from a number that is not a manager: %s", turn.phone)
            await self.db.call(chats.audit, now, turn.phone, "manager_command_rejected", "chat", turn.chat_id,
                               text=text[:200])
            self.bus.publish(GuardTriggered(turn.chat_id, "manager_command", "not a manager number; ignored"))
            return Reply(notes=("manager_command:rejected",))
        command = cmd.parse_command(text)
        if command is None or not command.action:
            return _reply(texts.CMD_USAGE, notes=("manager_command:usage",))
        manager = f"+{cmd.normalize_phone(turn.phone)}"
        target = cmd.chat_id_for(command.phone)
        await self.db.call(chats.audit, now, manager, f"manager_command_{command.action}", "chat", target,
                           text=text[:200])
        if command.action == "status":
            return _reply(await self.db.call(_status_text, target), notes=("manager_command:status",))
        exists = await self.db.call(chats.find_chat, target)
        if exists is None:
            return _reply(texts.CMD_NO_CHAT.format(phone=command.phone), notes=("manager_command:no_chat",))
        if command.action == "on":
            await self.db.atomic(chats.set_owner, target, "manager", manager, now, "manager_command")
            self.bus.publish(ChatOwnerChanged(target, "manager", manager, "manager_command"))
            return _reply(texts.CMD_HANDOFF_ON.format(phone=command.phone), notes=("manager_command:on",))
        closed = await self.db.atomic(_give_back_to_bot, target, manager, now)
        for ticket_id in closed:
            self.bus.publish(TicketChanged(ticket_id, target, "CLOSED", manager))
        self.bus.publish(ChatOwnerChanged(target, "bot", manager, "manager_command"))
        return _reply(texts.CMD_HANDOFF_OFF.format(phone=command.phone), notes=("manager_command:off",))


def _give_back_to_bot(chat_id: str, manager: str, now: datetime) -> list[int]:
    """Owner → bot, handoff flag cleared, open tickets closed, the support flow reset."""
    from ottenok_desktop.services.storage import chats, tickets
    from ottenok_desktop.services.storage.models import Chat

    chats.set_owner(chat_id, "bot", manager, now, "back to bot")
    closed: list[int] = []
    while (ticket := tickets.open_ticket(chat_id)) is not None:
        tickets.close(ticket.id, manager, now)
        closed.append(ticket.id)
    chat = Chat.get(Chat.chat_id == chat_id)
    state = DialogueState.from_json(chat.state_json)
    state.support_kind = state.support_stage = ""
    state.ticket_id = None
    state.ticket_notice_sent = False
    state.misunderstood = 0
    state.llm_failures = 0
    chat.state_json = state.to_json()
    chat.needs_human = False
    chat.handoff_reason = ""
    chat.updated_at = now
    chat.save()
    return closed


def _status_text(chat_id: str) -> str:
    from ottenok_desktop.services.storage import chats, orders, tickets

    phone = chats.phone_of(chat_id)
    chat = chats.find_chat(chat_id)
    if chat is None:
        return texts.CMD_NO_CHAT.format(phone=phone)
    owner = texts.CMD_OWNER_BOT if chat.owner == "bot" else texts.CMD_OWNER_MANAGER.format(name=chat.owner_name)
    needs = texts.CMD_NEEDS_HUMAN.format(reason=chat.handoff_reason) if chat.needs_human else ""
    order = orders.latest_order(chat_id)
    if order is None:
        order_text = texts.CMD_NO_ORDER
    else:
        details = ", ".join(x for x in (order.product, order.size, order.color, order.city) if x)
        order_text = texts.CMD_ORDER.format(state=texts.ORDER_STATES_RU.get(order.state, order.state),
                                            details=f" ({details})" if details else "")
    ticket = tickets.open_ticket(chat_id)
    ticket_text = texts.CMD_TICKET.format(id=ticket.id, kind=texts.TICKET_KINDS_RU.get(ticket.kind, ticket.kind),
                                          status=texts.TICKET_STATUSES_RU.get(ticket.status, ticket.status)) if ticket else ""
    return texts.CMD_STATUS.format(phone=phone, owner=owner, needs_human=needs, order=order_text, ticket=ticket_text)
