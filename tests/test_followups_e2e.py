"""Follow-ups through the running headless engine over the GREEN-API loopback sandbox,
on an accelerated shop clock (20 shop hours per real second).

The engine is the channel engine (poller → ingest → dispatcher → outbox → sender) with
an echo responder; `FollowUpService` is attached the way bootstrap attaches it
(`enqueue=engine.enqueue_text`), and the engine calls its hooks: customer messages from
ingest, bot messages when the sender has sent them, ownership changes from take-over.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import ShopClock
from ottenok_desktop.engine.followups import rules
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.followups import FollowUpService
from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage import nudges as store
from ottenok_desktop.services.storage.models import Chat, OutboxItem, Ticket
from ottenok_desktop.settings import Secret, Settings, load_settings
from tests.fakes.responders import EchoResponder
from tests.fakes.waiting import wait_until

pytestmark = pytest.mark.slow  # ~15 s: four engine runs over loopback HTTP

ALMATY = ZoneInfo("Asia/Almaty")
SCALE = 72_000.0
LATENESS = timedelta(seconds=0.5 * SCALE)  # generous for a loaded machine; typical is a few shop minutes
CUSTOMER = "77011234567@c.us"


def shop(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@dataclass
class Running:
    engine: Engine
    sandbox: GreenApiSandbox
    followups: FollowUpService
    recorder: ev.EventRecorder
    clock: ShopClock
    settings: Settings

    def texts_sent(self, chat_id: str = CUSTOMER) -> list[str]:
        return [m.text for m in self.sandbox.sent_to(chat_id)]

    async def nudges(self, chat_id: str = CUSTOMER) -> list[store.NudgeRow]:
        return await self.engine.db.call(store.chat_nudges, chat_id)

    async def outbox_texts(self, chat_id: str = CUSTOMER) -> list[str]:
        def read() -> list[str]:
            chat = Chat.get(Chat.chat_id == chat_id)
            return [o.text for o in OutboxItem.select().where(OutboxItem.chat == chat).order_by(OutboxItem.id)]

        return await self.engine.db.call(read)

    async def wait(self, predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
        await wait_until(predicate, what, timeout, interval=0.005)

    async def stop(self) -> None:
        await self.engine.stop()


async def start_engine(data_dir: Path, start: str, *, settings_changes: dict[str, Any] | None = None) -> Running:
    sandbox = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=3)
    await sandbox.start()
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env")
    if settings_changes:
        settings = settings.with_changes(**settings_changes)
    clock = ShopClock(ALMATY, start=shop(start), scale=SCALE)
    client = GreenApiClient(sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret(sandbox.token),
                            backoff_base=0.01, backoff_max=0.05, rng=random.Random(5), timeout=30.0)
    engine = build_engine(settings, clock=clock, responder=EchoResponder(), client=client, sandbox=sandbox,
                          channel_only=True, debounce=0.0, sender_retry_base=0.02, receive_timeout=5)
    # exactly what bootstrap._build_followups does for the full engine
    followups = FollowUpService(engine.db, engine.bus, engine.clock, settings, enqueue=engine.enqueue_text)
    engine.followups = followups
    recorder = ev.EventRecorder(engine.bus)
    await engine.start()
    return Running(engine, sandbox, followups, recorder, clock, settings)


def assert_on_time(sent_at: datetime | None, due: datetime, settings: Settings) -> None:
    assert sent_at is not None
    assert due <= sent_at <= due + LATENESS, (sent_at.astimezone(ALMATY), due)
    local = sent_at.astimezone(ALMATY)
    assert settings.work_hours.start <= local.hour < settings.work_hours.end


async def customer_writes(run: Running, text: str) -> None:
    """The customer writes; wait until the bot's echo has gone out and the follow-up
    service has heard about it."""
    await answered(run, CUSTOMER, lambda: run.sandbox.inject_text(CUSTOMER, text, "Айгерим"), text)


def answer_sent(run: Running, chat_id: str, text: str) -> bool:
    """Has the bot's echo of `text` been sent (the sender reported it)?"""
    queued = {e.outbox_id for e in run.recorder.of_type(ev.MessageQueued)
              if e.chat_id == chat_id and e.text == f"Ответ: {text}"}
    return any(e.outbox_id in queued for e in run.recorder.of_type(ev.MessageSent))


async def answered(run: Running, chat_id: str, act: Callable[[], Any], text: str) -> None:
    """Do `act` (the customer writes `text`) and wait until the engine has sent the bot's
    answer and the follow-up hooks it spawned (customer in, bot out) have run."""
    act()
    await run.wait(lambda: answer_sent(run, chat_id, text), f"the bot's answer to {text!r}")
    await hooks_done()


async def hooks_done() -> None:
    """Wait for the engine's spawned follow-up hook tasks (named followup-in/out:<chat>)."""
    while True:
        pending = [t for t in asyncio.all_tasks() if t.get_name().startswith("followup-") and not t.done()]
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)


async def test_silent_customer_gets_exactly_two_nudges(data_dir: Path) -> None:
    run = await start_engine(data_dir, "2026-11-23T10:00:00")  # Monday
    try:
        await customer_writes(run, "Здравствуйте, шанель лоферы в бежевом есть?")
        [n1] = await run.nudges()
        # the engine's start-up already took some shop hours: expect the rule's time, not a constant
        assert n1.due_at == rules.nudge1_due(n1.cycle_start, ALMATY, run.settings.work_hours)
        await run.wait(lambda: run.settings.nudge2_text in run.texts_sent(), "nudge #2", timeout=15)
        await run.clock.sleep(30 * 3600)  # another day and more: nothing else
        assert run.texts_sent() == [
            "Ответ: Здравствуйте, шанель лоферы в бежевом есть?", run.settings.nudge1_text, run.settings.nudge2_text,
        ]
        rows = await run.nudges()
        assert [(r.number, r.state) for r in rows] == [(1, "sent"), (2, "sent")]
        assert_on_time(rows[0].sent_at, n1.due_at, run.settings)
        assert rows[1].due_at == rules.nudge2_due(rows[0].sent_at, ALMATY, run.settings.work_hours)  # type: ignore[arg-type]
        assert rows[1].due_at.astimezone(ALMATY).time().isoformat() == "13:00:00"
        assert_on_time(rows[1].sent_at, rows[1].due_at, run.settings)
        assert [e.number for e in run.recorder.of_type(ev.NudgeSent)] == [1, 2]
    finally:
        await run.stop()


async def test_think_reply_still_gets_nudge2_and_real_reply_resets(data_dir: Path) -> None:
    run = await start_engine(data_dir, "2026-11-23T10:00:00")
    try:
        await customer_writes(run, "баленсиага кроссовки 37 есть?")
        await run.wait(lambda: run.settings.nudge1_text in run.texts_sent(), "nudge #1")
        await customer_writes(run, "Ок спасибо, я подумаю")
        await run.wait(lambda: run.settings.nudge2_text in run.texts_sent(), "nudge #2 after «подумаю»", timeout=15)
        assert run.texts_sent() == [
            "Ответ: баленсиага кроссовки 37 есть?", run.settings.nudge1_text, "Ответ: Ок спасибо, я подумаю",
            run.settings.nudge2_text,
        ]
        assert [(r.number, r.state) for r in await run.nudges()] == [(1, "sent"), (2, "sent")]

        # a real reply after both: the cycle starts again from the bot's answer
        await customer_writes(run, "а в черном цвете 38 размер есть?")
        rows = await run.nudges()
        assert (rows[-1].number, rows[-1].state) == (1, "scheduled")
        assert rows[-1].cycle_start > rows[0].cycle_start
        await run.wait(lambda: run.texts_sent().count(run.settings.nudge1_text) == 2, "the new cycle's nudge #1")
        # a real reply while that cycle's nudge #2 waits cancels it; the bot's answer starts a third cycle
        await customer_writes(run, "Алматы, доставка сколько стоит?")
        rows = await run.nudges()
        cycles = sorted({r.cycle_start for r in rows})
        assert len(cycles) == 3
        second = [(r.number, r.state, r.reason) for r in rows if r.cycle_start == cycles[1]]
        assert second == [(1, "sent", "customer_replied"), (2, "cancelled", "customer_replied")]
        assert [(r.number, r.state) for r in rows if r.cycle_start == cycles[2]] == [(1, "scheduled")]
        assert run.texts_sent().count(run.settings.nudge2_text) == 1
    finally:
        await run.stop()


async def test_manager_owned_and_ticket_chats_get_none(data_dir: Path) -> None:
    run = await start_engine(data_dir, "2026-11-23T10:00:00")
    other = "77017654321@c.us"
    try:
        await customer_writes(run, "Здравствуйте! Сумка диор есть?")
        await run.engine.take_over(CUSTOMER, "Айгуль")

        def open_ticket() -> None:
            chat = Chat.get_or_none(Chat.chat_id == other)
            assert chat is not None
            Ticket.create(chat=chat, kind="warranty", created_at=run.clock.now())

        # the second customer has an open warranty ticket before the bot's answer goes out
        async def ticket_when_chat_exists() -> None:
            await run.wait(lambda: run.engine.db.call(lambda: Chat.get_or_none(Chat.chat_id == other) is not None),
                           "chat row")
            await run.engine.db.call(open_ticket)

        opener = asyncio.ensure_future(ticket_when_chat_exists())
        run.engine.set_responder(EchoResponder(delay=0.3))  # time to open the ticket before the answer
        question = "У меня сломался каблук, гарантия есть?"
        await answered(run, other, lambda: run.sandbox.inject_text(other, question, "Динара"), question)
        await opener
        await run.clock.sleep(2 * 24 * 3600)
        assert run.texts_sent() == ["Ответ: Здравствуйте! Сумка диор есть?"]
        assert [m.text for m in run.sandbox.sent_to(other)] == ["Ответ: У меня сломался каблук, гарантия есть?"]
        assert [r.state for r in await run.nudges()] == ["cancelled"]
        assert await run.nudges(other) == []
        assert await run.followups.next_nudges() == []
    finally:
        await run.stop()


async def test_restart_in_the_middle_no_duplicate_no_loss(data_dir: Path) -> None:
    run1 = await start_engine(data_dir, "2026-11-23T10:00:00")
    try:
        await customer_writes(run1, "Лоферы шанель 38 есть?")
        await run1.wait(lambda: run1.settings.nudge1_text in run1.texts_sent(), "nudge #1")
        await run1.wait(lambda: run1.recorder.of_type(ev.NudgeSent), "nudge #1 marked sent")
        # let the channel finish its send: a fresh sandbox in run 2 would not know about it
        await run1.wait(lambda: run1.engine.db.call(lambda: all(o.state == "sent" for o in OutboxItem.select())),
                        "the outbox delivered")
    finally:
        await run1.stop()
    [first, second] = await _rows_after_stop(data_dir)
    assert (first.state, second.state) == ("sent", "scheduled")

    # the program was off overnight; it comes back a minute before nudge #2 is due
    start = (second.due_at - timedelta(minutes=1)).astimezone(ALMATY).replace(tzinfo=None).isoformat()
    run2 = await start_engine(data_dir, start)
    try:
        await run2.wait(lambda: run2.settings.nudge2_text in run2.texts_sent(), "nudge #2 after the restart")
        await run2.clock.sleep(30 * 3600)
        assert run2.texts_sent() == [run2.settings.nudge2_text]  # nudge #1 was not repeated
        assert await run2.outbox_texts() == [
            "Ответ: Лоферы шанель 38 есть?", run2.settings.nudge1_text, run2.settings.nudge2_text,
        ]
        rows = await run2.nudges()
        assert [(r.number, r.state) for r in rows] == [(1, "sent"), (2, "sent")]
        assert rows[1].due_at.astimezone(ALMATY).hour == 13
        assert_on_time(rows[1].sent_at, second.due_at, run2.settings)
    finally:
        await run2.stop()


async def _rows_after_stop(data_dir: Path) -> list[store.NudgeRow]:
    from ottenok_desktop.services.storage import Database

    db = await Database(data_dir / "ottenok.sqlite3").open()
    try:
        return await db.call(store.chat_nudges, CUSTOMER)
    finally:
        await db.close()
