"""When the scheduled reports run and which periods they cover (shop time).

Every day at the report time (default: the opening hour) the daily report covers the
day before; on Mondays the weekly report also runs, covering the Monday-to-Sunday week
before. Both are complete by then: the shop was closed overnight.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ottenok_desktop.settings import WorkHours

from .model import PeriodKind


def report_time(setting: str, hours: WorkHours) -> time:
    """`OTTENOK_REPORT_TIME` ("HH:MM"), or the opening hour when it is empty."""
    if not setting:
        return time(hours.start % 24, 0)
    hour, minute = (int(x) for x in setting.split(":"))
    return time(hour, minute)


def next_run(now_local: datetime, at: time) -> datetime:
    """The first moment at or after `now_local` whose wall clock is `at` (same zone)."""
    candidate = now_local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate < now_local:
        candidate = (candidate + timedelta(days=1)).replace(hour=at.hour, minute=at.minute)
    return candidate


def last_run(now_local: datetime, at: time) -> datetime:
    """The latest moment at or before `now_local` whose wall clock is `at`."""
    candidate = now_local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return candidate if candidate <= now_local else candidate - timedelta(days=1)


def reports_for_run(run_day: date) -> list[tuple[PeriodKind, date]]:
    """(kind, a day inside the period) of the reports made on `run_day`."""
    due = [(PeriodKind.DAY, run_day - timedelta(days=1))]
    if run_day.weekday() == 0:
        due.append((PeriodKind.WEEK, run_day - timedelta(days=7)))
    return due


def latest_due(now_local: datetime, at: time) -> list[tuple[PeriodKind, date]]:
    """The reports that should exist by now: yesterday's (or the day before, if today's run
    time has not come) and the latest complete week's."""
    run = last_run(now_local, at).date()
    monday = run - timedelta(days=run.weekday())
    return [(PeriodKind.DAY, run - timedelta(days=1)), (PeriodKind.WEEK, monday - timedelta(days=7))]
