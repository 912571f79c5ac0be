"""Two programs on one WhatsApp instance: API sends this program did not make and
notifications deleted by someone else raise one loud warning (event + status-bar error)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import httpx

from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.greenapi.ingest import ingest_notification
from ottenok_desktop.services.greenapi.shared import SharedInstanceDetector
from ottenok_desktop.services.storage import Database
from tests.engine.channel_harness import start_channel

DANA = "77478889900@c.us"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_one_false_delete_is_not_enough_two_are_and_warnings_do_not_repeat() -> None:
    bus = ev.EventBus()
    recorder = ev.EventRecorder(bus)
    clock = Clock()
    detector = SharedInstanceDetector(bus, window=600, repeat_after=600, now=clock)
    detector.foreign_delete(17)  # may be our own retried delete whose answer was lost
    assert recorder.of_type(ev.SharedInstanceSuspected) == []
    clock.t += 700  # out of the window: still one
    detector.foreign_delete(18)
    assert recorder.of_type(ev.SharedInstanceSuspected) == []
    clock.t += 30
    detector.foreign_delete(19)
    [warning] = recorder.of_type(ev.SharedInstanceSuspected)
    assert warning.signal == "foreign_delete" and warning.count == 2
    assert "several seats" in recorder.of_type(ev.EngineError)[-1].message
    clock.t += 60
    detector.foreign_send("ABC", DANA)  # within repeat_after: logged, not shouted again
    assert len(recorder.of_type(ev.SharedInstanceSuspected)) == 1
    clock.t += 600
    detector.foreign_send("DEF", DANA)
    assert [w.signal for w in recorder.of_type(ev.SharedInstanceSuspected)] == ["foreign_delete", "foreign_send"]


def test_an_api_echo_we_did_not_send_is_stored_once_and_flagged(database: Database) -> None:
    body = {
        "typeWebhook": "outgoingAPIMessageReceived",
        "instanceData": {"idInstance": 1101000001, "wid": "77010000000@c.us", "typeInstance": "whatsapp"},
        "timestamp": 1796000000, "idMessage": "BAE5F4886F1A2B3C",
        "senderData": {"chatId": DANA, "sender": "77010000000@c.us", "chatName": "Дана", "senderName": ""},
        "messageData": {"typeMessage": "textMessage", "textMessageData": {"textMessage": "Здравствуйте! Чем помочь?"}},
    }
    result = database.atomic_sync(ingest_notification, json.dumps(body, ensure_ascii=False), body, 5, NOW)
    assert result.foreign_send == "BAE5F4886F1A2B3C"


async def test_a_second_program_answering_on_the_instance_is_reported(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        ch.sandbox.inject_text(DANA, "есть балетки гуччи 37?", "Дана")
        await ch.sandbox.wait_sent(1)
        await ch.wait_until(lambda: _answered(ch), what="our reply recorded")
        await ch.engine.poller.refresh_journal()  # the program looks once a minute; here, now
        assert ch.recorder.of_type(ev.SharedInstanceSuspected) == []  # our own reply is not foreign
        # The other PC's copy answers the same customer through the same instance.
        base = f"{ch.sandbox.api_url}/waInstance{ch.sandbox.instance_id}"
        async with httpx.AsyncClient() as http:
            answer = await http.post(f"{base}/sendMessage/{ch.sandbox.token}",
                                     json={"chatId": DANA, "message": "Ответ: есть балетки гуччи 37?"})
        assert answer.status_code == 200
        await ch.engine.poller.refresh_journal()
        [warning] = ch.recorder.of_type(ev.SharedInstanceSuspected)
        assert warning.signal == "foreign_send" and answer.json()["idMessage"] in warning.detail
        assert any(e.where == "whatsapp" for e in ch.recorder.of_type(ev.EngineError))
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_notifications_deleted_by_someone_else_are_reported(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    await ch.engine.poller.stop()  # we drive the poller's steps by hand here
    try:
        for text in ("здравствуйте", "есть 38 размер?"):
            ch.sandbox.inject_text(DANA, text, "Дана")
            note = await ch.engine.client.receive_notification(5)
            assert note is not None
            # The other program read the same head and deleted it first.
            assert await ch.engine.client.delete_notification(note.receipt_id) is True
            await ch.engine.poller.handle(note)
        assert ch.engine.poller.deleted_by_others == 2
        [warning] = ch.recorder.of_type(ev.SharedInstanceSuspected)
        assert warning.signal == "foreign_delete"
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _answered(ch) -> bool:
    return await ch.outbox_states() == ["sent"]
