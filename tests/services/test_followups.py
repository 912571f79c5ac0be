"""FollowUpService on a real SQLite database and the real outbox.

Most rules run on a `ManualClock` with `check_due()` called by hand, so shop times are
exact; the last tests run the real APScheduler on an accelerated `ShopClock` (3 shop
hours pass in well under a second) and restart the service in the middle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine import texts
from ottenok_desktop.engine.clock import ManualClock, ShopClock
from ottenok_desktop.services.followups import FollowUpService
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import nudges as store
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.chats import get_or_create_chat, set_owner
from ottenok_desktop.services.storage.models import Chat, Order, OutboxItem, Ticket
from ottenok_desktop.settings import Settings

ALMATY = ZoneInfo("Asia/Almaty")
CHAT = "77011234567@c.us"
OTHER = "77017654321@c.us"


def shop(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@dataclass
class Env:
    db: Database
    clock: ManualClock | ShopClock
    bus: ev.EventBus
    recorder: ev.EventRecorder
    settings: Settings
    queued: list[tuple[str, str, datetime]] = field(default_factory=list)
    fail_enqueue: bool = False

    async def enqueue(self, chat_id: str, text: str, sender_kind: str = "bot") -> int:
        """Like Engine.enqueue_text: the text goes into the persisted outbox."""
        if self.fail_enqueue:
            raise OSError("disk full")
        item = await self.db.atomic(ob.queue_text, chat_id, text, sender_kind, self.clock.now())
        self.queued.append((chat_id, text, self.clock.local()))
        return item.id

    def service(self, **kwargs: object) -> FollowUpService:
        return FollowUpService(self.db, self.bus, self.clock, self.settings, self.enqueue, **kwargs)  # type: ignore[arg-type]

    async def outbox_texts(self, chat_id: str = CHAT) -> list[str]:
        def read() -> list[str]:
            chat = Chat.get(Chat.chat_id == chat_id)
            return [o.text for o in OutboxItem.select().where(OutboxItem.chat == chat).order_by(OutboxItem.id)]

        return await self.db.call(read)

    async def rows(self, chat_id: str = CHAT) -> list[store.NudgeRow]:
        return await self.db.call(store.chat_nudges, chat_id)


def make_env(settings: Settings, db: Database, clock: ManualClock | ShopClock) -> Env:
    bus = ev.EventBus()
    env = Env(db=db, clock=clock, bus=bus, recorder=ev.EventRecorder(bus), settings=settings)
    for chat_id, name in ((CHAT, "Айгерим"), (OTHER, "Динара")):
        db.call_sync(get_or_create_chat, chat_id, clock.now(), name)
    return env


@pytest.fixture
def env(settings: Settings, database: Database) -> Env:
    return make_env(settings, database, ManualClock(shop("2026-11-23T15:00:00"), zone=ALMATY))  # Monday


def at(env: Env, text: str) -> datetime:
    assert isinstance(env.clock, ManualClock)
    env.clock.set(shop(text))
    return env.clock.now()


# ---- the silent customer ------------------------------------------------------------------------
async def test_silent_customer_gets_exactly_two_nudges_at_shop_times(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())  # Monday 15:00
    [scheduled] = env.recorder.of_type(ev.NudgeScheduled)
    assert scheduled.number == 1 and scheduled.due_at == shop("2026-11-23T18:00:00")

    at(env, "2026-11-23T17:59:59")
    assert await svc.check_due() == 0
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == 1
    assert env.queued[-1][1] == env.settings.nudge1_text
    second = env.recorder.of_type(ev.NudgeScheduled)[-1]
    assert second.number == 2 and second.due_at == shop("2026-11-24T13:00:00")

    at(env, "2026-11-24T12:59:59")
    assert await svc.check_due() == 0
    at(env, "2026-11-24T13:00:00")
    assert await svc.check_due() == 1
    assert env.queued[-1][1] == env.settings.nudge2_text

    for day in range(3):  # and nothing more, ever, for this silence
        at(env, f"2026-11-2{5 + day}T13:00:00")
        assert await svc.check_due() == 0
    assert [e.number for e in env.recorder.of_type(ev.NudgeSent)] == [1, 2]
    assert await env.outbox_texts() == [env.settings.nudge1_text, env.settings.nudge2_text]
    assert [r.state for r in await env.rows()] == ["sent", "sent"]


async def test_late_bot_message_waits_for_the_morning(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, at(env, "2026-11-27T22:40:00"))  # Friday night
    for moment in ("2026-11-28T01:40:00", "2026-11-28T08:59:59"):
        at(env, moment)
        assert await svc.check_due() == 0
    at(env, "2026-11-28T09:00:00")  # Saturday morning: the shop works
    assert await svc.check_due() == 1
    assert env.queued[-1][2] == shop("2026-11-28T09:00:00")


async def test_our_own_nudge_echo_does_not_restart_the_cycle(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    await svc.on_bot_message(CHAT, at(env, "2026-11-23T18:00:02"))  # the sender reports our nudge
    rows = await env.rows()
    assert [(r.number, r.state) for r in rows] == [(1, "sent"), (2, "scheduled")]


async def test_same_bot_message_twice_schedules_once(env: Env) -> None:
    svc = env.service()
    now = env.clock.now()
    await svc.on_bot_message(CHAT, now)
    await svc.on_bot_message(CHAT, now)
    assert len(await env.rows()) == 1


# ---- replies ------------------------------------------------------------------------------------
async def test_think_after_nudge1_keeps_nudge2(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    assert await svc.on_customer_message(CHAT, "Ок спасибо, подумаю 🙏", at(env, "2026-11-23T18:20:00")) == "think"
    await svc.on_bot_message(CHAT, at(env, "2026-11-23T18:20:05"))  # «Конечно! Если что — пишите»
    at(env, "2026-11-24T13:00:00")
    assert await svc.check_due() == 1
    assert [e.number for e in env.recorder.of_type(ev.NudgeSent)] == [1, 2]
    assert not env.recorder.of_type(ev.NudgeCancelled)


async def test_think_before_nudge1_counts_from_the_bots_last_message(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())  # 15:00
    assert await svc.on_customer_message(CHAT, "надо подумать", at(env, "2026-11-23T15:10:00")) == "think"
    await svc.on_bot_message(CHAT, at(env, "2026-11-23T15:10:30"))
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == 0  # the silence now counts from 15:10:30
    at(env, "2026-11-23T18:10:30")
    assert await svc.check_due() == 1
    assert env.recorder.of_type(ev.NudgeCancelled) == []  # moved, not churned
    assert [e.due_at for e in env.recorder.of_type(ev.NudgeScheduled)][:2] == [
        shop("2026-11-23T18:00:00"), shop("2026-11-23T18:10:30")]
    assert len(await env.rows()) == 2  # nudge #1 (sent) and #2 of the one cycle


async def test_real_reply_resets_the_cycle(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()  # nudge #1 sent, #2 scheduled for Tuesday 13:00
    assert await svc.on_customer_message(CHAT, "а 38 размер есть в бежевом?", at(env, "2026-11-23T18:30:00")) == "real"
    assert env.recorder.of_type(ev.NudgeCancelled)[-1].reason == "customer_replied"
    at(env, "2026-11-24T13:00:00")
    assert await svc.check_due() == 0  # no nudge #2: she answered
    # the bot answers; the cycle starts again from that message
    await svc.on_bot_message(CHAT, at(env, "2026-11-24T13:05:00"))
    at(env, "2026-11-24T16:05:00")
    assert await svc.check_due() == 1
    assert [e.number for e in env.recorder.of_type(ev.NudgeSent)] == [1, 1]


async def test_real_reply_after_both_nudges_allows_a_new_cycle(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    at(env, "2026-11-24T13:00:00")
    await svc.check_due()
    await svc.on_customer_message(CHAT, "Здравствуйте, а шанель лоферы ещё есть?", at(env, "2026-11-25T10:00:00"))
    await svc.on_bot_message(CHAT, at(env, "2026-11-25T10:00:10"))
    assert (await env.rows())[-1].state == "scheduled"
    at(env, "2026-11-25T13:00:10")
    assert await svc.check_due() == 1


async def test_only_think_after_both_nudges_gets_no_more(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    at(env, "2026-11-24T13:00:00")
    await svc.check_due()
    await svc.on_customer_message(CHAT, "пока думаю", at(env, "2026-11-24T14:00:00"))
    await svc.on_bot_message(CHAT, at(env, "2026-11-24T14:00:05"))
    at(env, "2026-11-26T13:00:00")
    assert await svc.check_due() == 0
    assert len(await env.outbox_texts()) == 2


async def test_opt_out_stops_for_good_and_is_acknowledged_once(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    assert await svc.on_customer_message(CHAT, "не пишите мне больше", at(env, "2026-11-23T15:30:00")) == "opt_out"
    assert await svc.on_customer_message(CHAT, "СТОП", at(env, "2026-11-23T15:31:00")) == "opt_out"
    assert await env.outbox_texts() == [texts.OPT_OUT_ACK]
    assert env.recorder.of_type(ev.NudgeCancelled)[-1].reason == "opted_out"
    assert (await env.db.call(lambda: Chat.get(Chat.chat_id == CHAT).opted_out)) is True
    # even after a later real message and a bot answer: nothing more
    await svc.on_customer_message(CHAT, "а сколько стоит?", at(env, "2026-11-24T10:00:00"))
    await svc.on_bot_message(CHAT, at(env, "2026-11-24T10:00:05"))
    at(env, "2026-11-25T13:00:00")
    assert await svc.check_due() == 0
    assert await env.outbox_texts() == [texts.OPT_OUT_ACK]


async def test_opt_out_in_a_manager_chat_is_not_answered_by_the_bot(env: Env) -> None:
    svc = env.service()
    await env.db.atomic(set_owner, CHAT, "manager", "Айгуль", env.clock.now())
    await svc.on_customer_message(CHAT, "отпишитесь", env.clock.now())
    assert await env.outbox_texts() == []
    assert (await env.db.call(lambda: Chat.get(Chat.chat_id == CHAT).opted_out)) is True


# ---- who else is talking -----------------------------------------------------------------------------
async def test_manager_owned_chat_gets_none(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    await env.db.atomic(set_owner, CHAT, "manager", "Айгуль", env.clock.now())
    await svc.on_owner_changed(CHAT, "manager")
    assert env.recorder.of_type(ev.NudgeCancelled)[-1].reason == "manager_owns"
    await svc.on_bot_message(CHAT, at(env, "2026-11-23T15:05:00"))  # a reply that raced the take-over
    at(env, "2026-11-24T13:00:00")
    assert await svc.check_due() == 0
    assert await env.outbox_texts() == []


async def test_take_over_between_schedule_and_due_is_caught_at_send_time(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    await env.db.atomic(set_owner, CHAT, "manager", "Айгуль", env.clock.now())  # hook never called
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == 0
    assert (await env.rows())[0].reason == "manager_owns"


async def test_open_ticket_and_confirmed_order_get_none(env: Env) -> None:
    svc = env.service()
    now = env.clock.now()

    def open_ticket() -> None:
        Ticket.create(chat=Chat.get(Chat.chat_id == CHAT), kind="return", created_at=now)

    def confirmed_order() -> None:
        Order.create(chat=Chat.get(Chat.chat_id == OTHER), state="confirmed", product="Chanel лоферы", size="38",
                     city="Алматы", address="Абая 10", created_at=now, updated_at=now, confirmed_at=now)

    await env.db.call(open_ticket)
    await env.db.call(confirmed_order)
    await svc.on_bot_message(CHAT, now)
    await svc.on_bot_message(OTHER, now)
    assert await env.rows(CHAT) == [] and await env.rows(OTHER) == []


async def test_bus_events_cancel_ticket_and_order_chats(env: Env) -> None:
    svc = env.service()
    await svc.start()
    try:
        await svc.on_bot_message(CHAT, env.clock.now())
        await svc.on_bot_message(OTHER, env.clock.now())
        env.bus.publish(ev.TicketChanged(1, CHAT, "WAITING"))
        env.bus.publish(ev.OrderChanged(OTHER, 7, "confirmed"))
        env.bus.publish(ev.OrderChanged(OTHER, 7, "draft"))  # ignored
        for _ in range(50):
            reasons = {c.chat_id: c.reason for c in env.recorder.of_type(ev.NudgeCancelled)}
            if len(reasons) == 2:
                break
            await __import__("asyncio").sleep(0.01)
        assert reasons == {CHAT: "ticket_open", OTHER: "order_confirmed"}
    finally:
        await svc.stop()


# ---- missed nudges, pause, settings -----------------------------------------------------------------
async def test_missed_nudge_goes_at_the_next_allowed_moment(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())  # nudge #1 due 18:00
    at(env, "2026-11-23T21:00:00")  # the program was off at 18:00
    assert await svc.check_due() == 0
    moved = env.recorder.of_type(ev.NudgeScheduled)[-1]
    assert moved.number == 1 and moved.due_at == shop("2026-11-24T09:00:00")
    at(env, "2026-11-24T09:00:00")
    assert await svc.check_due() == 1
    assert env.recorder.of_type(ev.NudgeScheduled)[-1].due_at == shop("2026-11-25T13:00:00")


async def test_nudge_missed_for_too_long_expires(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-24T13:00:00")  # off from Monday afternoon until Tuesday 13:00
    assert await svc.check_due() == 0
    assert env.recorder.of_type(ev.NudgeCancelled)[-1].reason == "expired"
    assert await env.outbox_texts() == []


async def test_pause_holds_and_resume_sends(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    await svc.pause_all(True)
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == 0 and svc.paused
    await svc.pause_all(False)
    assert await svc.check_due() == 1


async def test_nudges_disabled_by_settings(settings: Settings, database: Database) -> None:
    env = make_env(settings.with_changes(nudge_enabled=False), database, ManualClock(shop("2026-11-23T15:00:00"), zone=ALMATY))
    svc = env.service()
    await svc.start()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    assert await svc.check_due() == 0
    assert await env.rows() == [] and await svc.next_nudges() == []
    await svc.stop()


async def test_texts_and_hours_from_settings(settings: Settings, database: Database) -> None:
    from ottenok_desktop.settings import WorkHours

    custom = settings.with_changes(work_hours=WorkHours(10, 18), nudge1_text="Актуально? 😊", timezone="Asia/Almaty")
    env = make_env(custom, database, ManualClock(shop("2026-11-23T15:30:00"), zone=ALMATY))
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())  # 18:30 is after 18:00 closing → 10:00
    assert env.recorder.of_type(ev.NudgeScheduled)[-1].due_at == shop("2026-11-24T10:00:00")
    at(env, "2026-11-24T10:00:00")
    await svc.check_due()
    assert await env.outbox_texts() == ["Актуально? 😊"]


async def test_manual_cancel_and_next_nudge_queries(env: Env) -> None:
    svc = env.service()
    now = env.clock.now()

    def draft() -> None:
        Order.create(chat=Chat.get(Chat.chat_id == CHAT), state="draft", product="Chanel лоферы", product_type="shoes",
                     size="38", city="Алматы", created_at=now, updated_at=now)

    await env.db.call(draft)
    await svc.on_bot_message(CHAT, now)
    await svc.on_bot_message(OTHER, at(env, "2026-11-23T15:30:00"))
    listed = await svc.next_nudges()
    assert [(n.chat_id, n.number) for n in listed] == [(CHAT, 1), (OTHER, 1)]
    assert listed[0].due_at == shop("2026-11-23T18:00:00")
    assert listed[0].text_preview == texts.NUDGE_ASK_FIELD["address"]  # the one missing field
    assert listed[1].text_preview == env.settings.nudge1_text
    assert (await svc.next_nudge(OTHER)).due_at == shop("2026-11-23T18:30:00")  # type: ignore[union-attr]
    assert await svc.cancel(OTHER, "Айгуль") == 1
    assert await svc.next_nudge(OTHER) is None
    assert env.recorder.of_type(ev.NudgeCancelled)[-1].reason == "manual:Айгуль"
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    assert await env.outbox_texts() == [texts.NUDGE_ASK_FIELD["address"]]


async def test_sold_out_product_offers_the_in_stock_alternative(env: Env) -> None:
    from ottenok_desktop.services.inventory.index import StockIndex
    from ottenok_desktop.services.inventory.model import StockItem

    index = StockIndex.build([
        StockItem("Лоферы Chanel", "38", "бежевый", 0, 45000, product_type="shoes"),  # sold out
        StockItem("Лоферы Chanel", "38", "черный", 2, 45000, product_type="shoes"),
        StockItem("Кроссовки Balenciaga", "37", "белый", 3, 89000, product_type="shoes"),
    ], "v1")

    class Inventory:  # InventoryService.query over a real StockIndex
        def __init__(self) -> None:
            self.asked: list[tuple[str, str | None, str | None]] = []

        async def query(self, text: str, size: str | None = None, color: str | None = None):  # type: ignore[no-untyped-def]
            self.asked.append((text, size, color))
            return index.query(text, size, color)

    inventory = Inventory()
    svc = env.service(inventory=inventory)
    now = env.clock.now()

    def orders() -> None:
        Order.create(chat=Chat.get(Chat.chat_id == CHAT), state="draft", product="Лоферы Chanel", product_type="shoes",
                     size="38", color="бежевый", city="Алматы", created_at=now, updated_at=now)
        Order.create(chat=Chat.get(Chat.chat_id == OTHER), state="draft", product="Кроссовки Balenciaga",
                     product_type="shoes", size="37", color="белый", city="Алматы", created_at=now, updated_at=now)

    await env.db.call(orders)
    await svc.on_bot_message(CHAT, now)
    await svc.on_bot_message(OTHER, now)
    at(env, "2026-11-23T18:00:00")
    await svc.check_due()
    assert await env.outbox_texts(CHAT) == [texts.NUDGE_SOLD_OUT_ALTERNATIVE[1].format(
        product="Лоферы Chanel", alternative="Лоферы Chanel в цвете «черный», размер 38")]
    # in stock: the order's one missing field is asked instead
    assert await env.outbox_texts(OTHER) == [texts.NUDGE_ASK_FIELD["address"]]
    assert ("Лоферы Chanel", "38", "бежевый") in inventory.asked


# ---- never twice ----------------------------------------------------------------------------------------
async def test_concurrent_checks_send_once(env: Env) -> None:
    import asyncio

    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    results = await asyncio.gather(*(svc.check_due() for _ in range(5)))
    assert sum(results) == 1 and len(await env.outbox_texts()) == 1


async def test_failed_enqueue_is_retried_not_lost(env: Env) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    env.fail_enqueue = True
    assert await svc.check_due() == 0
    assert (await env.rows())[0].state == "scheduled"
    assert (await env.rows())[0].due_at == shop("2026-11-23T18:01:00")  # retried a shop minute later
    env.fail_enqueue = False
    assert await svc.check_due() == 0
    at(env, "2026-11-23T18:01:00")
    assert await svc.check_due() == 1


@pytest.mark.parametrize("outbox_written", [True, False])
async def test_crash_between_claim_and_finish_is_reconciled(env: Env, outbox_written: bool) -> None:
    svc = env.service()
    await svc.on_bot_message(CHAT, env.clock.now())
    at(env, "2026-11-23T18:00:00")
    [row] = await env.rows()
    assert await env.db.atomic(store.claim_for_sending, row.id)  # the crash came right after this...
    if outbox_written:
        await env.enqueue(CHAT, env.settings.nudge1_text)  # ...or right after the outbox insert
    restarted = env.service()
    await restarted.start()  # reconciles, then checks
    try:
        await restarted.check_due()
        texts_now = await env.outbox_texts()
        assert texts_now == [env.settings.nudge1_text]  # exactly once either way
        assert [(r.number, r.state) for r in await env.rows()] == [(1, "sent"), (2, "scheduled")]
    finally:
        await restarted.stop()


# ---- the real scheduler on an accelerated clock ---------------------------------------------------------
SCALE = 72_000.0  # 20 shop hours per real second
LATENESS = timedelta(seconds=0.25 * SCALE)  # a generous bound for a loaded CI machine (≈ 5 shop hours)


async def wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


def assert_on_time(sent_at: datetime, due: datetime, settings: Settings) -> None:
    assert due <= sent_at <= due + LATENESS, (sent_at, due)
    assert settings.work_hours.start <= sent_at.hour < settings.work_hours.end


async def test_scheduler_sends_both_nudges_on_an_accelerated_clock(settings: Settings, database: Database) -> None:
    clock = ShopClock(ALMATY, start=shop("2026-11-23T12:00:00"), scale=SCALE)
    env = make_env(settings, database, clock)
    svc = env.service()
    await svc.start()
    try:
        await svc.on_bot_message(CHAT, clock.now())
        await wait_for(lambda: len(env.queued) >= 1)
        assert_on_time(env.queued[0][2], shop("2026-11-23T15:00:00"), settings)
        await wait_for(lambda: len(env.queued) >= 2)
        assert_on_time(env.queued[1][2], shop("2026-11-24T13:00:00"), settings)
        await clock.sleep(26 * 3600)  # past Wednesday 13:00: no third nudge
        assert [q[1] for q in env.queued] == [settings.nudge1_text, settings.nudge2_text]
        lateness = [(q[2] - d).total_seconds() for q, d in zip(env.queued, (shop("2026-11-23T15:00:00"), shop("2026-11-24T13:00:00")))]
        print(f"shop-time lateness at scale {SCALE:.0f}: {lateness} s")
    finally:
        await svc.stop()


async def test_restart_in_the_middle_no_duplicate_no_loss(settings: Settings, data_dir: Path) -> None:
    path = data_dir / "restart.sqlite3"
    # run 1: Monday 12:00, the bot answers; nudge #1 goes at 15:00; then the program stops
    db1 = await Database(path).open()
    clock1 = ShopClock(ALMATY, start=shop("2026-11-23T12:00:00"), scale=SCALE)
    env1 = make_env(settings, db1, clock1)
    svc1 = env1.service()
    await svc1.start()
    await svc1.on_bot_message(CHAT, clock1.now())
    await wait_for(lambda: len(env1.queued) >= 1)
    await svc1.stop()
    await db1.close()

    # run 2 starts Tuesday 12:59:30 (off overnight): nudge #1 must not repeat, nudge #2 must come
    db2 = await Database(path).open()
    clock2 = ShopClock(ALMATY, start=shop("2026-11-24T12:59:30"), scale=SCALE)
    env2 = make_env(settings, db2, clock2)
    svc2 = env2.service()
    await svc2.start()
    try:
        await wait_for(lambda: len(env2.queued) >= 1)
        assert_on_time(env2.queued[0][2], shop("2026-11-24T13:00:00"), settings)
        await clock2.sleep(3 * 3600)
        assert await env2.outbox_texts() == [settings.nudge1_text, settings.nudge2_text]
        assert [(r.number, r.state) for r in await env2.rows()] == [(1, "sent"), (2, "sent")]
    finally:
        await svc2.stop()
        await db2.close()


async def test_restart_after_a_missed_nudge_sends_it_in_the_morning(settings: Settings, data_dir: Path) -> None:
    path = data_dir / "missed.sqlite3"
    db1 = await Database(path).open()
    clock1 = ManualClock(shop("2026-11-23T16:30:00"), zone=ALMATY)
    env1 = make_env(settings, db1, clock1)
    await env1.service().on_bot_message(CHAT, clock1.now())  # nudge #1 due 19:30 → moved to Tue 9:00
    await db1.close()

    db2 = await Database(path).open()
    clock2 = ShopClock(ALMATY, start=shop("2026-11-23T23:00:00"), scale=SCALE)  # back on at night
    env2 = make_env(settings, db2, clock2)
    svc2 = env2.service()
    await svc2.start()
    try:
        await wait_for(lambda: len(env2.queued) >= 1)
        assert_on_time(env2.queued[0][2], shop("2026-11-24T09:00:00"), settings)
        assert len(env2.queued) == 1
    finally:
        await svc2.stop()
        await db2.close()


async def test_a_paused_due_nudge_does_not_spin_the_scheduler(settings: Settings, database: Database) -> None:
    import asyncio

    class Counting(FollowUpService):
        checks = 0

        async def check_due(self) -> int:
            Counting.checks += 1
            return await super().check_due()

    clock = ShopClock(ALMATY, start=shop("2026-11-23T17:59:59"), scale=SCALE)
    env = make_env(settings, database, clock)
    svc = Counting(env.db, env.bus, clock, settings, env.enqueue)
    await svc.pause_all(True)
    await svc.start()
    try:
        await svc.on_bot_message(CHAT, clock.now() - timedelta(hours=3))  # due right now
        await asyncio.sleep(0.6)  # real time: about one sweep (0.5 s)
        assert Counting.checks <= 3 and env.queued == []
        await svc.pause_all(False)
        await wait_for(lambda: len(env.queued) == 1)
    finally:
        await svc.stop()


def test_stock_answer_to_nudge_facts() -> None:
    from ottenok_desktop.services.followups import stock_view_from_answer
    from ottenok_desktop.services.inventory.index import StockIndex
    from ottenok_desktop.services.inventory.model import StockItem

    index = StockIndex.build([
        StockItem("Сумка Dior", "", "черный", 0, 120000, product_type="bag"),
        StockItem("Сумка Dior Saddle", "", "бежевый", 1, 150000, product_type="bag"),
        StockItem("Лоферы Chanel", "38", "бежевый", 4, 45000, product_type="shoes"),
    ], "v1")
    assert stock_view_from_answer(index.query("Лоферы Chanel", "38", "бежевый")).sold_out is False  # type: ignore[union-attr]
    assert stock_view_from_answer(index.query("валенки угги", None, None)) is None
    bag = stock_view_from_answer(index.query("Сумка Dior", None, "черный"))
    assert bag is not None and bag.sold_out and bag.product == "Сумка Dior"
    assert bag.alternative == "Сумка Dior Saddle бежевый"
