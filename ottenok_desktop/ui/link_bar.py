"""The strip under the chat header about the same customer on the other channel (issue 15),
and its counterpart in the customer card.

A Telegram customer who shared their phone number, when a WhatsApp chat has that number
(or the other way round): «Этот клиент есть и в WhatsApp: … — связать чаты?» with
«Связать чаты» and «Не связывать» (the offer for that pair never comes back, on any seat).
Linked chats: «Связан с WhatsApp: …» with «Открыть» (the other chat) and «Отвязать».
After «Не связывать» the customer card keeps a quiet «Есть и в WhatsApp: …» line with
«Связать чаты», so linking by hand stays possible (`ManualLinkRow`). Linking, unlinking and
dismissing are the engine's commands (link_chats / unlink_chat / dismiss_link_offer).
"""

from __future__ import annotations

from collections.abc import Awaitable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..services.storage.links import LinkInfo, link_info
from . import strings as S
from .context import Context


def _who(info: LinkInfo) -> str:
    return " ".join(p for p in (info.name, f"+{info.phone}" if info.phone else "") if p) or info.chat_id


class LinkBar(QFrame):
    open_chat = Signal(str)  # the linked chat, to open in the console
    link_state = Signal(str, object)  # (chat id, LinkInfo | None) after every look: the customer card follows

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
        self.dismiss_button = QPushButton(S.LINK_DISMISS, self)
        self.dismiss_button.setToolTip(S.LINK_DISMISS_TIP)
        self.dismiss_button.clicked.connect(self.dismiss)
        self.open_button = QPushButton(S.LINK_OPEN, self)
        self.open_button.clicked.connect(lambda: self.info is not None and self.open_chat.emit(self.info.chat_id))
        self.unlink_button = QPushButton(S.UNLINK_BUTTON, self)
        self.unlink_button.clicked.connect(self.unlink)
        for button in (self.link_button, self.dismiss_button, self.open_button, self.unlink_button):
            row.addWidget(button)
        self.hide()

    async def show_for(self, chat_id: str) -> None:
        info = await self.ctx.db(link_info, chat_id) if chat_id else None
        self.chat_id, self.info = chat_id, info
        self.link_state.emit(chat_id, info)
        if info is None or info.state == "dismissed":  # a dismissed offer lives on in the customer card
            self.hide()
            return
        channel = S.CHANNEL_NAMES.get(info.channel, info.channel)
        linked = info.state == "linked"
        self.label.setText((S.LINKED_WITH if linked else S.LINK_OFFER).format(channel=channel, who=_who(info)))
        self.link_button.setVisible(not linked)
        self.dismiss_button.setVisible(not linked)
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
            self._command(self.ctx.engine.commands.link_chats(self.chat_id, self.info.chat_id, self.ctx.manager),
                          self.link_button, "link-chats")

    def dismiss(self) -> None:
        if self.info is not None and self.info.state == "candidate":
            self._command(self.ctx.engine.commands.dismiss_link_offer(self.chat_id, self.info.chat_id, self.ctx.manager),
                          self.dismiss_button, "dismiss-link-offer")

    def unlink(self) -> None:
        if self.info is not None and self.info.state == "linked":
            self._command(self.ctx.engine.commands.unlink_chat(self.chat_id, self.ctx.manager), None, "unlink-chats")

    def _command(self, command: Awaitable[object], button: QPushButton | None, name: str) -> None:
        """Run one of the engine's link commands; the button waits for it, the strip looks again after."""
        if button is not None:
            button.setEnabled(False)
        self.ctx.run(self._then_look_again(command, button), name=name)

    async def _then_look_again(self, command: Awaitable[object], button: QPushButton | None) -> None:
        try:
            await command
        finally:
            if button is not None:
                button.setEnabled(True)
            await self.show_for(self.chat_id)


class ManualLinkRow(QFrame):
    """In the customer card: the same phone on the other channel whose offer was dismissed —
    «Есть и в WhatsApp: … (предложение связать скрыто)» with «Связать чаты» (by hand)."""

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.chat_id = ""
        self.info: LinkInfo | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.link_button = QPushButton(S.LINK_BUTTON, self)
        self.link_button.setToolTip(S.LINK_MANUAL_TIP)
        self.link_button.clicked.connect(self.link)
        row.addWidget(self.link_button)
        self.hide()

    def show_info(self, chat_id: str, info: LinkInfo | None) -> None:
        self.chat_id, self.info = chat_id, info
        if info is None or info.state != "dismissed":
            self.hide()
            return
        channel = S.CHANNEL_NAMES.get(info.channel, info.channel)
        self.label.setText(S.LINK_MANUAL.format(channel=channel, who=_who(info)))
        self.show()

    def link(self) -> None:
        if self.info is not None and self.info.state == "dismissed":
            self.link_button.setEnabled(False)
            self.ctx.run(self._link(self.chat_id, self.info.chat_id), name="link-chats-by-hand")

    async def _link(self, chat_id: str, other: str) -> None:
        try:
            # the same command as the offer's button; its ChatUpdated events refresh the strip,
            # which tells this row (LinkBar.link_state) that the chats are linked now
            await self.ctx.engine.commands.link_chats(chat_id, other, self.ctx.manager)
        finally:
            self.link_button.setEnabled(True)
