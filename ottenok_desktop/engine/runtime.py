"""The running engine: owns the channel (poller, dispatcher, sender), the services and
their lifecycle, and offers the commands the console and the CLI use.

It is built only by `bootstrap.build_engine`; every collaborator is a constructor
argument. It never imports Qt: the console hears it through `bus` (see ui/bridge.py).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ottenok_desktop.services.greenapi.ingest import IngestResult, pending_turn_chats
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import chats as chat_store
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.turns import commit_turn, load_turn
from ottenok_desktop.settings import Settings

from . import events as ev
from .clock import Clock
from .dispatcher import Committed, Dispatcher
from .tasks import TaskOwner
from .turns import Reply, Responder, Turn

log = logging.getLogger(__name__)


class DbTurnStore:
    """The dispatcher's `TurnStore` over the database."""

    def __init__(self, db: Database, history_limit: int = 30) -> None:
        self._db = db
        self._history_limit = history_limit

    async def load_turn(self, chat_id: str, now: datetime) -> Turn | None:
        return await self._db.atomic(load_turn, chat_id, now, self._history_limit)

    async def commit_turn(self, chat_id: str, message_ids: tuple[int, ...], reply: Reply, now: datetime) -> Committed:
        result = await self._db.atomic(commit_turn, chat_id, message_ids, reply, now)
        return Committed(result.committed, result.queued, result.handoff, result.reason)


@dataclass(frozen=True)
class QueueState:
    turns_pending: int
    outbox_pending: int


class Engine:
    def __init__(
        self, *, settings: Settings, bus: ev.EventBus, clock: Clock, db: Database, executor: ThreadPoolExecutor,
        client: Any, responder: Responder, sandbox: Any = None, inventory: Any = None, knowledge: Any = None,
        photos: Any = None, llm: Any = None, followups: Any = None, desk: Any = None,
        receive_timeout: int = 20, debounce: float = 1.5, max_concurrent_turns: int = 256,
        sender_retry_base: float = 1.0, state_interval: float = 60.0, send_rate: float = 45.0,
    ) -> None:
        from ottenok_desktop.services.greenapi.poller import Poller
        from ottenok_desktop.services.greenapi.sender import Sender

        self.settings = settings
        self.bus = bus
        self.clock = clock
        self.db = db
        self.executor = executor
        self.client = client
        self.sandbox = sandbox
        self.responder = responder
        self.inventory = inventory
        self.knowledge = knowledge
        self.photos = photos
        self.llm = llm
        self.followups = followups
        self.desk = desk
        self.tasks = TaskOwner("engine")
        self.dispatcher = Dispatcher(
            DbTurnStore(db), responder, bus, clock, max_concurrent=max_concurrent_turns, debounce=debounce,
            on_committed=self._on_turn_committed,
        )
        # GREEN-API accepts 50 sends/s per instance; stay just under it.
        # A real instance's journal may lag (up to 2 min): a timed-out send is declared lost only after that.
        self.sender = Sender(client, db, bus, clock, on_sent=self._on_sent, retry_base=sender_retry_base, rate=send_rate,
                             reconcile_grace=0.0 if sandbox is not None else 120.0)
        self.poller = Poller(
            client, db, bus, clock, on_ingested=self._on_ingested, receive_timeout=receive_timeout,
            state_interval=state_interval,
        )
        self.started = False
        self._running: list[Any] = []  # parts started so far, stopped again by stop()
        self._closed = False

    # ---- lifecycle -----------------------------------------------------------------
    async def start(self) -> None:
        """Start every part; if one fails, the parts already running are stopped again and
        the error is raised (nothing is left polling or sending in the background)."""
        self.bus.bind_loop(asyncio.get_running_loop())
        try:
            await self._start_parts()
        except BaseException:
            await self.stop()
            raise
        self.started = True
        log.info("engine started (demo=%s, llm=%s)", self.settings.demo_mode, self.llm_mode)

    async def _start_parts(self) -> None:
        if self.sandbox is not None and not self.sandbox.api_url:
            await self.sandbox.start()
        await self.db.open()
        for service in (self.inventory, self.knowledge, self.photos):
            if service is not None and hasattr(service, "start"):
                await service.start()
                self._running.append(service)
        await self.sender.start()
        self._running.append(self.sender)
        self.tasks.spawn(self.poller.check_instance_settings(), name="instance-settings")
        self.poller.start()
        self._running.append(self.poller)
        self._running.append(self.dispatcher)
        for chat_id in await self.db.call(pending_turn_chats):
            self.dispatcher.wake(chat_id)  # turns interrupted by a crash or a stop
        if self.followups is not None:
            await self.followups.start()
            self._running.append(self.followups)
        self.tasks.spawn(self._report_queues(), name="queue-report")

    async def stop(self) -> None:
        """Stop what runs, newest first: polling stops before the dispatcher (an interrupted
        turn stays pending and resumes at the next start) and the sender (queued messages
        stay in the outbox); then the services and the resources."""
        self.started = False
        order = [self.poller, self.dispatcher, self.sender, self.followups, self.photos, self.knowledge, self.inventory]
        running, self._running = self._running, []
        for part in [p for p in order if p is not None and any(p is r for r in running)]:
            try:
                await part.stop()
            except Exception:  # keep stopping the rest; the log says what failed
                log.exception("stopping %s failed", type(part).__name__)
        await self.tasks.shutdown()
        await self._close_resources()
        log.info("engine stopped")

    async def _close_resources(self) -> None:
        if self._closed:
            return
        self._closed = True
        if hasattr(self.client, "aclose"):
            await self.client.aclose()
        if self.llm is not None and hasattr(self.llm, "aclose"):
            await self.llm.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()
        await self.db.close()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # ---- state for the console -------------------------------------------------------
    @property
    def instance_state(self) -> str:
        return self.poller.instance_state

    @property
    def llm_mode(self) -> str:
        return self.settings.llm_mode if self.llm is not None else "offline"

    async def queue_state(self) -> QueueState:
        def count() -> QueueState:
            from ottenok_desktop.services.storage.models import Message

            return QueueState(Message.select().where(Message.turn_state == "pending").count(), ob.pending_count())

        return await self.db.call(count)

    async def _report_queues(self) -> None:
        last: QueueState | None = None
        while True:
            await asyncio.sleep(2.0)
            state = await self.queue_state()
            if state != last:
                self.bus.publish(ev.QueueSizes(state.turns_pending, state.outbox_pending))
                last = state

    # ---- commands -------------------------------------------------------------------
    async def take_over(self, chat_id: str, manager: str) -> bool:
        """The manager owns the chat from now on; a bot reply in flight is dropped."""
        changed = await self.db.atomic(chat_store.set_owner, chat_id, "manager", manager, self.clock.now(), "taken in the console")
        if changed:
            self.bus.publish(ev.ChatOwnerChanged(chat_id, "manager", manager, "taken in the console"))
            self.bus.publish(ev.ChatUpdated(chat_id))
            if self.followups is not None:
                await self.followups.on_owner_changed(chat_id, "manager")
        self.sender.wake()  # drops the chat's queued bot replies now
        return changed

    async def return_to_bot(self, chat_id: str, manager: str) -> bool:
        changed = await self.db.atomic(chat_store.set_owner, chat_id, "bot", manager, self.clock.now(), "returned to the bot")
        if changed:
            self.bus.publish(ev.ChatOwnerChanged(chat_id, "bot", manager, "returned to the bot"))
            self.bus.publish(ev.ChatUpdated(chat_id))
            if self.followups is not None:
                await self.followups.on_owner_changed(chat_id, "bot")
        return changed

    async def send_as_manager(self, chat_id: str, text: str, manager: str, file_path: Path | None = None) -> int:
        """The manager writes as the shop through the same outbox; the bot goes quiet here."""
        await self.take_over(chat_id, manager)
        item = await self.db.atomic(
            ob.queue_part, chat_id, self.clock.now(), text=text, sender_kind="manager_app", sender_name=manager,
            file_path=file_path, file_name=file_path.name if file_path else "",
        )
        self.bus.publish(ev.MessageQueued(chat_id, item.id, text or (file_path.name if file_path else ""), "manager_app"))
        self.sender.wake()
        return item.id

    async def enqueue_text(self, chat_id: str, text: str, sender_kind: str = "bot") -> int:
        item = await self.db.atomic(ob.queue_text, chat_id, text, sender_kind, self.clock.now())
        self.bus.publish(ev.MessageQueued(chat_id, item.id, text, sender_kind))
        self.sender.wake()
        return item.id

    def set_responder(self, responder: Responder) -> None:
        self.responder = responder
        self.dispatcher.set_responder(responder)

    # ---- internal wiring ---------------------------------------------------------------
    def _on_ingested(self, result: IngestResult) -> None:
        if result.turn_due and result.chat_id:
            self.dispatcher.wake(result.chat_id)
        if result.outbox_queued:
            self.sender.wake()
        if self.followups is not None and result.chat_id and result.customer_at is not None:
            self.tasks.spawn(
                self.followups.on_customer_message(result.chat_id, result.customer_text, result.customer_at),
                name=f"followup-in:{result.chat_id}",
            )

    async def _on_turn_committed(self, chat_id: str, result: Committed) -> None:
        if result.queued:
            self.sender.wake()

    def _on_sent(self, chat_id: str, sender_kind: str, at: datetime) -> None:
        if self.followups is not None and sender_kind == "bot":
            self.tasks.spawn(self.followups.on_bot_message(chat_id, at), name=f"followup-out:{chat_id}")
