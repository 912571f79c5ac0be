"""InventoryService: the current stock for the engine, kept fresh from the stock file.

- `start()` loads INVENTORY_EXCEL_PATH (or, when it is missing or broken, the last
  accepted copy in `<data_dir>/stock/`) and starts a watcher that polls the file's
  mtime/size every `poll_interval` seconds and its content hash when they change; a
  changed file is reloaded within a couple of polls (no extra dependency, works on
  network drives where file-system notifications do not).
- `load_file(path)` is the one load path (watcher and console drag-and-drop): read and
  validate off the loop, swap the index atomically, copy the accepted bytes to
  `stock/current.xlsx` (the previous copy becomes `stock/previous.xlsx`), publish
  `StockLoaded`; on any error publish `StockRejected` and keep serving the old stock.
- `query` / `reserve` / `release`: availability = file quantity − active reservations
  made against the current stock version (see docs/INVENTORY.md).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Callable

from ...engine.events import EventBus, StockLoaded, StockRejected
from ...engine.tasks import TaskOwner
from .index import StockAnswer, StockIndex
from .loader import LoadResult, load_stock, version_of
from .reservations import MemoryReservations, ReservationStore, SqlReservations, reserved_sync
from .validation import file_error

__all__ = ["InventoryService", "LoadResult"]

log = logging.getLogger(__name__)

STOCK_DIR = "stock"


class InventoryService:
    def __init__(self, settings_path: Path, data_dir: Path, bus: EventBus, executor: Executor,
                 db: Any | None = None, poll_interval: float = 1.0) -> None:
        self.path = Path(settings_path)
        self.data_dir = Path(data_dir)
        self._bus = bus
        self._executor = executor
        self._poll_interval = poll_interval
        self._reservations: ReservationStore = SqlReservations(db) if db is not None else MemoryReservations()
        self._index = StockIndex.empty()
        self._tasks = TaskOwner("inventory")
        self._load_lock = asyncio.Lock()
        self._reserve_lock = asyncio.Lock()
        self._seen_signature: tuple[int, int] | None = None
        self._seen_digest: str | None = None  # last content tried (accepted or rejected)
        self.last_result: LoadResult | None = None

    # ---- lifecycle ---------------------------------------------------------------------
    @property
    def stock_dir(self) -> Path:
        return self.data_dir / STOCK_DIR

    @property
    def current_copy(self) -> Path | None:
        for candidate in sorted(self.stock_dir.glob("current.*")):
            if candidate.suffix != ".tmp":
                return candidate
        return None

    async def start(self) -> None:
        loaded = False
        if self.path.exists():
            self._seen_signature = await self._signature()
            loaded = (await self.load_file(self.path)).ok
        if not loaded:
            copy = self.current_copy
            if copy is not None:
                result = await self.load_file(copy, keep_copy=False)
                if result.ok:
                    log.info("serving the last accepted stock copy %s", copy)
            elif not self.path.exists():
                log.warning("stock file %s does not exist yet; waiting for it", self.path)
        self._tasks.spawn(self._watch(), name="inventory-watch")

    async def stop(self) -> None:
        await self._tasks.shutdown()

    # ---- loading --------------------------------------------------------------------------
    @property
    def index(self) -> StockIndex:
        return self._index

    async def load_file(self, path: Path, keep_copy: bool = True) -> LoadResult:
        """Validate and swap in a stock file; on errors the current stock keeps serving."""
        path = Path(path)
        loop = asyncio.get_running_loop()
        async with self._load_lock:
            loaded = await loop.run_in_executor(self._executor, load_stock, path)
            result = loaded.result
            if loaded.data is not None:
                self._seen_digest = version_of(loaded.data)
            if not result.ok or loaded.index is None:
                self.last_result = result
                for message in result.errors_en[:20]:
                    log.warning("stock file rejected: %s", message)
                self._bus.publish(StockRejected(str(path), result.errors_en, result.errors_ru))
                return result
            if keep_copy:
                try:
                    await loop.run_in_executor(self._executor, self._store_copy, path.suffix.lower() or ".xlsx",
                                               loaded.data)
                except OSError as exc:  # the stock is valid; a failed backup must not reject it
                    log.error("could not copy the stock file into %s: %s", self.stock_dir, exc)
            previous = self._index
            self._index = loaded.index
            self.last_result = result
            if previous.version and previous.version != loaded.index.version:
                released = await self._reservations.release_other_versions(loaded.index.version)
                if released:
                    log.info("new stock version %s released %d reservations", loaded.index.version, released)
            log.info("stock loaded from %s: %d rows, %d products in %.2fs (version %s)", path, result.rows,
                     result.products, result.seconds, result.version)
            self._bus.publish(StockLoaded(str(path), result.rows, result.products, result.seconds))
            return result

    def _store_copy(self, suffix: str, data: bytes | None) -> None:
        if data is None:
            return
        self.stock_dir.mkdir(parents=True, exist_ok=True)
        current = self.stock_dir / f"current{suffix}"
        tmp = self.stock_dir / f"incoming{suffix}.tmp"
        tmp.write_bytes(data)
        for old in self.stock_dir.glob("current.*"):
            if old.suffix != ".tmp":
                # the accepted copy before this one is the backup
                for stale in self.stock_dir.glob("previous.*"):
                    stale.unlink()
                os.replace(old, self.stock_dir / f"previous{old.suffix}")
        os.replace(tmp, current)

    # ---- watching ---------------------------------------------------------------------------
    async def _signature(self) -> tuple[int, int] | None:
        def stat() -> tuple[int, int] | None:
            try:
                info = self.path.stat()
            except OSError:
                return None
            return (info.st_mtime_ns, info.st_size)

        return await asyncio.get_running_loop().run_in_executor(self._executor, stat)

    async def _digest(self) -> str | None:
        def digest() -> str | None:
            try:
                return version_of(self.path.read_bytes())
            except OSError:
                return None

        return await asyncio.get_running_loop().run_in_executor(self._executor, digest)

    async def _watch(self) -> None:
        pending: tuple[int, int] | None = None
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                signature = await self._signature()
                if signature is None or signature == self._seen_signature:
                    pending = None
                    continue
                if signature != pending:
                    pending = signature  # still being written? wait until it holds still for one poll
                    continue
                self._seen_signature = signature
                pending = None
                digest = await self._digest()
                if digest is None or digest == self._seen_digest:
                    continue  # touched but not changed, or the same broken file again
                log.info("stock file %s changed; reloading", self.path)
                await self.load_file(self.path)
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must survive anything one poll throws
                log.exception("stock watcher poll failed")
                error = file_error(self.path, "unreadable", "watcher error")
                self._bus.publish(StockRejected(str(self.path), (error.message_en,), (error.message_ru,)))

    # ---- answering and holding ---------------------------------------------------------
    async def reserved(self) -> dict[str, int]:
        return await self._reservations.reserved(self._index.version)

    def reserved_reader(self, version: str) -> Callable[[], dict[str, int]] | None:
        """A sync reader of the holds on `version`, for a caller that batches its own reads in one
        `db.call` on the DB thread (the sales turn); None when holds are not kept in the database."""
        if not isinstance(self._reservations, SqlReservations):
            return None
        return functools.partial(reserved_sync, version)

    async def query(self, text: str, size: str | None = None, color: str | None = None) -> StockAnswer:
        index = self._index
        reserved = await self._reservations.reserved(index.version)
        return index.query(text, size=size, color=color, reserved=reserved)

    async def available(self, product: str, size: str | None, color: str | None) -> int:
        index = self._index
        item = index.find_item(product, size, color)
        if item is None:
            return 0
        held = (await self._reservations.reserved(index.version)).get(
            index.item_key(item.product, item.size, item.color), 0)
        return max(0, item.quantity - held)

    async def reserve(self, order_id: int, product: str, size: str, color: str, quantity: int = 1) -> bool:
        """Hold `quantity` of one stock line for an order; False if it is not available any more."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        async with self._reserve_lock:
            index = self._index
            item = index.find_item(product, size, color)
            if item is None:
                return False
            key = index.item_key(item.product, item.size, item.color)
            ok = await self._reservations.reserve(order_id, key, quantity, index.version, item.quantity)
            log.info("reservation order=%s item=%s qty=%d: %s", order_id, key, quantity, "held" if ok else "refused")
            return ok

    async def release(self, order_id: int) -> None:
        async with self._reserve_lock:
            count = await self._reservations.release(order_id)
        if count:
            log.info("released %d reservations of order %s", count, order_id)
