"""The console's offer to link one customer's Telegram and WhatsApp chats, the link that opens
the other chat, and unlinking (issue 15)."""

from __future__ import annotations

from datetime import datetime, timezone

from ottenok_desktop.services.storage.models import Chat

from .conftest import wait_until

WA = "77015552244@c.us"
TG = "tg:5550002244"


def _telegram_customer() -> None:
    now = datetime.now(timezone.utc)
    Chat.create(chat_id=TG, phone="77015552244", name="Алия", channel="telegram", created_at=now, updated_at=now)


async def test_offer_link_open_the_other_chat_and_unlink(console_of) -> None:
    async with console_of() as console:
        engine = console.ctx.engine
        window = console.window
        await engine.db.call(_telegram_customer)
        window.open_chat(TG)
        bar = window.chat_panel.link_bar
        await wait_until(lambda: window.chat_panel.chat_id == TG and bar.chat_id == TG, what="the Telegram chat")
        assert not bar.isVisible()  # no WhatsApp chat with that phone yet

        # the same customer writes on WhatsApp while the manager has the Telegram chat open
        engine.sandbox.inject_text(WA, "здравствуйте, а сапоги 37 есть?", "Алия")
        await wait_until(lambda: bar.isVisible(), what="the offer")
        assert bar.label.text() == "Этот клиент есть и в WhatsApp: Алия +77015552244 — связать чаты?"
        assert bar.link_button.isVisible() and not bar.open_button.isVisible()

        bar.link_button.click()
        await wait_until(lambda: bar.open_button.isVisible(), what="the link")
        assert bar.label.text() == "Связан с WhatsApp: Алия +77015552244"
        assert await engine.db.call(lambda: Chat.get(Chat.chat_id == WA).linked_chat_id) == TG

        bar.open_button.click()  # opens the WhatsApp chat
        await wait_until(lambda: window.chat_panel.chat_id == WA and bar.chat_id == WA, what="the other chat")
        assert bar.label.text().startswith("Связан с Telegram: Алия")

        bar.unlink_button.click()
        await wait_until(lambda: bar.link_button.isVisible(), what="the offer again")
        assert bar.label.text().startswith("Этот клиент есть и в Telegram")
        assert await engine.db.call(lambda: Chat.get(Chat.chat_id == TG).linked_chat_id) == ""
