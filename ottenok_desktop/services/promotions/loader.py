"""Loading promotions.xlsx into a PromotionBook (blocking: call it in an executor).

A missing file is "no promotions" (the shop may not run any); a file with errors is
rejected whole and the previous book stays in use (PromotionsFile keeps it).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from ...engine.promotions import Promotion, PromotionBook
from ..inventory.reader import ReadError, read_workbook
from .validation import ParsedPromotions, PromotionError, file_error, parse_workbook

log = logging.getLogger(__name__)
B = TypeVar("B", covariant=True)


def load_promotions(path: Path, catalog: frozenset[str] = frozenset()) -> ParsedPromotions:
    if not path.exists():
        return ParsedPromotions()
    try:
        tables = read_workbook(path)
    except ReadError as exc:
        parsed = ParsedPromotions()
        parsed.errors.append(file_error(path, exc.code, exc.detail))
        return parsed
    return parse_workbook(path, tables, catalog)


@dataclass(frozen=True)
class LoadResult:
    ok: bool
    count: int
    errors: tuple[PromotionError, ...] = ()


class PromotionsFile:
    """The promotions in use: loaded at start and on reload; the file's mtime is checked on
    each `book()` call at most every `check_seconds`, so an edited file is picked up without
    a watcher thread. A bad file keeps the previous promotions and its errors are kept for the
    console."""

    def __init__(self, path: Path, catalog: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.catalog = catalog
        self._book = PromotionBook()
        self._mtime: float | None = None
        self._lock = threading.Lock()
        self.errors: tuple[PromotionError, ...] = ()

    def reload(self) -> LoadResult:
        mtime = self.path.stat().st_mtime if self.path.exists() else None
        parsed = load_promotions(self.path, self.catalog)
        with self._lock:
            self._mtime = mtime
            if parsed.errors:
                self.errors = tuple(parsed.errors)
                for error in parsed.errors[:5]:
                    log.warning("promotions file rejected: %s", error.message_en)
                return LoadResult(False, len(self._book.promotions), self.errors)
            self.errors = ()
            self._book = PromotionBook(tuple(parsed.promotions))
        for warning in parsed.warnings[:20]:
            log.info("promotions: %s", warning)
        log.info("promotions loaded: %d from %s", len(parsed.promotions), self.path.name)
        return LoadResult(True, len(parsed.promotions))

    def changed(self) -> bool:
        mtime = self.path.stat().st_mtime if self.path.exists() else None
        return mtime != self._mtime

    def book(self) -> PromotionBook:
        return self._book

    def active_for(self, product: str, brand: str, product_type: str, today: date) -> Promotion | None:
        return self._book.active_for(product, brand, product_type, today)

    def active(self, today: date) -> list[Promotion]:
        return self._book.active(today)


class ReloadableFile(Protocol[B]):
    def changed(self) -> bool: ...
    def reload(self) -> Any: ...
    def book(self) -> B: ...


class WatchedFile(Generic[B]):
    """The engine's `Promotions` / `Partners` port over a PromotionsFile / PartnersFile: the file's mtime is looked at (in the executor) at most
    every `check_seconds` when a turn asks, and the file re-read when it changed — no watcher
    thread, no read on the loop."""

    def __init__(self, source: ReloadableFile[B], executor: Executor, check_seconds: float = 5.0) -> None:
        self.source = source
        self.executor = executor
        self.check_seconds = check_seconds
        self._checked = float("-inf")
        self._loaded = False

    async def book(self) -> B:
        now = time.monotonic()
        if not self._loaded or now - self._checked >= self.check_seconds:
            self._checked = now
            loop = asyncio.get_running_loop()
            if not self._loaded or await loop.run_in_executor(self.executor, self.source.changed):
                await loop.run_in_executor(self.executor, self.source.reload)
                self._loaded = True
        return self.source.book()
