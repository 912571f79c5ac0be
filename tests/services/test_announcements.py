"""Announcements through the running channel engine over the GREEN-API loopback sandbox
(issue 16): 50 consenting chats paced on an accelerated shop clock, a manager's pause, a
failure burst (the sandbox answers 500/429) that pauses the announcement by itself, a
restart that resumes without sending anyone twice; and the working-hours wait on a manual
clock (the pacer alone over SQLite)."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.announcements import PAUSE_FAILURES, PAUSE_MANAGER
from ottenok_desktop.engine.clock import ManualClock, ShopClock
from ottenok_desktop.engine.states import AnnouncementState
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.announcements import AnnouncementPacer
from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import announcements as store
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.services.storage.models import AnnouncementRecipient, Ticket
from ottenok_desktop.settings import Secret, Settings, load_settings
from tests.fakes.responders import EchoResponder
from tests.fakes.waiting import wait_until

pytestmark = pytest.mark.slow  # engine runs over loopback HTTP

ALMATY = ZoneInfo("Asia/Almaty")
SCALE = 200.0  # 200 shop seconds per real second: one chat every 20-40 ms of real time
TEXT = "Дорогие клиенты! Неделя Miu Miu: −15 % на все модели до воскресенья 🌸"
NAMES = ["Айгерим", "Динара", "Салтанат", "Жанна", "Мадина", "Асель", "Гульнара", "Камила", "Алия", "Томирис"]


def chat_of(n: int) -> str:
    return f"7701{n:07d}@c.us"


def settings_for(data_dir: Path, **changes: Any) -> Settings:
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env")
    return settings.with_changes(**changes) if changes else settings


async def start_engine(data_dir: Path, sandbox: GreenApiSandbox, start: datetime, **changes: Any) -> Engine:
    clock = ShopClock(ALMATY, start=start, scale=SCALE)
    client = GreenApiClient(sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret(sandbox.token),
                            backoff_base=0.01, backoff_max=0.05, rng=random.Random(5), timeout=30.0)
    changes.setdefault("green_api_reconcile_grace", 0.0)  # the loopback sandbox's journal has no lag
    engine = build_engine(settings_for(data_dir, **changes), clock=clock, responder=EchoResponder(), client=client,
                          channel_only=True, debounce=0.0, sender_retry_base=0.02, receive_timeout=5)
    engine.pacer._idle_poll = 0.05  # look for a queued announcement often (the default is 5 s)
    await engine.start()
    return engine


async def opt_in(db: Database, count: int, at: datetime, *, ticket_for: int | None = None) -> None:
    def work() -> None:
        for n in range(count):
            get_or_create_chat(chat_of(n), at, NAMES[n % len(NAMES)])
            record_promo_consent(chat_of(n), at, True, "customer")
        if ticket_for is not None:
            chat = get_or_create_chat(chat_of(ticket_for), at)
            Ticket.create(chat=chat, kind="other", status="WAITING", created_at=at)

    await db.atomic(work)


async def queued_times(db: Database, announcement_id: int) -> list[datetime]:
    def read() -> list[datetime]:
        rows = (AnnouncementRecipient.select(AnnouncementRecipient.queued_at)
                .where((AnnouncementRecipient.announcement == announcement_id)
                       & AnnouncementRecipient.queued_at.is_null(False))
                .order_by(AnnouncementRecipient.queued_at))
        return [r.queued_at for r in rows]

    return await db.call(read)


async def row(engine: Engine, announcement_id: int) -> store.AnnouncementRow:
    found = await engine.db.call(store.announcement, announcement_id)
    assert found is not None
    return found


def sent_counts(sandbox: GreenApiSandbox, count: int) -> list[int]:
    return [len(sandbox.sent_to(chat_of(n))) for n in range(count)]


@pytest.fixture
async def sandbox() -> Any:
    box = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=3)
    await box.start()
    yield box
    await box.stop()


async def test_fifty_chats_at_the_pace_with_a_pause_and_a_failure_burst(data_dir: Path, sandbox: GreenApiSandbox) -> None:
    start = datetime(2026, 11, 24, 10, 0, tzinfo=ALMATY)  # a Tuesday morning
    engine = await start_engine(data_dir, sandbox, start)
    recorder = ev.EventRecorder(engine.bus)
    try:
        await opt_in(engine.db, 51, start.astimezone(ALMATY), ticket_for=50)  # chat 50 has an open ticket
        ann_id, count = await engine.commands.start_announcement("a1b2c3d4e5", "Неделя Miu Miu", TEXT, [], "Айгуль")
        assert count == 50  # the ticket's chat is not a recipient
        await wait_until(lambda: len(sandbox.sent) >= 10, "ten chats sent", timeout=20)

        # a manager pauses: nothing more is queued until resumed
        assert await engine.commands.pause_announcement(ann_id, "Айгуль")
        paused = await row(engine, ann_id)
        assert (paused.state, paused.pause_reason) == (AnnouncementState.PAUSED, PAUSE_MANAGER)
        queued_at_pause = paused.queued
        await engine.clock.sleep(60)  # a shop minute: 7+ chats' worth of pace
        assert (await row(engine, ann_id)).queued == queued_at_pause
        assert await engine.commands.resume_announcement(ann_id, "Айгуль")

        # the failure burst: every send answers 500 or 429 until the announcement pauses itself
        await wait_until(lambda: len(sandbox.sent) >= 20, "twenty chats sent", timeout=20)
        sandbox.set_fault_rate(1.0, methods=("sendMessage",), statuses=(500, 429))

        async def auto_paused() -> bool:
            return (await row(engine, ann_id)).state == AnnouncementState.PAUSED

        await wait_until(auto_paused, "the announcement pausing itself", timeout=20)
        burst = await row(engine, ann_id)
        assert burst.pause_reason == PAUSE_FAILURES and burst.pause_detail  # the error is kept for the manager
        assert burst.queued < 50
        changed = recorder.of_type(ev.AnnouncementChanged)
        assert any(e.state == AnnouncementState.PAUSED and e.reason == PAUSE_FAILURES for e in changed)
        await engine.clock.sleep(60)
        assert (await row(engine, ann_id)).queued == burst.queued  # it stays paused

        sandbox.set_fault_rate(0.0)
        assert await engine.commands.resume_announcement(ann_id, "Айгуль")
        await wait_until(lambda: len(sandbox.sent) >= 50, "all fifty sent", timeout=30)

        async def done() -> bool:
            return (await row(engine, ann_id)).state == AnnouncementState.DONE

        await wait_until(done, "the announcement done", timeout=10)
        assert sent_counts(sandbox, 50) == [1] * 50  # each chat exactly once, retries included
        assert sandbox.sent_to(chat_of(50)) == []
        assert {m.text for m in sandbox.sent} == {TEXT}

        # the pace on the shop clock: never closer than 4 s, jittered, about 6 s on average
        times = await queued_times(engine.db, ann_id)
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        steady = [g for g in gaps if g < 60]  # the pauses aside
        print(f"\npace: {len(steady)} gaps, min {min(steady):.2f} s, mean {sum(steady) / len(steady):.2f} s, "
              f"max {max(steady):.2f} s (shop seconds; setting 4-8 s)")
        assert min(gaps) >= 4.0
        assert len({round(g, 1) for g in steady}) > 5  # jitter, not a fixed beat
        # (the mean is printed, not asserted: loop overhead on a loaded machine stretches it)
    finally:
        await engine.stop()


async def test_a_restart_resumes_where_it_stopped_and_sends_nobody_twice(data_dir: Path,
                                                                         sandbox: GreenApiSandbox) -> None:
    start = datetime(2026, 11, 24, 11, 0, tzinfo=ALMATY)
    engine = await start_engine(data_dir, sandbox, start)
    try:
        await opt_in(engine.db, 30, start)
        ann_id, count = await engine.commands.start_announcement("a1b2c3d4e5", "Вторая пара −30 %",
                                                                 "Вторая пара −30 %! Только до воскресенья.", [],
                                                                 "Айгуль")
        assert count == 30
        await wait_until(lambda: len(sandbox.sent) >= 8, "some chats sent", timeout=20)
    finally:
        await engine.stop()
    stopped_at = len(sandbox.sent)
    assert stopped_at < 30

    engine = await start_engine(data_dir, sandbox, start + timedelta(minutes=10))
    try:
        await wait_until(lambda: len(sandbox.sent) >= 30, "the rest sent after the restart", timeout=30)

        async def done() -> bool:
            return (await row(engine, ann_id)).state == AnnouncementState.DONE

        await wait_until(done, "the announcement done", timeout=10)
        await engine.clock.sleep(30)
        assert sent_counts(sandbox, 30) == [1] * 30
    finally:
        await engine.stop()


async def test_an_announcement_starts_no_follow_up_while_a_bot_message_does(data_dir: Path,
                                                                           sandbox: GreenApiSandbox) -> None:
    from ottenok_desktop.services.followups import FollowUpService
    from ottenok_desktop.services.storage import nudges

    start = datetime(2026, 11, 24, 12, 0, tzinfo=ALMATY)
    engine = await start_engine(data_dir, sandbox, start)
    # attached the way bootstrap attaches it to the full engine
    engine.followups = FollowUpService(engine.db, engine.bus, engine.clock, engine.settings,
                                       enqueue=engine.enqueue_text)
    await engine.followups.start()
    try:
        await opt_in(engine.db, 3, start)
        await engine.commands.start_announcement("a1b2c3d4e5", "Miu Miu", TEXT, [], "Айгуль")
        await wait_until(lambda: len(sandbox.sent) >= 3, "the announcement sent", timeout=20)
        await engine.enqueue_text(chat_of(0), "Айгерим, подобрала для вас мюли Miu Miu 37 в бежевом")
        await wait_until(lambda: len(sandbox.sent) >= 4, "the bot's message sent", timeout=20)

        async def nudged() -> bool:
            return bool(await engine.db.call(nudges.chat_nudges, chat_of(0)))

        await wait_until(nudged, "the bot message's follow-up", timeout=10)
        assert [await engine.db.call(nudges.chat_nudges, chat_of(n)) for n in (1, 2)] == [[], []]
    finally:
        await engine.followups.stop()
        await engine.stop()


async def test_outside_working_hours_the_pacer_waits_for_the_next_opening(data_dir: Path) -> None:
    settings = settings_for(data_dir)  # OTTENOK_WORK_HOURS 9-19
    clock = ManualClock(datetime(2026, 11, 24, 18, 59, 45), ALMATY)
    db = await Database(data_dir / "t.sqlite3").open()
    bus = ev.EventBus()
    bus.bind_loop(asyncio.get_running_loop())
    pacer = AnnouncementPacer(db, bus, clock, settings, rng=random.Random(7), idle_poll=0.01)
    try:
        await opt_in(db, 6, clock.now())
        ann_id, _ = await db.atomic(store.create_announcement, "a1b2c3d4e5", "Ночная акция", TEXT, [], "Айгуль",
                                    clock.now())
        await pacer.start()

        async def done() -> bool:
            found = await db.call(store.announcement, ann_id)
            return found is not None and found.state == AnnouncementState.DONE

        await wait_until(done, "every chat queued", timeout=10)
        local = [t.astimezone(ALMATY) for t in await queued_times(db, ann_id)]
        assert len(local) == 6
        assert all(9 <= t.hour < 19 for t in local), local
        evening = [t for t in local if t.day == 24]
        morning = [t for t in local if t.day == 25]
        assert evening and morning and len(evening) + len(morning) == 6
        assert morning[0] < datetime(2026, 11, 25, 9, 1, tzinfo=ALMATY)  # at the opening, not later
    finally:
        await pacer.stop()
        await db.close()
