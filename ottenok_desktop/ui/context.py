"""What every view gets: the engine, the console's own tasks, the manager's preferences.

Views start async work through `Context.run`, so every task is owned (cancelled when the
window closes) and a failure becomes a plain Russian message in the status bar instead
of a lost traceback.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Awaitable, Coroutine

from PySide6.QtCore import QObject, Signal

from ..engine.tasks import TaskOwner
from .prefs import ConsolePrefs

if TYPE_CHECKING:
    from ..runtime import Engine

log = logging.getLogger(__name__)


class Context(QObject):
    error = Signal(str)  # a Russian message for the status bar
    manager_changed = Signal(str)

    def __init__(self, engine: "Engine", prefs: ConsolePrefs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.prefs = prefs
        self.tasks = TaskOwner("console")

    @property
    def manager(self) -> str:
        return self.prefs.manager_name

    @property
    def demo(self) -> bool:
        return bool(getattr(self.engine, "sandbox", None) is not None)

    def run(self, coro: Coroutine[Any, Any, Any], *, name: str = "ui", error_prefix: str = "") -> None:
        """Start owned async work from a Qt slot; errors are reported, not swallowed."""
        async def guarded() -> None:
            try:
                await coro
            except Exception as exc:  # shown to the manager; the full trace goes to the log
                log.exception("console task %s failed", name)
                message = str(exc) or type(exc).__name__
                self.error.emit(f"{error_prefix}{message}")

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            # Qt delivered a timer or signal while the asyncio loop is not running (only
            # during start-up/shutdown): there is nothing to run the work on, so skip it.
            coro.close()
            log.debug("console task %s skipped: the event loop is not running", name)
            return
        wrapper = guarded()
        try:
            task = self.tasks.spawn(wrapper, name=name)
        except RuntimeError:  # the console is shutting down: no new work
            coro.close()
            return
        # A task cancelled before its first step never awaits `coro`; close it then, so
        # shutdown does not leave "coroutine was never awaited" behind (a no-op otherwise).
        task.add_done_callback(lambda _task: coro.close())

    async def db(self, fn: Any, *args: Any) -> Any:
        """Run a read-only query function on the database thread."""
        return await self.engine.db.call(fn, *args)

    async def in_executor(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.engine.executor, fn, *args)


async def maybe_await(value: Awaitable[Any] | Any) -> Any:
    """Engine services expose some commands as coroutines and some as plain calls."""
    import inspect

    if inspect.isawaitable(value):
        return await value
    return value


async def call_service(ctx: Context, fn: Any, *args: Any) -> Any:
    """Call a service method: await it if it is a coroutine function, else run it in the
    executor (a synchronous service call may block on files or indexes)."""
    import inspect

    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    result = await ctx.in_executor(fn, *args)
    return await maybe_await(result)
