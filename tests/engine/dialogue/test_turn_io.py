"""A sales turn reads once and writes once: one `db.call` for the chat's context (state, order,
ticket, photos, stock holds) and one `db.atomic` for everything it decided; its events are
published only after that write commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from ottenok_desktop.engine.events import OrderChanged

from .shop import Shop, close_shop, open_shop

PHONE = "77013334455"


@pytest.fixture
async def shop(tmp_path: Path) -> AsyncIterator[Shop]:
    opened = await open_shop(tmp_path)
    yield opened
    await close_shop(opened)


class CountingDb:
    """The real database, counting round trips to its thread by what ran there."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.trips: list[str] = []

    async def call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.trips.append(getattr(fn, "__name__", "?"))
        return await self.db.call(fn, *args, **kwargs)

    async def atomic(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self.trips.append("atomic:" + getattr(fn, "__name__", "?"))
        return await self.db.atomic(fn, *args, **kwargs)


@pytest.mark.parametrize("texts", [
    ["Здравствуйте, есть лоферы шанель 38?"],  # creates the order
    ["мюли диор 38", "черные", "в Алматы"],  # updates it, ready → address asked
])
async def test_a_turn_is_one_read_and_one_write(shop: Shop, texts: list[str]) -> None:
    counting = CountingDb(shop.db)
    shop.responder.db = counting
    for text in texts:
        counting.trips.clear()
        await shop.say(PHONE, text)
        assert counting.trips == ["load_context", "atomic:apply_turn"], (text, counting.trips)


async def test_a_failed_write_leaves_nothing_and_announces_nothing(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop.services.storage import dialogue_state, orders

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(dialogue_state, "save_state", broken)  # fails after the order row was written
    with pytest.raises(RuntimeError):
        await shop.say(PHONE, "лоферы шанель 38 черные")
    assert await shop.db.call(orders.list_orders) == []  # rolled back with the rest of the turn
    assert shop.events.of_type(OrderChanged) == []
