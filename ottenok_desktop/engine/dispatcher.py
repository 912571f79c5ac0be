"""The dispatcher: one lane per chat, many chats at once with a bound.

A chat's customer messages are handled in order: its lane loads every unanswered
message as one `Turn` (so several quick messages get one answer), asks the responder,
and commits the reply with its plan through the `TurnStore` in one transaction; the
plan's events are published only after that commit. A commit the store refuses because
a stock hold was taken meanwhile (`ReservationRefused`) leaves nothing written, and the
turn is decided again at once on the fresh stock. Lanes run concurrently up to
`max_concurrent` turns. If the responder fails, the customer still gets a short
answer and the chat is handed to a human — never silence.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from . import events as ev
from . import texts
from .clock import Clock
from .tasks import TaskOwner
from .dialogue.plan import CreatedIds
from .ports import ReservationRefused
from .turns import OutgoingPart, Reply, Responder, Turn

log = logging.getLogger(__name__)


@dataclass
class Committed:
    committed: bool
    queued: list[tuple[int, str]]  # (outbox id, text or file name)
    handoff: bool
    reason: str = ""
    created: CreatedIds = CreatedIds()  # ids of the rows the turn's plan created


class TurnStore(Protocol):
    async def load_turn(self, chat_id: str, now: datetime) -> Turn | None: ...

    async def commit_turn(self, chat_id: str, message_ids: tuple[int, ...], reply: Reply, now: datetime) -> Committed: ...


REDECIDE_LIMIT = 3  # a hold refused this often in a row: the lane's retry takes over


class _Lane:
    __slots__ = ("task", "dirty")

    def __init__(self) -> None:
        self.task: asyncio.Task[None] | None = None
        self.dirty = True


class Dispatcher:
    def __init__(
        self, store: TurnStore, responder: Responder, bus: ev.EventBus, clock: Clock, *,
        max_concurrent: int = 64, debounce: float = 0.0, responder_timeout: float = 90.0,
        retry_delay: float = 2.0,
    ) -> None:
        self._store = store
        self._responder = responder
        self._bus = bus
        self._clock = clock
        self._limit = asyncio.Semaphore(max_concurrent)
        self._debounce = debounce
        self._timeout = responder_timeout
        self._lanes: dict[str, _Lane] = {}
        self._tasks = TaskOwner("dispatcher")
        self._retry_delay = retry_delay
        self.turns_handled = 0

    def set_responder(self, responder: Responder) -> None:
        self._responder = responder

    def wake(self, chat_id: str) -> None:
        """A customer message for `chat_id` is waiting. Safe to call many times."""
        lane = self._lanes.get(chat_id)
        if lane is not None and lane.task is not None and not lane.task.done():
            lane.dirty = True
            return
        lane = _Lane()
        self._lanes[chat_id] = lane
        lane.task = self._tasks.spawn(self._run_lane(chat_id, lane), name=f"lane:{chat_id}")

    @property
    def active_lanes(self) -> int:
        return sum(1 for lane in self._lanes.values() if lane.task is not None and not lane.task.done())

    async def wait_idle(self) -> None:
        await self._tasks.wait_idle()

    async def stop(self) -> None:
        await self._tasks.shutdown()

    async def _run_lane(self, chat_id: str, lane: _Lane) -> None:
        try:
            while lane.dirty:
                lane.dirty = False
                if self._debounce:
                    await asyncio.sleep(self._debounce)
                async with self._limit:
                    try:
                        await self._handle_turn(chat_id)
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # e.g. the database briefly locked: try the turn again
                        log.exception("turn for %s failed; retrying", chat_id)
                        self._bus.publish(ev.EngineError("dispatcher", f"{type(exc).__name__}: {exc}"))
                        await asyncio.sleep(self._retry_delay)
                        lane.dirty = True
                # A message that arrived meanwhile called wake(), which set lane.dirty: the
                # loop goes round again only then (no extra look at the database).
        finally:
            if self._lanes.get(chat_id) is lane:
                del self._lanes[chat_id]

    async def _handle_turn(self, chat_id: str) -> None:
        for attempt in range(REDECIDE_LIMIT):
            try:
                await self._decide_and_commit(chat_id)
                return
            except ReservationRefused as refused:
                log.info("turn for %s decided again: stock line %s was held meanwhile", chat_id, refused)
                if attempt == REDECIDE_LIMIT - 1:
                    raise

    async def _decide_and_commit(self, chat_id: str) -> None:
        turn = await self._store.load_turn(chat_id, self._clock.now())
        if turn is None:
            return
        started = time.perf_counter()
        reply, responder_seconds = await self._ask(turn)
        ids = tuple(m.message_id for m in turn.messages)
        result = await self._store.commit_turn(chat_id, ids, reply, self._clock.now())
        engine_ms = (time.perf_counter() - started - responder_seconds) * 1000
        self.turns_handled += 1
        if not result.committed:
            for part in reply.parts:
                if part.text:
                    self._bus.publish(ev.BotDraft(chat_id, part.text))
            log.info("turn for %s not sent: %s", chat_id, result.reason)
            return
        if reply.plan is not None:
            for event in reply.plan.events_with(result.created):
                self._bus.publish(event)
        if result.handoff:
            self._bus.publish(ev.HandoffRequested(chat_id, reply.handoff_reason))
        for outbox_id, text in result.queued:
            self._bus.publish(ev.MessageQueued(chat_id, outbox_id, text, "bot"))
        self._bus.publish(ev.TurnCompleted(chat_id, ids, len(result.queued), engine_ms))

    async def _ask(self, turn: Turn) -> tuple[Reply, float]:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                reply = await self._responder.respond(turn)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the customer must never be left without an answer or a human
            log.exception("responder failed for %s", turn.chat_id)
            self._bus.publish(ev.EngineError("responder", f"{type(exc).__name__}: {exc}"))
            reply = Reply(parts=(OutgoingPart(text=texts.BOT_FALLBACK_REPLY),), handoff_reason="responder_error")
        return reply, time.perf_counter() - started
