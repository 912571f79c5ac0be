"""The conversation list: a fetch-on-demand Qt model, a painting delegate and its panel.

The model holds only the rows loaded so far (pages of 200) and fetches more when the view
scrolls near the end (`canFetchMore`/`fetchMore`), so 10,000 chats cost one page. Live
updates are coalesced: touched chat ids are collected and refreshed together every
150 ms, each row moved to its place by the same order the database sorts by.
"""

from __future__ import annotations

import bisect
import logging
from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import (
    QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, QTimer, Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QButtonGroup, QHBoxLayout, QLineEdit, QListView, QPushButton, QStyle, QStyledItemDelegate,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from ..services.storage import queries as q
from . import strings as S
from . import theme
from .context import Context
from .formatting import shop_time

log = logging.getLogger(__name__)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
CHAT_ID_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE_SIZE = 200
ModelIndex = QModelIndex | QPersistentModelIndex


class ChatListModel(QAbstractListModel):
    loaded = Signal()  # a (re)load finished; tests and the panel wait on it
    counts_changed = Signal(dict)
    rows_moved = Signal()  # live updates reordered rows

    def __init__(self, ctx: Context, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.filter_name = q.FILTER_ALL
        self.search = ""
        self.rows: list[q.ChatRow] = []
        self._keys: list[tuple[int, float, float, int]] = []
        self.total = 0
        self._fetching = False
        self.mutating = False
        self._generation = 0  # a reload bumps it; results of older queries are ignored
        self._pending: set[str] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(150)
        self._flush.timeout.connect(self._start_flush)

    # ---- Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == CHAT_ID_ROLE:
            return row.chat_id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"+{row.phone}\n{row.last_text}"
        return None

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetching = True
            self.ctx.run(self._fetch_page(self._generation), name="chat-list-page")

    # ---- loading ------------------------------------------------------------------------------
    def set_filter(self, filter_name: str) -> None:
        self.filter_name = filter_name
        self.reload()

    def set_search(self, text: str) -> None:
        self.search = text
        self.reload()

    def reload(self) -> None:
        self._generation += 1
        self.ctx.run(self._reload(self._generation), name="chat-list-reload")

    async def _reload(self, generation: int) -> None:
        args = (self.filter_name, self.search, self.ctx.manager)
        total = await self.ctx.db(q.chat_count, *args)
        rows = await self.ctx.db(q.chat_page, *args, 0, PAGE_SIZE)
        if generation != self._generation:
            return
        self.beginResetModel()
        self.rows = rows
        self._keys = [r.sort_key() for r in rows]
        self.total = total
        self._fetching = False
        self.endResetModel()
        self.loaded.emit()
        await self._refresh_counts()

    async def _fetch_page(self, generation: int) -> None:
        try:
            page = await self.ctx.db(q.chat_page, self.filter_name, self.search, self.ctx.manager, len(self.rows), PAGE_SIZE)
        finally:
            self._fetching = False
        if generation != self._generation:
            return
        known = {r.chat_id for r in self.rows}
        fresh = [r for r in page if r.chat_id not in known]  # rows may have moved between pages
        if not fresh:
            self.total = len(self.rows)
            return
        start = len(self.rows)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self.rows.extend(fresh)
        self._keys.extend(r.sort_key() for r in fresh)
        self.endInsertRows()

    async def _refresh_counts(self) -> None:
        counts = await self.ctx.db(q.filter_counts, self.ctx.manager)
        self.counts_changed.emit(counts)

    # ---- live updates ---------------------------------------------------------------------------
    def on_chat_touched(self, chat_id: str) -> None:
        self._pending.add(chat_id)
        if not self._flush.isActive():
            self._flush.start()

    def _start_flush(self) -> None:
        ids = sorted(self._pending)
        self._pending.clear()
        if ids:
            self.ctx.run(self._apply(ids, self._generation), name="chat-list-live")

    async def _apply(self, chat_ids: list[str], generation: int) -> None:
        args = (self.filter_name, self.search, self.ctx.manager)
        fresh = await self.ctx.db(q.chat_rows, chat_ids)
        matching = await self.ctx.db(q.chat_matches, chat_ids, *args)
        total = await self.ctx.db(q.chat_count, *args)
        if generation != self._generation:
            return
        self.total = total
        self.mutating = True  # rows move: the view's current index may shift, not the manager's choice
        try:
            for row in fresh:
                self._remove(row.chat_id)
                if row.chat_id in matching:
                    self._insert(row)
        finally:
            self.mutating = False
        self.total = max(total, len(self.rows))
        self.rows_moved.emit()
        await self._refresh_counts()

    def _remove(self, chat_id: str) -> None:
        for i, row in enumerate(self.rows):
            if row.chat_id == chat_id:
                self.beginRemoveRows(QModelIndex(), i, i)
                del self.rows[i]
                del self._keys[i]
                self.endRemoveRows()
                return

    def _insert(self, row: q.ChatRow) -> None:
        key = row.sort_key()
        pos = bisect.bisect_left(self._keys, key)
        if pos == len(self.rows) and len(self.rows) < self.total - 1:
            return  # it sorts below the loaded part; fetchMore will bring it in order
        self.beginInsertRows(QModelIndex(), pos, pos)
        self.rows.insert(pos, row)
        self._keys.insert(pos, key)
        self.endInsertRows()

    def row_of(self, chat_id: str) -> int:
        for i, row in enumerate(self.rows):
            if row.chat_id == chat_id:
                return i
        return -1


class ChatListDelegate(QStyledItemDelegate):
    """Paints one chat per row: name, wait time, last text, badges. No widgets per row."""

    ROW_HEIGHT = 66

    def __init__(self, now: Callable[[], datetime], zone: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self._now = now
        self._zone = zone
        self._title_font = QFont()
        self._title_font.setBold(True)
        self._small_font = QFont()
        self._small_font.setPointSizeF(max(7.0, self._small_font.pointSizeF() - 1.5))

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return QSize(280, self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        row: q.ChatRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, QColor(theme.SELECTION))
        elif row.needs_human and not row.closed:
            painter.fillRect(rect, QColor(theme.ALERT_BG))
        # owner stripe on the left: who is answering this customer
        stripe = theme.MANAGER if row.owner == "manager" else theme.BOT
        if row.needs_human and row.owner != "manager":
            stripe = theme.ALERT
        painter.fillRect(QRect(rect.left(), rect.top() + 6, 4, rect.height() - 12), QColor(stripe))

        left = rect.left() + 14
        right = rect.right() - 10
        now = self._now()
        # right column: wait time or last activity
        painter.setFont(self._small_font)
        small = QFontMetrics(self._small_font)
        if row.waiting_since is not None and not row.closed:
            corner = S.waiting_for((now - row.waiting_since).total_seconds())
            painter.setPen(QColor(theme.ALERT if row.needs_human else theme.WAIT))
        else:
            corner = shop_time(row.updated_at, now, self._zone)
            painter.setPen(QColor(theme.MUTED))
        corner_w = small.horizontalAdvance(corner)
        painter.drawText(QRect(right - corner_w, rect.top() + 8, corner_w + 2, small.height()), Qt.AlignmentFlag.AlignRight, corner)

        painter.setFont(self._title_font)
        painter.setPen(QColor(theme.TEXT))
        title_fm = QFontMetrics(self._title_font)
        title_w = right - corner_w - 10 - left
        painter.drawText(QRect(left, rect.top() + 6, title_w, title_fm.height()), Qt.AlignmentFlag.AlignLeft,
                         title_fm.elidedText(row.title, Qt.TextElideMode.ElideRight, title_w))

        # badges on the bottom-right
        badges: list[tuple[str, str]] = [
            (S.CHANNEL_BADGES.get(row.channel, row.channel), theme.TELEGRAM if row.channel == "telegram" else theme.WHATSAPP)]
        if row.unanswered:
            badges.append((str(row.unanswered), theme.ALERT if row.needs_human else theme.BADGE))
        if row.open_tickets:
            badges.append((S.BADGE_TICKET, theme.TICKET))
        if row.confirmed_orders:
            badges.append((S.BADGE_ORDER, theme.ORDER))
        if row.owner == "manager":
            badges.append((row.owner_name or S.OWNER_MANAGER, theme.MANAGER))
        if row.language in ("kk", "mixed"):
            badges.append((S.BADGE_KAZAKH, theme.MANAGER))
        if row.partner:
            badges.append((S.BADGE_PARTNER, theme.ORDER))
        painter.setFont(self._small_font)
        x = right
        y = rect.top() + 34
        for text, color in reversed(badges):
            w = small.horizontalAdvance(text) + 12
            pill = QRect(x - w, y, w, small.height() + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(color))
            painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
            painter.setPen(QPen(QColor("#ffffff")))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
            x -= w + 4

        # last text, elided to what is left
        painter.setPen(QColor(theme.MUTED))
        text_w = max(20, x - 6 - left)
        last = row.last_text.replace("\n", " ")
        if row.needs_human and row.handoff_reason and not row.closed:
            last = f"⚠ {row.handoff_reason} · {last}"
        painter.drawText(QRect(left, y, text_w, small.height() + 4), Qt.AlignmentFlag.AlignVCenter,
                         small.elidedText(last, Qt.TextElideMode.ElideRight, text_w))
        painter.setPen(QColor(theme.DIVIDER))
        painter.drawLine(rect.left() + 12, rect.bottom(), rect.right(), rect.bottom())
        painter.restore()


FILTER_LABELS = (
    (q.FILTER_ALL, S.FILTER_ALL),
    (q.FILTER_NEEDS_HUMAN, S.FILTER_NEEDS_HUMAN),
    (q.FILTER_BOT, S.FILTER_BOT),
    (q.FILTER_MINE, S.FILTER_MINE),
    (q.FILTER_CLOSED, S.FILTER_CLOSED),
    (q.FILTER_WHATSAPP, S.FILTER_WHATSAPP),
    (q.FILTER_TELEGRAM, S.FILTER_TELEGRAM),
)


class ChatListPanel(QWidget):
    """Filters + search + the list. Emits `chat_selected(chat_id)`."""

    chat_selected = Signal(str)

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatListPanel")
        self.ctx = ctx
        self.model = ChatListModel(ctx, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(S.SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        filters = QHBoxLayout()
        filters.setSpacing(4)
        self.filter_buttons: dict[str, QPushButton] = {}
        self._group = QButtonGroup(self)
        for name, label in FILTER_LABELS:
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.setProperty("filter", True)
            button.setChecked(name == q.FILTER_ALL)
            button.clicked.connect(lambda _=False, n=name: self.model.set_filter(n))
            self._group.addButton(button)
            self.filter_buttons[name] = button
            filters.addWidget(button)
        filters.addStretch(1)
        layout.addLayout(filters)
        self.view = QListView(self)
        self.view.setObjectName("chatList")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # with fixed row height: O(1) layout for any count
        self.view.setItemDelegate(ChatListDelegate(ctx.engine.clock.now, ctx.engine.clock.zone, self.view))
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        layout.addWidget(self.view, 1)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(lambda: self.model.set_search(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.counts_changed.connect(self.on_counts_changed)
        self.model.modelReset.connect(self._reselect)
        self.model.rows_moved.connect(self._reselect)
        # waiting times grow: repaint every 30 s without touching the data
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self.view.viewport().update)
        self._tick.start()
        self._selected = ""

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self.model.mutating:
            return
        chat_id = current.data(CHAT_ID_ROLE) if current.isValid() else None
        if chat_id and chat_id != self._selected:
            self._selected = chat_id
            self.chat_selected.emit(chat_id)

    def _reselect(self) -> None:
        if self._selected:
            row = self.model.row_of(self._selected)
            selection = self.view.selectionModel()
            if row >= 0:
                if self.view.currentIndex().row() != row:
                    self.model.mutating = True
                    try:
                        self.view.setCurrentIndex(self.model.index(row))
                    finally:
                        self.model.mutating = False
            else:
                self.model.mutating = True
                try:
                    selection.clear()
                finally:
                    self.model.mutating = False

    def select_chat(self, chat_id: str) -> None:
        """Open a chat from elsewhere (tickets, alerts); works even if it is not loaded."""
        self._selected = chat_id
        self._reselect()
        row = self.model.row_of(chat_id)
        if row >= 0:
            self.view.scrollTo(self.model.index(row))
        self.chat_selected.emit(chat_id)

    def on_counts_changed(self, counts: dict[str, int]) -> None:
        for name, label in FILTER_LABELS:
            count = counts.get(name, 0)
            self.filter_buttons[name].setText(f"{label} {count}" if count else label)
