"""The «Отчёты» tab: for a day, week or month — how fast the bot and each manager
answered (median and P90 in working time), what went unanswered, response rate and
conversion, charts (pyqtgraph), SPIN per responder, and the advice list (a click opens
the chat). The export button writes the same Excel workbook as the CLI.

The rows are loaded in steps at background priority (the engine's database work goes
first) and the report is computed in the executor; pyqtgraph is
imported when the tab first draws (not at console start-up).
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine.analytics.advice import advice_text
from ..engine.analytics.compute import build_report
from ..engine.analytics.model import MessageColumns, ReportInput, period_for
from ..engine.analytics.report import Report
from ..engine.analytics.summary import format_duration, percent
from ..services.reports.loader import load_period_in_steps
from . import strings as S
from .context import Context

log = logging.getLogger(__name__)
STAGES = ("situation", "problem", "implication", "need_payoff")
BLUE, ORANGE, GREY = (52, 120, 200), (235, 140, 40), (150, 150, 150)
BUCKET_COLORS = ((46, 160, 67), (110, 180, 60), (200, 190, 40), (235, 140, 40), (220, 80, 50), (180, 40, 40), GREY)
STAGE_COLORS = ((52, 120, 200), (235, 140, 40), (200, 60, 60), (46, 160, 67))


def _minutes(seconds: float | None) -> float:
    return 0.0 if seconds is None else round(seconds / 60.0, 1)


def _table(columns: tuple[str, ...], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    return table


def _headroom(plot: Any, top: float) -> None:
    """Room above the bars for the legend in the top-right corner."""
    plot.setYRange(0, top * 1.35, padding=0)


class ReportsTab(QWidget):
    open_chat = Signal(str)
    report_ready = Signal()

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Report | None = None
        self.report_input: ReportInput | None = None
        self.advice_chats: list[str] = []
        self.charts: dict[str, Any] = {}
        layout = QVBoxLayout(self)

        bar = QHBoxLayout()
        self.period = QComboBox(self)
        for key, label in S.REPORT_PERIODS:
            self.period.addItem(label, key)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd.MM.yyyy")
        today = ctx.engine.clock.local().date() if getattr(ctx.engine, "clock", None) else date.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        self.refresh_button = QPushButton(S.REPORT_REFRESH, self)
        self.export_button = QPushButton(S.REPORT_EXPORT, self)
        self.export_button.setEnabled(False)
        self.period.currentIndexChanged.connect(lambda _i: self.reload())
        self.date.dateChanged.connect(lambda _d: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export)
        for widget in (self.period, self.date, self.refresh_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.status = QLabel(S.REPORT_LOADING, self)
        self.status.setObjectName("formMessage")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        tiles = QHBoxLayout()
        self.tiles: dict[str, QLabel] = {}
        for key, title in S.REPORT_TILES:
            frame = QFrame(self)
            frame.setObjectName("reportTile")
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(frame)
            box.setContentsMargins(10, 6, 10, 6)
            caption = QLabel(title, frame)
            caption.setObjectName("reportTileCaption")
            value = QLabel("—", frame)
            value.setObjectName("reportTileValue")
            value.setStyleSheet("font-size: 20px; font-weight: 600;")
            box.addWidget(caption)
            box.addWidget(value)
            self.tiles[key] = value
            tiles.addWidget(frame, 1)
        layout.addLayout(tiles)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget(splitter)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel(S.REPORT_RESPONDERS_TITLE, left))
        self.responders = _table(S.REPORT_RESPONDER_COLUMNS, left)
        self.responders.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for col, tip in enumerate(S.REPORT_RESPONDER_TIPS):
            if tip:
                self.responders.horizontalHeaderItem(col).setToolTip(tip)
        lv.addWidget(self.responders, 2)
        lv.addWidget(QLabel(S.REPORT_ADVICE_TITLE, left))
        self.advice = _table(S.REPORT_ADVICE_COLUMNS, left)
        self.advice.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.advice.cellClicked.connect(self._on_advice_clicked)
        lv.addWidget(self.advice, 3)
        self.chart_area = QWidget(splitter)
        self.chart_grid = QGridLayout(self.chart_area)
        self.chart_grid.setContentsMargins(0, 0, 0, 0)
        splitter.addWidget(left)
        splitter.addWidget(self.chart_area)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([640, 760])
        layout.addWidget(splitter, 1)

    # ---- loading --------------------------------------------------------------------------------
    def selected_period(self) -> Any:
        qd = self.date.date()
        return period_for(self.period.currentData(), date(qd.year(), qd.month(), qd.day()), self.ctx.engine.clock.zone)

    def reload(self) -> None:
        self.ctx.run(self.refresh(), name="report", error_prefix=S.REPORT_FAILED)

    async def refresh(self) -> None:
        period = self.selected_period()
        self.status.setText(S.REPORT_LOADING)
        settings = self.ctx.engine.settings
        # the threshold as last set in the settings dialog (the scheduler holds it), else from start-up
        reports = self.ctx.engine.reports
        slow_sec = reports.slow_first_reply_sec if reports is not None else settings.slow_first_reply_minutes * 60.0
        report_input = await load_period_in_steps(self.ctx.engine.db, period, self.ctx.engine.executor)
        report = await self.ctx.in_executor(
            lambda: build_report(report_input, settings.work_hours, slow_first_reply_sec=slow_sec))
        if period != self.selected_period():
            return  # the picker moved on while this one was computed
        self.report_input, self.report = report_input, report
        self.show_report(report)
        self.report_ready.emit()

    # ---- showing --------------------------------------------------------------------------------
    def show_report(self, report: Report) -> None:
        o = report.overall
        self.export_button.setEnabled(o.chats > 0)
        self.status.setText(S.REPORT_EMPTY if o.chats == 0 else S.REPORT_READY.format(
            label=report.period.label(), hours=report.work_hours, zone=report.timezone))
        self.tiles["chats"].setText(str(o.chats))
        self.tiles["response_rate"].setText(percent(o.response_rate))
        self.tiles["unanswered"].setText(str(o.unanswered_inbound))
        self.tiles["first"].setText(f"{format_duration(o.first_response.median)} / {format_duration(o.first_response.p90)}")
        self.tiles["conversion"].setText(percent(o.conversion))
        self.tiles["handoffs"].setText(str(report.handoffs))
        self._fill_responders(report)
        self._fill_advice(report)
        self._draw(report)

    def _fill_responders(self, report: Report) -> None:
        self.responders.setRowCount(len(report.responders))
        for row, r in enumerate(report.responders):
            spin = "/".join(percent(r.spin_share[s]) for s in STAGES) if r.sales_chats else "—"
            values = (r.name, str(r.chats), format_duration(r.first_response.median), format_duration(r.first_response.p90),
                      format_duration(r.reply.median), format_duration(r.reply.p90), str(r.unanswered_inbound), spin)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0 and r.plan:
                    item.setToolTip("\n".join(r.plan))
                self.responders.setItem(row, col, item)

    def _fill_advice(self, report: Report) -> None:
        """One row per chat with advice (the worst first); the tooltip has the full texts."""
        rows = [c for c in report.chats if c.advice]
        self.advice_chats = [c.key for c in rows]
        self.advice.setRowCount(len(rows))
        for row, c in enumerate(rows):
            who = c.name or c.phone or c.key
            values = (who, "\n".join(S.REPORT_ADVICE_SHORT.get(code, code) for code in c.advice),
                      format_duration(c.first_response_sec), str(c.unanswered_inbound))
            tip = "\n".join([c.phone or c.key, *(advice_text(code, report.slow_first_reply_sec) for code in c.advice)])
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(tip)
                self.advice.setItem(row, col, item)
        self.advice.resizeRowsToContents()

    def _on_advice_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.advice_chats):
            self.open_chat.emit(self.advice_chats[row])

    # ---- charts ---------------------------------------------------------------------------------
    def _ensure_charts(self) -> Any:
        import pyqtgraph as pg  # imported on first draw: keeps console start-up light

        if self.charts:
            return pg
        pg.setConfigOptions(antialias=True, background="w", foreground=(60, 60, 60))
        titles = (("volume", S.CHART_VOLUME), ("day_time", S.CHART_DAY_TIME), ("buckets", S.CHART_BUCKETS),
                  ("responders", S.CHART_RESPONDERS), ("spin", S.CHART_SPIN))
        for i, (key, title) in enumerate(titles):
            plot = pg.PlotWidget(self.chart_area)
            plot.setObjectName(f"chart_{key}")
            plot.setTitle(title, size="10pt")
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(y=True, alpha=0.2)
            if key == "spin":
                self.chart_grid.addWidget(plot, i // 2, 0, 1, 2)
            else:
                self.chart_grid.addWidget(plot, i // 2, i % 2)
            self.charts[key] = plot
        return pg

    def _draw(self, report: Report) -> None:
        pg = self._ensure_charts()
        for plot in self.charts.values():
            plot.clear()
            if plot.plotItem.legend is not None:
                plot.plotItem.legend.clear()
        days = report.days
        day_ticks = [[(i, d.day.strftime("%d.%m")) for i, d in enumerate(days)]]
        if len(days) > 10:
            day_ticks = [[(i, d.day.strftime("%d.%m")) for i, d in enumerate(days) if i % 3 == 0]]
        volume = self.charts["volume"]
        volume.addLegend(offset=(-5, 5))
        xs = list(range(len(days)))
        volume.addItem(pg.BarGraphItem(x=[x - 0.2 for x in xs], height=[d.inbound for d in days], width=0.4,
                                       brush=BLUE, name=S.CHART_VOLUME_IN))
        volume.addItem(pg.BarGraphItem(x=[x + 0.2 for x in xs], height=[d.outbound for d in days], width=0.4,
                                       brush=ORANGE, name=S.CHART_VOLUME_OUT))
        volume.getAxis("bottom").setTicks(day_ticks)
        day_time = self.charts["day_time"]
        medians = [_minutes(d.first_response.median if d.first_response else None) for d in days]
        day_time.plot(xs, medians, pen=pg.mkPen(BLUE, width=2), symbol="o", symbolBrush=BLUE, symbolSize=7)
        day_time.getAxis("bottom").setTicks(day_ticks)
        day_time.setXRange(-0.5, max(len(days) - 0.5, 0.5))
        buckets = self.charts["buckets"]
        buckets.addItem(pg.BarGraphItem(x=list(range(len(report.buckets))), height=[n for _l, n in report.buckets],
                                        width=0.7, brushes=[pg.mkBrush(c) for c in BUCKET_COLORS]))
        buckets.getAxis("bottom").setTicks([list(enumerate(S.CHART_BUCKET_LABELS))])
        responders = self.charts["responders"]
        responders.addLegend(offset=(-5, 5))
        rs = report.responders
        rx = list(range(len(rs)))
        responders.addItem(pg.BarGraphItem(x=[x - 0.2 for x in rx], height=[_minutes(r.first_response.median) for r in rs],
                                           width=0.4, brush=BLUE, name=S.CHART_MEDIAN))
        responders.addItem(pg.BarGraphItem(x=[x + 0.2 for x in rx], height=[_minutes(r.first_response.p90) for r in rs],
                                           width=0.4, brush=ORANGE, name=S.CHART_P90))
        responders.getAxis("bottom").setTicks([[(i, r.name) for i, r in enumerate(rs)]])
        spin = self.charts["spin"]
        spin.addLegend(offset=(-5, 5), colCount=4)
        for k, stage in enumerate(STAGES):
            spin.addItem(pg.BarGraphItem(
                x=[x - 0.3 + 0.2 * k for x in rx], height=[round(r.spin_share[stage] * 100) for r in rs], width=0.2,
                brush=STAGE_COLORS[k], name=S.SPIN_SHORT[k]))
        spin.getAxis("bottom").setTicks([[(i, r.name) for i, r in enumerate(rs)]])
        spin.setYRange(0, 125)  # headroom for the legend
        _headroom(volume, max([d.inbound for d in days] + [d.outbound for d in days] + [1]))
        _headroom(responders, max([_minutes(r.first_response.p90) for r in rs] + [1.0]))

    # ---- export ---------------------------------------------------------------------------------
    def export(self) -> None:
        if self.report is None:
            return
        suggested = f"ottenok-{self.report.period.kind.value}-{self.report.period.first_day.isoformat()}.xlsx"
        name, _ = QFileDialog.getSaveFileName(self, S.REPORT_EXPORT, suggested, S.REPORT_EXPORT_FILTER)
        if name:
            self.ctx.run(self.export_to(Path(name)), name="report-export", error_prefix=S.REPORT_EXPORT_FAILED)

    async def export_to(self, path: Path) -> Path:
        from ..services.reports.workbook import write_workbook

        report, report_input = self.report, self.report_input
        assert report is not None and report_input is not None
        if isinstance(report_input.messages, MessageColumns) and report_input.messages.text is None:
            # the view loaded facts only; the messages sheet needs the texts
            report_input = await load_period_in_steps(self.ctx.engine.db, report.period, self.ctx.engine.executor,
                                                      texts=True)
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        await self.ctx.in_executor(write_workbook, report, path, report_input)
        self.status.setText(S.REPORT_EXPORTED.format(path=path))
        return path
