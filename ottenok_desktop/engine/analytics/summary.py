"""Short Russian texts about a report: durations for people, and the headline message of
the daily/weekly report (sent with the chart image)."""

from __future__ import annotations

from . import texts as T
from .report import Report


def format_duration(seconds: float | None) -> str:
    """42 → «42 с», 250 → «4 мин 10 с», 3900 → «1 ч 5 мин», 7200 → «2 ч»; None → «—»."""
    if seconds is None:
        return T.NO_VALUE
    total = int(round(seconds))
    if total < 60:
        return T.DURATION_SECONDS.format(s=total)
    minutes, secs = divmod(total, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return T.DURATION_HOURS.format(h=hours, m=minutes) if minutes else T.DURATION_HOURS_ONLY.format(h=hours)
    if minutes >= 10 or secs == 0:
        return T.DURATION_MINUTES.format(m=minutes)
    return T.DURATION_MINUTES_SECONDS.format(m=minutes, s=secs)


def percent(value: float | None) -> str:
    return T.NO_VALUE if value is None else f"{round(value * 100)}"


def headline_text(report: Report) -> str:
    """The report's headline figures as a few lines of Russian."""
    o = report.overall
    lines = [T.REPORT_TITLE[report.period.kind.value].format(label=report.period.label())]
    lines.append(T.REPORT_LINE_CHATS.format(chats=o.chats, rate=percent(o.response_rate), answered=o.answered_chats,
                                            customer_chats=o.customer_chats))
    for r in report.responders:
        if r.first_response.count:
            lines.append(T.REPORT_LINE_RESPONDER.format(
                name=r.name, median=format_duration(r.first_response.median), p90=format_duration(r.first_response.p90),
                count=r.first_response.count))
        elif r.chats:
            lines.append(T.REPORT_LINE_NO_FIRST.format(name=r.name))
    lines.append(T.REPORT_LINE_UNANSWERED.format(unanswered=o.unanswered_inbound))
    lines.append(T.REPORT_LINE_CONVERSION.format(conversion=percent(o.conversion)))
    lines.append(T.REPORT_LINE_ADVICE.format(count=sum(1 for c in report.chats if c.advice)))
    return "\n".join(lines)
