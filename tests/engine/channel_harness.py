"""A running channel-only engine against a loopback GREEN-API sandbox, for tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ottenok_desktop.bootstrap import build_engine
from ottenok_desktop.engine.events import EventRecorder
from ottenok_desktop.runtime import Engine
from ottenok_desktop.services.greenapi.client import GreenApiClient
from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
from ottenok_desktop.services.storage.models import Message, OutboxItem
from ottenok_desktop.settings import Secret, load_settings
from tests.fakes.responders import EchoResponder
from tests.fakes.waiting import wait_until


@dataclass
class Channel:
    engine: Engine
    sandbox: GreenApiSandbox
    responder: Any
    recorder: EventRecorder

    async def messages(self) -> list[tuple[str, str, str, str]]:
        def rows() -> list[tuple[str, str, str, str]]:
            return [(m.chat.chat_id, m.sender_kind, m.text, m.status) for m in Message.select().order_by(Message.id)]

        return await self.engine.db.call(rows)

    async def outbox_states(self) -> list[str]:
        return await self.engine.db.call(lambda: [o.state for o in OutboxItem.select().order_by(OutboxItem.id)])

    async def wait_until(self, predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
        await wait_until(predicate, what, timeout, interval=0.02)


async def start_channel(data_dir: Path, responder: Any = None, *, sandbox: GreenApiSandbox | None = None,
                        debounce: float = 0.0, client_timeout: float = 30.0, retry_base: float = 0.02,
                        **sandbox_kwargs: Any) -> Channel:
    sandbox = sandbox or GreenApiSandbox(poll_scale=0.02, status_delay=0.01, seed=3, **sandbox_kwargs)
    if not sandbox.api_url:
        await sandbox.start()
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env")
    client = GreenApiClient(sandbox.api_url, sandbox.api_url, sandbox.instance_id, Secret(sandbox.token),
                            backoff_base=0.01, backoff_max=0.05, rng=random.Random(5), timeout=client_timeout)
    responder = responder or EchoResponder()
    engine = build_engine(settings, responder=responder, client=client, sandbox=sandbox, channel_only=True,
                          debounce=debounce, sender_retry_base=retry_base, receive_timeout=5)
    recorder = EventRecorder(engine.bus)
    await engine.start()
    return Channel(engine, sandbox, responder, recorder)
