"""Owned tasks stop when they are told to, even when the thing a loop waits for arrives
in the same loop iteration as the cancellation (Python 3.11's `asyncio.wait_for` loses
that cancellation: CPython gh-86296)."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import pytest

from ottenok_desktop.engine.tasks import TaskOwner, wait_event

PACKAGE = Path(__file__).resolve().parents[2] / "ottenok_desktop"


async def test_wait_event_says_whether_the_event_came() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    asyncio.get_running_loop().call_later(0.01, event.set)
    assert await wait_event(event, 5.0) is True


async def _waiting_loop(wake: asyncio.Event, rounds: list[int]) -> None:
    while True:
        await wait_event(wake, 30.0)
        wake.clear()
        rounds.append(1)


async def test_a_loop_stops_when_its_wake_up_and_the_cancel_come_together(caplog: pytest.LogCaptureFixture) -> None:
    owner = TaskOwner("sender")
    wake = asyncio.Event()
    rounds: list[int] = []
    task = owner.spawn(_waiting_loop(wake, rounds), name="drain")
    await asyncio.sleep(0)  # the loop is waiting
    wake.set()
    await asyncio.sleep(0)  # the wait is over, the loop has not resumed yet…
    with caplog.at_level(logging.WARNING):
        await owner.shutdown(timeout=1.0)  # …when the stop arrives
    assert task.cancelled()
    assert "did not stop" not in caplog.text
    assert len(owner) == 0


def test_the_engine_and_its_adapters_never_wait_with_asyncio_wait_for() -> None:
    # Every long-running loop lives under engine/ and services/: a lost cancellation there
    # leaves a task running after shutdown (a stopped seat went on renewing its lease).
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for folder in ("engine", "services")
        for path in sorted((PACKAGE / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bwait_for\(", line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
