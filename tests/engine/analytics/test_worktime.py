"""Working time in the shop's zone and hours, on hand-computed cases."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.engine.analytics.worktime import WorkCalendar, working_seconds
from ottenok_desktop.settings import WorkHours

ALMATY = ZoneInfo("Asia/Almaty")
H = WorkHours(9, 19)


def t(day: int, hour: int, minute: int = 0, month: int = 11, zone: ZoneInfo = ALMATY) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=zone)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (t(24, 10, 0), t(24, 10, 7), 7 * 60),  # inside hours
    (t(24, 18, 50), t(25, 9, 5), 15 * 60),  # crosses closing time: 10 min before 19:00 + 5 after 9:00
    (t(24, 22, 0), t(25, 9, 5), 5 * 60),  # written at night: waits from the next opening
    (t(24, 7, 30), t(24, 9, 10), 10 * 60),  # before opening the same day
    (t(24, 19, 30), t(24, 23, 0), 0),  # entirely after closing
    (t(24, 12, 0), t(26, 12, 0), 2 * 10 * 3600),  # two whole shop days
    (t(24, 10, 0), t(24, 9, 0), 0),  # end before start: never negative
])
def test_working_seconds(start: datetime, end: datetime, expected: float) -> None:
    assert working_seconds(start, end, ALMATY, H) == expected


def test_round_the_clock_hours_count_the_night() -> None:
    assert working_seconds(t(24, 23, 50), t(25, 0, 10), ALMATY, WorkHours(0, 24)) == 20 * 60


def test_utc_inputs_are_read_in_the_shop_zone() -> None:
    # 13:50 UTC is 18:50 in Almaty (UTC+5); 04:05 UTC next day is 09:05.
    start = datetime(2026, 11, 24, 13, 50, tzinfo=ZoneInfo("UTC"))
    end = datetime(2026, 11, 25, 4, 5, tzinfo=ZoneInfo("UTC"))
    assert working_seconds(start, end, ALMATY, H) == 15 * 60


def test_daylight_saving_night_is_an_hour_shorter() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # 2026-03-29 02:00 → 03:00
    start = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)
    end = datetime(2026, 3, 29, 3, 30, tzinfo=berlin)
    assert working_seconds(start, end, berlin, WorkHours(0, 24)) == 3600


def test_calendar_measures_many_intervals_at_once() -> None:
    calendar = WorkCalendar.spanning(ALMATY, H, t(24, 0), t(25, 23))
    starts = [t(24, 18, 50).timestamp(), t(24, 10).timestamp()]
    ends = [t(25, 9, 5).timestamp(), t(24, 10, 1).timestamp()]
    assert calendar.between(starts, ends).tolist() == [900.0, 60.0]
