"""«Клиент (демо)»: a phone-like window to write to the shop as a customer in demo mode.

Messages go in through the GREEN-API sandbox exactly like a real customer's, so the
whole engine runs; the window shows the conversation from the customer's side (their
messages on the right) from the same database the console reads. When the demo runs a
Telegram sandbox too (OTTENOK_DEMO_TELEGRAM=1), a button switches to writing as a
Telegram customer (through that sandbox's getUpdates queue).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QListView, QPushButton, QVBoxLayout, QWidget

from . import strings as S
from .bubbles import BubbleDelegate
from .chat_model import ChatModel
from .context import Context
from .thumbnails import ThumbnailCache

DEMO_CHAT_ID = "77015550101@c.us"
DEMO_TELEGRAM_USER = 5550000101


class DemoClientWindow(QWidget):
    def __init__(self, ctx: Context, thumbnails: ThumbnailCache, chat_id: str = DEMO_CHAT_ID, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("demoClient")
        self.setWindowTitle(f"{S.DEMO_CLIENT_TITLE} — {S.DEMO_BADGE}")
        self.resize(380, 680)
        self.ctx = ctx
        self.chat_id = chat_id
        self.model = ChatModel(ctx, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        badge = QLabel(S.DEMO_CLIENT_LABEL, self)
        badge.setObjectName("demoBadge")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(badge)
        header = QFrame(self)
        header.setObjectName("phoneHeader")
        hl = QHBoxLayout(header)
        self.title = QLabel(header)
        hl.addWidget(self.title, 1)
        self.channel = "telegram" if chat_id.startswith("tg:") else "whatsapp"
        self.switch = QPushButton(S.DEMO_CLIENT_SWITCH[self.channel], header)
        self.switch.setObjectName("demoChannelSwitch")
        self.switch.clicked.connect(self.toggle_channel)
        self.switch.setVisible(self._telegram_sandbox() is not None)
        hl.addWidget(self.switch)
        # a Telegram customer shares their number (the WhatsApp demo customer's): the console
        # then offers to link the two chats (issue 15)
        self.share = QPushButton(S.DEMO_CLIENT_SHARE_PHONE, header)
        self.share.clicked.connect(self.share_phone)
        hl.addWidget(self.share)
        self._show_title()
        layout.addWidget(header)
        self.view = QListView(self)
        self.view.setObjectName("phoneChat")
        self.view.setModel(self.model)
        self.view.setItemDelegate(BubbleDelegate(ctx.engine.clock.now, ctx.engine.clock.zone, thumbnails, mirrored=True, parent=self))
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        thumbnails.ready.connect(lambda _s: self.view.viewport().update())
        self.model.loaded.connect(lambda _c: self.view.scrollToBottom())
        self.model.rowsInserted.connect(lambda *_: self.view.scrollToBottom())
        layout.addWidget(self.view, 1)
        bar = QFrame(self)
        bar.setObjectName("phoneComposer")
        bl = QHBoxLayout(bar)
        self.input = QLineEdit(bar)
        self.input.setPlaceholderText(S.DEMO_CLIENT_PLACEHOLDER)
        self.input.returnPressed.connect(self.send)
        self.send_button = QPushButton("➤", bar)
        self.send_button.setObjectName("primary")
        self.send_button.clicked.connect(self.send)
        bl.addWidget(self.input, 1)
        bl.addWidget(self.send_button)
        layout.addWidget(bar)
        self.ctx.run(self.model.load(chat_id), name="demo-client-load")

    def _telegram_sandbox(self) -> Any:
        telegram = getattr(self.ctx.engine, "telegram", None)
        return getattr(telegram, "sandbox", None)

    def _show_title(self) -> None:
        label = "Telegram" if self.channel == "telegram" else "WhatsApp"
        self.title.setText(f"<b>{S.DEMO_CLIENT_HEADER}</b><br><small>{label}</small>")
        self.share.setVisible(self.channel == "telegram")

    def share_phone(self) -> None:
        telegram = self._telegram_sandbox()
        if telegram is not None and self.channel == "telegram":
            telegram.share_contact(DEMO_TELEGRAM_USER, "+" + DEMO_CHAT_ID.split("@")[0])

    def toggle_channel(self) -> None:
        """Write as the demo customer on the other channel (a separate chat in the console)."""
        self.channel = "whatsapp" if self.channel == "telegram" else "telegram"
        self.chat_id = f"tg:{DEMO_TELEGRAM_USER}" if self.channel == "telegram" else DEMO_CHAT_ID
        self.switch.setText(S.DEMO_CLIENT_SWITCH[self.channel])
        self._show_title()
        self.ctx.run(self.model.load(self.chat_id), name="demo-client-load")

    def send(self) -> None:
        text = self.input.text().strip()
        if not text:
            return
        if self.channel == "telegram":
            telegram = self._telegram_sandbox()
            if telegram is None:
                return
            telegram.write(DEMO_TELEGRAM_USER, text, first_name=S.DEMO_CLIENT_NAME)
        else:
            sandbox = getattr(self.ctx.engine, "sandbox", None)
            if sandbox is None:
                return
            sandbox.inject_text(self.chat_id, text, S.DEMO_CLIENT_NAME)
        self.input.clear()

    def on_chat_touched(self, chat_id: str) -> None:
        if chat_id == self.chat_id:
            if not self.model.chat_id:
                self.ctx.run(self.model.load(chat_id), name="demo-client-load")
            else:
                self.ctx.run(self.model.refresh(), name="demo-client-refresh")

    def closeEvent(self, event: Any) -> None:  # hide only; the main window owns it
        event.ignore()
        self.hide()
