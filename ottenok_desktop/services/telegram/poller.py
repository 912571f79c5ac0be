"""The Telegram poller: getUpdates from the stored offset, store, then process — inbox first.

Two owned tasks. The poll task long-polls `getUpdates(offset)` and stores the batch and
the new offset in one transaction (store.store_updates) before asking again; asking with
the new offset is what confirms the batch to Telegram. The process task hands stored
updates, oldest first, to the `UpdateHandler`, which marks each one done in the same
transaction as its effect. A crash anywhere re-delivers nothing twice and loses nothing:
an update not yet stored comes back from Telegram, a stored one waits in the inbox.
One poller per bot token (Telegram answers a second one with 409 Conflict).
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, Protocol

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.database import URGENT

from .client import TelegramApi
from .store import load_offset, mark_update, pending_updates, store_updates

log = logging.getLogger(__name__)


class UpdateHandler(Protocol):
    async def handle(self, update_id: int, update: dict[str, Any]) -> None:
        """Process one stored update and mark it done (or ignored) with its effect."""
        ...


class TelegramPoller:
    def __init__(self, api: TelegramApi, db: Database, bus: ev.EventBus, clock: Clock, handler: UpdateHandler, *,
                 poll_timeout: int = 20, backoff_max: float = 30.0) -> None:
        self._api = api
        self._db = db
        self._bus = bus
        self._clock = clock
        self._handler = handler
        self._poll_timeout = poll_timeout
        self._backoff_max = backoff_max
        self._tasks = TaskOwner("telegram-poller")
        self._wake = asyncio.Event()
        self.state = "starting"
        self.received = 0
        self.processed = 0

    def start(self) -> None:
        self._tasks.spawn(self._poll_forever(), name="telegram-poll")
        self._tasks.spawn(self._process_forever(), name="telegram-process")
        self._wake.set()  # updates stored before a crash

    async def stop(self) -> None:
        await self._tasks.shutdown()

    def _set_state(self, state: str, detail: str = "") -> None:
        if state != self.state:
            self.state = state
            log.info("telegram poller: %s %s", state, detail)

    async def _poll_forever(self) -> None:
        from aiogram.exceptions import (
            TelegramConflictError, TelegramNetworkError, TelegramRetryAfter, TelegramUnauthorizedError,
        )

        offset = await self._db.call(load_offset)
        failures = 0
        try:
            await self._api.delete_webhook()  # getUpdates refuses to work while a webhook is set
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("telegram deleteWebhook failed: %s", type(exc).__name__)
        while True:
            try:
                updates = await self._api.get_updates(offset, self._poll_timeout)
                failures = 0
                self._set_state("polling")
                if not updates:
                    continue
                await self._db.atomic(store_updates, updates, self._clock.now(), priority=URGENT)
                offset = max(int(u["update_id"]) for u in updates) + 1
                self.received += len(updates)
                self._wake.set()
            except asyncio.CancelledError:
                raise
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
            except TelegramUnauthorizedError:
                self._set_state("wrong_token")
                self._bus.publish(ev.EngineError("telegram", "the bot token was rejected"))
                await asyncio.sleep(60)
            except TelegramConflictError:
                self._set_state("conflict", "another program polls this bot")
                self._bus.publish(ev.EngineError("telegram", "another program polls this bot (409 Conflict)"))
                await asyncio.sleep(10)
            except Exception as exc:  # network, 5xx, a bad answer: back off and ask again
                failures += 1
                delay = min(self._backoff_max, 0.5 * 2 ** min(failures, 6)) * random.uniform(0.5, 1.0)
                kind = exc.message if isinstance(exc, TelegramNetworkError) else type(exc).__name__
                log.warning("telegram getUpdates failed (%s); retrying in %.1fs", kind, delay)
                self._set_state("unreachable")
                await asyncio.sleep(delay)

    async def _process_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                batch = await self._db.call(pending_updates, 100)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading stored telegram updates failed")
                await asyncio.sleep(1.0)
                self._wake.set()
                continue
            for update_id, update in batch:
                try:
                    await self._handler.handle(update_id, update)
                    self.processed += 1
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # recorded as poison, never retried for ever
                    log.exception("telegram update %s failed; stored as poison", update_id)
                    await self._db.call(mark_update, update_id, "poison", f"{type(exc).__name__}: {exc}")
                    self._bus.publish(ev.PoisonNotification(update_id, f"telegram: {type(exc).__name__}"))
            if len(batch) >= 100:
                self._wake.set()
