"""One customer on two channels, over loopback: a Telegram customer shares their phone, the
WhatsApp chat with that phone appears later, the console offers to link them; the link
shares the person's facts (name, phone, consent — an opt-out on either wins on both),
replies stay on each chat's own channel; unlinking."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.services.storage.links import link_info
from ottenok_desktop.services.storage.models import AuditLog, Chat
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.waiting import wait_until

USER = 5550007777
TG = f"tg:{USER}"
WA = "77015553311@c.us"


def _chat(chat_id: str) -> tuple[str, str, str, bool, bool, bool]:
    chat = Chat.get(Chat.chat_id == chat_id)
    return (chat.linked_chat_id, chat.phone, chat.name, chat.opted_out, chat.promo_opt_in_at is not None,
            chat.promo_opt_out_at is not None)


async def test_offer_link_share_facts_and_unlink(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    tg = TelegramSandbox(poll_scale=0.02)
    await tg.start()
    wa = GreenApiSandbox(poll_scale=0.02, status_delay=0.01)
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", overrides={
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.api_url})
    engine = build_engine(settings, sandbox=wa, debounce=0.0, sender_retry_base=0.05)
    await engine.start()
    db = engine.db
    try:
        tg.write(USER, "здравствуйте, есть лоферы 38 размера?", first_name="Динара")
        tg.share_contact(USER, "+7 701 555 33 11")
        await wait_until(lambda: db.call(lambda: Chat.get_or_none((Chat.chat_id == TG) & (Chat.phone != ""))),
                         "the shared phone on the Telegram chat", timeout=20)
        assert await db.call(link_info, TG) is None  # no WhatsApp chat with that phone yet

        wa.inject_text(WA, "добрый день, я вам в телеграм писала про лоферы", "")
        await wait_until(lambda: db.call(lambda: Chat.get_or_none(Chat.chat_id == WA)), "the WhatsApp chat")
        offer = await db.call(link_info, TG)
        assert (offer.state, offer.chat_id, offer.channel, offer.phone) == ("candidate", WA, "whatsapp", "77015553311")
        assert (await db.call(link_info, WA)).chat_id == TG  # offered on the WhatsApp chat as well

        # the customer had agreed to promotions on WhatsApp before the link
        await db.call(lambda: record_promo_consent(WA, engine.clock.now(), True, "customer"))
        assert await engine.commands.link_chats(TG, WA, "Асель") is True
        assert await engine.commands.link_chats(TG, WA, "Асель") is False  # linked already
        tg_row, wa_row = await db.call(_chat, TG), await db.call(_chat, WA)
        assert tg_row[:3] == (WA, "77015553311", "Динара") and wa_row[:3] == (TG, "77015553311", "Динара")
        assert tg_row[4] and wa_row[4]  # the opt-in is the person's
        assert (await db.call(link_info, WA)).state == "linked"

        # an opt-out on Telegram wins on both chats
        tg.write(USER, "стоп, больше не пишите")
        await wait_until(lambda: db.call(lambda: _chat(WA)[3]), "the opt-out mirrored to WhatsApp", timeout=20)
        assert (await db.call(_chat, TG))[3]
        assert await db.call(lambda: record_promo_consent(WA, engine.clock.now(), True, "manager:Асель")) is False

        # replies stay on their own channel
        await engine.send_as_manager(WA, "Динара, лоферы 38 есть, бежевые.", "Асель")
        await wait_until(lambda: any("лоферы 38 есть" in m.text for m in wa.sent_to(WA)), "the reply on WhatsApp")
        assert not any("лоферы 38 есть" in m.text for m in tg.sent_to(USER))

        assert await engine.commands.unlink_chat(WA, "Асель") is True
        assert (await db.call(_chat, TG))[0] == "" and (await db.call(_chat, WA))[0] == ""
        assert (await db.call(link_info, TG)).state == "candidate"  # offered again
        actions = await db.call(lambda: [a.action for a in AuditLog.select().where(
            AuditLog.action.in_(["chats_linked", "chats_unlinked"])).order_by(AuditLog.id)])
        assert actions == ["chats_linked", "chats_unlinked"]
    finally:
        await engine.stop()
        await tg.stop()
