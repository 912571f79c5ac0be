"""InventoryService on real files: live reload, rejected files, copies, events, reservations."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

import pytest

from ottenok_desktop.engine.events import EventBus, EventRecorder, StockLoaded, StockRejected
from ottenok_desktop.services.inventory.service import InventoryService

from .xlsx import ROWS, write_xlsx


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def rewrite(path: Path, rows) -> None:
    """Write a new version and make sure the mtime moves even on coarse file systems."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    write_xlsx(path, rows)
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


@pytest.fixture
async def service(tmp_path: Path, data_dir: Path, bus: EventBus, executor) -> AsyncIterator[InventoryService]:
    stock = write_xlsx(tmp_path / "shop" / "inventory.xlsx", ROWS)
    svc = InventoryService(stock, data_dir, bus, executor, poll_interval=0.05)
    await svc.start()
    yield svc
    await svc.stop()


async def test_start_loads_copies_and_publishes(service: InventoryService, data_dir: Path, bus: EventBus) -> None:
    assert len(service.index) == len(ROWS)
    assert (data_dir / "stock" / "current.xlsx").read_bytes() == service.path.read_bytes()
    answer = await service.query("лоферы шанель 38 черные")
    assert answer.status == "in_stock" and answer.available == 2


async def test_live_reload_of_a_changed_file(service: InventoryService, data_dir: Path, bus: EventBus) -> None:
    recorder = EventRecorder(bus)
    old_version = service.index.version
    rows = [list(r) for r in ROWS]
    rows[2][3] = 4  # Лоферы Chanel 39 черный arrives
    rewrite(service.path, rows)
    await wait_for(lambda: service.index.version != old_version)
    assert (await service.query("лоферы шанель 39 черные")).available == 4
    [event] = recorder.of_type(StockLoaded)
    assert event.rows == len(ROWS) and event.products == 4 and event.seconds > 0
    assert (data_dir / "stock" / "previous.xlsx").exists()
    assert (data_dir / "stock" / "current.xlsx").read_bytes() == service.path.read_bytes()


async def test_a_broken_new_file_leaves_the_old_stock_serving(service: InventoryService, bus: EventBus,
                                                              data_dir: Path) -> None:
    recorder = EventRecorder(bus)
    version = service.index.version
    rows = [list(r) for r in ROWS]
    rows[4][4] = "договорная"
    rewrite(service.path, rows)
    await wait_for(lambda: recorder.of_type(StockRejected))
    [event] = recorder.of_type(StockRejected)
    assert "row 6" in event.errors[0] and "договорная" in event.errors[0]
    assert "строка 6" in event.errors_ru[0]
    assert service.index.version == version
    assert (await service.query("лоферы шанель 38 черные")).available == 2
    assert not (data_dir / "stock" / "previous.xlsx").exists()
    await asyncio.sleep(0.3)  # the same broken file is not retried every poll
    assert len(recorder.of_type(StockRejected)) == 1
    # staff fix it: the watcher picks the fixed file up
    rewrite(service.path, ROWS[:-1])
    await wait_for(lambda: service.index.version != version)
    assert len(service.index) == len(ROWS) - 1


async def test_drag_and_drop_path_and_corrupt_file(service: InventoryService, tmp_path: Path, bus: EventBus) -> None:
    recorder = EventRecorder(bus)
    corrupt = tmp_path / "dropped.xlsx"
    corrupt.write_bytes(b"\x00\x01garbage")
    result = await service.load_file(corrupt)
    assert not result.ok and result.errors[0].code == "corrupt"
    assert len(service.index) == len(ROWS)
    dropped = write_xlsx(tmp_path / "new.xlsx", ROWS[:3])
    result = await service.load_file(dropped)
    assert result.ok and result.rows == 3 and len(service.index) == 3
    assert [type(e) for e in recorder.events] == [StockRejected, StockLoaded]


async def test_start_falls_back_to_the_last_accepted_copy(tmp_path: Path, data_dir: Path, bus: EventBus,
                                                          executor) -> None:
    first = write_xlsx(tmp_path / "inventory.xlsx", ROWS)
    svc = InventoryService(first, data_dir, bus, executor, poll_interval=0.05)
    await svc.start()
    await svc.stop()
    first.unlink()
    again = InventoryService(first, data_dir, bus, executor, poll_interval=0.05)
    await again.start()
    try:
        assert len(again.index) == len(ROWS)
        rewrite(first, ROWS[:2])  # the file appears later: picked up
        await wait_for(lambda: len(again.index) == 2)
    finally:
        await again.stop()


# ---- reservations with the real database ------------------------------------------------------
def _make_order(chat_id: str) -> int:
    from ottenok_desktop.services.storage.models import Chat, Order

    now = datetime.now(timezone.utc)
    chat = Chat.create(chat_id=chat_id, phone=chat_id.split("@")[0], created_at=now, updated_at=now)
    return Order.create(chat=chat, state="confirmed", created_at=now, updated_at=now).id


async def test_reservations(tmp_path: Path, data_dir: Path, bus: EventBus, executor, database) -> None:
    stock = write_xlsx(tmp_path / "inventory.xlsx", ROWS)
    svc = InventoryService(stock, data_dir, bus, executor, db=database, poll_interval=0.05)
    await svc.start()
    try:
        first = database.call_sync(_make_order, "77011234567@c.us")
        second = database.call_sync(_make_order, "77017654321@c.us")
        third = database.call_sync(_make_order, "77010000000@c.us")
        assert await svc.reserve(first, "Лоферы Chanel", "38", "черный")
        assert await svc.reserve(first, "Лоферы Chanel", "38", "черный")  # idempotent
        assert (await svc.query("лоферы шанель 38 черные")).available == 1
        assert await svc.reserve(second, "лоферы chanel", "38", "Чёрный")
        assert not await svc.reserve(third, "Лоферы Chanel", "38", "черный")  # nothing left
        assert (await svc.query("лоферы шанель 38 черные")).status == "out_of_stock"
        assert not await svc.reserve(third, "Лоферы Chanel", "39", "черный")  # 0 on the shelf
        assert not await svc.reserve(third, "Лоферы Gucci", "38", "черный")  # unknown product
        await svc.release(second)
        assert await svc.available("Лоферы Chanel", "38", "черный") == 1
        assert await svc.reserve(third, "Лоферы Chanel", "38", "черный")
        # a new stock file (staff counted the shelf) releases every reservation
        rows = [list(r) for r in ROWS]
        rows[1][3] = 1
        rewrite(stock, rows)
        await wait_for(lambda: svc.index.find_item("Лоферы Chanel", "38", "черный").quantity == 1)
        assert (await svc.query("лоферы шанель 38 черные")).available == 1
        from ottenok_desktop.services.storage.models import Reservation

        active = database.call_sync(lambda: Reservation.select().where(Reservation.active == True).count())  # noqa: E712
        assert active == 0
    finally:
        await svc.stop()


async def test_reservations_without_a_database(service: InventoryService) -> None:
    assert await service.reserve(1, "Мюли Dior Dway", "38", "бежевый") is False  # quantity 0
    assert await service.reserve(1, "Сумка Prada Re-Edition 2005", "", "черный", quantity=2)
    assert (await service.query("сумка прада")).status == "out_of_stock"
    await service.release(1)
    assert (await service.query("сумка прада")).available == 2
