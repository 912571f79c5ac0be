"""A shop clock whose sleeps last until the test lets them go (a hand-written fake).

The announcement pacer pauses between chats on the clock; with this clock each chat queued is
its own commit, taken one at a time whatever the machine's speed, so a test can look at what
another seat sees between two steps.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo

from ottenok_desktop.engine.clock import ManualClock


class SteppedClock(ManualClock):
    """The pacer's pause between chats lasts until the test lets it go: each chat queued is its
    own commit, whatever the machine's speed."""

    def __init__(self, start: datetime, zone: tzinfo | str = "Asia/Almaty") -> None:
        super().__init__(start, zone)
        self.steps = asyncio.Semaphore(0)
        self.waiting = 0

    async def sleep(self, shop_seconds: float) -> None:
        self.waiting += 1
        try:
            await self.steps.acquire()
        finally:
            self.waiting -= 1
        self.advance(shop_seconds)
