"""The report as an Excel workbook (XlsxWriter): the predecessor's sheets — chats,
messages, managers, channels, advice, SPIN per manager and per chat, improvement plans —
plus a summary and per-day rows, with native Excel charts. Russian headers, set widths,
frozen header row. Times are shown in working minutes (the JSON keeps seconds).

XlsxWriter rather than openpyxl: it writes charts Excel renders natively and streams
rows (`constant_memory`), so a month of messages does not sit in memory twice.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from ottenok_desktop.engine.analytics import texts as T
from ottenok_desktop.engine.analytics.advice import advice_text
from ottenok_desktop.engine.analytics.model import MessageColumns, ReportInput
from ottenok_desktop.engine.analytics.report import Report
from ottenok_desktop.engine.analytics.stats import Stats

MAX_TEXT = 2000  # characters of a message kept in a cell


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 1)


def _stat_minutes(s: Stats | None, attr: str) -> float | None:
    return None if s is None else _minutes(getattr(s, attr))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


class _Book:
    def __init__(self, path: Path) -> None:
        import xlsxwriter  # imported when a workbook is written (nothing heavy at import time)

        self.wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_urls": False,
                                                   "default_date_format": "dd.mm.yyyy hh:mm"})
        self.header = self.wb.add_format({"bold": True, "bg_color": "#EFEFEF", "text_wrap": True, "valign": "top",
                                          "border": 1})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.when = self.wb.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        self.day = self.wb.add_format({"num_format": "dd.mm.yyyy"})
        self.bold = self.wb.add_format({"bold": True})

    def sheet(self, name: str, headers: Sequence[str], widths: Sequence[float]) -> Any:
        ws = self.wb.add_worksheet(name)
        for col, (title, width) in enumerate(zip(headers, widths)):
            ws.set_column(col, col, width)
            ws.write(0, col, title, self.header)
        ws.set_row(0, 32)
        ws.freeze_panes(1, 0)
        return ws

    def rows(self, ws: Any, rows: Sequence[Sequence[Any]], start: int = 1, formats: dict[int, Any] | None = None) -> int:
        formats = formats or {}
        for r, row in enumerate(rows, start=start):
            for c, value in enumerate(row):
                if value is None:
                    continue
                fmt = formats.get(c)
                if isinstance(value, datetime):
                    ws.write_datetime(r, c, value.replace(tzinfo=None), fmt or self.when)
                else:
                    ws.write(r, c, value, fmt) if fmt else ws.write(r, c, value)
        return start + len(rows)


def write_workbook(report: Report, path: Path, report_input: ReportInput | None = None) -> Path:
    """Write the workbook to `path` (blocking: call it in an executor)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path)
    _summary(book, report)
    _days(book, report)
    _responders(book, report)
    _channels(book, report)
    _chats(book, report)
    _advice(book, report)
    _spin(book, report)
    if report_input is not None:
        _messages(book, report, report_input)
    book.wb.close()
    return path


def _summary(book: _Book, report: Report) -> None:
    s, o = T.SUMMARY_ROWS, report.overall
    ws = book.sheet(T.SHEET_SUMMARY, ("", ""), (42, 24))
    rows = [
        (s["period"], report.period.label()), (s["work_hours"], report.work_hours), (s["timezone"], report.timezone),
        (s["chats"], o.chats), (s["customer_chats"], o.customer_chats), (s["answered_chats"], o.answered_chats),
        (s["response_rate"], _percent(o.response_rate)), (s["first_median"], _stat_minutes(o.first_response, "median")),
        (s["first_p90"], _stat_minutes(o.first_response, "p90")), (s["reply_median"], _stat_minutes(o.reply, "median")),
        (s["reply_p90"], _stat_minutes(o.reply, "p90")), (s["unanswered"], o.unanswered_inbound),
        (s["conversion"], _percent(o.conversion)), (s["handoffs"], report.handoffs), (s["tickets"], report.tickets),
        (s["note"], ""),
    ]
    ws.write_row(0, 0, rows[0], book.bold)
    book.rows(ws, rows[1:], start=1)
    start = len(rows) + 1
    ws.write_row(start, 0, T.BUCKETS_HEADER, book.header)
    end = book.rows(ws, [(label, count) for label, count in report.buckets], start=start + 1)
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({"categories": [T.SHEET_SUMMARY, start + 1, 0, end - 1, 0],
                      "values": [T.SHEET_SUMMARY, start + 1, 1, end - 1, 1], "name": T.CHART_BUCKETS,
                      "data_labels": {"value": True}})
    chart.set_title({"name": T.CHART_BUCKETS})
    chart.set_legend({"none": True})
    ws.insert_chart(1, 3, chart, {"x_scale": 1.3, "y_scale": 1.2})


def _days(book: _Book, report: Report) -> None:
    ws = book.sheet(T.SHEET_DAYS, T.DAY_HEADERS, (12, 8, 10, 10, 10, 14, 14, 14, 10, 12, 11, 12))
    rows = [(
        datetime(d.day.year, d.day.month, d.day.day), d.chats, d.inbound, d.outbound, d.new_chats,
        _stat_minutes(d.first_response, "median"), _stat_minutes(d.first_response, "p90"),
        _stat_minutes(d.reply, "median"), d.unanswered_inbound, d.handoffs, d.tickets, d.conversions,
    ) for d in report.days]
    end = book.rows(ws, rows, formats={0: book.day})
    last = end - 1
    volume = book.wb.add_chart({"type": "column"})
    for col in (1, 2, 3):
        volume.add_series({"name": [T.SHEET_DAYS, 0, col], "categories": [T.SHEET_DAYS, 1, 0, last, 0],
                           "values": [T.SHEET_DAYS, 1, col, last, col]})
    volume.set_title({"name": T.CHART_DAYS})
    volume.set_x_axis({"date_axis": True, "num_format": "dd.mm"})
    ws.insert_chart(len(rows) + 2, 0, volume, {"x_scale": 1.4})
    speed = book.wb.add_chart({"type": "line"})
    for col in (5, 6):
        speed.add_series({"name": [T.SHEET_DAYS, 0, col], "categories": [T.SHEET_DAYS, 1, 0, last, 0],
                          "values": [T.SHEET_DAYS, 1, col, last, col], "marker": {"type": "circle"}})
    speed.set_title({"name": T.CHART_DAYS_TIME})
    speed.set_x_axis({"date_axis": True, "num_format": "dd.mm"})
    ws.insert_chart(len(rows) + 2, 7, speed, {"x_scale": 1.4})


def _responders(book: _Book, report: Report) -> None:
    ws = book.sheet(T.SHEET_RESPONDERS, T.RESPONDER_HEADERS, (20, 10, 8, 11, 10, 14, 14, 14, 9, 14, 14, 14))
    rows = [(
        r.name, T.KIND_NAMES.get(r.kind, r.kind), r.chats, r.messages, r.first_response.count,
        _minutes(r.first_response.median), _minutes(r.first_response.p90), _minutes(r.first_response.mean),
        r.reply.count, _minutes(r.reply.median), _minutes(r.reply.p90), r.unanswered_inbound,
    ) for r in report.responders]
    book.rows(ws, rows)
    if rows:
        chart = book.wb.add_chart({"type": "bar"})
        for col, name in ((5, T.SERIES_MEDIAN), (6, T.SERIES_P90)):
            chart.add_series({"name": name, "categories": [T.SHEET_RESPONDERS, 1, 0, len(rows), 0],
                              "values": [T.SHEET_RESPONDERS, 1, col, len(rows), col], "data_labels": {"value": True}})
        chart.set_title({"name": T.CHART_RESPONDERS})
        ws.insert_chart(len(rows) + 2, 0, chart, {"x_scale": 1.4, "y_scale": 1.2})


def _channels(book: _Book, report: Report) -> None:
    ws = book.sheet(T.SHEET_CHANNELS, T.CHANNEL_HEADERS, (14, 8, 12, 14, 14, 14, 10, 10, 10, 10))
    book.rows(ws, [(
        name, g.chats, _percent(g.response_rate), _stat_minutes(g.first_response, "median"),
        _stat_minutes(g.first_response, "p90"), _stat_minutes(g.reply, "median"), g.unanswered_inbound, g.inbound,
        g.outbound, _percent(g.conversion),
    ) for name, g in report.channels.items()])


def _chats(book: _Book, report: Report) -> None:
    ws = book.sheet(T.SHEET_CHATS, T.CHAT_HEADERS, (22, 18, 14, 10, 22, 14, 11, 8, 12, 9, 9, 9, 10, 8))
    book.rows(ws, [(
        c.key, c.name, c.phone, c.channel, ", ".join(c.responders), c.first_responder, _minutes(c.first_response_sec),
        c.replies, _minutes(c.reply_median_sec), c.inbound, c.outbound, c.unanswered_inbound,
        T.YES if c.converted else T.NO, len(c.advice),
    ) for c in report.chats])
    ws.autofilter(0, 0, max(len(report.chats), 1), len(T.CHAT_HEADERS) - 1)


def _advice(book: _Book, report: Report) -> None:
    ws = book.sheet(T.SHEET_ADVICE, T.ADVICE_HEADERS, (22, 18, 18, 70))
    rows = [(c.key, c.name, code, advice_text(code, report.slow_first_reply_sec)) for c in report.chats for code in c.advice]
    book.rows(ws, rows, formats={3: book.wrap})
    ws.autofilter(0, 0, max(len(rows), 1), 3)


def _spin(book: _Book, report: Report) -> None:
    stages = ("situation", "problem", "implication", "need_payoff")
    ws = book.sheet(T.SHEET_SPIN_RESPONDERS, T.SPIN_RESPONDER_HEADERS, (20, 12, 8, 8, 8, 8))
    rows = [(r.name, r.sales_chats, *(_percent(r.spin_share[s]) for s in stages)) for r in report.responders]
    book.rows(ws, rows)
    if rows:
        chart = book.wb.add_chart({"type": "column"})
        for i in range(4):
            chart.add_series({"name": [T.SHEET_SPIN_RESPONDERS, 0, 2 + i],
                              "categories": [T.SHEET_SPIN_RESPONDERS, 1, 0, len(rows), 0],
                              "values": [T.SHEET_SPIN_RESPONDERS, 1, 2 + i, len(rows), 2 + i]})
        chart.set_title({"name": T.CHART_SPIN})
        chart.set_y_axis({"max": 100, "min": 0})
        ws.insert_chart(len(rows) + 2, 0, chart, {"x_scale": 1.4})
    ws = book.sheet(T.SHEET_SPIN_CHATS, T.SPIN_CHAT_HEADERS, (22, 20, 5, 5, 5, 5))
    book.rows(ws, [(c.key, name, *(1 if s in used else 0 for s in stages))
                   for c in report.chats for name, used in c.spin_by_responder.items()])
    ws = book.sheet(T.SHEET_PLANS, T.PLAN_HEADERS, (20, 110))
    book.rows(ws, [(r.name, line) for r in report.responders for line in r.plan], formats={1: book.wrap})


def _messages(book: _Book, report: Report, report_input: ReportInput) -> None:
    ws = book.sheet(T.SHEET_MESSAGES, T.MESSAGE_HEADERS, (22, 16, 10, 18, 90))
    raw = report_input.messages
    cols = raw if isinstance(raw, MessageColumns) else MessageColumns.from_msgs(raw)
    if cols.text is None:
        raise ValueError("the workbook's messages sheet needs the texts: load the period with texts=True")
    texts = cols.text
    zone = report.period.zone
    start, end = report.period.start.timestamp(), report.period.end.timestamp()
    import numpy as np

    inside = np.flatnonzero((cols.at >= start) & (cols.at < end))
    inside = inside[np.lexsort((cols.at[inside], cols.chat[inside]))]
    for row, i in enumerate(inside.tolist(), start=1):
        r = int(cols.responder[i])
        ws.write_string(row, 0, cols.keys[int(cols.chat[i])])
        ws.write_datetime(row, 1, datetime.fromtimestamp(float(cols.at[i]), zone).replace(tzinfo=None), book.when)
        ws.write_string(row, 2, T.SIDE_NAMES["customer" if r < 0 else "shop"])
        ws.write_string(row, 3, "" if r < 0 else cols.responders[r][1])
        ws.write_string(row, 4, texts[i][:MAX_TEXT])
