"""The last check before a leader's send, on a real PostgreSQL database and the GREEN-API
sandbox: with the lease valid the sender sends; with the lease expired, passed to
another seat, too short, or a process paused after the check, it makes no HTTP request,
gives the claim back (the item stays claimable, not failed) and tells the seat. On
SQLite (no lease) nothing is checked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import ShopClock
from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.greenapi.sender import Sender
from ottenok_desktop.services.send_fence import SendFence, SendRefused, lease_clock
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import lease as repo
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.models import EngineLease, OutboxItem
from ottenok_desktop.settings import Secret
from tests.fakes.waiting import wait_until

AIGERIM = "77011234567@c.us"


@pytest.fixture
async def sandbox() -> AsyncIterator[GreenApiSandbox]:
    box = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=13)
    await box.start()
    yield box
    await box.stop()


class Harness:
    def __init__(self, db: Database, sandbox: GreenApiSandbox, fence: SendFence) -> None:
        self.db = db
        self.sandbox = sandbox
        self.fence = fence
        self.clock = ShopClock()
        self.lost: list[str] = []
        self.client = GreenApiClient(sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret(sandbox.token))
        self.sender = Sender(self.client, db, ev.EventBus(), self.clock, fence=fence, retry_base=0.2)

    async def queue(self, text: str) -> int:
        item = await self.db.atomic(ob.queue_text, AIGERIM, text, "bot", self.clock.now())
        self.sender.wake()
        return item.id

    async def state(self, outbox_id: int) -> str:
        return await self.db.call(lambda: OutboxItem.get_by_id(outbox_id).state)

    async def is_sent(self, outbox_id: int) -> bool:
        return await self.state(outbox_id) == "sent"

    async def close(self) -> None:
        await self.sender.stop()
        await self.client.aclose()
        await self.db.close()


async def leading(url: str, sandbox: GreenApiSandbox, *, margin: float = 1.0, clock=lease_clock) -> Harness:  # type: ignore[no-untyped-def]
    db = await Database(url).open()
    view = await db.call(repo.acquire_or_renew, "kassa", "kassa-1", 10.0)
    harness = Harness(db, sandbox, SendFence(db, margin=margin, clock=clock))
    db.set_fence(view.epoch, lambda: harness.lost.append("lost"))
    return harness


def set_lease_left(seconds: float) -> None:
    EngineLease.update(expires_at=repo.db_now() + timedelta(seconds=seconds)).execute()


async def test_a_valid_lease_sends_and_an_expired_one_makes_no_request(postgres_url: str, sandbox: GreenApiSandbox) -> None:
    h = await leading(postgres_url, sandbox)
    try:
        await h.sender.start()
        first = await h.queue("Здравствуйте! Да, босоножки 37 размера есть")
        await wait_until(lambda: h.is_sent(first), "the first reply sent", timeout=20)
        assert h.fence.checks >= 1 and h.fence.refused == 0

        # the lease is running out: the claim (a fenced transaction) still passes with 3 s
        # left, the check before the send wants 5 s
        await h.db.call(set_lease_left, 3.0)
        h.fence.margin = 5.0
        second = await h.queue("Доставка по Алматы бесплатно от 20 000 ₸")
        await wait_until(lambda: h.fence.refused >= 1, "the send refused", timeout=20)
        await asyncio.sleep(0.5)  # a request would have reached the sandbox by now
        assert [m.text for m in sandbox.sent] == ["Здравствуйте! Да, босоножки 37 размера есть"]
        assert await h.state(second) == "pending" and not h.lost  # given back, not failed; still the leader

        # renewed: the same item goes out, once
        await h.db.call(set_lease_left, 60.0)
        h.sender.wake()
        await wait_until(lambda: h.is_sent(second), "the second reply sent", timeout=30)
        assert [m.text for m in sandbox.sent].count("Доставка по Алматы бесплатно от 20 000 ₸") == 1
    finally:
        await h.close()


async def test_a_lease_taken_over_makes_no_request_and_the_seat_is_told(postgres_url: str, sandbox: GreenApiSandbox) -> None:
    h = await leading(postgres_url, sandbox)
    try:
        epoch = h.db.fence
        assert epoch is not None
        item = await h.queue("Ваш заказ собран, курьер выезжает")  # queued while it led
        with pytest.raises(SendRefused) as refused:
            await h.db.call(set_lease_left, -1.0)
            await h.fence.window()
        assert refused.value.lost and h.lost
        laptop = await h.db.call(repo.acquire_or_renew, "laptop", "laptop-1", 10.0)
        assert laptop.epoch == epoch + 1
        await h.sender.start()
        await wait_until(lambda: len(h.lost) >= 2, "the fenced claim tells the seat", timeout=20)
        await asyncio.sleep(0.5)
        assert sandbox.sent == []
        assert await h.state(item) == "pending"  # the new leader's to send
    finally:
        await h.close()


async def test_a_pause_right_after_the_check_closes_the_window(postgres_url: str, sandbox: GreenApiSandbox) -> None:
    """The database says 10 s are left, but this process stands still for 100 s between
    reading its clock and the request (SIGSTOP, a laptop lid): the send is refused."""
    readings = {"n": 0}

    def clock() -> float:  # every reading is 100 s after the one before
        readings["n"] += 1
        return lease_clock() + 100.0 * readings["n"]

    h = await leading(postgres_url, sandbox, clock=clock)
    try:
        with pytest.raises(SendRefused) as refused:
            await h.fence.window()
        assert refused.value.lost and h.lost == ["lost"]
        await h.sender.start()
        item = await h.queue("Скидка 10% действует до воскресенья")
        await wait_until(lambda: h.sender.lease_losses >= 1, "the send refused", timeout=20)
        await asyncio.sleep(0.5)
        assert sandbox.sent == [] and await h.state(item) == "pending"
    finally:
        await h.close()


async def test_without_a_lease_nothing_is_checked(data_dir: Path, sandbox: GreenApiSandbox) -> None:
    db = await Database(data_dir / "one-pc.sqlite3").open()
    h = Harness(db, sandbox, SendFence(db, margin=2.0))
    try:
        await h.sender.start()
        await h.queue("Салем! Иә, 38 өлшемі бар")
        await sandbox.wait_sent(1, timeout=20)
        assert h.fence.checks == 0 and h.fence.refused == 0
    finally:
        await h.close()
