"""A seat on a shared database: run the bot engine only while this seat holds the lease.

`run_seat_until(settings, stop)` registers the seat, bids for the engine lease
(services/seats.py) and, each time this seat becomes the leader, builds a fresh engine
whose database fences every transaction with the new epoch, and starts it; when the
seat stops leading (lease lost, laptop woke up late, network cut) it stops that engine.
Starting and stopping run in their own task so a slow start never delays a renewal.
A console-only seat never runs the engine. `--headless` with DATABASE_URL runs this;
a console with DATABASE_URL runs `ConsoleSeat` (its engine steps up and down instead).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .engine.lease import LeaseChange, LeaseState
from .engine.tasks import TaskOwner
from .settings import Settings

if TYPE_CHECKING:
    from .services.seats import SeatLease

log = logging.getLogger(__name__)

SEATS_REFRESH_SECONDS = 10.0  # how often a console re-reads who is online
EngineFactory = Callable[[Settings], Any]  # returns an object with start()/stop() and a `db`


def _default_factory(settings: Settings) -> Any:
    from .bootstrap import build_engine

    return build_engine(settings)


def seat_lease(settings: Settings, seat_id: str, interval: float | None,
               on_change: Callable[[LeaseChange], Awaitable[None]]) -> "SeatLease":
    """This process's seat and its engine lease, on a connection of its own (the lease must
    renew even while the engine's database thread is busy)."""
    from .services.seats import SeatLease, default_seat_id, new_instance_id
    from .services.storage import Database
    from .services.storage.lease import SeatInfo

    info = SeatInfo(seat_id=seat_id or settings.seat_id or default_seat_id(), manager=settings.seat_name,
                    role=settings.seat_role, host=socket.gethostname(), instance=new_instance_id())
    seat_db = Database(settings.database_target, application_name=f"ottenok seat {info.seat_id}",
                       lock_timeout=max(0.5, settings.lease_seconds / 3))
    return SeatLease(seat_db, info, lease_seconds=settings.lease_seconds, interval=interval, on_change=on_change)


class SeatRunner:
    def __init__(self, settings: Settings, *, factory: EngineFactory = _default_factory, seat_id: str = "",
                 interval: float | None = None, observer: Callable[[LeaseChange], None] | None = None) -> None:
        self.settings = settings
        self._factory = factory
        self._observer = observer  # told of every change of leadership (the console's status line)
        self._desired: asyncio.Queue[LeaseChange] = asyncio.Queue()
        self._tasks = TaskOwner("seat")
        self.engine: Any = None
        self._listener: Any = None
        self.terms = 0  # how many times this seat started the engine
        self.wakes = 0  # sender wake-ups caused by other seats' writes
        self.lease = seat_lease(settings, seat_id, interval, self._on_change)

    async def _on_change(self, change: LeaseChange) -> None:
        self._desired.put_nowait(change)
        if self._observer is not None:
            self._observer(change)

    async def start(self) -> None:
        self._tasks.spawn(self._follow(), name="seat-engine")
        await self.lease.start()

    async def stop(self) -> None:
        await self.lease.stop()  # releases the lease: another seat may take over at once
        await self._tasks.shutdown(timeout=30)
        await self._stop_engine()

    async def _follow(self) -> None:
        while True:
            change = await self._desired.get()
            while not self._desired.empty():  # only the latest wish counts
                change = self._desired.get_nowait()
            if change.state is LeaseState.LEADER:
                await self._stop_engine()
                await self._start_engine(change.epoch)
            else:
                await self._stop_engine()

    async def _start_engine(self, epoch: int) -> None:
        engine = self._factory(self.settings)
        engine.db.set_fence(epoch, self.lease.recheck)
        try:
            await engine.start()
        except Exception:
            log.exception("the engine failed to start under epoch %d", epoch)
            return
        self.engine = engine
        self.terms += 1
        self._listen_for_other_seats(engine)
        log.info("engine running on this seat under epoch %d", epoch)

    def _listen_for_other_seats(self, engine: Any) -> None:
        """A manager's message queued on another seat must leave now, not at the sender's next
        periodic scan: wake the sender when another seat commits a write."""
        if not engine.db.is_postgres or getattr(engine, "sender", None) is None:
            return
        from .services.storage.listener import ChangeListener

        own = engine.db.application_name

        def hint(payload: str, resync: bool) -> None:
            if resync or payload != own:
                self.wakes += 1
                engine.sender.wake()

        self._listener = ChangeListener(engine.db.url, asyncio.get_running_loop(), hint,
                                        application_name=f"ottenok leader listener {self.lease.seat.seat_id}")
        self._listener.start()

    async def _stop_engine(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            await asyncio.get_running_loop().run_in_executor(None, listener.stop)
        engine, self.engine = self.engine, None
        if engine is not None:
            try:
                await engine.stop()
            except Exception:
                log.exception("stopping the engine failed")


async def run_seat_until(settings: Settings, stop: asyncio.Event, *, factory: EngineFactory = _default_factory) -> int:
    runner = SeatRunner(settings, factory=factory)
    await runner.start()
    print(f"READY seat={runner.lease.seat.seat_id} state={runner.lease.state}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.stop()
    return 0


class ConsoleSeat:
    """A console on a shared database is a seat too: its one engine serves the views all the
    time and runs the channel (polling, turns, sends, follow-ups, reports) only while this
    seat holds the engine lease, fenced with the lease's epoch. A console-only seat never
    leads. The window keeps its engine across terms (the views hold it), so the engine
    steps up and down (`start_leading` / `stop_leading`) instead of being rebuilt."""

    def __init__(self, engine: Any, settings: Settings, *, seat_id: str = "", interval: float | None = None,
                 observer: Callable[[LeaseChange], None] | None = None,
                 on_seats: Callable[[dict[str, Any]], None] | None = None,
                 seats_every: float = SEATS_REFRESH_SECONDS) -> None:
        self.engine = engine
        self._observer = observer
        self._on_seats = on_seats  # the status bar: who leads, who is online
        self._online_within = max(3.0, settings.lease_seconds)
        self._seats_every = seats_every
        self._desired: asyncio.Queue[LeaseChange] = asyncio.Queue()
        self._tasks = TaskOwner("console-seat")
        self.lease = seat_lease(settings, seat_id, interval, self._on_change)

    async def _on_change(self, change: LeaseChange) -> None:
        self._desired.put_nowait(change)
        if self._observer is not None:
            self._observer(change)

    async def start(self) -> None:
        self._tasks.spawn(self._follow(), name="console-seat-engine")
        if self._on_seats is not None:
            self._tasks.spawn(self._watch_seats(), name="console-seat-list")
        await self.lease.start()

    async def _watch_seats(self) -> None:
        from .services.storage import lease as repo

        while True:
            try:
                status = await self.engine.db.call(repo.status, self._online_within)
            except Exception:  # the database is away for a moment; the next look will tell
                log.debug("reading the seats failed", exc_info=True)
            else:
                if self._on_seats is not None:
                    self._on_seats(status)
            await asyncio.sleep(self._seats_every)

    async def stop(self) -> None:
        await self.lease.stop()  # releases the lease: another seat may take over at once
        await self._tasks.shutdown(timeout=30)
        await self.engine.stop_leading()

    async def _follow(self) -> None:
        while True:
            change = await self._desired.get()
            while not self._desired.empty():  # only the latest wish counts
                change = self._desired.get_nowait()
            if change.state is LeaseState.LEADER:
                await self.engine.start_leading(change.epoch, self.lease.recheck)
                log.info("this console leads the engine under epoch %d", change.epoch)
            elif self.engine.leading:
                await self.engine.stop_leading()
                log.info("this console no longer leads the engine (%s)", change.reason)
