"""The Telegram sandbox speaks the Bot API shapes: driven through aiogram (which validates
every answer against its models) and through the HTTP control endpoints."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError, TelegramUnauthorizedError

from ottenok_desktop.services.telegram.client import Button, TelegramApi
from ottenok_desktop.services.telegram.sandbox import BOT_ID, TelegramSandbox
from ottenok_desktop.services.telegram.sandbox_control import SandboxControlError, TelegramSandboxClient
from ottenok_desktop.settings import Secret

from .conftest import CUSTOMER, OPERATORS


async def test_get_me_and_a_wrong_token(tg_sandbox: TelegramSandbox, tg_api: TelegramApi) -> None:
    me = await tg_api.get_me()
    assert me["id"] == BOT_ID and me["is_bot"] is True and me["username"] == "ottenok_shop_bot"
    wrong = await TelegramApi(tg_sandbox.api_url, Secret("123:wrong"), request_timeout=5).open()
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()
    await wrong.aclose()


async def test_updates_come_back_until_confirmed_by_offset(tg_sandbox: TelegramSandbox, tg_api: TelegramApi) -> None:
    first = tg_sandbox.write(CUSTOMER, "здравствуйте, кроссы найк 38 есть?", first_name="Айгерим")
    second = tg_sandbox.write(CUSTOMER, "/start")
    updates = await tg_api.get_updates(0, timeout=1)
    assert [u["update_id"] for u in updates] == [first, second]
    message = updates[0]["message"]
    assert message["chat"] == {"id": CUSTOMER, "type": "private", "first_name": "Айгерим"}
    assert message["text"].startswith("здравствуйте")
    assert updates[1]["message"]["entities"][0]["type"] == "bot_command"
    again = await tg_api.get_updates(0, timeout=1)  # not confirmed yet: the same updates
    assert [u["update_id"] for u in again] == [first, second]
    rest = await tg_api.get_updates(second + 1, timeout=1)  # confirms both; long poll ends empty
    assert rest == [] and tg_sandbox.pending_updates() == 0


async def test_send_text_with_keyboard_edit_and_callback(tg_sandbox: TelegramSandbox, tg_api: TelegramApi) -> None:
    tg_sandbox.add_user(777, "Дина")
    tg_sandbox.set_member(OPERATORS, 777)
    card = await tg_api.send_text(OPERATORS, "Новый тикет", [[Button("Взять в работу", "take:1")]])
    sent = tg_sandbox.find(card, OPERATORS)
    assert sent is not None
    assert sent.reply_markup == {"inline_keyboard": [[{"text": "Взять в работу", "callback_data": "take:1"}]]}
    update_id = tg_sandbox.press(777, card, "take:1")
    (update,) = await tg_api.get_updates(update_id, timeout=1)
    query = update["callback_query"]
    assert query["data"] == "take:1" and query["from"]["id"] == 777 and query["message"]["message_id"] == card
    await tg_api.answer_callback(query["id"], "Тикет ваш")
    await tg_api.edit_text(OPERATORS, card, "Тикет взяла Дина")
    assert sent.text == "Тикет взяла Дина" and sent.reply_markup is None and sent.edits == 1
    assert tg_sandbox.answers[-1].text == "Тикет ваш"
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await tg_api.edit_text(OPERATORS, card, "Тикет взяла Дина")
    assert await tg_api.member_status(OPERATORS, 777) == "member"
    assert await tg_api.member_status(OPERATORS, 999) == "left"
    assert await tg_api.member_status(OPERATORS, BOT_ID) == "administrator"


async def test_photo_and_media_group_uploads(tg_sandbox: TelegramSandbox, tg_api: TelegramApi, tmp_path: Path) -> None:
    tg_sandbox.write(CUSTOMER, "покажите фото")
    photos = []
    for i in range(3):
        path = tmp_path / f"nike_{i}.jpg"
        path.write_bytes(b"\xff\xd8\xff" + bytes([i]) * (100 + i))
        photos.append(path)
    single = await tg_api.send_photo(CUSTOMER, photos[0], "Nike Air Max, 38")
    album = await tg_api.send_media_group(CUSTOMER, [(photos[1], "Вот в белом"), (photos[2], "")])
    assert album == [single + 1, single + 2]
    sent = tg_sandbox.sent_to(CUSTOMER)
    assert [m.kind for m in sent] == ["photo", "media_group", "media_group"]
    assert sent[0].caption == "Nike Air Max, 38" and sent[0].photo_bytes == 103
    assert sent[1].media_group_id == sent[2].media_group_id != ""
    assert [m.photo_bytes for m in sent[1:]] == [104, 105]
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await tg_api.send_text(4242, "кому?")


async def test_faults_429_with_retry_after_and_502(tg_sandbox: TelegramSandbox, tg_api: TelegramApi) -> None:
    tg_sandbox.write(CUSTOMER, "алло")
    tg_sandbox.add_fault("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await tg_api.send_text(CUSTOMER, "Здравствуйте!")
    assert caught.value.retry_after == 7
    tg_sandbox.add_fault("sendMessage", 502, count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await tg_api.send_text(CUSTOMER, "Здравствуйте!")
    assert tg_sandbox.sent == []
    await tg_api.send_text(CUSTOMER, "Здравствуйте!")
    tg_sandbox.add_fault("sendMessage", 502, after_effect=True)  # went out, the answer is an error
    with pytest.raises(TelegramServerError):
        await tg_api.send_text(CUSTOMER, "Ещё раз")
    assert [m.text for m in tg_sandbox.sent] == ["Здравствуйте!", "Ещё раз"]


async def test_control_endpoints_drive_another_process_view(tg_sandbox: TelegramSandbox, tg_api: TelegramApi) -> None:
    control = TelegramSandboxClient(tg_sandbox.api_url)
    try:
        update_id = await control.write(CUSTOMER, "салем, сумка есть?", first_name="Мадина")
        await control.add_user(801, "Оператор Ксюша")
        await control.set_member(OPERATORS, 801)
        assert await control.pending_updates() == 1
        (update,) = await tg_api.get_updates(update_id, timeout=1)
        assert update["message"]["from"]["first_name"] == "Мадина"
        card = await tg_api.send_text(OPERATORS, "карточка", [[Button("Взять в работу", "take:5")]])
        total, messages = await control.sent(wait=1)
        assert total == 1 and messages[0]["message_id"] == card and messages[0]["chat_id"] == OPERATORS
        pressed = await control.press(801, card, "take:5")
        assert pressed > update_id
        await control.add_fault("sendMessage", 429, retry_after=3)
        with pytest.raises(TelegramRetryAfter):
            await tg_api.send_text(CUSTOMER, "минутку")
        with pytest.raises(SandboxControlError):
            await control.press(801, 999, "take:5")  # no such message
    finally:
        await control.aclose()


async def test_plain_json_requests_like_other_clients(tg_sandbox: TelegramSandbox) -> None:
    tg_sandbox.write(CUSTOMER, "hi")
    async with httpx.AsyncClient() as http:
        url = f"{tg_sandbox.api_url}/bot{tg_sandbox.token}"
        answer = (await http.post(f"{url}/sendMessage", json={"chat_id": CUSTOMER, "text": "Привет"})).json()
        assert answer["ok"] is True and answer["result"]["text"] == "Привет"
        bad = await http.post(f"{url}/sendMessage", json={"chat_id": CUSTOMER, "text": " "})
        assert bad.status_code == 400 and bad.json() == {"ok": False, "error_code": 400,
                                                         "description": "Bad Request: message text is empty"}
        missing = await http.get(f"{url}/noSuchMethod")
        assert missing.status_code == 404 and missing.json()["ok"] is False


def test_round_trips_stay_within_latency_and_jitter() -> None:
    box = TelegramSandbox(latency_ms=120, jitter_ms=40, seed=4)
    trips = [box.round_trip() for _ in range(500)]
    assert all(0.080 <= t <= 0.160 for t in trips)
    assert max(trips) - min(trips) > 0.060  # jitter really varies them
    box.set_latency(0)
    assert box.round_trip() == 0.0


async def test_latency_set_over_control_delays_every_bot_api_call(tg_sandbox: TelegramSandbox,
                                                                  tg_api: TelegramApi) -> None:
    control = TelegramSandboxClient(tg_sandbox.api_url)
    try:
        await control.set_latency(150, 20)
        assert (tg_sandbox.latency_ms, tg_sandbox.jitter_ms) == (150.0, 20.0)
        started = time.monotonic()
        await tg_api.get_me()
        assert time.monotonic() - started >= 0.130  # half a trip each way: never faster than 130 ms
        await control.write(CUSTOMER, "салем, есть кроссовки 39?")  # control calls are not delayed
        assert tg_sandbox.pending_updates() == 1
        with pytest.raises(SandboxControlError):
            await control.set_latency(-5)
    finally:
        await control.aclose()
