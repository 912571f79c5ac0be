"""The strip under the chat header about the same customer on the other channel (issue 15).

A Telegram customer who shared their phone number, when a WhatsApp chat has that number
(or the other way round): «Этот клиент есть и в WhatsApp: … — связать чаты?» with
«Связать чаты». Linked chats: «Связан с WhatsApp: …» with «Открыть» (the other chat) and
«Отвязать». Linking and unlinking are the engine's commands (link_chats / unlink_chat).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..services.storage.links import LinkInfo, link_info
from . import strings as S
from .context import Context


class LinkBar(QFrame):
    open_chat = Signal(str)  # the linked chat, to open in the console

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkBar")
        self.ctx = ctx
        self.chat_id = ""
        self.info: LinkInfo | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.link_button = QPushButton(S.LINK_BUTTON, self)
        self.link_button.clicked.connect(self.link)
        self.open_button = QPushButton(S.LINK_OPEN, self)
        self.open_button.clicked.connect(lambda: self.info is not None and self.open_chat.emit(self.info.chat_id))
        self.unlink_button = QPushButton(S.UNLINK_BUTTON, self)
        self.unlink_button.clicked.connect(self.unlink)
        for button in (self.link_button, self.open_button, self.unlink_button):
            row.addWidget(button)
        self.hide()

    async def show_for(self, chat_id: str) -> None:
        info = await self.ctx.db(link_info, chat_id) if chat_id else None
        self.chat_id, self.info = chat_id, info
        if info is None:
            self.hide()
            return
        channel = S.CHANNEL_NAMES.get(info.channel, info.channel)
        who = " ".join(p for p in (info.name, f"+{info.phone}" if info.phone else "") if p) or info.chat_id
        linked = info.state == "linked"
        self.label.setText((S.LINKED_WITH if linked else S.LINK_OFFER).format(channel=channel, who=who))
        self.link_button.setVisible(not linked)
        self.open_button.setVisible(linked)
        self.unlink_button.setVisible(linked)
        self.show()

    def may_concern(self, touched_chat_id: str, phone: str) -> bool:
        """Whether another chat's change may change this strip: a WhatsApp chat of this phone (its
        id starts with the number), any Telegram chat (a contact just shared), or the linked one."""
        if self.info is not None and self.info.chat_id == touched_chat_id:
            return True
        if self.info is not None and self.info.state == "linked":
            return False
        return touched_chat_id.startswith("tg:") or bool(phone) and touched_chat_id.startswith(phone + "@")

    def link(self) -> None:
        if self.info is not None and self.info.state == "candidate":
            self.link_button.setEnabled(False)
            self.ctx.run(self._link(self.chat_id, self.info.chat_id), name="link-chats")

    async def _link(self, chat_id: str, other: str) -> None:
        try:
            await self.ctx.engine.commands.link_chats(chat_id, other, self.ctx.manager)
        finally:
            self.link_button.setEnabled(True)
            await self.show_for(self.chat_id)

    def unlink(self) -> None:
        if self.info is not None and self.info.state == "linked":
            self.ctx.run(self._unlink(self.chat_id), name="unlink-chats")

    async def _unlink(self, chat_id: str) -> None:
        try:
            await self.ctx.engine.commands.unlink_chat(chat_id, self.ctx.manager)
        finally:
            await self.show_for(self.chat_id)
