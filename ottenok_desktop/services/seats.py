"""This seat's heartbeat and its bid for the engine lease, ticking on the loop.

`SeatLease` owns a connection of its own (its own `Database`, so a renewal never waits
behind the engine's queue of work) and, every `interval` seconds, refreshes this seat's
row and acquires or renews the lease in autocommit. Its `LeaseMachine` (engine/lease.py)
decides whether this instance leads; a leader whose renewal does not come back in time
steps down on its own clock. Changes are handed to `on_change` (a coroutine function):
the seat runner starts the engine when this seat becomes the leader and stops it when
it is not any more. Take-over bound: `lease_seconds + interval` after the leader's last
renewal.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from typing import Awaitable, Callable

from ottenok_desktop.engine.lease import LeaseChange, LeaseMachine, LeaseState, LeaseView
from ottenok_desktop.engine.tasks import TaskOwner, wait_event

from .storage import Database
from .storage import lease as repo

log = logging.getLogger(__name__)

OnChange = Callable[[LeaseChange], Awaitable[None]]


def default_seat_id() -> str:
    return socket.gethostname() or "seat"


def new_instance_id() -> str:
    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


class SeatLease:
    def __init__(
        self, db: Database, seat: repo.SeatInfo, *, lease_seconds: float = 10.0, interval: float | None = None,
        on_change: OnChange | None = None, monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self.seat = seat
        self.lease_seconds = lease_seconds
        self.interval = interval if interval is not None else max(0.5, lease_seconds / 5)
        self.machine = LeaseMachine(seat.instance, leader_capable=seat.role != "console-only",
                                    lease_seconds=lease_seconds, margin=min(1.0, lease_seconds / 5))
        self._on_change = on_change
        self._monotonic = monotonic
        self._tasks = TaskOwner("seat-lease")
        self._wake = asyncio.Event()
        self._started = False

    @property
    def state(self) -> LeaseState:
        return self.machine.state

    @property
    def epoch(self) -> int:
        return self.machine.epoch

    def holds(self) -> bool:
        """This instance leads and its lease has not run out by its own clock. A sender
        checks it right before each HTTP send: a claim made before a freeze must not go
        out after it (GREEN-API takes no fencing token, so this local check is the guard
        between the fenced claim and the request)."""
        return self.machine.leading and self._monotonic() < self.machine.deadline

    def recheck(self) -> None:
        """Tick now (a send found the lease gone or nearly gone): renew, or step down."""
        self._wake.set()

    @property
    def view(self) -> LeaseView | None:
        return self.machine.view

    async def start(self) -> None:
        await self._db.open()
        await self._db.call(repo.heartbeat, self.seat, None)
        await self.tick()
        self._tasks.spawn(self._run(), name="seat-lease")
        self._started = True

    async def stop(self) -> None:
        await self._tasks.shutdown()
        if self.machine.leading:
            try:
                async with asyncio.timeout(self.interval):
                    await self._db.call(repo.release, self.seat.instance)
            except Exception:  # the lease simply expires
                log.warning("could not release the engine lease; it expires on its own", exc_info=True)
            await self._changed(self.machine.released())
        await self._db.close()

    async def tick(self) -> None:
        started = self._monotonic()
        budget = self.machine.seconds_left(started) if self.machine.leading else self.interval * 2 + 5
        try:
            async with asyncio.timeout(max(0.1, budget)):
                view = await self._db.call(self._tick_sync)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("seat heartbeat failed (%s)", type(exc).__name__)
            await self._changed(self.machine.failed(self._monotonic()))
            return
        expired = self.machine.expire(self._monotonic())  # the tick itself outlasted the lease
        if expired is not None:
            self.machine.view = view  # lead again only from a renewal that comes back in time
            await self._changed(expired)
            return
        await self._changed(self.machine.observed(view, started))

    def _tick_sync(self) -> LeaseView:
        repo.heartbeat(self.seat)
        if self.machine.state is LeaseState.CONSOLE_ONLY:
            return repo.read_lease()
        return repo.acquire_or_renew(self.seat.seat_id, self.seat.instance, self.lease_seconds)

    async def _run(self) -> None:
        while True:
            now = self._monotonic()
            wait = self.interval
            if self.machine.leading:
                wait = min(wait, max(0.0, self.machine.deadline - now))
            await wait_event(self._wake, wait)
            self._wake.clear()
            change = self.machine.expire(self._monotonic())
            if change is not None:
                await self._changed(change)
            await self.tick()

    async def _changed(self, change: LeaseChange | None) -> None:
        if change is None:
            return
        log.info("seat %s: %s (epoch %d): %s", self.seat.seat_id, change.state, change.epoch, change.reason)
        if self._on_change is not None:
            await self._on_change(change)
