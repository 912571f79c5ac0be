"""The console updates live from engine events: a customer message shows in the list and
in the open chat, sorted by waiting time, with the bot's reply and its delivery status."""

from __future__ import annotations


from .conftest import wait_until

CHAT = "77011234567@c.us"


async def test_inbound_message_appears_in_list_and_chat(console_of) -> None:
    async with console_of() as console:
        engine = console.ctx.engine
        model = console.window.chat_list.model
        engine.sandbox.inject_text(CHAT, "Здравствуйте, есть шанель 37 бежевые?", "Айгерим")
        await wait_until(lambda: model.row_of(CHAT) >= 0, what="the chat in the list")
        row = model.rows[model.row_of(CHAT)]
        assert row.name == "Айгерим"
        assert "шанель" in row.last_text or row.unanswered >= 0

        console.window.open_chat(CHAT)
        chat = console.window.chat_panel.model
        await wait_until(lambda: chat.chat_id == CHAT and any(r.sender_kind == "bot" for r in chat.rows), what="the bot reply in the chat")
        texts = [r.text for r in chat.rows]
        assert texts[0] == "Здравствуйте, есть шанель 37 бежевые?"
        assert any(t.startswith("Алина: ") for t in texts)
        # a second message arrives while the chat is open: appended live
        engine.sandbox.inject_text(CHAT, "и доставка в астану сколько?", "Айгерим")
        await wait_until(lambda: any(r.text == "и доставка в астану сколько?" for r in chat.rows), what="the live message")
        # delivery ticks: the sandbox reports delivered/read; the bubble row follows
        await wait_until(lambda: any(r.sender_kind == "bot" and r.status in ("delivered", "read") for r in chat.rows),
                         timeout=15, what="a delivery status")


async def test_long_chat_opens_with_its_newest_page_and_loads_older_on_scroll(console_of) -> None:
    from ottenok_desktop.services.storage import chats
    from ottenok_desktop.services.storage import models as m
    from ottenok_desktop.ui.chat_model import PAGE

    async with console_of() as console:
        engine = console.ctx.engine
        long_chat = "77015550000@c.us"
        now = engine.clock.now()

        def fill() -> None:
            chat = chats.get_or_create_chat(long_chat, now, "Постоянная клиентка")
            from datetime import timedelta

            m.Message.insert_many([
                dict(chat=chat.id, direction="in", sender_kind="customer", text=f"сообщение {i}", content_type="text",
                     external_id=f"e{i}", created_at=now - timedelta(minutes=1000 - i))
                for i in range(PAGE + 50)
            ]).execute()

        await engine.db.atomic(fill)
        panel = console.window.chat_panel
        await panel.load(long_chat)
        assert len(panel.model.rows) == PAGE and panel.model.has_older
        assert panel.model.rows[-1].text == f"сообщение {PAGE + 49}"
        panel.messages.verticalScrollBar().setValue(0)
        await wait_until(lambda: len(panel.model.rows) == PAGE + 50, what="the older page")
        assert panel.model.rows[0].text == "сообщение 0" and not panel.model.has_older
