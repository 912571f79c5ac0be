"""One-click takeover: the manager owns the chat at once, a bot reply in flight is dropped
(not sent) and shown as an editable draft; «Вернуть боту» gives the chat back."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ottenok_desktop.engine import events as ev
from ottenok_desktop.engine.events import EventRecorder

from .conftest import wait_until

CHAT = "77017778899@c.us"


@pytest.fixture
def responder():
    from tests.fakes.responders import EchoResponder

    return EchoResponder(prefix="Алина: ", delay=1.0)  # slow: the reply is in flight when the manager clicks


async def _open(console, text: str) -> None:
    engine = console.ctx.engine
    engine.sandbox.inject_text(CHAT, text, "Жанна")
    model = console.window.chat_list.model
    await wait_until(lambda: model.row_of(CHAT) >= 0, what="the chat in the list")
    console.window.open_chat(CHAT)
    await wait_until(lambda: console.window.chat_panel.chat_id == CHAT, what="the chat to open")


async def test_takeover_drops_the_bot_reply_in_flight_and_shows_the_draft(console_of, responder) -> None:
    async with console_of() as console:
        engine = console.ctx.engine
        recorder = EventRecorder(engine.bus)
        panel = console.window.chat_panel
        await _open(console, "девушка, мне нужен живой менеджер, туфли натирают")
        await wait_until(lambda: responder.turns, what="the bot to start its turn")
        assert panel.take_button.isEnabled()

        QTest.keySequence(console.window, "Ctrl+T")  # the shortcut, as the manager would
        await wait_until(lambda: panel.chat is not None and panel.chat.owner == "manager", what="the manager to own the chat")
        assert panel.owner_label.text().startswith("Диалог ведёт менеджер")
        assert not panel.take_button.isEnabled() and panel.return_button.isEnabled()

        # the bot's turn finishes after the click: its reply must not reach the customer
        await wait_until(lambda: recorder.of_type(ev.BotDraft), timeout=10, what="the bot's draft")
        await asyncio.sleep(0.5)
        assert engine.sandbox.sent_to(CHAT) == []
        assert panel.draft_frame.isVisible()
        assert "туфли натирают" in panel.draft_text.text()
        panel.draft_use.click()
        assert "туфли натирают" in panel.composer.edit.toPlainText()

        # the manager edits the draft and sends it as the shop
        panel.composer.edit.setPlainText("Жанна, здравствуйте! Я менеджер, сейчас помогу с обменом.")
        QTest.mouseClick(panel.composer.send, Qt.MouseButton.LeftButton)
        await wait_until(lambda: engine.sandbox.sent_to(CHAT), timeout=10, what="the manager's message to be sent")
        assert engine.sandbox.sent_to(CHAT)[0].text == "Жанна, здравствуйте! Я менеджер, сейчас помогу с обменом."
        await wait_until(lambda: any(r.sender_kind == "manager_app" for r in panel.model.rows), what="the manager bubble")
        row = next(r for r in panel.model.rows if r.sender_kind == "manager_app")
        assert row.sender_name == console.ctx.manager
        assert not panel.draft_frame.isVisible()


async def test_return_to_bot_resumes_answers(console_of, responder) -> None:
    async with console_of() as console:
        engine = console.ctx.engine
        panel = console.window.chat_panel
        await _open(console, "здравствуйте")
        await wait_until(lambda: engine.sandbox.sent_to(CHAT), timeout=10, what="the first bot reply")
        panel.take_over()
        await wait_until(lambda: panel.chat.owner == "manager", what="takeover")
        list_model = console.window.chat_list.model
        await wait_until(lambda: list_model.rows[list_model.row_of(CHAT)].owner == "manager", what="the list to show the owner")

        QTest.keySequence(console.window, "Ctrl+R")
        await wait_until(lambda: panel.chat.owner == "bot", what="the chat back with the bot")
        assert panel.owner_label.text() == "Отвечает бот"
        before = len(engine.sandbox.sent_to(CHAT))
        engine.sandbox.inject_text(CHAT, "а 38 размер есть?", "Жанна")
        await wait_until(lambda: len(engine.sandbox.sent_to(CHAT)) > before, timeout=10, what="the bot to answer again")
