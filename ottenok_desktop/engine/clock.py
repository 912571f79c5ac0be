"""The engine's clock: injectable, so demos and tests can run shop time fast.

`ShopClock` maps real monotonic time onto shop time: it starts at `start` (default:
now) and advances `scale` shop seconds per real second. Everything in the engine
that needs "now" or needs to wait asks the clock, never `datetime.now()` or
`asyncio.sleep` directly. Times are timezone-aware UTC; `local()` converts to the
shop's zone.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    zone: tzinfo
    scale: float

    def now(self) -> datetime: ...

    def local(self, moment: datetime | None = None) -> datetime: ...

    async def sleep(self, shop_seconds: float) -> None: ...


class ShopClock:
    def __init__(self, zone: tzinfo | str = "Asia/Almaty", *, start: datetime | None = None, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time scale must be positive")
        self.zone = ZoneInfo(zone) if isinstance(zone, str) else zone
        self.scale = scale
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=self.zone)
        self._start = (start or datetime.now(timezone.utc)).astimezone(timezone.utc)
        self._real_start = time.monotonic()

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._real_start) * self.scale
        return self._start + timedelta(seconds=elapsed)

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or self.now()).astimezone(self.zone)

    async def sleep(self, shop_seconds: float) -> None:
        await asyncio.sleep(max(0.0, shop_seconds) / self.scale)


class ManualClock:
    """A clock that moves only when told to; for rule tests."""

    def __init__(self, start: datetime, zone: tzinfo | str = "Asia/Almaty") -> None:
        self.zone = ZoneInfo(zone) if isinstance(zone, str) else zone
        self.scale = 1.0
        if start.tzinfo is None:
            start = start.replace(tzinfo=self.zone)
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def local(self, moment: datetime | None = None) -> datetime:
        return (moment or self._now).astimezone(self.zone)

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.zone)
        self._now = moment.astimezone(timezone.utc)

    async def sleep(self, shop_seconds: float) -> None:
        self.advance(shop_seconds)
        await asyncio.sleep(0)


def clock_from_settings(timezone_name: str, start_time: str, scale: float) -> ShopClock:
    start = datetime.fromisoformat(start_time) if start_time else None
    return ShopClock(timezone_name, start=start, scale=scale)
