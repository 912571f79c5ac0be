"""The «Клиент (демо)» window writes as a Telegram customer when the demo runs a Telegram
sandbox: the message goes through getUpdates into the engine, the bot answers in Telegram,
and the console lists the chat with its channel."""

from __future__ import annotations

from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.settings import load_settings
from ottenok_desktop.ui import strings as S
from ottenok_desktop.ui.demo_client import DEMO_TELEGRAM_USER
from tests.fakes.waiting import wait_until
from tests.ui.conftest import open_console


async def test_demo_client_writes_as_a_telegram_customer(data_dir, responder) -> None:
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "no.env", demo=True,
                             overrides={"OTTENOK_DEMO_TELEGRAM": "1"})
    async with open_console(settings, responder) as console:
        engine = console.ctx.engine
        tg = engine.telegram.sandbox
        client = console.window.open_demo_client()
        assert not client.switch.isHidden()  # offered only when the demo runs a Telegram sandbox
        client.toggle_channel()
        assert client.channel == "telegram" and client.chat_id == f"tg:{DEMO_TELEGRAM_USER}"
        assert client.switch.text() == S.DEMO_CLIENT_SWITCH["telegram"]
        client.input.setText("салем! есть кеды 37?")
        client.send()
        await wait_until(lambda: tg.sent_to(DEMO_TELEGRAM_USER), "the bot's answer in Telegram", timeout=60)
        assert tg.sent_to(DEMO_TELEGRAM_USER)[0].text == "Алина: салем! есть кеды 37?"
        rows = await engine.db.call(q.chat_page, q.FILTER_TELEGRAM)
        assert [(r.chat_id, r.channel, r.name) for r in rows] == [(f"tg:{DEMO_TELEGRAM_USER}", "telegram", S.DEMO_CLIENT_NAME)]
        await wait_until(lambda: client.model.rowCount() >= 2, "the conversation in the demo window")


async def test_demo_customer_shares_the_phone_and_the_console_offers_the_link(data_dir, responder) -> None:
    from ottenok_desktop.services.storage.links import link_info
    from ottenok_desktop.ui.demo_client import DEMO_CHAT_ID

    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "no.env", demo=True,
                             overrides={"OTTENOK_DEMO_TELEGRAM": "1"})
    async with open_console(settings, responder) as console:
        engine = console.ctx.engine
        client = console.window.open_demo_client()
        assert client.share.isHidden()  # a WhatsApp customer has a number already
        client.input.setText("здравствуйте, босоножки 38 есть?")
        client.send()
        client.toggle_channel()
        client.input.setText("и в телеграм напишу на всякий случай")
        client.send()
        assert not client.share.isHidden()
        client.share.click()
        tg_chat = f"tg:{DEMO_TELEGRAM_USER}"

        async def offer():  # type: ignore[no-untyped-def]
            return await engine.db.call(link_info, tg_chat)

        await wait_until(offer, "the link offer", timeout=60)
        info = await offer()
        assert (info.state, info.chat_id) == ("candidate", DEMO_CHAT_ID)
