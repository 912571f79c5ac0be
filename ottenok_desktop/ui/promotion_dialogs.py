"""The «Акции» tab's dialogs: editing one promotion, and composing an announcement of one
(text prefilled from the promotion, up to 3 photos picked from files, the exact recipient list
shown before anything is sent). Saving and starting go through the tab's callbacks: the tab
writes the file (services/promotions/writer.py) and calls the application command."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QPlainTextEdit,
    QPushButton, QVBoxLayout, QWidget,
)

from ..engine.announcements import MAX_PHOTOS
from ..services.promotions.writer import PromotionRow
from . import strings as S
from .context import Context

# the tab's save: the edited row → the Russian errors (empty when saved)
SaveRow = Callable[[PromotionRow], Awaitable[list[str]]]
# the tab's start: (text, photos) → an error in Russian, or "" when started
StartAnnouncement = Callable[[str, list[Path]], Awaitable[str]]


class PromotionDialog(QDialog):
    """One promotion's fields as text; «Сохранить» validates the whole file and stays open
    with the row/column message when it is refused."""

    def __init__(self, ctx: Context, row: PromotionRow | None, save: SaveRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._save = save
        self.setWindowTitle(S.PROMO_DIALOG_EDIT if row else S.PROMO_DIALOG_NEW)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        values = row.cells() if row else [""] * 6
        self.fields: list[QLineEdit | QPlainTextEdit] = []
        for n, (label, value) in enumerate(zip(S.PROMO_FIELDS, values)):
            if n == 1:
                editor: QLineEdit | QPlainTextEdit = QPlainTextEdit(value or "", self)
                editor.setFixedHeight(70)
            else:
                editor = QLineEdit(value or "", self)
                if n == 4:
                    editor.setPlaceholderText(S.PROMO_APPLIES_HINT)
                if n == 5:
                    editor.setPlaceholderText(S.PROMO_DISCOUNT_HINT)
            form.addRow(label, editor)
            self.fields.append(editor)
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(S.ORDER_SAVE)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(S.CANCEL)
        _primary(self.save_button)
        layout.addWidget(buttons)

    def row(self) -> PromotionRow:
        texts = [f.toPlainText() if isinstance(f, QPlainTextEdit) else f.text() for f in self.fields]
        return PromotionRow(*texts)

    def submit(self) -> None:
        self.save_button.setEnabled(False)
        self.ctx.run(self._submit(), name="promotion-save")

    async def _submit(self) -> None:
        try:
            errors = await self._save(self.row())
        finally:
            self.save_button.setEnabled(True)
        if errors:
            self.error.setText("\n".join([S.PROMO_SAVE_REFUSED, *errors]))
            return
        self.accept()


class AnnounceDialog(QDialog):
    """Compose an announcement: the text, up to 3 photos, and exactly who will get it."""

    def __init__(self, ctx: Context, title: str, text: str, recipients: Sequence[dict[str, Any]],
                 start: StartAnnouncement, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._start = start
        self.photos: list[Path] = []
        self.setWindowTitle(S.ANNOUNCE_TITLE.format(title=title))
        self.resize(760, 600)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(QLabel(f"<b>{S.ANNOUNCE_TEXT}</b>", self))
        self.text = QPlainTextEdit(text, self)
        left.addWidget(self.text, 1)
        left.addWidget(QLabel(f"<b>{S.ANNOUNCE_PHOTOS}</b>", self))
        self.photo_list = QListWidget(self)
        self.photo_list.setFixedHeight(84)
        left.addWidget(self.photo_list)
        photo_buttons = QHBoxLayout()
        self.add_photo_button = QPushButton(S.ANNOUNCE_ADD_PHOTO, self)
        self.add_photo_button.clicked.connect(self.pick_photos)
        self.remove_photo_button = QPushButton(S.ANNOUNCE_REMOVE_PHOTO, self)
        self.remove_photo_button.clicked.connect(self.remove_photo)
        photo_buttons.addWidget(self.add_photo_button)
        photo_buttons.addWidget(self.remove_photo_button)
        photo_buttons.addStretch(1)
        left.addLayout(photo_buttons)
        settings = ctx.engine.settings
        pace = QLabel(S.ANNOUNCE_PACE.format(low=settings.announce_min_seconds, high=settings.announce_max_seconds,
                                             hours=settings.work_hours), self)
        pace.setWordWrap(True)
        pace.setObjectName("formMessage")
        left.addWidget(pace)
        self.error = QLabel("", self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        left.addWidget(self.error)
        layout.addLayout(left, 3)

        right = QVBoxLayout()
        self.count_label = QLabel(f"<b>{S.ANNOUNCE_RECIPIENTS.format(count=len(recipients))}</b>", self)
        right.addWidget(self.count_label)
        rule = QLabel(S.ANNOUNCE_RECIPIENTS_RULE, self)
        rule.setWordWrap(True)
        rule.setObjectName("formMessage")
        right.addWidget(rule)
        self.recipients = QListWidget(self)
        for r in recipients:
            name = str(r.get("name") or "")
            self.recipients.addItem(f"+{r['phone']}" + (f" — {name}" if name else ""))
        right.addWidget(self.recipients, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(S.CANCEL)
        self.send_button = buttons.addButton(S.ANNOUNCE_SEND, QDialogButtonBox.ButtonRole.AcceptRole)
        _primary(self.send_button)
        self.send_button.setEnabled(bool(recipients))
        if not recipients:
            self.error.setText(S.ANNOUNCE_NOBODY)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        right.addWidget(buttons)
        layout.addLayout(right, 2)
        self._update_photo_buttons()

    def add_photos(self, paths: Sequence[Path]) -> None:
        for path in paths:
            if len(self.photos) >= MAX_PHOTOS:
                break
            if path not in self.photos:
                self.photos.append(path)
                self.photo_list.addItem(path.name)
        self._update_photo_buttons()

    def pick_photos(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, S.ANNOUNCE_PICK_PHOTOS, "", S.ANNOUNCE_PHOTO_FILTER)
        self.add_photos([Path(n) for n in names])

    def remove_photo(self) -> None:
        row = self.photo_list.currentRow()
        if 0 <= row < len(self.photos):
            del self.photos[row]
            self.photo_list.takeItem(row)
        self._update_photo_buttons()

    def _update_photo_buttons(self) -> None:
        self.add_photo_button.setEnabled(len(self.photos) < MAX_PHOTOS)
        self.remove_photo_button.setEnabled(bool(self.photos))

    def submit(self) -> None:
        self.send_button.setEnabled(False)
        self.ctx.run(self._submit(), name="announcement-start")

    async def _submit(self) -> None:
        try:
            error = await self._start(self.text.toPlainText(), list(self.photos))
        finally:
            self.send_button.setEnabled(True)
        if error:
            self.error.setText(error)
            return
        self.accept()


def _primary(button: QPushButton) -> None:
    """The dialog's main button in the console's blue (the style sheet matches the object name,
    so it is polished again after the name is set)."""
    button.setObjectName("primary")
    button.style().unpolish(button)
    button.style().polish(button)


def fit_columns(view: Any, stretch: int) -> None:
    """Columns sized to their contents, one stretching to the table's width."""
    from PySide6.QtWidgets import QHeaderView

    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
