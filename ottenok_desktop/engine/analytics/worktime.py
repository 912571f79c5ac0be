"""Working time: the seconds between two instants that fall inside the shop's hours.

`WorkCalendar` lays the opening intervals of every shop day in a span out as epoch
seconds (each day's opening and closing computed in the shop's zone, so DST and zone
changes are exact) with the working seconds accumulated before each interval. Working
time up to an instant is then one binary search, so a whole column of intervals is
measured at once with `numpy.searchsorted`.

Every day is a working day (as the follow-up rules assume: the settings have no closed
days). A message written outside hours waits from the next opening.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Sequence

import numpy as np

from ottenok_desktop.settings import WorkHours


def _local_instant(day: date, hour: int, zone: tzinfo) -> float:
    """Epoch seconds of `day` at `hour`:00 shop time (hour 24 = next midnight); a wall
    time inside a DST gap resolves to the real instant after the gap."""
    if hour >= 24:
        day, hour = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(hour, 0))
    return naive.replace(tzinfo=zone).astimezone(timezone.utc).timestamp()


class WorkCalendar:
    """Opening intervals of the shop days from `first_day` to `last_day` (inclusive,
    shop dates). Instants outside that span are clamped to it."""

    def __init__(self, zone: tzinfo, hours: WorkHours, first_day: date, last_day: date) -> None:
        if last_day < first_day:
            raise ValueError("last_day is before first_day")
        self.zone = zone
        self.hours = hours
        days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
        self.opens = np.array([_local_instant(d, hours.start, zone) for d in days], dtype=np.float64)
        self.closes = np.array([_local_instant(d, hours.end, zone) for d in days], dtype=np.float64)
        lengths = self.closes - self.opens
        self.cumulative = np.concatenate(([0.0], np.cumsum(lengths)))[:-1]
        self._lengths = lengths

    @classmethod
    def spanning(cls, zone: tzinfo, hours: WorkHours, start: datetime, end: datetime) -> "WorkCalendar":
        """A calendar covering [start, end] (aware datetimes) with a day of margin."""
        first = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        return cls(zone, hours, first, last)

    def worked_before(self, moments: np.ndarray) -> np.ndarray:
        """Working seconds from the calendar's start up to each epoch instant."""
        index = np.searchsorted(self.opens, moments, side="right") - 1
        inside = np.clip(index, 0, len(self.opens) - 1)
        into = np.clip(moments - self.opens[inside], 0.0, self._lengths[inside])
        return np.where(index < 0, 0.0, self.cumulative[inside] + into)

    def between(self, starts: Sequence[float] | np.ndarray, ends: Sequence[float] | np.ndarray) -> np.ndarray:
        """Working seconds of each [start, end] pair (epoch seconds); never negative."""
        a = np.asarray(starts, dtype=np.float64)
        b = np.asarray(ends, dtype=np.float64)
        return np.maximum(self.worked_before(b) - self.worked_before(a), 0.0)

    def seconds(self, start: datetime, end: datetime) -> float:
        """Working seconds between two aware datetimes."""
        return float(self.between([start.timestamp()], [end.timestamp()])[0])


def working_seconds(start: datetime, end: datetime, zone: tzinfo, hours: WorkHours) -> float:
    """Working seconds between two aware datetimes (one-off convenience)."""
    if end <= start:
        return 0.0
    return WorkCalendar.spanning(zone, hours, start, end).seconds(start, end)
