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


async def test_dismissed_offer_stays_hidden_after_restart_and_the_card_links_by_hand(console_of) -> None:
    from ottenok_desktop.services.storage.models import AuditLog

    async with console_of() as console:
        engine = console.ctx.engine
        window = console.window
        bar = window.chat_panel.link_bar
        card_row = window.right_panel.customer.link_row
        await engine.db.call(_telegram_customer)
        engine.sandbox.inject_text(WA, "здравствуйте, а сапоги 37 есть?", "Алия")
        await wait_until(lambda: engine.db.call_sync(lambda: Chat.get_or_none(Chat.chat_id == WA)) is not None,
                         what="the WhatsApp chat")
        window.open_chat(TG)
        await wait_until(lambda: bar.chat_id == TG and bar.isVisible(), what="the offer")
        assert bar.dismiss_button.isVisible() and bar.dismiss_button.text() == "Не связывать"
        assert "в карточке клиента" in bar.dismiss_button.toolTip()  # where linking by hand lives
        assert not card_row.isVisible()

        bar.dismiss_button.click()
        await wait_until(lambda: not bar.isVisible() and card_row.isVisible(), what="the offer dismissed")
        assert card_row.label.text() == "Есть и в WhatsApp: Алия +77015552244 (предложение связать скрыто)"
        assert await engine.db.call(lambda: [(a.actor, a.entity_id) for a in AuditLog.select().where(
            AuditLog.action == "link_offer_dismissed")]) == [(console.ctx.manager, TG)]

    async with console_of() as console:  # the program started again on the same data
        engine = console.ctx.engine
        window = console.window
        bar = window.chat_panel.link_bar
        card_row = window.right_panel.customer.link_row
        window.open_chat(WA)
        await wait_until(lambda: bar.chat_id == WA and card_row.chat_id == WA and card_row.isVisible(),
                         what="the WhatsApp chat with its card")
        assert not bar.isVisible()  # no offer on the other chat of the pair either
        assert card_row.label.text().startswith("Есть и в Telegram: Алия")

        card_row.link_button.click()  # linking by hand, from the customer card
        await wait_until(lambda: bar.isVisible() and bar.open_button.isVisible(), what="the link")
        assert bar.label.text() == "Связан с Telegram: Алия +77015552244"
        assert not card_row.isVisible()
        assert await engine.db.call(lambda: Chat.get(Chat.chat_id == TG).linked_chat_id) == WA
