"""The database: one SQLite file in WAL mode, every query on one dedicated thread.

`await db.call(fn, *args)` runs `fn` on the DB thread; `await db.atomic(fn, *args)`
runs it inside a transaction. Repository functions (the other modules of this
package) are plain synchronous functions written for that thread.

The thread serves a priority queue: the poller stores each notification with
`priority=URGENT`, so storing what GREEN-API hands us (and deleting it from their
queue) never waits behind a burst of dispatcher and sender work.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, TypeVar

import peewee as pw

from . import models as m
from .integrity import backup_if_due, raising_damage
from .migrations import current_version, migrate

log = logging.getLogger(__name__)
T = TypeVar("T")

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
}


URGENT = 0
NORMAL = 1


class _DbThread:
    """One thread that runs submitted functions, most urgent first, FIFO within a priority."""

    def __init__(self, name: str) -> None:
        self._queue: queue.PriorityQueue[tuple[int, int, Any]] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, **kwargs: Any) -> "Future[T]":
        if self._closed:
            raise RuntimeError("database is closed")
        future: Future[T] = Future()
        self._queue.put((priority, next(self._seq), (future, fn, args, kwargs)))
        return future

    def _run(self) -> None:
        while True:
            _, _, job = self._queue.get()
            if job is None:
                return
            future, fn, args, kwargs = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # handed to the awaiting caller
                future.set_exception(exc)

    def shutdown(self, wait: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put((99, next(self._seq), None))
        if wait and threading.current_thread() is not self._thread:
            self._thread.join()


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if str(path) != ":memory:" else None
        self._target = str(path)
        self._executor = _DbThread("ottenok-db")
        self._db = pw.SqliteDatabase(None)
        self._opened = False

    # ---- lifecycle ---------------------------------------------------------------
    def _open_sync(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db.init(self._target, pragmas=PRAGMAS, check_same_thread=False)
        self._db.connect(reuse_if_open=True)
        for model in (m.BaseModel, *m.ALL_MODELS):
            model._meta.database = self._db  # thread-local binding (ThreadSafeDatabaseMetadata)
        if 1 not in migrate(self._db, self.path):  # a daily copy of a file that holds something
            backup_if_due(self._db.connection(), self.path, current_version(self._db))
        self._opened = True

    async def open(self) -> "Database":
        await self.call(raising_damage(self._open_sync, self.path))
        return self

    def open_sync(self) -> "Database":
        self.call_sync(raising_damage(self._open_sync, self.path))
        return self

    def _close_sync(self) -> None:
        if not self._db.is_closed():
            self._db.close()

    async def close(self) -> None:
        if self._opened:
            await self.call(self._close_sync)
            self._opened = False
        self._executor.shutdown(wait=True)

    def close_sync(self) -> None:
        if self._opened:
            self.call_sync(self._close_sync)
            self._opened = False
        self._executor.shutdown(wait=True)

    # ---- running work ----------------------------------------------------------------
    async def call(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, **kwargs: Any) -> T:
        return await asyncio.wrap_future(self._executor.submit(fn, *args, priority=priority, **kwargs))

    async def atomic(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, **kwargs: Any) -> T:
        return await self.call(self._in_transaction, fn, *args, priority=priority, **kwargs)

    def _in_transaction(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._db.atomic():
            return fn(*args, **kwargs)

    def call_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """For CLI commands and tests that have no loop: run on the DB thread and wait."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def atomic_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.call_sync(self._in_transaction, fn, *args, **kwargs)
