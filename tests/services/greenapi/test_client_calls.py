"""Every GreenApiClient call against the sandbox over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest

from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import Secret

from .conftest import CUSTOMER, CUSTOMER2, FakeSleep, drain, make_client

ID_RE = re.compile(r"^[0-9A-F]{32}$")


async def test_empty_queue_answers_null(client: GreenApiClient) -> None:
    assert await client.receive_notification(5) is None


async def test_incoming_text_is_redelivered_until_deleted(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    id_message = sandbox.inject_text(CUSTOMER, "Здравствуйте, шанель лодочки 37 размер есть?", "Айгерим")
    assert ID_RE.match(id_message)
    first = await client.receive_notification(5)
    again = await client.receive_notification(5)
    assert first is not None and again is not None
    assert first.receipt_id == again.receipt_id
    body = first.body
    assert body["typeWebhook"] == "incomingMessageReceived"
    assert body["idMessage"] == id_message
    assert body["senderData"] == {
        "chatId": CUSTOMER, "sender": CUSTOMER, "chatName": "Айгерим", "senderName": "Айгерим",
    }
    assert body["messageData"]["textMessageData"]["textMessage"] == "Здравствуйте, шанель лодочки 37 размер есть?"
    assert body["instanceData"]["idInstance"] == int(sandbox.instance_id)
    assert json.loads(first.raw) == {"receiptId": first.receipt_id, "body": body}
    assert await client.delete_notification(first.receipt_id) is True
    assert await client.delete_notification(first.receipt_id) is False  # already gone
    assert await client.receive_notification(5) is None


async def test_long_poll_returns_as_soon_as_something_is_queued(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> None:
    slow = GreenApiSandbox(poll_scale=1.0)  # a real 5 s long poll
    await slow.start()
    api = make_client(slow, fake_sleep)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = asyncio.create_task(api.receive_notification(5))
        await asyncio.sleep(0.2)
        slow.inject_text(CUSTOMER, "алло")
        note = await poll
        assert note is not None and note.body["messageData"]["textMessageData"]["textMessage"] == "алло"
        assert loop.time() - started < 2.0
    finally:
        await api.aclose()
        await slow.stop()


async def test_fixture_body_and_duplicates(client: GreenApiClient, sandbox: GreenApiSandbox, shared_fixtures: Path) -> None:
    fixture = json.loads((shared_fixtures / "greenapi" / "incomingMessageReceived_imageMessage.json").read_text("utf-8"))
    sandbox.duplicate_next(1)
    receipt = sandbox.inject_body(fixture)
    sandbox.inject_text(CUSTOMER2, "баленсиага кроссы белые 38")
    assert sandbox.pending_notifications() == 3
    bodies = await drain(client)
    assert bodies[0] == fixture and bodies[1] == fixture  # same body twice, two receipts
    assert bodies[2]["senderData"]["chatId"] == CUSTOMER2
    assert receipt == 1


async def test_poison_body_still_has_a_receipt_id(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    receipt = sandbox.inject_raw('{"typeWebhook": "incomingMessageReceived", "senderData": {')
    note = await client.receive_notification(5)
    assert note is not None
    assert note.receipt_id == receipt
    assert note.body is None and note.decode_error
    assert '"senderData": {' in note.raw
    assert await client.delete_notification(receipt) is True
    # A valid JSON body of the wrong shape is delivered as decoded.
    sandbox.inject_raw('"просто строка"')
    note = await client.receive_notification(5)
    assert note is not None and note.body == "просто строка" and note.decode_error is None


async def test_send_message_echo_and_statuses(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    id_message = await client.send_message(CUSTOMER, "Здравствуйте! Да, 37 размер есть 👠")
    assert ID_RE.match(id_message)
    await sandbox.wait_sent(1)
    assert sandbox.sent_to(CUSTOMER)[0].text == "Здравствуйте! Да, 37 размер есть 👠"
    assert sandbox.sent_to(CUSTOMER2) == []
    await asyncio.sleep(0.1)  # statuses come status_delay apart
    bodies = await drain(client)
    echo, *statuses = bodies
    assert echo["typeWebhook"] == "outgoingAPIMessageReceived"
    assert echo["idMessage"] == id_message
    assert echo["senderData"]["chatId"] == CUSTOMER and echo["senderData"]["sender"] == sandbox.wid
    assert echo["messageData"] == {
        "typeMessage": "textMessage", "textMessageData": {"textMessage": "Здравствуйте! Да, 37 размер есть 👠"},
    }
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert all(s["typeWebhook"] == "outgoingMessageStatus" and s["chatId"] == CUSTOMER for s in statuses)
    assert all(s["idMessage"] == id_message and s["sendByApi"] is True for s in statuses)


async def test_quoted_reply_reaches_the_sandbox(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    incoming = sandbox.inject_text(CUSTOMER, "а цена?")
    await client.send_message(CUSTOMER, "45 000 тг", quoted_message_id=incoming)
    assert sandbox.sent[0].quoted_message_id == incoming


async def test_upload_goes_to_the_media_host_with_the_bytes(sandbox: GreenApiSandbox, fake_sleep: FakeSleep, tmp_path: Path) -> None:
    # A second server stands for the media host: the upload must go there, not to the API host.
    media = GreenApiSandbox(instance_id=sandbox.instance_id, token=sandbox.token, poll_scale=0.02)
    await media.start()
    api = GreenApiClient(sandbox.api_url, media.api_url, sandbox.instance_id, Secret(sandbox.token), sleep=fake_sleep)
    try:
        photo = tmp_path / "лодочки_черные.jpg"
        content = bytes(range(256)) * 400  # 100 KiB, every byte value
        photo.write_bytes(content)
        id_message = await api.send_file_by_upload(CUSTOMER, photo, photo.name, "Шанель, чёрные, 37")
        assert sandbox.sent == []
        [sent] = media.sent
        assert sent.id_message == id_message and sent.kind == "file_upload"
        assert sent.file_name == "лодочки_черные.jpg" and sent.caption == "Шанель, чёрные, 37"
        assert sent.file_bytes == len(content)
        async with httpx.AsyncClient() as http:
            downloaded = await http.get(sent.download_url)
        assert downloaded.content == content and downloaded.headers["content-type"] == "image/jpeg"
        echo = json.loads(media.queued_bodies()[0])
        assert echo["messageData"]["typeMessage"] == "imageMessage"
        assert echo["messageData"]["fileMessageData"]["fileName"] == "лодочки_черные.jpg"
        # bytes work too
        await api.send_file_by_upload(CUSTOMER, b"%PDF-1.4 size chart", "таблица размеров.pdf")
        assert media.sent[1].file_bytes == len(b"%PDF-1.4 size chart")
    finally:
        await api.aclose()
        await media.stop()


async def test_send_file_by_url(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    url = "https://example.com/photos/balenciaga-triple-s.png"
    id_message = await client.send_file_by_url(CUSTOMER, url, "triple-s.png", "Баленсиага Triple S")
    [sent] = sandbox.sent
    assert (sent.id_message, sent.kind, sent.download_url, sent.caption) == (id_message, "file_url", url, "Баленсиага Triple S")


async def test_state_settings_read_chat(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    assert await client.get_state_instance() == "authorized"
    settings = await client.get_settings()
    assert settings["webhookUrl"] == "" and settings["wid"] == sandbox.wid
    assert await client.set_settings({"outgoingAPIMessageWebhook": "no"}) is True
    assert (await client.get_settings())["outgoingAPIMessageWebhook"] == "no"
    await client.send_message(CUSTOMER, "без эха")
    assert all(json.loads(b)["typeWebhook"] != "outgoingAPIMessageReceived" for b in sandbox.queued_bodies())
    incoming = sandbox.inject_text(CUSTOMER, "ок")
    assert await client.read_chat(CUSTOMER, incoming) is True
    assert await client.read_chat(CUSTOMER2) is True
    assert sandbox.read_chats == [(CUSTOMER, incoming), (CUSTOMER2, None)]


async def test_last_outgoing_messages_lists_api_and_phone_messages(client: GreenApiClient, sandbox: GreenApiSandbox) -> None:
    first = await client.send_message(CUSTOMER, "Доставка по Алматы 1500 тг")
    phone = sandbox.inject_phone_text(CUSTOMER, "Это менеджер Дана, подскажу по оплате")
    await asyncio.sleep(0.1)
    items = await client.last_outgoing_messages(60)
    by_id = {item["idMessage"]: item for item in items}
    assert by_id[first]["textMessage"] == "Доставка по Алматы 1500 тг"
    assert by_id[first]["chatId"] == CUSTOMER and by_id[first]["sendByApi"] is True
    assert by_id[first]["typeMessage"] == "textMessage" and by_id[first]["statusMessage"] == "read"
    assert isinstance(by_id[first]["timestamp"], int)
    assert by_id[phone]["sendByApi"] is False
    bodies = await drain(client)
    phone_body = next(b for b in bodies if b["idMessage"] == phone and "senderData" in b)
    assert phone_body["typeWebhook"] == "outgoingMessageReceived"
    assert phone_body["senderData"]["sender"] == sandbox.wid


async def test_last_outgoing_messages_filters_by_minutes(fake_sleep: FakeSleep) -> None:
    clock = [1_800_000_000.0]
    box = GreenApiSandbox(poll_scale=0.02, now=lambda: clock[0])
    await box.start()
    api = make_client(box, fake_sleep)
    try:
        old = await api.send_message(CUSTOMER, "старое")
        clock[0] += 2 * 3600
        new = await api.send_message(CUSTOMER, "новое")
        assert [m["idMessage"] for m in await api.last_outgoing_messages(60)] == [new]
        assert [m["idMessage"] for m in await api.last_outgoing_messages(180)] == [new, old]  # newest first
    finally:
        await api.aclose()
        await box.stop()


async def test_a_proxy_from_the_environment_is_used(sandbox: GreenApiSandbox, fake_sleep: FakeSleep,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # A shop network that reaches the internet only through a proxy (HTTP_PROXY): the API
    # host below does not resolve, so only the proxy (the sandbox here) can answer.
    monkeypatch.setenv("HTTP_PROXY", sandbox.api_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    api = GreenApiClient("http://api.green-api.invalid", "http://api.green-api.invalid", sandbox.instance_id,
                         Secret(sandbox.token), sleep=fake_sleep, max_attempts=1)
    try:
        assert await api.get_state_instance() == "authorized"
        assert await api.send_message(CUSTOMER, "Через прокси: лоферы 38 есть") != ""
    finally:
        await api.aclose()
    assert [m.text for m in sandbox.sent] == ["Через прокси: лоферы 38 есть"]
