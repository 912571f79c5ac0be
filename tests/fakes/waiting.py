"""Waiting for something to become true in async tests, without fixed sleeps."""

from __future__ import annotations

import asyncio
from typing import Any, Callable


async def wait_until(predicate: Callable[[], Any], what: str = "condition", timeout: float = 10.0,
                     interval: float = 0.01) -> None:
    """Poll `predicate` (sync, or returning a coroutine) until it is truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(interval)
