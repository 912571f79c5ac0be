"""The running engine: owns the channel (poller, dispatcher, sender), the services and
their lifecycle, and offers the application commands (`engine.commands`) to the console,
the CLI and every other door.

It wires the engine's rules (`ottenok_desktop.engine`) to the adapters
(`ottenok_desktop.services`), so it lives beside the composition root, above both
layers. It is built only by `bootstrap.build_engine`; every collaborator is a
constructor argument. It never imports Qt: the console hears it through `bus`.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.announcements import ANNOUNCEMENT_SENDER
from ottenok_desktop.engine.channels import ChannelRouter
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.commands import Commands
from ottenok_desktop.engine.dispatcher import Committed, Dispatcher
from ottenok_desktop.engine.media import VoiceFiles
from ottenok_desktop.engine.ports import FollowUps, Inventory, Knowledge, Llm, PhotoSource
from ottenok_desktop.engine.states import SenderKind, TurnState
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.engine.turns import Reply, Responder, Turn
from ottenok_desktop.services.greenapi.ingest import IngestResult, pending_turn_chats
from ottenok_desktop.services.greenapi.poller import Poller
from ottenok_desktop.services.announcements import AnnouncementPacer
from ottenok_desktop.services.greenapi.sender import Sender
from ottenok_desktop.services.send_fence import SendFence, send_margin
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.models import Message
from ottenok_desktop.services.storage.turns import commit_turn, load_turn
from ottenok_desktop.settings import Settings

if TYPE_CHECKING:  # aiohttp (the sandbox) and aiogram are imported only when needed
    from ottenok_desktop.services.greenapi.client import GreenApiClient
    from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
    from ottenok_desktop.services.live_sync import LiveSync
    from ottenok_desktop.services.reports.scheduler import ReportScheduler
    from ottenok_desktop.services.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)


class DbTurnStore:
    """The dispatcher's `TurnStore` over the database. With a `sender`, a reply is claimed
    in the turn's own commit and handed straight to it (Sender.reserve/hand_over)."""

    def __init__(self, db: Database, history_limit: int = 30, sender: Sender | None = None) -> None:
        self._db = db
        self._history_limit = history_limit
        self._sender = sender

    async def load_turn(self, chat_id: str, now: datetime) -> Turn | None:
        return await self._db.atomic(load_turn, chat_id, now, self._history_limit)

    async def commit_turn(self, chat_id: str, message_ids: tuple[int, ...], reply: Reply, now: datetime) -> Committed:
        sender = self._sender if reply.parts else None
        reserved = sender is not None and await sender.reserve(chat_id)
        try:
            result = await self._db.atomic(commit_turn, chat_id, message_ids, reply, now, claim=reserved)
        except BaseException:
            if reserved:
                sender.release(chat_id)  # type: ignore[union-attr]
            raise
        if reserved:
            if result.claimed is not None:
                sender.hand_over(result.claimed, [outbox_id for outbox_id, _ in result.queued])  # type: ignore[union-attr]
            else:
                sender.release(chat_id)  # type: ignore[union-attr]
        return Committed(result.committed, result.queued, result.handoff, result.reason, result.created)


@dataclass(frozen=True)
class QueueState:
    turns_pending: int
    outbox_pending: int


class Engine:
    def __init__(
        self, *, settings: Settings, bus: ev.EventBus, clock: Clock, db: Database, executor: ThreadPoolExecutor,
        client: GreenApiClient, responder: Responder, commands: Commands, sandbox: GreenApiSandbox | None = None,
        inventory: Inventory | None = None, knowledge: Knowledge | None = None, photos: PhotoSource | None = None,
        llm: Llm | None = None, followups: FollowUps | None = None, voice_files: VoiceFiles | None = None,
        receive_timeout: int = 20, debounce: float = 1.5, max_concurrent_turns: int = 256,
        sender_retry_base: float = 1.0, state_interval: float = 60.0, send_rate: float = 45.0,
    ) -> None:
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
        self.voice_files = voice_files  # downloaded voice notes kept on disk (issue 17)
        self.commands = commands
        # the console and the Telegram operators' door still say `engine.desk.take_ticket(...)`
        self.desk = commands
        self.telegram: TelegramChannel | None = None  # set by the composition root when a bot token is set
        self.reports: ReportScheduler | None = None  # scheduled daily/weekly reports (bootstrap sets it)
        self.tasks = TaskOwner("engine")
        self._channel_options = dict(max_concurrent_turns=max_concurrent_turns, debounce=debounce,
                                     sender_retry_base=sender_retry_base, send_rate=send_rate,
                                     receive_timeout=receive_timeout, state_interval=state_interval)
        # one router for every term's sender: the Telegram adapter registers once
        self.channels = ChannelRouter()
        self._make_channel()
        # listeners, not direct calls: a taken chat's queued bot replies are dropped and a
        # manager's queued message goes out as soon as a command commits
        bus.subscribe(self._on_sender_event, ev.ChatOwnerChanged)
        bus.subscribe(self._on_queued, ev.MessageQueued)
        self.started = False
        self.leading = False  # the channel (poller, dispatcher, sender, follow-ups, reports) runs here
        self._running: list[Any] = []  # services started so far, stopped again by stop()
        self._channel: list[Any] = []  # channel parts started for this term as the leader
        self._channel_used = False
        self.live_sync: LiveSync | None = None
        self._closed = False

    def _make_channel(self) -> None:
        """Fresh poller, dispatcher and sender (a stopped one cannot start again: a seat that
        leads a second time gets new ones)."""
        o = self._channel_options
        # GREEN-API accepts 50 sends/s per instance; stay just under it.
        # A real instance's journal may lag (up to 2 min): a timed-out send is declared lost only after that.
        # the last check before each send of a leading seat (free without a fence: SQLite)
        fence = SendFence(self.db, margin=send_margin(self.settings.lease_seconds))
        self.sender = Sender(self.client, self.db, self.bus, self.clock, on_sent=self._on_sent,
                             retry_base=o["sender_retry_base"], rate=o["send_rate"], channels=self.channels,
                             fence=fence,
                             reconcile_grace=0.0 if self.sandbox is not None
                             else self.settings.green_api_reconcile_grace)
        self.dispatcher = Dispatcher(
            DbTurnStore(self.db, sender=self.sender), self.responder, self.bus, self.clock,
            max_concurrent=o["max_concurrent_turns"], debounce=o["debounce"],
        )
        self.poller = Poller(
            self.client, self.db, self.bus, self.clock, on_ingested=self._on_ingested,
            receive_timeout=o["receive_timeout"], state_interval=o["state_interval"],
        )
        # announcements of promotions, one chat at a time into the outbox (leader only)
        self.pacer = AnnouncementPacer(self.db, self.bus, self.clock, self.settings)

    # ---- lifecycle -----------------------------------------------------------------
    async def start(self, *, lead: bool = True) -> None:
        """Start every part; if one fails, the parts already running are stopped again and
        the error is raised (nothing is left polling or sending in the background).

        `lead=False` (a console on a shared PostgreSQL database): the views' parts only —
        database, stock, knowledge, photos and the live sync with the other seats; the channel
        starts when this seat wins the engine lease (`start_leading`)."""
        self.bus.bind_loop(asyncio.get_running_loop())
        try:
            await self._start_parts(lead)
        except BaseException:
            await self.stop()
            raise
        self.started = True
        log.info("engine started (demo=%s, llm=%s, leading=%s)", self.settings.demo_mode, self.llm_mode, self.leading)

    async def _start_parts(self, lead: bool) -> None:
        if self.sandbox is not None and not self.sandbox.api_url:
            await self.sandbox.start()
        await self.db.open()
        for service in (self.inventory, self.knowledge, self.photos):
            if service is not None and hasattr(service, "start"):
                await service.start()
                self._running.append(service)
        if lead:
            await self._start_channel()
        elif self.db.is_postgres:
            from ottenok_desktop.services.live_sync import LiveSync

            self.live_sync = LiveSync(self.db, self.bus)
            # Another seat's manager queues a message (or a CLI starts an announcement) in its own
            # process: the leader hears only "chat updated" from the live sync. Wake the sender
            # then, instead of waiting for its 30 s rescan (a wake is one cheap due scan).
            self.bus.subscribe(self._on_chat_updated, ev.ChatUpdated)
            await self.live_sync.start()
        self.tasks.spawn(self._report_queues(), name="queue-report")
        matcher = getattr(self.responder, "matcher", None)
        if matcher is not None:
            # index the shop's photos now: the first customer picture must not wait for it
            self.tasks.spawn(matcher.refresh(), name="photo-matcher")
        if self.voice_files is not None:  # old voice notes go at start, not only after the next download
            self.tasks.spawn(self.voice_files.prune(), name="voice-prune")

    async def _start_channel(self) -> None:
        if self._channel_used:
            self._make_channel()
        self._channel_used = True
        self.leading = True
        await self.sender.start()
        self._channel.append(self.sender)
        if self.telegram is not None:
            await self.telegram.start()
            self._channel.append(self.telegram)
        self.tasks.spawn(self.poller.check_instance_settings(), name="instance-settings")
        self.poller.start()
        self._channel.append(self.poller)
        self._channel.append(self.dispatcher)
        for chat_id in await self.db.call(pending_turn_chats):
            self.dispatcher.wake(chat_id)  # turns interrupted by a crash, a stop or another seat's term
        if self.followups is not None:
            await self.followups.start()
            self._channel.append(self.followups)
        if self.reports is not None:
            await self.reports.start()
            self._channel.append(self.reports)
        await self.pacer.start()
        self._channel.append(self.pacer)

    async def start_leading(self, epoch: int, on_lost: Callable[[], None] | None = None) -> None:
        """This seat won the engine lease: every transaction is fenced with `epoch` and the
        channel runs (a console seat; `--headless` seats build a fresh engine instead).
        `on_lost`: a send found the lease gone; the seat looks at it at once."""
        if self.leading:
            await self.stop_leading()
        self.db.set_fence(epoch, on_lost)
        try:
            await self._start_channel()
        except Exception:
            log.exception("the channel failed to start under epoch %d", epoch)
            await self.stop_leading()

    async def stop_leading(self) -> None:
        """The lease is gone (or the seat stops): the channel stops; the views go on."""
        await self._stop_channel()
        self.db.set_fence(None)

    async def _stop_channel(self) -> None:
        order = [self.pacer, self.telegram, self.poller, self.dispatcher, self.sender, self.reports, self.followups]
        running, self._channel = self._channel, []
        self.leading = False
        for part in [p for p in order if p is not None and any(p is r for r in running)]:
            try:
                await part.stop()
            except Exception:  # keep stopping the rest; the log says what failed
                log.exception("stopping %s failed", type(part).__name__)

    async def stop(self) -> None:
        """Stop what runs, newest first: polling stops before the dispatcher (an interrupted
        turn stays pending and resumes at the next start) and the sender (queued messages
        stay in the outbox); then the services and the resources."""
        self.started = False
        await self._stop_channel()
        if self.live_sync is not None:
            await self.live_sync.stop()
        running, self._running = self._running, []
        for part in [p for p in (self.photos, self.knowledge, self.inventory) if p is not None
                     and any(p is r for r in running)]:
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
        if hasattr(self.responder, "aclose"):  # the media wrapper's HTTP clients (issue 17)
            await self.responder.aclose()
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
            return QueueState(Message.select().where(Message.turn_state == TurnState.PENDING).count(),
                              ob.pending_count())

        return await self.db.call(count)

    async def _report_queues(self) -> None:
        last: QueueState | None = None
        while True:
            await asyncio.sleep(2.0)
            state = await self.queue_state()
            if state != last:
                self.bus.publish(ev.QueueSizes(state.turns_pending, state.outbox_pending))
                last = state

    # ---- commands (the same handlers every door uses: engine/commands.py) ----------------
    async def take_over(self, chat_id: str, manager: str) -> bool:
        return await self.commands.take_over(chat_id, manager)

    async def return_to_bot(self, chat_id: str, manager: str) -> bool:
        return await self.commands.return_to_bot(chat_id, manager)

    async def send_as_manager(self, chat_id: str, text: str, manager: str, file_path: Path | None = None,
                              sender_kind: str = SenderKind.MANAGER_APP,
                              consumed: Callable[[], None] | None = None) -> int:
        """`sender_kind` says where they wrote from (the console, or Telegram for an operator);
        `consumed` marks the caller's inbox row in the same transaction (see Commands)."""
        return await self.commands.send_as_manager(chat_id, text, manager, file_path, SenderKind(sender_kind),
                                                   consumed)

    async def voice_file(self, chat_id: str, message_id: int, url: str, name: str = "") -> Path | None:
        """The voice note to play: the copy kept on disk, else downloaded once and kept (None: unavailable)."""
        if self.voice_files is None:
            return None
        return await self.voice_files.local_copy(chat_id, message_id, url, name)

    async def enqueue_text(self, chat_id: str, text: str, sender_kind: str = SenderKind.BOT) -> int:
        """A bot text outside a turn (a follow-up nudge, an acknowledgement)."""
        item = await self.db.atomic(ob.queue_text, chat_id, text, sender_kind, self.clock.now())
        self.bus.publish(ev.MessageQueued(chat_id, item.id, text, sender_kind))
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

    def _on_sender_event(self, event: ev.Event) -> None:
        self.sender.wake()

    def _on_queued(self, event: ev.MessageQueued) -> None:
        self.sender.queued(event.outbox_id)

    def _on_chat_updated(self, event: ev.Event) -> None:
        if self.leading:
            self.sender.wake()

    def _on_sent(self, chat_id: str, sender_kind: str, at: datetime, sender_name: str = "") -> None:
        # an announcement is not the bot's answer: no follow-up is counted from it (issue 16)
        if self.followups is not None and sender_kind == SenderKind.BOT and sender_name != ANNOUNCEMENT_SENDER:
            self.tasks.spawn(self.followups.on_bot_message(chat_id, at), name=f"followup-out:{chat_id}")
