"""Application commands: one meaning per intention whichever door it comes through.

«Вернуть боту» after a handoff that opened a ticket closes the ticket and the bot sells
again, at the order's next missing field; an explicit request for a person always reaches
one (a WAITING ticket with the topic, a handoff, in the same turn); the decision priority
is a table; «Взять в работу» twice tells the second manager who has it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.dialogue.reading import Route, read_message, route
from ottenok_desktop.engine.states import Owner, TicketStatus

from .dialogue.shop import Shop, close_shop, open_shop, texts_of

PHONE = "77015552233"
CHAT = f"{PHONE}@c.us"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path, manager_numbers=("77770000001",))
    yield opened
    await close_shop(opened)


async def _tickets(shop: Shop) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import tickets

    return await shop.db.call(tickets.list_tickets)


async def _chat(shop: Shop) -> Any:
    from ottenok_desktop.services.storage import chats

    return await shop.db.call(chats.find_chat, CHAT)


async def test_return_to_bot_after_a_handoff_closes_the_ticket_and_selling_resumes(shop: Shop) -> None:
    await shop.say(PHONE, "мюли диор 38 черные")
    reply = await shop.say(PHONE, "позовите менеджера пожалуйста")
    assert texts_of(reply) == texts.HANDOFF_ASK_PERSON and reply.handoff_reason
    [ticket] = await _tickets(shop)
    assert ticket["status"] == TicketStatus.WAITING
    assert texts_of(await shop.say(PHONE, "ау")) == texts.MANAGER_SOON  # nobody is selling meanwhile

    assert await shop.commands.return_to_bot(CHAT, "Динара")
    [ticket] = await _tickets(shop)
    assert ticket["status"] == TicketStatus.CLOSED and ticket["manager"] == "Динара"
    chat = await _chat(shop)
    assert chat.owner == Owner.BOT and not chat.needs_human
    assert [e.status for e in shop.events.of_type(ev.TicketChanged)][-1] == "CLOSED"
    resumed = texts_of(await shop.say(PHONE, "в Алматы"))
    assert "менеджер скоро" not in resumed.lower()
    assert "адрес" in resumed.lower()  # the order's next missing field


@pytest.mark.parametrize("text, kind", [
    ("Позовите менеджера, хочу вернуть туфли, они натирают", "return"),
    ("дайте живого человека, у меня сапоги порвались через неделю", "warranty"),
    ("можно с оператором? оплата не прошла а деньги списались", "other"),
    ("менеджерге қосыңызшы", "other"),
])
async def test_a_request_for_a_person_always_reaches_one(shop: Shop, text: str, kind: str) -> None:
    reply = await shop.say(PHONE, text)
    assert texts_of(reply) == texts.HANDOFF_ASK_PERSON and reply.handoff_reason
    [ticket] = await _tickets(shop)
    assert ticket["status"] == TicketStatus.WAITING and ticket["kind"] == kind
    chat = await _chat(shop)
    assert chat.needs_human
    follow = await shop.say(PHONE, "Сколько стоят лоферы?")
    assert "₸" not in texts_of(follow)  # no selling to someone waiting for a person


async def test_a_mention_of_a_manager_is_not_a_handoff(shop: Shop) -> None:
    reply = await shop.say(PHONE, "вы менеджер? есть лоферы шанель 37?")
    assert not reply.handoff_reason and "₸" in texts_of(reply)
    assert await _tickets(shop) == []


@pytest.mark.parametrize("text, ticket_open, stage, expected", [
    ("/handoff on 77011112233", False, "", Route.MANAGER_COMMAND),
    ("не пишите мне больше", True, "", Route.OPT_OUT),  # opt-out wins even over an open ticket
    ("стоп, позовите менеджера", False, "", Route.PERSON),
    ("позовите менеджера, хочу вернуть туфли", False, "", Route.PERSON),  # a person beats the return topic
    ("позовите менеджера", True, "", Route.PERSON),
    ("сколько стоят лоферы?", True, "", Route.TICKET_OPEN),
    ("хочу вернуть туфли", False, "", Route.SUPPORT),
    ("фото пришлю сейчас", False, "ask_details", Route.SUPPORT),
    ("есть лоферы 37?", False, "", Route.SALES),
    ("менеджер сказал что лоферы придут, пришли?", False, "", Route.SALES),
])
def test_the_decision_priority(text: str, ticket_open: bool, stage: str, expected: Route) -> None:
    assert route(read_message(text), ticket_open=ticket_open, support_stage=stage) == expected


async def test_the_second_take_is_told_who_has_the_ticket(shop: Shop) -> None:
    await shop.say(PHONE, "позовите менеджера")
    [ticket] = await _tickets(shop)
    first = await shop.commands.take_ticket(ticket["id"], "Динара")
    second = await shop.commands.take_ticket(ticket["id"], "Асель")
    assert first.won and not second.won and second.holder == "Динара"
    assert (await _chat(shop)).owner_name == "Динара"


async def test_a_manager_command_runs_the_same_give_back(shop: Shop) -> None:
    await shop.say(PHONE, "позовите менеджера")
    await shop.say("77770000001", f"/handoff off {PHONE}")
    [ticket] = await _tickets(shop)
    assert ticket["status"] == TicketStatus.CLOSED
    assert (await _chat(shop)).owner == Owner.BOT and not (await _chat(shop)).needs_human


async def test_confirming_in_the_console_and_the_price_come_from_the_stock(shop: Shop) -> None:
    from ottenok_desktop.engine.dialogue.state import OrderStateError
    from ottenok_desktop.services.storage import orders

    await shop.say(PHONE, "мюли диор 38 черные")
    [order] = await shop.db.call(orders.list_orders)
    await shop.commands.update_order_field(order["id"], "price", "1000", "Динара")  # a typo in the card
    await shop.commands.update_order_field(order["id"], "city", "алматы", "Динара")
    await shop.commands.update_order_field(order["id"], "address", "Абая 10", "Динара")
    confirmed = await shop.commands.confirm_order(order["id"], "Динара")
    assert confirmed["state"] == "confirmed" and confirmed["price"] == "295000"  # the stock file's price
    assert await shop.inventory.available("Мюли Dior Dway", "38", "черный") == 1
    # the last pair cannot be held twice: a second order for it is refused plainly
    other = "77015550099"
    await shop.say(other, "мюли диор 38 черные, Алматы, ул. Абая 12")
    await shop.say(other, "мюли диор 38 черные, Алматы, ул. Абая 12")
    [_, second] = await shop.db.call(orders.list_orders)
    await shop.commands.update_order_field(second["id"], "address", "ул. Абая 12", "Динара")
    await shop.commands.confirm_order(second["id"], "Динара")
    assert await shop.inventory.available("Мюли Dior Dway", "38", "черный") == 0
    third_phone = "77015550098"
    await shop.say(third_phone, "мюли диор 38 черные")
    orders_now = await shop.db.call(orders.list_orders)
    third = orders_now[-1]
    await shop.commands.update_order_field(third["id"], "city", "Астана", "Асель")
    await shop.commands.update_order_field(third["id"], "address", "пр. Мангилик Ел 1", "Асель")
    with pytest.raises(OrderStateError):
        await shop.commands.confirm_order(third["id"], "Асель")
