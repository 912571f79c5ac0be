"""The operators' group: ticket cards with «Взять в работу», and a proxied dialogue through the bot.

A new ticket (TicketChanged WAITING, and at start every waiting ticket without a card) is
posted to the group as a card: customer, channel, topic, last messages, and the button.
The first operator to press it takes the ticket through the console's command
(`desk.take_ticket`, conditional: first wins); a later press is answered «Уже взял(а) …»;
the card is edited to show who took it. The operator gets a private message with
«Завершить диалог»; what they write to the bot goes to the customer on the customer's
channel (`send_as_manager`, sender kind `manager_tg`, their name recorded), what the
customer writes is forwarded to them; the button closes the ticket (`desk.close_ticket`).
Operators are the ids in TELEGRAM_OPERATOR_IDS or members of the group (getChatMember).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from functools import partial
from typing import Any, Callable, Protocol

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.states import SenderKind
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database

from . import cards
from .client import Button, TelegramApi
from .forward import MAX_BYTES, Forwarder, Inbound, load_inbound
from .store import mark_update, person_name
from .updates import fetch_photo

log = logging.getLogger(__name__)

OPERATOR_SENDER_KIND = SenderKind.MANAGER_TELEGRAM
_MEMBER_STATUSES = {"creator", "administrator", "member", "restricted"}
_MEMBER_CACHE_SECONDS = 300.0


class DeskCommands(Protocol):
    """The engine's commands the operators use (the same as the console's)."""

    async def take_ticket(self, ticket_id: int, manager: str) -> bool: ...
    async def open_handoff_ticket(self, chat_id: str, summary: str) -> int | None: ...
    async def close_ticket(self, ticket_id: int, manager: str) -> bool: ...


class ManagerSend(Protocol):
    async def __call__(self, chat_id: str, text: str, manager: str, file_path: Path | None = None,
                       sender_kind: str = ..., consumed: Callable[[], None] | None = None) -> int: ...


def operator_name(user: dict[str, Any]) -> str:
    return f"{person_name(user)} (Telegram)"[:100]


class TelegramOperators:
    def __init__(self, api: TelegramApi, db: Database, bus: ev.EventBus, clock: Clock, *, desk: DeskCommands,
                 send_as_manager: ManagerSend, group_chat_id: int | None, operator_ids: tuple[int, ...],
                 media_dir: Path | None = None) -> None:
        self._api = api
        self.media_dir = media_dir
        self._db = db
        self._bus = bus
        self._clock = clock
        self._desk = desk
        self._send_as_manager = send_as_manager
        self.group_chat_id = group_chat_id
        self.operator_ids = frozenset(operator_ids)
        self._members: dict[int, tuple[bool, float]] = {}
        self._tasks = TaskOwner("telegram-operators")
        self._card_lock = asyncio.Lock()
        self._forward_lock = asyncio.Lock()  # the customer's messages reach the operator in their order
        from ottenok_desktop.services.media.fetch import HttpMediaFetcher

        self._fetcher = HttpMediaFetcher(max_bytes=MAX_BYTES)
        self._forwarder = Forwarder(api, self._fetcher)
        self._unsubscribe: list[Any] = []

    async def start(self) -> None:
        self._unsubscribe = [self._bus.subscribe(self._on_ticket, ev.TicketChanged),
                             self._bus.subscribe(self._on_message, ev.MessageReceived),
                             self._bus.subscribe(self._on_handoff, ev.HandoffRequested)]
        if self.group_chat_id is not None:
            self._tasks.spawn(self._post_missing_cards(), name="telegram-cards-catch-up")

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        await self._tasks.shutdown()
        await self._fetcher.aclose()

    async def wait_idle(self) -> None:
        await self._tasks.wait_idle()

    # ---- who is an operator ------------------------------------------------------------
    async def is_operator(self, user_id: int) -> bool:
        if user_id in self.operator_ids:
            return True
        if self.group_chat_id is None or user_id <= 0:
            return False
        cached = self._members.get(user_id)
        if cached is not None and time.monotonic() - cached[1] < _MEMBER_CACHE_SECONDS:
            return cached[0]
        try:
            member = await self._api.member_status(self.group_chat_id, user_id) in _MEMBER_STATUSES
        except Exception as exc:  # unknown: not an operator for now, asked again next time
            log.warning("telegram getChatMember failed: %s", type(exc).__name__)
            return False
        self._members[user_id] = (member, time.monotonic())
        return member

    # ---- cards -----------------------------------------------------------------------------
    def _on_ticket(self, event: ev.Event) -> None:
        assert isinstance(event, ev.TicketChanged)
        if self.group_chat_id is None:
            return
        if event.status == "WAITING":
            self._tasks.spawn(self._post_card(event.ticket_id), name=f"telegram-card:{event.ticket_id}")
        else:
            self._tasks.spawn(self._refresh_card(event.ticket_id, event.status, event.manager),
                              name=f"telegram-card-edit:{event.ticket_id}")

    def _on_handoff(self, event: ev.Event) -> None:
        assert isinstance(event, ev.HandoffRequested)
        if self.group_chat_id is not None:  # the ticket's TicketChanged(WAITING) then posts the card
            self._tasks.spawn(self._open_handoff(event.chat_id, event.reason), name=f"telegram-handoff:{event.chat_id}")

    async def _open_handoff(self, chat_id: str, reason: str) -> None:
        await self._desk.open_handoff_ticket(chat_id, texts.HANDOFF_REASONS.get(reason, reason or texts.HANDOFF_REASONS["other"]))

    async def _post_missing_cards(self) -> None:
        # handoffs that happened while the operators' side was not running get their ticket first
        for chat_id, reason in await self._db.call(cards.handoffs_without_ticket):
            await self._open_handoff(chat_id, reason)
        for ticket_id in await self._db.call(cards.waiting_without_card):
            await self._post_card(ticket_id)

    async def _post_card(self, ticket_id: int) -> None:
        assert self.group_chat_id is not None
        async with self._card_lock:  # the catch-up and an event must not post one ticket twice
            card = await self._db.atomic(cards.begin_card, ticket_id, self.group_chat_id, self._clock.now())
            if card is None:
                return
            try:
                message_id = await self._api.send_text(self.group_chat_id, card.text,
                                                       [[Button(texts.TG_TAKE_BUTTON, f"take:{ticket_id}")]])
            except Exception as exc:
                log.warning("posting the card of ticket %s failed: %s", ticket_id, type(exc).__name__)
                await self._db.call(cards.forget_card, ticket_id)
                return
            await self._db.call(cards.card_posted, ticket_id, message_id, self._clock.now())
        # the customer's photos / voice notes / documents under the card, as themselves (outside the
        # lock: a slow download must not hold up the next card)
        for attachment in card.attachments:
            inbound = await self._db.call(load_inbound, attachment)
            if inbound is not None:
                await self._forwarder.message(self.group_chat_id, texts.TG_CARD_ATTACHMENT.format(
                    ticket_id=ticket_id, text=inbound.words), inbound)

    async def _refresh_card(self, ticket_id: int, status: str, manager: str) -> None:
        view = await self._db.call(cards.card_view, ticket_id)
        if view is None or view.card_message_id is None:
            return
        suffix = texts.TG_CARD_TAKEN if status == "ASSIGNED" else texts.TG_CARD_CLOSED
        try:
            await self._api.edit_text(view.group_chat_id, view.card_message_id, view.text + suffix.format(manager=manager))
        except Exception as exc:  # "not modified" when we edited it already
            log.info("card of ticket %s not edited: %s", ticket_id, type(exc).__name__)

    # ---- button presses --------------------------------------------------------------------------
    async def on_callback(self, update_id: int, query: dict[str, Any]) -> None:
        user = query.get("from") or {}
        action, _, raw_id = str(query.get("data") or "").partition(":")
        answer = ""
        if action in ("take", "close") and raw_id.isdigit():
            if not await self.is_operator(int(user.get("id", 0))):
                answer = texts.TG_NOT_OPERATOR
            elif action == "take":
                answer = await self._take(int(raw_id), user)
            else:
                answer = await self._close(int(raw_id), user)
        await self._db.call(mark_update, update_id, "done")
        try:
            await self._api.answer_callback(str(query.get("id")), answer)
        except Exception as exc:  # an old press: Telegram forgets queries after a while
            log.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def _take(self, ticket_id: int, user: dict[str, Any]) -> str:
        name = operator_name(user)
        taken = await self._desk.take_ticket(ticket_id, name)
        holder = await self._db.call(cards.ticket_manager, ticket_id)
        if not taken and holder != name:
            return texts.TG_ALREADY_TAKEN.format(manager=holder or "—")
        view = await self._db.atomic(cards.card_taken, ticket_id, int(user["id"]), name, self._clock.now())
        if view is not None:
            try:
                await self._api.send_text(int(user["id"]), texts.TG_OPERATOR_CONNECTED.format(
                    ticket_id=ticket_id, name=view.customer, channel=view.channel_name, lines=view.lines),
                    [[Button(texts.TG_CLOSE_BUTTON, f"close:{ticket_id}")]])
            except Exception as exc:  # the operator never wrote /start to the bot
                log.warning("cannot write to operator %s: %s", user.get("id"), type(exc).__name__)
        return texts.TG_TAKEN_ANSWER

    async def _close(self, ticket_id: int, user: dict[str, Any]) -> str:
        name = operator_name(user)
        closed = await self._desk.close_ticket(ticket_id, name)
        await self._db.call(cards.card_closed, ticket_id, self._clock.now())
        if not closed:
            return texts.TG_ALREADY_CLOSED
        await self._safe_send(int(user["id"]), texts.TG_DIALOG_CLOSED.format(ticket_id=ticket_id))
        return texts.TG_DIALOG_CLOSED.format(ticket_id=ticket_id)

    # ---- the proxied dialogue ---------------------------------------------------------------------
    async def on_operator_message(self, update_id: int, message: dict[str, Any]) -> None:
        user = message.get("from") or {}
        user_id = int(user.get("id", 0))
        text = str(message.get("text") or message.get("caption") or "").strip()
        session = await self._db.call(cards.active_session, user_id)
        photo = await fetch_photo(self._api, self.media_dir, message) if session is not None else None
        # The words for the customer are queued in the durable outbox and the update marked done in
        # ONE transaction (send_as_manager's `consumed`): a crash before it re-reads the update, a
        # crash after it has the row queued — never lost, never queued twice.
        done = partial(mark_update, update_id, "done")
        if photo is not None and session is not None:  # a photo (with its caption) goes to the customer
            await self._send_as_manager(session.chat_id, text, operator_name(user), file_path=photo,
                                        sender_kind=OPERATOR_SENDER_KIND, consumed=done)
            return
        if session is not None and text and text.split(" ")[0] != "/start":
            await self._send_as_manager(session.chat_id, text, operator_name(user), sender_kind=OPERATOR_SENDER_KIND,
                                        consumed=done)
            return
        await self._db.call(done)
        if text.split(" ")[0] == "/start" or not text:
            await self._safe_send(user_id, texts.TG_OPERATOR_HELLO if session is None or not text else texts.TG_OPERATOR_IDLE)
        else:
            await self._safe_send(user_id, texts.TG_OPERATOR_IDLE)

    def _on_message(self, event: ev.Event) -> None:
        assert isinstance(event, ev.MessageReceived)
        if event.sender_kind == "customer":
            self._tasks.spawn(self._forward(event.chat_id, event.message_id, event.text, event.content_type),
                              name=f"telegram-forward:{event.chat_id}")

    async def _forward(self, chat_id: str, message_id: int, text: str, content_type: str) -> None:
        async with self._forward_lock:  # taken before any await: tasks start in the events' order
            session = await self._db.call(cards.operator_of_chat, chat_id)
            if session is None:
                return
            inbound = await self._db.call(load_inbound, message_id) or Inbound(text, content_type)
            line = texts.TG_FROM_CUSTOMER.format(name=session.customer, text=inbound.words)
            await self._forwarder.message(session.operator_id, line, inbound)

    async def _safe_send(self, chat_id: int, text: str) -> None:
        """A direct message to an operator: 429 and 5xx retried a few times, then logged."""
        await self._forwarder.text(chat_id, text)
