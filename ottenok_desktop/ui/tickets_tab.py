"""The tickets queue: WAITING and ASSIGNED tickets, «Взять в работу», «Завершить диалог».

Taking is decided by the engine (the first manager wins): a second click is told plainly
that someone else has the ticket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from ..services.storage import queries as q
from . import strings as S
from . import theme
from .context import Context
from .formatting import shop_time

if TYPE_CHECKING:
    from ottenok_desktop.engine.commands import Commands

ModelIndex = QModelIndex | QPersistentModelIndex


class TicketsModel(QAbstractTableModel):
    def __init__(self, ctx: Context, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[q.TicketRow] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return len(S.TICKET_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return S.TICKET_COLUMNS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        t = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            clock = self.ctx.engine.clock
            customer = f"{t.customer} · {S.BADGE_PARTNER}" if t.partner else t.customer
            return (
                str(t.id), customer, S.TICKET_KINDS.get(t.kind, t.kind), S.TICKET_STATUS.get(t.status, t.status),
                t.manager or "—", shop_time(t.created_at, clock.now(), clock.zone), t.summary.replace("\n", " "),
            )[index.column()]
        if role == Qt.ItemDataRole.BackgroundRole and t.status == "WAITING":
            return QColor(theme.ALERT_BG)
        if role == Qt.ItemDataRole.ForegroundRole and t.partner and index.column() == 1:
            return QColor(theme.ORDER)  # the chat list's partner badge colour
        if role == Qt.ItemDataRole.UserRole:
            return t
        return None

    def set_rows(self, rows: list[q.TicketRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


class TicketsTab(QWidget):
    open_chat = Signal(str)
    waiting_count = Signal(int)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = TicketsModel(ctx, self)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.take_button = QPushButton(S.TICKET_TAKE, self)
        self.take_button.setObjectName("primary")
        self.take_button.clicked.connect(self.take_selected)
        self.close_button = QPushButton(S.TICKET_CLOSE, self)
        self.close_button.clicked.connect(self.close_selected)
        self.open_button = QPushButton(S.TICKET_OPEN_CHAT, self)
        self.open_button.clicked.connect(self._open_selected)
        for b in (self.take_button, self.close_button, self.open_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel("", self)
        self.message.setObjectName("formMessage")
        layout.addWidget(self.message)
        self.empty = QLabel(S.TICKETS_EMPTY, self)
        self.empty.setObjectName("formMessage")
        layout.addWidget(self.empty)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self._open_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table, 1)
        self._update_buttons()

    @property
    def desk(self) -> "Commands | None":
        return self.ctx.engine.commands if self.ctx.engine is not None else None

    def selected(self) -> q.TicketRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(Qt.ItemDataRole.UserRole) if rows else None

    def select_ticket(self, ticket_id: int) -> None:
        for i, t in enumerate(self.model.rows):
            if t.id == ticket_id:
                self.table.selectRow(i)
                return

    def _update_buttons(self) -> None:
        t = self.selected()
        self.take_button.setEnabled(t is not None and t.status == "WAITING" and self.desk is not None)
        self.close_button.setEnabled(t is not None and t.status == "ASSIGNED" and self.desk is not None)
        self.open_button.setEnabled(t is not None)

    async def refresh(self) -> None:
        selected = self.selected()
        rows = await self.ctx.db(q.tickets)
        self.model.set_rows(rows)
        if selected is not None:
            self.select_ticket(selected.id)
        waiting = sum(1 for t in rows if t.status == "WAITING")
        self.waiting_count.emit(waiting)
        self.empty.setVisible(not rows)
        self._update_buttons()

    def take_selected(self) -> None:
        t = self.selected()
        if t is not None and self.desk is not None:
            self.take_button.setEnabled(False)
            self.ctx.run(self._take(t), name="ticket-take")

    async def _take(self, ticket: q.TicketRow) -> None:
        desk = self.desk
        assert desk is not None
        taken = await desk.take_ticket(ticket.id, self.ctx.manager)
        await self.refresh()
        if taken.won:
            self.message.setText(S.TICKET_TAKEN.format(id=ticket.id))
        elif taken.holder:
            self.message.setText(S.TICKET_TAKEN_BY.format(name=taken.holder))
        else:
            self.message.setText(S.TICKET_TAKEN_BY_OTHER)
        if taken.won:
            self.open_chat.emit(ticket.chat_id)

    def close_selected(self) -> None:
        t = self.selected()
        if t is not None and self.desk is not None:
            self.close_button.setEnabled(False)
            self.ctx.run(self._close(t), name="ticket-close")

    async def _close(self, ticket: q.TicketRow) -> None:
        desk = self.desk
        assert desk is not None
        await desk.close_ticket(ticket.id, self.ctx.manager)
        await self.refresh()
        self.message.setText(S.TICKET_CLOSED.format(id=ticket.id))

    def _open_selected(self) -> None:
        t = self.selected()
        if t is not None:
            self.open_chat.emit(t.chat_id)

    def on_ticket_changed(self, _event: Any) -> None:
        self.ctx.run(self.refresh(), name="tickets-refresh")
