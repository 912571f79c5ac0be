"""«Клиент (демо)»: a phone-like window to write to the shop as a customer in demo mode.

Messages go in through the GREEN-API sandbox exactly like a real customer's, so the
whole engine runs; the window shows the conversation from the customer's side (their
messages on the right) from the same database the console reads.
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
        title = QLabel(f"<b>{S.DEMO_CLIENT_HEADER}</b><br><small>WhatsApp</small>", header)
        hl.addWidget(title)
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

    def send(self) -> None:
        text = self.input.text().strip()
        sandbox = getattr(self.ctx.engine, "sandbox", None)
        if not text or sandbox is None:
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
