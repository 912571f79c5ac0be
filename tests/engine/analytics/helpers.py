"""Builds report inputs from short scripts: (shop time "HH:MM" or "D HH:MM", who, text)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ottenok_desktop.engine.analytics.model import ChatInfo, Msg, ReportInput, Side, period_for, responder_for

ALMATY = ZoneInfo("Asia/Almaty")
DAY = date(2026, 11, 24)  # a Tuesday


def at(clock: str, day: date = DAY, zone: ZoneInfo = ALMATY) -> float:
    """"10:05" → that time on `day`; "+1 09:05" → the next day."""
    offset = 0
    if " " in clock:
        shift, clock = clock.split(" ")
        offset = int(shift)
    hour, minute = (int(x) for x in clock.split(":"))
    d = day + timedelta(days=offset)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=zone).timestamp()


def msg(chat: str, clock: str, who: str, text: str = "ок", day: date = DAY) -> Msg:
    """who: "c" customer, "bot", or "manager_app:Асель" / "manager_phone:" (no name)."""
    if who == "c":
        return Msg(chat, at(clock, day), Side.CUSTOMER, "", "", text)
    kind, _, name = who.partition(":")
    responder = responder_for(kind, name)
    assert responder is not None
    return Msg(chat, at(clock, day), Side.SHOP, responder[0], responder[1], text)


def report_input(messages: list[Msg], *, kind: str = "day", day: date = DAY, channel: str = "whatsapp",
                 **extra: object) -> ReportInput:
    chats = {m.chat: ChatInfo(m.chat, name=m.chat.title(), channel=channel) for m in messages}
    return ReportInput(period_for(kind, day, ALMATY), chats, messages, **extra)  # type: ignore[arg-type]
