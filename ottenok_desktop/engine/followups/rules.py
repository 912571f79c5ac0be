"""When a follow-up nudge is due, and what to do with one that is pending.

The shop's rule of thumb (issue 6):
- nudge #1: 3 hours after the bot's last message; if that moment is outside work hours,
  at the next opening (e.g. 9:00);
- nudge #2: at 13:00 shop time on the day after nudge #1 was sent;
- never while a manager owns the chat, a ticket is open, after an order is confirmed or
  after an opt-out; a real customer reply ends the cycle; at most two per cycle.

Choices made here (the issue leaves them open):
- Every day is a working day: the shop in Almaty is open 7 days a week and the settings
  have no closed days, so weekends are treated like any other day.
- "3 hours" is elapsed time (added in UTC), not wall-clock time, so a zone change such as
  Almaty's UTC+6 → UTC+5 on 2024-03-01 never shortens or stretches the silence.
- If 13:00 is outside the configured hours (e.g. hours 14-20), nudge #2 goes at that day's
  opening instead, so it still lands on "the next day" its text talks about.
- A nudge missed while the program was off is sent at the next allowed moment only while
  its rule still holds: nudge #1 until the moment nudge #2 would have been due, nudge #2
  only on its own day (its text says «Вчера вы интересовались…»). Later it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from ottenok_desktop.engine.states import ReplyClass
from ottenok_desktop.settings import WorkHours

NUDGE1_DELAY = timedelta(hours=3)
NUDGE2_LOCAL_TIME = time(13, 0)

# Why a nudge was cancelled; codes shown by the console through ui/strings.py.
REASON_CUSTOMER_REPLIED = "customer_replied"
REASON_OPTED_OUT = "opted_out"
REASON_MANAGER_OWNS = "manager_owns"
REASON_TICKET_OPEN = "ticket_open"
REASON_ORDER_CONFIRMED = "order_confirmed"
REASON_CHAT_CLOSED = "chat_closed"
REASON_EXPIRED = "expired"
REASON_SUPERSEDED = "superseded"  # the bot spoke again before nudge #1: the silence restarts
REASON_MANUAL = "manual"  # prefix: "manual:<actor>"


# ---- work hours ---------------------------------------------------------------------
def _seconds_of_day(local_dt: datetime) -> int:
    return local_dt.hour * 3600 + local_dt.minute * 60 + local_dt.second


def is_work_time(local_dt: datetime, hours: WorkHours) -> bool:
    """True when `local_dt` (shop time) is inside [start, end) of the shop's hours."""
    return hours.start * 3600 <= _seconds_of_day(local_dt) < hours.end * 3600


def _at_local(day: date, clock_time: time, zone: tzinfo) -> datetime:
    """`day` at `clock_time` in `zone`, normalised through UTC (a non-existent wall time
    in a DST gap comes out as the real instant after the gap)."""
    naive = datetime.combine(day, clock_time)
    return naive.replace(tzinfo=zone).astimezone(timezone.utc).astimezone(zone)


def _zone_of(local_dt: datetime) -> tzinfo:
    if local_dt.tzinfo is None:
        raise ValueError("shop-time datetimes must be timezone-aware")
    return local_dt.tzinfo


def next_opening(local_dt: datetime, hours: WorkHours) -> datetime:
    """The first opening moment strictly after `local_dt`'s time of day passed it:
    today's opening if the shop has not opened yet today, else tomorrow's."""
    zone = _zone_of(local_dt)
    opening = time(hours.start, 0)
    if _seconds_of_day(local_dt) < hours.start * 3600:
        return _at_local(local_dt.date(), opening, zone)
    return _at_local(local_dt.date() + timedelta(days=1), opening, zone)


def next_allowed(local_dt: datetime, hours: WorkHours) -> datetime:
    """`local_dt` itself when the shop is open then, otherwise the next opening."""
    return local_dt if is_work_time(local_dt, hours) else next_opening(local_dt, hours)


def closing_of_day(day: date, zone: tzinfo, hours: WorkHours) -> datetime:
    if hours.end >= 24:
        return _at_local(day + timedelta(days=1), time(0, 0), zone)
    return _at_local(day, time(hours.end, 0), zone)


# ---- due times -----------------------------------------------------------------------
def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware (UTC)")
    return moment.astimezone(timezone.utc)


def nudge1_due(last_bot_at_utc: datetime, zone: tzinfo, hours: WorkHours) -> datetime:
    """3 hours after the bot's last message, moved to the next opening if the shop is
    closed then. Returns aware UTC."""
    candidate = (_utc(last_bot_at_utc) + NUDGE1_DELAY).astimezone(zone)
    return next_allowed(candidate, hours).astimezone(timezone.utc)


def nudge2_due(nudge1_sent_at_utc: datetime, zone: tzinfo, hours: WorkHours) -> datetime:
    """13:00 shop time on the day after nudge #1 was sent (that day's opening if 13:00 is
    outside the hours). Returns aware UTC."""
    next_day = _utc(nudge1_sent_at_utc).astimezone(zone).date() + timedelta(days=1)
    candidate = _at_local(next_day, NUDGE2_LOCAL_TIME, zone)
    if not is_work_time(candidate, hours):
        candidate = _at_local(next_day, time(hours.start, 0), zone)
    return candidate.astimezone(timezone.utc)


def send_window_end(number: int, due_at_utc: datetime, zone: tzinfo, hours: WorkHours) -> datetime:
    """The moment after which a not-yet-sent nudge is stale (see the module docstring)."""
    if number == 1:
        return nudge2_due(due_at_utc, zone, hours)
    due_local = _utc(due_at_utc).astimezone(zone)
    return closing_of_day(due_local.date(), zone, hours).astimezone(timezone.utc)


# ---- decisions -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatFacts:
    """What the rules need to know about a chat at decision time."""

    owner: str = "bot"  # bot | manager
    opted_out: bool = False
    closed: bool = False
    open_ticket: bool = False
    order_confirmed: bool = False
    last_reply: ReplyClass | None = None  # class of the latest customer reply in this cycle


@dataclass(frozen=True)
class PendingNudge:
    number: int  # 1 | 2
    cycle_start: datetime  # aware UTC: the bot message the silence is counted from
    due_at: datetime  # aware UTC


@dataclass(frozen=True)
class NudgeDecision:
    action: Literal["wait", "send", "cancel", "reschedule"]
    reason: str = ""
    due_at: datetime | None = None  # the (new) due time for wait / reschedule


def blocking_reason(facts: ChatFacts) -> str:
    """Why no nudge may go to this chat at all right now; '' when nothing blocks."""
    if facts.opted_out or facts.last_reply == ReplyClass.OPT_OUT:
        return REASON_OPTED_OUT
    if facts.last_reply == ReplyClass.REAL:
        return REASON_CUSTOMER_REPLIED
    if facts.owner != "bot":
        return REASON_MANAGER_OWNS
    if facts.open_ticket:
        return REASON_TICKET_OPEN
    if facts.order_confirmed:
        return REASON_ORDER_CONFIRMED
    if facts.closed:
        return REASON_CHAT_CLOSED
    return ""


def decide(nudge: PendingNudge, facts: ChatFacts, now: datetime, zone: tzinfo, hours: WorkHours) -> NudgeDecision:
    """What to do with a scheduled nudge at `now`: wait, send, cancel(reason) or reschedule.

    A "think about it" reply (`last_reply == "think"`) counts as silence: it keeps the
    cycle, so nudge #2 still comes.
    """
    if nudge.number not in (1, 2):
        return NudgeDecision("cancel", f"invalid nudge number {nudge.number}")
    reason = blocking_reason(facts)
    if reason:
        return NudgeDecision("cancel", reason)
    now = _utc(now)
    due = _utc(nudge.due_at)
    if now < due:
        return NudgeDecision("wait", due_at=due)
    window_end = send_window_end(nudge.number, due, zone, hours)
    if now >= window_end:
        return NudgeDecision("cancel", REASON_EXPIRED)
    local_now = now.astimezone(zone)
    if is_work_time(local_now, hours):
        return NudgeDecision("send")
    moved = next_opening(local_now, hours).astimezone(timezone.utc)
    if moved >= window_end:
        return NudgeDecision("cancel", REASON_EXPIRED)
    return NudgeDecision("reschedule", due_at=moved)


@dataclass(frozen=True)
class CycleView:
    """The chat's latest follow-up cycle, as stored."""

    cycle_start: datetime
    nudge1_state: str  # scheduled | sending | sent | cancelled
    replied: bool  # a real customer reply ended it


def starts_new_cycle(current: CycleView | None, bot_at: datetime) -> bool:
    """Does a bot message at `bot_at` start a new silence cycle?

    Yes when there is none, when a real reply ended the last one, or when nudge #1 has not
    gone out (the silence is counted from the bot's *last* message; a cancelled cycle is
    dead). No once nudge #1 went out and the customer only said "I'll think" (or nothing):
    the bot's polite answer to «подумаю», or the echo of our own nudge, must not give the
    customer a fresh pair of nudges.
    """
    if current is None or current.replied:
        return True
    if _utc(bot_at) <= _utc(current.cycle_start):
        return False  # the same (or an older) message again: idempotent
    return current.nudge1_state not in ("sending", "sent")
