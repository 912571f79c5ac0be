"""Loud alerts when a customer needs a human: tray badge, desktop notification and a
sound, repeated until a manager takes the chat.

The set of chats needing a human comes from the database (`needs_human` and not owned by
a manager), refreshed on events, so an alert survives restarts and ends for everyone
once anyone takes the chat. QtMultimedia is not in PySide6-Essentials: the sound is
`QApplication.beep()`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

from ..services.storage import queries as q
from . import strings as S
from . import theme
from .context import Context

REPEAT_MS = 45_000


def badge_icon(base: QIcon, count: int, size: int = 64) -> QIcon:
    """The app icon with a red count in the corner."""
    pixmap = base.pixmap(size, size) if not base.isNull() else QPixmap(size, size)
    if base.isNull():
        pixmap.fill(QColor(theme.BOT))
    if count <= 0:
        return QIcon(pixmap)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    d = size // 2
    rect = QRect(size - d, 0, d, d)
    painter.setBrush(QColor(theme.ALERT))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(rect)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(d * 0.6))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count) if count < 100 else "99+")
    painter.end()
    return QIcon(pixmap)


class AlertManager(QObject):
    pending_changed = Signal(int)
    open_chat = Signal(str)
    show_window = Signal()

    def __init__(self, ctx: Context, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.icon = icon
        self.pending: dict[str, str] = {}  # chat id -> "name: reason"
        self.alerts_shown = 0
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, self)
            menu = QMenu()
            menu.addAction(S.TRAY_SHOW).triggered.connect(self.show_window.emit)
            self.tray.setContextMenu(menu)
            self._menu = menu
            self.tray.activated.connect(lambda _reason: self.show_window.emit())
            self.tray.messageClicked.connect(self._open_first)
            self.tray.show()
        self._repeat = QTimer(self)
        self._repeat.setInterval(REPEAT_MS)
        self._repeat.timeout.connect(self._alert)

    def _open_first(self) -> None:
        self.show_window.emit()
        if self.pending:
            self.open_chat.emit(next(iter(self.pending)))

    async def refresh(self) -> None:
        rows = await self.ctx.db(q.chat_page, q.FILTER_NEEDS_HUMAN, "", self.ctx.manager, 0, 500)
        waiting = {r.chat_id: f"{r.title}: {r.handoff_reason or S.BADGE_NEEDS_HUMAN}" for r in rows if r.owner != "manager"}
        new = [c for c in waiting if c not in self.pending]
        self.pending = waiting
        self._update_badge()
        if new:
            self._alert(first=new[0])
        if self.pending and not self._repeat.isActive():
            self._repeat.start()
        elif not self.pending:
            self._repeat.stop()

    def _update_badge(self) -> None:
        count = len(self.pending)
        if self.tray is not None:
            self.tray.setIcon(badge_icon(self.icon, count))
            self.tray.setToolTip(S.TRAY_TOOLTIP.format(count=count))
        self.pending_changed.emit(count)

    def _alert(self, first: str | None = None) -> None:
        if not self.pending:
            return
        self.alerts_shown += 1
        QApplication.beep()
        text = self.pending.get(first or "", "") or S.ALERT_SUMMARY.format(count=len(self.pending))
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(S.ALERT_TITLE, text, QSystemTrayIcon.MessageIcon.Warning, 10_000)
        window = QApplication.activeWindow() or _main_window()
        if window is not None:
            QApplication.alert(window, 0)  # flashes the taskbar entry until the window is active

    def on_chat_changed(self, _event: Any) -> None:
        self.ctx.run(self.refresh(), name="alerts")

    def stop(self) -> None:
        self._repeat.stop()
        if self.tray is not None:
            self.tray.hide()


def _main_window() -> Any:
    for widget in QApplication.topLevelWidgets():
        if widget.objectName() == "mainWindow":
            return widget
    return None
