"""Reservations: a confirmed order holds its stock line until a new stock file arrives.

Rule (docs/INVENTORY.md): available = quantity in the current file − active reservations
made against the current stock version. A new file (a new version, i.e. different
content) releases every older reservation: staff count the shelf when they write the
file, so a sold pair is already gone from it.

`SqlReservations` keeps them in the `Reservation` table (its functions run on the DB
thread through `Database.call`/`atomic`); `MemoryReservations` is the same store for runs
without a database (the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol


@dataclass(frozen=True)
class HeldItem:
    order_id: int
    item_key: str
    quantity: int
    stock_version: str


class ReservationStore(Protocol):
    async def reserved(self, version: str) -> dict[str, int]: ...
    async def reserve(self, order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool: ...
    async def release(self, order_id: int) -> int: ...
    async def release_other_versions(self, version: str) -> int: ...


# ---- SQL (the DB thread) -----------------------------------------------------------------
def reserved_sync(version: str) -> dict[str, int]:
    from ..storage.models import Reservation

    import peewee as pw

    query = (Reservation.select(Reservation.item_key, pw.fn.SUM(Reservation.quantity).alias("held"))
             .where(Reservation.active == True, Reservation.stock_version == version)  # noqa: E712
             .group_by(Reservation.item_key))
    return {row.item_key: int(row.held) for row in query}


def reserve_sync(order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool:
    """Run inside a transaction: check what is left and hold it, or refuse."""
    from ..storage.models import Reservation

    existing = (Reservation.select()
                .where(Reservation.order == order_id, Reservation.item_key == item_key,
                       Reservation.stock_version == version, Reservation.active == True)  # noqa: E712
                .first())
    if existing is not None and existing.quantity >= quantity:
        return True  # idempotent: the same order confirmed twice holds one pair
    held = reserved_sync(version).get(item_key, 0) - (existing.quantity if existing else 0)
    if on_file - held < quantity:
        return False
    if existing is not None:
        existing.quantity = quantity
        existing.save()
    else:
        Reservation.create(order=order_id, item_key=item_key, quantity=quantity, stock_version=version,
                           active=True, created_at=datetime.now(timezone.utc))
    return True


def release_sync(order_id: int) -> int:
    from ..storage.models import Reservation

    return (Reservation.update(active=False)
            .where(Reservation.order == order_id, Reservation.active == True)  # noqa: E712
            .execute())


def release_other_versions_sync(version: str) -> int:
    from ..storage.models import Reservation

    return (Reservation.update(active=False)
            .where(Reservation.active == True, Reservation.stock_version != version)  # noqa: E712
            .execute())


class SqlReservations:
    def __init__(self, db) -> None:  # services.storage.Database
        self._db = db

    async def reserved(self, version: str) -> dict[str, int]:
        return await self._db.call(reserved_sync, version)

    async def reserve(self, order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool:
        return await self._db.atomic(reserve_sync, order_id, item_key, quantity, version, on_file)

    async def release(self, order_id: int) -> int:
        return await self._db.atomic(release_sync, order_id)

    async def release_other_versions(self, version: str) -> int:
        return await self._db.atomic(release_other_versions_sync, version)


class MemoryReservations:
    """The same rules without a database (CLI, tests of the index)."""

    def __init__(self) -> None:
        self._held: list[HeldItem] = []

    async def reserved(self, version: str) -> dict[str, int]:
        totals: dict[str, int] = {}
        for held in self._held:
            if held.stock_version == version:
                totals[held.item_key] = totals.get(held.item_key, 0) + held.quantity
        return totals

    async def reserve(self, order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool:
        mine = [h for h in self._held if h.order_id == order_id and h.item_key == item_key and h.stock_version == version]
        if mine and mine[0].quantity >= quantity:
            return True
        held = (await self.reserved(version)).get(item_key, 0) - (mine[0].quantity if mine else 0)
        if on_file - held < quantity:
            return False
        self._held = [h for h in self._held if h not in mine]
        self._held.append(HeldItem(order_id, item_key, quantity, version))
        return True

    async def release(self, order_id: int) -> int:
        before = len(self._held)
        self._held = [h for h in self._held if h.order_id != order_id]
        return before - len(self._held)

    async def release_other_versions(self, version: str) -> int:
        before = len(self._held)
        self._held = [h for h in self._held if h.stock_version == version]
        return before - len(self._held)
