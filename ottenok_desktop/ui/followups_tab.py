"""The Follow-ups tab: each chat's next nudge («сегодня 16:10», «завтра 13:00»), cancel one,
pause them all."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..services.storage import queries as q
from . import strings as S
from .context import Context
from .formatting import due_time


class FollowupsTab(QWidget):
    open_chat = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[q.NudgeRow] = []
        self.paused = False
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.cancel_button = QPushButton(S.FOLLOWUP_CANCEL, self)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.pause_button = QPushButton(S.FOLLOWUP_PAUSE, self)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.pause_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.status = QLabel(S.FOLLOWUP_EMPTY, self)
        self.status.setObjectName("formMessage")
        layout.addWidget(self.status)
        self.table = QTableWidget(0, len(S.FOLLOWUP_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(S.FOLLOWUP_COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        layout.addWidget(self.table, 1)
        enabled = self.followups is not None
        self.cancel_button.setEnabled(enabled)
        self.pause_button.setEnabled(enabled)

    @property
    def followups(self) -> Any:
        return getattr(self.ctx.engine, "followups", None)

    async def refresh(self) -> None:
        self.rows = await self.ctx.db(q.scheduled_nudges)
        clock = self.ctx.engine.clock
        now = clock.now()
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            values = (row.customer, S.FOLLOWUP_NUMBER.format(number=row.number), due_time(row.due_at, now, clock.zone))
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row.chat_id)
                self.table.setItem(i, j, item)
        if self.paused:
            self.status.setText(S.FOLLOWUP_PAUSED)
        else:
            self.status.setText("" if self.rows else S.FOLLOWUP_EMPTY)

    def selected(self) -> q.NudgeRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def cancel_selected(self) -> None:
        row = self.selected()
        if row is not None and self.followups is not None:
            self.ctx.run(self._cancel(row.chat_id), name="nudge-cancel")

    async def _cancel(self, chat_id: str) -> None:
        await self.ctx.engine.commands.cancel_nudges(chat_id, self.ctx.manager)
        await self.refresh()

    def set_paused(self, paused: bool) -> None:
        if self.followups is None:
            return
        self.paused = paused
        self.pause_button.setText(S.FOLLOWUP_RESUME if paused else S.FOLLOWUP_PAUSE)
        self.ctx.run(self._pause(paused), name="nudge-pause")

    async def _pause(self, paused: bool) -> None:
        await self.ctx.engine.commands.pause_nudges(paused, self.ctx.manager)
        await self.refresh()

    def _open(self, index: Any) -> None:
        if 0 <= index.row() < len(self.rows):
            self.open_chat.emit(self.rows[index.row()].chat_id)

    def on_nudge_changed(self, _event: Any) -> None:
        self.ctx.run(self.refresh(), name="nudges-refresh")
