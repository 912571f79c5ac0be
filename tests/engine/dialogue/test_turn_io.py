"""One unit of work per turn: the responder reads the chat once and writes nothing; the
turn's plan (order, holds, tickets, state, audit), its outbox rows and "messages answered"
commit in ONE transaction — and only while the bot still owns the chat. Events follow the
commit. A crash between deciding and committing leaves nothing half-written, and a
take-over racing the commit never confirms an order whose reply was dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator, Callable

import pytest

from ottenok_desktop.engine.events import OrderChanged
from ottenok_desktop.engine.states import OrderState

from .shop import Shop, close_shop, open_shop, texts_of

PHONE = "77013334455"
CHAT = f"{PHONE}@c.us"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path)
    yield opened
    await close_shop(opened)


class CountingUow:
    """The real unit of work, counting what the responder asks of it."""

    def __init__(self, uow: Any) -> None:
        self.uow = uow
        self.trips: list[str] = []

    async def run(self, work: Callable[[Any], Any]) -> Any:
        self.trips.append("run")
        return await self.uow.run(work)

    async def read(self, work: Callable[[Any], Any]) -> Any:
        self.trips.append("read")
        return await self.uow.read(work)


async def _pending_turn(shop: Shop, text: str) -> Any:
    """Store a customer message and load it as the dispatcher would (nothing answered yet)."""
    from ottenok_desktop.services.storage.chats import get_or_create_chat
    from ottenok_desktop.services.storage.models import Message
    from ottenok_desktop.services.storage.turns import load_turn

    now = shop.clock.now()

    def store() -> None:
        chat = get_or_create_chat(CHAT, now, "Айгерим")
        Message.create(chat=chat, direction="in", sender_kind="customer", text=text, created_at=now,
                       turn_state="pending")

    await shop.db.call(store)
    return await shop.db.atomic(load_turn, CHAT, now)


async def _commit(shop: Shop, turn: Any, reply: Any) -> Any:
    from ottenok_desktop.services.storage.turns import commit_turn

    return await shop.db.atomic(commit_turn, CHAT, tuple(m.message_id for m in turn.messages), reply,
                                shop.clock.now())


async def _rows(shop: Shop) -> dict[str, Any]:
    from ottenok_desktop.services.storage import models as m

    def read() -> dict[str, Any]:
        chat = m.Chat.get_or_none(m.Chat.chat_id == CHAT)
        return {
            "orders": list(m.Order.select().dicts()), "outbox": m.OutboxItem.select().count(),
            "reservations": m.Reservation.select().where(m.Reservation.active == True).count(),  # noqa: E712
            "state": chat.state_json if chat else "", "tickets": m.Ticket.select().count(),
            "pending": m.Message.select().where(m.Message.turn_state == "pending").count(),
        }

    return await shop.db.call(read)


@pytest.mark.parametrize("texts", [
    ["Здравствуйте, есть лоферы шанель 38?"],  # creates the order
    ["мюли диор 38", "черные", "в Алматы"],  # updates it, ready → address asked
])
async def test_the_responder_reads_once_and_writes_nothing(shop: Shop, texts: list[str]) -> None:
    counting = CountingUow(shop.responder.uow)
    shop.responder.uow = counting
    for text in texts:
        counting.trips.clear()
        reply = await shop.say(PHONE, text)
        assert counting.trips == ["read"], (text, counting.trips)
        assert reply.plan is not None and reply.plan.writes


async def test_a_failed_commit_leaves_nothing_and_announces_nothing(shop: Shop,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop.services.storage import dialogue_state

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dialogue_state, "save_state", broken)  # fails after the order row was written
    with pytest.raises(RuntimeError):
        await shop.say(PHONE, "лоферы шанель 38 черные")
    rows = await _rows(shop)
    assert rows["orders"] == [] and rows["outbox"] == 0 and rows["pending"] == 1  # the turn is still to answer
    assert shop.events.of_type(OrderChanged) == []


async def test_a_crash_between_deciding_and_committing_leaves_no_half_turn(shop: Shop) -> None:
    turn = await _pending_turn(shop, "лоферы шанель 38 черные, в Астану")
    first = await shop.responder.respond(turn)  # decided … and the process dies before the commit
    rows = await _rows(shop)
    assert rows["orders"] == [] and rows["outbox"] == 0 and rows["state"] in ("", "{}") and rows["pending"] == 1
    again = await shop.responder.respond(turn)  # the restarted engine runs the same turn
    assert texts_of(again) == texts_of(first)
    result = await _commit(shop, turn, again)
    assert result.committed
    rows = await _rows(shop)
    assert len(rows["orders"]) == 1 and rows["orders"][0]["city"] == "Астана" and rows["pending"] == 0


async def _ready_order(shop: Shop) -> None:
    for text in ("мюли диор 38 черные", "в Алматы", "ул. Абая 10, кв 5"):
        await shop.say(PHONE, text)
    rows = await _rows(shop)
    assert rows["orders"][0]["state"] == OrderState.READY, rows


async def test_a_take_over_racing_the_commit_never_confirms_the_order(shop: Shop) -> None:
    await _ready_order(shop)
    turn = await _pending_turn(shop, "да, всё верно 👍")
    reply = await shop.responder.respond(turn)
    assert "оформлен" in texts_of(reply).lower()  # the bot decided to confirm …
    await shop.commands.take_over(CHAT, "Динара")  # … and a manager took the chat before the commit
    result = await _commit(shop, turn, reply)
    assert not result.committed
    rows = await _rows(shop)
    assert rows["orders"][0]["state"] == OrderState.READY  # nothing of the dropped turn was applied
    assert rows["reservations"] == 0 and rows["pending"] == 0  # the message is the manager's now
    assert not [e for e in shop.events.of_type(OrderChanged) if e.state == OrderState.CONFIRMED]


async def test_the_same_yes_commits_the_confirmation_with_its_hold(shop: Shop) -> None:
    await _ready_order(shop)
    reply = await shop.say(PHONE, "иә, подтверждаю")
    assert "оформлен" in texts_of(reply).lower()
    rows = await _rows(shop)
    assert rows["orders"][0]["state"] == OrderState.CONFIRMED and rows["reservations"] == 1
    assert [e.state for e in shop.events.of_type(OrderChanged)][-1] == OrderState.CONFIRMED
