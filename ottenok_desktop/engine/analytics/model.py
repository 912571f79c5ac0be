"""The rows analytics works on and the period they cover. Storage-free: the loader in
`services/reports` (database or WhatsApp exports) fills them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where columns are built (nothing heavy at import time)
    import numpy as np


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
class MessageColumns:
    """The same rows as a list of `Msg`, column by column (what the loader builds: half
    a million objects would cost more than the report). `facts` holds each message's text
    facts (`facts.py` bits); the texts themselves are only there when asked for (the
    workbook's messages sheet): the report reads facts, never texts."""

    keys: list[str]  # chat keys; `chat` holds indices into it
    chat: np.ndarray  # int64
    at: np.ndarray  # float64 epoch seconds
    customer: np.ndarray  # bool
    responders: list[tuple[str, str]]  # (kind, name); `responder` holds indices, -1 = customer
    responder: np.ndarray  # int64
    facts: np.ndarray  # int64 fact bits (facts.py), version stripped
    text: list[str] | None = None

    def __len__(self) -> int:
        return int(self.at.size)

    @classmethod
    def from_msgs(cls, msgs: list[Msg]) -> "MessageColumns":
        import numpy as np

        from .facts import fact_bits

        keys: dict[str, int] = {}
        responders: dict[tuple[str, str], int] = {}
        chat, responder = [], []
        for m in msgs:
            chat.append(keys.setdefault(m.chat, len(keys)))
            if m.side == Side.CUSTOMER:
                responder.append(-1)
            else:
                responder.append(responders.setdefault((m.responder_kind, m.responder), len(responders)))
        return cls(
            list(keys), np.array(chat, dtype=np.int64), np.array([m.at for m in msgs], dtype=np.float64),
            np.array([m.side == Side.CUSTOMER for m in msgs], dtype=bool), list(responders),
            np.array(responder, dtype=np.int64),
            np.array([fact_bits(m.text or "", m.side == Side.CUSTOMER) for m in msgs], dtype=np.int64),
            [m.text for m in msgs],
        )


@dataclass
class ReportInput:
    period: Period
    chats: dict[str, ChatInfo]
    messages: list[Msg] | MessageColumns  # any order; the window [start - LOOKBACK, end + LOOKAHEAD)
    earlier_customer: set[str] = field(default_factory=set)  # customer wrote before the window
    converted: dict[str, float] = field(default_factory=dict)  # chat → when its order was confirmed (in the period)
    tickets: list[float] = field(default_factory=list)  # ticket creation times in the period
    handoffs: list[float] = field(default_factory=list)  # bot → manager hand-offs in the period


def responder_for(sender_kind: str, sender_name: str) -> tuple[str, str] | None:
    """(kind, display name) of a shop message's responder; None for customer/system."""
    from .texts import BOT_NAME, DEFAULT_MANAGER

    if sender_kind == "bot":
        return ResponderKind.BOT.value, BOT_NAME
    if sender_kind in MANAGER_SENDER_KINDS:
        return ResponderKind.MANAGER.value, (sender_name or "").strip() or DEFAULT_MANAGER
    return None
