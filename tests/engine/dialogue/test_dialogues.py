"""Whole dialogues at the responder level, with the real services on the sample shop.

Real stock file, real offline knowledge index, real photo folder, real SQLite; the LLM is
the fake OpenAI-compatible server over loopback with scripted behaviours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine.events import GuardTriggered, OrderChanged, TicketChanged
from ottenok_desktop.services.llm.client import LlmClient
from ottenok_desktop.settings import Secret
from tests.fakes.openai_server import FakeOpenAIServer

from .shop import Shop, close_shop, open_shop, photos_of, texts_of

PHONE = "77011234567"
MANAGER = "77019998877"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path, manager_numbers=(f"+{MANAGER}",))
    yield opened
    await close_shop(opened)


async def _orders(shop: Shop) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import orders

    return await shop.db.call(orders.list_orders)


async def _tickets(shop: Shop) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import tickets

    return await shop.db.call(tickets.list_tickets)


async def _audit(shop: Shop, action: str) -> list[Any]:
    from ottenok_desktop.services.storage.models import AuditLog

    return await shop.db.call(lambda: list(AuditLog.select().where(AuditLog.action == action).dicts()))


async def buy_chanel(shop: Shop, phone: str = PHONE) -> list[str]:
    said = []
    for text in ("Здравствуйте, есть лоферы шанель 38?", "черные", "доставка в Астану", "ул. Кенесары 5, кв 12", "да"):
        said.append(texts_of(await shop.say(phone, text)))
    return said


# ---- offline mode ----------------------------------------------------------------------
async def test_offline_greeting_to_confirmed_order(shop: Shop) -> None:
    first = await shop.say(PHONE, "Здравствуйте, есть лоферы шанель 38?")
    text = texts_of(first)
    assert "Алина" in text and "285 000 ₸" in text and "Лоферы Chanel" in text
    assert 1 <= len(photos_of(first)) <= 3
    assert "цвет" in text.lower()
    assert "город" in texts_of(await shop.say(PHONE, "черные")).lower()
    assert "адрес" in texts_of(await shop.say(PHONE, "доставка в Астану")).lower()
    summary = texts_of(await shop.say(PHONE, "ул. Кенесары 5, кв 12"))
    assert "Всё верно" in summary and "Астана" in summary and "Кенесары 5" in summary
    orders = await _orders(shop)
    assert orders[0]["state"] == "ready"
    done = texts_of(await shop.say(PHONE, "да"))
    assert "Заказ оформлен" in done
    (order,) = await _orders(shop)
    assert order["state"] == "confirmed"
    assert (order["product"], order["size"], order["color"], order["city"]) == ("Лоферы Chanel", "38", "черный", "Астана")
    assert order["address"] == "ул. Кенесары 5, кв 12" and order["price"] == "285000"
    # reserved: the sample has 2 black 38s, one is now held
    assert await shop.inventory.available("Лоферы Chanel", "38", "черный") == 1
    assert [e.state for e in shop.events.of_type(OrderChanged)][-1] == "confirmed"
    assert "Здравствуйте" not in "".join(texts_of(r) for r in [])  # nothing else greets again below
    again = texts_of(await shop.say(PHONE, "спасибо!"))
    assert "Здравствуйте" not in again


async def test_no_photo_twice_to_the_same_customer(shop: Shop) -> None:
    first = photos_of(await shop.say(PHONE, "лоферы шанель"))
    second = photos_of(await shop.say(PHONE, "покажите фото лоферов шанель"))
    assert first and not set(first) & set(second)


async def test_out_of_stock_is_honest_with_alternatives(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "Добрый день! лоферы шанель черные 39 есть?"))
    assert "нет в наличии" in reply and "Могу предложить" in reply
    assert "размер 38" in reply  # the same model in a size that is there
    (order,) = await _orders(shop)
    assert order["size"] == "" and order["state"] == "draft"  # nothing out of stock enters the order


async def test_not_found_offers_similar(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "туфли версаче есть?"))
    assert "такой модели у нас сейчас нет" in reply and "Посмотрите похожие" in reply
    assert await _orders(shop) == []


async def test_correction_changes_the_field(shop: Shop) -> None:
    await shop.say(PHONE, "мюли диор 38")
    reply = texts_of(await shop.say(PHONE, "черные"))
    assert "город" in reply.lower()
    fixed = texts_of(await shop.say(PHONE, "нет, 39"))
    assert "Исправила: размер — 39" in fixed
    (order,) = await _orders(shop)
    assert order["size"] == "39"
    changes = await _audit(shop, "order_field_changed")
    assert any(json.loads(c["details_json"]) == {"field": "size", "old": "38", "new": "39"} for c in changes)


async def test_faq_answered_from_knowledge(shop: Shop) -> None:
    reply = texts_of(await shop.say(PHONE, "Здравствуйте! Сколько стоит доставка в Шымкент?"))
    assert "Казпочта" in reply or "СДЭК" in reply


async def test_sold_out_between_summary_and_yes(shop: Shop) -> None:
    for text in ("сумка шанель 2.55 черная", "в Алматы", "мкр Самал-2, дом 58, кв 14"):
        await shop.say(PHONE, text)
    # someone else buys the last black bag first
    other = "77015550000"
    for text in ("сумка шанель 2.55 черная", "в Алматы", "ул. Абая 10, кв 1", "да"):
        await shop.say(other, text)
    reply = texts_of(await shop.say(PHONE, "да"))
    assert "закончились" in reply and "оформлен" not in reply
    mine = [o for o in await _orders(shop) if o["phone"] == PHONE][0]
    assert mine["state"] == "draft"


async def test_customer_cancels(shop: Shop) -> None:
    await shop.say(PHONE, "мюли диор 38 черные")
    assert "отменила" in texts_of(await shop.say(PHONE, "отмените заказ, передумала"))
    assert (await _orders(shop))[0]["state"] == "cancelled"


# ---- handoffs and tickets ----------------------------------------------------------------
async def test_a_bought_pair_to_exchange_gets_the_policy_and_a_person(shop: Shop) -> None:
    reply = await shop.say(PHONE, "взяла у вас лоферы гуччи 38, маловаты. можно обменять на 39?")
    assert "14 дней" in texts_of(reply) and reply.handoff_reason == "Обмен"
    (ticket,) = await _tickets(shop)
    assert (ticket["kind"], ticket["status"]) == ("return", "WAITING")


async def test_an_exchange_asked_about_gets_the_policy_first_then_a_person(shop: Shop) -> None:
    first = await shop.say(PHONE, "если размер не подойдет, можно будет обменять?")
    assert "14 дней" in texts_of(first) and not first.handoff_reason and await _tickets(shop) == []
    second = await shop.say(PHONE, "давайте менеджера")
    assert second.handoff_reason == "Клиент просит менеджера"  # a person, with the return as the topic
    (ticket,) = await _tickets(shop)
    assert (ticket["kind"], ticket["status"]) == ("return", "WAITING")


async def test_asking_whether_a_model_runs_small_is_not_an_exchange(shop: Shop) -> None:
    reply = await shop.say(PHONE, "балетки миу миу маломерят? я ношу 37,5")
    assert not reply.handoff_reason and await _tickets(shop) == []
    assert "₸" in texts_of(reply)



@pytest.mark.parametrize(("text", "reason"), [
    ("позовите менеджера пожалуйста", "Клиент просит менеджера"),
    ("это ужас, вы меня обманули", "Жалоба клиента"),
    ("оплата не прошла через каспи", "Проблема с оплатой"),
])
async def test_handoff_triggers(shop: Shop, text: str, reason: str) -> None:
    reply = await shop.say(PHONE, text)
    assert reply.handoff_reason == reason
    (ticket,) = await _tickets(shop)
    assert ticket["status"] == "WAITING"
    quiet = await shop.say(PHONE, "ну что там?")
    assert texts_of(quiet) == "Менеджер скоро ответит вам 🙏" and not quiet.handoff_reason
    assert (await shop.say(PHONE, "лоферы шанель 38?")).parts == ()  # no selling while a ticket is open


async def test_misunderstood_twice_brings_a_human(shop: Shop) -> None:
    await shop.say(PHONE, "здравствуйте")
    first = await shop.say(PHONE, "ыыы")
    assert not first.handoff_reason
    second = await shop.say(PHONE, "апвапр")
    assert second.handoff_reason == "Бот дважды не понял клиента"


async def test_warranty_ticket_lifecycle(shop: Shop) -> None:
    ask = texts_of(await shop.say(PHONE, "у лоферов отклеилась подошва через неделю"))
    assert "гаранти" in ask and "фото" in ask
    done = await shop.say(PHONE, "купила у вас в октябре, вот фото", content_type="image",
                          media_url="https://example.invalid/sole.jpg")
    assert done.handoff_reason == "Гарантийное обращение"
    (ticket,) = await _tickets(shop)
    assert ticket["kind"] == "warranty" and ticket["status"] == "WAITING"
    assert ticket["details"]["attachments"][0]["content_type"] == "image"
    await shop.say(PHONE, "и чек", content_type="document", media_url="https://example.invalid/check.pdf")
    (ticket,) = await _tickets(shop)
    assert [a["content_type"] for a in ticket["details"]["attachments"]] == ["image", "document"]

    assert (await shop.commands.take_ticket(ticket["id"], "Динара")).won
    assert not (await shop.commands.take_ticket(ticket["id"], "Асель")).won  # first wins
    (ticket,) = await _tickets(shop)
    assert ticket["status"] == "ASSIGNED" and ticket["manager"] == "Динара" and ticket["assigned_at"]
    assert await shop.commands.close_ticket(ticket["id"], "Динара") is True
    assert await shop.commands.close_ticket(ticket["id"], "Динара") is False
    (ticket,) = await _tickets(shop)
    assert ticket["status"] == "CLOSED" and ticket["closed_at"]
    assert [e.status for e in shop.events.of_type(TicketChanged)] == ["WAITING", "ASSIGNED", "CLOSED"]
    senders = {m["sender_kind"] for m in ticket["messages"]}
    assert "customer" in senders and {m["content_type"] for m in ticket["messages"]} >= {"image", "document"}
    # the chat is the bot's again and it sells
    back = await shop.say(PHONE, "лоферы шанель 38 есть?")
    assert "285 000 ₸" in texts_of(back)


async def test_return_explains_policy_then_manager(shop: Shop) -> None:
    policy = texts_of(await shop.say(PHONE, "хочу вернуть туфли"))
    assert "14 дней" in policy and "гаранти" in policy
    reply = await shop.say(PHONE, "лучше менеджера")
    assert reply.handoff_reason == "Возврат"
    assert (await _tickets(shop))[0]["kind"] == "return"


# ---- manager commands ------------------------------------------------------------------------
async def test_manager_commands_from_manager_number(shop: Shop) -> None:
    from ottenok_desktop.services.storage.chats import find_chat

    await shop.say(PHONE, "лоферы шанель 38")
    status = texts_of(await shop.say(MANAGER, f"/handoff status +{PHONE}", name="Динара"))
    assert "ведёт бот" in status and "Лоферы Chanel" in status
    on = texts_of(await shop.say(MANAGER, f"/handoff on {PHONE}", name="Динара"))
    assert "передан менеджеру" in on
    chat = await shop.db.call(find_chat, f"{PHONE}@c.us")
    assert chat.owner == "manager"
    off = texts_of(await shop.say(MANAGER, f"/handoff off 8{PHONE[1:]}", name="Динара"))
    assert "возвращён боту" in off
    chat = await shop.db.call(find_chat, f"{PHONE}@c.us")
    assert chat.owner == "bot" and not chat.needs_human
    assert "/handoff" in texts_of(await shop.say(MANAGER, "/handoff fly", name="Динара"))


async def test_manager_commands_from_other_numbers_are_ignored_and_logged(shop: Shop) -> None:
    from ottenok_desktop.services.storage.chats import find_chat

    await shop.say(PHONE, "лоферы шанель 38")
    reply = await shop.say("77017770000", f"/handoff on {PHONE}")
    assert reply.parts == ()
    chat = await shop.db.call(find_chat, f"{PHONE}@c.us")
    assert chat.owner == "bot"
    assert len(await _audit(shop, "manager_command_rejected")) == 1
    assert any(e.guard == "manager_command" for e in shop.events.of_type(GuardTriggered))


# ---- LLM mode ----------------------------------------------------------------------------------
def _llm_reply(reply: str, fields: dict[str, str] | None = None) -> str:
    return json.dumps({"reply": reply, "fields": fields or {}, "intent": "product"}, ensure_ascii=False)


@pytest.fixture
async def llm_shop(tmp_path: Path) -> AsyncIterator[tuple[Shop, FakeOpenAIServer]]:
    server = await FakeOpenAIServer().start()
    client = LlmClient(Secret("sk-test"), server.base_url, "gpt-4o", timeout=1.0, max_retries=0)
    opened = await open_shop(tmp_path, llm=client)
    yield opened, server
    await close_shop(opened)
    await server.stop()


def _facts(body: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")


def _polite_llm(body: dict[str, Any]) -> str:
    """An LLM that rephrases the engine's suggestion and extracts the address itself."""
    facts = _facts(body)
    suggestion = facts.rsplit("Пример ответа по фактам (перескажи своими словами): ", 1)[-1]
    last = body["messages"][-1]["content"]
    fields = {"address": "ул. Кенесары 5, кв 12"} if "Кенесары" in last else {}
    return _llm_reply(suggestion, fields)


async def test_llm_dialogue_to_confirmed_order_one_call_per_turn(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    server.chat_script = _polite_llm
    said = await buy_chanel(shop)
    assert "285 000 ₸" in said[0] and "Заказ оформлен" in said[-1]
    assert len(server.chat_requests) == 5  # one LLM round trip per turn
    assert server.chat_requests[0]["response_format"] == {"type": "json_object"}
    assert "Лоферы Chanel" in _facts(server.chat_requests[0]) and "285 000 ₸" in _facts(server.chat_requests[0])
    (order,) = await _orders(shop)
    assert order["state"] == "confirmed"


async def test_llm_inventing_a_price_is_rebuilt_from_facts(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    server.chat_script = lambda body: _llm_reply("Здравствуйте! Лоферы Chanel сегодня со скидкой всего 199 000 ₸!")
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 сколько стоят?"))
    assert "199 000" not in reply and "285 000 ₸" in reply
    assert any(e.guard == "price" for e in shop.events.of_type(GuardTriggered))


async def test_llm_claiming_the_order_too_early_is_replaced(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    server.chat_script = lambda body: _llm_reply("Отлично! ||| Ваш заказ оформлен, ждите курьера 🎉")
    reply = texts_of(await shop.say(PHONE, "лоферы шанель 38 черные"))
    assert "оформлен" not in reply and "город" in reply.lower()
    assert any(e.guard == "order_claim" for e in shop.events.of_type(GuardTriggered))
    assert (await _orders(shop))[0]["state"] == "draft"


async def test_llm_second_greeting_is_removed(llm_shop: tuple[Shop, FakeOpenAIServer]) -> None:
    shop, server = llm_shop
    server.chat_script = lambda body: _llm_reply("Здравствуйте! Меня зовут Алина. ||| Какой размер нужен?")
    await shop.say(PHONE, "привет")
    reply = texts_of(await shop.say(PHONE, "лоферы шанель"))
    assert not reply.startswith("Здравствуйте") and "Какой размер нужен?" in reply


@pytest.mark.parametrize("fault", ["malformed", "http500", "timeout"])
async def test_llm_failures_fall_back_offline_then_hand_off(llm_shop: tuple[Shop, FakeOpenAIServer], fault: str) -> None:
    shop, server = llm_shop
    server.timeout_seconds = 3.0
    if fault == "malformed":
        server.chat_script = lambda body: "Конечно! Лоферы есть {reply: "
    else:
        server.fail_next(fault, 5, route="chat")
    first = await shop.say(PHONE, "лоферы шанель 38?")
    assert "285 000 ₸" in texts_of(first) and not first.handoff_reason  # offline words, same facts
    second = await shop.say(PHONE, "черные")
    assert second.handoff_reason == "ИИ дважды не ответил"
    assert texts_of(second)  # the customer is never left without an answer
    assert (await _tickets(shop))[0]["status"] == "WAITING"


# ---- the console's desk ------------------------------------------------------------------------
async def test_desk_edits_confirms_and_cancels_with_audit(shop: Shop) -> None:
    from ottenok_desktop.engine.dialogue.state import OrderStateError

    desk = shop.commands
    await shop.say(PHONE, "мюли диор 38 черные")
    (order,) = await _orders(shop)
    with pytest.raises(OrderStateError):
        await desk.confirm_order(order["id"], "Динара")  # city and address missing
    await desk.update_order_field(order["id"], "city", "в алмату", "Динара")
    updated = await desk.update_order_field(order["id"], "address", "ул. Абая 10", "Динара")
    assert updated["city"] == "Алматы" and updated["state"] == "ready"
    confirmed = await desk.confirm_order(order["id"], "Динара")
    assert confirmed["state"] == "confirmed" and confirmed["price"] == "295000"
    assert await shop.inventory.available("Мюли Dior Dway", "38", "черный") == 1
    cancelled = await desk.cancel_order(order["id"], "Динара")
    assert cancelled["state"] == "cancelled"
    assert await shop.inventory.available("Мюли Dior Dway", "38", "черный") == 2
    actors = {row["actor"] for row in await _audit(shop, "order_field_changed")}
    assert "Динара" in actors


async def test_closing_one_of_two_open_tickets_keeps_the_chat_with_the_manager(shop: Shop) -> None:
    from ottenok_desktop.engine.events import ChatOwnerChanged
    from ottenok_desktop.services.storage import tickets as store
    from ottenok_desktop.services.storage.chats import find_chat

    chat_id = f"{PHONE}@c.us"
    now = shop.clock.now()
    first = await shop.db.atomic(store.create_ticket, chat_id, "warranty", "отклеилась подошва", {}, now)
    second = await shop.db.atomic(store.create_ticket, chat_id, "return", "не подошёл размер", {}, now)
    assert (await shop.commands.take_ticket(first.id, "Динара")).won
    assert await shop.commands.close_ticket(first.id, "Динара") is True
    assert (await shop.db.call(find_chat, chat_id)).owner == "manager"  # the return is still open
    assert not [e for e in shop.events.of_type(ChatOwnerChanged) if e.owner == "bot"]
    assert await shop.commands.close_ticket(second.id, "Динара") is True
    assert (await shop.db.call(find_chat, chat_id)).owner == "bot"
    assert [e.owner for e in shop.events.of_type(ChatOwnerChanged)][-1] == "bot"
