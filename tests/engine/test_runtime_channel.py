"""The channel end to end: real HTTP to the GREEN-API sandbox, real SQLite, a test responder."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn
from tests.engine.channel_harness import start_channel
from tests.fakes.responders import EchoResponder

ANNA = "77011234567@c.us"
DANA = "77478889900@c.us"


async def test_customer_message_gets_one_reply(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        ch.sandbox.inject_text(ANNA, "Здравствуйте, есть лоферы шанель 38?", "Анна")
        sent = await ch.sandbox.wait_sent(1)
        assert sent[0].chat_id == ANNA and sent[0].text == "Ответ: Здравствуйте, есть лоферы шанель 38?"
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 0, what="queue drained")
        await ch.wait_until(lambda: _status_is(ch, "read"), what="read status")
        rows = await ch.messages()
        assert [r[1] for r in rows] == ["customer", "bot"]
        assert ch.recorder.of_type(ev.MessageReceived) and ch.recorder.of_type(ev.MessageSent)
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _status_is(ch, status: str) -> bool:
    rows = await ch.messages()
    return any(r[1] == "bot" and r[3] == status for r in rows)


async def test_duplicates_and_poison_at_head_do_not_block(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    try:
        ch.sandbox.inject_raw("{this is not json")
        ch.sandbox.inject_raw('{"typeWebhook": "incomingMessageReceived", "idMessage": 5}')
        ch.sandbox.duplicate_next(2)
        ch.sandbox.inject_text(ANNA, "Скок стоит баленсиага?")
        ch.sandbox.inject_text(DANA, "есть черные кроссы 37?")
        await ch.sandbox.wait_sent(2)
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 0, what="queue drained")
        await asyncio.sleep(0.2)
        assert len(ch.sandbox.sent) == 2  # one answer each, duplicates ignored
        customer = [r for r in await ch.messages() if r[1] == "customer"]
        assert len(customer) == 2
        assert ch.engine.poller.poison == 2
        assert len(ch.recorder.of_type(ev.PoisonNotification)) == 2
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_quick_messages_become_one_turn(data_dir: Path) -> None:
    responder = EchoResponder()
    ch = await start_channel(data_dir, responder, debounce=0.3)
    try:
        for text in ["Здравствуйте", "есть лоферы шанель?", "38 размер"]:
            ch.sandbox.inject_text(ANNA, text)
        await ch.sandbox.wait_sent(1)
        await asyncio.sleep(0.4)
        assert len(responder.turns) == 1
        assert responder.turns[0].text == "Здравствуйте\nесть лоферы шанель?\n38 размер"
        assert len(ch.sandbox.sent) == 1
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_twenty_percent_faults_every_message_delivered_exactly_once(data_dir: Path) -> None:
    ch = await start_channel(data_dir)
    ch.sandbox.set_fault_rate(0.2)
    try:
        chats = [f"7701{i:07d}@c.us" for i in range(15)]
        for round_ in range(3):
            for chat in chats:
                ch.sandbox.inject_text(chat, f"вопрос {round_} от {chat[:11]}")
            await asyncio.sleep(0.05)
        await ch.wait_until(lambda: _all_answered(ch, 45), timeout=30, what="all turns answered")
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 0, timeout=10, what="queue drained")
        await ch.wait_until(lambda: _outbox_settled(ch), timeout=20, what="outbox delivered")
        rows = await ch.messages()
        customer_texts = [r[2] for r in rows if r[1] == "customer"]
        assert len(customer_texts) == 45 and len(set(customer_texts)) == 45
        # each customer text reached the customer in exactly one reply (turns may merge)
        sent_texts = [m.text for m in ch.sandbox.sent]
        for text in customer_texts:
            assert sum(text in s for s in sent_texts) == 1, text
        assert set(await ch.outbox_states()) == {"sent"}
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def _all_answered(ch, n: int) -> bool:
    from ottenok_desktop.services.storage.models import Message

    count = await ch.engine.db.call(lambda: Message.select().where(Message.turn_state == "answered").count())
    return count == n


async def _outbox_settled(ch) -> bool:
    states = await ch.outbox_states()
    return bool(states) and all(s == "sent" for s in states)


async def test_order_per_chat_is_kept_under_send_faults(data_dir: Path) -> None:
    class ThreeParts:
        async def respond(self, turn: Turn) -> Reply:
            return Reply(parts=tuple(OutgoingPart(text=f"{turn.text} / часть {i}") for i in range(1, 4)))

    ch = await start_channel(data_dir, ThreeParts())
    ch.sandbox.add_fault("sendMessage", 500, count=2)
    ch.sandbox.add_fault("sendMessage", 429, count=1, retry_after=0.05)
    try:
        ch.sandbox.inject_text(ANNA, "привет")
        sent = await ch.sandbox.wait_sent(3, timeout=15)
        assert [m.text for m in sent] == ["привет / часть 1", "привет / часть 2", "привет / часть 3"]
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_timed_out_send_is_reconciled_not_duplicated(data_dir: Path) -> None:
    ch = await start_channel(data_dir, client_timeout=0.5)
    # the message goes out but the answer never arrives in time (ambiguous)
    ch.sandbox.add_fault("sendMessage", None, delay=3, after_effect=True)
    try:
        ch.sandbox.inject_text(ANNA, "есть 39 размер?")
        await ch.wait_until(lambda: _outbox_settled(ch), timeout=60, what="outbox settled")
        await asyncio.sleep(0.3)
        assert len(ch.sandbox.sent) == 1
        rows = await ch.messages()
        assert [r[1] for r in rows] == ["customer", "bot"]
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_takeover_drops_in_flight_reply_and_phone_silences_bot(data_dir: Path) -> None:
    gate = asyncio.Event()

    class SlowResponder:
        def __init__(self) -> None:
            self.started = asyncio.Event()

        async def respond(self, turn: Turn) -> Reply:
            self.started.set()
            await gate.wait()
            return Reply(parts=(OutgoingPart(text="Да, есть! Какой размер?"),))

    responder = SlowResponder()
    ch = await start_channel(data_dir, responder)
    try:
        ch.sandbox.inject_text(ANNA, "есть мюли диор?")
        await asyncio.wait_for(responder.started.wait(), 5)
        assert await ch.engine.take_over(ANNA, "Айгерим")
        gate.set()
        await ch.wait_until(lambda: bool(ch.recorder.of_type(ev.BotDraft)), what="draft")
        await asyncio.sleep(0.2)
        assert ch.sandbox.sent == []
        assert ch.recorder.of_type(ev.BotDraft)[0].text == "Да, есть! Какой размер?"
        # the manager answers from the console, then gives the chat back
        await ch.engine.send_as_manager(ANNA, "Добрый день! Есть, 37 и 38", "Айгерим")
        await ch.sandbox.wait_sent(1)
        assert await ch.engine.return_to_bot(ANNA, "Айгерим")
        ch.sandbox.inject_text(ANNA, "а 39?")
        await ch.sandbox.wait_sent(2)
        # a human types on the shop phone: the bot goes quiet in this chat
        ch.sandbox.inject_phone_text(ANNA, "Сейчас уточню на складе")
        await ch.wait_until(lambda: bool(ch.recorder.of_type(ev.ChatOwnerChanged)) and
                            ch.recorder.of_type(ev.ChatOwnerChanged)[-1].by == "phone", what="phone takeover")
        ch.sandbox.inject_text(ANNA, "жду")
        await asyncio.sleep(0.5)
        assert len(ch.sandbox.sent) == 2
        kinds = [r[1] for r in await ch.messages()]
        # the slow bot reply never reached the outbox or the customer
        assert kinds == ["customer", "manager_app", "customer", "bot", "manager_phone", "customer"]
    finally:
        gate.set()
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_failing_responder_still_answers_and_hands_over(data_dir: Path) -> None:
    class Broken:
        async def respond(self, turn: Turn) -> Reply:
            raise RuntimeError("model exploded")

    ch = await start_channel(data_dir, Broken())
    try:
        ch.sandbox.inject_text(ANNA, "алло")
        sent = await ch.sandbox.wait_sent(1)
        from ottenok_desktop.engine import texts

        assert sent[0].text == texts.BOT_FALLBACK_REPLY
        await ch.wait_until(lambda: bool(ch.recorder.of_type(ev.HandoffRequested)), what="handoff")
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_instance_settings_checked_and_state_reported(data_dir: Path) -> None:
    from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox

    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01)
    await sandbox.start()
    sandbox.settings["outgoingMessageWebhook"] = "no"
    ch = await start_channel(data_dir, sandbox=sandbox)
    try:
        await ch.wait_until(lambda: sandbox.settings["outgoingMessageWebhook"] == "yes", what="settings fixed")
        await ch.wait_until(lambda: ch.engine.instance_state == "authorized", what="state known")
        sandbox.set_state("notAuthorized")
        await ch.wait_until(lambda: ch.engine.instance_state == "notAuthorized", what="state change")
        assert any(e.state == "notAuthorized" for e in ch.recorder.of_type(ev.InstanceStateChanged))
    finally:
        await ch.engine.stop()
        await sandbox.stop()


async def test_every_fixture_body_through_the_poller(data_dir: Path, shared_fixtures: Path) -> None:
    import json

    from ottenok_desktop.services.storage.models import InboxItem

    ch = await start_channel(data_dir)
    try:
        names = sorted(p.stem for p in (shared_fixtures / "greenapi").glob("*.json")
                       if p.stem not in {"receiveNotification_response", "http466_error_body_invokeStatus"})
        for i, name in enumerate(names):
            body = json.loads((shared_fixtures / "greenapi" / f"{name}.json").read_text(encoding="utf-8"))
            if "idMessage" in body:
                body["idMessage"] = f"{body['idMessage']}-{i}"  # the documentation reuses ids
            ch.sandbox.inject_body(body)
        await ch.wait_until(lambda: ch.sandbox.pending_notifications() == 0, timeout=20, what="queue drained")

        async def applied() -> bool:
            states = await ch.engine.db.call(lambda: [r.state for r in InboxItem.select()])
            return len(states) >= len(names) and "new" not in states

        await ch.wait_until(applied, what="all applied")
        states = await ch.engine.db.call(lambda: [r.state for r in InboxItem.select()])
        assert "poison" not in states
        assert ch.engine.poller.poison == 0
        # customer texts were answered (the responder saw them), the SWE001 one was asked to resend
        await ch.wait_until(lambda: any("расшифровать" in m.text for m in ch.sandbox.sent), what="resend request")
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_a_turn_that_fails_in_storage_is_retried_not_lost(data_dir: Path, monkeypatch) -> None:
    from ottenok_desktop import runtime

    ch = await start_channel(data_dir)
    ch.engine.dispatcher._retry_delay = 0.05
    real_commit = runtime.commit_turn
    failures = {"left": 2}

    def flaky_commit(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("database is locked")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(runtime, "commit_turn", flaky_commit)
    try:
        ch.sandbox.inject_text(ANNA, "есть босоножки 36?")
        sent = await ch.sandbox.wait_sent(1, timeout=10)
        assert sent[0].text == "Ответ: есть босоножки 36?"
        assert len([e for e in ch.recorder.of_type(ev.EngineError) if e.where == "dispatcher"]) == 2
    finally:
        await ch.engine.stop()
        await ch.sandbox.stop()


async def test_a_failed_start_leaves_nothing_running(data_dir: Path) -> None:
    import pytest

    from ottenok_desktop.bootstrap import build_engine
    from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
    from ottenok_desktop.settings import load_settings
    from tests.fakes.responders import EchoResponder

    class BrokenFollowUps:
        async def start(self) -> None:
            raise RuntimeError("scheduler could not start")

        async def stop(self) -> None:  # never started: must not be called
            raise AssertionError("stop() called for a part that did not start")

    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env")
    sandbox = GreenApiSandbox(poll_scale=0.02)
    engine = build_engine(settings, responder=EchoResponder(), sandbox=sandbox, channel_only=True)
    engine.followups = BrokenFollowUps()
    with pytest.raises(RuntimeError, match="scheduler"):
        await engine.start()
    assert not engine.started and len(engine.poller._tasks) == 0 and len(engine.sender._tasks) == 0
    await engine.stop()  # a second stop is harmless
