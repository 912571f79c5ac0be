"""Tickets and the order card, driven through the real widgets and the engine's commands:
«Взять в работу» (the first manager wins, a second click is told it is taken),
«Завершить диалог» (the chat goes back to the bot), and order edits audited."""

from __future__ import annotations

from typing import Any


from ottenok_desktop.services.storage import models as m

from .conftest import wait_until

CHAT = "77019998877@c.us"


async def _customer_with_ticket(con: Any) -> int:
    from ottenok_desktop.services.storage import chats, tickets

    engine = con.ctx.engine
    engine.sandbox.inject_text(CHAT, "купила у вас туфли, через неделю отклеилась подошва. хочу вернуть", "Гульнара")
    await wait_until(lambda: engine.sandbox.sent_to(CHAT), timeout=10, what="the bot reply")
    now = engine.clock.now()

    def make() -> int:
        ticket = tickets.create_ticket(CHAT, "warranty", "Отклеилась подошва через неделю", {"photos": 0}, now)
        chats.mark_needs_human(CHAT, "гарантия", now)
        return ticket.id

    ticket_id = await engine.db.atomic(make)
    from ottenok_desktop.engine import events as ev

    engine.bus.publish(ev.TicketChanged(ticket_id, CHAT, "WAITING"))
    engine.bus.publish(ev.HandoffRequested(CHAT, "гарантия"))
    return ticket_id


async def test_take_and_close_a_ticket(console_of) -> None:
    async with console_of() as desk_console:
        con = desk_console
        window = con.window
        tab = window.tickets_tab
        ticket_id = await _customer_with_ticket(con)
        await wait_until(lambda: any(t.id == ticket_id for t in tab.model.rows), what="the ticket in the queue")
        # the alert is raised and stays until someone takes the chat
        await wait_until(lambda: CHAT in window.alerts.pending, what="the alert")
        assert window.alerts.alerts_shown >= 1
        assert "1" in window.alerts_label.text()

        window.tabs.setCurrentWidget(tab)
        tab.select_ticket(ticket_id)
        assert tab.take_button.isEnabled()
        tab.take_button.click()
        await wait_until(lambda: "ваш" in tab.message.text(), what="the ticket to be ours")
        await wait_until(lambda: window.chat_panel.chat_id == CHAT, what="the ticket's chat to open")
        await wait_until(lambda: window.chat_panel.chat is not None and window.chat_panel.chat.owner == "manager", what="owner")
        await wait_until(lambda: CHAT not in window.alerts.pending, what="the alert to stop")

        # a second manager (another seat) clicks the same ticket: told it is taken
        other = await con.ctx.engine.commands.take_ticket(ticket_id, "Другой менеджер")
        assert not other.won and other.holder == con.ctx.manager

        # live chat while ASSIGNED: the customer writes, the manager sees it
        con.ctx.engine.sandbox.inject_text(CHAT, "фото подошвы прислать?", "Гульнара")
        await wait_until(lambda: any(r.text == "фото подошвы прислать?" for r in window.chat_panel.model.rows), what="live message")

        window.tabs.setCurrentWidget(tab)
        tab.select_ticket(ticket_id)
        assert tab.close_button.isEnabled()
        tab.close_button.click()
        await wait_until(lambda: "закрыт" in tab.message.text(), what="the ticket to close",
                         detail=lambda: f"message={tab.message.text()!r} error={window.status.error.toolTip()!r}")
        assert not any(t.id == ticket_id for t in tab.model.rows)
        await wait_until(lambda: window.chat_panel.chat.owner == "bot", what="the chat back with the bot")
        status = await con.ctx.engine.db.call(lambda: m.Ticket.get_by_id(ticket_id).status)
        assert status == "CLOSED"


async def test_second_click_on_a_taken_ticket_is_told_plainly(console_of) -> None:
    async with console_of() as desk_console:
        con = desk_console
        tab = con.window.tickets_tab
        ticket_id = await _customer_with_ticket(con)
        await wait_until(lambda: any(t.id == ticket_id for t in tab.model.rows), what="the ticket")
        tab.select_ticket(ticket_id)
        await con.ctx.engine.commands.take_ticket(ticket_id, "Айдана")  # someone was faster
        tab.take_button.click()
        await wait_until(lambda: tab.message.text() == "Тикет уже взял(а) Айдана.", what="the refusal")


async def test_order_card_edit_goes_through_the_engine_and_is_audited(console_of) -> None:
    async with console_of() as desk_console:
        from ottenok_desktop.services.storage import orders

        con = desk_console
        window = con.window
        engine = con.ctx.engine
        engine.sandbox.inject_text(CHAT, "хочу лоферы шанель 37 бежевые, доставка в алматы", "Гульнара")
        await wait_until(lambda: engine.sandbox.sent_to(CHAT), timeout=10, what="the bot reply")
        order_id = await engine.db.atomic(lambda: orders.create_order(CHAT, engine.clock.now(), "bot", {
            "product": "Лоферы Chanel", "size": "37", "color": "бежевый", "city": "Алматы"}).id)
        window.open_chat(CHAT)
        card = window.right_panel.order_card
        await wait_until(lambda: card.order is not None and card.order.id == order_id, what="the order card")
        assert card.fields["product"].text() == "Лоферы Chanel"

        card.fields["size"].setText("38")
        card.fields["address"].setText("мкр Самал-2, д. 58, кв 14")
        card.fields["quantity"].setText("ноль")
        card._mark_dirty()
        card.save()
        assert "Количество" in card.message.text()  # refused before reaching the engine
        card.fields["quantity"].setText("1")
        card.save()
        await wait_until(lambda: card.message.text() == "Сохранено", what="the save")
        stored = await engine.db.call(lambda: orders.order_dict(orders.get_order(order_id)))
        assert stored["size"] == "38" and stored["address"] == "мкр Самал-2, д. 58, кв 14"
        audit = await engine.db.call(lambda: list(m.AuditLog.select().where(m.AuditLog.entity == "order").dicts()))
        assert any(row["actor"] == con.ctx.manager for row in audit)
        await wait_until(lambda: card.order is not None and card.order.size == "38", what="the card to refresh from the event")
