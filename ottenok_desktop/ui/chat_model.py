"""The open chat's messages as a Qt list model (oldest first), refreshed live.

`load(chat_id)` replaces everything with one query; `refresh()` appends new messages and
updates the statuses of recent ones (delivery ticks), touching only changed rows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ..services.storage import queries as q
from .context import Context

MESSAGE_ROLE = Qt.ItemDataRole.UserRole + 10
RECHECK_LAST = 40  # statuses change on recent messages only
PAGE = 300  # a chat opens with its newest messages; older ones load when scrolled to the top
ModelIndex = QModelIndex | QPersistentModelIndex


class ChatModel(QAbstractListModel):
    loaded = Signal(str)  # chat id, after a full load
    appended = Signal(int)  # how many new messages arrived

    def __init__(self, ctx: Context, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chat_id = ""
        self.rows: list[q.MessageRow] = []
        self._generation = 0
        self._refreshing = False
        self._again = False
        self.has_older = False
        self._loading_older = False

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == MESSAGE_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.text
        return None

    async def load(self, chat_id: str) -> None:
        self._generation += 1
        generation = self._generation
        rows = await self.ctx.db(q.chat_messages, chat_id, PAGE)
        if generation != self._generation:
            return  # the manager already clicked another chat
        self.beginResetModel()
        self.chat_id = chat_id
        self.rows = rows
        self.has_older = len(rows) >= PAGE
        self.endResetModel()
        self.loaded.emit(chat_id)

    async def load_older(self) -> int:
        """Prepend the previous page (the manager scrolled to the top); returns how many."""
        if not self.chat_id or not self.has_older or self._loading_older or not self.rows:
            return 0
        self._loading_older = True
        chat_id, generation = self.chat_id, self._generation
        try:
            older = await self.ctx.db(q.messages_before, chat_id, self.rows[0].id, PAGE)
        finally:
            self._loading_older = False
        if generation != self._generation or chat_id != self.chat_id:
            return 0
        self.has_older = len(older) >= PAGE
        if older:
            self.beginInsertRows(QModelIndex(), 0, len(older) - 1)
            self.rows[:0] = older
            self.endInsertRows()
        return len(older)

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.chat_id = ""
        self.rows = []
        self.endResetModel()

    async def refresh(self) -> None:
        """Bring in new messages and status changes of the open chat."""
        if not self.chat_id:
            return
        if self._refreshing:
            self._again = True  # coalesce bursts: one more pass after this one
            return
        self._refreshing = True
        try:
            while True:
                self._again = False
                await self._refresh_once()
                if not self._again:
                    break
        finally:
            self._refreshing = False

    async def _refresh_once(self) -> None:
        chat_id, generation = self.chat_id, self._generation
        last_id = max((r.id for r in self.rows), default=0)
        recent_ids = [r.id for r in self.rows[-RECHECK_LAST:]]
        new_rows = await self.ctx.db(q.messages_after, chat_id, last_id)
        updated = await self.ctx.db(q.messages_by_id, recent_ids)
        if generation != self._generation or chat_id != self.chat_id:
            return
        by_id = {r.id: r for r in updated}
        start = max(0, len(self.rows) - RECHECK_LAST)
        for i in range(start, len(self.rows)):
            fresh = by_id.get(self.rows[i].id)
            if fresh is not None and fresh != self.rows[i]:
                self.rows[i] = fresh
                index = self.index(i)
                self.dataChanged.emit(index, index)
        if new_rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new_rows) - 1)
            self.rows.extend(new_rows)
            self.endInsertRows()
            self.appended.emit(len(new_rows))
