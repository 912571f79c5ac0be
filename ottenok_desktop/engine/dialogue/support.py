"""The support flow inside a turn: warranty, return, exchange, handoffs, manager commands.

warranty → ask what happened, where it was bought, photos/video/receipt → the next
  customer turn becomes a ticket `WAITING` with its attachments;
return → the return policy from the knowledge base, then an offer: warranty or a manager;
exchange / complaint / payment trouble → ticket and handoff;
an explicit request for a person (`reading.route` decides it wins over any topic) → a
  WAITING ticket of the topic named with it, and a handoff, in the same turn (a recognised
  partner's ticket is marked partner: the predecessor's "appeals to a specialist");
while a ticket is open the bot does not sell: one short "менеджер скоро ответит", and
  further words and files are added to the ticket.
Manager WhatsApp commands `/handoff on|off|status <phone>` work only from
`MANAGER_NUMBERS`; from anyone else they are ignored and audited. They run the same
application commands as the console (`engine/commands.py`).

Everything here only fills the turn's plan; nothing is written until the turn commits.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ottenok_desktop.engine import texts
from ottenok_desktop.engine.commands import Commands
from ottenok_desktop.engine.events import EventBus, GuardTriggered, TicketChanged
from ottenok_desktop.engine.ports import Knowledge
from ottenok_desktop.engine.states import TicketKind
from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn

from . import intents as it
from . import manager_commands as cmd
from .kbfacts import compose_faq, snippets_from_hits
from .plan import TurnPlan
from .reading import Reading
from .state import DialogueState

log = logging.getLogger(__name__)

ATTACHMENT_TYPES = ("image", "video", "document", "audio")
RETURN_POLICY_QUERY = "возврат товара условия возврата "
TICKET_KIND_OF_REASON = {it.WARRANTY: TicketKind.WARRANTY, it.RETURN: TicketKind.RETURN,
                         it.EXCHANGE: TicketKind.RETURN}
# the customer already bought ("взяла у вас", "купила"): a return/exchange to arrange, not a question
_BOUGHT = re.compile(r"(?<![а-я])(?:взял\w*|купил\w*|брал[аи]?|заказывал\w*|получил\w*|покупал\w*)(?![а-я])")
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
    def __init__(self, *, commands: Commands, bus: EventBus, manager_numbers: tuple[str, ...],
                 knowledge: Knowledge | None) -> None:
        self.commands = commands
        self.bus = bus
        self.manager_numbers = manager_numbers
        self.knowledge = knowledge

    # ---- tickets (written with the rest of the turn: see plan.py) -------------------------
    def _create_ticket(self, turn: Turn, kind: str, reason: str, state: DialogueState, plan: TurnPlan,
                       extra: dict[str, Any] | None = None) -> int:
        details: dict[str, Any] = {"reason": reason, "messages": [turn.text] if turn.text else [],
                                   "attachments": attachments_of(turn)}
        details.update(extra or {})
        if state.partner_code:
            details["partner_code"] = state.partner_code
        summary = f"{texts.HANDOFF_REASONS.get(reason, reason)}: {turn.text}".strip(": ")
        # a recognised partner's request (the predecessor's "appeal") is marked: first in the queue
        ticket_id = plan.create_ticket(kind, summary, details, partner=bool(state.partner_code))
        state.ticket_id = ticket_id
        state.ticket_notice_sent = False
        state.support_kind = ""
        state.support_stage = ""
        state.step = "support"
        plan.publish(TicketChanged(ticket_id, turn.chat_id, "WAITING"))
        return ticket_id

    def open_handoff_ticket(self, turn: Turn, reason: str, state: DialogueState, plan: TurnPlan) -> int:
        kind = TICKET_KIND_OF_REASON.get(reason, TicketKind.OTHER)
        return self._create_ticket(turn, kind, reason, state, plan)

    def person_turn(self, turn: Turn, reading: Reading, ticket: dict[str, Any] | None, state: DialogueState,
                    plan: TurnPlan) -> Reply:
        """The customer asked for a human: a ticket (with the topic they named) and a handoff, now."""
        if ticket is not None:
            plan.add_to_ticket(int(ticket["id"]), turn.text, attachments_of(turn))
            state.ticket_notice_sent = True
            return _reply(texts.MANAGER_SOON, "ask_person", ("ticket_open:person",))
        topic = reading.topic or state.support_kind
        kind = TICKET_KIND_OF_REASON.get(topic, TicketKind.OTHER)
        self._create_ticket(turn, kind, "ask_person", state, plan, {"topic": topic, "asked": reading.person_phrase})
        return _reply(texts.HANDOFF_ASK_PERSON, "ask_person", (f"ticket:ask_person:{topic or 'other'}",))

    def while_ticket_open(self, turn: Turn, ticket: dict[str, Any], state: DialogueState, plan: TurnPlan) -> Reply:
        """No selling while a ticket is open: keep what the customer sends, say once that a manager is coming."""
        plan.add_to_ticket(int(ticket["id"]), turn.text, attachments_of(turn))
        if state.ticket_notice_sent:
            return Reply(notes=("ticket_open:silent",))
        state.ticket_notice_sent = True
        return _reply(texts.MANAGER_SOON, notes=("ticket_open",))

    # ---- the support flow ----------------------------------------------------------------
    async def support_turn(self, turn: Turn, reading: Reading, state: DialogueState, plan: TurnPlan) -> Reply | None:
        """A reply when this turn belongs to the support flow, else None (selling goes on)."""
        intents = reading.intents
        if state.support_stage == "ask_details" and state.support_kind == "warranty":
            # whatever came after our questions (words, photos, a receipt) makes the ticket
            self._create_ticket(turn, TicketKind.WARRANTY, "warranty", state, plan)
            return _reply(texts.WARRANTY_REGISTERED, "warranty", ("ticket:warranty",))
        if state.support_stage == "offer_choice":
            state.support_stage = ""
            if it.WARRANTY in intents or "гарант" in turn.text.lower():
                return self._ask_warranty_details(state)
            # "а лоферы 38 есть?" turns to buying; "чек есть, не носила" answers our question
            asks_stock = it.ASK_AVAILABILITY in intents and it.QUESTION in intents
            wants_to_buy = bool(intents & {it.ASK_PRICE, it.WANT_ORDER} or asks_stock) and not intents & {
                it.RETURN, it.EXCHANGE}
            if not wants_to_buy:
                # after the policy and «гарантия или менеджер?», what they tell us (a receipt kept,
                # "не носила", "да", "менеджера") goes to a person with the return ticket
                self._create_ticket(turn, TicketKind.RETURN, "return", state, plan)
                return _reply(texts.RETURN_REGISTERED, "return", ("ticket:return",))
        if it.WARRANTY in intents:
            return self._ask_warranty_details(state)
        if it.EXCHANGE in intents and _BOUGHT.search(turn.text.lower()) and not intents & {it.COMPLAINT,
                                                                                            it.PAYMENT_TROUBLE}:
            # "взяла у вас лоферы, маловаты, можно обменять на 39?": the policy in one line and a
            # person who checks the size and arranges it
            policy = await self._policy_text(turn)
            self.open_handoff_ticket(turn, it.EXCHANGE, state, plan)
            text = f"{policy}\n{texts.EXCHANGE_REGISTERED}" if policy else texts.EXCHANGE_REGISTERED
            return _reply(text, it.EXCHANGE, ("ticket:exchange",))
        if intents & {it.RETURN, it.EXCHANGE} and not intents & {it.COMPLAINT, it.PAYMENT_TROUBLE}:
            # a return, or an exchange asked about ("если не подойдёт, можно обменять?"), first gets
            # the shop's policy and a choice
            return await self._return_policy(turn, state)
        reason = reading.topic
        if reason in (it.COMPLAINT, it.PAYMENT_TROUBLE, it.EXCHANGE):
            self.open_handoff_ticket(turn, reason, state, plan)
            return _reply(HANDOFF_TEXTS[reason], reason, (f"ticket:{reason}",))
        return None

    def _ask_warranty_details(self, state: DialogueState) -> Reply:
        state.support_kind = "warranty"
        state.support_stage = "ask_details"
        state.step = "support"
        return _reply(texts.WARRANTY_ASK_DETAILS, notes=("warranty:ask_details",))

    async def _policy_text(self, turn: Turn, max_sentences: int = 3) -> str:
        """The shop's return/exchange policy sentences for this message, or ""."""
        if self.knowledge is None:
            return ""
        query = RETURN_POLICY_QUERY + turn.text
        try:
            hits = await self.knowledge.search(query, 3)
        except Exception:  # the policy is optional: the fallback text still answers
            log.exception("knowledge search failed for the return policy")
            return ""
        # the policy's own sentences: no section path, no chat lines
        answer = compose_faq(query, snippets_from_hits(hits, _no_product), max_sentences=max_sentences)
        return answer.text if answer is not None else ""

    async def _return_policy(self, turn: Turn, state: DialogueState) -> Reply:
        policy = await self._policy_text(turn)
        state.support_kind = "return"
        state.support_stage = "offer_choice"
        state.step = "support"
        first = f"{texts.RETURN_POLICY_INTRO}\n{policy}" if policy else texts.RETURN_POLICY_FALLBACK
        parts = (OutgoingPart(text=first), OutgoingPart(text=texts.RETURN_OFFER_CHOICE))
        return Reply(parts=parts, draft="\n".join(p.text for p in parts), notes=("return:policy",))

    # ---- manager commands ----------------------------------------------------------------
    async def manager_command(self, turn: Turn) -> Reply:
        """`/handoff on|off|status <phone>` from a manager number, through the application commands."""
        text = turn.text.strip()
        if not cmd.is_manager(turn.phone, self.manager_numbers):
            log.warning("manager command from a number that is not a manager: %s", turn.phone)
            await self.commands.audit(turn.phone, "manager_command_rejected", "chat", turn.chat_id, text=text[:200])
            self.bus.publish(GuardTriggered(turn.chat_id, "manager_command", "not a manager number; ignored"))
            return Reply(notes=("manager_command:rejected",))
        command = cmd.parse_command(text)
        if command is None or not command.action:
            return _reply(texts.CMD_USAGE, notes=("manager_command:usage",))
        manager = f"+{cmd.normalize_phone(turn.phone)}"
        target = cmd.chat_id_for(command.phone)
        await self.commands.audit(manager, f"manager_command_{command.action}", "chat", target, text=text[:200])
        if command.action == "status":
            return _reply(await self.commands.chat_status(target), notes=("manager_command:status",))
        if not await self.commands.chat_exists(target):
            return _reply(texts.CMD_NO_CHAT.format(phone=command.phone), notes=("manager_command:no_chat",))
        if command.action == "on":
            await self.commands.handoff(target, True, manager)
            return _reply(texts.CMD_HANDOFF_ON.format(phone=command.phone), notes=("manager_command:on",))
        await self.commands.handoff(target, False, manager)
        return _reply(texts.CMD_HANDOFF_OFF.format(phone=command.phone), notes=("manager_command:off",))
