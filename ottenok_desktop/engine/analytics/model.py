"""The rows analytics works on and the period they cover. Storage-free: the loader in
`services/reports` (database or WhatsApp exports) fills them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Side(StrEnum):
    CUSTOMER = "customer"
    SHOP = "shop"


class ResponderKind(StrEnum):
    BOT = "bot"
    MANAGER = "manager"


# Message.sender_kind values that are a manager answering (console, shop phone, Telegram).
MANAGER_SENDER_KINDS = frozenset({"manager_app", "manager_phone", "manager_telegram"})
# Replies that arrive this long after the period still answer the period's messages;
# runs open this long before the period tell whether its first messages continue one.
LOOKAHEAD = timedelta(days=7)
LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: datetime  # aware, shop zone, inclusive
    end: datetime  # aware, shop zone, exclusive
    zone: tzinfo

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def days(self) -> list[date]:
        count = (self.end.date() - self.start.date()).days
        return [self.start.date() + timedelta(days=i) for i in range(max(count, 1))]

    def label(self) -> str:
        last = (self.end - timedelta(seconds=1)).date()
        if self.kind == PeriodKind.DAY:
            return self.start.date().isoformat()
        return f"{self.start.date().isoformat()}..{last.isoformat()}"


def period_for(kind: PeriodKind | str, day: date, zone: tzinfo) -> Period:
    """The day, the Monday-to-Sunday week, or the calendar month containing `day`."""
    kind = PeriodKind(kind)
    if kind == PeriodKind.DAY:
        first, last = day, day + timedelta(days=1)
    elif kind == PeriodKind.WEEK:
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    else:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end = datetime(last.year, last.month, last.day, tzinfo=zone)
    return Period(kind, start, end, zone)


def covering_period(start: datetime, end: datetime, zone: tzinfo) -> Period:
    """A month-kind period spanning whole shop days from `start` to `end` (imports)."""
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date() + timedelta(days=1)
    return Period(PeriodKind.MONTH, datetime(first.year, first.month, first.day, tzinfo=zone),
                  datetime(last.year, last.month, last.day, tzinfo=zone), zone)


@dataclass(frozen=True)
class ChatInfo:
    key: str  # chat_id ("77011234567@c.us") or the export file's name
    name: str = ""
    phone: str = ""
    channel: str = "whatsapp"


@dataclass(frozen=True, slots=True)
class Msg:
    """One customer or shop message (system messages never get here)."""

    chat: str
    at: float  # epoch seconds (UTC)
    side: Side
    responder_kind: str  # "" for the customer, else ResponderKind
    responder: str  # the responder's display name ("" for the customer)
    text: str


@dataclass
class ReportInput:
    period: Period
    chats: dict[str, ChatInfo]
    messages: list[Msg]  # any order; the window [start - LOOKBACK, end + LOOKAHEAD)
    earlier_customer: set[str] = field(default_factory=set)  # customer wrote before the window
    converted: set[str] = field(default_factory=set)  # a confirmed order in the period
    tickets: list[float] = field(default_factory=list)  # ticket creation times in the period
    handoffs: list[float] = field(default_factory=list)  # bot → manager hand-offs in the period
