"""The operators' group over loopback: a WhatsApp customer asks for a person, the ticket's card
reaches the Telegram group, two operators press «Взять в работу» at once (one wins), the
winner talks to the customer through the bot in both directions, «Завершить диалог» closes
the ticket; the owner gets a report with its chart and an alert for a waiting ticket."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
import pytest_asyncio

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import texts
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Chat, Message, Ticket
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox
from ottenok_desktop.settings import load_settings
from tests.fakes.waiting import wait_until

pytestmark = pytest.mark.asyncio(loop_scope="module")

GROUP = -1009876543210
OWNER = 5550009999
KSENIA, DINA, STRANGER = 801, 802, 803
WA_CUSTOMER = "77015557777@c.us"


class Desk:
    def __init__(self, engine: Engine, tg: TelegramSandbox, wa: GreenApiSandbox) -> None:
        self.engine, self.tg, self.wa = engine, tg, wa


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def desk(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Desk]:
    data_dir = tmp_path_factory.mktemp("tgdesk")
    tg = TelegramSandbox(poll_scale=0.02)
    tg.add_group(GROUP, "Операторы Оттенок")
    tg.add_user(KSENIA, "Ксения")
    tg.add_user(DINA, "Дина")
    tg.add_user(STRANGER, "Аноним")
    tg.add_user(OWNER, "Владелица")
    tg.set_member(GROUP, KSENIA)  # recognised by membership
    await tg.start()
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", overrides={
        "TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.api_url, "TELEGRAM_OPERATORS_CHAT_ID": str(GROUP),
        "TELEGRAM_OPERATOR_IDS": str(DINA), "TELEGRAM_OWNER_CHAT_ID": str(OWNER)})
    wa = GreenApiSandbox(poll_scale=0.02, status_delay=0.01)
    engine = build_engine(settings, sandbox=wa, debounce=0.0, sender_retry_base=0.05)
    await engine.start()
    try:
        yield Desk(engine, tg, wa)
    finally:
        await engine.stop()
        await tg.stop()


def _card(desk: Desk):  # type: ignore[no-untyped-def]
    cards = [m for m in desk.tg.sent_to(GROUP) if m.reply_markup]
    return cards[-1] if cards else None


async def test_card_two_presses_proxy_both_ways_and_close(desk: Desk) -> None:
    desk.wa.inject_text(WA_CUSTOMER, "позовите менеджера пожалуйста", "Гульнара")
    await wait_until(lambda: _card(desk) is not None, "the ticket's card in the operators' group", timeout=20)
    card = _card(desk)
    assert "Гульнара" in card.text and "WhatsApp" in card.text and "позовите менеджера" in card.text
    assert card.reply_markup["inline_keyboard"][0][0]["text"] == "Взять в работу"
    data = card.reply_markup["inline_keyboard"][0][0]["callback_data"]
    ticket_id = int(data.split(":")[1])

    desk.tg.press(STRANGER, card.message_id, data)  # not an operator
    desk.tg.press(KSENIA, card.message_id, data)  # both at once
    desk.tg.press(DINA, card.message_id, data)
    await wait_until(lambda: len(desk.tg.answers) >= 3, "three callback answers")
    answers = [a.text for a in desk.tg.answers]
    assert answers[0] == texts.TG_NOT_OPERATOR
    assert answers[1] == texts.TG_TAKEN_ANSWER
    assert answers[2] == texts.TG_ALREADY_TAKEN.format(manager="Ксения (Telegram)")
    await wait_until(lambda: "Взял(а) в работу: Ксения" in desk.tg.find(card.message_id, GROUP).text, "card edited")
    assert desk.tg.find(card.message_id, GROUP).reply_markup is None

    def ticket_state() -> tuple[str, str, str]:
        ticket = Ticket.get_by_id(ticket_id)
        return ticket.status, ticket.manager, ticket.chat.owner

    assert await desk.engine.db.call(ticket_state) == ("ASSIGNED", "Ксения (Telegram)", "manager")
    private = [m for m in desk.tg.sent_to(KSENIA) if m.reply_markup]
    assert private and "Гульнара" in private[0].text and "WhatsApp" in private[0].text
    close = private[0].reply_markup["inline_keyboard"][0][0]
    assert close["text"] == "Завершить диалог"
    assert desk.tg.sent_to(DINA) == []  # the loser got only the callback answer

    # operator → customer (on WhatsApp), recorded with the operator's name
    desk.tg.write(KSENIA, "Здравствуйте, Гульнара! Я Ксения, помогу с возвратом. Какой размер?")
    await wait_until(lambda: any("Я Ксения" in m.text for m in desk.wa.sent_to(WA_CUSTOMER)), "the reply on WhatsApp")

    def operator_message() -> tuple[str, str]:
        row = Message.select().join(Chat).where((Chat.chat_id == WA_CUSTOMER) & Message.text.contains("Я Ксения")).get()
        return row.sender_kind, row.sender_name

    assert await desk.engine.db.call(operator_message) == ("manager_tg", "Ксения (Telegram)")
    # an operator's photo goes to the customer as a file with its caption
    desk.tg.write(KSENIA, photo=b"\xff\xd8\xff" + b"\x07" * 400, caption="Вот так выглядит ярлык с размером")
    await wait_until(lambda: any(m.caption == "Вот так выглядит ярлык с размером" for m in desk.wa.sent_to(WA_CUSTOMER)),
                     "the operator's photo on WhatsApp")
    photo = [m for m in desk.wa.sent_to(WA_CUSTOMER) if m.caption][-1]
    assert photo.kind == "file_upload" and photo.file_bytes == 403
    # customer → operator (a 502 on the way is retried)
    desk.tg.add_fault("sendMessage", 502)
    desk.wa.inject_text(WA_CUSTOMER, "38 размер, каблук отвалился через неделю(", "Гульнара")
    await wait_until(lambda: any("каблук отвалился" in m.text for m in desk.tg.sent_to(KSENIA)), "forwarded to the operator")
    assert not any("каблук" in m.text for m in desk.tg.sent_to(DINA))

    # «Завершить диалог»
    desk.tg.press(KSENIA, private[0].message_id, close["callback_data"])
    await wait_until(lambda: len(desk.tg.answers) >= 4, "the close answer")
    assert await desk.engine.db.call(ticket_state) == ("CLOSED", "Ксения (Telegram)", "bot")
    await wait_until(lambda: "Закрыто" in desk.tg.find(card.message_id, GROUP).text, "card shows it closed")
    # the operator has no dialogue now
    desk.tg.write(KSENIA, "ещё что-то?")
    await wait_until(lambda: desk.tg.sent_to(KSENIA)[-1].text == texts.TG_OPERATOR_IDLE, "idle notice")


async def test_a_handoff_without_a_ticket_gets_a_card_too(desk: Desk) -> None:
    """The bot gives up (a second voice note it cannot hear): no support ticket, but a person is needed —
    a `handoff` ticket is opened so the card can be taken like any other (first wins)."""
    chat_id = "77015556666@c.us"
    before = len([m for m in desk.tg.sent_to(GROUP) if m.reply_markup])
    voice = b"OggS" + b"\x00" * 600  # nobody can transcribe it (no OpenAI key): asked to write, then a person
    desk.wa.inject_file(chat_id, voice, "voice-1.ogg", sender_name="Мадина")
    await wait_until(lambda: any(m.text == texts.VOICE_ASK_TO_WRITE for m in desk.wa.sent_to(chat_id)), "asked to write")
    desk.wa.inject_file(chat_id, voice, "voice-2.ogg", sender_name="Мадина")
    await wait_until(lambda: len([m for m in desk.tg.sent_to(GROUP) if m.reply_markup]) > before,
                     "the handoff's card", timeout=20)
    card = _card(desk)
    assert "Мадина" in card.text and texts.VOICE_HANDOFF_REASON in card.text and texts.VOICE_HANDOFF in card.text
    data = card.reply_markup["inline_keyboard"][0][0]["callback_data"]
    ticket_id = int(data.split(":")[1])

    def ticket_row() -> tuple[str, str, str, str]:
        ticket = Ticket.get_by_id(ticket_id)
        return ticket.kind, ticket.status, ticket.manager, ticket.chat.chat_id

    assert await desk.engine.db.call(ticket_row) == ("handoff", "WAITING", "", chat_id)
    answers = len(desk.tg.answers)
    desk.tg.press(DINA, card.message_id, data)
    desk.tg.press(KSENIA, card.message_id, data)
    await wait_until(lambda: len(desk.tg.answers) >= answers + 2, "two callback answers")
    assert [a.text for a in desk.tg.answers[answers:]] == [
        texts.TG_TAKEN_ANSWER, texts.TG_ALREADY_TAKEN.format(manager="Дина (Telegram)")]

    def chat_owner() -> tuple[str, str]:
        chat = Chat.get(Chat.chat_id == chat_id)
        return chat.owner, chat.owner_name

    assert await desk.engine.db.call(ticket_row) == ("handoff", "ASSIGNED", "Дина (Telegram)", chat_id)
    assert await desk.engine.db.call(chat_owner) == ("manager", "Дина (Telegram)")  # what the console shows
    # a second handoff of the same chat opens nothing new while the ticket is open
    assert await desk.engine.desk.open_handoff_ticket(chat_id, "ещё раз") is None
    dialogue = [m for m in desk.tg.sent_to(DINA) if m.reply_markup][-1]
    desk.tg.press(DINA, dialogue.message_id, dialogue.reply_markup["inline_keyboard"][0][0]["callback_data"])
    await wait_until(lambda: desk.engine.db.call(lambda: ticket_row()[1] == "CLOSED"), "closed from the phone")
    assert await desk.engine.db.call(chat_owner) == ("bot", "")


async def _take_last_card(desk: Desk, operator: int) -> int:
    card = _card(desk)
    data = card.reply_markup["inline_keyboard"][0][0]["callback_data"]
    answers = len(desk.tg.answers)
    desk.tg.press(operator, card.message_id, data)
    await wait_until(lambda: len(desk.tg.answers) > answers, "the take answer")
    assert desk.tg.answers[-1].text == texts.TG_TAKEN_ANSWER
    return card.message_id


async def test_customer_media_reach_the_operator_as_media(desk: Desk) -> None:
    """A WhatsApp customer's photo (on the card too), voice note and document arrive as the files
    themselves, downloaded from GREEN-API's downloadUrl; a file whose link is dead arrives as a
    text with a clear note."""
    chat_id = "77015554444@c.us"
    photo = b"\xff\xd8\xff\xe0" + b"\x11" * 2500
    desk.wa.inject_file(chat_id, photo, "IMG-20261130.jpg", "вот брак на подошве", "Жанар")
    desk.wa.inject_text(chat_id, "позовите менеджера, туфли порвались через 3 дня", "Жанар")
    await wait_until(lambda: (c := _card(desk)) is not None and "Жанар" in c.text, f"the card {desk.tg.sent_to(GROUP)}", timeout=30)
    card = _card(desk)
    assert texts.TG_CARD_ATTACHMENTS.format(count=1).strip() in card.text
    await wait_until(lambda: any(m.kind == "photo" and m.photo_bytes == len(photo) for m in desk.tg.sent_to(GROUP)),
                     "the photo under the card")
    under = [m for m in desk.tg.sent_to(GROUP) if m.kind == "photo"][-1]
    assert under.caption.startswith("📎") and "вот брак на подошве" in under.caption
    await _take_last_card(desk, DINA)

    voice = b"OggS" + b"\x02" * 3000
    desk.wa.inject_file(chat_id, voice, "PTT-20261130.ogg", sender_name="Жанар")
    await wait_until(lambda: any(m.kind == "voice" for m in desk.tg.sent_to(DINA)), "the voice note")
    sent_voice = [m for m in desk.tg.sent_to(DINA) if m.kind == "voice"][-1]
    assert sent_voice.photo_bytes == len(voice) and sent_voice.caption.startswith("💬 Жанар")
    receipt = b"%PDF-1.4 " + b"\x03" * 1500
    desk.wa.inject_file(chat_id, receipt, "чек Kaspi.pdf", "чек об оплате", "Жанар")
    await wait_until(lambda: any(m.kind == "document" for m in desk.tg.sent_to(DINA)), "the document")
    document = [m for m in desk.tg.sent_to(DINA) if m.kind == "document"][-1]
    assert (document.photo_bytes, document.file_name) == (len(receipt), "чек Kaspi.pdf")
    assert document.caption == texts.TG_FROM_CUSTOMER.format(name="Жанар", text="чек об оплате")

    # a dead link: the operator still gets the words, with the note
    desk.wa.inject_file(chat_id, photo, "IMG-2.jpg", "а вот ещё фото", "Жанар")
    desk.wa.media.clear()  # before the program reads the notification
    await wait_until(lambda: any("а вот ещё фото" in m.text for m in desk.tg.sent_to(DINA)), "the placeholder", timeout=20)
    placeholder = [m for m in desk.tg.sent_to(DINA) if "а вот ещё фото" in m.text][-1]
    assert placeholder.kind == "text" and "Вложение не удалось переслать" in placeholder.text
    kinds = [m.kind for m in desk.tg.sent_to(DINA)][-3:]
    assert kinds == ["voice", "document", "text"]  # in the customer's order


async def test_a_telegram_customers_files_are_resent_by_file_id(desk: Desk) -> None:
    customer = 5550004321
    desk.tg.write(customer, "позовите менеджера пожалуйста", first_name="Асем")
    await wait_until(lambda: (c := _card(desk)) is not None and "Асем" in c.text, "the card", timeout=20)
    await _take_last_card(desk, KSENIA)
    before = len(desk.tg.sent_to(KSENIA))
    desk.tg.write(customer, voice=b"OggS" + b"\x05" * 900)
    desk.tg.write(customer, document=("размеры.xlsx", b"PK\x03\x04" + b"\x06" * 700), caption="моя мерка")
    photo = b"\xff\xd8\xff" + b"\x08" * 800
    desk.tg.write(customer, photo=photo, caption="вот такие хочу")
    await wait_until(lambda: len(desk.tg.sent_to(KSENIA)) >= before + 3, "three files")
    voice, document, picture = desk.tg.sent_to(KSENIA)[before:before + 3]
    assert voice.kind == "voice" and voice.file_id.startswith(f"AwAC{customer}x")  # the customer's own file
    assert voice.photo_bytes == 904
    assert document.kind == "document" and document.file_id.startswith(f"BQAC{customer}x")
    assert document.caption == texts.TG_FROM_CUSTOMER.format(name="Асем", text="моя мерка")
    assert picture.kind == "photo" and picture.photo_bytes == len(photo) and "вот такие хочу" in picture.caption


async def test_owner_gets_the_report_with_its_chart(desk: Desk) -> None:
    delivery = desk.engine.telegram.reports
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    await delivery.deliver("Отчёт за неделю", "Заказов: 12\nВыручка: 3 420 000 ₸\nМедиана ответа: 1 мин", png)
    sent = desk.tg.sent_to(OWNER)
    assert sent[-2].text.startswith("Отчёт за неделю") and "Выручка: 3 420 000 ₸" in sent[-2].text
    assert sent[-1].kind == "photo" and sent[-1].photo_bytes == len(png) and sent[-1].caption == "Отчёт за неделю"


async def test_owner_alert_for_a_ticket_waiting_too_long(desk: Desk) -> None:
    alerts = desk.engine.telegram.alerts
    alerts.waiting_minutes = 0
    desk.wa.inject_text("77015558888@c.us", "позовите менеджера, срочно", "Айдана")
    await wait_until(lambda: desk.engine.db.call(
        lambda: Ticket.select().where(Ticket.status == "WAITING").count()), "a waiting ticket", timeout=20)
    assert await alerts.check_now() >= 1
    assert any("ждёт оператора" in m.text and "Айдана" in m.text for m in desk.tg.sent_to(OWNER))
    assert await alerts.check_now() == 0  # once per ticket


async def test_the_owner_hears_when_whatsapp_is_not_authorised(desk: Desk) -> None:
    desk.wa.set_state("notAuthorized")
    expected = texts.TG_ALERT_WHATSAPP.format(state="notAuthorized")
    await wait_until(lambda: any(m.text == expected for m in desk.tg.sent_to(OWNER)), "the WhatsApp alert", timeout=20)
    desk.wa.set_state("authorized")


async def test_the_owner_hears_when_the_engine_stops(desk: Desk) -> None:
    await desk.engine.telegram.stop()  # the engine's stop stops it again: a no-op then
    last = desk.tg.sent_to(OWNER)[-1].text
    assert last == texts.TG_ALERT_ENGINE_DOWN.format(detail=texts.TG_ENGINE_STOPPED)
