"""Shop-time and number formatting for the views (pure functions, no widgets)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from . import strings as S


def shop_time(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """«14:05» today, «вчера 14:05», otherwise «12.11 14:05» — in the shop's time zone."""
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if (today - local.date()).days == 1:
        return "вчера " + local.strftime("%H:%M")
    return local.strftime("%d.%m %H:%M")


def due_time(moment: datetime, now: datetime, zone: tzinfo) -> str:
    """«сегодня 16:10», «завтра 13:00», otherwise «25.11 10:00»."""
    local = moment.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    if days == 0:
        return f"{S.TODAY} {local:%H:%M}"
    if days == 1:
        return f"{S.TOMORROW} {local:%H:%M}"
    return local.strftime("%d.%m %H:%M")


def money(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}".replace(",", " ")
