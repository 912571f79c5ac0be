"""An operator's words reach the customer through the durable outbox: the update that carried
them is marked done in the transaction that queues them, the row survives a restart of the
engine while WhatsApp is failing, and the customer gets the message exactly once."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Chat, OutboxItem, TelegramUpdate
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.waiting import wait_until

GROUP = -1005550001111
ASEL = 811
CUSTOMER = "77017778899@c.us"
WORDS = "Айгерим, здравствуйте! Я Асель. Обмен на 38 размер оформим, привезите коробку и чек."


def _engine(data_dir: Path, tg: TelegramSandbox, wa: GreenApiSandbox) -> Engine:
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", overrides={
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.api_url, "TELEGRAM_OPERATORS_CHAT_ID": str(GROUP),
        "TELEGRAM_OPERATOR_IDS": str(ASEL)})
    return build_engine(settings, sandbox=wa, debounce=0.0, sender_retry_base=0.05)


def _operator_rows() -> list[tuple[str, str, str]]:
    return [(r.text, r.state, r.sender_name) for r in OutboxItem.select().join(Chat)
            .where((Chat.chat_id == CUSTOMER) & (OutboxItem.sender_kind == "manager_tg"))]


async def test_operator_message_is_queued_with_its_update_and_sent_once_after_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    tg = TelegramSandbox(poll_scale=0.02)
    tg.add_group(GROUP, "Операторы")
    tg.add_user(ASEL, "Асель")
    await tg.start()
    wa = GreenApiSandbox(poll_scale=0.02, status_delay=0.01)
    engine = _engine(data_dir, tg, wa)
    await engine.start()
    try:
        wa.inject_text(CUSTOMER, "позовите менеджера, хочу обменять туфли", "Айгерим")
        await wait_until(lambda: any(m.reply_markup for m in tg.sent_to(GROUP)), "the card", timeout=20)
        card = [m for m in tg.sent_to(GROUP) if m.reply_markup][-1]
        tg.press(ASEL, card.message_id, card.reply_markup["inline_keyboard"][0][0]["callback_data"])
        await wait_until(lambda: any(m.reply_markup for m in tg.sent_to(ASEL)), "the operator's dialogue")

        wa.add_fault("sendMessage", 503, count=10_000)  # WhatsApp down: the row must wait in the outbox
        update_id = tg.write(ASEL, WORDS)
        await wait_until(lambda: engine.db.call(_operator_rows), "the operator's words in the outbox")

        def update_state() -> str:
            return TelegramUpdate.get(TelegramUpdate.update_id == update_id).state

        assert await engine.db.call(update_state) == "done"
        rows = await engine.db.call(_operator_rows)
        assert [(text, sender) for text, _, sender in rows] == [(WORDS, "Асель (Telegram)")]
        assert rows[0][1] != "sent"
    finally:
        await engine.stop()

    assert not any(m.text == WORDS for m in wa.sent_to(CUSTOMER))
    wa = GreenApiSandbox(poll_scale=0.02, status_delay=0.01)  # WhatsApp is back (the engine stopped the old one)
    engine = _engine(data_dir, tg, wa)  # the same data dir: the program started again
    await engine.start()
    try:
        await wait_until(lambda: any(m.text == WORDS for m in wa.sent_to(CUSTOMER)), "the words on WhatsApp", timeout=20)
        await wait_until(lambda: engine.db.call(lambda: [s for _, s, _ in _operator_rows()] == ["sent"]), "row sent")
        assert [m.text for m in wa.sent_to(CUSTOMER)].count(WORDS) == 1
        assert len(await engine.db.call(_operator_rows)) == 1
    finally:
        await engine.stop()
        await tg.stop()

