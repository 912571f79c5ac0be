"""The database: one SQLite file in WAL mode (one PC) or a shared PostgreSQL database
(several seats, `DATABASE_URL=postgresql://…`); every query on one dedicated thread.

`await db.call(fn, *args)` runs `fn` on the DB thread; `await db.atomic(fn, *args)`
runs it inside a transaction. Repository functions (the other modules of this
package) are plain synchronous functions written for that thread.

The thread serves a priority queue: the poller stores each notification with
`priority=URGENT`, so storing what GREEN-API hands us (and deleting it from their
queue) never waits behind a burst of dispatcher and sender work. Transactions
(`atomic`) found waiting next to each other share one commit (`Database._run_group`:
each in its own savepoint, fenced once, answered after the commit), so a burst pays
for fewer commits without any caller learning of a write before it is durable.

PostgreSQL is spoken through peewee's `PostgresqlDatabase` with psycopg 3 in its
synchronous form (async psycopg refuses the Windows Proactor loop qasync runs), on the
same DB thread. A connection the server or the network dropped is replaced before the
next job; the job that met the failure gets the error.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import logging
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, TypeVar

import peewee as pw

from . import models as m
from .integrity import backup_if_due, raising_damage
from .lease import assert_epoch
from .listener import CHANNEL
from .migrations import current_version, migrate
from .urls import is_postgres_url, normalize_postgres_url, redact_url

log = logging.getLogger(__name__)
T = TypeVar("T")

PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -16000,
    # SQLite checkpoints the WAL into the database file (with an fsync) inside whichever
    # commit crosses 1,000 pages — under a burst, every few dozen commits, each then
    # taking milliseconds while the poller's store waits behind it. The DB thread
    # checkpoints when it has been idle a moment, and at least once a second while
    # commits keep coming (Database._checkpoint_due); this limit (~40 MB) is a last resort.
    "wal_autocheckpoint": 10000,
}
IDLE_AFTER = 0.25  # seconds without a job before the DB thread does its idle work
# With synchronous=normal the WAL is synced to disk at checkpoints: a power cut can undo
# the commits since the last one (an application crash cannot). At most this long of
# them, as before, when SQLite's 1,000 pages took a burst about as long to fill.
CHECKPOINT_MAX_GAP = 1.0


URGENT = 0
NORMAL = 1
_NOTIFY_IF_WRITTEN = (f"SELECT pg_notify('{CHANNEL}', %s) WHERE txid_current_if_assigned() IS NOT NULL")
IDLE_IN_TRANSACTION_TIMEOUT = 5.0  # seconds (PostgreSQL); our transactions last milliseconds


GROUP_MAX = 16  # transactions that may share one commit (bounds how long the first one waits)


class Savepoint:
    """`with Savepoint(db, "name"):` — a savepoint inside the running transaction: an
    exception rolls back to it (and is raised on), else it is released. What peewee's
    nested `atomic()` does, without naming each one with a fresh uuid4 (random bytes from
    the OS, twice per notification on the hot path). The name must be unique among the
    savepoints open at that moment (nested ones included)."""

    __slots__ = ("_db", "_name", "_outer")

    def __init__(self, db: pw.Database, name: str) -> None:
        self._db = db
        self._name = name
        self._outer: Any = None  # outside any transaction: a whole one, peewee's

    def __enter__(self) -> None:
        if self._db.transaction_depth() == 0:
            self._outer = self._db.atomic()
            self._outer.__enter__()
            return
        self._db.execute_sql(f'SAVEPOINT "{self._name}"')

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self._outer is not None:
            self._outer.__exit__(exc_type, exc, tb)
            return
        if exc_type is not None:
            self._db.execute_sql(f'ROLLBACK TO SAVEPOINT "{self._name}"')
        self._db.execute_sql(f'RELEASE SAVEPOINT "{self._name}"')


class _Job:
    """One submitted function. Its caller waits either on the event loop (`waiter`, an
    asyncio future of `loop`) or in a thread (`future`, for the synchronous doors)."""

    __slots__ = ("fn", "args", "kwargs", "group", "priority", "seq", "future", "waiter", "loop")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], group: bool,
                 priority: int, seq: int) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.group = group
        self.priority = priority
        self.seq = seq
        self.future: Future[Any] | None = None
        self.waiter: asyncio.Future[Any] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def __lt__(self, other: "_Job") -> bool:  # heap order: most urgent first, FIFO within a priority
        return (self.priority, self.seq) < (other.priority, other.seq)

    def start(self) -> bool:
        """False if the caller gave up before the job began (it is then not run at all)."""
        if self.future is not None:
            return self.future.set_running_or_notify_cancel()
        return not self.waiter.cancelled()  # type: ignore[union-attr]


class _DbThread:
    """One thread that runs submitted functions, most urgent first, FIFO within a priority.

    Jobs submitted with `group=True` (transactions) that are waiting next to each other
    at the head of the queue are handed to `run_group` together, so that under a burst
    several of them share one commit (one BEGIN/COMMIT and one WAL write instead of one
    each); the order they would have run in is kept. An urgent job that arrives while a
    group runs is taken into it at the next job boundary and the group commits right
    after it: the jobs of the group not yet begun go back to the queue, in their places.

    Answers to callers on the event loop are handed over in batches: one
    `call_soon_threadsafe` (one wake-up of the loop) for everything finished since the
    loop last took its answers, instead of one per job — under a burst each wake-up
    costs a thread switch on a busy machine (issue 18)."""

    def __init__(self, name: str, before_job: Callable[[], None] | None = None,
                 run_group: "Callable[[list[_Job], Callable[[int], _Job | None], list[_Job]], list[tuple[_Job, bool, Any]]] | None"
                 = None, idle_work: Callable[[], Callable[[], None] | None] | None = None,
                 after_job: Callable[[], None] | None = None) -> None:
        self._before_job = before_job
        self._after_job = after_job  # after each job (or group) has been answered
        self._run_group = run_group
        # What to do once no job came for IDLE_AFTER s (None: nothing to do, just wait).
        self._idle_work = idle_work
        self._heap: list[_Job | _Stop] = []
        self._ready = threading.Condition(threading.Lock())
        self._seq = itertools.count()
        self._closed = False
        self._answers_lock = threading.Lock()
        self._answers: dict[asyncio.AbstractEventLoop, list[tuple[_Job, bool, Any]]] = {}
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _job(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], priority: int,
             group: bool) -> _Job:
        if self._closed:
            raise RuntimeError("database is closed")
        return _Job(fn, args, kwargs, group, priority, next(self._seq))

    def submit(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, group: bool = False,
               **kwargs: Any) -> "Future[T]":
        """For callers without a loop: a concurrent future to block on."""
        job = self._job(fn, args, kwargs, priority, group)
        job.future = Future()
        self._put(job)
        return job.future

    def submit_async(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, group: bool = False,
                     **kwargs: Any) -> "asyncio.Future[T]":
        """For callers on the running loop: an asyncio future (cancelling it before the job
        begins means the job is not run, as with `asyncio.wrap_future`)."""
        job = self._job(fn, args, kwargs, priority, group)
        job.loop = asyncio.get_running_loop()
        job.waiter = job.loop.create_future()
        self._put(job)
        return job.waiter

    def _put(self, job: "_Job | _Stop") -> None:
        with self._ready:
            heapq.heappush(self._heap, job)
            self._ready.notify()

    def _take(self) -> list[_Job] | Callable[[], None] | None:
        """The next job, with the group jobs queued right behind it if it is one (None: stop;
        a callable: idle work to do first)."""
        with self._ready:
            while not self._heap:
                work = self._idle_work() if self._idle_work is not None else None
                if work is None:
                    self._ready.wait()
                elif not self._ready.wait(IDLE_AFTER):
                    return work
            job = heapq.heappop(self._heap)
            if isinstance(job, _Stop):
                return None
            jobs = [job]
            if job.group and self._run_group is not None:
                while len(jobs) < GROUP_MAX and self._heap and isinstance(self._heap[0], _Job) and self._heap[0].group:
                    jobs.append(heapq.heappop(self._heap))  # type: ignore[arg-type]
            return jobs

    def _urgent_arrival(self, than: int) -> _Job | None:
        """An urgent transaction waiting now (more urgent than `than`), taken off the queue."""
        with self._ready:
            head = self._heap[0] if self._heap else None
            if isinstance(head, _Job) and head.group and head.priority < than:
                return heapq.heappop(self._heap)  # type: ignore[return-value]
            return None

    def _requeue(self, jobs: list[_Job]) -> None:
        """Jobs of a group that were not begun: back to the queue, in the places they had."""
        with self._ready:
            for job in jobs:
                heapq.heappush(self._heap, job)

    def _run(self) -> None:
        while True:
            jobs = self._take()
            if jobs is None:
                return
            if callable(jobs):
                try:
                    jobs()
                except Exception:  # housekeeping: the next idle moment tries again
                    log.warning("idle work of the database thread failed", exc_info=True)
                continue
            jobs = [job for job in jobs if job.start()]
            if not jobs:
                continue
            if len(jobs) > 1:
                begun: list[_Job] = []
                try:
                    if self._before_job is not None:
                        self._before_job()
                    done = self._run_group(jobs, self._urgent_arrival, begun)  # type: ignore[misc]
                except BaseException as exc:  # handed to every caller whose job had begun
                    done = [(job, False, exc) for job in begun] if begun else [(job, False, exc) for job in jobs]
                if begun:
                    self._requeue([job for job in jobs if all(job is not b for b in begun)])
                self._answer(done)
            else:
                job = jobs[0]
                try:
                    if self._before_job is not None:
                        self._before_job()
                    self._answer([(job, True, job.fn(*job.args, **job.kwargs))])
                except BaseException as exc:  # handed to the awaiting caller
                    self._answer([(job, False, exc)])
            if self._after_job is not None:
                try:
                    self._after_job()
                except Exception:  # housekeeping: tried again after the next job
                    log.warning("housekeeping of the database thread failed", exc_info=True)

    def _answer(self, outcomes: list[tuple[_Job, bool, Any]]) -> None:
        batched: dict[asyncio.AbstractEventLoop, list[tuple[_Job, bool, Any]]] = {}
        for job, ok, value in outcomes:
            if job.future is not None:
                if job.future.done():
                    continue
                if ok:
                    job.future.set_result(value)
                else:
                    job.future.set_exception(value)
            else:
                batched.setdefault(job.loop, []).append((job, ok, value))  # type: ignore[arg-type]
        for loop, answers in batched.items():
            with self._answers_lock:
                waiting = self._answers.get(loop)
                if waiting is not None:  # a hand-over to that loop is scheduled already: ride along
                    waiting.extend(answers)
                    continue
                self._answers[loop] = answers
            try:
                loop.call_soon_threadsafe(self._deliver, loop)
            except RuntimeError:  # the loop is closed: its callers are gone
                with self._answers_lock:
                    self._answers.pop(loop, None)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        """On `loop`: hand every waiting caller its answer."""
        with self._answers_lock:
            answers = self._answers.pop(loop, [])
        # Urgent callers first (the poller's store: its delete, and so every customer after
        # it, waits on this), then in the order the jobs finished.
        answers.sort(key=lambda answer: answer[0].priority)
        for job, ok, value in answers:
            waiter = job.waiter
            if waiter is None or waiter.done():  # cancelled meanwhile
                continue
            if ok:
                waiter.set_result(value)
            else:
                waiter.set_exception(value)

    def shutdown(self, wait: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        self._put(_Stop())
        if wait and threading.current_thread() is not self._thread:
            self._thread.join()


class _Stop:
    """The last item of the queue: the thread ends there."""

    priority = 99
    seq = 0
    group = False

    def __lt__(self, other: object) -> bool:
        return False


class Database:
    """`Database(path)` for SQLite, `Database("postgresql://…")` for a shared server."""

    def __init__(self, path: Path | str, *, application_name: str = "",
                 idle_in_transaction_timeout: float = IDLE_IN_TRANSACTION_TIMEOUT, lock_timeout: float | None = None) -> None:
        self.is_postgres = is_postgres_url(path)
        self.path = None if self.is_postgres or str(path) == ":memory:" else Path(path)
        self._target = normalize_postgres_url(str(path)) if self.is_postgres else str(path)
        # also the payload of this process's NOTIFYs: a listener can tell its own writes apart
        self._application_name = application_name or f"ottenok pid {os.getpid()}"
        # PostgreSQL ends a session left idle inside a transaction (a frozen or sleeping
        # seat): its locks must not hold up the other seats, nor a take-over of the lease.
        self._pg_options = f"-c idle_in_transaction_session_timeout={int(idle_in_transaction_timeout * 1000)}"
        if lock_timeout is not None:
            self._pg_options += f" -c lock_timeout={int(lock_timeout * 1000)}"
        self._db: pw.Database = pw.PostgresqlDatabase(None) if self.is_postgres else pw.SqliteDatabase(None)
        self._commits = 0  # since the last checkpoint (SQLite)
        self._checkpointed_at = time.monotonic()
        self._executor = _DbThread("ottenok-db", self._reconnect_if_broken if self.is_postgres else None, self._run_group,
                                   None if self.is_postgres else self._idle_work,
                                   None if self.is_postgres else self._checkpoint_due)
        self._opened = False
        self._fence: int | None = None
        self._on_lost: Callable[[], None] | None = None

    def set_fence(self, epoch: int | None, on_lost: Callable[[], None] | None = None) -> None:
        """Fence every transaction (`atomic`) with the engine lease's epoch: each one first
        checks, inside itself, that `epoch` still holds the lease and raises `LeaseLost`
        (engine/lease.py) if not. The seat that leads sets it on the engine's database;
        None (the default, and every console) writes unfenced. `on_lost` (called on the
        loop) asks the seat to look at its lease now: a send found it gone."""
        self._fence = epoch
        self._on_lost = on_lost if epoch is not None else None

    def lease_lost(self) -> None:
        """A pre-send check found the lease gone (services/send_fence.py): tell the seat."""
        if self._on_lost is not None:
            self._on_lost()

    @property
    def fence(self) -> int | None:
        return self._fence

    @property
    def application_name(self) -> str:
        return self._application_name

    @property
    def kind(self) -> str:
        return "postgresql" if self.is_postgres else "sqlite"

    @property
    def url(self) -> str:
        """The connection target; for PostgreSQL it may carry a password: never log it."""
        return self._target

    def describe(self) -> str:
        """Where the data lives, safe to show or log (no password)."""
        return redact_url(self._target) if self.is_postgres else self._target

    @property
    def peewee(self) -> pw.Database:
        """The peewee database (use only on the DB thread)."""
        return self._db

    # ---- lifecycle ---------------------------------------------------------------
    def _open_sync(self) -> None:
        if self.is_postgres:
            self._db.init(self._target, prefer_psycopg3=True, connect_timeout=10,
                          application_name=self._application_name, options=self._pg_options)
        else:
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

    def _reconnect_if_broken(self) -> None:
        if not self._opened or self._db.is_closed():
            return
        connection = self._db.connection()
        if getattr(connection, "broken", False) or getattr(connection, "closed", False):
            log.warning("database connection lost; reconnecting to %s", self.describe())
            try:
                self._db.close()
            except Exception:  # the old connection is gone anyway
                log.debug("closing the broken connection failed", exc_info=True)
                self._db._state.reset()
            self._db.connect(reuse_if_open=True)

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
        return await self._executor.submit_async(fn, *args, priority=priority, **kwargs)

    async def atomic(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, **kwargs: Any) -> T:
        return await self._executor.submit_async(self._in_transaction, fn, *args, priority=priority, group=True, **kwargs)

    async def atomic_quiet(self, fn: Callable[..., T], *args: Any, priority: int = NORMAL, **kwargs: Any) -> T:
        """`atomic` (fenced too) without waking the other seats: for writes their views do
        not show (the sender's claim of an outbox item)."""
        return await self._executor.submit_async(
            self._in_transaction, fn, *args, priority=priority, group=True, _notify=False, **kwargs)

    def _in_transaction(self, fn: Callable[..., T], *args: Any, _notify: bool = True, **kwargs: Any) -> T:
        with self._db.atomic():
            if self._fence is not None:
                assert_epoch(self._fence)
            result = fn(*args, **kwargs)
            if self.is_postgres and _notify:  # wake the other seats when this commits (only if it wrote)
                self._db.execute_sql(_NOTIFY_IF_WRITTEN, (self._application_name,))
        self._commits += 1
        return result

    def _idle_work(self) -> Callable[[], None] | None:
        """On the DB thread, when its queue is empty: the checkpoint, if commits wait for it."""
        return self._checkpoint if self._commits and self._opened else None

    def _checkpoint_due(self) -> None:
        """After a job: checkpoint if commits have been coming for CHECKPOINT_MAX_GAP s
        without an idle moment (the power-cut window stays what it was)."""
        if self._commits and self._opened and time.monotonic() - self._checkpointed_at >= CHECKPOINT_MAX_GAP:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file (see PRAGMAS). PASSIVE: it never waits for a
        reader or a writer; what it cannot copy now waits for the next one."""
        self._commits = 0
        self._checkpointed_at = time.monotonic()
        if not self._db.is_closed():
            self._db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def _run_group(self, jobs: list[_Job], urgent: Callable[[int], _Job | None], begun: list[_Job]
                   ) -> list[tuple[_Job, bool, Any]]:
        """Several `atomic` jobs queued together, in one transaction: each in a savepoint of
        its own (one that raises leaves nothing, and the others go on), fenced once at the
        start (on PostgreSQL `assert_epoch` holds the lease row FOR SHARE until the commit,
        so a take-over waits for it), results handed out only after the commit — a caller
        learns of success only once its writes are durable; if the commit fails, every job
        that had begun gets that error and nothing of the group is written. An urgent job
        found waiting at a job boundary (`urgent`: the poller's store, whose delete every
        later customer waits on) runs next, in this transaction, and the group commits
        right after it; the jobs not begun yet (listed in `begun` are those that were)
        go back to the queue. Returns (job, succeeded, result or error) per job run."""
        outcomes: list[tuple[_Job, bool, Any]] = []
        least_urgent = max(job.priority for job in jobs)
        with self._db.atomic():
            if self._fence is not None:
                assert_epoch(self._fence)
            notify = False
            queue = list(jobs)
            while queue:
                job = queue.pop(0)
                begun.append(job)
                # job.fn is `_in_transaction`: its first argument is the repository function
                kwargs = dict(job.kwargs)
                fn, args, wants_notify = job.args[0], job.args[1:], kwargs.pop("_notify", True)
                try:
                    with Savepoint(self._db, "group_job"):
                        outcomes.append((job, True, fn(*args, **kwargs)))
                    notify = notify or wants_notify
                except Exception as exc:  # this job's own failure: rolled back to its savepoint
                    outcomes.append((job, False, exc))
                if queue:
                    arrived = urgent(least_urgent)
                    if arrived is not None:
                        queue = [arrived] if arrived.start() else []  # the rest waits for the next group
            if self.is_postgres and notify:
                self._db.execute_sql(_NOTIFY_IF_WRITTEN, (self._application_name,))
        self._commits += 1
        return outcomes

    def call_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """For CLI commands and tests that have no loop: run on the DB thread and wait."""
        return self._executor.submit(fn, *args, **kwargs).result()

    def atomic_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self.call_sync(self._in_transaction, fn, *args, **kwargs)
