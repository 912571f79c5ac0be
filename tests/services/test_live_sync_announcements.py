"""An announcement's progress on a seat that does not lead, on a real PostgreSQL database with
two seats: seat A (the leader) runs the pacer; seat B only listens. Seat B hears the start, each
chat queued and the end as engine events through LISTEN/NOTIFY and the catch-up — with its
periodic fallback set far beyond the test, so nothing here arrives by polling. A manager's pause
on seat A reaches seat B as a state change."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.states import AnnouncementState
from ottenok_desktop.services.announcements import AnnouncementPacer
from ottenok_desktop.services.live_sync import LiveSync
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import announcements as store
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.settings import load_settings
from tests.fakes.stepped_clock import SteppedClock
from tests.fakes.waiting import wait_until

pytestmark = pytest.mark.slow

ALMATY = ZoneInfo("Asia/Almaty")
TEXT = "Дорогие клиенты! Неделя Miu Miu: −15 % на все модели до воскресенья 🌸"
NAMES = ["Айгерим", "Динара", "Салтанат", "Жанна", "Мадина", "Асель"]
FAR = 600.0  # seat B's periodic catch-up: never within this test


def _chat(n: int) -> str:
    return f"7702{n:07d}@c.us"


async def test_seat_b_sees_the_leaders_announcement_progress_without_polling(postgres_url: str, tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, environ={}, env_file=tmp_path / "none.env")
    clock = SteppedClock(datetime(2026, 11, 24, 11, 0, tzinfo=ALMATY), ALMATY)
    seat_a = await Database(postgres_url, application_name="seat A").open()
    seat_b = await Database(postgres_url, application_name="seat B").open()
    bus_a, bus_b = ev.EventBus(), ev.EventBus()
    heard: list[ev.Event] = []
    bus_b.subscribe(heard.append)
    pacer = AnnouncementPacer(seat_a, bus_a, clock, settings, rng=random.Random(11), idle_poll=0.05)
    sync = LiveSync(seat_b, bus_b, fallback_every=FAR)

    def opt_in() -> None:
        for n, name in enumerate(NAMES):
            get_or_create_chat(_chat(n), clock.now(), name)
            record_promo_consent(_chat(n), clock.now(), True, "customer")

    def states(ann_id: int) -> list[str]:
        return [e.state for e in heard if isinstance(e, ev.AnnouncementChanged) and e.announcement_id == ann_id]

    def progress(ann_id: int) -> int:
        return sum(1 for e in heard if isinstance(e, ev.AnnouncementProgress) and e.announcement_id == ann_id)

    async def read_on_b(ann_id: int) -> int:
        return (await seat_b.call(store.announcement, ann_id)).progress

    await seat_a.atomic(opt_in)
    await sync.start()
    try:
        ann_id, count = await seat_a.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu −15%", TEXT, [],
                                            "Айгуль", clock.now())
        assert count == len(NAMES)
        await wait_until(lambda: states(ann_id) == [AnnouncementState.SENDING], "the start on seat B", timeout=20)
        clock.advance(1)
        await pacer.start()  # seat A leads: its pacer queues the first chat, then waits on the clock
        for queued in range(1, count):
            await wait_until(lambda q=queued: progress(ann_id) == q, f"chat {queued} queued, on seat B", timeout=20)
            assert await read_on_b(ann_id) == queued  # the progress bar's figure, read on seat B
            await wait_until(lambda: clock.waiting == 1, "the pacer's pause")
            clock.steps.release()
        await wait_until(lambda: AnnouncementState.DONE in states(ann_id), "the end on seat B", timeout=20)
        assert states(ann_id) == [AnnouncementState.SENDING, AnnouncementState.DONE]
        assert progress(ann_id) == count - 1  # the last chat's commit is the end itself
        assert await read_on_b(ann_id) == count

        # a manager's pause on the leading seat is a state change on seat B as well
        second, _ = await seat_a.atomic(store.create_announcement, "a1b2c3d4e5", "Miu Miu ещё раз", TEXT, [],
                                        "Айгуль", clock.now())
        await wait_until(lambda: clock.waiting == 1, "the pacer's pause after the first chat of the second")
        assert await seat_a.atomic(store.set_state, second, AnnouncementState.PAUSED, "Айгуль", clock.now(),
                                   reason="manager")
        await wait_until(lambda: AnnouncementState.PAUSED in states(second), "the pause on seat B", timeout=20)
        assert sync.catchups >= count + 2  # every step woke seat B; the 600 s fallback never ran
    finally:
        for _ in range(clock.waiting):
            clock.steps.release()
        await pacer.stop()
        await sync.stop()
        await seat_a.close()
        await seat_b.close()
