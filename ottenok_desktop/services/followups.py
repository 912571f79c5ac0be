"""The follow-up («дожим») service: keeps nudge due times in the database and sends
each nudge at the right shop hour, never twice, never at night.

How it runs:
- The engine calls the hooks: `on_bot_message` (starts or restarts a silence cycle),
  `on_customer_message` (classified: think → nothing changes, opt-out → stop for good
  and acknowledge once, real → the cycle ends), `on_owner_changed`, `on_ticket_changed`,
  `on_order_confirmed`. The service also listens on the bus for `ChatOwnerChanged`,
  `TicketChanged` and confirmed `OrderChanged`, so changes made anywhere stop nudges.
- APScheduler's `AsyncIOScheduler` (explicit `ZoneInfo`) runs the due check. Shop time
  may run faster than real time (`--time-scale`), so instead of polling in shop time it
  arms one `date` job at the *real* moment the soonest nudge falls due
  (`(due - clock.now()) / clock.scale` real seconds) and re-arms after every change; a
  slow `interval` sweep is the safety net so nothing is ever skipped. Both jobs only
  kick an owned task, so stopping never cancels a nudge half-way through.
- On start, due times come from the database: a nudge interrupted between claim and
  outbox is settled first (outbox row written → sent; not written → scheduled again),
  then the due check runs; a nudge missed while the program was off is sent at the next
  allowed moment only while its rule still holds (`rules.decide`).
- Sending: the row goes scheduled → sending (conditional update, one winner), the text is
  queued into the persisted outbox through `enqueue`, then the row becomes sent and
  nudge #2 is scheduled. All follow-up bookkeeping runs under one lock, so a hook never
  interleaves with a send.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable, Protocol
from zoneinfo import ZoneInfo

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.clock import Clock
from ottenok_desktop.engine.followups import rules
from ottenok_desktop.engine.followups.classify import classify_reply
from ottenok_desktop.engine.followups.wording import StockView, nudge_text, promotion_line
from ottenok_desktop.engine.ports import Promotions
from ottenok_desktop.engine.tasks import TaskOwner
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import nudges as store
from ottenok_desktop.settings import Settings

log = logging.getLogger(__name__)

Enqueue = Callable[[str, str], Awaitable[int]]
DUE_JOB_ID = "followups-due"
SWEEP_JOB_ID = "followups-sweep"
# After a failed outbox insert the nudge waits this long (shop time) before the next try,
# so a broken disk does not turn the due check into a busy loop.
ENQUEUE_RETRY = timedelta(minutes=1)


class StockQuery(Protocol):
    """The part of the inventory service the wording needs (`InventoryService.query`):
    returns a `StockAnswer` (status in_stock | out_of_stock | not_found, product,
    alternatives: in-stock `StockItem`s, same model first)."""

    async def query(self, text: str, size: str | None = None, color: str | None = None) -> Any: ...


def stock_view_from_answer(answer: Any) -> StockView | None:
    """A stock answer → what the nudge wording needs; None when the product is unknown."""
    if answer is None or not getattr(answer, "product", None) or answer.status == "not_found":
        return None
    if answer.status != "out_of_stock":
        return StockView(answer.product, sold_out=False)
    alternative = ""
    if answer.alternatives:
        alt = answer.alternatives[0]
        if alt.color and alt.size:
            alternative = texts.NUDGE_ALTERNATIVE_ITEM.format(product=alt.product, color=alt.color, size=alt.size)
        else:  # a bag or an accessory: no size, maybe a single colour
            alternative = " ".join(part for part in (alt.product, alt.color) if part)
    return StockView(answer.product, sold_out=True, alternative=alternative)


@dataclass(frozen=True)
class NextNudge:
    chat_id: str
    number: int
    due_at: datetime  # aware UTC
    text_preview: str


class FollowUpService:
    def __init__(
        self, db: Database, bus: ev.EventBus, clock: Clock, settings: Settings, enqueue: Enqueue,
        inventory: Any = None, *, sweep_shop_seconds: float = 60.0, min_sweep_real_seconds: float = 0.5,
        promotions: Promotions | None = None,
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._settings = settings
        self._enqueue = enqueue
        self._zone = ZoneInfo(settings.timezone)
        self._hours = settings.work_hours
        self._stock: StockQuery | None = inventory
        self._promotions = promotions
        self._sweep_real_seconds = max(min_sweep_real_seconds, sweep_shop_seconds / clock.scale)
        self._tasks = TaskOwner("followups")
        self._lock = asyncio.Lock()
        self._scheduler: Any = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._check_queued = False
        self._paused = False
        self._running = False

    # ---- lifecycle ------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._settings.nudge_enabled

    @property
    def paused(self) -> bool:
        return self._paused

    async def start(self) -> None:
        """Settle interrupted sends, start the scheduler, listen on the bus, check now."""
        if self._running:
            return
        self._running = True
        self._unsubscribe = [
            self._bus.subscribe(self._on_owner_event, ev.ChatOwnerChanged),
            self._bus.subscribe(self._on_ticket_event, ev.TicketChanged),
            self._bus.subscribe(self._on_order_event, ev.OrderChanged),
        ]
        if not self.enabled:
            log.info("follow-ups are off (NUDGE_ENABLED=0)")
            return
        async with self._lock:
            await self._reconcile_interrupted()
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        # Started inside a coroutine so it binds to the running loop (qasync's or asyncio's).
        self._scheduler = AsyncIOScheduler(timezone=self._zone)
        self._scheduler.add_job(
            self._job, "interval", seconds=self._sweep_real_seconds, id=SWEEP_JOB_ID, replace_existing=True,
            coalesce=True, max_instances=1, misfire_grace_time=None,
        )
        self._scheduler.start()
        self._kick()

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        try:
            # let a send in progress finish: cancelling it half-way would leave it to reconcile
            async with asyncio.timeout(5.0):
                await self._tasks.wait_idle()
        except asyncio.TimeoutError:
            log.warning("follow-ups: work still running at stop; it will be reconciled at next start")
        await self._tasks.shutdown()

    # ---- hooks the engine calls ---------------------------------------------------------
    async def on_bot_message(self, chat_id: str, at: datetime) -> None:
        """The bot said something to `chat_id` at `at`: the silence is counted from here."""
        if not self.enabled:
            return
        async with self._lock:
            cancelled, created = await self._db.atomic(self._bot_message_tx, chat_id, at)
        self._publish_cancelled(chat_id, cancelled)
        if created is not None:
            self._bus.publish(ev.NudgeScheduled(chat_id, created.number, created.due_at))
            self._kick_rearm()

    def _bot_message_tx(self, chat_id: str, at: datetime) -> tuple[list[store.NudgeRow], store.NudgeRow | None]:
        snapshot = store.chat_snapshot(chat_id)
        if snapshot is None:
            return [], None
        cycle = store.latest_cycle(chat_id)
        if not rules.starts_new_cycle(cycle, at):
            return [], None
        blocked = rules.blocking_reason(snapshot.facts)
        if blocked:
            return store.cancel_open(chat_id, blocked), None
        due = rules.nudge1_due(at, self._zone, self._hours)
        if cycle is not None and not cycle.replied and cycle.nudge1_state == store.OPEN:
            # The bot spoke again before nudge #1 (another part of its reply, an answer to
            # «подумаю»): the silence now counts from this message. Move the pending nudge
            # rather than cancel it, so the console sees one nudge, not a churn of them.
            moved = store.move_cycle(chat_id, cycle.cycle_start, at, due)
            if moved is not None:
                return [], moved
        cancelled = store.cancel_open(chat_id, rules.REASON_SUPERSEDED)
        return cancelled, store.create_nudge(chat_id, at, 1, due)

    async def on_customer_message(self, chat_id: str, text: str, at: datetime) -> str:
        """Classify the customer's message and apply it; returns the class."""
        kind = classify_reply(text)
        if kind == "opt_out":
            await self._opt_out(chat_id, at)
        elif kind == "real":
            async with self._lock:
                cancelled = await self._db.atomic(store.mark_cycle_replied, chat_id)
            self._publish_cancelled(chat_id, cancelled)
        else:
            log.debug("follow-ups: %s said they will think; the cycle goes on", chat_id)
        return kind

    async def _opt_out(self, chat_id: str, at: datetime) -> None:
        def opt_out_tx() -> tuple[bool, list[store.NudgeRow], str]:
            first = store.set_opted_out(chat_id, at)
            cancelled = store.cancel_open(chat_id, rules.REASON_OPTED_OUT)
            snapshot = store.chat_snapshot(chat_id)
            return first, cancelled, snapshot.facts.owner if snapshot else ""

        async with self._lock:
            first, cancelled, owner = await self._db.atomic(opt_out_tx)
            # Acknowledged once, and only by the bot: a manager talking to the customer answers
            # in their own words.
            if first and owner == "bot":
                await self._enqueue(chat_id, texts.OPT_OUT_ACK)
        self._publish_cancelled(chat_id, cancelled)
        if first:
            log.info("follow-ups: %s opted out", chat_id)

    async def on_owner_changed(self, chat_id: str, owner: str) -> None:
        if owner != "bot":
            await self._cancel_chat(chat_id, rules.REASON_MANAGER_OWNS)

    async def on_ticket_changed(self, chat_id: str, status: str = "WAITING") -> None:
        if status != "CLOSED":
            await self._cancel_chat(chat_id, rules.REASON_TICKET_OPEN)

    async def on_order_confirmed(self, chat_id: str) -> None:
        await self._cancel_chat(chat_id, rules.REASON_ORDER_CONFIRMED)

    # ---- bus listeners (sync, on the loop): hand the work to owned tasks ---------------------
    def _spawn_hook(self, coro: Awaitable[None], name: str) -> None:
        if not self._running:
            coro.close()  # type: ignore[attr-defined]
            return
        self._tasks.spawn(coro, name=name)  # type: ignore[arg-type]

    def _on_owner_event(self, event: ev.Event) -> None:
        assert isinstance(event, ev.ChatOwnerChanged)
        if event.owner != "bot":
            self._spawn_hook(self.on_owner_changed(event.chat_id, event.owner), f"followup-owner:{event.chat_id}")

    def _on_ticket_event(self, event: ev.Event) -> None:
        assert isinstance(event, ev.TicketChanged)
        if event.status != "CLOSED":
            self._spawn_hook(self.on_ticket_changed(event.chat_id, event.status), f"followup-ticket:{event.chat_id}")

    def _on_order_event(self, event: ev.Event) -> None:
        assert isinstance(event, ev.OrderChanged)
        if event.state == "confirmed":
            self._spawn_hook(self.on_order_confirmed(event.chat_id), f"followup-order:{event.chat_id}")

    # ---- queries for the console ---------------------------------------------------------------
    async def next_nudges(self) -> list[NextNudge]:
        """The next scheduled nudge of every chat, soonest first."""
        if not self.enabled:
            return []

        def read() -> tuple[list[store.NudgeRow], dict[str, store.ChatSnapshot]]:
            rows = store.open_nudges()
            return rows, store.snapshots(r.chat_id for r in rows)

        rows, snapshots = await self._db.call(read)
        seen: set[str] = set()
        result: list[NextNudge] = []
        for row in rows:
            if row.chat_id in seen:
                continue
            seen.add(row.chat_id)
            preview = await self._text_for(row.number, snapshots.get(row.chat_id))
            result.append(NextNudge(row.chat_id, row.number, row.due_at, preview))
        return result

    async def next_nudge(self, chat_id: str) -> NextNudge | None:
        if not self.enabled:
            return None

        def read() -> tuple[list[store.NudgeRow], store.ChatSnapshot | None]:
            return store.open_nudges(chat_id), store.chat_snapshot(chat_id)

        rows, snapshot = await self._db.call(read)
        if not rows:
            return None
        row = rows[0]
        return NextNudge(chat_id, row.number, row.due_at, await self._text_for(row.number, snapshot))

    # ---- commands ------------------------------------------------------------------------
    async def cancel(self, chat_id: str, actor: str) -> int:
        """A manager cancels the chat's pending nudges from the console."""
        return await self._cancel_chat(chat_id, f"{rules.REASON_MANUAL}:{actor}")

    async def pause_all(self, paused: bool, actor: str = "") -> None:
        """Hold every nudge (the schedule is kept); resuming sends what is still valid."""
        self._paused = paused
        log.info("follow-ups %s by %s", "paused" if paused else "resumed", actor or "unknown")
        if not paused:
            self._kick()

    async def check_due(self) -> int:
        """Handle every nudge that is due now; returns how many were sent. The scheduler
        calls this; tests on a ManualClock call it directly."""
        if not self.enabled or self._paused:
            return 0  # no re-arm either: a due nudge would fire the job again at once
        sent = 0
        async with self._lock:
            for row in await self._db.call(store.due_nudges, self._clock.now()):
                sent += await self._process(row)
        await self._rearm()
        return sent

    # ---- internals -------------------------------------------------------------------------
    async def _cancel_chat(self, chat_id: str, reason: str) -> int:
        async with self._lock:
            cancelled = await self._db.atomic(store.cancel_open, chat_id, reason)
        self._publish_cancelled(chat_id, cancelled)
        return len(cancelled)

    def _publish_cancelled(self, chat_id: str, rows: list[store.NudgeRow]) -> None:
        if rows:
            self._bus.publish(ev.NudgeCancelled(chat_id, rows[0].reason))
            log.info("follow-ups: %d nudge(s) for %s cancelled (%s)", len(rows), chat_id, rows[0].reason)

    async def _process(self, row: store.NudgeRow) -> int:
        snapshot = await self._db.call(store.chat_snapshot, row.chat_id)
        if snapshot is None:
            await self._db.call(store.cancel_nudge, row.id, "chat_missing")
            return 0
        now = self._clock.now()
        pending = rules.PendingNudge(row.number, row.cycle_start, row.due_at)
        decision = rules.decide(pending, snapshot.facts, now, self._zone, self._hours)
        if decision.action == "cancel":
            if await self._db.call(store.cancel_nudge, row.id, decision.reason):
                self._bus.publish(ev.NudgeCancelled(row.chat_id, decision.reason))
                log.info("follow-ups: nudge #%d for %s cancelled (%s)", row.number, row.chat_id, decision.reason)
            return 0
        if decision.action == "reschedule" and decision.due_at is not None:
            if await self._db.call(store.reschedule, row.id, decision.due_at):
                self._bus.publish(ev.NudgeScheduled(row.chat_id, row.number, decision.due_at))
            return 0
        if decision.action != "send":
            return 0
        text = await self._text_for(row.number, snapshot)
        if not await self._db.atomic(store.claim_for_sending, row.id):
            return 0
        try:
            await self._enqueue(row.chat_id, text)
        except Exception:
            # nothing reached the outbox: put it back, the next check tries again
            log.exception("follow-ups: could not queue nudge #%d for %s", row.number, row.chat_id)
            await self._db.call(store.release_sending, row.id, self._clock.now() + ENQUEUE_RETRY)
            return 0
        sent, second = await self._db.atomic(self._finish_tx, row.id, self._clock.now())
        self._announce_sent(sent, second)
        return 1

    def _finish_tx(self, nudge_id: int, sent_at: datetime) -> tuple[store.NudgeRow, store.NudgeRow | None]:
        """sending → sent; after nudge #1, nudge #2 is scheduled in the same transaction."""
        sent = store.finish_sent(nudge_id, sent_at)
        second = None
        if sent.number == 1:
            due = rules.nudge2_due(sent_at, self._zone, self._hours)
            second = store.create_nudge(sent.chat_id, sent.cycle_start, 2, due)
        return sent, second

    def _announce_sent(self, sent: store.NudgeRow, second: store.NudgeRow | None) -> None:
        self._bus.publish(ev.NudgeSent(sent.chat_id, sent.number))
        log.info("follow-ups: nudge #%d queued for %s", sent.number, sent.chat_id)
        if second is not None:
            self._bus.publish(ev.NudgeScheduled(second.chat_id, second.number, second.due_at))

    async def _reconcile_interrupted(self) -> None:
        """A crash between claim and finish leaves a row `sending`: if its outbox row exists
        the nudge went (mark it sent), otherwise it is scheduled again."""
        for row in await self._db.call(store.sending_nudges):
            queued_at = await self._db.call(store.outbox_written_since_claim, row)
            if queued_at is not None:
                sent, second = await self._db.atomic(self._finish_tx, row.id, queued_at)
                log.info("follow-ups: nudge #%d for %s was queued before a stop; marked sent", row.number, row.chat_id)
                self._announce_sent(sent, second)
            else:
                await self._db.call(store.release_sending, row.id)
                log.info("follow-ups: nudge #%d for %s was not queued before a stop; scheduled again", row.number, row.chat_id)

    async def _text_for(self, number: int, snapshot: store.ChatSnapshot | None) -> str:
        base = self._settings.nudge1_text if number == 1 else self._settings.nudge2_text
        if snapshot is None:
            return base
        answer = await self._stock_answer(snapshot)
        return nudge_text(number, base, snapshot.order, stock_view_from_answer(answer),
                          await self._promotion_for(snapshot, answer))

    async def _promotion_for(self, snapshot: store.ChatSnapshot, answer: Any) -> str:
        """An active promotion for the in-stock product the customer looked at, only for a
        customer who opted in (wording.promotion_line decides; "" otherwise)."""
        if self._promotions is None or not snapshot.promo_subscribed or answer is None \
                or answer.status != "in_stock" or not answer.product:
            return ""
        items = [item for item in answer.items if item.quantity > 0] or list(answer.items)
        if not items:
            return ""
        try:
            book = await self._promotions.book()
        except Exception:  # the plain nudge is always a safe fallback
            log.exception("follow-ups: promotions unavailable")
            return ""
        return promotion_line(book, answer.product, items[0].brand, items[0].product_type,
                              sorted({int(item.price) for item in items}), self._clock.local().date(), subscribed=True)

    async def _stock_answer(self, snapshot: store.ChatSnapshot) -> Any:
        """The stock answer about the product the customer wanted: the order's, else the one
        the dialogue talked about last (None: no product, or no stock file)."""
        if self._stock is None:
            return None
        order = snapshot.order
        if order is not None and order.state not in ("draft", "ready"):
            order = None
        product = (order.product if order else "") or snapshot.last_product
        if not product:
            return None
        size = (order.size if order else "") or snapshot.preferred_size
        color = (order.color if order else "") or snapshot.preferred_color
        try:
            answer = await self._stock.query(product, size or None, color or None)
        except Exception:  # the standard text is always a safe fallback
            log.exception("follow-ups: stock lookup failed for %r", product)
            return None
        return answer

    # ---- scheduling -------------------------------------------------------------------------
    async def _job(self) -> None:
        """APScheduler job: only kicks an owned task (stop must not cancel a send)."""
        self._kick()

    def _kick(self) -> None:
        if not self._running or self._check_queued:
            return
        self._check_queued = True
        self._tasks.spawn(self._run_check(), name="followups-check")

    async def _run_check(self) -> None:
        self._check_queued = False
        try:
            await self.check_due()
        except Exception:
            log.exception("follow-ups: due check failed")
            self._bus.publish(ev.EngineError("followups", "due check failed (see log)"))

    def _kick_rearm(self) -> None:
        if self._running and self._scheduler is not None:
            self._tasks.spawn(self._rearm(), name="followups-rearm")

    async def _rearm(self) -> None:
        """Arm the date job at the real moment the soonest nudge falls due."""
        if self._scheduler is None or not self._running:
            return
        due = await self._db.call(store.next_due_at)
        if self._scheduler is None:
            return
        if due is None:
            if self._scheduler.get_job(DUE_JOB_ID) is not None:
                self._scheduler.remove_job(DUE_JOB_ID)
            return
        real_delay = max(0.0, (due - self._clock.now()).total_seconds()) / self._clock.scale
        run_at = datetime.now(self._zone) + timedelta(seconds=real_delay)
        self._scheduler.add_job(
            self._job, "date", run_date=run_at, id=DUE_JOB_ID, replace_existing=True, misfire_grace_time=None,
        )
