"""The computed report: per responder, per channel, overall, per day and per chat, and
its JSON form (the CLI contract: `period`, `responders`, `overall`, `channels`, `chats`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .model import Period
from .stats import Stats

# First-response distribution buckets: (upper bound in working seconds, label).
BUCKETS: tuple[tuple[float, str], ...] = (
    (60, "≤ 1 мин"), (300, "1–5 мин"), (900, "5–15 мин"), (3600, "15–60 мин"), (14400, "1–4 ч"), (float("inf"), "> 4 ч"),
)
NO_ANSWER_BUCKET = "без ответа"


@dataclass
class Group:
    """Figures of a set of chats (overall, one channel)."""

    first_response: Stats
    reply: Stats
    unanswered_inbound: int
    chats: int  # chats with a customer or shop message in the period
    customer_chats: int  # … with a customer message in the period
    answered_chats: int  # … of those, with at least one of the period's runs answered
    converted_chats: int
    inbound: int
    outbound: int

    @property
    def response_rate(self) -> float | None:
        return None if self.customer_chats == 0 else self.answered_chats / self.customer_chats

    @property
    def conversion(self) -> float | None:
        return None if self.chats == 0 else self.converted_chats / self.chats

    def as_json(self) -> dict[str, Any]:
        return {
            "first_response_sec": self.first_response.as_json(), "reply_sec": self.reply.as_json(),
            "unanswered_inbound": self.unanswered_inbound, "chats": self.chats, "customer_chats": self.customer_chats,
            "answered_chats": self.answered_chats, "response_rate": _ratio(self.response_rate),
            "converted_chats": self.converted_chats, "conversion": _ratio(self.conversion),
            "inbound": self.inbound, "outbound": self.outbound,
        }


@dataclass
class ResponderResult:
    name: str
    kind: str  # bot | manager
    first_response: Stats
    reply: Stats
    unanswered_inbound: int  # unanswered runs after this responder had answered the chat before
    chats: int  # chats where this responder wrote in the period
    messages: int
    sales_chats: int  # chats where the customer asked about price/stock/buying and this responder wrote
    spin_share: dict[str, float]  # stage → share of sales chats with at least one such question
    plan: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "first_response_sec": self.first_response.as_json(),
            "reply_sec": self.reply.as_json(), "unanswered_inbound": self.unanswered_inbound, "chats": self.chats,
            "messages": self.messages, "sales_chats": self.sales_chats,
            "spin": {stage: _ratio(share) for stage, share in self.spin_share.items()}, "spin_plan": self.plan,
        }


@dataclass
class ChatResult:
    key: str
    name: str
    phone: str
    channel: str
    responders: list[str]
    first_response_sec: float | None
    first_responder: str | None
    first_message_at: datetime | None  # the chat's first customer message, when it is in the period
    replies: int
    reply_median_sec: float | None
    inbound: int
    outbound: int
    unanswered_inbound: int
    advice: list[str]
    spin: list[str]  # stages used by the shop in the period (sales stages, in SPIN order)
    spin_by_responder: dict[str, list[str]]
    converted: bool
    last_message_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "chat": self.key, "name": self.name, "phone": self.phone, "channel": self.channel,
            "responders": self.responders, "first_responder": self.first_responder,
            "first_response_sec": None if self.first_response_sec is None else round(self.first_response_sec, 1),
            "replies": self.replies,
            "reply_median_sec": None if self.reply_median_sec is None else round(self.reply_median_sec, 1), "inbound": self.inbound, "outbound": self.outbound,
            "unanswered_inbound": self.unanswered_inbound, "advice": self.advice, "spin": self.spin,
            "converted": self.converted,
        }


@dataclass
class DayRow:
    day: date
    chats: int = 0
    inbound: int = 0
    outbound: int = 0
    new_chats: int = 0
    first_response: Stats | None = None
    reply: Stats | None = None
    unanswered_inbound: int = 0
    handoffs: int = 0
    tickets: int = 0
    conversions: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(), "chats": self.chats, "inbound": self.inbound, "outbound": self.outbound,
            "new_chats": self.new_chats,
            "first_response_sec": self.first_response.as_json() if self.first_response else None,
            "reply_sec": self.reply.as_json() if self.reply else None, "unanswered_inbound": self.unanswered_inbound,
            "handoffs": self.handoffs, "tickets": self.tickets, "conversions": self.conversions,
        }


@dataclass
class Report:
    period: Period
    work_hours: str
    timezone: str
    slow_first_reply_sec: float
    generated_at: datetime
    overall: Group
    responders: list[ResponderResult]
    channels: dict[str, Group]
    chats: list[ChatResult]
    days: list[DayRow]
    buckets: list[tuple[str, int]] = field(default_factory=list)
    handoffs: int = 0
    tickets: int = 0

    def responder(self, name: str) -> ResponderResult | None:
        return next((r for r in self.responders if r.name == name), None)

    def as_json(self) -> dict[str, Any]:
        overall = self.overall.as_json()
        overall.update(handoffs=self.handoffs, tickets=self.tickets)
        return {
            "period": {
                "kind": self.period.kind.value, "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(), "label": self.period.label(), "timezone": self.timezone,
                "work_hours": self.work_hours,
            },
            "generated_at": self.generated_at.isoformat(),
            "slow_first_reply_sec": self.slow_first_reply_sec,
            "responders": [r.as_json() for r in self.responders],
            "overall": overall,
            "channels": {name: group.as_json() for name, group in self.channels.items()},
            "first_response_buckets": [{"bucket": label, "chats": count} for label, count in self.buckets],
            "days": [d.as_json() for d in self.days],
            "chats": [c.as_json() for c in self.chats],
        }


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
