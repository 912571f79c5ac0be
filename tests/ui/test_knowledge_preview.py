"""The Knowledge tab's test box previews the bot's answer through `SalesResponder.preview`
(no chat, order or ticket is written for a fake customer), and shows the hits and the answer."""

from __future__ import annotations

from typing import Any

import pytest

from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn
from ottenok_desktop.services.knowledge.models import KnowledgeHit

from .conftest import wait_until


class PreviewingResponder:
    """Records which entry point the console used."""

    def __init__(self) -> None:
        self.previewed: list[str] = []
        self.responded: list[Turn] = []

    async def respond(self, turn: Turn) -> Reply:
        self.responded.append(turn)
        return Reply()

    async def preview(self, text: str) -> Reply:
        self.previewed.append(text)
        return Reply(parts=(OutgoingPart(text="Подскажу:\nМагазин работает ежедневно с 10:00 до 20:00."),))


class FakeKnowledge:
    """Only what the engine and the Knowledge tab call."""

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def search(self, query: str, k: int = 5) -> list[KnowledgeHit]:
        return [KnowledgeHit(text="Часы работы\nМагазин работает ежедневно с 10:00 до 20:00.", source="scripts/shop_info.docx",
                             section="Магазин «Оттенок» / Часы работы", kind="script", score=0.9)]

    def documents(self) -> list[Any]:
        return []


@pytest.fixture
def responder() -> PreviewingResponder:
    return PreviewingResponder()


async def test_test_box_uses_preview_not_respond(console_of, responder: PreviewingResponder) -> None:
    def attach(engine: Any) -> None:
        engine.knowledge = FakeKnowledge()

    async with console_of(attach) as console:
        tab = console.window.knowledge_tab
        tab.question.setText("до скольки работаете?")
        tab.run_test()
        await wait_until(lambda: "10:00 до 20:00." in tab.results.toPlainText() and "Подскажу" in tab.results.toPlainText(),
                         what="the previewed answer", detail=lambda: tab.results.toPlainText())
        assert responder.previewed == ["до скольки работаете?"]
        assert responder.responded == []
        assert "shop_info.docx" in tab.results.toPlainText()
