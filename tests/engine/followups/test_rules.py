"""The follow-up rule table: due times around opening/closing, late evening, midnight,
weekends, the Almaty zone change of 2024-03-01 (UTC+6 → UTC+5), and the decisions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.engine.followups import rules
from ottenok_desktop.engine.followups.rules import ChatFacts, CycleView, PendingNudge
from ottenok_desktop.settings import WorkHours

ALMATY = ZoneInfo("Asia/Almaty")
H = WorkHours(9, 19)
UTC = timezone.utc


def local(text: str) -> datetime:
    """Shop time; an explicit offset in `text` wins (needed around the 2024 change)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ALMATY)


def utc(text: str) -> datetime:
    return local(text).astimezone(UTC)


def shown(moment: datetime) -> str:
    return moment.astimezone(ALMATY).isoformat()


# ---- work hours ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("moment", "hours", "expected"),
    [
        ("2026-11-23T08:59:59", H, False),
        ("2026-11-23T09:00:00", H, True),
        ("2026-11-23T13:00:00", H, True),
        ("2026-11-23T18:59:59", H, True),
        ("2026-11-23T19:00:00", H, False),
        ("2026-11-23T23:30:00", H, False),
        ("2026-11-23T00:00:00", H, False),
        ("2026-11-28T12:00:00", H, True),  # Saturday: the shop works every day
        ("2026-11-29T12:00:00", H, True),  # Sunday
        ("2026-11-23T00:00:00", WorkHours(0, 24), True),
        ("2026-11-23T23:59:59", WorkHours(0, 24), True),
    ],
)
def test_is_work_time(moment: str, hours: WorkHours, expected: bool) -> None:
    assert rules.is_work_time(local(moment), hours) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-23T00:00:00", "2026-11-23T09:00:00+05:00"),
        ("2026-11-23T08:59:59", "2026-11-23T09:00:00+05:00"),
        ("2026-11-23T09:00:00", "2026-11-24T09:00:00+05:00"),  # already open: the next opening is tomorrow
        ("2026-11-23T19:00:00", "2026-11-24T09:00:00+05:00"),
        ("2026-11-23T23:59:59", "2026-11-24T09:00:00+05:00"),
        ("2026-12-31T22:00:00", "2027-01-01T09:00:00+05:00"),
    ],
)
def test_next_opening(moment: str, expected: str) -> None:
    assert rules.next_opening(local(moment), H).isoformat() == expected


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        rules.next_opening(datetime(2026, 11, 23, 10, 0), H)
    with pytest.raises(ValueError):
        rules.nudge1_due(datetime(2026, 11, 23, 10, 0), ALMATY, H)


# ---- nudge #1 -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bot_at", "expected"),
    [
        ("2026-11-23T10:00:00", "2026-11-23T13:00:00+05:00"),  # plain: 3 hours later
        ("2026-11-23T06:00:00", "2026-11-23T09:00:00+05:00"),  # lands exactly on the opening
        ("2026-11-23T06:00:01", "2026-11-23T09:00:01+05:00"),
        ("2026-11-23T05:30:00", "2026-11-23T09:00:00+05:00"),  # 8:30 → waits for the opening
        ("2026-11-23T00:00:00", "2026-11-23T09:00:00+05:00"),  # midnight → same morning
        ("2026-11-23T15:59:59", "2026-11-23T18:59:59+05:00"),  # a second before closing
        ("2026-11-23T16:00:00", "2026-11-24T09:00:00+05:00"),  # exactly at closing → next morning
        ("2026-11-23T18:30:00", "2026-11-24T09:00:00+05:00"),
        ("2026-11-23T22:45:00", "2026-11-24T09:00:00+05:00"),  # late evening
        ("2026-11-23T23:59:59", "2026-11-24T09:00:00+05:00"),
        ("2026-11-27T20:00:00", "2026-11-28T09:00:00+05:00"),  # Friday night → Saturday morning
        ("2026-11-28T17:00:00", "2026-11-29T09:00:00+05:00"),  # Saturday → Sunday (open every day)
        ("2026-12-31T21:00:00", "2027-01-01T09:00:00+05:00"),  # new year's eve
        # the zone change: 2024-03-01 00:00 +06 became 2024-02-29 23:00 +05
        ("2024-02-29T15:00:00+06:00", "2024-02-29T18:00:00+06:00"),
        ("2024-02-29T18:00:00+06:00", "2024-03-01T09:00:00+05:00"),
        ("2024-02-29T23:30:00+06:00", "2024-03-01T09:00:00+05:00"),  # before the change
        ("2024-02-29T23:30:00+05:00", "2024-03-01T09:00:00+05:00"),  # the repeated hour, after it
        ("2024-03-01T07:00:00+05:00", "2024-03-01T10:00:00+05:00"),
    ],
)
def test_nudge1_due(bot_at: str, expected: str) -> None:
    assert shown(rules.nudge1_due(utc(bot_at), ALMATY, H)) == expected


def test_nudge1_three_hours_are_elapsed_time_across_the_zone_change() -> None:
    # 21:00 (+06) on Feb 29 is after closing; the next opening is 9:00 (+05) on Mar 1:
    # 16 hours of real time, not the 15 a naive wall-clock subtraction would give.
    bot_at = utc("2024-02-29T18:00:00+06:00")
    due = rules.nudge1_due(bot_at, ALMATY, H)
    assert due - bot_at == timedelta(hours=16)
    # and an in-hours case still waits exactly 3 hours of real time
    assert rules.nudge1_due(utc("2024-03-01T10:00:00+05:00"), ALMATY, H) - utc("2024-03-01T10:00:00+05:00") == timedelta(hours=3)


def test_nudge1_due_returns_utc() -> None:
    due = rules.nudge1_due(utc("2026-11-23T10:00:00"), ALMATY, H)
    assert due.tzinfo == UTC and due == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


# ---- nudge #2 -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent_at", "hours", "expected"),
    [
        ("2026-11-23T13:00:00", H, "2026-11-24T13:00:00+05:00"),
        ("2026-11-23T09:00:00", H, "2026-11-24T13:00:00+05:00"),
        ("2026-11-23T18:59:59", H, "2026-11-24T13:00:00+05:00"),
        ("2026-11-27T10:00:00", H, "2026-11-28T13:00:00+05:00"),  # Friday → Saturday
        ("2026-11-28T10:00:00", H, "2026-11-29T13:00:00+05:00"),  # Saturday → Sunday
        ("2026-11-29T10:00:00", H, "2026-11-30T13:00:00+05:00"),  # Sunday → Monday
        ("2026-12-31T12:00:00", H, "2027-01-01T13:00:00+05:00"),
        ("2024-02-29T13:00:00+06:00", H, "2024-03-01T13:00:00+05:00"),  # across the zone change
        ("2026-11-23T10:00:00", WorkHours(14, 20), "2026-11-24T14:00:00+05:00"),  # 13:00 before opening
        ("2026-11-23T10:00:00", WorkHours(9, 12), "2026-11-24T09:00:00+05:00"),  # 13:00 after closing
    ],
)
def test_nudge2_due(sent_at: str, hours: WorkHours, expected: str) -> None:
    assert shown(rules.nudge2_due(utc(sent_at), ALMATY, hours)) == expected


def test_nudge2_across_the_zone_change_is_25_real_hours() -> None:
    sent = utc("2024-02-29T13:00:00+06:00")
    # the clocks went back an hour that night: 13:00 to 13:00 is 25 real hours
    assert rules.nudge2_due(sent, ALMATY, H) - sent == timedelta(hours=25)


# ---- decisions ----------------------------------------------------------------------------
N1 = PendingNudge(1, utc("2026-11-23T12:00:00"), utc("2026-11-23T15:00:00"))
N2 = PendingNudge(2, utc("2026-11-23T12:00:00"), utc("2026-11-24T13:00:00"))


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (ChatFacts(opted_out=True), rules.REASON_OPTED_OUT),
        (ChatFacts(last_reply="opt_out"), rules.REASON_OPTED_OUT),
        (ChatFacts(last_reply="real"), rules.REASON_CUSTOMER_REPLIED),
        (ChatFacts(owner="manager"), rules.REASON_MANAGER_OWNS),
        (ChatFacts(open_ticket=True), rules.REASON_TICKET_OPEN),
        (ChatFacts(order_confirmed=True), rules.REASON_ORDER_CONFIRMED),
        (ChatFacts(closed=True), rules.REASON_CHAT_CLOSED),
        (ChatFacts(owner="manager", opted_out=True), rules.REASON_OPTED_OUT),  # opt-out wins: it is for good
    ],
)
def test_decide_cancels_when_blocked(facts: ChatFacts, reason: str) -> None:
    for nudge in (N1, N2):
        decision = rules.decide(nudge, facts, nudge.due_at, ALMATY, H)
        assert (decision.action, decision.reason) == ("cancel", reason)


@pytest.mark.parametrize(
    ("nudge", "now", "action", "due"),
    [
        (N1, "2026-11-23T14:59:59", "wait", "2026-11-23T15:00:00+05:00"),
        (N1, "2026-11-23T15:00:00", "send", None),
        (N1, "2026-11-23T18:59:59", "send", None),  # late (program was busy/off) but still open
        (N1, "2026-11-23T19:00:00", "reschedule", "2026-11-24T09:00:00+05:00"),  # missed: next opening
        (N1, "2026-11-24T02:00:00", "reschedule", "2026-11-24T09:00:00+05:00"),  # off overnight
        (N1, "2026-11-24T09:00:00", "send", None),
        (N1, "2026-11-24T12:59:59", "send", None),
        (N1, "2026-11-24T13:00:00", "cancel", None),  # stale: nudge #2 would have been due by now
        (N1, "2026-11-26T10:00:00", "cancel", None),  # program off for days
        (N2, "2026-11-24T12:00:00", "wait", "2026-11-24T13:00:00+05:00"),
        (N2, "2026-11-24T13:00:00", "send", None),
        (N2, "2026-11-24T18:59:59", "send", None),
        (N2, "2026-11-24T19:00:00", "cancel", None),  # its day is over («Вчера…» would be wrong)
        (N2, "2026-11-25T09:00:00", "cancel", None),
    ],
)
def test_decide_timing(nudge: PendingNudge, now: str, action: str, due: str | None) -> None:
    decision = rules.decide(nudge, ChatFacts(), utc(now), ALMATY, H)
    assert decision.action == action
    if action == "cancel":
        assert decision.reason == rules.REASON_EXPIRED
    if due is not None:
        assert decision.due_at is not None and shown(decision.due_at) == due


def test_think_reply_keeps_the_nudge() -> None:
    assert rules.decide(N2, ChatFacts(last_reply="think"), N2.due_at, ALMATY, H).action == "send"


def test_invalid_number_is_cancelled() -> None:
    odd = PendingNudge(3, N1.cycle_start, N1.due_at)
    assert rules.decide(odd, ChatFacts(), N1.due_at, ALMATY, H).action == "cancel"


def test_round_the_clock_shop_has_nudge2_until_midnight() -> None:
    hours = WorkHours(0, 24)
    n2 = PendingNudge(2, utc("2026-11-23T12:00:00"), utc("2026-11-24T13:00:00"))
    assert rules.decide(n2, ChatFacts(), utc("2026-11-24T23:59:00"), ALMATY, hours).action == "send"
    assert rules.decide(n2, ChatFacts(), utc("2026-11-25T00:00:00"), ALMATY, hours).action == "cancel"


# ---- cycles ---------------------------------------------------------------------------------
START = utc("2026-11-23T12:00:00")
LATER = START + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("cycle", "bot_at", "expected"),
    [
        (None, LATER, True),  # first bot message
        (CycleView(START, "scheduled", False), LATER, True),  # the bot spoke again before nudge #1
        (CycleView(START, "scheduled", False), START, False),  # the same message reported twice
        (CycleView(START, "sending", False), LATER, False),  # the echo of our own nudge
        (CycleView(START, "sent", False), LATER, False),  # bot answered «подумаю»: no fresh pair
        (CycleView(START, "sent", True), LATER, True),  # a real reply ended the cycle
        (CycleView(START, "cancelled", True), LATER, True),
        (CycleView(START, "cancelled", False), LATER, True),  # dead cycle (manager, ticket, expired)
    ],
)
def test_starts_new_cycle(cycle: CycleView | None, bot_at: datetime, expected: bool) -> None:
    assert rules.starts_new_cycle(cycle, bot_at) is expected


# ---- a whole silent cycle on a manual clock -----------------------------------------------------
def test_silent_customer_on_a_manual_clock_over_a_weekend() -> None:
    clock = ManualClock(datetime(2026, 11, 27, 17, 0), zone=ALMATY)  # Friday 17:00, the bot answers
    bot_at = clock.now()
    n1 = PendingNudge(1, bot_at, rules.nudge1_due(bot_at, ALMATY, H))
    assert shown(n1.due_at) == "2026-11-28T09:00:00+05:00"  # 20:00 is after closing → Saturday 9:00
    actions = []
    for _ in range(16 * 4):  # every 15 minutes until Saturday 9:00
        clock.advance(15 * 60)
        actions.append(rules.decide(n1, ChatFacts(), clock.now(), ALMATY, H).action)
    assert set(actions[:-1]) == {"wait"} and actions[-1] == "send"
    assert clock.local().isoformat() == "2026-11-28T09:00:00+05:00"
    n2 = PendingNudge(2, bot_at, rules.nudge2_due(clock.now(), ALMATY, H))
    assert shown(n2.due_at) == "2026-11-29T13:00:00+05:00"  # Sunday 13:00
    clock.set(datetime(2026, 11, 29, 12, 59, 59))
    assert rules.decide(n2, ChatFacts(last_reply="think"), clock.now(), ALMATY, H).action == "wait"
    clock.advance(1)
    assert rules.decide(n2, ChatFacts(last_reply="think"), clock.now(), ALMATY, H).action == "send"
