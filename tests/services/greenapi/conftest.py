"""Fixtures: a GREEN-API sandbox on loopback and a client pointed at it.

The client's backoff sleeps go to `FakeSleep`, which records the delays and yields
once, so retry tests are fast and can check the delays the client chose.
"""

from __future__ import annotations

import asyncio
import random
from typing import AsyncIterator

import pytest

from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.settings import Secret

CUSTOMER = "77011234567@c.us"
CUSTOMER2 = "77478889900@c.us"


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


@pytest.fixture
async def sandbox() -> AsyncIterator[GreenApiSandbox]:
    # poll_scale: an empty 5 s long poll lasts 0.1 s; statuses 10 ms apart.
    box = GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=7)
    await box.start()
    yield box
    await box.stop()


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


def make_client(sandbox: GreenApiSandbox, sleep: FakeSleep, **kwargs: object) -> GreenApiClient:
    return GreenApiClient(
        sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret(sandbox.token),
        sleep=sleep, rng=random.Random(1), **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
async def client(sandbox: GreenApiSandbox, fake_sleep: FakeSleep) -> AsyncIterator[GreenApiClient]:
    api = make_client(sandbox, fake_sleep)
    yield api
    await api.aclose()


async def drain(client: GreenApiClient) -> list[dict]:
    """Receive and delete everything queued; returns the bodies in order."""
    bodies = []
    while (note := await client.receive_notification(5)) is not None:
        bodies.append(note.body)
        assert await client.delete_notification(note.receipt_id) is True
    return bodies
