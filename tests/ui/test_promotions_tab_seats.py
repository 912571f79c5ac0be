"""The «Акции» tab on a seat that does not lead, on a real PostgreSQL database with two seats:
seat A (the leader) runs the announcement pacer, seat B is a console. Seat B's progress bar
follows each chat seat A queues — through LISTEN/NOTIFY (services/live_sync.py), not the tab's
slow fallback poll (FALLBACK_POLL_MS_POSTGRES, longer than each wait here)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.announcements import AnnouncementPacer
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import announcements as store
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.settings import WorkHours
from ottenok_desktop.ui.promotions_tab import FALLBACK_POLL_MS_POSTGRES
from tests.fakes.responders import EchoResponder
from tests.fakes.stepped_clock import SteppedClock

from .conftest import open_console, seat_b_settings, wait_until

NAMES = ("Айгерим", "Дана", "Мадина")
TEXT = "Неделя Miu Miu: −15 % на все модели до воскресенья 🌸"
WAIT = FALLBACK_POLL_MS_POSTGRES / 1000 * 0.6  # each step must arrive well before a fallback look


def _bar_text(tab: Any) -> str:
    bar = tab.runs.cellWidget(0, 3) if tab.runs.rowCount() else None
    return bar.format() if bar is not None else ""


async def test_seat_b_console_shows_seat_a_announcement_progress(tmp_path: Path, postgres_url: str) -> None:
    settings = seat_b_settings(tmp_path, postgres_url)
    now = datetime.now(timezone.utc)
    clock = SteppedClock(now)
    seat_a = await Database(postgres_url, application_name="seat A").open()
    pacer = AnnouncementPacer(seat_a, ev.EventBus(), clock, settings.with_changes(work_hours=WorkHours(0, 24)),
                              rng=random.Random(3), idle_poll=0.05)

    def opt_in() -> None:
        for n, name in enumerate(NAMES):
            chat_id = f"7701555{n:04d}@c.us"
            get_or_create_chat(chat_id, now, name)
            record_promo_consent(chat_id, now + timedelta(seconds=n), True, "customer")

    try:
        # seat B: a console that does not run the channel
        async with open_console(settings, EchoResponder(), lead=False) as console:
            assert console.ctx.engine.live_sync is not None
            assert console.window.promotions_tab.timer.interval() == FALLBACK_POLL_MS_POSTGRES
            tab = console.window.promotions_tab
            console.window.tabs.setCurrentWidget(tab)
            await seat_a.atomic(opt_in)
            await seat_a.atomic(store.create_announcement, "a1b2c3d4e5", "Неделя Miu Miu", TEXT, [], "Айгуль", clock.now())
            clock.advance(1)
            await pacer.start()
            for queued in range(1, len(NAMES)):
                await wait_until(lambda q=queued: _bar_text(tab) == f"{q} / {len(NAMES)}", timeout=WAIT,
                                 what=f"{queued} of {len(NAMES)} on seat B", detail=lambda: _bar_text(tab))
                await wait_until(lambda: clock.waiting == 1, what="seat A's pause between chats")
                clock.steps.release()
            await wait_until(lambda: _bar_text(tab) == f"{len(NAMES)} / {len(NAMES)}"
                             and tab.runs.item(0, 2).text() == "Завершена", timeout=WAIT, what="the end on seat B",
                             detail=lambda: f"{_bar_text(tab)} {tab.runs.item(0, 2).text() if tab.runs.rowCount() else ''}")
    finally:
        for _ in range(clock.waiting):
            clock.steps.release()
        await pacer.stop()
        await seat_a.close()
