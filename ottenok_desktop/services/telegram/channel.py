"""The Telegram channel as one part of the engine: client, poller, adapter, operators, owner.

`TelegramChannel.attach(engine, settings)` builds the parts from the settings and hooks
the adapter into the engine's sender (rows of "tg:" chats go through it); the engine
starts and stops it like its other parts. Customer messages wake the dispatcher exactly
like WhatsApp ones; everything after that (turns, orders, tickets, follow-ups, console)
is channel-agnostic.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Callable, Protocol

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.channels import ChannelRouter
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database

from .client import TelegramApi
from .operators import DeskCommands, TelegramOperators
from .outbound import TelegramAdapter
from .owner import OwnerAlerts, TelegramReportDelivery
from .poller import TelegramPoller
from .store import Applied
from .updates import TelegramUpdates

log = logging.getLogger(__name__)


class Waker(Protocol):
    def wake(self, chat_id: str) -> None: ...


class SenderPort(Protocol):
    channels: ChannelRouter

    def wake(self) -> None: ...


class EnginePort(Protocol):
    """What the channel needs from the engine (runtime.Engine has it)."""

    db: Database
    bus: ev.EventBus
    clock: Clock
    dispatcher: Waker
    sender: SenderPort
    desk: DeskCommands
    followups: Any

    async def send_as_manager(self, chat_id: str, text: str, manager: str, file_path: Path | None = None,
                              sender_kind: str = ..., consumed: Callable[[], None] | None = None) -> int: ...


class TelegramChannel:
    def __init__(self, api: TelegramApi, engine: EnginePort, *, operators_chat_id: int | None = None,
                 operator_ids: tuple[int, ...] = (), owner_chat_id: int | None = None, poll_timeout: int = 20,
                 sandbox: Any = None, media_dir: Path | None = None) -> None:
        self.api = api
        self.sandbox = sandbox  # the demo's embedded Telegram sandbox (services/telegram/sandbox.py), if any
        self._engine = engine
        self.adapter = TelegramAdapter(api, engine.db, engine.bus, engine.clock)
        engine.sender.channels.add(self.adapter)
        self.operators: TelegramOperators | None = None
        if operators_chat_id is not None or operator_ids:
            self.operators = TelegramOperators(
                api, engine.db, engine.bus, engine.clock, desk=_LateDesk(engine),
                send_as_manager=engine.send_as_manager, group_chat_id=operators_chat_id, operator_ids=operator_ids,
                media_dir=media_dir)
        self.updates = TelegramUpdates(engine.db, engine.bus, engine.clock, on_customer=self._on_customer,
                                       operators=self.operators, api=api, media_dir=media_dir)
        self.poller = TelegramPoller(api, engine.db, engine.bus, engine.clock, self.updates, poll_timeout=poll_timeout)
        self.reports = TelegramReportDelivery(api, owner_chat_id) if owner_chat_id is not None else None
        self.alerts = OwnerAlerts(api, engine.db, engine.bus, engine.clock, owner_chat_id) if owner_chat_id is not None else None
        self._tasks = TaskOwner("telegram")
        self._started = False

    @classmethod
    def attach(cls, engine: EnginePort, settings: Any, *, api_url: str | None = None, token: Any = None,
               poll_timeout: int = 20, sandbox: Any = None) -> "TelegramChannel":
        api = TelegramApi(api_url or settings.telegram_api_url, token or settings.telegram_bot_token,
                          request_timeout=max(30, poll_timeout + 10))
        return cls(api, engine, operators_chat_id=settings.telegram_operators_chat_id,
                   operator_ids=settings.telegram_operator_ids, owner_chat_id=settings.telegram_owner_chat_id,
                   poll_timeout=poll_timeout, sandbox=sandbox, media_dir=settings.data_dir / "media" / "telegram")

    async def start(self) -> None:
        if self.sandbox is not None and not self.sandbox.api_url:
            await self.sandbox.start()
        await self.api.open()
        if self.operators is not None:
            await self.operators.start()
        if self.alerts is not None:
            await self.alerts.start()
        self.poller.start()
        self._started = True
        log.info("telegram channel started (operators=%s, owner=%s)", self.operators is not None, self.alerts is not None)

    async def stop(self) -> None:
        if self._started and self.alerts is not None:  # the owner learns that nobody answers now
            try:
                async with asyncio.timeout(3.0):
                    await self.alerts.engine_down(texts.TG_ENGINE_STOPPED)
            except asyncio.TimeoutError:
                log.warning("the owner's stop alert was not sent in time")
        self._started = False
        await self.poller.stop()
        if self.operators is not None:
            await self.operators.stop()
        if self.alerts is not None:
            await self.alerts.stop()
        await self._tasks.shutdown()
        await self.api.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()

    def _on_customer(self, applied: Applied) -> None:
        if applied.turn_due:
            self._engine.dispatcher.wake(applied.chat_id)
        if applied.queued:
            self._engine.sender.wake()
        followups = self._engine.followups
        if followups is not None and applied.at is not None:
            self._tasks.spawn(followups.on_customer_message(applied.chat_id, applied.text, applied.at),
                              name=f"followup-in:{applied.chat_id}")


class _LateDesk:
    """The engine's desk, looked up at call time (bootstrap sets it after building the engine)."""

    def __init__(self, engine: EnginePort) -> None:
        self._engine = engine

    async def take_ticket(self, ticket_id: int, manager: str) -> bool:
        return await self._engine.desk.take_ticket(ticket_id, manager)

    async def open_handoff_ticket(self, chat_id: str, summary: str) -> int | None:
        return await self._engine.desk.open_handoff_ticket(chat_id, summary)

    async def close_ticket(self, ticket_id: int, manager: str) -> bool:
        return await self._engine.desk.close_ticket(ticket_id, manager)
