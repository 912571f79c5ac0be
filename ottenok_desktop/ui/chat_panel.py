"""The middle column: the open chat's header with takeover buttons, the bubbles, the bot's
unsent draft and the composer (text, a photo, quick replies)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QHBoxLayout, QLabel, QListView, QMenu, QPlainTextEdit, QPushButton,
    QToolButton, QVBoxLayout, QWidget,
)

from ..engine import events as ev
from ..services.storage import queries as q
from . import strings as S
from .bubbles import BubbleDelegate
from .chat_model import ChatModel
from .context import Context, maybe_await
from .formatting import due_time
from .link_bar import LinkBar
from .prefs import QuickReply
from .thumbnails import ThumbnailCache

log = logging.getLogger(__name__)


class MessageList(QListView):
    """Bubbles; stays at the bottom when new messages arrive unless the manager scrolled up."""

    def __init__(self, model: ChatModel, delegate: BubbleDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageList")
        self.setModel(model)
        self.setItemDelegate(delegate)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QListView.SelectionMode.NoSelection)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        model.loaded.connect(lambda _chat: self.scrollToBottom())
        model.rowsAboutToBeInserted.connect(self._remember_bottom)
        model.rowsInserted.connect(self._follow)
        self._at_bottom = True
        self._model = model
        self._prepending = False
        from PySide6.QtGui import QDesktopServices

        self.open_url: Callable[[Any], Any] = QDesktopServices.openUrl  # the system's player (the OS boundary)
        self.verticalScrollBar().valueChanged.connect(self._maybe_load_older)
        self.clicked.connect(self.on_bubble_clicked)

    def on_bubble_clicked(self, index: Any) -> None:
        """A voice note plays in the system's player (a click on its bubble), from the copy kept on disk."""
        from .bubbles import voice_url
        from .chat_model import MESSAGE_ROLE

        row = index.data(MESSAGE_ROLE)
        if row is not None and voice_url(row):
            self._model.ctx.run(self._play(self._model.chat_id, row), name="play-voice")

    async def _play(self, chat_id: str, row: q.MessageRow) -> None:
        from PySide6.QtCore import QUrl

        path = await maybe_await(self._model.ctx.engine.voice_file(chat_id, row.id, row.media_url, row.media_name))
        # without a kept copy (no cache, the download failed) the link is still worth a try
        self.open_url(QUrl.fromLocalFile(str(path)) if path is not None else QUrl(row.media_url))

    def _maybe_load_older(self, value: int) -> None:
        if value == 0 and self._model.has_older and not self._prepending and self._model.rowCount() > 0:
            self._prepending = True
            self._model.ctx.run(self._load_older(), name="older-messages")

    async def _load_older(self) -> None:
        try:
            added = await self._model.load_older()
            if added:
                # keep the message the manager was looking at in place
                self.scrollTo(self._model.index(added), QListView.ScrollHint.PositionAtTop)
        finally:
            self._prepending = False

    def _remember_bottom(self, *_args: Any) -> None:
        bar = self.verticalScrollBar()
        self._at_bottom = bar.value() >= bar.maximum() - 40

    def _follow(self, _parent: Any = None, first: int = 0, _last: int = 0) -> None:
        if self._at_bottom and first > 0:  # appended, not older messages prepended
            self.scrollToBottom()


class Composer(QWidget):
    send_requested = Signal(str, object)  # text, Path | None

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.attachment: Path | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.attachment_label = QLabel(self)
        self.attachment_label.setObjectName("attachmentLabel")
        self.attachment_label.hide()
        layout.addWidget(self.attachment_label)
        row = QHBoxLayout()
        self.quick = QToolButton(self)
        self.quick.setText(S.QUICK_REPLIES)
        self.quick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.quick_menu = QMenu(self.quick)
        self.quick.setMenu(self.quick_menu)
        self.quick_menu.aboutToShow.connect(self._fill_quick_menu)
        row.addWidget(self.quick, 0, Qt.AlignmentFlag.AlignBottom)
        self.attach = QPushButton(S.ATTACH, self)
        self.attach.clicked.connect(self._choose_photo)
        row.addWidget(self.attach, 0, Qt.AlignmentFlag.AlignBottom)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("composer")
        self.edit.setPlaceholderText(S.COMPOSER_PLACEHOLDER)
        self.edit.setFixedHeight(64)
        row.addWidget(self.edit, 1)
        self.send = QPushButton(S.SEND, self)
        self.send.setObjectName("primary")
        self.send.clicked.connect(self.submit)
        row.addWidget(self.send, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(row)
        QShortcut(QKeySequence("Ctrl+Return"), self.edit, activated=self.submit)
        QShortcut(QKeySequence("Ctrl+Enter"), self.edit, activated=self.submit)

    def submit(self) -> None:
        text = self.edit.toPlainText().strip()
        if not text and self.attachment is None:
            return
        self.send_requested.emit(text, self.attachment)

    def clear(self) -> None:
        self.edit.clear()
        self.set_attachment(None)

    def set_attachment(self, path: Path | None) -> None:
        self.attachment = path
        self.attachment_label.setVisible(path is not None)
        if path is not None:
            self.attachment_label.setText(S.ATTACHED.format(name=path.name))

    def _choose_photo(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, S.ATTACH_TITLE, str(self.ctx.engine.settings.photos_path), "Изображения (*.jpg *.jpeg *.png *.webp)")
        if name:
            self.set_attachment(Path(name))

    def _fill_quick_menu(self) -> None:
        self.quick_menu.clear()
        for reply in self.ctx.prefs.quick_replies:
            action = self.quick_menu.addAction(reply.title)
            action.triggered.connect(lambda _=False, r=reply: self.use_quick_reply(r))
        self.quick_menu.addSeparator()
        edit = self.quick_menu.addAction(S.QUICK_REPLY_EDIT)
        edit.triggered.connect(self._edit_quick_replies)

    def use_quick_reply(self, reply: QuickReply) -> None:
        """Put the text in the box for the manager to check and edit before sending."""
        self.edit.setPlainText(reply.text.replace("{manager}", self.ctx.manager))
        self.set_attachment(Path(reply.photo) if reply.photo else None)
        self.edit.setFocus()

    def _edit_quick_replies(self) -> None:
        from .quick_replies import QuickRepliesDialog

        QuickRepliesDialog(self.ctx, self).open()


class ChatPanel(QWidget):
    """Everything about the open chat in the middle column."""

    def __init__(self, ctx: Context, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatPanel")
        self.ctx = ctx
        self.chat: q.ChatRow | None = None
        self.drafts: dict[str, str] = {}
        self.model = ChatModel(ctx, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        header = QFrame(self)
        header.setObjectName("chatHeader")
        hl = QHBoxLayout(header)
        hl.setContentsMargins(10, 6, 10, 6)
        titles = QVBoxLayout()
        self.title = QLabel(S.NO_CHAT_SELECTED, header)
        self.title.setObjectName("chatTitle")
        self.owner_label = QLabel("", header)
        self.owner_label.setObjectName("ownerLabel")
        # the chat's next follow-up («Дожим №1: сегодня 16:10»), so nobody is surprised by it
        self.nudge_label = QLabel("", header)
        self.nudge_label.setObjectName("nudgeLabel")
        titles.addWidget(self.title)
        titles.addWidget(self.owner_label)
        titles.addWidget(self.nudge_label)
        hl.addLayout(titles, 1)
        self.take_button = QPushButton(S.TAKE_OVER, header)
        self.take_button.setObjectName("takeOver")
        self.take_button.setToolTip(S.TAKE_OVER_TIP)
        self.take_button.clicked.connect(self.take_over)
        self.return_button = QPushButton(S.RETURN_TO_BOT, header)
        self.return_button.setObjectName("returnToBot")
        self.return_button.setToolTip(S.RETURN_TO_BOT_TIP)
        self.return_button.clicked.connect(self.return_to_bot)
        hl.addWidget(self.take_button)
        hl.addWidget(self.return_button)
        layout.addWidget(header)
        self.link_bar = LinkBar(ctx, self)  # the same customer on the other channel
        layout.addWidget(self.link_bar)

        self.delegate = BubbleDelegate(ctx.engine.clock.now, ctx.engine.clock.zone, thumbnails, persona=ctx.engine.settings.persona_name, parent=self)
        self.messages = MessageList(self.model, self.delegate, self)
        thumbnails.ready.connect(lambda _src: self.messages.viewport().update())
        layout.addWidget(self.messages, 1)

        self.draft_frame = QFrame(self)
        self.draft_frame.setObjectName("draftFrame")
        dl = QVBoxLayout(self.draft_frame)
        dl.setContentsMargins(10, 6, 10, 6)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{S.BOT_DRAFT_TITLE}</b>", self.draft_frame), 1)
        self.draft_use = QPushButton(S.BOT_DRAFT_USE, self.draft_frame)
        self.draft_use.clicked.connect(self.use_draft)
        self.draft_hide = QPushButton(S.BOT_DRAFT_HIDE, self.draft_frame)
        self.draft_hide.clicked.connect(self._hide_draft)
        top.addWidget(self.draft_use)
        top.addWidget(self.draft_hide)
        dl.addLayout(top)
        self.draft_text = QLabel("", self.draft_frame)
        self.draft_text.setWordWrap(True)
        self.draft_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.draft_text)
        self.draft_frame.hide()
        layout.addWidget(self.draft_frame)

        self.composer = Composer(ctx, self)
        self.composer.send_requested.connect(self.on_send_requested)
        layout.addWidget(self.composer)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(60)
        self._refresh_timer.timeout.connect(lambda: self.ctx.run(self.refresh(), name="chat-refresh"))
        self._update_header()

    # ---- opening a chat ---------------------------------------------------------------------
    def open_chat(self, chat_id: str) -> None:
        self.ctx.run(self.load(chat_id), name="open-chat")

    async def load(self, chat_id: str) -> None:
        rows = await self.ctx.db(q.chat_rows, [chat_id])
        self.chat = rows[0] if rows else None
        self.composer.clear()
        self._update_header()
        self._show_draft()
        await self.model.load(chat_id)
        await self.link_bar.show_for(chat_id)
        await self._show_next_nudge(chat_id)

    async def refresh(self) -> None:
        if self.chat is None:
            return
        chat_id = self.chat.chat_id
        rows = await self.ctx.db(q.chat_rows, [chat_id])
        if self.chat is not None and self.chat.chat_id == chat_id and rows:
            self.chat = rows[0]
            self._update_header()
        await self.model.refresh()
        if self.chat_id == chat_id:
            await self.link_bar.show_for(chat_id)
        await self._show_next_nudge(chat_id)

    async def _show_next_nudge(self, chat_id: str) -> None:
        followups = self.ctx.engine.followups
        nudge = await followups.next_nudge(chat_id) if followups is not None else None
        if self.chat_id != chat_id:
            return  # another chat was opened meanwhile
        if nudge is None:
            self.nudge_label.setText("")
            return
        clock = self.ctx.engine.clock
        self.nudge_label.setText(S.NEXT_NUDGE.format(number=nudge.number,
                                                     when=due_time(nudge.due_at, clock.now(), clock.zone)))

    @property
    def chat_id(self) -> str:
        return self.chat.chat_id if self.chat is not None else ""

    def _update_header(self) -> None:
        chat = self.chat
        enabled = chat is not None
        self.take_button.setEnabled(enabled and chat.owner != "manager")
        self.return_button.setEnabled(enabled and chat.owner == "manager")
        self.composer.setEnabled(enabled)
        if chat is None:
            self.title.setText(S.NO_CHAT_SELECTED)
            self.owner_label.setText("")
            return
        self.title.setText(f"{chat.title}  ·  +{chat.phone}")
        if chat.owner == "manager":
            text = S.OWNER_BANNER_MANAGER.format(name=chat.owner_name or S.OWNER_MANAGER)
            state = "manager"
        elif chat.needs_human:
            text = S.OWNER_BANNER_NEEDS_HUMAN.format(reason=chat.handoff_reason or "—")
            state = "alert"
        else:
            text = S.OWNER_BANNER_BOT
            state = "bot"
        self.owner_label.setText(text)
        self.owner_label.setProperty("state", state)
        self.owner_label.style().unpolish(self.owner_label)
        self.owner_label.style().polish(self.owner_label)
        self.composer.edit.setPlaceholderText(S.COMPOSER_PLACEHOLDER)

    # ---- takeover -----------------------------------------------------------------------------
    def take_over(self) -> None:
        if self.chat is not None and self.chat.owner != "manager":
            self.take_button.setEnabled(False)  # one click is enough; the event re-enables
            self.ctx.run(self._take_over(self.chat.chat_id), name="take-over")

    async def _take_over(self, chat_id: str) -> None:
        try:
            await self.ctx.engine.take_over(chat_id, self.ctx.manager)
        finally:
            await self.refresh()

    def return_to_bot(self) -> None:
        if self.chat is not None and self.chat.owner == "manager":
            self.return_button.setEnabled(False)
            self.ctx.run(self._return_to_bot(self.chat.chat_id), name="return-to-bot")

    async def _return_to_bot(self, chat_id: str) -> None:
        try:
            await self.ctx.engine.return_to_bot(chat_id, self.ctx.manager)
            self.drafts.pop(chat_id, None)
            self._show_draft()
        finally:
            await self.refresh()

    # ---- sending ------------------------------------------------------------------------------
    def on_send_requested(self, text: str, attachment: Path | None) -> None:
        if self.chat is None:
            return
        self.composer.send.setEnabled(False)
        self.ctx.run(self._send(self.chat.chat_id, text, attachment), name="send-as-manager", error_prefix=S.SEND_FAILED.format(error=""))

    async def _send(self, chat_id: str, text: str, attachment: Path | None) -> None:
        try:
            if self.chat is not None and self.chat.owner != "manager":
                # The manager writing means the manager answers now: the bot must be silent first.
                await self.ctx.engine.take_over(chat_id, self.ctx.manager)
            await self.ctx.engine.send_as_manager(chat_id, text, self.ctx.manager, file_path=attachment)
            if self.chat_id == chat_id:
                self.composer.clear()
                self.drafts.pop(chat_id, None)
                self._show_draft()
        finally:
            self.composer.send.setEnabled(True)
            await self.refresh()

    async def send_photo(self, chat_id: str, photo: Path | None, caption: str) -> None:
        """One-click send from the stock panel (the photo with its price as caption)."""
        if self.chat is not None and self.chat.chat_id == chat_id and self.chat.owner != "manager":
            await self.ctx.engine.take_over(chat_id, self.ctx.manager)
        await maybe_await(self.ctx.engine.send_as_manager(chat_id, caption, self.ctx.manager, file_path=photo))
        await self.refresh()

    # ---- the bot's unsent draft ----------------------------------------------------------------
    def on_bot_draft(self, event: ev.BotDraft) -> None:
        self.drafts[event.chat_id] = event.text
        if event.chat_id == self.chat_id:
            self._show_draft()

    def _show_draft(self) -> None:
        text = self.drafts.get(self.chat_id, "")
        self.draft_text.setText(text)
        self.draft_frame.setVisible(bool(text))

    def _hide_draft(self) -> None:
        self.drafts.pop(self.chat_id, None)
        self._show_draft()

    def use_draft(self) -> None:
        text = self.drafts.get(self.chat_id, "")
        if text:
            self.composer.edit.setPlainText(text.replace("|||", "\n"))
            self.composer.edit.setFocus()

    # ---- live updates -----------------------------------------------------------------------------
    def on_chat_touched(self, chat_id: str) -> None:
        # One inbound message raises several events; refresh once per burst.
        if chat_id == self.chat_id and not self._refresh_timer.isActive():
            self._refresh_timer.start()
        elif self.chat is not None and self.link_bar.may_concern(chat_id, self.chat.phone):
            # the same customer may just have appeared on the other channel: offer the link now
            self.ctx.run(self.link_bar.show_for(self.chat.chat_id), name="link-recheck")
