"""Two seats bidding for the engine lease on one real PostgreSQL database: one leads, the
other takes over once the leader stops renewing, the epoch grows, a console-only seat
never leads."""

from __future__ import annotations

import asyncio

from ottenok_desktop.engine.lease import LeaseChange, LeaseState
from ottenok_desktop.services.seats import SeatLease
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import lease as repo
from tests.fakes.waiting import wait_until


def seat(url: str, seat_id: str, role: str = "leader-capable", changes: list[LeaseChange] | None = None) -> SeatLease:
    async def record(change: LeaseChange) -> None:
        if changes is not None:
            changes.append(change)

    info = repo.SeatInfo(seat_id, f"менеджер {seat_id}", role, f"{seat_id.upper()}-PC", f"{seat_id}-instance")
    return SeatLease(Database(url), info, lease_seconds=2.0, interval=0.2, on_change=record)


async def test_the_second_seat_takes_over_when_the_leader_stops(postgres_url: str) -> None:
    kassa_changes: list[LeaseChange] = []
    laptop_changes: list[LeaseChange] = []
    kassa = seat(postgres_url, "kassa", changes=kassa_changes)
    laptop = seat(postgres_url, "laptop", changes=laptop_changes)
    await kassa.start()
    await laptop.start()
    try:
        assert kassa.state is LeaseState.LEADER and kassa.epoch == 1
        assert laptop.state is LeaseState.FOLLOWER
        assert kassa.holds() and not laptop.holds()
        await asyncio.sleep(0.6)  # several renewals: nothing changes
        assert kassa.state is LeaseState.LEADER and laptop.state is LeaseState.FOLLOWER
        await kassa._tasks.shutdown()  # the kassa PC freezes: no more renewals (its lease stays in the table)
        await wait_until(lambda: laptop.state is LeaseState.LEADER, "take-over", timeout=30)  # a wait bound, not a speed goal (bench/seats.py)
        assert laptop.epoch == 2 and laptop_changes[-1].state is LeaseState.LEADER
        assert kassa.machine.leading  # frozen: it has not noticed yet
        assert not kassa.holds()  # but a send checking its own clock would not go out
        await kassa.tick()  # it wakes up: its own clock ran out and the lease is someone else's
        assert kassa.state is LeaseState.FOLLOWER and kassa.view.holder_seat == "laptop"
    finally:
        await laptop.stop()
        await kassa.stop()
    assert [c.state for c in kassa_changes] == [LeaseState.LEADER, LeaseState.FOLLOWER]


async def test_a_clean_stop_hands_over_at_once_and_console_only_never_leads(postgres_url: str) -> None:
    kassa = seat(postgres_url, "kassa")
    phone = seat(postgres_url, "manager-phone", role="console-only")
    laptop = seat(postgres_url, "laptop")
    await kassa.start()
    await phone.start()
    await laptop.start()
    try:
        loop = asyncio.get_running_loop()
        began = loop.time()
        await kassa.stop()
        await wait_until(lambda: laptop.state is LeaseState.LEADER, "hand-over", timeout=5)
        assert loop.time() - began < 2.0  # released, not waited out (2 s lease)
        assert phone.state is LeaseState.CONSOLE_ONLY
        status = await laptop._db.call(repo.status, 5)
        assert status["leader"] == "laptop" and status["epoch"] == 2
        assert {s["seat_id"] for s in status["seats"]} == {"kassa", "manager-phone", "laptop"}
    finally:
        await laptop.stop()
        await phone.stop()
