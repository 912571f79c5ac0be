"""Scheduled reports: made for the day (and on Mondays the week) before, saved to the data
dir, delivered through every ReportDelivery, caught up after the program was off."""

from __future__ import annotations

import json
from datetime import date, datetime



from ottenok_desktop.engine.analytics import schedule
from ottenok_desktop.engine.analytics.model import PeriodKind
from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.services.reports.scheduler import ReportScheduler, SavedReport
from ottenok_desktop.services.storage import Database
from ottenok_desktop.settings import Settings, WorkHours

from .shop_db import ALMATY, fill


class Inbox:
    """A delivery that keeps what it got (the Telegram one plugs in the same way)."""

    def __init__(self) -> None:
        self.got: list[SavedReport] = []

    async def deliver(self, report: SavedReport) -> None:
        self.got.append(report)


class Broken:
    async def deliver(self, report: SavedReport) -> None:
        raise ConnectionError("telegram is down")


def test_schedule_arithmetic() -> None:
    at = schedule.report_time("", WorkHours(9, 19))
    assert (at.hour, at.minute) == (9, 0)
    assert schedule.report_time("21:30", WorkHours(9, 19)).hour == 21
    now = datetime(2026, 11, 30, 8, 0, tzinfo=ALMATY)  # a Monday, before 9:00
    assert schedule.next_run(now, at) == datetime(2026, 11, 30, 9, 0, tzinfo=ALMATY)
    assert schedule.next_run(now.replace(hour=10), at) == datetime(2026, 12, 1, 9, 0, tzinfo=ALMATY)
    assert schedule.reports_for_run(date(2026, 11, 30)) == [(PeriodKind.DAY, date(2026, 11, 29)),
                                                            (PeriodKind.WEEK, date(2026, 11, 23))]
    assert schedule.reports_for_run(date(2026, 11, 25)) == [(PeriodKind.DAY, date(2026, 11, 24))]
    assert schedule.latest_due(now, at) == [(PeriodKind.DAY, date(2026, 11, 28)), (PeriodKind.WEEK, date(2026, 11, 16))]


async def test_a_run_saves_and_delivers(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    fill(database)
    clock = ManualClock(datetime(2026, 11, 25, 9, 0), zone=ALMATY)
    inbox = Inbox()
    reports = ReportScheduler(database, clock, settings, executor, deliveries=[Broken(), inbox])
    saved = await reports.run_due(date(2026, 11, 25))
    assert [s.kind for s in saved] == ["day"] and inbox.got == saved
    day = saved[0]
    assert day.json_path == settings.data_dir / "reports" / "daily" / "2026-11-24.json"
    assert day.xlsx_path.is_file() and day.png_path.read_bytes().startswith(b"\x89PNG")
    doc = json.loads(day.json_path.read_text(encoding="utf-8"))
    assert doc["period"]["label"] == "2026-11-24" and doc["overall"]["chats"] == 3
    assert day.text.splitlines()[0] == "Отчёт за 2026-11-24"
    assert "Бот: первый ответ медиана 2 мин, P90 2 мин (1 чатов)" in day.text
    assert await reports.make("day", date(2026, 10, 1)) is None  # no messages: nothing written
    assert not (settings.data_dir / "reports" / "daily" / "2026-10-01.json").exists()


async def test_start_catches_up_a_missed_weekly_report(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    fill(database)
    clock = ManualClock(datetime(2026, 12, 1, 12, 0), zone=ALMATY)  # Tuesday: the week of the 23rd is due
    reports = ReportScheduler(database, clock, settings, executor, catch_up_delay=0.0)
    await reports.start()
    try:
        await reports._tasks.wait_idle()
    finally:
        await reports.stop()
    weekly = settings.data_dir / "reports" / "weekly" / "2026-11-23.json"
    assert weekly.is_file()
    assert json.loads(weekly.read_text(encoding="utf-8"))["overall"]["chats"] == 4
    assert not (settings.data_dir / "reports" / "daily" / "2026-11-30.json").exists()  # no messages that day


async def test_disabled_reports_do_nothing(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    reports = ReportScheduler(database, ManualClock(datetime(2026, 12, 1, 12, 0), zone=ALMATY),
                              settings.with_changes(reports_enabled=False), executor)
    await reports.start()
    await reports.stop()
    assert not (settings.data_dir / "reports").exists()


async def test_nothing_is_scheduled_on_an_accelerated_clock(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    from ottenok_desktop.engine.clock import ShopClock

    fill(database)
    clock = ShopClock(ALMATY, start=datetime(2026, 12, 1, 12, 0, tzinfo=ALMATY), scale=3600.0)
    reports = ReportScheduler(database, clock, settings, executor, catch_up_delay=0.0)
    await reports.start()
    await reports.stop()
    assert not (settings.data_dir / "reports").exists()



async def test_settings_apply_to_the_running_scheduler(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from ottenok_desktop.services.reports.scheduler import JOB_ID, ReportOptions

    fill(database)
    clock = ManualClock(datetime(2026, 12, 1, 12, 0), zone=ALMATY)  # shop time 12:00; the report runs at 09:00
    reports = ReportScheduler(database, clock, settings.with_changes(report_time="09:00"), executor,
                              catch_up_delay=3600.0)
    await reports.start()
    try:
        before = reports._scheduler.get_job(JOB_ID).next_run_time  # tomorrow 09:00, shop time
        await reports.apply(ReportOptions(enabled=True, report_time="18:30", slow_first_reply_minutes=3))
        after = reports._scheduler.get_job(JOB_ID).next_run_time  # today 18:30
        assert abs((before - after) - timedelta(hours=14, minutes=30)) < timedelta(seconds=5)
        assert reports.slow_first_reply_sec == 180.0

        await reports.apply(ReportOptions(enabled=False, report_time="18:30", slow_first_reply_minutes=3))
        assert not reports.running and reports._scheduler is None
        await reports.apply(ReportOptions(enabled=True, report_time="18:30", slow_first_reply_minutes=3))
        assert reports.running and reports._scheduler.get_job(JOB_ID) is not None
        # the threshold reaches the reports it makes: Асель took 20 minutes on the 24th
        saved = await reports.make("day", date(2026, 11, 24), deliver=False)
        assert saved is not None
        document = json.loads(saved.json_path.read_text(encoding="utf-8"))
        assert document["slow_first_reply_sec"] == 180.0
    finally:
        await reports.stop()
    assert not reports.running


async def test_settings_of_a_scheduler_the_runtime_never_started(database: Database, settings: Settings, executor) -> None:  # type: ignore[no-untyped-def]
    from ottenok_desktop.services.reports.scheduler import ReportOptions

    reports = ReportScheduler(database, ManualClock(datetime(2026, 12, 1, 12, 0), zone=ALMATY),
                              settings.with_changes(reports_enabled=False), executor)
    await reports.apply(ReportOptions(enabled=True, report_time="10:00", slow_first_reply_minutes=10))
    assert not reports.running  # another seat runs the channel: nothing is scheduled here
    await reports.stop()
