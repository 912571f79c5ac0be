"""Editing the quick replies (title, text, optional photo); saved in the data dir."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QListWidget, QPlainTextEdit,
    QPushButton, QVBoxLayout, QWidget,
)

from . import strings as S
from .context import Context
from .prefs import QuickReply


class QuickRepliesDialog(QDialog):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(S.QUICK_REPLIES_TITLE)
        self.resize(640, 420)
        self.ctx = ctx
        self.replies = [QuickReply(r.title, r.text, r.photo) for r in ctx.prefs.quick_replies]
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget(self)
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        add = QPushButton(S.QUICK_REPLY_ADD, self)
        add.clicked.connect(self.add)
        remove = QPushButton(S.QUICK_REPLY_REMOVE, self)
        remove.clicked.connect(self.remove)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        left.addLayout(buttons)
        layout.addLayout(left, 1)
        right = QVBoxLayout()
        form = QFormLayout()
        self.title = QLineEdit(self)
        self.text = QPlainTextEdit(self)
        self.photo = QLineEdit(self)
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo, 1)
        browse = QPushButton(S.SETTINGS_BROWSE, self)
        browse.clicked.connect(self._browse)
        photo_row.addWidget(browse)
        form.addRow(S.QUICK_REPLY_TITLE_LABEL, self.title)
        form.addRow(S.QUICK_REPLY_TEXT_LABEL, self.text)
        form.addRow(S.QUICK_REPLY_PHOTO_LABEL, photo_row)
        right.addLayout(form)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        box.accepted.connect(self.save)
        box.rejected.connect(self.reject)
        right.addWidget(box)
        layout.addLayout(right, 2)
        self._current = -1
        self.list.currentRowChanged.connect(self._select)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for reply in self.replies:
            self.list.addItem(reply.title)
        if self.replies:
            self.list.setCurrentRow(0)

    def _store(self) -> None:
        if 0 <= self._current < len(self.replies):
            self.replies[self._current] = QuickReply(self.title.text().strip() or S.QUICK_REPLY_NEW, self.text.toPlainText().strip(), self.photo.text().strip())
            self.list.item(self._current).setText(self.replies[self._current].title)

    def _select(self, row: int) -> None:
        self._store()
        self._current = row
        reply = self.replies[row] if 0 <= row < len(self.replies) else QuickReply("", "")
        self.title.setText(reply.title)
        self.text.setPlainText(reply.text)
        self.photo.setText(reply.photo)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, S.ATTACH_TITLE, str(self.ctx.engine.settings.photos_path), "Изображения (*.jpg *.jpeg *.png *.webp)")
        if name:
            self.photo.setText(name)

    def add(self) -> None:
        self._store()
        self.replies.append(QuickReply(S.QUICK_REPLY_NEW, ""))
        self.list.addItem(S.QUICK_REPLY_NEW)
        self.list.setCurrentRow(len(self.replies) - 1)

    def remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.replies):
            self._current = -1
            del self.replies[row]
            self.list.takeItem(row)

    def save(self) -> None:
        self._store()
        self.ctx.prefs.quick_replies = [r for r in self.replies if r.text or r.photo]
        self.ctx.prefs.save()
        self.accept()
